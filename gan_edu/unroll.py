"""The unrolled GAN (Metz et al. 2017): G's loss against D as it will be k updates from now (notebook 06).

G's surrogate loss is f(theta_G, theta_D^k), where theta_D^k is D after k more update steps, each a
differentiable function of theta_G (through G's samples in D's loss). Its gradient has two terms:

    df/dθ_G = ∂f/∂θ_G + (∂f/∂θ_D^k) · (dθ_D^k/dθ_G)

The second term is how G's change would change D's next k updates: G "sees D's reaction". The
first-order variant (`GANTrainer(unroll_first_order=True)`) keeps only the first term: it steps D
ahead for real, takes G's gradient there and puts D back. Here the look-ahead steps use D's own
optimizer rule (Adam, SGD or RMSprop, from its current state), written out so that autograd can
differentiate through them; D's real parameters and optimizer state are not changed. Penalties
(gradient penalty, R1) treat G's samples as constants, as their definitions in `losses` do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor
from torch.func import functional_call

# d_objective(D_as_a_function, x_real, x_fake) -> D's loss, with any penalties
DObjective = Callable[[Callable[[Tensor], Tensor], Tensor, Tensor], Tensor]


def lookahead(D: torch.nn.Module, d_objective: DObjective, batches: Sequence[tuple[Tensor, Tensor]],
              opt_D: torch.optim.Optimizer, weight_clip: float = 0.0) -> dict[str, Tensor]:  # fmt: skip
    """D's parameters after one update per (x_real, x_fake) batch, as differentiable functions of x_fake.

    Pass x_fake = G(z) without detaching it, and G's loss against `functional_call(D, params, ...)`
    back-propagates through all k updates into G.
    """
    names = [name for name, _ in D.named_parameters()]
    params = {name: p for name, p in D.named_parameters()}
    group = opt_D.param_groups[0]
    state = [_optimizer_state(opt_D, p) for p in params.values()]
    for x_real, x_fake in batches:
        d_loss = d_objective(lambda x, p=params: functional_call(D, p, (x,)), x_real, x_fake)
        grads = torch.autograd.grad(d_loss, list(params.values()), create_graph=True)
        new = {}
        for name, p, g, s in zip(names, params.values(), grads, state, strict=True):
            new[name] = _update(p, g, s, group, type(opt_D).__name__)
            if weight_clip:
                new[name] = new[name].clamp(-weight_clip, weight_clip)
        params = new
    return params


def _optimizer_state(opt: torch.optim.Optimizer, p: Tensor) -> dict:
    """A private copy of the optimizer's running state for parameter p (empty before its first step)."""
    s = opt.state.get(p, {})
    return {k: (v.detach().clone() if isinstance(v, Tensor) else v) for k, v in s.items()}


def _update(p: Tensor, g: Tensor, s: dict, group: dict, kind: str) -> Tensor:
    """One step of D's optimizer rule on p with gradient g, as a differentiable expression; updates s."""
    lr = group["lr"]
    if kind == "SGD":
        return p - lr * g
    if kind == "RMSprop":
        s["square_avg"] = (
            group["alpha"] * s.get("square_avg", torch.zeros_like(p)) + (1 - group["alpha"]) * g * g
        )
        return p - lr * g / (_sqrt(s["square_avg"]) + group["eps"])
    if kind == "Adam":
        beta1, beta2 = group["betas"]
        step = float(s.get("step", 0)) + 1
        s["step"] = step
        s["exp_avg"] = beta1 * s.get("exp_avg", torch.zeros_like(p)) + (1 - beta1) * g
        s["exp_avg_sq"] = beta2 * s.get("exp_avg_sq", torch.zeros_like(p)) + (1 - beta2) * g * g
        m_hat = s["exp_avg"] / (1 - beta1**step)
        v_hat = s["exp_avg_sq"] / (1 - beta2**step)
        return p - lr * m_hat / (_sqrt(v_hat) + group["eps"])
    raise ValueError(f"unrolling supports D optimizers Adam, SGD and RMSprop, not {kind}")


def _sqrt(v: Tensor) -> Tensor:
    """sqrt(v) whose derivative stays finite at v = 0 (a dead ReLU unit's gradient is exactly 0)."""
    return (v + 1e-30).sqrt()


def g_step(trainer) -> Tensor:
    """One exact unrolled update of the trainer's G (`GANTrainer.g_step` with unroll_steps = k)."""
    cfg, n, D = trainer.config, trainer.config.batch_size, trainer.D
    batches = [
        (trainer.real(n, trainer.rng), trainer.G(trainer.noise(n, trainer.rng)))
        for _ in range(cfg.unroll_steps)
    ]
    params = lookahead(D, trainer._d_objective, batches, trainer.opt_D, cfg.weight_clip)
    x_fake = trainer.G(trainer.noise(n, trainer.rng))
    g_loss = trainer.loss.g_loss(functional_call(D, params, (x_fake,)))
    trainer.opt_G.zero_grad()
    g_loss.backward(inputs=list(trainer.G.parameters()))  # D's real parameters get no gradient
    trainer.opt_G.step()
    return g_loss.detach()
