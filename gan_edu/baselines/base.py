"""The contract every generative model keeps: `Baseline`, the checks on the data it is given, and
the marker for optional hooks."""

from __future__ import annotations

import inspect
import time
from abc import ABC, abstractmethod

import numpy as np
import torch

from .. import checks
from ..runtime import seeded

NATS = "nats per point"
LIKELIHOODS = ("exact", "bound", "none")


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


def optional(hook):
    """Marks a hook that a model writes only when its flags promise it (see `Baseline`): the
    placeholder's body is never reached, since `Baseline.__init__` refuses a model that promises a
    hook it does not write."""
    hook.optional_hook = True
    return hook


class Baseline(ABC):
    """What every model shares: checks, seeding, timing, and the description of what it can do.

    A model is a subclass that writes two hooks (abstract: without them it cannot be made):
      `_fit(x, budget)`   x a float32 tensor (N, d) of finite values, budget a positive int; fits
                          in place. It runs with torch's global generator seeded from `self.seed`.
      `_sample(n, seed)`  n rows (n, d), as an array or tensor; runs under `torch.no_grad()` with
                          torch's global generator seeded from `seed`.

    and says what else it can do in these flags, each with the optional hooks it then writes:
      `likelihood`        "exact", "bound" (a lower bound on log p(x)) or "none". With "exact" or
                          "bound": `_log_likelihood(x)`, log p(x) in nats per row (N,) of a tensor
                          (N, d). With "none": `no_likelihood_reason`, a sentence saying why.
      `encodes`           `_encode(x)`: the codes (N, k) of data rows (N, d), a tensor. With
                          `can_interpolate` too, `interpolate(a, b)` walks between two rows.
      `can_interpolate`   `_latent_draws(n)`: n codes (n, k) from its latent distribution, and
                          `_decode(codes)`: the data rows (n, d) of codes (n, k), tensors.
      `latent_space`      what `interpolate` walks through, or why there is nothing to walk.
      `evaluations`       network passes (or Gibbs steps) per sample.
    `OPTIONAL_HOOKS` names the hooks each flag calls for; a model whose flags promise a hook it does
    not write, or that gives no likelihood and no reason, cannot be made (a TypeError, as for a
    missing abstract hook). `Neural` writes the data-side hooks from its own standardised ones.
    Register a new model in `baselines.MODELS`.
    """

    name = "model"
    family = ""  # explicit (exact density), approximate (a bound), implicit (a sampler only)
    likelihood = "none"  # one of LIKELIHOODS
    no_likelihood_reason = ""  # where likelihood is "none": why
    encodes = False  # does it map data to a latent code?
    can_interpolate = False  # does it draw latent codes and decode them?
    latent_space = "none (no continuous code to decode)"  # what interpolate() walks through
    evaluations = 1  # network passes (or Gibbs steps) per sample
    OPTIONAL_HOOKS = {
        "likelihood": ("_log_likelihood",),
        "encodes": ("_encode",),
        "can_interpolate": ("_latent_draws", "_decode"),
    }

    def __init__(self, seed: int = 0, **unknown):
        # a subclass passed on an option it does not know: name the model and its options
        checks.keywords(self.options(), unknown, type(self).__name__, error=TypeError)
        self._check_contract()
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

    @classmethod
    def missing_hooks(cls) -> list[str]:
        """The optional hooks that the class's flags promise but it does not write, as "hook (flag)"."""
        promised = {"likelihood": cls.likelihood != "none", "encodes": cls.encodes,
                    "can_interpolate": cls.can_interpolate}  # fmt: skip
        return [f"{hook} ({flag})" for flag, hooks in cls.OPTIONAL_HOOKS.items() if promised[flag]
                for hook in hooks if getattr(getattr(cls, hook), "optional_hook", False)]  # fmt: skip

    @classmethod
    def _check_contract(cls):
        """A TypeError where the class's flags break the contract, as abc's is for a missing hook."""
        who = cls.__name__
        if cls.likelihood not in LIKELIHOODS:
            raise TypeError(f"{who}.likelihood must be one of {LIKELIHOODS}, not {cls.likelihood!r}")
        if cls.likelihood == "none" and not cls.no_likelihood_reason:
            raise TypeError(f"{who} defines no likelihood: say why in no_likelihood_reason")
        if missing := cls.missing_hooks():
            raise TypeError(f"{who}'s flags promise hooks it does not write: {', '.join(missing)}")

    @abstractmethod
    def _fit(self, x: torch.Tensor, budget: int) -> None:
        """Fit to x (N, d) with `budget` updates, in place."""

    @abstractmethod
    def _sample(self, n: int, seed: int):
        """n rows (n, d), as an array or tensor."""

    @optional
    def _log_likelihood(self, x: torch.Tensor):
        """log p(x) in nats per row (N,), or a lower bound where `likelihood` is "bound"."""
        raise NotImplementedError

    @optional
    def _encode(self, x: torch.Tensor) -> torch.Tensor:
        """The codes (N, k) of data rows x (N, d)."""
        raise NotImplementedError

    @optional
    def _latent_draws(self, n: int) -> torch.Tensor:
        """n codes (n, k) drawn from the latent distribution."""
        raise NotImplementedError

    @optional
    def _decode(self, codes: torch.Tensor) -> torch.Tensor:
        """The data rows (n, d) of codes (n, k)."""
        raise NotImplementedError

    def fit(self, data, budget: int):
        """Fit to data (N, d) with `budget` updates; returns self. Records `fit_seconds`."""
        budget = checks.integer("budget", budget, meaning="how many updates")
        x = as_data(data)
        if len(x) < 2:
            raise ValueError("data needs at least 2 points")
        self.dim = x.shape[1]
        start = time.perf_counter()
        with seeded(self.seed):
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
        with seeded(seed), torch.no_grad():
            return np.asarray(self._sample(int(n), seed), dtype=np.float32)

    def log_likelihood(self, x, seed: int = 0) -> np.ndarray | None:
        """log p(x) per row in nats (a lower bound where `likelihood` is "bound"); None where the
        model defines no density (`no_likelihood_reason` says why). A bound estimated by sampling
        (the VAE's) draws its samples from `seed`, so the same call gives the same number."""
        x = self._check(x)
        if self.likelihood == "none":
            return None
        with seeded(seed), torch.no_grad():
            return np.asarray(self._log_likelihood(x), dtype=np.float64)

    def encode(self, x) -> torch.Tensor:
        """The codes (N, k) of data rows x (N, d), for the models that encode."""
        x = self._check(x)
        if not self.encodes:
            raise ValueError(f"{self.name} has no encoder. Its latent space: {self.latent_space}")
        return self._encode(x)

    def decode(self, codes) -> torch.Tensor:
        """The data rows (n, d) of latent codes (n, k), for the models that can interpolate."""
        self._check()
        if not self.can_interpolate:
            raise ValueError(f"{self.name} has no decoder. Its latent space: {self.latent_space}")
        return self._decode(torch.as_tensor(codes, dtype=torch.float32))

    def interpolate(self, a=None, b=None, steps: int = 8, seed: int = 0) -> np.ndarray:
        """`steps` points (steps, d) decoded from evenly spaced codes on the straight line between two
        latent codes: those of the rows a and b (models that encode), or, without a and b, two draws
        from the model's latent distribution (`seed`). Models without a latent space say why."""
        self._check()
        steps = checks.integer("steps", steps, 2, "it counts both ends")
        if not self.can_interpolate:
            raise ValueError(f"{self.name} cannot interpolate. Its latent space: {self.latent_space}")
        if (a is None) != (b is None):
            raise ValueError("give both ends, a and b, or neither (two draws from the latent distribution)")
        if a is not None and not self.encodes:
            raise ValueError(
                f"{self.name} has no encoder to find the codes of a and b; call interpolate() "
                "without them to walk between two draws of its latent"
            )
        with seeded(seed), torch.no_grad():
            if a is None:
                ends = self._latent_draws(2)
            else:
                ends = self._encode(self._check(np.stack([np.ravel(a), np.ravel(b)]), name="a and b"))
            w = torch.linspace(0, 1, int(steps))[:, None]
            return np.asarray(self._decode((1 - w) * ends[0] + w * ends[1]), dtype=np.float32)

    def __repr__(self):
        return f"{type(self).__name__}(fitted={self.dim is not None})"
