"""Models that learn to undo noise: a denoising diffusion model (DDPM, sampled by its own ancestral
sampler or by DDIM) and flow matching, each with an MLP or a small convolutional U-Net, and the
closed-form linear denoiser that a trained diffusion model must beat."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .neural import Neural, mlp

NETS = ("mlp", "unet", "linear")  # the denoiser's network ("linear": Diffusion's closed form, no training)
SAMPLERS = ("ddpm", "ddim")
TIME_FEATURES = 16  # the time t in [0, 1] as 8 sines and 8 cosines


def time_features(t: torch.Tensor) -> torch.Tensor:
    """Times t (B,) in [0, 1] as Fourier features (B, 16), frequencies 1 to 1,000 (log-spaced)."""
    freqs = torch.exp(torch.linspace(0, math.log(1000), TIME_FEATURES // 2))
    angle = t[:, None].float() * freqs
    return torch.cat([angle.sin(), angle.cos()], 1)


class _Block(nn.Module):
    """A residual block of the U-Net: two 3 x 3 convolutions (group norm, SiLU) with the time's
    embedding added between them."""

    def __init__(self, c_in: int, c_out: int, t_dim: int):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(8, c_in), nn.Conv2d(c_in, c_out, 3, padding=1)
        self.time = nn.Linear(t_dim, c_out)
        self.norm2, self.conv2 = nn.GroupNorm(8, c_out), nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x, t):
        h = self.conv1(F.silu(self.norm1(x))) + self.time(t)[:, :, None, None]
        return self.conv2(F.silu(self.norm2(h))) + self.skip(x)


class UNet(nn.Module):
    """A small U-Net (Ronneberger et al. 2015, as Ho et al. 2020 use it, without attention) in the
    DCGAN family: rows (B, C*H*W) of images of `shape` and times t (B,) in [0, 1] -> rows of the
    same size. Like DCGAN's D it enters with a 4 x 4 convolution of stride 2 (28 -> 14) and halves
    once more (14 -> 7); like its G it leaves through a 4 x 4 transposed convolution of stride 2.
    `width` channels at 14 x 14 and 2 x `width` at 7 x 7, the time's embedding added in every
    residual block, skip connections across."""

    def __init__(self, shape: tuple[int, int, int], width: int = 32):
        super().__init__()
        if width % 8:
            raise ValueError(f"the U-Net's width must be a multiple of 8 (group norm's groups); got {width}")
        self.shape, w, t_dim = tuple(shape), width, 4 * width
        self.time = nn.Sequential(nn.Linear(TIME_FEATURES, t_dim), nn.SiLU(), nn.Linear(t_dim, t_dim))
        self.inp = nn.Conv2d(shape[0], w, 4, stride=2, padding=1)
        self.down1, self.pool = _Block(w, w, t_dim), nn.Conv2d(w, w, 3, stride=2, padding=1)
        self.down2, self.mid = _Block(w, 2 * w, t_dim), _Block(2 * w, 2 * w, t_dim)
        self.up2, self.up1 = _Block(4 * w, 2 * w, t_dim), _Block(3 * w, w, t_dim)
        self.out = nn.Sequential(nn.GroupNorm(8, w), nn.SiLU(), nn.ConvTranspose2d(w, shape[0], 4, 2, 1))

    def forward(self, x, t):
        t = self.time(time_features(t))
        s1 = self.down1(self.inp(x.reshape(len(x), *self.shape)), t)
        s2 = self.down2(self.pool(s1), t)
        h = self.up2(torch.cat([self.mid(s2, t), s2], 1), t)
        h = self.up1(torch.cat([F.interpolate(h, size=s1.shape[-2:]), s1], 1), t)
        return self.out(h).reshape(len(x), -1)


class _TimeMLP(nn.Module):
    """The MLP denoiser: rows and the time's Fourier features in, one row out."""

    def __init__(self, dim: int, width: int):
        super().__init__()
        self.net = mlp(dim + TIME_FEATURES, dim, width, depth=3)

    def forward(self, x, t):
        return self.net(torch.cat([x, time_features(t)], 1))


