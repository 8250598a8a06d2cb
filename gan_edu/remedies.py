"""Notebook 06's remedies for mode collapse, each trained on the ring or the grid and measured the way
VEEGAN and PacGAN measure it (`metrics.mode_report` on 2,500 samples), beside the papers' own rows.

- `METHODS`: each remedy as changes to the collapsing preset; `train_method` trains one with a seed.
- `summarize` and `format_table`: a stored mode table (`experiments.load_mode_table()`) as the mean and
  standard deviation over seeds, and as notebook 06's Markdown table next to `PUBLISHED`.
- `python -m gan_edu.experiments mode_table` stores the rows for five seeds in results/.
"""

from __future__ import annotations

import time

import numpy as np

from . import checks
from .metrics import mode_report
from .presets import get_preset
from .train import GANTrainer

#: Each remedy as changes to the collapsing preset (notebook 06 explains each one).
METHODS = {
    "GAN": {},
    "unrolled (k=5)": {"unroll_steps": 5},  # through D's look-ahead, as Metz et al. (2017)
    "unrolled, first-order (k=5)": {"unroll_steps": 5, "unroll_first_order": True},
    "PacGAN2": {"pack": 2},
    "PacGAN4": {"pack": 4},
    "minibatch std": {"minibatch_std": True},
    "spectral norm": {"spectral_norm": True},
    "WGAN-GP": {"loss": "wasserstein", "gp_weight": 10.0, "d_steps": 5},  # the paper's lambda, critic steps
    "R1 (gamma=1)": {"r1_weight": 1.0},
}
DATASETS = {"ring": {}, "grid": {"dataset": "grid"}}
SAMPLES = 2500  # VEEGAN's and PacGAN's sample count

#: Published rows as the papers give them: (source, method, dataset, modes, high-quality %, reverse KL),
#: after 100,000 to 400,000 updates per run (the papers' settings).
#: VEEGAN (Srivastava et al. 2017), Table 1: 2,500 samples, 3 std; no reverse KL reported.
#: PacGAN (Lin et al. 2018), Table 1: ring std 0.01, grid std 0.05, 10 trials.
PUBLISHED = [
    dict(zip(("source", "method", "dataset", "modes", "high_quality", "reverse_kl"), row, strict=True))
    for row in [
        ("VEEGAN", "GAN", "ring", 1.0, 99.3, None),
        ("VEEGAN", "unrolled GAN", "ring", 7.6, 35.6, None),
        ("VEEGAN", "VEEGAN", "ring", 8.0, 52.9, None),
        ("PacGAN", "GAN", "ring", 6.3, 98.2, 0.45),
        ("PacGAN", "PacGAN2", "ring", 7.9, 95.6, 0.07),
        ("PacGAN", "PacGAN4", "ring", 7.8, 95.9, 0.07),
        ("VEEGAN", "GAN", "grid", 3.3, 0.5, None),
        ("VEEGAN", "unrolled GAN", "grid", 23.6, 16.0, None),
        ("VEEGAN", "VEEGAN", "grid", 24.6, 40.0, None),
        ("PacGAN", "GAN", "grid", 17.3, 94.8, 0.70),
        ("PacGAN", "PacGAN2", "grid", 23.8, 91.3, 0.13),
        ("PacGAN", "PacGAN4", "grid", 24.8, 93.6, 0.04),
    ]
]


def train_method(method: str, dataset: str = "ring", seed: int = 0, steps: int | None = None,
                 preset: str = "mode_collapse") -> tuple[GANTrainer, dict]:  # fmt: skip
    """Train one remedy (a key of METHODS) on one dataset with one seed: the trainer and its row."""
    checks.choose(METHODS, method, "method")
    checks.choose(DATASETS, dataset, "dataset")
    base = get_preset(preset)
    steps = base.steps if steps is None else steps
    trainer = GANTrainer(base.config, **DATASETS[dataset], **METHODS[method], seed=seed)
    start = time.perf_counter()
    trainer.run(steps, progress=False)
    seconds = time.perf_counter() - start
    return trainer, table_row(method, dataset, seed, steps, mode_report(trainer, SAMPLES), seconds)


def row(method: str, dataset: str, seed: int, steps: int | None, preset: str) -> dict:
    """The stored row of `train_method` (one row of `python -m gan_edu.experiments mode_table`)."""
    return train_method(method, dataset, seed, steps, preset)[1]


