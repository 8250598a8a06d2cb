"""Where and how fast the course runs: device, CPU threads, seeds, quick/full budgets (notebook 00)."""

from __future__ import annotations

import contextlib
import math
import os
import platform
import random
import warnings
from pathlib import Path

import numpy as np
import torch

from . import checks

DEVICE_NAMES = ("auto", "cpu", "cuda", "mps")
#: The course's folder, which holds gan_edu/, data/, notebooks/ and results/.
REPO = Path(__file__).resolve().parents[1]


def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()


def available_devices() -> list[str]:
    """The device names usable on this machine, best first."""
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    if _mps_available():
        found.append("mps")
    return [*found, "cpu"]


def pick_device(name: str | None = None, verbose: bool = True) -> torch.device:
    """Turn 'auto', 'cpu', 'cuda' or 'mps' (default: $GAN_EDU_DEVICE or 'auto') into a device.

    'auto' picks cuda > mps > cpu. A device that exists in PyTorch but not on this machine falls
    back to the CPU with a printed message, so a notebook written on a GPU still runs on a laptop.
    """
    requested = (name or os.environ.get("GAN_EDU_DEVICE") or "auto").strip().lower()
    base = requested.split(":")[0]
    if base not in DEVICE_NAMES:  # the message shows what was asked for, an index such as ':1' too
        here = ", ".join(available_devices())
        checks.choose(DEVICE_NAMES, requested, "device", note=f"this machine has: {here}")
    if base == "auto":
        return torch.device(available_devices()[0])
    if base not in available_devices():
        if verbose:
            print(
                f"gan_edu: device {requested!r} is not available on this machine; using 'cpu'. "
                f"Available: {', '.join(available_devices())}."
            )
        return torch.device("cpu")
    return torch.device(requested)


def _cgroup_cpu_limit(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    """CPUs allowed by the cgroup quota (v2 cpu.max or v1 cfs files), or None when unlimited."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return None if quota <= 0 else quota / period
    except (OSError, ValueError):
        return None


def cpu_threads() -> int:
    """Threads worth using: $GAN_EDU_THREADS, else the cgroup quota (Binder: 1), else the CPU count.

    A container often sees all of the host's cores while its quota allows one; using them all
    makes PyTorch much slower, not faster.
    """
    wanted = os.environ.get("GAN_EDU_THREADS", "").strip()
    if wanted:
        if wanted.isdigit() and int(wanted) >= 1:
            return int(wanted)
        warnings.warn(
            f"GAN_EDU_THREADS={wanted!r} is not a positive whole number; ignoring it. "
            "Set it to e.g. 1 or 2, or unset it to use the CPU quota.",
            stacklevel=2,
        )
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:
        count = os.cpu_count() or 1
    limit = _cgroup_cpu_limit()
    if limit is not None:
        count = min(count, max(1, math.ceil(limit)))
    return count


def configure_threads() -> int:
    """Set PyTorch's intra-op threads to `cpu_threads()` and return that number."""
    n = cpu_threads()
    torch.set_num_threads(n)
    return n


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and PyTorch (CPU and GPU) so a run can be repeated."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@contextlib.contextmanager
def seeded(seed: int | None = None):
    """Run the block on a copy of torch's CPU random state, seeded with `seed` (torch.manual_seed) if
    one is given: the block's draws are repeatable, and the caller's random state is as it was after
    it. The one way the package draws from a seed without disturbing a student's session."""
    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(seed)
        yield


def is_quick() -> bool:
    """True when $GAN_EDU_QUICK is set (tests run every notebook this way, in seconds)."""
    return os.environ.get("GAN_EDU_QUICK", "").strip().lower() in {"1", "true", "yes", "on"}


def budget(full, quick):
    """`full` for students and claims tests, `quick` when $GAN_EDU_QUICK is set."""
    return quick if is_quick() else full


def banner() -> None:
    """Print what this session runs on: device, threads, versions and budget mode."""
    device = pick_device(verbose=True)
    extra = ""
    if device.type == "cuda":
        extra = f" ({torch.cuda.get_device_name(device)})"
    mode = "quick (GAN_EDU_QUICK=1: short runs for testing)" if is_quick() else "full"
    print(f"gan_edu  device: {device}{extra}   available: {', '.join(available_devices())}")
    print(f"         CPU threads: {torch.get_num_threads()}   mode: {mode}")
    print(f"         torch {torch.__version__}, numpy {np.__version__}, Python {platform.python_version()}")
    from .numerics import describe

    print(f"         {describe()}")
