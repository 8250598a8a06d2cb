"""Small 1-D and 2-D distributions to train GANs on; the mixtures know their modes (notebook 00)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from . import checks


@dataclass
class ToyDataset:
    """A distribution we can sample from. Mixtures of Gaussians also know `modes` and `std`.

    `modes` is a (K, dim) tensor of mode centres, or None for curve-shaped data (spiral, moons,
    swiss roll), which have no separate modes; `std` is the per-mode standard deviation, or the
    noise around the curve.
    """

    name: str
    dim: int
    draw: Callable[[int, torch.Generator | None], torch.Tensor]
    modes: torch.Tensor | None
    std: float
    extent: float  # half-width of a square that holds nearly all samples, for plots

    @property
    def shape(self) -> tuple[int]:
        """The shape of one sample, (dim,): what G makes and D judges."""
        return (self.dim,)

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n samples as a float32 tensor of shape (n, dim)."""
        return self.draw(checks.integer("n", n, meaning="how many samples"), generator)


def _mixture(name: str, modes: torch.Tensor, std: float, weights=None, extent=None) -> ToyDataset:
    checks.number("std", std, 0, low_open=True)
    modes = modes.float()
    probs = torch.full((len(modes),), 1.0 / len(modes)) if weights is None else _probs(weights, modes)

    def draw(n, generator):
        idx = torch.multinomial(probs, n, replacement=True, generator=generator)
        return modes[idx] + std * torch.randn(n, modes.shape[1], generator=generator)

    if extent is None:
        extent = float(modes.abs().max()) + 4 * std + 0.5
    return ToyDataset(name, modes.shape[1], draw, modes, float(std), extent)


def _probs(weights, modes) -> torch.Tensor:
    w = torch.as_tensor(weights, dtype=torch.float32)
    if w.shape != (len(modes),) or (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"weights must be {len(modes)} non-negative numbers, got {weights!r}")
    return w / w.sum()


def ring(n_modes: int = 8, radius: float = 2.0, std: float = 0.05) -> ToyDataset:
    """n_modes Gaussians evenly spaced on a circle (the classic mode-collapse test)."""
    n_modes = checks.integer("n_modes", n_modes)
    checks.number("radius", radius, 0, low_open=True)
    angles = torch.arange(n_modes, dtype=torch.float64) * 2 * math.pi / n_modes
    modes = radius * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    return _mixture("ring", modes, std)


def grid(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> ToyDataset:
    """side x side Gaussians on a square grid centred at 0 (25 modes at {-4,-2,0,2,4}^2)."""
    side = checks.integer("side", side)
    checks.number("spacing", spacing, 0, low_open=True)
    axis = (torch.arange(side, dtype=torch.float64) - (side - 1) / 2) * spacing
    modes = torch.cartesian_prod(axis, axis)
    return _mixture("grid", modes, std)


def mixture_1d(means=(-2.0, 2.0), std: float = 0.5, weights=None) -> ToyDataset:
    """A 1-D mixture of Gaussians with equal widths."""
    modes = torch.as_tensor(means, dtype=torch.float64).reshape(-1, 1)
    return _mixture("mixture_1d", modes, std, weights)


def _curve(name: str, points: Callable[[torch.Tensor], torch.Tensor], std: float, extent: float):
    def draw(n, generator):
        t = torch.rand(n, generator=generator)
        return points(t).float() + std * torch.randn(n, 2, generator=generator)

    return ToyDataset(name, 2, draw, None, float(std), extent)


def spiral(turns: float = 1.5, std: float = 0.05) -> ToyDataset:
    """An Archimedean spiral from the centre out to radius 2."""

    def points(t):
        angle = t * turns * 2 * math.pi
        return torch.stack([2 * t * torch.cos(angle), 2 * t * torch.sin(angle)], dim=1)

    return _curve("spiral", points, std, 2.5)


def moons(std: float = 0.05) -> ToyDataset:
    """Two interleaving half circles (scikit-learn's make_moons shape), centred and scaled."""

    def points(t):
        upper = t < 0.5
        angle = torch.where(upper, t * 2, t * 2 - 1) * math.pi
        x = torch.where(upper, torch.cos(angle), 1 - torch.cos(angle))
        y = torch.where(upper, torch.sin(angle), 0.5 - torch.sin(angle))
        return 1.5 * torch.stack([x - 0.5, y - 0.25], dim=1)

    return _curve("moons", points, std, 2.5)


def swiss_roll(std: float = 0.05) -> ToyDataset:
    """The 2-D swiss roll: a spiral whose radius grows with its angle, scaled into [-2, 2]^2."""

    def points(t):
        angle = 1.5 * math.pi * (1 + 2 * t)
        return torch.stack([angle * torch.cos(angle), angle * torch.sin(angle)], dim=1) / 7.5

    return _curve("swiss_roll", points, std, 2.5)


def from_array(x, name: str = "custom") -> ToyDataset:
    """Your own data: an (N, dim) array; training samples rows of it with replacement."""
    data = torch.as_tensor(np.asarray(x, dtype=np.float32))
    if data.ndim != 2 or data.shape[0] < 2 or data.shape[1] < 1:
        raise ValueError(f"data must have shape (N, dim) with N >= 2, e.g. (500, 2); got {tuple(data.shape)}")
    if not torch.isfinite(data).all():
        raise ValueError("data contains NaN or infinite values; remove or replace them first")

    def draw(n, generator):
        return data[torch.randint(len(data), (n,), generator=generator)]

    extent = float(data.abs().max()) * 1.1 + 0.1
    return ToyDataset(name, data.shape[1], draw, None, 0.0, extent)


DATASETS: dict[str, Callable[..., ToyDataset]] = {
    "ring": ring,
    "grid": grid,
    "spiral": spiral,
    "moons": moons,
    "swiss_roll": swiss_roll,
    "mixture_1d": mixture_1d,
}


def get_dataset(name: str, **kwargs) -> ToyDataset:
    """Build a dataset by name, e.g. get_dataset('ring', std=0.02)."""
    return checks.build(DATASETS, name, "dataset", **kwargs)
