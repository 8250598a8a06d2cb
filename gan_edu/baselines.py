"""The other generative models, behind one face (notebooks 01 and 11).

Every model has `fit(data, budget)`, `sample(n, seed)`, `log_likelihood(x)` and `interpolate`,
and says what it can do in `likelihood` ("exact", "bound" or why there is none), `encodes`,
`latent_space` (what `interpolate` walks through, or why there is none) and `evaluations` (network
passes per sample). `budget` counts parameter updates: gradient steps for the neural models, EM
iterations for the mixture; the kernel density has no training steps and picks its
bandwidth by held-out likelihood instead.

The neural models work on standardised data (each coordinate shifted and scaled by the training
set's mean and standard deviation); their log-likelihoods include that change of variables, so
they are densities of the data as given, comparable across models.
"""

from __future__ import annotations

import inspect
import math
import time
import warnings

import numpy as np
import torch
from torch import nn

from . import checks, images

NATS = "nats per point"


def as_data(x, name: str = "data", dim: int | None = None) -> torch.Tensor:
    """x as a float32 tensor (N, d) of finite values, or a ValueError that says what is wrong."""
    t = torch.as_tensor(np.asarray(x, dtype=np.float32))
    if t.ndim != 2 or t.shape[0] < 1 or t.shape[1] < 1:
        raise ValueError(f"{name} must have shape (N, d), e.g. (1000, 2) points; got {tuple(t.shape)}")
    if dim is not None and t.shape[1] != dim:
        raise ValueError(f"{name} has {t.shape[1]} coordinates per row, but the model was fitted to {dim}")
    if not torch.isfinite(t).all():
        raise ValueError(f"{name} contains NaN or infinite values; remove or replace them first")
    return t


class Baseline:
    """What every model shares: checks, timing, and the description of what it can do."""

    name = "model"
    family = ""  # explicit (exact density), approximate (a bound), implicit (a sampler only)
    likelihood = "exact"  # "exact", "bound", or the reason there is none
    encodes = False  # does it map data to a latent code?
    latent_space = "none (no continuous code to decode)"  # what interpolate() walks through
    evaluations = 1  # network passes (or Gibbs steps) per sample

    def __init__(self, seed: int = 0, **unknown):
        # a subclass passed on an option it does not know: name the model and its options
        checks.keywords(self.options(), unknown, type(self).__name__, error=TypeError)
        self.seed = seed
        self.dim = None
        self.fit_seconds = None

    @classmethod
    def options(cls) -> list[str]:
        """The keyword options of the model's constructor, its own and its parents'."""
        named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        names = [p.name for c in cls.__mro__[:-1] if "__init__" in vars(c)
                 for p in inspect.signature(c.__init__).parameters.values() if p.kind in named]  # fmt: skip
        return [n for n in dict.fromkeys(names) if n != "self"]

    def fit(self, data, budget: int):
        """Fit to data (N, d) with `budget` updates; returns self. Records `fit_seconds`."""
        budget = checks.integer("budget", budget, meaning="how many updates")
        x = as_data(data)
        if len(x) < 2:
            raise ValueError("data needs at least 2 points")
        self.dim = x.shape[1]
        start = time.perf_counter()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            self._fit(x, int(budget))
        self.fit_seconds = time.perf_counter() - start
        return self

    def _check(self, x=None, n=None, name: str = "x"):
        if self.dim is None:
            raise RuntimeError(f"{self.name} is not fitted yet: call fit(data, budget) first")
        if n is not None:
            checks.integer("n", n, meaning="how many samples")
        return None if x is None else as_data(x, name, self.dim)

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """n samples (n, d) as a NumPy array; the same seed gives the same samples."""
        self._check(n=n)
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.manual_seed(seed)
            return np.asarray(self._sample(int(n), seed), dtype=np.float32)

    def log_likelihood(self, x, seed: int = 0) -> np.ndarray | None:
        """log p(x) per row in nats (a lower bound where `likelihood` is "bound"); None where the
        model defines no density (`likelihood` says why). A bound estimated by sampling (the VAE's)
        draws its samples from `seed`, so the same call gives the same number."""
        x = self._check(x)
        if self.likelihood not in ("exact", "bound"):
            return None
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.manual_seed(seed)
            return np.asarray(self._log_likelihood(x), dtype=np.float64)

    def interpolate(self, a=None, b=None, steps: int = 8, seed: int = 0) -> np.ndarray:
        """`steps` points (steps, d) decoded from evenly spaced codes on the straight line between two
        latent codes: those of the rows a and b (models that encode), or, without a and b, two draws
        from the model's latent distribution (`seed`). Models without a latent space say why."""
        self._check()
        steps = checks.integer("steps", steps, 2, "it counts both ends")
        if not hasattr(self, "_latent_draws"):
            raise ValueError(f"{self.name} cannot interpolate. Its latent space: {self.latent_space}")
        if (a is None) != (b is None):
            raise ValueError("give both ends, a and b, or neither (two draws from the latent distribution)")
        if a is not None and not self.encodes:
            raise ValueError(
                f"{self.name} has no encoder to find the codes of a and b; call interpolate() "
                "without them to walk between two draws of its latent"
            )
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.manual_seed(seed)
            if a is None:
                ends = self._latent_draws(2)
            else:
                ends = self._encode(self._check(np.stack([np.ravel(a), np.ravel(b)]), name="a and b"))
            w = torch.linspace(0, 1, int(steps))[:, None]
            return np.asarray(self._decode((1 - w) * ends[0] + w * ends[1]), dtype=np.float32)

    def __repr__(self):
        return f"{type(self).__name__}(fitted={self.dim is not None})"


