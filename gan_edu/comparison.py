"""The head-to-head of notebook 11: every model of `baselines` fitted to the same 8 x 8 digits and
measured the same way — the evaluator's metrics for samples, bits per pixel for likelihoods, and a
copy score against the training set. `python -m gan_edu.experiments model_table` runs it for
several seeds and stores the rows in results/.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from . import baselines, evaluator, images, metrics

LEVEL = 2 / 16  # the digits' pixels take 17 values in [-1, 1]: one level is 2/16 wide
FITTED_ONCE = ("mixture", "kde")  # fitted in one go: they get one dequantised copy of the data
#: What differs from the 2-D defaults of notebook 01 (notebook 11 explains each choice).
OPTIONS = {
    "mixture": {"components": 10, "reg_covar": 1e-3},
    "made": {"dequantise": LEVEL},  # fresh noise over one level in every batch
    "flow": {"dequantise": LEVEL},
    "autoencoder": {"latent": 8},
    "vae": {"latent": 8, "dequantise": LEVEL},
    "rbm": {"bits": 1, "hidden": 64, "jitter": False},
    "dbn": {"bits": 1, "hidden": 64, "jitter": False},
    "gan": {"preset": "dcgan_digits"},
}
SAMPLES = 297  # as many as the digits' test images
METRICS = ("bpd", "frechet", "precision", "recall", "density", "coverage", "confident", "classes_present",
           "copy", "fit_s", "sample_s", "passes")  # fmt: skip


def digits() -> tuple[torch.Tensor, torch.Tensor]:
    """The 1,500 training and 297 test digits, (N, 1, 8, 8) in [-1, 1]."""
    return images.load_digits("train").images, images.load_digits("test").images


def dequantise(x: torch.Tensor, seed: int) -> torch.Tensor:
    """Pixels as rows, plus uniform noise over one level: what likelihoods are measured on."""
    x = x.flatten(1)
    return x + (torch.rand(x.shape, generator=torch.Generator().manual_seed(seed)) - 0.5) * LEVEL


def bits_per_dim(log_lik) -> float:
    """Mean negative log-likelihood of dequantised rows in bits per pixel, for the 17-level pixels:
    -(E[log p(x + u)] + D log LEVEL) / (D log 2), a bound on the discrete pixels' bits (Theis et al.
    2016)."""
    dim = 64
    return float(-(np.mean(log_lik) + dim * np.log(LEVEL)) / (dim * np.log(2)))


def as_images(rows) -> torch.Tensor:
    """Rows of 64 numbers as (N, 1, 8, 8) images clipped to [-1, 1]."""
    return torch.as_tensor(np.asarray(rows), dtype=torch.float32).reshape(-1, 1, 8, 8).clamp(-1, 1)


def fit(name: str, train: torch.Tensor, budget: int, seed: int = 0) -> baselines.Baseline:
    """Model `name` with notebook 11's options, fitted to the training digits with `budget` updates."""
    data = dequantise(train, 0) if name in FITTED_ONCE else train.flatten(1)
    return baselines.make(name, **OPTIONS.get(name, {}), seed=seed).fit(data, budget)


def latent_walks(model: baselines.Baseline, a: torch.Tensor, b: torch.Tensor, steps: int = 8) -> torch.Tensor:
    """(N, steps, 1, 8, 8): for each pair of images (a_i, b_i), the images `model` decodes along the
    straight line between their codes. A model that cannot encode (the GAN) walks between two draws
    of its latent instead (seed i): it cannot find the code of a given image."""
    walks = []
    for i, (x, y) in enumerate(zip(a.flatten(1), b.flatten(1), strict=True)):
        path = model.interpolate(x, y, steps) if model.encodes else model.interpolate(steps=steps, seed=i)
        walks.append(as_images(path))
    return torch.stack(walks)


def pixel_blends(a: torch.Tensor, b: torch.Tensor, steps: int = 8) -> torch.Tensor:
    """(N, steps, 1, 8, 8): each pair of images cross-faded pixel by pixel, the walk without a model."""
    w = torch.linspace(0, 1, steps)[None, :, None, None, None]
    return (1 - w) * a[:, None] + w * b[:, None]


def copy_score(x, train, test) -> float:
    """The median distance from images x to their nearest training image over the same median for the
    test images (below 1: closer to the training set than new real images are)."""
    return float(np.median(metrics.nearest(x, train)[0]) / np.median(metrics.nearest(test, train)[0]))


def measure(x: torch.Tensor, train: torch.Tensor, test: torch.Tensor) -> dict:
    """The evaluator's report of images x against the test digits, and the copy score."""
    return evaluator.report(x, test) | {"copy": copy_score(x, train, test)}


def row(name: str, model: baselines.Baseline, train: torch.Tensor, test: torch.Tensor, seed: int = 1):
    """(samples, metrics) of a fitted model: SAMPLES samples drawn with `seed`, measured."""
    start = time.perf_counter()
    x = as_images(model.sample(SAMPLES, seed=seed))
    sample_s = time.perf_counter() - start
    ll = model.log_likelihood(dequantise(test, 1))
    r = measure(x, train, test) | {"bpd": None if ll is None else bits_per_dim(ll)}
    return x, r | {"fit_s": model.fit_seconds, "sample_s": sample_s, "passes": model.evaluations}


def run_one(name: str, seed: int, budget: int) -> dict:
    """One stored row: model `name` fitted with `seed` (its samples drawn with seed + 1)."""
    train, test = digits()
    _, r = row(name, fit(name, train, budget, seed), train, test, seed + 1)
    stored = {k: r[k] for k in METRICS}
    return {"model": name, "seed": seed, "budget": budget} | {
        k: v if v is None or isinstance(v, int) else round(float(v), 4) for k, v in stored.items()
    }
