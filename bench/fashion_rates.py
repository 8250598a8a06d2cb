"""How long does one update take for each model of notebook 11's Fashion-MNIST head-to-head?

Each model of `comparison.FASHION_OPTIONS` is fitted with 20 and with `--updates` + 20 updates, in
rounds interleaved across the models so that machine load affects each alike, on one CPU thread;
the difference over `--updates` is its time per update, without the fixed cost of starting a fit.
The result is stored in results/fashion_rates.json, from which notebook 11 gives every model the
same training time (`comparison.fashion_updates`).

    .venv/bin/python bench/fashion_rates.py [--updates 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import platform
from datetime import datetime, timezone

import torch

from gan_edu import comparison


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=200, help="updates timed per round and model")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=str(comparison.FASHION_RATES))
    args = parser.parse_args()
    torch.set_num_threads(1)
    train, _ = comparison.fashion()
    seconds = {name: [] for name in comparison.FASHION_OPTIONS}
    for _ in range(args.rounds):
        for name in seconds:
            short, long = (comparison.fit(name, train, n, options=comparison.FASHION_OPTIONS).fit_seconds
                           for n in (20, args.updates + 20))  # fmt: skip
            seconds[name].append((long - short) / args.updates)
    rates = {name: min(s) for name, s in seconds.items()}  # the least disturbed round
    for name, rate in rates.items():
        each = ", ".join(f"{1000 * s:.2f}" for s in seconds[name])
        print(f"{name:10s} {1000 * rate:7.2f} ms per update (rounds: {each})")
    stored = {
        "command": f"python bench/fashion_rates.py --updates {args.updates} --rounds {args.rounds}",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "threads": 1,
                     "machine": platform.machine(), "cpu": platform.processor() or "unknown"},
        "seconds_per_update": rates,
        "rounds": seconds,
    }  # fmt: skip
    with open(args.out, "w") as f:
        f.write(json.dumps(stored, indent=1) + "\n")
    print(f"stored in {args.out}")


if __name__ == "__main__":
    main()
