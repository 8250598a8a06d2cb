"""GAN objectives as small pure functions of D's raw outputs (notebooks 02, 03 and 07).

Every function takes D's *logits* (real numbers, before any sigmoid) and returns a scalar that the
player concerned **minimises**. D maximises V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))], so its
loss is -V: -E[log D(x)] - E[log(1 - D(G(z)))] -- the binary cross-entropy with label 1 for real
points and label 0 for fake ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from . import checks


def _bce(logits: Tensor, label: float) -> Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, label))


def bce_d_loss(real: Tensor, fake: Tensor) -> Tensor:
    """D's loss for minimax and non-saturating GANs: -E[log D(x)] - E[log(1 - D(G(z)))]."""
    return _bce(real, 1.0) + _bce(fake, 0.0)


def minimax_g_loss(fake: Tensor) -> Tensor:
    """G minimises E[log(1 - D(G(z)))] (saturating: tiny gradient when D rejects the fakes)."""
    return -_bce(fake, 0.0)


def non_saturating_g_loss(fake: Tensor) -> Tensor:
    """G maximises E[log D(G(z))], i.e. minimises -E[log D(G(z))] (Goodfellow et al. 2014)."""
    return _bce(fake, 1.0)


def least_squares_d_loss(real: Tensor, fake: Tensor) -> Tensor:
    """LSGAN (Mao et al. 2017), targets 1 for real and 0 for fake: (D(x)-1)^2/2 + D(G(z))^2/2."""
    return 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean()


def least_squares_g_loss(fake: Tensor) -> Tensor:
    """LSGAN generator: (D(G(z)) - 1)^2 / 2."""
    return 0.5 * ((fake - 1) ** 2).mean()


def hinge_d_loss(real: Tensor, fake: Tensor) -> Tensor:
    """Hinge loss (Lim and Ye 2017; Miyato et al. 2018): E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]."""
    return F.relu(1 - real).mean() + F.relu(1 + fake).mean()


def wasserstein_d_loss(real: Tensor, fake: Tensor) -> Tensor:
    """The critic maximises E[D(x)] - E[D(G(z))] (Arjovsky et al. 2017), so it minimises the negative."""
    return fake.mean() - real.mean()


def critic_g_loss(fake: Tensor) -> Tensor:
    """G for hinge and Wasserstein losses: maximise E[D(G(z))]."""
    return -fake.mean()


class GANLoss(NamedTuple):
    """A pair of objectives: `d_loss(real_logits, fake_logits)` and `g_loss(fake_logits)`.

    `probability`: D's output is a logit whose sigmoid is the probability "real" (the BCE losses),
    so the views draw sigmoid(D); for the others D's output is a score, drawn as it is."""

    name: str
    d_loss: Callable[[Tensor, Tensor], Tensor]
    g_loss: Callable[[Tensor], Tensor]
    probability: bool = False


LOSSES = {
    loss.name: loss
    for loss in (
        GANLoss("minimax", bce_d_loss, minimax_g_loss, probability=True),
        GANLoss("non_saturating", bce_d_loss, non_saturating_g_loss, probability=True),
        GANLoss("least_squares", least_squares_d_loss, least_squares_g_loss),
        GANLoss("hinge", hinge_d_loss, critic_g_loss),
        GANLoss("wasserstein", wasserstein_d_loss, critic_g_loss),
    )
}


def get_loss(name: str) -> GANLoss:
    """Look a loss up by name: minimax, non_saturating, least_squares, hinge, wasserstein."""
    return LOSSES[checks.choose(LOSSES, name, "loss")]


def _input_grad(D: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return grad.flatten(1)


def gradient_penalty(
    D: Callable[[Tensor], Tensor],
    x_real: Tensor,
    x_fake: Tensor,
    generator: torch.Generator | None = None,
) -> Tensor:
    """WGAN-GP (Gulrajani et al. 2017): E[(||grad D(x_hat)|| - 1)^2] on random interpolates x_hat."""
    shape = (len(x_real),) + (1,) * (x_real.dim() - 1)
    eps = torch.rand(shape, generator=generator).to(x_real.device)
    x_hat = eps * x_real.detach() + (1 - eps) * x_fake.detach()
    return ((_input_grad(D, x_hat).norm(dim=1) - 1) ** 2).mean()


@torch.no_grad()
@torch.no_grad()
def clip_weights(D: torch.nn.Module, c: float) -> None:
    """The original WGAN's Lipschitz constraint (Arjovsky et al. 2017): every weight of D clipped to
    [-c, c] in place, after each of its updates (outside autograd: it is not part of the loss)."""
    for p in D.parameters():
        p.clamp_(-c, c)


def r1_penalty(D: Callable[[Tensor], Tensor], x_real: Tensor) -> Tensor:
    """R1 (Mescheder et al. 2018): E[||grad D(x)||^2] on real data; D adds (gamma / 2) times this."""
    return (_input_grad(D, x_real) ** 2).sum(dim=1).mean()
