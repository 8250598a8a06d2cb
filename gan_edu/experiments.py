"""Multi-seed experiments too long for a student to wait for; stored results for notebooks 06, 09, 11, 12.

    python -m gan_edu.experiments mode_table                 # the full table (see results/)
    python -m gan_edu.experiments mode_table --seeds 1 --steps 100 --out /tmp/t.json   # a smoke run
    python -m gan_edu.experiments model_table --jobs 2       # notebook 11's head-to-head, 5 seeds
    python -m gan_edu.experiments augmentation --jobs 2      # notebook 12's augmentation table, 5 seeds
    python -m gan_edu.experiments class_accuracy --jobs 2    # notebook 09's projection cGAN, 3 seeds
    python -m gan_edu.experiments exercises --jobs 2         # the long exercises of 01, 11 and 12

Each run trains one remedy on one dataset with one seed, at the budget a student gets, and
measures it with the VEEGAN/PacGAN definitions (`gan_edu.metrics`). The stored JSON carries the
command, the settings and the versions that made it, so anyone can re-run it and compare.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from . import baselines, checks, comparison, conditional, evaluator, images, small_data
from .metrics import mode_report
from .presets import get_preset
from .train import GANTrainer

RESULTS = Path(__file__).resolve().parent.parent / "results"
MODE_TABLE = RESULTS / "mode_table.json"
MODEL_TABLE = RESULTS / "model_table.json"
BINARY_TABLE = RESULTS / "binary_table.json"
AUGMENTATION = RESULTS / "augmentation.json"
CLASS_ACCURACY = RESULTS / "class_accuracy.json"
EXERCISES = RESULTS / "exercises.json"

#: Each remedy as changes to the collapsing preset (notebook 06 explains each one).
METHODS = {
    "GAN": {},
    "unrolled (k=5)": {"unroll_steps": 5},  # through D's look-ahead, as Metz et al. (2017)
    "unrolled, first-order (k=5)": {"unroll_steps": 5, "unroll_first_order": True},
    "PacGAN2": {"pack": 2},
    "PacGAN4": {"pack": 4},
    "minibatch std": {"minibatch_std": True},
    "spectral norm": {"spectral_norm": True},
    "WGAN-GP": {
        "loss": "wasserstein",
        "gp_weight": 10.0,
        "d_steps": 5,
    },  # the paper's lambda and critic steps
    "R1 (gamma=1)": {"r1_weight": 1.0},
}
DATASETS = {"ring": {}, "grid": {"dataset": "grid"}}

#: Published rows as the papers give them: (source, method, dataset, modes, high-quality %, reverse KL).
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
PUBLISHED_BUDGET = "100,000 to 400,000 updates per run (the papers' settings)"


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
    return trainer, table_row(method, dataset, seed, steps, mode_report(trainer, 2500), seconds)


def table_row(method: str, dataset: str, seed: int, steps: int, stats: dict, seconds: float) -> dict:
    """One row of the stored table from `metrics.mode_report(trainer, 2500)`'s metrics, rounded as stored."""
    return {
        "method": method, "dataset": dataset, "seed": seed, "steps": steps,
        "modes": stats["modes_captured"], "n_modes": stats["n_modes"],
        "high_quality": round(100 * stats["high_quality"], 2), "reverse_kl": round(stats["reverse_kl"], 4),
        "ms_per_step": round(1000 * seconds / max(steps, 1), 3),
    }  # fmt: skip


def _run_one(*args) -> dict:
    return train_method(*args)[1]


