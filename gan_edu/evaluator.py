"""The evaluator: a small CNN classifier whose features and class probabilities turn "the samples
look good" into numbers (notebook 08 onwards). One network design, two trained copies: one for
Fashion-MNIST (28 x 28), one for scikit-learn's digits (8 x 8); `report` picks by image size.

Trained once by `python data/train_evaluator.py [--dataset digits]` on the shipped data; the weights
ship in data/ with their sha256 and test accuracy (data/README.md). Notebooks never retrain them.
"""

from __future__ import annotations

import functools
import sys
import warnings

import numpy as np
import torch
from torch import nn

from . import checks, images, metrics
from .images import N_CLASSES

FEATURES = 128  # the penultimate layer's width: what Fréchet distance and precision/recall compare
WEIGHTS = {"fashion_mnist": "evaluator.pt", "digits": "evaluator_digits.pt"}  # files in data/
SIZES = {28: "fashion_mnist", 8: "digits"}  # image side -> the dataset whose evaluator judges it


def _block(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]


class Evaluator(nn.Module):
    """(B, 1, H, W) images in [-1, 1] (H = W = 28 or 8) -> `features` (B, 128) and `logits` (B, 10)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(  # x: (B, 1, 28, 28)             digits: (B, 1, 8, 8)
            *_block(1, 32), *_block(32, 32), nn.MaxPool2d(2),  # (B, 32, 14, 14)   (B, 32, 4, 4)
            *_block(32, 64), *_block(64, 64), nn.MaxPool2d(2),  # (B, 64, 7, 7)    (B, 64, 2, 2)
            *_block(64, FEATURES), nn.AdaptiveAvgPool2d(1), nn.Flatten(),  # (B, 128)
        )  # fmt: skip
        self.head = nn.Linear(FEATURES, N_CLASSES)  # (B, 10): one logit per class

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))

    @torch.no_grad()
    def features(self, x: torch.Tensor, batch: int = 500) -> torch.Tensor:
        """Penultimate features of many images, in batches, on the CPU: (N, 128)."""
        return self._features(_check_images(x, "x"), batch)

    @torch.no_grad()
    def probabilities(self, x: torch.Tensor, batch: int = 500) -> torch.Tensor:
        """Class probabilities (N, 10)."""
        return self._classify(self._features(_check_images(x, "x"), batch))

    def _features(self, x: torch.Tensor, batch: int = 500) -> torch.Tensor:
        """`features` of images already checked (by `_check_images`, so that they are checked once)."""
        return torch.cat([self.body(x[i : i + batch].float()) for i in range(0, len(x), batch)])

    def _classify(self, features: torch.Tensor) -> torch.Tensor:
        """Class probabilities (N, 10) from `features`: the one place they are computed."""
        return torch.softmax(self.head(features), dim=1)


RANGE_SLACK = 1e-3  # how far outside [-1, 1] a value may lie (rounding) before the images are refused
_TO_RANGE = "images in [0, 255]: x / 127.5 - 1; images in [0, 1]: x * 2 - 1"


def _check_images(x, name: str, warn: bool = True) -> torch.Tensor:
    """x as images the evaluator can judge, or a ValueError that names the argument `name`, says what
    is wrong and what to do. A tensor comes back as it is (no copy, no change of dtype); NumPy arrays
    and other array-likes come back as float32 tensors. Values must lie in [-1, 1] (RANGE_SLACK);
    images with no negative value at all are almost surely [0, 1] images: a UserWarning says so."""
    if not isinstance(x, torch.Tensor):
        try:
            x = torch.as_tensor(x, dtype=torch.float32)
        except (TypeError, ValueError, RuntimeError) as error:
            raise ValueError(
                f"{name} must be images: a tensor or NumPy array (N, 1, 28, 28) or (N, 1, 8, 8) in [-1, 1], "
                f"not {type(x).__name__} ({error}); stack them into one array first"
            ) from None
    shape = tuple(x.shape)
    if x.dim() != 4 or x.shape[1] != 1 or x.shape[2] not in SIZES or x.shape[2] != x.shape[3]:
        raise ValueError(
            f"{name}: the evaluator takes Fashion-MNIST images (N, 1, 28, 28) or digits (N, 1, 8, 8) "
            f"in [-1, 1]; got {shape}. {_shape_hint(shape)}"
        )
    if len(x) == 0:
        raise ValueError(f"{name} holds no images (shape {shape}): the evaluator needs at least one image")
    if x.dtype == torch.bool or x.is_complex():
        raise ValueError(f"{name} holds {x.dtype} values; the evaluator takes real numbers in [-1, 1]")
    bad = int((~torch.isfinite(x)).sum())
    if bad:
        raise ValueError(
            f"{name} holds {bad} NaN or infinite values; a diverged G makes them (see TrainingDiverged): "
            "retrain from an earlier checkpoint or with a lower learning rate, then sample again"
        )
    low, high = _range(x)
    if low < -1 - RANGE_SLACK or high > 1 + RANGE_SLACK:
        raise ValueError(
            f"{name} holds values from {low:.4g} to {high:.4g}, but the evaluator expects images in [-1, 1] "
            f"(as images.to_tensor makes them). Convert before calling: {_TO_RANGE}; any other range: "
            "map its ends to -1 and 1"
        )
    if warn:
        _warn_if_unit_interval(x, name)
    return x


def _range(x: torch.Tensor) -> tuple[float, float]:
    return tuple(float(v) for v in (x if x.is_floating_point() else x.float()).aminmax())


def _warn_if_unit_interval(x: torch.Tensor, name: str) -> None:
    """A UserWarning when checked images x have no negative value: almost surely [0, 1] images."""
    low, high = _range(x)
    if low >= 0:
        warnings.warn(
            f"{name} has no negative value (from {low:.4g} to {high:.4g}): these look like images in "
            "[0, 1], but the evaluator expects [-1, 1], where the background is -1. Convert [0, 1] "
            "images with x * 2 - 1 before calling; if a G really makes only non-negative pixels, "
            "ignore this warning",
            UserWarning,
            stacklevel=_caller_level(),
        )


def _shape_hint(shape: tuple) -> str:
    """What to do with images of the wrong shape."""
    if len(shape) == 3 and shape[1] == shape[2] and shape[1] in SIZES:
        return "Add the channel axis: x.unsqueeze(1)."
    if len(shape) == 2 and shape[1] in {side * side for side in SIZES}:
        side = int(round(shape[1] ** 0.5))
        return f"Reshape the flat rows: x.reshape(-1, 1, {side}, {side})."
    if len(shape) == 4 and shape[-1] == 1 and shape[1] == shape[2] and shape[1] in SIZES:
        return "Move the channel axis first: x.permute(0, 3, 1, 2)."
    if len(shape) == 4 and shape[1] == 3:
        return "The evaluator judges grey images: one channel, not three."
    return "Pass images of one of those two sizes, one channel, in a batch of N."


def _caller_level() -> int:
    """The `stacklevel` of a warning that points at the line that called the evaluator: the first frame
    outside this module and torch (whose no_grad decorator adds a frame)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and (
        frame.f_code.co_filename == __file__ or frame.f_globals.get("__name__", "").split(".")[0] == "torch"
    ):
        frame, level = frame.f_back, level + 1
    return level