# ---- fitted by scikit-learn ----------------------------------------------------------------------
class GaussianMixture(Baseline):
    """A mixture of K Gaussians fitted by EM (scikit-learn); `budget` is the EM iteration limit."""

    name, family = "Gaussian mixture", "explicit"
    evaluations = 0

    def __init__(self, components: int = 8, reg_covar: float = 1e-6, seed: int = 0):
        super().__init__(seed)
        self.components, self.reg_covar = components, reg_covar  # reg_covar: added to each variance

    def _fit(self, x, budget):
        from sklearn.mixture import GaussianMixture as GM

        gm = GM(self.components, max_iter=budget, n_init=3, reg_covar=self.reg_covar, random_state=self.seed)
        self.model = gm.fit(x.numpy())

    def _sample(self, n, seed):
        self.model.random_state = seed
        with warnings.catch_warnings():  # numerical noise in a covariance that has reg_covar added
            warnings.filterwarnings("ignore", "covariance is not symmetric positive-semidefinite")
            x, _ = self.model.sample(n)
        return x[np.random.default_rng(seed).permutation(n)]  # sklearn returns them sorted by component

    def _log_likelihood(self, x):
        return self.model.score_samples(x.numpy())


class KernelDensity(Baseline):
    """A Gaussian bump on every training point (scikit-learn). The bandwidth is the one of
    `bandwidths` with the best likelihood on a held-out fifth of the data; then it keeps all points."""

    name, family = "kernel density", "explicit"
    evaluations = 0

    BANDWIDTHS = tuple(np.geomspace(0.01, 1.0, 21))

    def __init__(self, bandwidths=BANDWIDTHS, seed: int = 0):
        super().__init__(seed)
        self.bandwidths = bandwidths

    def _fit(self, x, budget):
        from sklearn.neighbors import KernelDensity as KD

        x = x.numpy()
        order = np.random.default_rng(self.seed).permutation(len(x))
        held, kept = x[order[: len(x) // 5]], x[order[len(x) // 5 :]]
        scores = [KD(bandwidth=b).fit(kept).score(held) for b in self.bandwidths]
        self.bandwidth = float(self.bandwidths[int(np.argmax(scores))])
        self.model = KD(bandwidth=self.bandwidth).fit(x)

    def _sample(self, n, seed):
        return self.model.sample(n, random_state=seed)

    def _log_likelihood(self, x):
        return self.model.score_samples(x.numpy())


# ---- neural models: one training loop for all of them -------------------------------------------
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
    gets fresh uniform noise over one level, so the model cannot put a spike on each level."""

    def __init__(self, width: int = 128, lr: float = 1e-3, batch_size: int = 256, dequantise: float = 0.0,
                 standardise: bool = True, seed: int = 0, **unknown):  # fmt: skip
        super().__init__(seed, **unknown)
        self.width, self.lr, self.batch_size, self.dequantise = width, lr, batch_size, dequantise
        self.standardise = standardise  # False: the model sees the data as given (bits; pixels in [-1, 1])

    def _fit(self, x, budget):
        # the spread of the data as the model sees it: dequantising adds level**2 / 12 to each variance
        self.mean, self.scale = x.mean(0), (x.var(0) + self.dequantise**2 / 12).sqrt().clamp_min(1e-6)
        if not self.standardise:
            self.mean, self.scale = torch.zeros_like(self.mean), torch.ones_like(self.scale)
        z = (x - self.mean) / self.scale
        self.nets = self._build(x.shape[1])
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
            self.losses.append(loss.item())
        self.nets.eval()

    def _sample(self, n, seed):
        return self._sample_standard(n) * self.scale + self.mean

    def _log_likelihood(self, x):
        # change of variables: p(x) = p_z((x - mean) / scale) / prod(scale)
        return self._log_likelihood_standard((x - self.mean) / self.scale) - self.scale.log().sum()

    def _encode(self, x):  # data rows -> codes, for the models that define _to_code
        return self._to_code((x - self.mean) / self.scale)

    def _decode(self, codes):  # codes -> data rows, for the models that define _decode_standard
        return self._decode_standard(codes) * self.scale + self.mean


def _gaussian_log_density(x, mean, log_var):
    return -0.5 * (math.log(2 * math.pi) + log_var + (x - mean) ** 2 / log_var.exp()).sum(-1)


class Autoencoder(Neural):
    """A deterministic autoencoder (squared error). It has no sampler of its own: we fit one Gaussian
    to the training codes and decode draws from it (the reason this is poor is shown in 01)."""

    name, family, encodes = "autoencoder", "none (a sampler bolted on)", True
    likelihood = "none: a deterministic autoencoder defines no density over the data"
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

    def encode(self, x) -> torch.Tensor:
        """Codes (N, latent) of data x."""
        return self._encode(self._check(x))

    def decode(self, codes) -> torch.Tensor:
        return self._decode(torch.as_tensor(codes, dtype=torch.float32))

    def _to_code(self, z):
        return self.nets.enc(z)

    def _decode_standard(self, codes):
        return self.nets.dec(codes)

    def _latent_draws(self, n):
        return torch.distributions.MultivariateNormal(self.code_mean, self.code_cov).sample((n,))

    def _sample_standard(self, n):
        return self.nets.dec(self._latent_draws(n))


class VAE(Neural):
    """Variational autoencoder (Kingma and Welling 2014): Gaussian encoder q(z|x), Gaussian decoder
    p(x|z) with a learned variance, trained on the ELBO (reconstruction + KL). Its log-likelihood is
    the importance-weighted bound with k samples (Burda et al. 2016), tighter than the ELBO."""

    name, family, encodes, likelihood = "VAE", "approximate", True, "bound"
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

    def encode(self, x) -> torch.Tensor:
        """The encoder's mean code for each row of x."""
        return self._encode(self._check(x))

    def _to_code(self, z):
        return self._q(z)[0]

    def _decode_standard(self, codes):
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


class RealNVP(Neural):
    """A normalizing flow (Dinh et al. 2017): `layers` affine couplings, each rescaling and shifting
    half the coordinates as a function of the other half. Invertible with a cheap Jacobian, so both
    the likelihood and sampling are exact and take one pass."""

    name, family, likelihood, encodes = "flow (RealNVP)", "explicit", "exact", True
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

    def _decode_standard(self, z):  # base -> data
        for i in range(self.layers):
            s, t = self._scale_shift(i, z * self.masks[i])
            z = z * s.exp() + t
        return z

    def _latent_draws(self, n):
        return torch.randn(n, self.dim)

    def _sample_standard(self, n):
        return self._decode_standard(self._latent_draws(n))


class Diffusion(Neural):
    """A denoising diffusion model (DDPM, Ho et al. 2020): noise is added in `steps` small steps
    (their linear schedule, beta from 1e-4 to 0.02 over 1,000 steps); a network learns to predict
    the added noise; sampling walks back from pure noise, one network pass per step. `clip=True`
    (for pixels in [-1, 1], with standardise=False) takes each step through the guess of the clean
    image clipped to [-1, 1], as Ho et al.'s released code does; without it, errors in the guessed
    noise can grow at every step (by up to 1 / sqrt(1 - beta) each)."""

    name, family = "diffusion (DDPM)", "approximate"
    likelihood = "none here: DDPM defines a variational bound on log p(x) that we do not compute"
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


# ---- Boltzmann machines on binary codes of the points -------------------------------------------
def _gray_bits(bins: np.ndarray, bits: int) -> np.ndarray:
    gray = bins ^ (bins >> 1)  # neighbouring bins differ in one bit
    return ((gray[..., None] >> np.arange(bits - 1, -1, -1)) & 1).reshape(len(bins), -1).astype(np.float64)


def _from_gray(v: np.ndarray, dim: int, bits: int) -> np.ndarray:
    gray = (v.reshape(len(v), dim, bits).astype(np.int64) << np.arange(bits - 1, -1, -1)).sum(-1)
    bins, shift = gray.copy(), gray >> 1
    while shift.any():
        bins ^= shift
        shift >>= 1
    return bins


def _softplus(a):
    return np.logaddexp(0, a)


def rbm_log_z(rbm, layer_limit: int = 20) -> float:
    """The exact log normaliser of a fitted scikit-learn BernoulliRBM, by enumerating every state
    of its smaller layer (at most 2**layer_limit states); a ValueError when both layers are larger."""
    w, b, c = rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_
    if min(w.shape) > layer_limit:
        raise ValueError(f"both layers have more than {layer_limit} units {w.shape[::-1]}: 2**{min(w.shape)} "
                         "states are too many to enumerate; estimate log Z with rbm_ais_log_z")  # fmt: skip
    n = min(w.shape)
    s = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.float64)
    if n == w.shape[1]:  # sum over visible states v: exp(b.v) prod_j (1 + exp(c_j + W_j.v))
        terms = s @ b + _softplus(s @ w.T + c).sum(1)
    else:  # sum over hidden states h: exp(c.h) prod_i (1 + exp(b_i + W_i.h))
        terms = s @ c + _softplus(s @ w + b).sum(1)
    return float(np.logaddexp.reduce(terms))


def rbm_ais_log_z(
    rbm, base_bias, runs: int = 100, betas: int = 10_000, seed: int = 0
) -> tuple[float, np.ndarray]:
    """An estimate of a BernoulliRBM's log normaliser by annealed importance sampling (Neal 2001;
    for RBMs, Salakhutdinov and Murray 2008): `runs` chains move from a base model (independent
    visible bits with logits `base_bias`, no weights), whose log Z is known, through `betas`
    distributions p_k(v) ∝ exp((1 - β_k) base.v + β_k b.v) prod_j (1 + exp(β_k (c_j + W_j.v)))
    to the RBM, one Gibbs step at each. Returns (log Z estimate, each run's log weight).

    The average weight estimates Z without bias, so log of it is too low on average (Jensen):
    likelihoods computed with it come out too high, more so with fewer runs and betas."""
    if betas < 20 or runs < 1:
        raise ValueError(f"AIS needs at least 20 betas and 1 run, got betas={betas}, runs={runs}")
    w, b, c = rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_
    rng = np.random.default_rng(seed)
    # the betas from 0 to 1, denser near 1, where the distributions change fastest
    beta = np.concatenate([np.linspace(0, 0.5, betas // 20, endpoint=False),
                           np.linspace(0.5, 0.9, betas * 5 // 20, endpoint=False),
                           np.linspace(0.9, 1, betas - betas // 20 - betas * 5 // 20)])  # fmt: skip

    def log_p(v, k):  # the unnormalised log probability under p_k, hidden units summed out
        return (1 - k) * v @ base_bias + k * v @ b + _softplus(k * (v @ w.T + c)).sum(1)

    def draw(logits):  # independent bits with these logits
        return (rng.random(logits.shape) < 1 / (1 + np.exp(-logits))).astype(np.float64)

    v = draw(np.tile(base_bias, (runs, 1)))
    log_w = np.zeros(runs)
    for prev, k in zip(beta[:-1], beta[1:], strict=True):
        log_w += log_p(v, k) - log_p(v, prev)
        h = draw(k * (v @ w.T + c))  # one Gibbs step that leaves p_k unchanged
        v = draw((1 - k) * base_bias + k * (b + h @ w))
    log_z_base = _softplus(base_bias).sum() + len(c) * np.log(2)
    return float(log_z_base + np.logaddexp.reduce(log_w) - np.log(runs)), log_w


def bit_frequencies(v: np.ndarray) -> np.ndarray:
    """How often each bit is on in the rows of v, with half a count added to "on" and to "off" (the
    Krichevsky-Trofimov estimate), so never exactly 0 or 1: the model of independent bits that AIS
    starts from, and notebook 11's reference for binary likelihoods."""
    return (np.asarray(v).sum(0) + 0.5) / (len(v) + 1)


def _base_logits(v: np.ndarray) -> np.ndarray:
    """Logits of `bit_frequencies(v)`: AIS's base model."""
    p = bit_frequencies(v)
    return np.log(p / (1 - p))


def _as_bits(v, width: int) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    if v.ndim != 2 or v.shape[1] != width or not np.isin(v, (0, 1)).all():
        raise ValueError(f"expected binary codes: rows of {width} values, each 0 or 1 (see to_bits); "
                         f"got shape {v.shape}")  # fmt: skip
    return v


class RBM(Baseline):
    """A restricted Boltzmann machine (scikit-learn's `BernoulliRBM`, persistent contrastive
    divergence) on binary codes of the points: each coordinate is cut into 2**bits bins over the
    data's range and the bin number written in Gray code. Samples come from `gibbs` steps of Gibbs
    chains started at random states. With few visible units the normaliser is a sum over all
    2**(d * bits) states, so the likelihood is exact — of the binned model, whose density is
    constant inside each bin. For images, bits=1 binarises each pixel at the middle of its range;
    jitter=False then decodes a bit to the lowest or highest value instead of a point in its bin."""

    name, family = "RBM", "explicit"
    latent_space = "none (binary hidden units; a sample is the end of a Gibbs chain)"

    def __init__(self, hidden: int = 32, bits: int = 6, gibbs: int = 1000, lr: float = 0.05,
                 batch_size: int = 64, jitter: bool = True, seed: int = 0, **unknown):  # fmt: skip
        super().__init__(seed, **unknown)
        self.hidden, self.bits, self.gibbs, self.lr, self.batch_size = hidden, bits, gibbs, lr, batch_size
        self.jitter = jitter

    @property
    def evaluations(self) -> int:
        return self.gibbs

    def _rbm(self, hidden, v, budget, seed):
        from sklearn.neural_network import BernoulliRBM

        rbm = BernoulliRBM(
            n_components=hidden, learning_rate=self.lr, batch_size=self.batch_size, random_state=seed
        )
        rng = np.random.default_rng(seed)
        for _ in range(budget):  # one update per minibatch, like the neural models' steps
            rbm.partial_fit(v[rng.integers(len(v), size=self.batch_size)])
        return rbm

    def _fit(self, x, budget):
        x = x.numpy().astype(np.float64)
        pad = (0.05 if self.jitter else 0) * (x.max(0) - x.min(0)) + 1e-6
        self.lo, self.bin = x.min(0) - pad, (x.max(0) - x.min(0) + 2 * pad) / 2**self.bits
        v = self.to_bits(x)
        self.model = self._rbm(self.hidden, v, budget, self.seed)
        self.base_bias = _base_logits(v)
        visible = self.dim * self.bits
        if visible <= 20:  # enumerate every visible state: the exact normaliser
            self.log_z = rbm_log_z(self.model)
        else:
            self.likelihood = (f"none here: the normaliser sums 2**{visible} states "
                               "(estimate it with ais_log_z, then use log_prob_bits)")  # fmt: skip

    def ais_log_z(self, runs: int = 100, betas: int = 10_000, seed: int = 0) -> float:
        """The RBM's log normaliser estimated by annealed importance sampling (`rbm_ais_log_z`), from
        independent bits with the training data's frequencies."""
        self._check()
        return rbm_ais_log_z(self.model, self.base_bias, runs, betas, seed)[0]

    def log_prob_bits(self, v, log_z: float) -> np.ndarray:
        """log P(v) in nats of binary codes v (N, d * bits), given the log normaliser: -F(v) - log Z."""
        self._check()
        return -self.free_energy(_as_bits(v, self.dim * self.bits)) - log_z

    def free_energy(self, v) -> np.ndarray:
        """F(v) = -b.v - sum_j log(1 + exp(c_j + W_j.v)); p(v) = exp(-F(v)) / Z."""
        m = self.model
        return -v @ m.intercept_visible_ - np.logaddexp(0, v @ m.components_.T + m.intercept_hidden_).sum(1)

    def to_bits(self, x) -> np.ndarray:
        """Binary codes (N, d * bits) of points (N, d)."""
        bins = np.clip(((np.asarray(x) - self.lo) / self.bin).astype(np.int64), 0, 2**self.bits - 1)
        return _gray_bits(bins, self.bits)

    def from_bits(self, v, rng) -> np.ndarray:
        """Points for binary codes: a uniform draw inside each code's bin."""
        bins = _from_gray(v, self.dim, self.bits)
        if not self.jitter:  # lowest bin -> the data's minimum, highest -> its maximum
            return self.lo + bins / (2**self.bits - 1) * (2**self.bits * self.bin)
        return self.lo + (bins + rng.random(bins.shape)) * self.bin

    def chains(self, n: int, steps: int, seed: int = 0) -> np.ndarray:
        """n Gibbs chains from random binary states, run `steps` steps: their visible states."""
        self._check(n=n)
        rng = np.random.default_rng(seed)
        v = (rng.random((int(n), self.dim * self.bits)) < 0.5).astype(np.float64)
        self.model.random_state_ = np.random.RandomState(seed)
        for _ in range(steps):
            v = self.model.gibbs(v).astype(np.float64)
        return v

    def _sample(self, n, seed):
        return self.from_bits(self.chains(n, self.gibbs, seed), np.random.default_rng(seed + 1))

    def exact_sample(self, n: int, seed: int = 0) -> np.ndarray:
        """n points drawn from the RBM's exact distribution (enumerated states, no Gibbs chain): what
        perfectly mixed chains would give."""
        self._check(n=n)
        if not hasattr(self, "log_z"):
            raise ValueError(f"exact sampling needs the enumerated states: {self.likelihood}")
        visible = self.dim * self.bits
        states = ((np.arange(2**visible)[:, None] >> np.arange(visible)) & 1).astype(np.float64)
        rng = np.random.default_rng(seed)
        pick = rng.choice(len(states), size=int(n), p=np.exp(-self.free_energy(states) - self.log_z))
        return self.from_bits(states[pick], rng)

    def _log_likelihood(self, x):
        x = x.numpy().astype(np.float64)
        inside = ((x >= self.lo) & (x < self.lo + 2**self.bits * self.bin)).all(1)
        log_p = -self.free_energy(self.to_bits(x)) - self.log_z - np.log(self.bin).sum()
        return np.where(inside, log_p, -np.inf)


class DBN(RBM):
    """A deep belief network (Hinton, Osindero and Teh 2006) of two RBMs: the first as above, the
    second trained on the first's hidden units. Samples: Gibbs chains in the top RBM, then one pass
    down through the first. Fitting costs two RBMs' training."""

    name = "DBN (2 RBMs)"
    likelihood = (
        "none here: it needs a sum over every state of the first hidden layer (for binary "
        "codes, log_prob_bits gives a lower bound, with top_ais_log_z)"
    )

    def __init__(self, hidden: int = 32, top: int = 32, **kwargs):
        super().__init__(hidden=hidden, **kwargs)
        self.top = top

    def _fit(self, x, budget):
        super()._fit(x, budget)
        self.likelihood = DBN.likelihood
        rng = np.random.default_rng(self.seed)
        p_h = self.model.transform(self.to_bits(x.numpy().astype(np.float64)))
        h = (rng.random(p_h.shape) < p_h).astype(np.float64)
        self.top_model, self.top_base_bias = self._rbm(self.top, h, budget, self.seed + 1), _base_logits(h)

    def top_ais_log_z(self, runs: int = 100, betas: int = 10_000, seed: int = 0) -> float:
        """The top RBM's log normaliser by annealed importance sampling (`rbm_ais_log_z`)."""
        self._check()
        return rbm_ais_log_z(self.top_model, self.top_base_bias, runs, betas, seed)[0]

    def log_prob_bits(self, v, log_z: float, samples: int = 10, seed: int = 0) -> np.ndarray:
        """A lower bound on log P(v) in nats for binary codes v, given the top RBM's log normaliser
        (Hinton et al. 2006; estimated as in Salakhutdinov and Murray 2008): with q(h|v) the first
        RBM's hidden probabilities, log P(v) >= E_q[log P(v|h) + log P_top(h)] + H(q), the
        expectation averaged over `samples` draws of h."""
        self._check()
        v, m = _as_bits(v, self.dim * self.bits), self.model
        q = np.clip(m.transform(v), 1e-12, 1 - 1e-12)
        bound = -(q * np.log(q) + (1 - q) * np.log1p(-q)).sum(1)  # the entropy H(q)
        rng = np.random.default_rng(seed)
        for _ in range(samples):
            h = (rng.random(q.shape) < q).astype(np.float64)
            logits = h @ m.components_ + m.intercept_visible_  # log P(v|h): independent bits given h
            log_p_v = (v * logits - _softplus(logits)).sum(1)
            t = self.top_model  # log P_top(h) = -F_top(h) - log Z_top
            log_p_h = h @ t.intercept_visible_ + _softplus(h @ t.components_.T + t.intercept_hidden_).sum(1)
            bound += (log_p_v + log_p_h - log_z) / samples
        return bound

    def _sample(self, n, seed):
        rng = np.random.default_rng(seed)
        h = (rng.random((n, self.hidden)) < 0.5).astype(np.float64)
        self.top_model.random_state_ = np.random.RandomState(seed)
        for _ in range(self.gibbs):
            h = self.top_model.gibbs(h).astype(np.float64)
        m = self.model
        p_v = 1 / (1 + np.exp(-(h @ m.components_ + m.intercept_visible_)))
        return self.from_bits((rng.random(p_v.shape) < p_v).astype(np.float64), rng)


# ---- the GAN, behind the same face ---------------------------------------------------------------
class GAN(Baseline):
    """The course's GAN (`GANTrainer` with a preset's settings) trained on the given rows. With an
    image preset (a DCGAN) each row is an image of that preset's dataset's shape, flattened."""

    name, family = "GAN", "implicit"
    likelihood = "none: G turns noise into samples but gives no density to evaluate"
    latent_space = "G's noise z; no encoder: finding an image's z is an optimisation"

    def __init__(self, preset: str = "balanced", seed: int = 0, **changes):
        from .config import make_config
        from .presets import get_preset

        super().__init__(seed)
        make_config(get_preset(preset).config, **changes)  # a wrong name or value fails here, not in fit()
        self.preset, self.changes = preset, changes

    def _fit(self, x, budget):
        from .presets import get_preset
        from .train import GANTrainer

        config = get_preset(self.preset).config
        if config.arch == "dcgan":
            shape = images.get_dataset(config.dataset).shape
            if x.shape[1] != math.prod(shape):
                raise ValueError(f"preset {self.preset!r} makes images of shape {shape}: rows of "
                                 f"{math.prod(shape)} numbers, not {x.shape[1]}")  # fmt: skip
            x = images.ImageDataset(
                "custom", x.reshape(-1, *shape), torch.zeros(len(x), dtype=torch.long), ()
            )
        self.trainer = GANTrainer(config, data=x, seed=self.seed, **self.changes)
        self.trainer.run(budget, progress=False)

    def _sample(self, n, seed):
        return self.trainer.sample(n, seed).reshape(n, -1)

    def _latent_draws(self, n):
        return self.trainer.noise(n).cpu()

    def _decode(self, z):
        return self.trainer.generate(z).reshape(len(z), -1)


MODELS = {
    "mixture": GaussianMixture,
    "kde": KernelDensity,
    "made": MADE,
    "flow": RealNVP,
    "autoencoder": Autoencoder,
    "vae": VAE,
    "rbm": RBM,
    "dbn": DBN,
    "diffusion": Diffusion,
    "gan": GAN,
}


def make(name: str, **options) -> Baseline:
    """A model by its short name, e.g. make("vae", latent=2)."""
    return checks.build(MODELS, name, "model", **options)
