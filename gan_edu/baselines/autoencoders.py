"""Models with an encoder and a decoder: the deterministic autoencoder and the VAE."""

from __future__ import annotations

import math

import torch
from torch import nn

from .neural import Neural, _gaussian_log_density, mlp


class Autoencoder(Neural):
    """A deterministic autoencoder (squared error). It has no sampler of its own: we fit one Gaussian
    to the training codes and decode draws from it (the reason this is poor is shown in 01)."""

    name, family, encodes, can_interpolate = "autoencoder", "none (a sampler bolted on)", True, True
    likelihood = "none"
    no_likelihood_reason = "a deterministic autoencoder defines no density over the data"
    latent_space = "its codes; draws from a Gaussian fitted to the training codes"

    def __init__(self, latent: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.latent = latent

    def _build(self, dim):
        return nn.ModuleDict(
            {"enc": mlp(dim, self.latent, self.width), "dec": mlp(self.latent, dim, self.width)}
        )

    def loss(self, x):
        return ((self.nets.dec(self.nets.enc(x)) - x) ** 2).sum(1).mean()

    def _fit(self, x, budget):
        super()._fit(x, budget)
        with torch.no_grad():
            codes = self.encode(x)
        self.code_mean, self.code_cov = codes.mean(0), torch.atleast_2d(torch.cov(codes.T))

    def _to_code(self, z):
        return self.nets.enc(z)

    def _from_code(self, codes):
        return self.nets.dec(codes)

    def _latent_draws(self, n):
        return torch.distributions.MultivariateNormal(self.code_mean, self.code_cov).sample((n,))

    def _sample_standard(self, n):
        return self.nets.dec(self._latent_draws(n))


class VAE(Neural):
    """Variational autoencoder (Kingma and Welling 2014): Gaussian encoder q(z|x), Gaussian decoder
    p(x|z) with a learned variance, trained on the ELBO (reconstruction + KL). Its log-likelihood is
    the importance-weighted bound with k samples (Burda et al. 2016), tighter than the ELBO."""

    name, family, likelihood, encodes, can_interpolate = "VAE", "approximate", "bound", True, True
    latent_space = "z ~ N(0, I); a code decodes to the mean of p(x|z), without noise"

    def __init__(self, latent: int = 2, k: int = 100, **kwargs):
        super().__init__(**kwargs)
        self.latent, self.k = latent, k

    def _build(self, dim):
        enc, dec = mlp(dim, 2 * self.latent, self.width), mlp(self.latent, 2 * dim, self.width)
        return nn.ModuleDict({"enc": enc, "dec": dec})

    def _q(self, x):
        mu, log_var = self.nets.enc(x).chunk(2, -1)
        return mu, log_var.clamp(-12, 6)

    def _p(self, z):
        mean, log_var = self.nets.dec(z).chunk(2, -1)
        return mean, log_var.clamp(-12, 6)

    def elbo(self, x):
        mu, log_var = self._q(x)
        z = mu + (0.5 * log_var).exp() * torch.randn_like(mu)  # reparameterised draw
        reconstruction = _gaussian_log_density(x, *self._p(z))
        kl = 0.5 * (mu**2 + log_var.exp() - 1 - log_var).sum(-1)  # KL(q(z|x) || N(0, I)), closed form
        return reconstruction - kl

    def loss(self, x):
        return -self.elbo(x).mean()

    def _to_code(self, z):  # the encoder's mean code
        return self._q(z)[0]

    def _from_code(self, codes):
        return self._p(codes)[0]

    def _latent_draws(self, n):
        return torch.randn(n, self.latent)

    def _sample_standard(self, n):
        mean, log_var = self._p(torch.randn(n, self.latent))
        return mean + (0.5 * log_var).exp() * torch.randn_like(mean)

    def _log_likelihood_standard(self, x):
        out = []
        for part in x.split(256):
            mu, log_var = self._q(part)
            z = mu + (0.5 * log_var).exp() * torch.randn(self.k, *mu.shape)  # (k, N, latent)
            log_w = (_gaussian_log_density(part, *self._p(z)) + _gaussian_log_density(z, 0 * z, 0 * z)
                     - _gaussian_log_density(z, mu, log_var))  # fmt: skip
            out.append(torch.logsumexp(log_w, 0) - math.log(self.k))
        return torch.cat(out)
