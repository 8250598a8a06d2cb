import math

import numpy as np
import pytest
import torch

from gan_edu import metrics, toy

THREE_SIGMA_2D = 1 - math.exp(-4.5)  # 0.98889: mass of a 2-D Gaussian within 3 sigma


@pytest.mark.parametrize("data, n_modes", [(toy.ring(), 8), (toy.grid(), 25), (toy.ring(std=0.01), 8)])
def test_true_samples_capture_every_mode_at_the_three_sigma_rate(data, n_modes):
    x = data.sample(100_000, torch.Generator().manual_seed(0))
    m = metrics.mode_stats(x, data.modes, data.std)
    assert m["modes_captured"] == m["n_modes"] == n_modes
    assert abs(m["high_quality"] - THREE_SIGMA_2D) < 0.002
    assert m["reverse_kl"] < 0.002
    assert math.isclose(metrics.gaussian_mass_within(3), THREE_SIGMA_2D)


def test_collapsed_samples():
    data = toy.ring()
    x = data.modes[:1].repeat(1000, 1)  # everything on mode 0
    m = metrics.mode_stats(x, data.modes, data.std)
    assert m["modes_captured"] == 1 and m["high_quality"] == 1.0
    assert math.isclose(m["reverse_kl"], math.log(8))
    assert m["counts"].tolist() == [1000] + [0] * 7
    assert m["shares"].tolist() == [1.0] + [0.0] * 7


def test_far_samples_are_low_quality_and_capture_nothing():
    data = toy.ring()
    m = metrics.mode_stats(np.zeros((100, 2)), data.modes, data.std)  # the centre of the ring
    assert m["modes_captured"] == 0 and m["high_quality"] == 0.0


def test_two_modes_half_each():
    data = toy.grid()
    x = torch.cat([data.modes[:1].repeat(50, 1), data.modes[1:2].repeat(50, 1)])
    m = metrics.mode_stats(x, data.modes, data.std)
    assert m["modes_captured"] == 2 and math.isclose(m["reverse_kl"], math.log(25 / 2))


def test_bad_inputs():
    data = toy.ring()
    with pytest.raises(ValueError, match=r"samples must have shape \(N, dim\)"):
        metrics.mode_stats(np.zeros(10), data.modes, data.std)
    with pytest.raises(ValueError, match="dim 3 but modes have dim 2"):
        metrics.mode_stats(np.zeros((10, 3)), data.modes, data.std)
    with pytest.raises(ValueError, match="NaN"):
        metrics.mode_stats(np.full((10, 2), np.nan), data.modes, data.std)
    with pytest.raises(ValueError, match=r"samples is empty \(shape \(0, 2\)\)"):
        metrics.mode_stats(np.zeros((0, 2)), data.modes, data.std)  # not a perfect-looking score
    with pytest.raises(ValueError, match="x is empty"):
        metrics.wasserstein_exact(np.zeros((0, 2)), np.zeros((0, 2)))
