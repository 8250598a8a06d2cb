"""What does watching cost? GANTrainer.run alone vs the live dashboard playing with frames on.

Same preset, same steps, interleaved in rounds, pinned to one CPU core by default (as on Binder).
The dashboard is a real LiveDashboard whose worker thread trains and renders frames at its
frame rate; no browser is attached, so what is measured is the kernel's side of the work.
Target: dashboard >= 0.9 x the bare step rate while refreshing >= 5 frames/s.

    .venv/bin/python bench/live_overhead.py [--steps 1500] [--rounds 3] [--cores 1] [--fps 5]
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from gan_edu import GANTrainer
from gan_edu.presets import get_preset
from gan_edu.widgets import LiveDashboard


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cores", type=int, default=1, help="CPU cores to pin to (0: no pinning)")
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if args.cores:
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[: args.cores]))
        torch.set_num_threads(args.cores)

    config = get_preset("balanced").config
    bare = GANTrainer(config, device=args.device)
    dash = LiveDashboard(GANTrainer(config, device=args.device), fps=args.fps)
    frames, draw_seconds = [0], [0.0]
    draw = dash.draw

    def timed_draw():
        start = time.perf_counter()
        draw()
        draw_seconds[0] += time.perf_counter() - start
        frames[0] += 1

    dash.draw = timed_draw
    bare.run(100, progress=False)
    dash.run(100)  # warm up both
    frames[0], draw_seconds[0] = 0, 0.0
    seconds = {"bare": 0.0, "dashboard": 0.0}
    dash_steps = 0
    for _ in range(args.rounds):
        start = time.perf_counter()
        bare.run(args.steps, progress=False)
        seconds["bare"] += time.perf_counter() - start

        first = dash.trainer.step_count
        start = time.perf_counter()
        dash.play()
        while dash.trainer.step_count < first + args.steps:
            time.sleep(0.05)  # the notebook's thread is idle, as when a student watches
        dash.pause()
        seconds["dashboard"] += time.perf_counter() - start
        dash_steps += dash.trainer.step_count - first  # the worker may finish a few steps more

    total = args.steps * args.rounds
    bare_rate, dash_rate = total / seconds["bare"], dash_steps / seconds["dashboard"]
    fps = frames[0] / seconds["dashboard"]
    ms_per_frame = 1000 * draw_seconds[0] / max(frames[0], 1)
    print(f"\nlive overhead: balanced preset, {total} steps each, device {args.device}, "
          f"{args.cores or os.cpu_count()} core(s), target {args.fps:g} frames/s")  # fmt: skip
    print(f"{'':24s} {'steps/s':>9s} {'ratio':>7s}")
    print(f"{'GANTrainer.run (bare)':24s} {bare_rate:9.1f} {1:7.3f}")
    print(f"{'LiveDashboard playing':24s} {dash_rate:9.1f} {dash_rate / bare_rate:7.3f}")
    print(f"frames/s while playing: {fps:.1f}; ms per frame (view + render + encode): {ms_per_frame:.1f}")


if __name__ == "__main__":
    main()
