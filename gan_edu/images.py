"""Image datasets for the image notebooks (08 onwards): tensors in [-1, 1], labels kept.

- `fashion_mnist`: the balanced subset shipped in data/ (10,000 training and 2,000 test images,
  28 x 28), or with `subset=False` the full 60,000 / 10,000 from an IDX folder (`root`, the
  GAN_EDU_DATA variable, or Debian's `dataset-fashion-mnist` package), checked by sha256.
- `digits`: scikit-learn's bundled 8 x 8 handwritten digits (1,797 images), the fastest to train.

Nothing here downloads: a missing or damaged file raises an error that names it, the checksum it
should have, and the command that restores it.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import checks
from .runtime import REPO

DATA = REPO / "data"
SUBSET_FILE = "fashion_mnist_subset.npz"
DEBIAN_IDX = "/usr/share/datasets/fashion-mnist"
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")  # fmt: skip
DIGIT_CLASSES = tuple(str(d) for d in range(10))
N_CLASSES = 10  # both image sets have ten classes (CLASSES, DIGIT_CLASSES)
SHA256 = {
    SUBSET_FILE: "ca2a84ed9bcb18e6f8529644f3d6b7037bbabea428757d85404ba31b5bf1550a",
    # Fashion-MNIST as published by Zalando Research (and packaged by Debian)
    "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
    "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
    # the shipped evaluators' weights (gan_edu.evaluator.WEIGHTS; data/README.md says how they were made)
    "evaluator.pt": "9e4ec69023bd67e5e897685834b4204f6cf699825843a9f7dc4435ae09fec8f1",
    "evaluator_digits.pt": "5a1515ef75f5d24ff57e9216c7af61d840de7d96f31bebd056958503bd5a25f6",
}
SPLITS = ("train", "test")


class DataFileError(RuntimeError):
    """A data file is missing, truncated or not the file the course was built with."""


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_file(path: Path, restore: str) -> Path:
    """Return `path` if it exists and has the sha256 recorded in SHA256; raise DataFileError if not."""
    path = Path(path)
    expected = SHA256[path.name]
    if not path.is_file():
        raise DataFileError(f"{path} is missing (expected sha256 {expected}). To restore it: {restore}")
    actual = sha256(path)
    if actual != expected:
        raise DataFileError(
            f"{path} is damaged or not the expected file: sha256 {actual}, expected {expected} "
            f"(a truncated copy, an interrupted checkout, or another version). To restore it: {restore}"
        )
    return path


@dataclass
class ImageDataset:
    """Images as a float32 tensor (N, C, H, W) in [-1, 1] with integer labels (N,).

    `sample(n, generator)` draws n images with replacement, like the toy datasets, so that
    `GANTrainer` treats points and images alike; `sample_labelled` also returns their labels.
    """

    name: str
    images: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]
    modes = None  # an image set has no mode centres: the evaluator measures classes instead

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.images.shape[1:])

    @property
    def dim(self) -> int:
        return int(np.prod(self.shape))

    def __len__(self) -> int:
        return len(self.images)

    def sample_labelled(self, n: int, generator: torch.Generator | None = None):
        n = checks.integer("n", n, meaning="how many samples")
        idx = torch.randint(len(self.images), (n,), generator=generator)
        return self.images[idx], self.labels[idx]

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return self.sample_labelled(n, generator)[0]


def to_tensor(pixels: np.ndarray) -> torch.Tensor:
    """uint8 pixels (N, H, W) in 0..255 -> float32 (N, 1, H, W) in [-1, 1]."""
    return torch.from_numpy(pixels.astype(np.float32) / 127.5 - 1.0).unsqueeze(1)


def to_pixels(images: torch.Tensor) -> np.ndarray:
    """The inverse of to_tensor, for pictures: (N, 1, H, W) in [-1, 1] -> uint8 (N, H, W)."""
    x = (images.detach().cpu().clamp(-1, 1) + 1) * 127.5
    return x.round().to(torch.uint8).squeeze(1).numpy()


def augment(x: torch.Tensor, g: torch.Generator, shift: int, flips: bool) -> torch.Tensor:
    """Classic augmentation of a batch (N, 1, H, W): random horizontal flips (if `flips`) and one
    random shift of up to `shift` pixels for the whole batch (fast, and enough), background filled."""
    if flips:
        flip = torch.rand(len(x), generator=g) < 0.5
        x = torch.where(flip[:, None, None, None], x.flip(3), x)
    size = x.shape[-1]
    padded = torch.nn.functional.pad(x, (shift,) * 4, value=-1.0)
    dx, dy = torch.randint(0, 2 * shift + 1, (2,), generator=g).tolist()
    return padded[:, :, dy : dy + size, dx : dx + size]


def _read_idx(path: Path) -> np.ndarray:
    raw = gzip.decompress(path.read_bytes())
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def read_idx_split(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The full Fashion-MNIST split from an IDX folder, checksums verified: uint8 images, labels."""
    prefix = {"train": "train", "test": "t10k"}[split]
    restore = (
        "sudo apt-get install dataset-fashion-mnist, or point GAN_EDU_DATA at a folder with the IDX files"
    )
    x = _read_idx(check_file(Path(folder) / f"{prefix}-images-idx3-ubyte.gz", restore))
    y = _read_idx(check_file(Path(folder) / f"{prefix}-labels-idx1-ubyte.gz", restore))
    return x, y.astype(np.int64)


