import math

import pytest
import torch

from gan_edu import losses

# D's logits for two real and two fake points; sigmoid(0) = 1/2, sigmoid(log 3) = 3/4
REAL = torch.tensor([0.0, math.log(3.0)])
FAKE = torch.tensor([0.0, -math.log(3.0)])  # D(G(z)) = 1/2 and 1/4


def close(t, value):
    return math.isclose(t.item(), value, rel_tol=1e-6, abs_tol=1e-7)


def test_discriminator_bce_is_minus_value_function():
    # -E[log D(x)] - E[log(1 - D(G(z)))] with D(x) in {1/2, 3/4}, D(G(z)) in {1/2, 1/4}
    mean_log_d_real = (math.log(0.5) + math.log(0.75)) / 2
    mean_log_one_minus_d_fake = (math.log(0.5) + math.log(0.75)) / 2
    expected = -mean_log_d_real - mean_log_one_minus_d_fake
    assert close(losses.bce_d_loss(REAL, FAKE), expected)


def test_minimax_generator_minimises_log_one_minus_d():
    assert close(losses.minimax_g_loss(FAKE), (math.log(0.5) + math.log(0.75)) / 2)


def test_non_saturating_generator_minimises_minus_log_d():
    assert close(losses.non_saturating_g_loss(FAKE), -(math.log(0.5) + math.log(0.25)) / 2)


def test_least_squares():
    real_term = 0.5 * ((0 - 1) ** 2 + (math.log(3) - 1) ** 2) / 2  # (D(x) - 1)^2 / 2, averaged
    fake_term = 0.5 * (0**2 + math.log(3) ** 2) / 2  # D(G(z))^2 / 2, averaged
    assert close(losses.least_squares_d_loss(REAL, FAKE), real_term + fake_term)
    assert close(losses.least_squares_g_loss(FAKE), 0.5 * (1 + (math.log(3) + 1) ** 2) / 2)


def test_hinge_and_wasserstein():
    r, f = torch.tensor([2.0, 0.5]), torch.tensor([-2.0, 0.5])
    assert close(losses.hinge_d_loss(r, f), (0 + 0.5) / 2 + (0 + 1.5) / 2)
    assert close(losses.wasserstein_d_loss(r, f), (-2.0 + 0.5) / 2 - (2.0 + 0.5) / 2)
    assert close(losses.critic_g_loss(f), 0.75)


def test_saturating_gradient_vanishes_where_non_saturating_does_not():
    # When D confidently rejects a fake (logit -10), the minimax G loss has almost no gradient.
    logit = torch.tensor([-10.0], requires_grad=True)
    (g_sat,) = torch.autograd.grad(losses.minimax_g_loss(logit), logit)
    (g_ns,) = torch.autograd.grad(losses.non_saturating_g_loss(logit), logit)
    assert abs(g_sat.item()) < 1e-4 and abs(g_ns.item()) > 0.99


def test_large_logits_stay_finite():
    big = torch.tensor([100.0, -100.0])
    for loss in losses.LOSSES.values():
        assert torch.isfinite(loss.d_loss(big, -big)) and torch.isfinite(loss.g_loss(big))


def test_r1_and_gradient_penalty_on_a_linear_critic():
    w = torch.tensor([[3.0, 4.0]])  # |grad D| = 5 everywhere

    def D(x):
        return x @ w.T

    x = torch.randn(16, 2)
    assert close(losses.r1_penalty(D, x), 25.0)
    assert close(losses.gradient_penalty(D, x, torch.randn(16, 2)), 16.0)  # (5 - 1)^2


def test_penalties_are_differentiable_in_D():
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    penalty = losses.r1_penalty(net, torch.randn(8, 2))
    penalty.backward()
    assert net[0].weight.grad is not None and net[0].weight.grad.abs().sum() > 0


def test_unknown_loss_lists_valid_names():
    with pytest.raises(ValueError, match="unknown loss 'hinj'; choose one of: minimax, non_saturating"):
        losses.get_loss("hinj")


def test_which_losses_read_d_as_a_probability_is_the_losss_own_flag():
    """The views draw sigmoid(D) exactly for the losses that say D's logit is a probability."""
    from gan_edu import GANTrainer, views

    assert {name for name, loss in losses.LOSSES.items() if loss.probability} == {"minimax", "non_saturating"}
    for name in ("non_saturating", "hinge"):
        view = views.plane(GANTrainer(loss=name, g_width=8, d_width=8, device="cpu"), n=64, resolution=8)
        assert view["d_is_probability"] is losses.get_loss(name).probability
        inside = ((view["d_grid"] >= 0) & (view["d_grid"] <= 1)).all()
        assert inside or not view["d_is_probability"]
