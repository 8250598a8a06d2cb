"""An autoregressive model: MADE, one masked network for every conditional."""

from __future__ import annotations

import math

import torch
from torch import nn

from .neural import Neural


class MaskedLinear(nn.Linear):
    def __init__(self, inputs, outputs, mask):
        super().__init__(inputs, outputs)
        self.register_buffer("mask", mask.float())

    def forward(self, x):
        return nn.functional.linear(x, self.weight * self.mask, self.bias)


class MADE(Neural):
    """An autoregressive model: p(x) = p(x_1) p(x_2 | x_1) ... with every conditional a mixture of
    `components` Gaussians, all computed by one masked network (MADE, Germain et al. 2015). Exact
    likelihood in one pass; sampling takes one pass per coordinate. With `binary=True` the data are
    0s and 1s and every conditional is a Bernoulli (the setting of the MADE paper): log_likelihood
    is then log P(x) of the bits themselves."""

    name, family, likelihood = "autoregressive (MADE)", "explicit", "exact"

    def __init__(self, components: int = 8, binary: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.components, self.binary = components, binary
        self.standardise = self.standardise and not binary
        self.outputs = 1 if binary else 3 * components  # per coordinate: a logit, or K (weight, mean, scale)

    def _fit(self, x, budget):
        if self.binary and not ((x == 0) | (x == 1)).all():
            raise ValueError("MADE(binary=True) models bits: the data must be 0s and 1s "
                             "(binarise it first, e.g. RBM.to_bits)")  # fmt: skip
        if self.binary and self.dequantise:
            raise ValueError("bits are not dequantised: MADE(binary=True) needs dequantise=0")
        super()._fit(x, budget)

    def _build(self, dim):
        self.evaluations = dim
        rank = torch.arange(1, dim + 1)  # coordinate i may see coordinates < i
        # each hidden unit sees coordinates <= its rank: ranks 1..dim-1 in turn, or, for a layer
        # narrower than that, spread evenly over 1..dim-1 (so that late coordinates see more)
        hidden = torch.arange(self.width)
        hidden = (
            hidden % max(dim - 1, 1) + 1 if self.width >= dim - 1 else hidden * (dim - 1) // self.width + 1
        )
        out = rank.repeat_interleave(self.outputs)
        return nn.Sequential(
            MaskedLinear(dim, self.width, hidden[:, None] >= rank[None, :]), nn.SiLU(),
            MaskedLinear(self.width, self.width, hidden[:, None] >= hidden[None, :]), nn.SiLU(),
            MaskedLinear(self.width, len(out), out[:, None] > hidden[None, :]),
        )  # fmt: skip

    def _mixture(self, x):
        logits, mean, log_std = self.nets(x).view(len(x), x.shape[1], 3, self.components).unbind(2)
        # components start spread over [-2, 2]: started equal, they would stay equal (a saddle)
        return logits.log_softmax(-1), mean + torch.linspace(-2, 2, self.components), log_std.clamp(-7, 3)

    def _log_likelihood_standard(self, x):
        if self.binary:
            return -nn.functional.binary_cross_entropy_with_logits(self.nets(x), x, reduction="none").sum(-1)
        log_pi, mean, log_std = self._mixture(x)
        log_n = -0.5 * math.log(2 * math.pi) - log_std - 0.5 * ((x[..., None] - mean) / log_std.exp()) ** 2
        return torch.logsumexp(log_pi + log_n, -1).sum(-1)

    def loss(self, x):
        return -self._log_likelihood_standard(x).mean()

    def _sample_standard(self, n):
        x = torch.zeros(n, self.dim)
        for i in range(self.dim):  # one network pass per coordinate
            if self.binary:
                x[:, i] = torch.bernoulli(torch.sigmoid(self.nets(x)[:, i]))
                continue
            log_pi, mean, log_std = (t[:, i] for t in self._mixture(x))
            k = torch.distributions.Categorical(logits=log_pi).sample()[:, None]
            x[:, i] = (mean.gather(1, k) + log_std.gather(1, k).exp() * torch.randn(n, 1))[:, 0]
        return x
