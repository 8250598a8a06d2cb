"""How should G draw images? Batch norm's three ways, for G and for the averaged G, side by side.

One run of the `dcgan_fashion` preset (with `--set` changes, and an averaged G with decay
`--g-ema`) is measured every `--every` steps: 1,000 samples from fixed noise against 1,000 test
images by the evaluator (`gan_edu.evaluator.report`), drawn six ways from the same weights:

- G or the averaged G (`generate(..., averaged=False/True)`), each with
- "batch" (training mode: each batch's own statistics, here one batch of 1,000), "running"
  (evaluation mode, the running averages of training) or "standing" (evaluation mode, statistics
  re-estimated from 8 fresh batches).

Training is the same whatever the sampling mode (`sample_stats` changes only how images are drawn),
so the six columns at one step come from one set of weights.

    .venv/bin/python bench/image_sampling.py --steps 3000 --every 500 --g-ema 0.999 --out FILE.json

`--out` adds the run to the runs stored in FILE.json (replacing one made by the same command).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from gan_edu import GANTrainer, evaluator, images
from gan_edu.presets import get_preset

MODES = ("batch", "running", "standing")
KEYS = ("frechet", "precision", "recall", "confident", "classes_present", "recognisable")


def measure(trainer: GANTrainer, real: torch.Tensor) -> dict:
    """{"G batch": report, ..., "averaged standing": report} at the trainer's current weights."""
    z = trainer.noise(1000, torch.Generator().manual_seed(1))
    row, mode = {}, trainer.config.sample_stats
    for averaged in (False, True):
        for how in MODES:
            trainer.configure(sample_stats=how)
            r = evaluator.report(trainer.generate(z, averaged=averaged), real)
            row[f"{'averaged' if averaged else 'G'} {how}"] = {k: r[k] for k in KEYS}
    trainer.configure(sample_stats=mode)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--every", type=int, default=500)
    parser.add_argument("--g-ema", type=float, default=0.999)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--out")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    changes = {k: json.loads(v) for k, v in (text.split("=", 1) for text in args.set)}
    trainer = GANTrainer(get_preset("dcgan_fashion").config, g_ema=args.g_ema, **changes)
    real = images.load_fashion_mnist("test").images[:1000]
    rows, start = [], time.perf_counter()
    while trainer.step_count < args.steps:
        trainer.run(min(args.every, args.steps - trainer.step_count), progress=False)
        rows.append({"step": trainer.step_count, **measure(trainer, real)})
        cells = "  ".join(
            f"{k} {v['frechet']:5.2f}/{v['confident']:.2f}" for k, v in rows[-1].items() if k != "step"
        )
        print(
            f"step {trainer.step_count:5d} ({time.perf_counter() - start:4.0f} s)  FD/confident: {cells}",
            flush=True,
        )
    if args.out:
        flags = f"--steps {args.steps} --every {args.every} --g-ema {args.g_ema:g} --threads {args.threads}"
        command = "python bench/image_sampling.py " + flags + "".join(f" --set {t}" for t in args.set)
        record = {"command": command, "torch": torch.__version__, "changes": changes, "rows": rows}
        store(Path(args.out), record)


def store(path: Path, record: dict) -> None:
    """Add `record` to the runs stored in `path` (in place of a run made by the same command)."""
    table = json.loads(path.read_text()) if path.exists() else {"what": __doc__.splitlines()[0], "runs": []}
    table["runs"] = [r for r in table["runs"] if r["command"] != record["command"]] + [record]
    path.write_text(json.dumps(table, indent=1) + "\n")


if __name__ == "__main__":
    main()