class LinearDenoiser(nn.Module):
    """The best linear guess of the noise in x_t = sqrt(a) x + sqrt(1 - a) noise, computed from the
    data's mean m and covariance U diag(lam) U^T, with no training: noise_guess =
    sqrt(1 - a) U diag(1 / (a lam + 1 - a)) U^T (x_t - sqrt(a) m). For Gaussian data it is the best
    guess of any kind; for images it is the reference a trained denoiser must beat."""

    def __init__(self, z: torch.Tensor, alpha_bar: torch.Tensor):
        super().__init__()
        self.mean, self.alpha_bar = z.mean(0), alpha_bar
        self.lam, self.U = torch.linalg.eigh(torch.cov(z.T).reshape(z.shape[1], z.shape[1]))
        self.lam = self.lam.clamp_min(0)

    def forward(self, x, t):
        steps = len(self.alpha_bar)
        a = self.alpha_bar[(t * steps).round().long().clamp_max(steps - 1)][:, None]
        y = ((x - a.sqrt() * self.mean) @ self.U) / (a * self.lam + 1 - a)
        return (1 - a).sqrt() * (y @ self.U.T)

    def expected_loss(self) -> float:
        """Its mean squared error per coordinate, averaged over the steps (training's loss, exactly,
        for Gaussian data): the mean of a lam / (a lam + 1 - a) over steps and coordinates."""
        a = self.alpha_bar[:, None]
        return float((a * self.lam / (a * self.lam + 1 - a)).mean())


class _Denoising(Neural):
    """What diffusion and flow matching share: the network that takes a noisy row and a time, and
    an average of its weights (`ema`, as Ho et al. keep one) that draws the samples.

    `net`: "mlp" (rows of any width) or "unet" (images: give `shape`, e.g. (1, 28, 28); `width` is
    then the U-Net's channels). `clip=True` (pixels in [-1, 1], with standardise=False) keeps each
    step's guess of the clean image in [-1, 1]."""

    nets_allowed = ("mlp", "unet")

    def __init__(self, net: str = "mlp", shape: tuple | None = None, clip: bool = False, **kwargs):
        super().__init__(**kwargs)
        if net not in self.nets_allowed:
            raise ValueError(f"{type(self).__name__}'s net must be one of {self.nets_allowed}; got {net!r}")
        if net == "unet" and (shape is None or len(shape) != 3):
            raise ValueError("net='unet' needs the images' shape, e.g. shape=(1, 28, 28)")
        if clip and self.standardise:
            raise ValueError("clip=True keeps the denoised guess in [-1, 1], the range of pixels: "
                             "it needs standardise=False (the data as given)")  # fmt: skip
        self.net, self.shape, self.clip = net, shape, clip

    def _build(self, dim):
        if self.net == "unet":
            if math.prod(self.shape) != dim:
                size = math.prod(self.shape)
                raise ValueError(f"shape {tuple(self.shape)} has {size} values, the data {dim}")
            return UNet(self.shape, self.width)
        return _TimeMLP(dim, self.width)