def mode_table(seeds: int = 5, steps: int | None = None, datasets=tuple(DATASETS), methods=tuple(METHODS),
               preset: str = "mode_collapse", out: Path | None = MODE_TABLE, jobs: int = 1,
               echo=print, update: bool = False) -> dict:  # fmt: skip
    """Run every method on every dataset for seeds 0..seeds-1; store and return the table.

    jobs > 1 runs that many trainings at once, each on one CPU thread (ms_per_step is then the
    time on one thread; with jobs = 1 it is on the process's threads). update=True re-makes only
    these rows inside the stored table at `out`, keeps the others, and records the command under
    "updates".
    """
    seeds = _check_seeds(seeds)
    base = get_preset(preset)
    runs = [(m, d, seed, steps, preset) for d in datasets for m in methods for seed in range(seeds)]
    rows = []
    for row in _parallel(_run_one, runs, jobs):
        rows.append(row)
        if echo:
            echo("{dataset:5} {method:15} seed {seed}: {modes}/{n_modes} modes, {high_quality:5.1f}% HQ, "
                 "reverse KL {reverse_kl:.3f}, {ms_per_step:.2f} ms/step".format(**row))  # fmt: skip
    settings = {"preset": preset, "preset_changes": base.changes, "steps": steps or base.steps,
                "seeds": list(range(seeds)), "samples": 2500, "methods": {m: METHODS[m] for m in methods},
                "datasets": {d: DATASETS[d] for d in datasets}}  # fmt: skip
    table = _stamped(command_line(seeds, steps, datasets, methods, preset), settings, rows, jobs)
    if update:
        table = _merged(load_mode_table(out), table)
    return _stored(table, out)


def _check_seeds(seeds) -> int:
    return checks.integer("seeds", seeds, meaning="how many seeds, from 0")


def _parallel(function, runs: list, jobs: int):
    """function(*run) for every run, `jobs` at a time in processes of one CPU thread each."""
    jobs = checks.integer("jobs", jobs, meaning="runs at once")
    if jobs == 1:
        yield from (function(*run) for run in runs)
        return
    with ProcessPoolExecutor(jobs, initializer=torch.set_num_threads, initargs=(1,)) as pool:
        yield from pool.map(function, *zip(*runs, strict=True))


def _stamped(command: str, settings: dict, rows: list, jobs: int) -> dict:
    """A stored table: the command that makes it, when, its settings, the versions, its rows."""
    return {
        "command": command,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "settings": settings,
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "threads": 1 if jobs > 1 else torch.get_num_threads(), "jobs": jobs,
                     "machine": platform.machine(), "cpu": platform.processor() or "unknown"},
        "rows": rows,
    }  # fmt: skip


def _stored(table: dict, out: Path | None) -> dict:
    if out is not None:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(table, indent=1) + "\n")
    return table


def model_table(seeds: int = 5, budget: int = 3000, models=tuple(baselines.MODELS),
                out: Path | None = MODEL_TABLE, jobs: int = 1, echo=print) -> dict:  # fmt: skip
    """Notebook 11's head-to-head for seeds 0..seeds-1 (`comparison.run_one`); store and return it."""
    seeds = _check_seeds(seeds)
    for m in models:
        checks.choose(baselines.MODELS, m, "model")
    rows = []
    for r in _parallel(
        comparison.run_one, [(m, seed, budget) for m in models for seed in range(seeds)], jobs
    ):
        rows.append(r)
        if echo:
            echo(
                "{model:12} seed {seed}: Fréchet {frechet:6.2f}, copy {copy:.2f}, bits/dim {bpd}".format(**r)
            )
    command = f"python -m gan_edu.experiments model_table --seeds {seeds} --budget {budget}"
    command += " --models " + " ".join(models) if list(models) != list(baselines.MODELS) else ""
    settings = {"budget": budget, "seeds": list(range(seeds)), "samples": comparison.SAMPLES,
                "options": comparison.OPTIONS, "models": list(models)}  # fmt: skip
    return _stored(_stamped(command, settings, rows, jobs), out)


def _binary_row(seed: int, budget: int) -> dict:
    train, test = comparison.digits()
    bits, _ = comparison.binary_likelihoods(train, test, budget, seed)
    return {"seed": seed, "budget": budget, "bits": {k: round(v, 4) for k, v in bits.items()}}


