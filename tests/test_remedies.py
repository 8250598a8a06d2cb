"""Trainer options against mode collapse and for WGANs: packing, minibatch std, clipping, unrolling."""

import numpy as np
import pytest
import scipy.stats
import torch

from gan_edu import GANTrainer, metrics, nets, toy, views
from gan_edu.discriminators import fit_discriminator

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
    view = views.plane(t, n=64, resolution=8)
    assert view["d_grid"].shape == (8, 8) and np.isfinite(view["arrows"]).all()


def test_weight_clipping_bounds_every_weight():
    t = GANTrainer(**SMALL, loss="wasserstein", weight_clip=0.02)
    t.run(3, progress=False)
    assert max(p.abs().max().item() for p in t.D.parameters()) <= 0.02


@pytest.mark.parametrize("first_order", [False, True])
def test_unrolling_puts_D_back_after_the_G_step(first_order):
    t = GANTrainer(**SMALL, unroll_steps=5, unroll_first_order=first_order)
    t.d_step()
    before = [p.clone() for p in t.D.parameters()]
    adam_steps = t.opt_D.state[next(iter(t.D.parameters()))]["step"].item()
    G_before = [p.clone() for p in t.G.parameters()]
    t.g_step()
    assert all(torch.equal(a, b) for a, b in zip(before, t.D.parameters(), strict=True))
    assert t.opt_D.state[next(iter(t.D.parameters()))]["step"].item() == adam_steps
    assert not all(torch.equal(a, b) for a, b in zip(G_before, t.G.parameters(), strict=True))


def _unrolled_setup(optimizer):
    """Tiny float64 G and D, D's optimizer with some state, fixed batches: the unrolled loss of G."""
    from torch.func import functional_call

    from gan_edu import losses, nets, unroll

    torch.manual_seed(0)
    G = nets.make_generator(2, 2, depth=1, width=4, activation="tanh").double()
    D = nets.make_discriminator(2, depth=1, width=4, activation="tanh").double()
    opt_D = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop}[optimizer](
        D.parameters(), lr=0.1
    )
    loss = losses.get_loss("non_saturating")
    D(torch.randn(8, 2, dtype=torch.float64)).sum().backward()
    opt_D.step()  # D's optimizer now has running state, which the look-ahead must start from
    x_real, z_D = torch.randn(3, 16, 2, dtype=torch.float64), torch.randn(3, 16, 2, dtype=torch.float64)
    z = torch.randn(16, 2, dtype=torch.float64)

    def d_objective(D_fn, real, fake):
        return loss.d_loss(D_fn(real), D_fn(fake))

    def unrolled_loss(g_params, first_order=False):
        fakes = [functional_call(G, g_params, (zd,)) for zd in z_D]
        fakes = [f.detach() for f in fakes] if first_order else fakes
        params = unroll.lookahead(D, d_objective, list(zip(x_real, fakes, strict=True)), opt_D)
        return loss.g_loss(functional_call(D, params, (functional_call(G, g_params, (z,)),)))

    return G, D, unrolled_loss


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_unrolled_gradient_matches_finite_differences(optimizer):
    """G's gradient through D's k look-ahead updates is the true derivative of the unrolled loss."""
    G, D, unrolled_loss = _unrolled_setup(optimizer)
    D_before = [p.detach().clone() for p in D.parameters()]
    theta = {n: p.detach().clone().requires_grad_(True) for n, p in G.named_parameters()}
    grads = torch.autograd.grad(unrolled_loss(theta), list(theta.values()))
    first_order = torch.autograd.grad(unrolled_loss(theta, first_order=True), list(theta.values()))
    gen = torch.Generator().manual_seed(1)
    h = 1e-6
    for _ in range(5):
        u = {n: torch.randn(p.shape, generator=gen, dtype=torch.float64) for n, p in theta.items()}
        plus = unrolled_loss({n: theta[n] + h * u[n] for n in theta}).item()
        minus = unrolled_loss({n: theta[n] - h * u[n] for n in theta}).item()
        numeric = (plus - minus) / (2 * h)
        exact = sum((g * u[n]).sum() for g, n in zip(grads, theta, strict=True)).item()
        partial = sum((g * u[n]).sum() for g, n in zip(first_order, theta, strict=True)).item()
        assert abs(numeric - exact) <= 1e-6 * max(1.0, abs(numeric))
        assert abs(numeric - partial) > 1e-4  # the reaction term is not negligible here
    assert all(torch.equal(a, b) for a, b in zip(D_before, D.parameters(), strict=True))


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
    refused = "unknown discriminator loss 'hinge'; choose one of: bce, wasserstein"
    with pytest.raises(ValueError, match=refused):
        fit_discriminator(critic, ring, wide, steps=1, loss="hinge")
