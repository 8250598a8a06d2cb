"""The head-to-head of notebook 11: every model of `baselines` fitted to the same 8 x 8 digits and
measured the same way — the evaluator's metrics for samples, bits per pixel for likelihoods, and a
copy score against the training set. `python -m gan_edu.experiments model_table` runs it for
several seeds and stores the rows in results/.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import torch

from . import baselines, evaluator, images, metrics
from .runtime import REPO

LEVEL = 2 / 16  # the digits' pixels take 17 values in [-1, 1]: one level is 2/16 wide
LEVELS = {8: LEVEL, 28: 2 / 255}  # image side -> one pixel level's width (Fashion-MNIST: 256 levels)
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
#: Fashion-MNIST (28 x 28, 256 levels): the models that scale to it, and their options.
FASHION_OPTIONS = {
    "made": {"dequantise": LEVELS[28], "components": 2, "width": 256},
    "flow": {"dequantise": LEVELS[28]},
    "vae": {"latent": 16, "dequantise": LEVELS[28]},
    "diffusion": {"width": 256, "standardise": False, "clip": True},
    "gan": {"preset": "dcgan_fashion"},
}
FASHION_SAMPLES = 500
FASHION_SECONDS = 45  # the training time every Fashion-MNIST model gets, on one core of our machine
FASHION_RATES = REPO / "results" / "fashion_rates.json"
METRICS = ("bpd", "frechet", "precision", "recall", "density", "coverage", "confident", "classes_present",
           "copy", "fit_s", "sample_s", "passes")  # fmt: skip


def digits() -> tuple[torch.Tensor, torch.Tensor]:
    """The 1,500 training and 297 test digits, (N, 1, 8, 8) in [-1, 1]."""
    return images.load_digits("train").images, images.load_digits("test").images


def fashion() -> tuple[torch.Tensor, torch.Tensor]:
    """The shipped Fashion-MNIST subset: 10,000 training and 2,000 test images, (N, 1, 28, 28)."""
    return images.load_fashion_mnist("train").images, images.load_fashion_mnist("test").images


def fashion_updates(seconds: float = FASHION_SECONDS, path: Path = FASHION_RATES) -> dict[str, int]:
    """{model: updates} that take `seconds` of training on one core of the machine where
    bench/fashion_rates.py measured each model's time per update (stored in `path`), rounded to
    tens: an equal time budget that still gives the same updates, and numbers, on every run."""
    if not Path(path).exists():
        raise FileNotFoundError(f"{path} does not exist: run `python bench/fashion_rates.py` to measure")
    rates = json.loads(Path(path).read_text())["seconds_per_update"]
    return {name: int(round(seconds / rate, -1)) for name, rate in rates.items()}


def dequantise(x: torch.Tensor, seed: int) -> torch.Tensor:
    """Images (N, 1, H, W) as rows of pixels, plus uniform noise over one level (LEVELS): what
    likelihoods are measured on."""
    x = x.flatten(1)
    level = LEVELS[_side(x)]
    return x + (torch.rand(x.shape, generator=torch.Generator().manual_seed(seed)) - 0.5) * level


def bits_per_dim(log_lik, dim: int = 64) -> float:
    """Mean negative log-likelihood of dequantised rows of `dim` pixels in bits per pixel:
    -(E[log p(x + u)] + D log LEVEL) / (D log 2), a bound on the discrete pixels' bits (Theis et al.
    2016); LEVEL is the width of one pixel level of the images of that size (LEVELS)."""
    level = LEVELS[math.isqrt(dim)]
    return float(-(np.mean(log_lik) + dim * np.log(level)) / (dim * np.log(2)))


def _side(rows) -> int:
    side = math.isqrt(rows.shape[1])
    if side * side != rows.shape[1]:
        raise ValueError(f"rows of {rows.shape[1]} numbers are not square images")
    return side


def as_images(rows) -> torch.Tensor:
    """Rows of H * W numbers (64 for the digits, 784 for Fashion-MNIST) as (N, 1, H, W) images
    clipped to [-1, 1]."""
    rows = torch.as_tensor(np.asarray(rows), dtype=torch.float32)
    side = _side(rows)
    return rows.reshape(-1, 1, side, side).clamp(-1, 1)


def fit(
    name: str, train: torch.Tensor, budget: int, seed: int = 0, options: dict = OPTIONS
) -> baselines.Baseline:
    """Model `name` with notebook 11's `options` (FASHION_OPTIONS for Fashion-MNIST), fitted to the
    training images with `budget` updates."""
    data = dequantise(train, 0) if name in FITTED_ONCE else train.flatten(1)
    return baselines.make(name, **options.get(name, {}), seed=seed).fit(data, budget)


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
    test images (below 1: closer to the training set than new real images are): `metrics.memorisation`'s
    "copy", in pixels."""
    return metrics.memorisation(x, train, test)["copy"]


def measure(x: torch.Tensor, train: torch.Tensor, test: torch.Tensor) -> dict:
    """The evaluator's report of images x against the test digits, and the copy score."""
    return evaluator.report(x, test) | {"copy": copy_score(x, train, test)}


