"""Generator and discriminator builders (notebook 03 introduces them)."""

from __future__ import annotations

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


def make_discriminator(
    data_dim: int,
    depth: int = 3,
    width: int = 128,
    activation: str = "leaky_relu",
    spectral_norm: bool = False,
) -> nn.Sequential:
    """D: a point x of shape (B, data_dim) -> one logit per point, shape (B, 1).

    D returns a logit (any real number), not a probability: the losses apply the sigmoid inside
    `binary_cross_entropy_with_logits`, which is exact where log(sigmoid(.)) would round to -inf.
    """
    return mlp(data_dim, 1, depth, width, activation, spectral_norm)


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
