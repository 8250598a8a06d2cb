"""Named, seeded experiments: the notebooks run them and tests/test_claims.py checks their numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

from .train import GANConfig, make_config


@dataclass(frozen=True)
class Preset:
    """A config, how long to train it (full budget / quick test budget) and what it shows."""

    name: str
    description: str
    changes: dict = field(default_factory=dict)
    steps: int = 2000
    quick_steps: int = 50

    @property
    def config(self) -> GANConfig:
        return make_config(**self.changes)


PRESETS = {
    p.name: p
    for p in [
        Preset(
            "ring_start",
            "Notebook 00: a small GAN learns all 8 modes of the ring in under a minute on one CPU.",
            {"dataset": "ring", "batch_size": 512, "device": "cpu", "seed": 0},
            steps=3000,
            quick_steps=100,
        ),
    ]
}


def get_preset(name: str) -> Preset:
    """Look a preset up by name."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")
    return PRESETS[name]