def row(name: str, model: baselines.Baseline, train: torch.Tensor, test: torch.Tensor, seed: int = 1,
        n: int = SAMPLES):  # fmt: skip
    """(samples, metrics) of a fitted model: n samples drawn with `seed`, measured."""
    start = time.perf_counter()
    x = as_images(model.sample(n, seed=seed))
    sample_s = time.perf_counter() - start
    ll = model.log_likelihood(dequantise(test, 1))
    r = measure(x, train, test) | {"bpd": None if ll is None else bits_per_dim(ll, x[0].numel())}
    return x, r | {"fit_s": model.fit_seconds, "sample_s": sample_s, "passes": model.evaluations}


def binary_likelihoods(train, test, budget: int, seed: int = 0, rbm=None, dbn=None, betas: int = 10_000):
    """Bits per pixel of the test digits binarised as the RBM binarises them (bits=1: a pixel is on
    above the middle of its training range), for four models of the same bits: independent pixels
    (each pixel's training frequency, a reference), the RBM (its normaliser by AIS), the DBN (a
    lower bound, its top RBM's normaliser by AIS) and a binary MADE (exact). The RBM and the DBN are
    fitted here with `seed` unless given. Returns ({name: bits per pixel}, the binary MADE)."""
    rbm = rbm or fit("rbm", train, budget, seed)
    dbn = dbn or fit("dbn", train, budget, seed)
    bits_train, bits_test = (rbm.to_bits(x.flatten(1).numpy()) for x in (train, test))
    made = baselines.make("made", binary=True, seed=seed).fit(bits_train, budget)
    p = baselines.bit_frequencies(bits_train)  # each pixel's training frequency: AIS's base model too
    log_lik = {
        "independent pixels": bits_test @ np.log(p) + (1 - bits_test) @ np.log1p(-p),
        "rbm": rbm.log_prob_bits(bits_test, rbm.ais_log_z(betas=betas, seed=seed)),
        "dbn": dbn.log_prob_bits(bits_test, dbn.top_ais_log_z(betas=betas, seed=seed), seed=seed),
        "made": made.log_likelihood(bits_test),
        "made, training digits": made.log_likelihood(bits_train),
    }
    return {k: float(-np.mean(v) / (bits_test.shape[1] * np.log(2))) for k, v in log_lik.items()}, made


def format_table(table: dict) -> str:
    """Rows of `row`/`measure` results as the aligned text table notebook 11 prints ("—" where a
    model has no likelihood, or a row no copy score or costs)."""
    head = (("model", 22), ("bits/dim", 8), ("Fréchet", 7), ("prec", 5), ("recall", 6), ("dens", 5),
            ("cover", 5), ("confid", 6), ("cls", 3), ("copy", 5), ("fit s", 5), ("smpl s", 6),
            ("passes", 6))  # fmt: skip
    lines = [" ".join(f"{h:{'<' if w == 22 else '>'}{w}s}" for h, w in head)]
    for name, r in table.items():
        bpd = "—" if r.get("bpd") is None else f"{r['bpd']:.2f}"
        copy = "—" if r.get("copy") is None else f"{r['copy']:5.2f}"
        cost = f"{r['fit_s']:5.1f} {r['sample_s']:6.2f} {r['passes']:6d}" if "fit_s" in r else ""
        scores = f"{r['frechet']:7.2f} {r['precision']:5.2f} {r['recall']:6.2f} {r['density']:5.2f} "
        scores += f"{r['coverage']:5.2f} {r['confident']:6.2f} {r['classes_present']:3d}"
        lines.append(f"{name:22s} {bpd:>8s} {scores} {copy:>5s} {cost}".rstrip())
    return "\n".join(lines)


def run_one(name: str, seed: int, budget: int) -> dict:
    """One stored row: model `name` fitted with `seed` (its samples drawn with seed + 1)."""
    train, test = digits()
    _, r = row(name, fit(name, train, budget, seed), train, test, seed + 1)
    stored = {k: r[k] for k in METRICS}
    return {"model": name, "seed": seed, "budget": budget} | {
        k: v if v is None or isinstance(v, int) else round(float(v), 4) for k, v in stored.items()
    }


def binary_row(seed: int, budget: int) -> dict:
    """One stored row of `binary_likelihoods` on the digits: each model's bits per pixel, seeded by `seed`."""
    train, test = digits()
    bits, _ = binary_likelihoods(train, test, budget, seed)
    return {"seed": seed, "budget": budget, "bits": {k: round(v, 4) for k, v in bits.items()}}


def summarize_models(table: dict) -> dict[str, dict]:
    """{model: {metric: (mean, sd) over seeds}} of a stored model table (None where undefined)."""
    out = {}
    for name in dict.fromkeys(r["model"] for r in table["rows"]):
        rows = [r for r in table["rows"] if r["model"] == name]
        out[name] = {"seeds": len(rows)}
        for key in METRICS:
            values = [r[key] for r in rows]
            out[name][key] = None if None in values else (float(np.mean(values)), float(np.std(values)))
    return out


def summarize_binary(table: dict) -> dict[str, tuple[float, float]]:
    """{model: (mean, sd) of its bits per pixel over seeds} of a stored binary table."""
    columns = {k: [r["bits"][k] for r in table["rows"]] for k in table["rows"][0]["bits"]}
    return {k: (float(np.mean(v)), float(np.std(v))) for k, v in columns.items()}


def longer_diffusion(budget: int) -> dict:
    """Exercise 1's answer: the diffusion model given 10 x `budget` updates, its Fréchet distance."""
    train, test = digits()
    model = fit("diffusion", train, 10 * budget)
    return {"frechet": row("diffusion", model, train, test)[1]["frechet"]}
