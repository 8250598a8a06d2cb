"""The whole course on Binder's budget (1 CPU, 2 GB): wall time and the kernel's peak memory per notebook.

Each notebook is executed top to bottom in a fresh kernel pinned to one CPU core, in quick mode
and (with --full) in full mode. Peak memory is the kernel's VmHWM (Linux only). Targets: peak
memory <= 1.5 GiB for every notebook, full budget <= 10 minutes on one core. With --write the table
goes to bench/README.md, with the command and the machine.

    .venv/bin/python bench/course.py [--full] [--write] [notebooks/04_live_lab.ipynb ...]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import threading
import time
from pathlib import Path

from gan_edu import notebook

ROOT = Path(__file__).resolve().parents[1]


def peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(path: Path, quick: bool) -> tuple[float, float]:
    """Seconds and peak MiB of the notebook's cells, run one by one in a kernel on one core."""
    peak = [0.0]
    with notebook.kernel(path, 1800, quick=quick, threads=1) as client:
        pid = client.km.provisioner.process.pid
        os.sched_setaffinity(pid, {min(os.sched_getaffinity(0))})  # one core, as on Binder
        done = threading.Event()

        def watch():
            while not done.wait(0.5):
                peak[0] = max(peak[0], peak_mib(pid))

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        start = time.perf_counter()
        for index, cell in enumerate(client.nb.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
        peak[0] = max(peak[0], peak_mib(pid))
        done.set()
    return seconds, peak[0]


PEAK_TARGET_MIB, FULL_TARGET_S = 1536, 600


def machine() -> str:
    import torch

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())  # fmt: skip
    python = platform.python_version()
    return f"{model}, {os.cpu_count()} cores, {platform.system()}, Python {python}, torch {torch.__version__}"


def table(rows: list[tuple[str, str, float, float]]) -> list[str]:
    lines = ["| notebook | mode | seconds | peak MiB | within targets |", "|---|---|---|---|---|"]
    for name, mode, seconds, peak in rows:
        ok = peak <= PEAK_TARGET_MIB and (mode == "quick" or seconds <= FULL_TARGET_S)
        lines.append(f"| {name} | {mode} | {seconds:.0f} | {peak:.0f} | {'yes' if ok else '**no**'} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--full", action="store_true", help="also run at full budget (minutes)")
    parser.add_argument("--write", action="store_true", help="write the table to bench/README.md")
    args = parser.parse_args()
    paths = args.notebooks or notebook.course()
    modes = [True, False] if args.full else [True]
    print(f"{'notebook':28s} {'mode':6s} {'seconds':>8s} {'peak MiB':>9s}   (Binder: 2048 MiB)")
    rows = []
    for path in paths:
        for quick in modes:
            seconds, peak = measure(path, quick)
            rows.append((path.stem, "quick" if quick else "full", seconds, peak))
            print(f"{path.name:28s} {rows[-1][1]:6s} {seconds:8.1f} {peak:9.0f}", flush=True)
            if args.write:  # after every row, so that an interrupted run keeps what it measured
                write(rows, "python bench/course.py --write" + (" --full" if args.full else ""))


def write(rows, command: str) -> None:
    text = [
        "# The course on Binder's budget",
        "",
        f"`{command}`, {datetime.date.today()}, on {machine()}. Each notebook in a fresh",
        "kernel pinned to one core with one torch thread (as on Binder). Targets: peak memory <= 1,536",
        f"MiB (Binder gives 2,048), full budget <= {FULL_TARGET_S} s per notebook on one core.",
        "",
        *table(rows),
        "",
        *(
            f"All {mode} rows: {sum(r[2] for r in rows if r[1] == mode) / 60:.1f} minutes on one core."
            for mode in ("quick", "full")
            if any(r[1] == mode for r in rows)
        ),
        "",
    ]
    (ROOT / "bench" / "README.md").write_text("\n".join(text))


if __name__ == "__main__":
    main()
