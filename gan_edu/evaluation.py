"""How to evaluate a GAN (notebook 10): controlled stand-ins for a model's failures, made from real
images so that we know the right answer, and the Fréchet distance's dependence on sample size.

The evaluator's numbers themselves live in `gan_edu.evaluator` (report) and `gan_edu.metrics`.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from . import checks, evaluator, metrics


def blur(images: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """Images (N, 1, H, W) in [-1, 1] smoothed by a Gaussian of `sigma` pixels: a "blurry model"."""
    if images.dim() != 4 or images.shape[1] != 1:
        raise ValueError(f"blur takes grey images (N, 1, H, W), got shape {tuple(images.shape)}")
    checks.number("sigma", sigma, 0, low_open=True, meaning="the blur's width in pixels")
    radius = max(1, int(3 * sigma))
    x = torch.arange(-radius, radius + 1, dtype=images.dtype)
    k = torch.exp(-(x**2) / (2 * sigma**2))
    k = k / k.sum()
    padded = F.pad(images, (radius,) * 4, mode="replicate")  # the border stays background
    rows = F.conv2d(padded, k.view(1, 1, 1, -1))  # separable: along rows, then columns
    return F.conv2d(rows, k.view(1, 1, -1, 1))


def mixed(good: torch.Tensor, bad: torch.Tensor, share_bad: float, seed: int = 0) -> torch.Tensor:
    """len(good) images of which a `share_bad` fraction (chosen at random) are replaced by `bad`'s:
    a model whose samples are right most of the time and wrong the rest."""
    if good.shape != bad.shape or not 0 <= share_bad <= 1:
        raise ValueError(f"need two image sets of one shape and a share in [0, 1]; got {tuple(good.shape)}, "
                         f"{tuple(bad.shape)}, {share_bad!r}")  # fmt: skip
    swap = torch.rand(len(good), generator=torch.Generator().manual_seed(seed)) < share_bad
    return torch.where(swap[:, None, None, None], bad, good)


def without_classes(images: torch.Tensor, labels: torch.Tensor, dropped) -> torch.Tensor:
    """The images whose label is not in `dropped`: a model that never draws those classes."""
    dropped = torch.as_tensor(list(dropped))
    if ((dropped < 0) | (dropped > int(labels.max()))).any():
        raise ValueError(f"classes to drop must be labels 0..{int(labels.max())}, got {dropped.tolist()}")
    return images[~torch.isin(labels, dropped)]


def frechet_by_n(features_a, features_b, ns, repeats: int = 5, seed: int = 0) -> dict[int, np.ndarray]:
    """Fréchet distance between n features drawn without replacement from each set, `repeats` times
    for each n in `ns`: {n: array of distances}. Same two distributions, different sample sizes."""
    a, b = np.asarray(features_a, dtype=np.float64), np.asarray(features_b, dtype=np.float64)
    if max(ns) > min(len(a), len(b)):
        raise ValueError(f"n = {max(ns)} needs that many features in each set; have {len(a)} and {len(b)}")
    rng = np.random.default_rng(seed)

    def once(n: int) -> float:
        return metrics.frechet_distance(
            a[rng.choice(len(a), n, replace=False)], b[rng.choice(len(b), n, replace=False)]
        )

    return {n: np.array([once(n) for _ in range(repeats)]) for n in ns}


def extrapolate(by_n: dict[int, np.ndarray]) -> tuple[float, float]:
    """Chong and Forsyth (2020): the Fréchet distance is close to linear in 1/n, so fit
    FD_n = FD_inf + slope / n and read FD_inf, the value an infinite sample would give.
    Returns (FD_inf, slope)."""
    if len(by_n) < 2:
        raise ValueError("extrapolation needs distances at two or more sample sizes")
    inv = np.array([1 / n for n in by_n])
    means = np.array([v.mean() for v in by_n.values()])
    slope, intercept = np.polyfit(inv, means, 1)
    return float(intercept), float(slope)


def track(trainer, steps: int, every: int, real: torch.Tensor, n: int = 1000) -> list[dict]:
    """Train `steps` steps and, every `every`, put the evaluator's report of n samples beside the
    mean losses of the steps since the last check: the two things a loss curve is mistaken for."""
    rows = []

    def check(t, _):
        h = t.history
        recent = slice(-every, None)
        losses = {"d_loss": float(h["d_loss"][recent].mean()), "g_loss": float(h["g_loss"][recent].mean())}
        rows.append({"step": t.step_count, **losses, **evaluator.report(t.sample(n), real)})

    trainer.run(steps, callback=check, every=every, progress=False)
    return rows