class Diffusion(_Denoising):
    """A denoising diffusion model (DDPM, Ho et al. 2020): noise is added in `steps` small steps
    (their linear schedule, beta from 1e-4 to 0.02 over 1,000 steps); a network learns to predict
    the added noise; sampling walks back from pure noise. `sampler="ddpm"` is Ho et al.'s ancestral
    sampler, one network pass per step; `sampler="ddim"` is Song et al.'s (2021) deterministic
    sampler over `sample_steps` evenly spaced steps, one pass each. `clip=True` takes each step
    through the guess of the clean image clipped to [-1, 1], as Ho et al.'s released code does;
    without it, errors in the guessed noise can grow at every step (by up to 1 / sqrt(1 - beta)).
    `net="linear"` is the closed-form `LinearDenoiser`: no training (the budget is not used)."""

    name, family = "diffusion (DDPM)", "approximate"
    likelihood = "none"
    no_likelihood_reason = (
        "DDPM is trained on a re-weighted variational bound on log p(x); we compute neither that bound "
        "nor the exact likelihood (through the probability-flow ODE)"
    )
    latent_space = "none here (fresh noise at every sampling step; DDIM's starting noise would give one)"
    nets_allowed = NETS

    def __init__(self, steps: int = 1000, sampler: str = "ddpm", sample_steps: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.betas = torch.linspace(1e-4, 0.02 * 1000 / steps, steps)
        self.alpha_bar = torch.cumprod(1 - self.betas, 0)
        self.sampling(sampler, sample_steps)

    def sampling(self, sampler: str, sample_steps: int | None = None) -> Diffusion:
        """Choose how `sample` draws: "ddpm" (every step) or "ddim" with `sample_steps` steps (by
        default 50, or every step where there are fewer)."""
        sample_steps = min(50, len(self.betas)) if sample_steps is None else sample_steps
        if sampler not in SAMPLERS:
            raise ValueError(f"sampler must be one of {SAMPLERS}; got {sampler!r}")
        if not 1 <= int(sample_steps) <= len(self.betas):
            steps = len(self.betas)
            raise ValueError(f"sample_steps must be between 1 and the {steps} steps; got {sample_steps}")
        self.sampler, self.sample_steps = sampler, int(sample_steps)
        return self

    @property
    def evaluations(self) -> int:  # network passes per sample
        return len(self.betas) if self.sampler == "ddpm" else self.sample_steps

    def _fit(self, x, budget):
        if self.net != "linear":
            return super()._fit(x, budget)
        z = self._standardise(x)
        self.nets, self.losses = LinearDenoiser(z, self.alpha_bar), []

    def _noise_guess(self, x, t):
        return self.nets(x, t / len(self.betas))  # the step number as a time in [0, 1)

    def loss(self, x):
        t = torch.randint(len(self.betas), (len(x),))
        noise = torch.randn_like(x)
        a = self.alpha_bar[t][:, None]
        return ((self._noise_guess(a.sqrt() * x + (1 - a).sqrt() * noise, t) - noise) ** 2).mean()

    def _clean_guess(self, x, eps, a_bar):
        x0 = (x - (1 - a_bar).sqrt() * eps) / a_bar.sqrt()
        return x0.clamp(-1, 1) if self.clip else x0

    def _sample_standard(self, n):
        x = torch.randn(n, self.dim)
        if self.sampler == "ddim":  # Song et al. 2021, eq. 12 with sigma = 0
            times = torch.linspace(len(self.betas) - 1, 0, self.sample_steps).round().long().tolist()
            for i, t in enumerate(times):
                a_bar = self.alpha_bar[t]
                a_prev = self.alpha_bar[times[i + 1]] if i + 1 < len(times) else torch.tensor(1.0)
                eps = self._noise_guess(x, torch.full((n,), t))
                x0 = self._clean_guess(x, eps, a_bar)
                eps = (x - a_bar.sqrt() * x0) / (1 - a_bar).sqrt() if self.clip else eps
                x = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
            return x
        for t in reversed(range(len(self.betas))):  # Ho et al. 2020, Algorithm 2
            beta, a_bar = self.betas[t], self.alpha_bar[t]
            eps = self._noise_guess(x, torch.full((n,), t))
            if self.clip:  # the same step through the guess of the clean image, kept in [-1, 1]
                a_prev = self.alpha_bar[t - 1] if t > 0 else torch.tensor(1.0)
                x0 = self._clean_guess(x, eps, a_bar)
                x = (a_prev.sqrt() * beta * x0 + (1 - beta).sqrt() * (1 - a_prev) * x) / (1 - a_bar)
            else:
                x = (x - beta / (1 - a_bar).sqrt() * eps) / (1 - beta).sqrt()
            if t > 0:
                x = x + beta.sqrt() * torch.randn_like(x)
        return x


class FlowMatching(_Denoising):
    """Flow matching with straight paths (rectified flow: Liu et al. 2023; Lipman et al. 2023):
    x_t = (1 - t) x + t noise for t in [0, 1]; a network learns the velocity noise - x; sampling
    starts from noise at t = 1 and takes `sample_steps` Euler steps back to t = 0, one network pass
    each."""

    name, family = "flow matching", "approximate"
    likelihood = "none"
    no_likelihood_reason = ("its ODE defines an exact likelihood (by integrating the velocity's divergence), "
                            "which we do not compute here")  # fmt: skip
    latent_space = "the starting noise, mapped to a sample by a deterministic ODE (not decoded here)"

    def __init__(self, sample_steps: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.sampling(sample_steps)

    def sampling(self, sample_steps: int) -> FlowMatching:
        """Choose how many Euler steps `sample` takes."""
        if int(sample_steps) < 1:
            raise ValueError(f"sample_steps must be at least 1; got {sample_steps}")
        self.sample_steps = int(sample_steps)
        return self

    @property
    def evaluations(self) -> int:
        return self.sample_steps

    def loss(self, x):
        t = torch.rand(len(x))
        noise = torch.randn_like(x)
        x_t = (1 - t[:, None]) * x + t[:, None] * noise
        return ((self.nets(x_t, t) - (noise - x)) ** 2).mean()

    def _sample_standard(self, n):
        x, dt = torch.randn(n, self.dim), 1 / self.sample_steps
        for i in range(self.sample_steps, 0, -1):
            v = self.nets(x, torch.full((n,), i * dt))
            x = x - dt * v
        return x.clamp(-1, 1) if self.clip else x
