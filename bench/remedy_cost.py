"""What does each mode-collapse remedy cost per training step? (notebook 06, section 4)

Every remedy of `gan_edu.remedies.METHODS` trains the mode_collapse preset on the ring, all
interleaved in rounds so that machine load affects each alike; the result is each one's time per
step as a ratio to the plain GAN's.

    .venv/bin/python bench/remedy_cost.py [--steps 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import time

import torch

from gan_edu import GANTrainer
from gan_edu.presets import get_preset
from gan_edu.remedies import METHODS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="steps per round and remedy")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    cfg = get_preset("mode_collapse").config
    trainers = {name: GANTrainer(cfg, **changes) for name, changes in METHODS.items()}
    seconds = dict.fromkeys(trainers, 0.0)
    for trainer in trainers.values():
        trainer.run(20, progress=False)  # warm up
    for _ in range(args.rounds):
        for name, trainer in trainers.items():
            start = time.perf_counter()
            trainer.run(args.steps, progress=False)
            seconds[name] += time.perf_counter() - start

    total = args.steps * args.rounds
    base = seconds["GAN"] / total
    print(f"\nmode_collapse preset on the ring, batch {cfg.batch_size}, {total} steps each, "
          f"{torch.get_num_threads()} CPU threads")  # fmt: skip
    print(f"{'remedy':28s} {'ms/step':>8s} {'x GAN':>6s}")
    for name in trainers:
        ms = seconds[name] / total
        print(f"{name:28s} {1000 * ms:8.2f} {ms / base:6.2f}")


if __name__ == "__main__":
    main()
