"""A normalizing flow: RealNVP's affine couplings."""

from __future__ import annotations

import torch
from torch import nn

from .neural import Neural, _gaussian_log_density, mlp


class RealNVP(Neural):
    """A normalizing flow (Dinh et al. 2017): `layers` affine couplings, each rescaling and shifting
    half the coordinates as a function of the other half. Invertible with a cheap Jacobian, so both
    the likelihood and sampling are exact and take one pass."""

    name, family, likelihood, encodes, can_interpolate = "flow (RealNVP)", "explicit", "exact", True, True
    latent_space = "z ~ N(0, I), as large as the data; mapped to the data and back exactly"

    def __init__(self, layers: int = 8, **kwargs):
        super().__init__(**kwargs)
        self.layers = layers

    def _build(self, dim):
        if dim < 2:
            raise ValueError("a coupling flow needs at least 2 coordinates")
        masks = [(torch.arange(dim) + i) % 2 for i in range(self.layers)]  # which half each layer keeps
        self.masks = torch.stack(masks).float()
        return nn.ModuleList([mlp(dim, 2 * dim, self.width) for _ in range(self.layers)])

    def _scale_shift(self, i, kept):
        s, t = self.nets[i](kept).chunk(2, -1)
        return torch.tanh(s) * (1 - self.masks[i]), t * (1 - self.masks[i])

    def _to_base(self, x):
        """Data (standardised) -> base point z and log |det dz/dx|: the couplings inverted."""
        log_det = torch.zeros(len(x))
        for i in reversed(range(self.layers)):
            s, t = self._scale_shift(i, x * self.masks[i])
            x = (x - t) * (-s).exp()
            log_det = log_det - s.sum(-1)
        return x, log_det

    def _log_likelihood_standard(self, x):
        z, log_det = self._to_base(x)
        return _gaussian_log_density(z, 0 * z, 0 * z) + log_det

    def loss(self, x):
        return -self._log_likelihood_standard(x).mean()

    def _to_code(self, x):
        return self._to_base(x)[0]

    def _from_code(self, z):  # base -> data
        for i in range(self.layers):
            s, t = self._scale_shift(i, z * self.masks[i])
            z = z * s.exp() + t
        return z

    def _latent_draws(self, n):
        return torch.randn(n, self.dim)

    def _sample_standard(self, n):
        return self._from_code(self._latent_draws(n))
