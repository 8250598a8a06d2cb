"""The evaluator: a small CNN classifier whose features and class probabilities turn "the samples
look good" into numbers (notebook 08 onwards). One network design, two trained copies: one for
Fashion-MNIST (28 x 28), one for scikit-learn's digits (8 x 8); `report` picks by image size.

Trained once by `python data/train_evaluator.py [--dataset digits]` on the shipped data; the weights
ship in data/ with their sha256 and test accuracy (data/README.md). Notebooks never retrain them.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch import nn

from . import images, metrics

N_CLASSES = 10  # both image sets (Fashion-MNIST, digits) have ten classes
FEATURES = 128  # the penultimate layer's width: what Fréchet distance and precision/recall compare
WEIGHTS = {"fashion_mnist": "evaluator.pt", "digits": "evaluator_digits.pt"}  # files in data/
SIZES = {28: "fashion_mnist", 8: "digits"}  # image side -> the dataset whose evaluator judges it
images.SHA256[WEIGHTS["fashion_mnist"]] = "9e4ec69023bd67e5e897685834b4204f6cf699825843a9f7dc4435ae09fec8f1"
images.SHA256[WEIGHTS["digits"]] = "5a1515ef75f5d24ff57e9216c7af61d840de7d96f31bebd056958503bd5a25f6"


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
        self.head = nn.Linear(FEATURES, 10)  # (B, 10): one logit per class

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))

    @torch.no_grad()
    def features(self, x: torch.Tensor, batch: int = 500) -> torch.Tensor:
        """Penultimate features of many images, in batches, on the CPU: (N, 128)."""
        _check_images(x)
        return torch.cat([self.body(x[i : i + batch].float()) for i in range(0, len(x), batch)])

    @torch.no_grad()
    def probabilities(self, x: torch.Tensor, batch: int = 500) -> torch.Tensor:
        """Class probabilities (N, 10)."""
        return torch.softmax(self.head(self.features(x, batch)), dim=1)


def _check_images(x) -> None:
    if not isinstance(x, torch.Tensor) or x.dim() != 4 or x.shape[1] != 1 or x.shape[2] not in SIZES \
            or x.shape[2] != x.shape[3]:  # fmt: skip
        shape = tuple(x.shape) if hasattr(x, "shape") else type(x).__name__
        raise ValueError(
            "the evaluator takes Fashion-MNIST images (N, 1, 28, 28) or digits (N, 1, 8, 8) in [-1, 1]; "
            f"got {shape}"
        )
    if len(x) == 0:
        raise ValueError("the evaluator needs at least one image")
    if not torch.isfinite(x).all():
        raise ValueError(
            "the images hold NaN or infinite values; a diverged G makes them (see TrainingDiverged)"
        )


def _dataset(dataset: str) -> str:
    if dataset not in WEIGHTS:
        raise ValueError(f"no evaluator for {dataset!r}; there is one for: {', '.join(WEIGHTS)}")
    return dataset


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
    if not 2 <= n <= len(pool):
        raise ValueError(f"{dataset} has {len(pool)} test images; ask for 2 to {len(pool)}, not {n}")
    return pool[:n]


def report(fake: torch.Tensor, real: torch.Tensor) -> dict:
    """Everything the evaluator says of `fake` images against `real` ones: Fréchet distance,
    precision/recall/density/coverage of the features, and the class statistics of `fake`
    (confident share, class histogram, recognisable or not; see metrics.RECOGNISABLE)."""
    _check_images(real), _check_images(fake)
    if fake.shape[1:] != real.shape[1:]:
        raise ValueError(
            f"fake images {tuple(fake.shape[1:])} and real {tuple(real.shape[1:])} differ in size"
        )
    net = load(SIZES[real.shape[2]])
    f_fake, f_real = net.features(fake.cpu()), net.features(real.cpu())
    probabilities = torch.softmax(net.head(f_fake), dim=1)
    return {"frechet": metrics.frechet_distance(f_real, f_fake), **metrics.precision_recall(f_real, f_fake),
            **metrics.class_stats(probabilities)}  # fmt: skip


@torch.no_grad()
def class_stats(x: torch.Tensor) -> dict:
    """The class statistics alone (confident share, histogram, recognisable) of images x: what the
    evaluator of their size makes of them, with no real images to compare with."""
    _check_images(x)
    net = load(SIZES[x.shape[2]])
    return metrics.class_stats(torch.softmax(net.head(net.features(x.cpu())), dim=1))


@torch.no_grad()
def class_accuracy(x: torch.Tensor, asked: torch.Tensor) -> np.ndarray:
    """For each class c: the share of the images drawn for c (where `asked` == c) that the evaluator
    names c. The class accuracy of a conditional G (notebook 09); NaN for a class never asked."""
    _check_images(x)
    asked = torch.as_tensor(asked)
    if asked.shape != (len(x),):
        raise ValueError(f"asked must hold one class per image, shape ({len(x)},), not {tuple(asked.shape)}")
    named = load(SIZES[x.shape[2]]).probabilities(x.cpu()).argmax(1)
    return np.array([(named[asked == c] == c).float().mean().item() for c in range(N_CLASSES)])


def summary(r: dict) -> str:
    """One line of a `report`: the numbers a reader compares, and the verdict."""
    return (f"Fréchet {r['frechet']:6.2f}  precision {r['precision']:.2f}  recall {r['recall']:.2f}  "
            f"confident {r['confident']:.2f}  classes {r['classes_present']:2d}"
            + ("  recognisable" if r["recognisable"] else ""))  # fmt: skip
