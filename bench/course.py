"""Does every notebook fit Binder (1 CPU, 2 GB)? Wall time and the kernel's peak memory per notebook.

Each notebook is executed top to bottom in a fresh kernel pinned to one CPU core, in quick mode
and (with --full) in full mode. Peak memory is the kernel's VmHWM (Linux only).

    .venv/bin/python bench/notebook_resources.py [--full] [notebooks/04_live_lab.ipynb ...]
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(path: Path, quick: bool) -> tuple[float, float]:
    os.environ["GAN_EDU_QUICK"] = "1" if quick else "0"
    os.environ["GAN_EDU_THREADS"] = "1"
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    peak = [0.0]
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        os.sched_setaffinity(pid, {min(os.sched_getaffinity(0))})  # one core, as on Binder
        done = threading.Event()

        def watch():
            while not done.wait(0.5):
                peak[0] = max(peak[0], peak_mib(pid))

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        start = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
        peak[0] = max(peak[0], peak_mib(pid))
        done.set()
    return seconds, peak[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--full", action="store_true", help="also run at full budget (minutes)")
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    modes = [True, False] if args.full else [True]
    print(f"{'notebook':28s} {'mode':6s} {'seconds':>8s} {'peak MiB':>9s}   (Binder: 2048 MiB)")
    for path in paths:
        for quick in modes:
            seconds, peak = measure(path, quick)
            print(f"{path.name:28s} {'quick' if quick else 'full':6s} {seconds:8.1f} {peak:9.0f}", flush=True)


if __name__ == "__main__":
    main()
