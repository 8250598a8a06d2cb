"""What does GANTrainer's bookkeeping cost? Its steps/s against notebook 03's hand-written loop.

Both train the same 2-D GAN (the balanced preset) for the same number of steps, interleaved in
rounds so that machine load affects both alike. Target: ratio >= 0.95.

    .venv/bin/python bench/trainer_overhead.py [--steps 300] [--rounds 5]
"""

from __future__ import annotations

import argparse
import time

import torch

from gan_edu import GANTrainer
from gan_edu.notebook import tagged_code
from gan_edu.presets import get_preset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="steps per round and contender")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    train_step = tagged_code("03_building_blocks.ipynb", "train_step")["train_step"]
    cfg = get_preset("balanced").config
    trainer = GANTrainer(cfg)
    twin = GANTrainer(cfg)  # its G, D, optimizers and data, driven by the hand-written loop
    rng = torch.Generator().manual_seed(cfg.seed)

    def hand_loop():
        for _ in range(args.steps):
            train_step(twin.G, twin.D, twin.opt_G, twin.opt_D, twin.data, rng, cfg.batch_size, cfg.latent_dim)

    def trainer_loop():
        trainer.run(args.steps, progress=False)

    def trainer_with_bar():
        trainer.run(args.steps, progress=True)

    contenders = {"hand-written loop": hand_loop, "GANTrainer.run": trainer_loop,
                  "GANTrainer.run + tqdm bar": trainer_with_bar}  # fmt: skip
    seconds = dict.fromkeys(contenders, 0.0)
    hand_loop(), trainer_loop()  # warm up
    for _ in range(args.rounds):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            seconds[name] += time.perf_counter() - start

    total = args.steps * args.rounds
    base = total / seconds["hand-written loop"]
    print(f"\n2-D GAN, batch {cfg.batch_size}, {total} steps each, {torch.get_num_threads()} CPU threads")
    print(f"{'contender':28s} {'steps/s':>9s} {'ratio':>7s}")
    for name in contenders:
        rate = total / seconds[name]
        print(f"{name:28s} {rate:9.1f} {rate / base:7.3f}")


if __name__ == "__main__":
    main()
