"""gan_edu: the helper package of the gan-edu course. Each module teaches one concept."""

from .runtime import (
    available_devices,
    banner,
    budget,
    configure_threads,
    is_quick,
    pick_device,
    seed_everything,
)
from .train import GANConfig, GANTrainer, TrainingDiverged

__version__ = "0.1.0"

configure_threads()  # a container may show 64 cores but allow 1: use what the quota allows

__all__ = [
    "GANConfig",
    "GANTrainer",
    "TrainingDiverged",
    "available_devices",
    "banner",
    "budget",
    "configure_threads",
    "is_quick",
    "pick_device",
    "seed_everything",
]