def binary_table(seeds: int = 5, budget: int = 3000, out: Path | None = BINARY_TABLE, jobs: int = 1,
                 echo=print) -> dict:  # fmt: skip
    """Notebook 11's likelihoods of binarised digits (`comparison.binary_likelihoods`: independent
    pixels, the RBM by AIS, the DBN's bound, a binary MADE) for seeds 0..seeds-1; store and return."""
    seeds = _check_seeds(seeds)
    rows = []
    for r in _parallel(_binary_row, [(seed, budget) for seed in range(seeds)], jobs):
        rows.append(r)
        if echo:
            echo(
                f"seed {r['seed']}: bits per pixel " + ", ".join(f"{k} {v:.4f}" for k, v in r["bits"].items())
            )
    command = f"python -m gan_edu.experiments binary_table --seeds {seeds} --budget {budget}"
    settings = {"budget": budget, "seeds": list(range(seeds)), "rbm": comparison.OPTIONS["rbm"],
                "dbn": comparison.OPTIONS["dbn"], "ais": {"runs": 100, "betas": 10_000}}  # fmt: skip
    return _stored(_stamped(command, settings, rows, jobs), out)


def summarize_binary(table: dict) -> dict[str, tuple[float, float]]:
    """{model: (mean, sd) of its bits per pixel over seeds} of a stored binary table."""
    columns = {k: [r["bits"][k] for r in table["rows"]] for k in table["rows"][0]["bits"]}
    return {k: (float(np.mean(v)), float(np.std(v))) for k, v in columns.items()}


def augmentation(seeds: int = 5, per_class=(10, 50), out: Path | None = AUGMENTATION, jobs: int = 1,
                 echo=print) -> dict:  # fmt: skip
    """Notebook 12's augmentation table: `small_data.augmentation_row` for every training-set size
    and seeds 0..seeds-1; store and return it."""
    seeds = _check_seeds(seeds)
    rows = []
    for r in _parallel(
        small_data.augmentation_row, [(n, seed) for n in per_class for seed in range(seeds)], jobs
    ):
        rows.append(r)
        if echo:
            echo(f"{r['per_class']:4} per class, seed {r['seed']}: accuracy by GAN share {r['accuracy']}, "
                 f"classic {r['classic']}, purity {r['purity']}")  # fmt: skip
    command = f"python -m gan_edu.experiments augmentation --seeds {seeds} --per-class " + " ".join(
        map(str, per_class)
    )
    settings = {"seeds": list(range(seeds)), "per_class": list(per_class), "shares": list(small_data.SHARES),
                "pool": small_data.POOL, "classifier_steps": small_data.CLASSIFIER_STEPS,
                "classifier_batch": small_data.CLASSIFIER_BATCH, "gan_preset": "cgan_fashion",
                "test_images": 2000}  # fmt: skip
    return _stored(_stamped(command, settings, rows, jobs), out)


def class_accuracy_row(preset: str, seed: int, steps: int | None = None) -> dict:
    """A conditional preset trained from `seed`; the share of 1,000 samples (100 asked of each class)
    that the evaluator names as the class asked, overall and per class (notebook 09, section 3)."""
    config = get_preset(preset).config
    if config.condition != "class":
        raise ValueError(f"preset {preset!r} is not class-conditional (condition={config.condition!r})")
    trainer = GANTrainer(config, seed=seed)
    trainer.run(get_preset(preset).steps if steps is None else steps, progress=False)
    asked = torch.arange(1000) % 10
    per_class = evaluator.class_accuracy(trainer.sample(1000, code=conditional.class_code(asked)), asked)
    accuracy, per_class = round(float(per_class.mean()), 4), [round(float(a), 4) for a in per_class]
    return {
        "preset": preset,
        "seed": seed,
        "steps": trainer.step_count,
        "accuracy": accuracy,
        "per_class": per_class,
    }


