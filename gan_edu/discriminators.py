"""A discriminator or critic trained alone, against two fixed distributions (notebooks 02 and 07).

No generator moves here: that is what lets us compare D with its theoretical optimum (02) and a
critic's estimate with the exact Wasserstein-1 distance (07).
"""

from __future__ import annotations

import torch

from . import checks, losses, nets, toy


def fit_discriminator(D: torch.nn.Module, real: toy.ToyDataset, fake: toy.ToyDataset, steps: int = 2000,
                      lr: float = 1e-3, batch_size: int = 512, seed: int = 0, loss: str = "bce",
                      gp_weight: float = 0.0, weight_clip: float = 0.0) -> list[float]:  # fmt: skip
    """Train D alone to tell `real` samples from `fake` ones; return its loss at each step.

    loss="bce": a discriminator (notebook 02: it approaches D* = p_data / (p_data + p_g)).
    loss="wasserstein": a critic, kept Lipschitz by a gradient penalty and/or weight clipping
    (notebook 07: E[f(real)] - E[f(fake)] then estimates the Wasserstein-1 distance).
    """
    checks.choose(("bce", "wasserstein"), loss, "discriminator loss")
    rng = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    d_loss_fn = losses.bce_d_loss if loss == "bce" else losses.wasserstein_d_loss
    history = []
    for _ in range(steps):
        x_real, x_fake = real.sample(batch_size, rng), fake.sample(batch_size, rng)
        d_loss = d_loss_fn(D(x_real), D(x_fake))
        if gp_weight:
            d_loss = d_loss + gp_weight * losses.gradient_penalty(D, x_real, x_fake, rng)
        opt.zero_grad()
        d_loss.backward()
        opt.step()
        if weight_clip:
            losses.clip_weights(D, weight_clip)
        history.append(d_loss.item())
    return history


def gap(f: torch.nn.Module, real: torch.Tensor, fake: torch.Tensor) -> float:
    """E f(real) - E f(fake): a Lipschitz critic's estimate of W1 between the two samples."""
    with torch.no_grad():
        return (f(real).mean() - f(fake).mean()).item()


def mean_slope(f: torch.nn.Module, x: torch.Tensor) -> float:
    """Mean |grad f| at the points x (1 for the optimal critic along the transport lines)."""
    x = x.detach().clone().requires_grad_(True)
    return torch.autograd.grad(f(x).sum(), x)[0].norm(dim=1).mean().item()


def fit_critic(real: toy.ToyDataset, fake: toy.ToyDataset, steps: int, seed: int = 0, depth: int = 3,
               **constraint) -> tuple[torch.nn.Module, float, float]:  # fmt: skip
    """Train a fresh critic (`depth` hidden layers, Adam at 1e-4) on `real` against `fake`, kept
    Lipschitz by `constraint` (gp_weight=... or weight_clip=...). Return the critic, its estimate
    of W1 on 4,000 fresh samples of each, and its mean slope on 1,000 data points."""
    torch.manual_seed(seed)
    f = nets.make_discriminator(2, depth=depth)
    fit_discriminator(f, real, fake, steps=steps, lr=1e-4, loss="wasserstein", seed=seed, **constraint)
    test = torch.Generator().manual_seed(99)
    estimate = gap(f, real.sample(4000, test), fake.sample(4000, test))
    return f, estimate, mean_slope(f, real.sample(1000, test))
