import math

import pytest
import torch

from gan_edu import toy


@pytest.mark.parametrize("name", list(toy.DATASETS))
def test_every_dataset_samples_its_shape(name):
    data = toy.get_dataset(name)
    x = data.sample(300, torch.Generator().manual_seed(0))
    assert x.shape == (300, data.dim) and x.dtype == torch.float32
    assert torch.isfinite(x).all() and x.abs().max() < data.extent


def test_ring_and_grid_modes():
    ring = toy.ring()
    assert ring.modes.shape == (8, 2)
    assert torch.allclose(ring.modes.norm(dim=1), torch.full((8,), 2.0))
    grid = toy.grid()
    assert grid.modes.shape == (25, 2)
    assert sorted(set(grid.modes[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert toy.spiral().modes is None


def test_mixture_std_and_weights():
    data = toy.mixture_1d(means=(-3.0, 3.0), std=0.5, weights=(1, 3))
    x = data.sample(40_000, torch.Generator().manual_seed(1))
    right = x[x > 0]
    assert abs(len(right) / len(x) - 0.75) < 0.01
    assert abs(right.std().item() - 0.5) < 0.01
    assert abs(right.mean().item() - 3.0) < 0.01


def test_sampling_is_reproducible_with_a_generator():
    a = toy.ring().sample(10, torch.Generator().manual_seed(5))
    b = toy.ring().sample(10, torch.Generator().manual_seed(5))
    assert torch.equal(a, b)


def test_from_array_uses_the_rows():
    rows = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    x = toy.from_array(rows).sample(50)
    assert all(any(torch.equal(r, row) for row in rows) for r in x)


def test_ring_std_is_what_it_says():
    data = toy.ring(std=0.1)
    x = data.sample(20_000, torch.Generator().manual_seed(2))
    nearest = torch.cdist(x, data.modes).argmin(1)
    residual = x - data.modes[nearest]
    assert math.isclose(residual.std().item(), 0.1, rel_tol=0.03)