def class_accuracy(seeds: int = 3, preset: str = "cgan_projection_fashion", steps: int | None = None,
                   out: Path | None = CLASS_ACCURACY, jobs: int = 1, echo=print) -> dict:  # fmt: skip
    """Notebook 09's exercise 4: the class accuracy of `preset` for seeds 0..seeds-1; store and return."""
    seeds = _check_seeds(seeds)
    rows = []
    for r in _parallel(class_accuracy_row, [(preset, seed, steps) for seed in range(seeds)], jobs):
        rows.append(r)
        if echo:
            echo(f"{preset} seed {r['seed']}, {r['steps']} steps: class accuracy {r['accuracy']:.1%}")
    command = f"python -m gan_edu.experiments class_accuracy --seeds {seeds} --preset {preset}"
    command += f" --steps {steps}" if steps is not None else ""
    settings = {"seeds": list(range(seeds)), "preset": preset, "steps": rows[0]["steps"], "samples": 1000}
    return _stored(_stamped(command, settings, rows, jobs), out)


def exercise_row(
    name: str, budget: int = 3000, classifier_steps: int = 3 * small_data.CLASSIFIER_STEPS
) -> dict:
    """The answer to one exercise that trains for a minute, as its notebook's solution states it:
    "ring" and "digits", the diffusion model with 10 x `budget` updates (01's exercise 1: its
    high-quality share; 11's exercise 1: its Fréchet distance); "classifiers", 12's exercise 3: the
    real-only and the classic-augmentation classifiers trained for `classifier_steps` batches."""
    if name == "ring":
        from .metrics import mode_stats
        from .toy import get_dataset

        ring = get_dataset("ring")
        points = ring.sample(2000, torch.Generator().manual_seed(0)).numpy()  # notebook 01's train["ring"]
        model = baselines.make("diffusion").fit(points, 10 * budget)
        value = {"high_quality": mode_stats(model.sample(1000, seed=1), ring.modes, ring.std)["high_quality"]}
    elif name == "digits":
        train, test = comparison.digits()
        model = comparison.fit("diffusion", train, 10 * budget)
        value = {"frechet": comparison.row("diffusion", model, train, test)[1]["frechet"]}
    elif name == "classifiers":
        real, test = small_data.few(10, seed=0), images.load_fashion_mnist("test")  # notebook 12's live run
        value = {}
        for key, extra in {"real": {}, "classic": {"classic": True}}.items():
            net = small_data.train_classifier(real, seed=0, steps=classifier_steps, **extra)
            value[key] = small_data.accuracy(net, test)
    else:
        raise ValueError(f"no stored exercise {name!r}: choose from {EXERCISE_NAMES}")
    updates = classifier_steps if name == "classifiers" else 10 * budget
    return {"exercise": name, "updates": updates} | {k: round(float(v), 4) for k, v in value.items()}


EXERCISE_NAMES = ("ring", "digits", "classifiers")


def exercises(budget: int = 3000, classifier_steps: int = 3 * small_data.CLASSIFIER_STEPS,
              out: Path | None = EXERCISES, jobs: int = 1, echo=print) -> dict:  # fmt: skip
    """The answers of the exercises of notebooks 01, 11 and 12 that train for a minute or more;
    their solutions quote them, and `make claims` checks the quotes against this file."""
    rows = []
    for r in _parallel(exercise_row, [(name, budget, classifier_steps) for name in EXERCISE_NAMES], jobs):
        rows.append(r)
        if echo:
            echo(", ".join(f"{k} {v}" for k, v in r.items()))
    command = "python -m gan_edu.experiments exercises"
    command += f" --budget {budget}" if budget != 3000 else ""
    command += (
        f" --classifier-steps {classifier_steps}"
        if classifier_steps != 3 * small_data.CLASSIFIER_STEPS
        else ""
    )
    settings = {"budget": budget, "classifier_steps": classifier_steps}
    return _stored(_stamped(command, settings, rows, jobs), out)


