"""Which image preset reaches good garments soonest in wall-clock time on a CPU? A small search.

Each candidate is `dcgan_fashion` with a few settings changed (learning rates, batch size, Adam's
betas, the averaged G and how batch norm draws, D's width). Each trains on the shipped Fashion-MNIST
training set for `--seconds` of training time (evaluation not counted) on `--threads` CPU threads
and is measured every `--every` seconds by `race` of `image_time_to_quality.py`: 1,000 samples from
fixed noise against 1,000 test images (Fréchet distance, precision, recall, confident share,
"recognisable" = `gan_edu.metrics.RECOGNISABLE`). `--jobs 2` trains two candidates at once, each on
its own threads: the times are then those of a machine doing two things, and say so in the file.

    .venv/bin/python bench/image_preset_search.py --seconds 120 --threads 1 --jobs 2 \
        --out results/image_preset_search.json

The file keeps the command, the machine's CPU, the torch version and one curve per candidate.
"""

from __future__ import annotations

import argparse
import json
import platform
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

# Each candidate: a name and the settings it changes in dcgan_fashion (which draws with batch
# statistics and no averaged G: the first row is the preset as the notebooks run it).
CANDIDATES = {
    "preset": {},
    "averaged G .999": {"g_ema": 0.999, "sample_stats": "standing"},
    "averaged G .99": {"g_ema": 0.99, "sample_stats": "standing"},
    "lr 2e-3, averaged G": {"lr_G": 2e-3, "lr_D": 2e-3, "g_ema": 0.999, "sample_stats": "standing"},
    "lr_D 2e-3, averaged G": {"lr_D": 2e-3, "g_ema": 0.999, "sample_stats": "standing"},
    "batch 32, averaged G": {"batch_size": 32, "g_ema": 0.999, "sample_stats": "standing"},
    "batch 128, lr 2e-3, averaged G": {
        "batch_size": 128,
        "lr_G": 2e-3,
        "lr_D": 2e-3,
        "g_ema": 0.999,
        "sample_stats": "standing",
    },  # fmt: skip
    "betas (0, 0.99), averaged G": {"betas": [0.0, 0.99], "g_ema": 0.999, "sample_stats": "standing"},
    "D width 16, averaged G": {"d_width": 16, "g_ema": 0.999, "sample_stats": "standing"},
}


def run_candidate(name: str, changes: dict, seconds: float, every: float, threads: int) -> dict:
    """Train one candidate for `seconds` of training time and return its curve."""
    torch.set_num_threads(threads)
    from image_time_to_quality import race

    from gan_edu import GANTrainer, images
    from gan_edu.presets import get_preset

    settings = {k: tuple(v) if k == "betas" else v for k, v in changes.items()}
    trainer = GANTrainer(get_preset("dcgan_fashion").config, device="cpu", **settings)
    real = images.load_fashion_mnist("test").images[:1000]
    curve = race(name, trainer.step, lambda n: trainer.sample(n), seconds, real, every=every)
    return {"changes": changes, "curve": curve}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120, help="training-time limit for each candidate")
    parser.add_argument("--every", type=float, default=30, help="seconds of training between measurements")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for each candidate")
    parser.add_argument("--jobs", type=int, default=1, help="candidates trained at once")
    parser.add_argument("--only", nargs="*", help="the candidates to run (default: all)")
    parser.add_argument("--out", help="write the curves to this JSON file")
    args = parser.parse_args()
    names = args.only or list(CANDIDATES)
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        raise SystemExit(f"unknown candidate(s) {unknown}; choose from {list(CANDIDATES)}")
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = {n: pool.submit(run_candidate, n, CANDIDATES[n], args.seconds, args.every, args.threads)
                   for n in names}  # fmt: skip
        runs = {n: f.result() for n, f in futures.items()}
    print(f"\n{'candidate':34s} " + " ".join(f"{c['seconds']:>9.0f} s" for c in runs[names[0]]["curve"]))
    for n, r in runs.items():
        cells = " ".join(f"{c['frechet']:5.2f}/{c['confident']:.2f}" for c in r["curve"])
        print(f"{n:34s} {cells}   (Fréchet distance / confident share)")
    if args.out:
        command = (f"python bench/image_preset_search.py --seconds {args.seconds:g} --every {args.every:g} "
                   f"--threads {args.threads} --jobs {args.jobs}")  # fmt: skip
        cpu = platform.processor() or platform.machine()
        record = {"command": command, "torch": torch.__version__, "cpu": cpu,
                  "note": f"{args.jobs} candidate(s) trained at once, {args.threads} thread(s) each",
                  "runs": runs}  # fmt: skip
        Path(args.out).write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