def load_fashion_mnist(
    split: str = "train", subset: bool = True, root: str | Path | None = None
) -> ImageDataset:
    """Fashion-MNIST (Xiao et al. 2017) as an ImageDataset: the shipped subset, or the full set."""
    checks.choose(SPLITS, split, "split")
    if subset:
        path = check_file(
            DATA / SUBSET_FILE, "git checkout data/ (or rebuild: python data/build_fashion_mnist.py)"
        )
        with np.load(path) as arrays:
            x, y = arrays[f"{split}_images"], arrays[f"{split}_labels"]
    else:
        folder = root or os.environ.get("GAN_EDU_DATA") or DEBIAN_IDX
        x, y = read_idx_split(Path(folder), split)
    return ImageDataset(f"fashion_mnist/{split}", to_tensor(x), torch.from_numpy(y.astype(np.int64)), CLASSES)


def load_digits(split: str = "train") -> ImageDataset:
    """scikit-learn's 8 x 8 digits (pixel values 0-16): the first 1,500 train, the last 297 test."""
    from sklearn.datasets import load_digits as sklearn_digits

    checks.choose(SPLITS, split, "split")
    bunch = sklearn_digits()
    x, y = bunch.images.astype(np.float32), bunch.target.astype(np.int64)
    part = slice(0, 1500) if split == "train" else slice(1500, None)
    pixels = torch.from_numpy(x[part] / 8.0 - 1.0).unsqueeze(1)  # 0..16 -> [-1, 1]
    return ImageDataset(f"digits/{split}", pixels, torch.from_numpy(y[part]), DIGIT_CLASSES)


DATASETS = {"fashion_mnist": load_fashion_mnist, "digits": load_digits}


def get_dataset(name: str, **options) -> ImageDataset:
    """An image set by name, loaded once per session (a trainer's reset and configure ask often)."""
    checks.choose(DATASETS, name, "image dataset")
    checks.keywords(DATASETS[name], options, f"image dataset {name!r}")
    return _cached(name, tuple(sorted(options.items())))


@functools.cache
def _cached(name: str, options: tuple) -> ImageDataset:
    return DATASETS[name](**dict(options))


def save_npz(path: Path, **arrays: np.ndarray) -> None:
    """np.savez_compressed, but with fixed zip timestamps, so the same arrays give the same bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue(), compresslevel=9)