def summarize_augmentation(table: dict) -> dict[int, dict]:
    """{per_class: {"real" / share / "classic" / "purity": (mean, sd) over seeds, "gain": how many
    seeds each share beat real-only}} of a stored augmentation table."""
    out = {}
    for n in dict.fromkeys(r["per_class"] for r in table["rows"]):
        rows = [r for r in table["rows"] if r["per_class"] == n]
        entry = {"seeds": len(rows)}
        columns = {k: [r["accuracy"][k] for r in rows] for k in rows[0]["accuracy"]}
        columns |= {"classic": [r["classic"] for r in rows], "purity": [r["purity"] for r in rows]}
        for key, values in columns.items():
            entry[key] = (float(np.mean(values)), float(np.std(values)))
        entry["wins"] = {
            k: sum(r["accuracy"][k] > r["accuracy"]["0.0"] for r in rows) for k in rows[0]["accuracy"]
        }
        entry["wins"]["classic"] = sum(r["classic"] > r["accuracy"]["0.0"] for r in rows)
        out[n] = entry
    return out


def summarize_models(table: dict) -> dict[str, dict]:
    """{model: {metric: (mean, sd) over seeds}} of a stored model table (None where undefined)."""
    out = {}
    for name in dict.fromkeys(r["model"] for r in table["rows"]):
        rows = [r for r in table["rows"] if r["model"] == name]
        out[name] = {"seeds": len(rows)}
        for key in comparison.METRICS:
            values = [r[key] for r in rows]
            out[name][key] = None if None in values else (float(np.mean(values)), float(np.std(values)))
    return out


def _merged(stored: dict, new: dict) -> dict:
    """The stored table with the new table's rows in place of the same (dataset, method, seed)."""
    if any(stored["settings"][k] != new["settings"][k] for k in ("preset", "steps")):
        raise ValueError("--update needs the stored table's preset and steps; run without --update instead")
    fresh = {_row_key(r) for r in new["rows"]}
    stored["rows"] = sorted(
        [r for r in stored["rows"] if _row_key(r) not in fresh] + new["rows"], key=_row_order
    )
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


def command_line(seeds, steps, datasets, methods, preset) -> str:
    """The shell command that re-makes a table with these settings."""
    parts = ["python -m gan_edu.experiments mode_table", f"--seeds {seeds}"]
    parts += [f"--steps {steps}"] if steps is not None else []
    parts += [f"--preset {preset}"] if preset != "mode_collapse" else []
    parts += ["--datasets " + " ".join(datasets)] if list(datasets) != list(DATASETS) else []
    parts += ["--methods " + " ".join(f"'{m}'" for m in methods)] if list(methods) != list(METHODS) else []
    return " ".join(parts)


def load_mode_table(path: Path = MODE_TABLE) -> dict:
    """The stored mode table, with a clear message if it is missing or damaged."""
    return _load(path, "mode_table")


def load_binary_table(path: Path = BINARY_TABLE) -> dict:
    """Notebook 11's stored likelihoods of binarised digits, with a clear message if missing or damaged."""
    return _load(path, "binary_table")


def load_augmentation(path: Path = AUGMENTATION) -> dict:
    """The stored augmentation table of notebook 12, with a clear message if missing or damaged."""
    return _load(path, "augmentation")


def load_class_accuracy(path: Path = CLASS_ACCURACY) -> dict:
    """Notebook 09's stored class accuracies over seeds, with a clear message if missing or damaged."""
    return _load(path, "class_accuracy")


def load_exercises(path: Path = EXERCISES) -> dict:
    """The stored answers of the long exercises ({name: row}), with a clear message if missing or damaged."""
    return {row["exercise"]: row for row in _load(path, "exercises")["rows"]}


def load_model_table(path: Path = MODEL_TABLE) -> dict:
    """The stored head-to-head table of notebook 11, with a clear message if missing or damaged."""
    return _load(path, "model_table")


