"""The answer key of notebook 03's "spot the bug": six broken training steps and the harness that
trains them.

Each broken function is the correct step of notebook 03 with one thing changed, marked `# BUG:`.
The notebook shows a broken run's symptoms first and reveals which bug it was afterwards, so a
student who wants to play fair reads this file only after guessing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from . import checks, metrics

bce = nn.BCEWithLogitsLoss()


def g_step_real_input(G, D, opt_G, rng, batch_size, latent_dim, data):
    x_real = data.sample(batch_size, rng)
    fake_logits = D(G(x_real))  # BUG: G's input must be noise z, not data
    g_loss = bce(fake_logits, torch.ones_like(fake_logits))
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return g_loss.item()


def opt_G_over_D(G, D, lr, betas):
    return torch.optim.Adam(D.parameters(), lr=lr, betas=betas)  # BUG: D's parameters, not G's


def opt_G_over_both(G, D, lr, betas):
    return torch.optim.Adam([*G.parameters(), *D.parameters()], lr=lr, betas=betas)  # BUG: both


def g_step_on_real(G, D, opt_G, rng, batch_size, latent_dim, data):
    x_real = data.sample(batch_size, rng)
    real_logits = D(x_real)  # BUG: G does not appear in its own loss
    g_loss = bce(real_logits, torch.ones_like(real_logits))
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return g_loss.item()


def d_step_all_real(G, D, opt_D, data, rng, batch_size, latent_dim):
    x_real = data.sample(batch_size, rng)
    x_fake = G(torch.randn(batch_size, latent_dim, generator=rng)).detach()
    real_logits, fake_logits = D(x_real), D(x_fake)
    fake_labels = torch.ones_like(fake_logits)  # BUG: fakes labelled 1 ("real")
    d_loss = bce(real_logits, torch.ones_like(real_logits)) + bce(fake_logits, fake_labels)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    return d_loss.item()


def d_step_wrong_sign(G, D, opt_D, data, rng, batch_size, latent_dim):
    x_real = data.sample(batch_size, rng)
    x_fake = G(torch.randn(batch_size, latent_dim, generator=rng)).detach()
    real_logits, fake_logits = D(x_real), D(x_fake)
    d_loss = bce(real_logits, torch.ones_like(real_logits)) - bce(  # BUG: '-' instead of '+'
        fake_logits, torch.zeros_like(fake_logits)
    )
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    return d_loss.item()


@dataclass(frozen=True)
class Bug:
    name: str  # what is wrong, revealed after the student's guess
    replaces: str  # "d_step", "g_step" or "opt_G"
    broken: Callable


BUGS = {
    1: Bug("real data fed into the generator", "g_step", g_step_real_input),
    2: Bug("G's optimizer holds D's parameters", "opt_G", opt_G_over_D),
    3: Bug("one optimizer for both networks, stepped with G's loss", "opt_G", opt_G_over_both),
    4: Bug("G's loss computed on D(real) instead of D(G(z))", "g_step", g_step_on_real),
    5: Bug("real and fake both labelled 'real'", "d_step", d_step_all_real),
    6: Bug("the discriminator loss with the wrong sign", "d_step", d_step_wrong_sign),
}


@dataclass
class BugLab:
    """Trains fresh players with notebook 03's correct steps, one piece replaced by a broken one.

    `players(seed)` returns `(G, D, opt_G, opt_D, rng)`; `d_step` and `g_step` are the notebook's
    correct functions, so each mystery breaks only what its bug breaks.
    """

    d_step: Callable
    g_step: Callable
    players: Callable
    data: object
    config: object
    steps: int

    def run(self, number: int) -> dict:
        checks.choose(sorted(BUGS), number, "mystery")
        bug, cfg = BUGS[number], self.config
        G, D, opt_G, opt_D, rng = self.players(cfg.seed)
        d_fn, g_fn = self.d_step, self.g_step
        if bug.replaces == "d_step":
            d_fn = bug.broken
        elif bug.replaces == "g_step":
            g_fn = functools.partial(bug.broken, data=self.data)
        else:
            opt_G = bug.broken(G, D, cfg.lr_G, cfg.betas)
        G0 = [p.detach().clone() for p in G.parameters()]
        for _ in range(self.steps):
            d_loss = d_fn(G, D, opt_D, self.data, rng, cfg.batch_size, cfg.latent_dim)
            g_fn(G, D, opt_G, rng, cfg.batch_size, cfg.latent_dim)
        return self._symptoms(number, G, D, G0, d_loss)

    def _symptoms(self, number, G, D, G0, d_loss) -> dict:
        with torch.no_grad():
            x_fake = G(torch.randn(2500, self.config.latent_dim))
            p_real_on_fake = torch.sigmoid(D(x_fake)).mean().item()
        r = metrics.mode_stats(x_fake, self.data.modes, self.data.std)
        r.update(
            name=f"mystery {number}",
            bug=BUGS[number].name,
            d_loss=d_loss,
            G_moved=any(not torch.equal(a, b) for a, b in zip(G0, G.parameters(), strict=True)),
            D_says_real_on_fakes=p_real_on_fake,
            x_fake=x_fake.numpy(),
        )
        print(
            f"mystery {number}: modes {r['modes_captured']}/8, high quality {r['high_quality']:.1%}, "
            f"d_loss {d_loss:.3g}, G moved: {r['G_moved']}, mean D(G(z)) {p_real_on_fake:.3f}"
        )
        return r
