"""Generator and discriminator builders (notebook 03 introduces them)."""

from __future__ import annotations

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "silu": nn.SiLU,
}
INITS = ("pytorch", "xavier", "dcgan")


def _choose(kind: str, value: str, valid) -> None:
    if value not in valid:
        raise ValueError(f"unknown {kind} {value!r}; choose one of: {', '.join(valid)}")


def _positive_int(name: str, value) -> int:
    if int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def mlp(
    in_dim: int,
    out_dim: int,
    depth: int = 3,
    width: int = 128,
    activation: str = "relu",
    spectral_norm: bool = False,
) -> nn.Sequential:
    """`depth` hidden layers of `width` units, then a linear output layer (no final activation)."""
    _choose("activation", activation, ACTIVATIONS)
    in_dim, out_dim = _positive_int("in_dim", in_dim), _positive_int("out_dim", out_dim)
    depth, width = _positive_int("depth", depth), _positive_int("width", width)
    wrap = nn.utils.parametrizations.spectral_norm if spectral_norm else (lambda layer: layer)
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [wrap(nn.Linear(in_dim if i == 0 else width, width)), ACTIVATIONS[activation]()]
    layers.append(wrap(nn.Linear(width, out_dim)))
    return nn.Sequential(*layers)


def make_generator(
    latent_dim: int, data_dim: int, depth: int = 3, width: int = 128, activation: str = "relu"
) -> nn.Sequential:
    """G: noise z of shape (B, latent_dim) -> a point x of shape (B, data_dim)."""
    return mlp(latent_dim, data_dim, depth, width, activation)


class Pack(nn.Module):
    """PacGAN (Lin et al. 2018): (B, d) -> (B / m, m * d), so D judges m samples at once."""

    def __init__(self, m: int):
        super().__init__()
        self.m = m

    def forward(self, x):
        if len(x) % self.m:
            raise ValueError(f"a packed D needs a batch divisible by pack={self.m}, got {len(x)} points")
        return x.reshape(len(x) // self.m, -1)


class MinibatchStd(nn.Module):
    """Karras et al. (2018): append the batch's mean feature std, so D can see a lack of variety."""

    def forward(self, x):  # (B, d) -> (B, d + 1)
        spread = x.std(dim=0, unbiased=False).mean() if len(x) > 1 else x.new_zeros(())
        return torch.cat([x, spread.expand(len(x), 1)], dim=1)


def make_discriminator(
    data_dim: int,
    depth: int = 3,
    width: int = 128,
    activation: str = "leaky_relu",
    spectral_norm: bool = False,
    pack: int = 1,
    minibatch_std: bool = False,
) -> nn.Sequential:
    """D: points x of shape (B, data_dim) -> one logit per point, or per pack of points: (B / pack, 1).

    D returns a logit (any real number), not a probability: the losses apply the sigmoid inside
    `binary_cross_entropy_with_logits`, which is exact where log(sigmoid(.)) would round to -inf.
    """
    pack = _positive_int("pack", pack)
    body = mlp(data_dim * pack + int(minibatch_std), 1, depth, width, activation, spectral_norm)
    front = ([Pack(pack)] if pack > 1 else []) + ([MinibatchStd()] if minibatch_std else [])
    return nn.Sequential(*front, *body) if front else body


def init_weights(net: nn.Module, scheme: str = "pytorch") -> nn.Module:
    """Re-initialise linear and conv layers: 'pytorch' (leave as built), 'xavier' or 'dcgan'."""
    _choose("init scheme", scheme, INITS)
    if scheme == "pytorch":
        return net
    for m in net.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            weight = getattr(m, "parametrizations", None)
            w = weight.weight.original if weight is not None else m.weight
            if scheme == "xavier":
                nn.init.xavier_uniform_(w)
            else:
                nn.init.normal_(w, 0.0, 0.02)  # Radford et al. 2016, section 4
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return net
