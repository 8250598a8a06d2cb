"""GANConfig: every knob of an experiment, validated before anything trains (all-or-nothing)."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field, fields, replace

import torch

from . import checks, conditional, images, losses, nets, toy
from .runtime import pick_device

OPTIMIZERS = ("adam", "sgd", "rmsprop")  # RMSprop: the original WGAN (Arjovsky et al. 2017)
NOISES = ("gaussian", "uniform")
# How G's batch norm normalises when it draws images (notebook 08, section 5): "batch" in training
# mode, by each batch's own statistics (an image then depends on the others drawn with it: what the
# PyTorch DCGAN tutorial does); "running" in evaluation mode, by the running averages kept in
# training; "standing" in evaluation mode, by statistics re-estimated from fresh batches of the G
# that draws (Brock et al. 2019, BigGAN), which also fit an averaged G. `bench/image_sampling.py`
# measures the three (results/image_sampling.json): "standing" is the default.
SAMPLE_STATS = ("batch", "running", "standing")
# Changing one of these rebuilds G and D from the seed; other fields apply between steps.
REBUILD_FIELDS = {
    "optimizer", "latent_dim", "noise", "g_depth", "g_width", "d_depth", "d_width",
    "g_activation", "d_activation", "spectral_norm", "seed", "betas", "pack", "minibatch_std", "arch",
    "dcgan_options", "condition",
}  # fmt: skip


@dataclass
class GANConfig:
    """Every knob of a 2-D GAN experiment, with defaults that learn the ring in about a minute."""

    dataset: str = "ring"
    dataset_kwargs: dict = field(default_factory=dict)
    arch: str = "mlp"  # "mlp" for points (or flat images), "dcgan" for images
    dcgan_options: dict = field(default_factory=dict)  # e.g. {"batch_norm": False}: notebook 08's ablations
    loss: str = "non_saturating"
    optimizer: str = "adam"
    lr_D: float = 1e-3
    lr_G: float = 1e-3
    betas: tuple[float, float] = (0.5, 0.999)
    d_steps: int = 1  # D updates per iteration
    g_steps: int = 1  # G updates per iteration
    batch_size: int = 256
    latent_dim: int = 2
    noise: str = "gaussian"
    g_depth: int = 3
    g_width: int = 128
    g_activation: str = "relu"
    d_depth: int = 3
    d_width: int = 128
    d_activation: str = "leaky_relu"
    spectral_norm: bool = False
    gp_weight: float = 0.0  # WGAN-GP penalty weight (lambda)
    r1_weight: float = 0.0  # R1 weight (gamma); D adds gamma / 2 * E||grad D(x)||^2
    weight_clip: float = 0.0  # WGAN: clip D's weights to [-c, c] after each D step; 0 is off
    pack: int = 1  # PacGAN: D judges this many samples at once
    minibatch_std: bool = False  # D also sees the batch's spread (Karras et al. 2018)
    unroll_steps: int = 0  # unrolled GAN: G's loss against D after this many extra D steps
    unroll_first_order: bool = False  # True: drop the term through D's look-ahead (cheaper, weaker)
    condition: str = "none"  # "class": G(z, y) and D(x, y); "infogan": codes and a Q head (notebook 09)
    info_weight: float = 1.0  # InfoGAN's lambda, the weight of the mutual-information term
    g_ema: float = 0.0  # an averaged G draws the images: G_avg <- d * G_avg + (1 - d) * G each step; 0 is off
    sample_stats: str = "standing"  # batch norm when drawing images: one of SAMPLE_STATS
    device: str = "auto"
    seed: int = 0
    history_size: int = 20_000  # steps of history kept; older ones are dropped

    def validate(self) -> GANConfig:
        """Raise ValueError naming the first bad value and the fix; return self when all are valid."""
        if not (isinstance(self.dataset, str) and self.dataset == "custom"):  # "custom": the trainer's data
            checks.choose((*toy.DATASETS, *images.DATASETS), self.dataset, "dataset")
        for kind, value, valid in [("arch", self.arch, nets.ARCHITECTURES),
                                   ("loss", self.loss, losses.LOSSES),
                                   ("condition", self.condition, conditional.CONDITIONS),
                                   ("optimizer", self.optimizer, OPTIMIZERS), ("noise", self.noise, NOISES),
                                   ("sample_stats", self.sample_stats, SAMPLE_STATS),
                                   ("activation", self.g_activation, nets.ACTIVATIONS),
                                   ("activation", self.d_activation, nets.ACTIVATIONS)]:  # fmt: skip
            checks.choose(valid, value, kind)
        if not isinstance(self.dcgan_options, dict):
            raise ValueError(
                f"dcgan_options must be a dict such as {{'batch_norm': False}}, got {self.dcgan_options!r}"
            )
        if not isinstance(self.dataset_kwargs, dict):
            raise ValueError(
                f"dataset_kwargs must be a dict such as {{'std': 0.02}}, got {self.dataset_kwargs!r}"
            )
        for name in ("lr_D", "lr_G"):
            checks.number(name, getattr(self, name), 0, MAX_LR, low_open=True,
                          note="GANs usually train with 1e-4 to 1e-3")  # fmt: skip
        if not (isinstance(self.betas, (tuple, list)) and len(self.betas) == 2
                and all(_is_number(b) and 0 <= b < 1 for b in self.betas)):  # fmt: skip
            raise ValueError(f"betas must be two numbers in [0, 1), e.g. (0.5, 0.999), got {self.betas!r}")
        self.betas = tuple(float(b) for b in self.betas)
        for name in ("d_steps", "g_steps", "batch_size", "latent_dim", "g_depth", "g_width",
                     "d_depth", "d_width", "history_size", "pack"):  # fmt: skip
            checks.integer(name, getattr(self, name))
        for name in ("unroll_steps", "seed"):
            checks.integer(name, getattr(self, name), 0)
        if self.batch_size % self.pack:
            raise ValueError(f"batch_size ({self.batch_size}) must be a multiple of pack ({self.pack})")
        if self.condition != "none" and (self.arch != "dcgan" or self.dataset not in images.DATASETS):
            raise ValueError(f"condition {self.condition!r} is built for the DCGAN on images: set "
                             f"arch='dcgan' and dataset to one of {', '.join(images.DATASETS)}")  # fmt: skip
        if self.condition != "none" and self.unroll_steps:
            raise ValueError("the unrolled GAN is not built for conditional GANs; set unroll_steps=0")
        checks.number("g_ema", self.g_ema, 0, 1, high_open=True,
                      meaning="the averaged G's decay, such as 0.999; 0 turns it off")  # fmt: skip
        for name in ("gp_weight", "r1_weight", "weight_clip", "info_weight"):
            checks.number(name, getattr(self, name), 0, note="0 turns it off")
        for name in ("spectral_norm", "minibatch_std", "unroll_first_order"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if not isinstance(self.device, str):
            raise ValueError(f"device must be a string such as 'cpu' or 'cuda', got {self.device!r}")
        pick_device(self.device, verbose=False)
        if self.dataset != "custom":
            data = get_dataset(self.dataset, **self.dataset_kwargs)
            with torch.random.fork_rng(devices=[]):  # building draws weights: leave the caller's RNG alone
                nets.build(self, data.shape)  # wrong options or shapes fail here, not mid-change
        return self


MAX_LR = 10.0  # larger learning rates only ever diverge; refusing them catches typos such as 1e3


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def get_dataset(name: str, **options) -> toy.ToyDataset | images.ImageDataset:
    """A toy distribution (`gan_edu.toy`) or an image set (`gan_edu.images`) by name."""
    source = images if name in images.DATASETS else toy
    return source.get_dataset(name, **options)


def make_config(config: GANConfig | None = None, **changes) -> GANConfig:
    """A validated copy of `config` (default GANConfig()) with `changes` applied."""
    if isinstance(config, dict):  # e.g. a saved trainer.config_dict()
        changes, config = {**config, **changes}, None
    elif config is not None and not isinstance(config, GANConfig):
        raise ValueError(f"config must be a GANConfig (e.g. get_preset('balanced').config) or a dict, "
                         f"got {type(config).__name__}")  # fmt: skip
    for key in changes:
        checks.choose([f.name for f in fields(GANConfig)], key, "config field")
    return replace(config or GANConfig(), **changes).validate()
