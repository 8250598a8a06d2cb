"""Rebuild data/fashion_mnist_subset.npz from Debian's `dataset-fashion-mnist` IDX files.

    python data/build_fashion_mnist.py [IDX_FOLDER]   # default /usr/share/datasets/fashion-mnist

The subset is balanced: the first 1,000 training images of each class (10,000) and the first 200
test images of each class (2,000), in the source's order, as uint8. Deterministic: the same IDX
files give the same bytes, whose sha256 data/README.md records. Nothing is downloaded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gan_edu import images  # noqa: E402

PER_CLASS = {"train": 1000, "test": 200}


def balanced(x: np.ndarray, y: np.ndarray, per_class: int) -> tuple[np.ndarray, np.ndarray]:
    keep = np.sort(np.concatenate([np.flatnonzero(y == c)[:per_class] for c in range(10)]))
    return x[keep], y[keep]


def main(folder: str = images.DEBIAN_IDX) -> None:
    arrays = {}
    for split, per_class in PER_CLASS.items():
        x, y = images.read_idx_split(Path(folder), split)
        arrays[f"{split}_images"], arrays[f"{split}_labels"] = balanced(x, y, per_class)
    out = images.DATA / images.SUBSET_FILE
    images.save_npz(out, **arrays)  # fixed timestamps: the same IDX files give the same bytes
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB), sha256 {images.sha256(out)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
