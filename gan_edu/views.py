"""What the pictures show, computed from a trainer's G and D: the plane for 2-D points (D over the
plane, G's pull, the noise-grid map) and the fixed-noise sample grid for images. The trainer
trains; this module looks at it (DESIGN.md: a trainer never knows a figure exists)."""

from __future__ import annotations

import torch

from . import conditional, evaluator


def of(trainer) -> dict:
    """The view that fits the trainer's data: `plane` for 2-D points, `images` for images."""
    return images(trainer) if len(trainer.data.shape) == 3 else plane(trainer, resolution=48)


def images(trainer, n: int = 64) -> dict:
    """n samples from fixed noise (the same every call) and n fixed real images, as NumPy arrays.

    A conditional G draws classes (or InfoGAN's categories) 0..9 in turn, so its grid has 10
    columns, one class each, and 60 images; the real images beside it are laid out the same way."""
    columns, real = 8, None
    if trainer.cond.condition != "none":
        columns, n = conditional.N_CLASSES, 6 * conditional.N_CLASSES
        labels = getattr(trainer.data, "labels", None)
        if labels is not None:  # row r, column c: the r-th image of class c
            index = torch.stack([(labels == c).nonzero()[:6, 0] for c in range(columns)], dim=1).flatten()
            real = trainer.data.images[index].numpy()
    if real is None:
        real = trainer.real(n, torch.Generator().manual_seed(trainer.config.seed + 2)).cpu().numpy()
    return {
        "fake": trainer.sample(n).numpy(),
        "real": real,
        "columns": columns,
        "averaged": trainer.G_avg is not None,  # drawn by the averaged G (config g_ema)
        "evaluated": trainer.config.dataset in evaluator.WEIGHTS,  # a dataset with a trained evaluator
        "step": trainer.step_count,
    }


def plane(trainer, n: int = 512, resolution: int = 64) -> dict:
    """What the plots show, as NumPy arrays: real and fake points, D over the plane, G's pull.

    `arrows[i]` is -d g_loss / d x at fake point i: the pull of G's loss on that point (G's update
    moves all points together, through its weights and the optimizer, not each along its arrow).
    `d_grid` is D's output on a resolution x resolution grid: a probability for the BCE losses,
    the raw score for the others.
    """
    if trainer.data.dim != 2:
        raise ValueError(
            f"plane() draws 2-D points; this data has shape {trainer.data.shape} (views.images draws images)"
        )
    n -= n % trainer.config.pack  # a packed D needs whole packs
    lim = trainer.data.extent
    axis = torch.linspace(-lim, lim, resolution)
    grid = torch.cartesian_prod(axis, axis)[:, [1, 0]].to(trainer.device)  # row-major for imshow
    x_fake = trainer.sample(n).to(trainer.device).requires_grad_(True)
    (grad,) = torch.autograd.grad(trainer.loss.g_loss(trainer.D(x_fake)) * n, x_fake)
    with torch.no_grad():  # a packed D judges `pack` copies of each grid point
        d_grid = trainer.D(grid.repeat_interleave(trainer.config.pack, dim=0)).reshape(resolution, resolution)
        if trainer.loss.probability:
            d_grid = torch.sigmoid(d_grid)
    return {
        "manifold": manifold(trainer).numpy(),
        "real": trainer.real(n, torch.Generator().manual_seed(trainer.config.seed + 2)).cpu().numpy(),
        "fake": x_fake.detach().cpu().numpy(),
        "arrows": -grad.cpu().numpy(),
        "d_grid": d_grid.cpu().numpy(),
        "d_is_probability": trainer.loss.probability,
        "extent": lim,
        "modes": None if trainer.data.modes is None else trainer.data.modes.numpy(),
        "step": trainer.step_count,
        "latent_dim": trainer.config.latent_dim,
    }


@torch.no_grad()
def manifold(trainer, lines: int = 21, span: float = 2.0) -> torch.Tensor:
    """G applied to a lines x lines grid of noise: how G warps its noise. (lines, lines, dim), CPU.

    latent_dim 1 or 2: the grid is the square [-span, span]^2 of the noise (the first coordinate
    only, for 1-D noise). More noise dimensions: a 2-D slice through *typical* noise, z0 + a u + b v
    for a sampled z0 and two random orthonormal directions u, v (fixed by the seed), with a and b in
    [-span, span]. (The plane of the first two coordinates, the others 0, would pass far from where
    the noise actually lies: a 256-D Gaussian sample has length about 16, not 0.)
    """
    axis = torch.linspace(-span, span, lines)
    grid = torch.cartesian_prod(axis, axis)
    if trainer.config.noise == "uniform":
        grid = grid / span  # the uniform noise lives in [-1, 1]
    d = trainer.config.latent_dim
    if d <= 2:
        z = torch.zeros(lines * lines, d)
        z[:, :d] = grid[:, :d]
    else:
        g = torch.Generator().manual_seed(trainer.config.seed + 3)
        z0 = trainer.noise(1, g).cpu()
        directions, _ = torch.linalg.qr(torch.randn(d, 2, generator=g))  # (d, 2), orthonormal
        z = z0 + grid @ directions.T
    return trainer.G(z.to(trainer.device)).cpu().reshape(lines, lines, -1)
