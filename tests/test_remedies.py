"""Trainer options against mode collapse and for WGANs: packing, minibatch std, clipping, unrolling."""

import numpy as np
import pytest
import scipy.stats
import torch

from gan_edu import GANTrainer, metrics, nets, toy
from gan_edu.train import fit_discriminator

SMALL = {"g_width": 32, "d_width": 32, "batch_size": 64, "device": "cpu"}


def test_packed_discriminator_judges_groups_of_samples():
    D = nets.make_discriminator(2, depth=2, width=16, pack=4)
    assert D(torch.randn(64, 2)).shape == (16, 1)
    with pytest.raises(ValueError, match="divisible by pack=4, got 10 points"):
        D(torch.randn(10, 2))


def test_minibatch_std_feature():
    layer = nets.MinibatchStd()
    x = torch.tensor([[0.0, 0.0], [2.0, 4.0]])
    out = layer(x)
    assert out.shape == (2, 3) and torch.allclose(out[:, 2], torch.tensor([1.5, 1.5]))  # mean of stds 1, 2
    assert nets.make_discriminator(2, minibatch_std=True)(torch.randn(8, 2)).shape == (8, 1)


def test_default_discriminator_is_unchanged():
    torch.manual_seed(0)
    plain = nets.make_discriminator(2)
    torch.manual_seed(0)
    explicit = nets.make_discriminator(2, pack=1, minibatch_std=False)
    assert isinstance(plain[0], torch.nn.Linear)
    assert all(torch.equal(a, b) for a, b in zip(plain.parameters(), explicit.parameters(), strict=True))


OPTIONS = [
    {"pack": 2},
    {"pack": 4, "r1_weight": 1.0},
    {"minibatch_std": True},
    {"loss": "wasserstein", "weight_clip": 0.01},
    {"unroll_steps": 3},
]


@pytest.mark.parametrize("changes", OPTIONS)
def test_each_option_trains_and_draws(changes):
    t = GANTrainer(**SMALL, **changes)
    t.run(5, progress=False)
    assert torch.isfinite(t.sample(16)).all()
    view = t.view(n=64, resolution=8)
    assert view["d_grid"].shape == (8, 8) and np.isfinite(view["arrows"]).all()


def test_weight_clipping_bounds_every_weight():
    t = GANTrainer(**SMALL, loss="wasserstein", weight_clip=0.02)
    t.run(3, progress=False)
    assert max(p.abs().max().item() for p in t.D.parameters()) <= 0.02


def test_unrolling_puts_D_back_after_the_G_step():
    t = GANTrainer(**SMALL, unroll_steps=5)
    t.d_step()
    before = [p.clone() for p in t.D.parameters()]
    adam_steps = t.opt_D.state[next(iter(t.D.parameters()))]["step"].item()
    G_before = [p.clone() for p in t.G.parameters()]
    t.g_step()
    assert all(torch.equal(a, b) for a, b in zip(before, t.D.parameters(), strict=True))
    assert t.opt_D.state[next(iter(t.D.parameters()))]["step"].item() == adam_steps
    assert not all(torch.equal(a, b) for a, b in zip(G_before, t.G.parameters(), strict=True))


def test_option_values_are_checked():
    with pytest.raises(ValueError, match=r"batch_size \(64\) must be a multiple of pack \(3\)"):
        GANTrainer(**SMALL, pack=3)
    with pytest.raises(ValueError, match="unroll_steps must be zero or a positive integer, got -1"):
        GANTrainer(**SMALL, unroll_steps=-1)
    with pytest.raises(ValueError, match="weight_clip must be zero or positive"):
        GANTrainer(**SMALL, weight_clip=-0.1)


def test_exact_wasserstein_distance():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    assert metrics.wasserstein_exact(x, x + np.array([3.0, 4.0])) == pytest.approx(5.0)  # a shift
    assert metrics.wasserstein_exact(x, rng.permutation(x)) == pytest.approx(0.0, abs=1e-12)
    a, b = rng.normal(size=(300, 1)), rng.exponential(size=(300, 1))
    assert metrics.wasserstein_exact(a, b) == pytest.approx(
        scipy.stats.wasserstein_distance(a[:, 0], b[:, 0])
    )
    with pytest.raises(ValueError, match="same shape"):
        metrics.wasserstein_exact(x, x[:10])


def test_rmsprop_for_the_original_wgan():
    t = GANTrainer(**SMALL, optimizer="rmsprop", loss="wasserstein", weight_clip=0.01)
    assert isinstance(t.opt_D, torch.optim.RMSprop) and isinstance(t.opt_G, torch.optim.RMSprop)
    t.run(3, progress=False)
    with pytest.raises(ValueError, match="optimizer"):
        GANTrainer(**SMALL, optimizer="adagrad")


def test_fit_a_critic_alone():
    ring, wide = toy.ring(), toy.ring(radius=3.0)
    torch.manual_seed(0)
    critic = nets.make_discriminator(2, depth=1, width=16)
    losses = fit_discriminator(critic, ring, wide, steps=5, loss="wasserstein", weight_clip=0.05)
    assert len(losses) == 5 and all(p.abs().max() <= 0.05 for p in critic.parameters())
    fit_discriminator(critic, ring, wide, steps=2, loss="wasserstein", gp_weight=10.0)
    with pytest.raises(ValueError, match="loss must be 'bce' or 'wasserstein', got 'hinge'"):
        fit_discriminator(critic, ring, wide, steps=1, loss="hinge")