def _dataset(dataset: str) -> str:
    return checks.choose(WEIGHTS, dataset, "evaluator")


@functools.cache
def load(dataset: str = "fashion_mnist") -> Evaluator:
    """The shipped evaluator of `dataset`, checksum verified, in eval mode on the CPU."""
    flag = "" if _dataset(dataset) == "fashion_mnist" else f" --dataset {dataset}"
    path = images.check_file(
        images.DATA / WEIGHTS[dataset],
        f"git checkout data/ (or retrain: python data/train_evaluator.py{flag})",
    )
    net = Evaluator()
    net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return net.eval()


@functools.cache
def reference(n: int = 1000, dataset: str = "fashion_mnist") -> torch.Tensor:
    """The first n test images of `dataset`: the real side of every comparison."""
    pool = images.DATASETS[_dataset(dataset)]("test").images
    n = checks.integer("n", n, 2, f"{dataset} has {len(pool)} test images", most=len(pool))
    return pool[:n]


def report(fake: torch.Tensor, real: torch.Tensor) -> dict:
    """Everything the evaluator says of `fake` images against `real` ones: Fréchet distance,
    precision/recall/density/coverage of the features, and the class statistics of `fake`
    (confident share, class histogram, recognisable or not; see metrics.RECOGNISABLE)."""
    real, fake = _check_images(real, "real", warn=False), _check_images(fake, "fake", warn=False)
    if fake.shape[1:] != real.shape[1:]:
        raise ValueError(
            f"fake images {tuple(fake.shape[1:])} and real {tuple(real.shape[1:])} differ in size: compare "
            "images of one dataset (28 x 28 against evaluator.reference(n), 8 x 8 against "
            "evaluator.reference(n, 'digits'))"
        )
    _warn_if_unit_interval(real, "real"), _warn_if_unit_interval(fake, "fake")
    net = load(SIZES[real.shape[2]])
    f_fake, f_real = net._features(fake.cpu()), net._features(real.cpu())
    return {"frechet": metrics.frechet_distance(f_real, f_fake), **metrics.precision_recall(f_real, f_fake),
            **metrics.class_stats(net._classify(f_fake))}  # fmt: skip


@torch.no_grad()
def class_stats(x: torch.Tensor) -> dict:
    """The class statistics alone (confident share, histogram, recognisable) of images x: what the
    evaluator of their size makes of them, with no real images to compare with."""
    x = _check_images(x, "x")
    net = load(SIZES[x.shape[2]])
    return metrics.class_stats(net._classify(net._features(x.cpu())))


@torch.no_grad()
def class_accuracy(x: torch.Tensor, asked: torch.Tensor) -> np.ndarray:
    """For each class c: the share of the images drawn for c (where `asked` == c) that the evaluator
    names c. The class accuracy of a conditional G (notebook 09); NaN for a class never asked."""
    x = _check_images(x, "x")
    asked = torch.as_tensor(asked)
    if asked.shape != (len(x),):
        raise ValueError(f"asked must hold one class per image, shape ({len(x)},), not {tuple(asked.shape)}")
    net = load(SIZES[x.shape[2]])
    named = net._classify(net._features(x.cpu())).argmax(1)
    return np.array([(named[asked == c] == c).float().mean().item() for c in range(N_CLASSES)])


def summary(r: dict) -> str:
    """One line of a `report`: the numbers a reader compares, and the verdict."""
    return (f"Fréchet {r['frechet']:6.2f}  precision {r['precision']:.2f}  recall {r['recall']:.2f}  "
            f"confident {r['confident']:.2f}  classes {r['classes_present']:2d}"
            + ("  recognisable" if r["recognisable"] else ""))  # fmt: skip