def _load(path: Path, kind: str) -> dict:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist: run `python -m gan_edu.experiments {kind}` to make it"
        )
    try:
        table = json.loads(path.read_text())
        table["rows"], table["command"], table["settings"]  # noqa: B018 -- must all be there
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        what = kind.replace("_", " ") + ("" if kind.endswith("table") else " table")
        article = "an" if what[0] in "aeiou" else "a"
        raise ValueError(f"{path} is not {article} {what} ({error}); re-create it with "
                         f"`python -m gan_edu.experiments {kind}`") from error  # fmt: skip
    return table


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gan_edu.experiments", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("mode_table", help="notebook 06's table: every remedy, ring and grid, several seeds")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--steps", type=int, default=None, help="training steps per run (default: the preset's)")
    p.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    p.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    p.add_argument("--preset", default="mode_collapse", help="the GAN every remedy is added to")
    p.add_argument("--out", type=Path, default=MODE_TABLE)
    p.add_argument("--jobs", type=int, default=1, help="trainings at once, one CPU thread each")
    p.add_argument("--update", action="store_true", help="re-make only these rows in the stored table")
    p = sub.add_parser(
        "model_table", help="notebook 11's head-to-head: every model on 8x8 digits, several seeds"
    )
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--budget", type=int, default=3000, help="updates per model")
    p.add_argument("--models", nargs="+", default=list(baselines.MODELS), choices=list(baselines.MODELS))
    p.add_argument("--out", type=Path, default=MODEL_TABLE)
    p.add_argument("--jobs", type=int, default=1, help="fits at once, one CPU thread each")
    p = sub.add_parser("binary_table", help="notebook 11: likelihoods of binarised digits, several seeds")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--budget", type=int, default=3000, help="updates per model")
    p.add_argument("--out", type=Path, default=BINARY_TABLE)
    p.add_argument("--jobs", type=int, default=1, help="seeds at once, one CPU thread each")
    p = sub.add_parser("augmentation", help="notebook 12: cGAN samples as extra training data, several seeds")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument(
        "--per-class", nargs="+", type=int, default=[10, 50], help="real training images per class"
    )
    p.add_argument("--out", type=Path, default=AUGMENTATION)
    p.add_argument("--jobs", type=int, default=1, help="rows at once, one CPU thread each")
    p = sub.add_parser(
        "class_accuracy", help="notebook 09: a conditional preset's class accuracy, several seeds"
    )
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--preset", default="cgan_projection_fashion", help="a class-conditional preset")
    p.add_argument("--steps", type=int, default=None, help="training steps (default: the preset's)")
    p.add_argument("--out", type=Path, default=CLASS_ACCURACY)
    p.add_argument("--jobs", type=int, default=1, help="seeds at once, one CPU thread each")
    p = sub.add_parser("exercises", help="the answers of the long exercises of notebooks 01, 11 and 12")
    p.add_argument(
        "--budget", type=int, default=3000, help="the notebooks' budget (the diffusion models get 10x)"
    )
    p.add_argument("--classifier-steps", type=int, default=3 * small_data.CLASSIFIER_STEPS)
    p.add_argument("--out", type=Path, default=EXERCISES)
    p.add_argument("--jobs", type=int, default=1, help="exercises at once, one CPU thread each")
    args = parser.parse_args(argv)
    if args.command == "exercises":
        exercises(args.budget, args.classifier_steps, out=args.out, jobs=args.jobs)
        print(f"stored in {args.out}")
        return 0
    if args.command == "class_accuracy":
        class_accuracy(args.seeds, args.preset, args.steps, out=args.out, jobs=args.jobs)
        print(f"stored in {args.out}")
        return 0
    if args.command == "augmentation":
        augmentation(args.seeds, tuple(args.per_class), out=args.out, jobs=args.jobs)
        print(f"stored in {args.out}")
        return 0
    if args.command == "binary_table":
        binary_table(args.seeds, args.budget, out=args.out, jobs=args.jobs)
        print(f"stored in {args.out}")
        return 0
    if args.command == "model_table":
        model_table(args.seeds, args.budget, args.models, out=args.out, jobs=args.jobs)
        print(f"stored in {args.out}")
        return 0
    table = mode_table(args.seeds, args.steps, args.datasets, args.methods, args.preset, out=args.out,
                       jobs=args.jobs, update=args.update)  # fmt: skip
    print(format_table(table))
    print(f"stored in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
