"""A denoising diffusion model (DDPM)."""

from __future__ import annotations

import math

import torch

from .neural import Neural, mlp


class Diffusion(Neural):
    """A denoising diffusion model (DDPM, Ho et al. 2020): noise is added in `steps` small steps
    (their linear schedule, beta from 1e-4 to 0.02 over 1,000 steps); a network learns to predict
    the added noise; sampling walks back from pure noise, one network pass per step. `clip=True`
    (for pixels in [-1, 1], with standardise=False) takes each step through the guess of the clean
    image clipped to [-1, 1], as Ho et al.'s released code does; without it, errors in the guessed
    noise can grow at every step (by up to 1 / sqrt(1 - beta) each)."""

    name, family = "diffusion (DDPM)", "approximate"
    likelihood = "none"
    no_likelihood_reason = "DDPM defines a variational bound on log p(x), which we do not compute here"
    latent_space = "none here (fresh noise at every sampling step; DDIM would give one)"

    def __init__(self, steps: int = 1000, clip: bool = False, **kwargs):
        super().__init__(**kwargs)
        if clip and self.standardise:
            raise ValueError("clip=True keeps the denoised guess in [-1, 1], the range of pixels: "
                             "it needs standardise=False (the data as given)")  # fmt: skip
        self.evaluations, self.clip = steps, clip
        self.betas = torch.linspace(1e-4, 0.02 * 1000 / steps, steps)
        self.alpha_bar = torch.cumprod(1 - self.betas, 0)

    def _build(self, dim):
        return mlp(dim + 16, dim, self.width, depth=3)

    def _noise_guess(self, x, t):
        freqs = torch.exp(torch.linspace(0, math.log(1000), 8))
        angle = t[:, None].float() / len(self.betas) * freqs  # the step number, as Fourier features
        return self.nets(torch.cat([x, angle.sin(), angle.cos()], 1))

    def loss(self, x):
        t = torch.randint(len(self.betas), (len(x),))
        noise = torch.randn_like(x)
        a = self.alpha_bar[t][:, None]
        return ((self._noise_guess(a.sqrt() * x + (1 - a).sqrt() * noise, t) - noise) ** 2).mean()

    def _sample_standard(self, n):
        x = torch.randn(n, self.dim)
        for t in reversed(range(len(self.betas))):  # Ho et al. 2020, Algorithm 2
            beta, a_bar = self.betas[t], self.alpha_bar[t]
            eps = self._noise_guess(x, torch.full((n,), t))
            if self.clip:  # the same step through the guess of the clean image, kept in [-1, 1]
                a_prev = self.alpha_bar[t - 1] if t > 0 else torch.tensor(1.0)
                x0 = ((x - (1 - a_bar).sqrt() * eps) / a_bar.sqrt()).clamp(-1, 1)
                x = (a_prev.sqrt() * beta * x0 + (1 - beta).sqrt() * (1 - a_prev) * x) / (1 - a_bar)
            else:
                x = (x - beta / (1 - a_bar).sqrt() * eps) / (1 - beta).sqrt()
            if t > 0:
                x = x + beta.sqrt() * torch.randn_like(x)
        return x
