"""The course's GAN behind the same face as the other models."""

from __future__ import annotations

import math

import torch

from .. import images
from .base import Baseline


class GAN(Baseline):
    """The course's GAN (`GANTrainer` with a preset's settings) trained on the given rows. With an
    image preset (a DCGAN) each row is an image of that preset's dataset's shape, flattened."""

    name, family, can_interpolate = "GAN", "implicit", True
    likelihood = "none"
    no_likelihood_reason = "G turns noise into samples but gives no density to evaluate"
    latent_space = "G's noise z; no encoder: finding an image's z is an optimisation"

    def __init__(self, preset: str = "balanced", seed: int = 0, **changes):
        from ..config import make_config
        from ..presets import get_preset

        super().__init__(seed)
        make_config(get_preset(preset).config, **changes)  # a wrong name or value fails here, not in fit()
        self.preset, self.changes = preset, changes

    def _fit(self, x, budget):
        from ..presets import get_preset
        from ..train import GANTrainer

        config = get_preset(self.preset).config
        if config.arch == "dcgan":
            shape = images.get_dataset(config.dataset).shape
            if x.shape[1] != math.prod(shape):
                raise ValueError(f"preset {self.preset!r} makes images of shape {shape}: rows of "
                                 f"{math.prod(shape)} numbers, not {x.shape[1]}")  # fmt: skip
            x = images.ImageDataset(
                "custom", x.reshape(-1, *shape), torch.zeros(len(x), dtype=torch.long), ()
            )
        self.trainer = GANTrainer(config, data=x, seed=self.seed, **self.changes)
        self.trainer.run(budget, progress=False)

    def _sample(self, n, seed):
        return self.trainer.sample(n, seed).reshape(n, -1)

    def _latent_draws(self, n):
        return self.trainer.noise(n).cpu()

    def _decode(self, z):
        return self.trainer.generate(z).reshape(len(z), -1)
