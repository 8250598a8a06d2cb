"""The neural models' shared part: `Neural`, one training loop for all of them, and their small
building blocks."""

from __future__ import annotations

import copy
import math
from abc import abstractmethod

import torch
from torch import nn

from ..nets import average_into
from .base import Baseline, optional


def mlp(inputs: int, outputs: int, width: int = 128, depth: int = 2) -> nn.Sequential:
    layers, size = [], inputs
    for _ in range(depth):
        layers += [nn.Linear(size, width), nn.SiLU()]
        size = width
    return nn.Sequential(*layers, nn.Linear(size, outputs))


class Neural(Baseline):
    """Standardises the data (unless `standardise=False`), builds `self.nets`, and minimises
    `self.loss(batch)` with Adam.

    `dequantise`: for data on a grid of levels (pixels), the width of one level; every batch then
    gets fresh uniform noise over one level, so the model cannot put a spike on each level.

    A neural model works in standardised coordinates z = (x - mean) / scale and writes three hooks
    (abstract): `_build(dim)`, its networks as one `nn.Module`; `loss(batch)`, the scalar to
    minimise on a batch (B, dim) of standardised rows; `_sample_standard(n)`, n standardised rows.
    Its optional hooks are those of `Baseline` in standardised coordinates, and `Neural` maps them
    to the data's: `_log_likelihood_standard(z)` (likelihood "exact" or "bound"; the change of
    variables is added here), `_to_code(z)` (encodes) and `_from_code(codes)` with `_latent_draws(n)`
    (can_interpolate)."""

    OPTIONAL_HOOKS = {
        "likelihood": ("_log_likelihood_standard",),
        "encodes": ("_to_code",),
        "can_interpolate": ("_latent_draws", "_from_code"),
    }

    def __init__(self, width: int = 128, lr: float = 1e-3, batch_size: int = 256, dequantise: float = 0.0,
                 standardise: bool = True, ema: float = 0.0, seed: int = 0, **unknown):  # fmt: skip
        super().__init__(seed, **unknown)
        self.width, self.lr, self.batch_size, self.dequantise = width, lr, batch_size, dequantise
        self.standardise = standardise  # False: the model sees the data as given (bits; pixels in [-1, 1])
        if not 0 <= ema < 1:
            raise ValueError(f"ema is the decay of the weights' average, in [0, 1) (0: none); got {ema}")
        self.ema = ema  # > 0: an average of the weights (gan_edu.nets.average_into) samples and scores

    def _standardise(self, x):
        """Set the standardisation from the training rows x; return them standardised."""
        # the spread of the data as the model sees it: dequantising adds level**2 / 12 to each variance
        self.mean, self.scale = x.mean(0), (x.var(0) + self.dequantise**2 / 12).sqrt().clamp_min(1e-6)
        if not self.standardise:
            self.mean, self.scale = torch.zeros_like(self.mean), torch.ones_like(self.scale)
        return (x - self.mean) / self.scale

    def _fit(self, x, budget):
        z = self._standardise(x)
        self.nets = self._build(x.shape[1])
        averaged = copy.deepcopy(self.nets) if self.ema else None
        opt = torch.optim.Adam(self.nets.parameters(), self.lr)
        rng = torch.Generator().manual_seed(self.seed)
        self.losses = []
        for step in range(budget):
            batch = z[torch.randint(len(z), (self.batch_size,), generator=rng)]
            if self.dequantise:
                batch = batch + (torch.rand(batch.shape, generator=rng) - 0.5) * self.dequantise / self.scale
            loss = self.loss(batch)
            if not torch.isfinite(loss):
                raise FloatingPointError(f"{self.name}: the loss became {loss.item()} at step {step}; "
                                         "try a smaller lr")  # fmt: skip
            opt.zero_grad()
            loss.backward()
            opt.step()
            if averaged is not None:
                average_into(averaged, self.nets, self.ema, step)
            self.losses.append(loss.item())
        if averaged is not None:  # the average draws and scores; the last weights stay in `trained`
            self.trained, self.nets = self.nets.eval(), averaged
        self.nets.eval()

    def _sample(self, n, seed):
        return self._sample_standard(n) * self.scale + self.mean

    def _log_likelihood(self, x):
        # change of variables: p(x) = p_z((x - mean) / scale) / prod(scale)
        return self._log_likelihood_standard((x - self.mean) / self.scale) - self.scale.log().sum()

    def _encode(self, x):  # data rows -> codes
        return self._to_code((x - self.mean) / self.scale)

    def _decode(self, codes):  # codes -> data rows
        return self._from_code(codes) * self.scale + self.mean

    @abstractmethod
    def _build(self, dim: int) -> nn.Module:
        """The model's networks for data of `dim` coordinates (it may also set per-dim attributes)."""

    @abstractmethod
    def loss(self, batch: torch.Tensor) -> torch.Tensor:
        """The scalar that training minimises on a batch (B, dim) of standardised rows."""

    @abstractmethod
    def _sample_standard(self, n: int) -> torch.Tensor:
        """n samples (n, dim) in standardised coordinates."""

    @optional
    def _log_likelihood_standard(self, z: torch.Tensor) -> torch.Tensor:
        """log p(z) per standardised row (N,) in nats, or a lower bound."""
        raise NotImplementedError

    @optional
    def _to_code(self, z: torch.Tensor) -> torch.Tensor:
        """The codes (N, k) of standardised rows z."""
        raise NotImplementedError

    @optional
    def _from_code(self, codes: torch.Tensor) -> torch.Tensor:
        """The standardised rows (n, dim) of codes (n, k)."""
        raise NotImplementedError


def _gaussian_log_density(x, mean, log_var):
    return -0.5 * (math.log(2 * math.pi) + log_var + (x - mean) ** 2 / log_var.exp()).sum(-1)
