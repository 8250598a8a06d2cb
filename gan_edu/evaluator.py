"""The evaluator: a small CNN classifier of Fashion-MNIST whose features and class probabilities
turn "the samples look good" into numbers (notebook 08 onwards).

Trained once by `python data/train_evaluator.py` on the shipped subset; its weights ship in data/
with their sha256 and test accuracy (data/README.md). Notebooks load it; they never retrain it.
"""

from __future__ import annotations

import functools

import torch
from torch import nn

from . import images, metrics

WEIGHTS_FILE = "evaluator.pt"
FEATURES = 128  # the penultimate layer's width: what Fréchet distance and precision/recall compare
images.SHA256[WEIGHTS_FILE] = "9e4ec69023bd67e5e897685834b4204f6cf699825843a9f7dc4435ae09fec8f1"


def _block(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]


class Evaluator(nn.Module):
    """(B, 1, 28, 28) images in [-1, 1] -> `features` (B, 128) and class `logits` (B, 10)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(  # x: (B, 1, 28, 28)
            *_block(1, 32), *_block(32, 32), nn.MaxPool2d(2),  # (B, 32, 14, 14)
            *_block(32, 64), *_block(64, 64), nn.MaxPool2d(2),  # (B, 64, 7, 7)
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
    if not isinstance(x, torch.Tensor) or x.dim() != 4 or tuple(x.shape[1:]) != (1, 28, 28):
        shape = tuple(x.shape) if hasattr(x, "shape") else type(x).__name__
        raise ValueError(
            f"the evaluator takes Fashion-MNIST-sized images (N, 1, 28, 28) in [-1, 1]; got {shape}"
        )
    if len(x) == 0:
        raise ValueError("the evaluator needs at least one image")
    if not torch.isfinite(x).all():
        raise ValueError(
            "the images hold NaN or infinite values; a diverged G makes them (see TrainingDiverged)"
        )


@functools.cache
def load() -> Evaluator:
    """The shipped evaluator, checksum verified, in eval mode on the CPU."""
    path = images.check_file(
        images.DATA / WEIGHTS_FILE, "git checkout data/ (or retrain: python data/train_evaluator.py)"
    )
    net = Evaluator()
    net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return net.eval()


@functools.cache
def reference(n: int = 1000) -> torch.Tensor:
    """The first n test images of the shipped subset: the real side of every comparison."""
    return images.load_fashion_mnist("test").images[:n]


def report(fake: torch.Tensor, real: torch.Tensor) -> dict:
    """Everything the evaluator says of `fake` images against `real` ones: Fréchet distance,
    precision/recall/density/coverage of the features, and the class statistics of `fake`
    (confident share, class histogram, recognisable or not; see metrics.RECOGNISABLE)."""
    net = load()
    f_fake, f_real = net.features(fake.cpu()), net.features(real.cpu())
    probabilities = torch.softmax(net.head(f_fake), dim=1)
    return {"frechet": metrics.frechet_distance(f_real, f_fake), **metrics.precision_recall(f_real, f_fake),
            **metrics.class_stats(probabilities)}  # fmt: skip