def table_row(method: str, dataset: str, seed: int, steps: int, stats: dict, seconds: float) -> dict:
    """One row of the stored table from `metrics.mode_report(trainer, 2500)`'s metrics, rounded as stored."""
    return {
        "method": method, "dataset": dataset, "seed": seed, "steps": steps,
        "modes": stats["modes_captured"], "n_modes": stats["n_modes"],
        "high_quality": round(100 * stats["high_quality"], 2), "reverse_kl": round(stats["reverse_kl"], 4),
        "ms_per_step": round(1000 * seconds / max(steps, 1), 3),
    }  # fmt: skip


def settings(steps: int | None, preset: str, datasets, methods) -> dict:
    """What a stored mode table records beside its rows: the preset, its steps, every remedy's changes."""
    base = get_preset(preset)
    return {"preset": preset, "preset_changes": base.changes, "steps": steps or base.steps,
            "samples": SAMPLES, "methods": {m: METHODS[m] for m in methods},
            "datasets": {d: DATASETS[d] for d in datasets}}  # fmt: skip


def merged(stored: dict, new: dict) -> dict:
    """The stored mode table with the new table's rows in place of the same (dataset, method, seed),
    in METHODS' order (`mode_table --update`); the new command is listed under "updates"."""
    if any(stored["settings"][k] != new["settings"][k] for k in ("preset", "steps")):
        raise ValueError("--update needs the stored table's preset and steps; run without --update instead")
    fresh = {_row_key(r) for r in new["rows"]}
    kept = [r for r in stored["rows"] if _row_key(r) not in fresh]
    stored["rows"] = sorted(kept + new["rows"], key=_row_order)
    stored["settings"]["methods"] |= new["settings"]["methods"]
    stored["settings"]["seeds"] = sorted(set(stored["settings"]["seeds"]) | set(new["settings"]["seeds"]))
    stored.setdefault("updates", []).append(
        {k: new[k] for k in ("created", "versions")} | {"command": new["command"] + " --update"}
    )
    return stored


def _row_key(row: dict) -> tuple:
    return row["dataset"], row["method"], row["seed"]


def _row_order(row: dict) -> tuple:
    names = [*METHODS, row["method"]]  # a method no longer in METHODS goes last
    return list(DATASETS).index(row["dataset"]), names.index(row["method"]), row["seed"]


def summarize(table: dict) -> list[dict]:
    """Mean and standard deviation over seeds for each (dataset, method), in the table's order."""
    groups: dict[tuple, list] = {}
    for row in table["rows"]:
        groups.setdefault((row["dataset"], row["method"]), []).append(row)
    out = []
    for (dataset, method), rows in groups.items():
        entry = {"dataset": dataset, "method": method, "seeds": len(rows), "n_modes": rows[0]["n_modes"]}
        for key in ("modes", "high_quality", "reverse_kl", "ms_per_step"):
            values = np.array([r[key] for r in rows], dtype=float)
            entry[key], entry[key + "_sd"] = float(values.mean()), float(values.std())
        entry["all_modes"] = sum(r["modes"] == r["n_modes"] for r in rows)
        out.append(entry)
    return out


def format_table(table: dict) -> str:
    """Ours (mean ± sd over seeds) and the published rows, as a Markdown table.

    The rows' ms_per_step stay in the JSON but not here: trainings ran side by side, so their times
    are not a fair comparison; bench/remedy_cost.py measures the cost of each remedy properly.
    """
    ours = "| {dataset} | {method} | ours, {seeds} seeds | {modes:.1f} ± {modes_sd:.1f} of {n_modes} | "
    ours += "{high_quality:.1f} ± {high_quality_sd:.1f} | {reverse_kl:.2f} ± {reverse_kl_sd:.2f} |"
    theirs = "| {dataset} | {method} | {source} | {modes} | {high_quality} | {kl} |"
    lines = [
        "| dataset | method | source | modes | high quality % | reverse KL |",
        "|---|---|---|---|---|---|",
    ]
    for dataset in dict.fromkeys(r["dataset"] for r in table["rows"]):
        lines += [ours.format(**e) for e in summarize(table) if e["dataset"] == dataset]
        for p in (p for p in PUBLISHED if p["dataset"] == dataset):
            lines.append(theirs.format(**p, kl="–" if p["reverse_kl"] is None else f"{p['reverse_kl']:.2f}"))
    return "\n".join(lines)
