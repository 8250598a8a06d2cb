"""How good are generated samples? Mode coverage as VEEGAN and PacGAN measure it (notebooks 00, 06).

Definitions (Srivastava et al. 2017, VEEGAN; Lin et al. 2018, PacGAN):
- a sample is *high quality* when it lies within 3 standard deviations of its nearest mode;
- a mode is *captured* when at least one high-quality sample has it as its nearest mode;
- *reverse KL* is KL(p_gen || uniform), where p_gen is the histogram of the modes nearest to the
  generated samples. It is 0 when every mode gets the same share and log K when all samples sit
  at one of K modes.
"""

from __future__ import annotations

import math

import numpy as np
import torch


def _as_numpy(x, name: str) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (N, dim), got {arr.shape}")
    if len(arr) == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): a metric needs at least one point")
    return arr


def mode_stats(samples, modes, std: float, threshold: float = 3.0) -> dict:
    """Modes captured, high-quality fraction and reverse KL of `samples` against `modes`.

    samples: (N, dim); modes: (K, dim); std: each mode's standard deviation.
    Returns a dict with modes_captured, n_modes, high_quality (a fraction), reverse_kl, counts
    (high-quality samples nearest to each mode) and shares (the fraction of all samples nearest to
    each mode: a collapsed G puts most of its share on one mode).
    """
    x, m = _as_numpy(samples, "samples"), _as_numpy(modes, "modes")
    if x.shape[1] != m.shape[1]:
        raise ValueError(f"samples have dim {x.shape[1]} but modes have dim {m.shape[1]}")
    if not std > 0:
        raise ValueError(f"std must be positive, got {std!r}")
    if not np.isfinite(x).all():
        raise ValueError("samples contain NaN or infinite values (did training diverge?)")
    dist = np.linalg.norm(x[:, None, :] - m[None, :, :], axis=2)  # (N, K)
    nearest = dist.argmin(axis=1)
    good = dist[np.arange(len(x)), nearest] <= threshold * std
    counts = np.bincount(nearest[good], minlength=len(m))
    hist = np.bincount(nearest, minlength=len(m)) / len(x)
    nonzero = hist > 0
    reverse_kl = float((hist[nonzero] * np.log(hist[nonzero] * len(m))).sum())
    return {
        "modes_captured": int((counts > 0).sum()),
        "n_modes": len(m),
        "high_quality": float(good.mean()),
        "reverse_kl": reverse_kl,
        "counts": counts,
        "shares": hist,
    }


def wasserstein_exact(x, y) -> float:
    """Exact Wasserstein-1 distance between two equal-size point sets (notebook 07).

    With n points each, the optimal transport plan is a one-to-one matching (Birkhoff), so W1 is
    the mean distance of the cheapest matching: an assignment problem, solved exactly.
    """
    from scipy.optimize import linear_sum_assignment

    a, b = _as_numpy(x, "x"), _as_numpy(y, "y")
    if a.shape != b.shape:
        raise ValueError(f"x and y must have the same shape (equal sizes), got {a.shape} and {b.shape}")
    cost = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def gaussian_mass_within(k: float, dim: int = 2) -> float:
    """Probability that a dim-D standard Gaussian lies within radius k (chi distribution CDF)."""
    if dim == 1:
        return math.erf(k / math.sqrt(2))
    if dim == 2:
        return 1 - math.exp(-(k**2) / 2)
    raise ValueError(f"dim must be 1 or 2, got {dim}")
