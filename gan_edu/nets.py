"""Generator and discriminator builders (notebook 03 introduces them)."""

from __future__ import annotations

import copy
from contextlib import contextmanager

import torch
from torch import nn

from . import checks, conditional

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "silu": nn.SiLU,
}
INITS = ("pytorch", "xavier", "dcgan")


def mlp(
    in_dim: int,
    out_dim: int,
    depth: int = 3,
    width: int = 128,
    activation: str = "relu",
    spectral_norm: bool = False,
) -> nn.Sequential:
    """`depth` hidden layers of `width` units, then a linear output layer (no final activation)."""
    checks.choose(ACTIVATIONS, activation, "activation")
    in_dim, out_dim = checks.integer("in_dim", in_dim), checks.integer("out_dim", out_dim)
    depth, width = checks.integer("depth", depth), checks.integer("width", width)
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
    pack = checks.integer("pack", pack)
    body = mlp(data_dim * pack + int(minibatch_std), 1, depth, width, activation, spectral_norm)
    front = ([Pack(pack)] if pack > 1 else []) + ([MinibatchStd()] if minibatch_std else [])
    return nn.Sequential(*front, *body) if front else body


def init_weights(net: nn.Module, scheme: str = "pytorch") -> nn.Module:
    """Re-initialise linear and conv layers: 'pytorch' (leave as built), 'xavier' or 'dcgan'."""
    checks.choose(INITS, scheme, "init scheme")
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


ARCHITECTURES = ("mlp", "dcgan")


def _image_shape(shape) -> tuple[int, int, int]:
    if len(shape) != 3 or shape[1] != shape[2] or shape[1] % 4:
        raise ValueError(f"the dcgan networks make square images (C, H, H) with H a multiple of 4, "
                         f"such as (1, 8, 8) or (1, 28, 28); got shape {tuple(shape)}")  # fmt: skip
    return tuple(int(s) for s in shape)


UPSAMPLES = ("transposed", "resize")  # transposed conv, or nearest-neighbour resize then conv
DOWNSAMPLES = ("strided", "maxpool")
OUTPUTS = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "none": nn.Identity}


def _upsample(c_in: int, c_out: int, how: str, bias: bool) -> nn.Module:
    if how == "transposed":  # can leave a checkerboard pattern (Odena et al. 2016)
        return nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=bias)
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(c_in, c_out, 3, 1, 1, bias=bias)
    )


def dcgan_generator(latent_dim: int, shape, width: int = 32, batch_norm: bool = True, output: str = "tanh",
                    upsample: str = "transposed") -> nn.Sequential:  # fmt: skip
    """DCGAN-style G (Radford et al. 2016) for (C, H, H) images: z (B, latent_dim) -> (B, C, H, H).

    The resolution doubles twice from H/4 (transposed convolutions by default); batch norm and ReLU
    after each layer but the last, which ends in tanh (pixels live in [-1, 1]); no bias before a
    batch norm. `batch_norm`, `output` and `upsample` exist for notebook 08's ablations.
    """
    C, H, _ = _image_shape(shape)
    s, w = H // 4, checks.integer("width", width)
    checks.choose(OUTPUTS, output, "output"), checks.choose(UPSAMPLES, upsample, "upsample")

    def norm(c):
        return [nn.BatchNorm2d(c)] if batch_norm else []

    net = nn.Sequential(  # z: (B, latent_dim)
        nn.Unflatten(1, (latent_dim, 1, 1)),  # (B, latent_dim, 1, 1)
        nn.ConvTranspose2d(latent_dim, 2 * w, s, 1, 0, bias=not batch_norm),  # (B, 2w, H/4, H/4)
        *norm(2 * w),
        nn.ReLU(),
        _upsample(2 * w, w, upsample, bias=not batch_norm),  # (B, w, H/2, H/2)
        *norm(w),
        nn.ReLU(),
        _upsample(w, C, upsample, bias=True),  # (B, C, H, H)
        OUTPUTS[output](),  # tanh: pixels in [-1, 1], like the data
    )
    return init_weights(net, "dcgan")


def dcgan_discriminator(shape, width: int = 32, spectral_norm: bool = False,
                        downsample: str = "strided", outputs: int = 1) -> nn.Sequential:  # fmt: skip
    """DCGAN-style D for (C, H, H) images: (B, C, H, H) -> one logit per image, (B, 1) (or `outputs`
    numbers per image: InfoGAN's Q head shares everything but the last layer's extra outputs).

    Strided convolutions halve the resolution twice (`downsample="maxpool"`: stride-1 convolutions
    followed by max-pooling, for notebook 08's ablation), LeakyReLU(0.2), no batch norm (so that
    gradient penalties, which need each image judged on its own, apply), a logit out.
    """
    C, H, _ = _image_shape(shape)
    w = checks.integer("width", width)
    checks.choose(DOWNSAMPLES, downsample, "downsample")
    wrap = nn.utils.parametrizations.spectral_norm if spectral_norm else (lambda layer: layer)

    def down(c_in, c_out):
        if downsample == "strided":
            return [wrap(nn.Conv2d(c_in, c_out, 4, 2, 1))]
        return [wrap(nn.Conv2d(c_in, c_out, 3, 1, 1)), nn.MaxPool2d(2)]

    net = nn.Sequential(  # x: (B, C, H, H)
        *down(C, w),  # (B, w, H/2, H/2)
        nn.LeakyReLU(0.2),
        *down(w, 2 * w),  # (B, 2w, H/4, H/4)
        nn.LeakyReLU(0.2),
        wrap(nn.Conv2d(2 * w, outputs, H // 4, 1, 0)),  # (B, outputs, 1, 1)
        nn.Flatten(),  # (B, outputs): a logit per image (then Q's outputs)
    )
    return init_weights(net, "dcgan")


class ProjectionDiscriminator(nn.Module):
    """A class-conditional D that uses the label only at the end (Miyato and Koyama 2018, notebook 09):

        D(x, y) = w . phi(x) + b + e_y . phi(x)

    phi(x) is the DCGAN D's body (its two strided convolutions, flattened), w and b a linear head,
    e_y a learned vector per class. It takes the same input as the 'planes' D, the image with the
    class as constant channels (`conditional.Conditioning.d_input`), and reads y off those channels,
    so the trainer and the penalties treat both kinds alike.
    """

    def __init__(self, shape, width: int = 32, spectral_norm: bool = False, downsample: str = "strided",
                 classes: int = conditional.N_CLASSES):  # fmt: skip
        super().__init__()
        C, H, W = _image_shape(shape)
        self.channels, self.classes = C, classes
        body = dcgan_discriminator(shape, width, spectral_norm, downsample)[:-2]  # drop the logit layer
        self.body = nn.Sequential(*body, nn.Flatten())  # phi(x): (B, 2w * H/4 * W/4)
        features = 2 * checks.integer("width", width) * (H // 4) * (W // 4)
        wrap = nn.utils.parametrizations.spectral_norm if spectral_norm else (lambda layer: layer)
        self.head = wrap(nn.Linear(features, 1))  # w . phi(x) + b: "is it real?" for any class
        self.embed = wrap(nn.Linear(classes, features, bias=False))  # e_y, one column per class
        init_weights(self, "dcgan")

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (B, C + classes, H, W) -> (B, 1)
        if x.dim() != 4 or x.shape[1] != self.channels + self.classes:
            raise ValueError(
                f"a projection D takes images with {self.classes} class channels appended, "
                f"(B, {self.channels + self.classes}, H, W); got {tuple(x.shape)}"
            )
        image, y = x[:, : self.channels], x[:, self.channels :, 0, 0]  # y: the one-hot class
        phi = self.body(image)
        return self.head(phi) + (self.embed(y) * phi).sum(1, keepdim=True)


G_OPTIONS = ("batch_norm", "output", "upsample")
D_OPTIONS = ("downsample", "label")
LABELS = ("planes", "projection")  # how a class-conditional D reads y (notebook 09)


def build(config, shape) -> tuple[nn.Module, nn.Module]:
    """G and D for a GANConfig and data of `shape`: (dim,) for points, (C, H, W) for images."""
    cfg, shape = config, tuple(shape)
    if cfg.arch == "dcgan":
        if cfg.pack > 1 or cfg.minibatch_std:
            raise ValueError(
                "pack and minibatch_std are built for the mlp networks; set arch='mlp' or turn them off"
            )
        options = dict(cfg.dcgan_options)
        for key in options:
            checks.choose(G_OPTIONS + D_OPTIONS, key, "dcgan option")
        if not isinstance(options.get("batch_norm", True), bool):
            raise ValueError(
                f"dcgan_options: batch_norm must be True or False, got {options['batch_norm']!r}"
            )
        for key, valid in (("output", OUTPUTS), ("upsample", UPSAMPLES), ("downsample", DOWNSAMPLES),
                           ("label", LABELS)):  # fmt: skip
            if key in options:
                try:
                    checks.choose(valid, options[key], key)
                except ValueError as error:
                    raise ValueError(f"dcgan_options: {error}") from None
        g_options = {k: v for k, v in options.items() if k in G_OPTIONS}
        d_options = {k: v for k, v in options.items() if k in D_OPTIONS}
        C, H, W = _image_shape(shape)
        z_dim = cfg.latent_dim + conditional.g_extra(cfg.condition)  # + the class or InfoGAN's codes
        d_shape = (C + conditional.d_extra_channels(cfg.condition), H, W)  # + the class planes
        outputs = 1 + conditional.d_extra_outputs(cfg.condition)  # + InfoGAN's Q head
        G = dcgan_generator(z_dim, shape, cfg.g_width, **g_options)
        label = d_options.pop("label", "planes")
        checks.choose(LABELS, label, "label")
        if label == "projection":
            if cfg.condition != "class":
                raise ValueError(
                    "the projection D reads a class label: set condition='class' or drop 'label'"
                )
            return G, ProjectionDiscriminator(shape, cfg.d_width, cfg.spectral_norm, **d_options)
        return G, dcgan_discriminator(d_shape, cfg.d_width, cfg.spectral_norm, outputs=outputs, **d_options)
    dim = int(torch.Size(shape).numel())
    G = make_generator(cfg.latent_dim, dim, cfg.g_depth, cfg.g_width, cfg.g_activation)
    D = make_discriminator(dim, cfg.d_depth, cfg.d_width, cfg.d_activation, cfg.spectral_norm, cfg.pack,
                           cfg.minibatch_std)  # fmt: skip
    if len(shape) > 1:  # an MLP on images: flat vectors inside, tanh pixels out
        G, D = nn.Sequential(*G, nn.Tanh(), nn.Unflatten(1, shape)), nn.Sequential(nn.Flatten(), *D)
    return G, D


@contextmanager
def statistics_kept(net: nn.Module):
    """Run `net` without changing its buffers (batch norm's running statistics and counts).

    In training mode batch norm normalises each batch by its own statistics and, as a side effect,
    moves its running averages. Those averages belong to training; this puts them back, so that
    drawing images in training mode (`sample_stats="batch"`) never changes the trainer's state."""
    saved = [b.clone() for b in net.buffers()]
    try:
        yield net
    finally:
        with torch.no_grad():
            for buffer, value in zip(net.buffers(), saved, strict=True):
                buffer.copy_(value)


def batch_norms(net: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    """The batch-norm layers of `net` (an empty list for the MLPs of the 2-D notebooks)."""
    return [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


@torch.no_grad()
def average_into(average: nn.Module, net: nn.Module, decay: float, step: int) -> None:
    """One step of an exponential moving average of `net`'s weights (Yazıcı et al. 2019):
    average <- d * average + (1 - d) * net, with d = min(decay, (1 + step) / (10 + step)) so that the
    average forgets its random start within the first steps (the warm-up of TensorFlow's
    ExponentialMovingAverage). Buffers (batch norm's running statistics) are copied, not averaged."""
    d = min(decay, (1 + step) / (10 + step))
    torch._foreach_lerp_(list(average.parameters()), list(net.parameters()), 1 - d)
    for mine, theirs in zip(average.buffers(), net.buffers(), strict=True):
        mine.copy_(theirs)


@torch.no_grad()
def standing_statistics(net: nn.Module, inputs) -> nn.Module:
    """A copy of `net` in evaluation mode whose batch norms hold "standing statistics" (Brock et
    al. 2019, appendix C.1): the mean and variance each layer sees, averaged over the batches of
    `inputs` (an iterable of input batches) run through the copy in training mode. `net` is unchanged."""
    twin = copy.deepcopy(net).train()
    for bn in batch_norms(twin):
        bn.reset_running_stats()
        bn.momentum = None  # a plain average over the batches, not an exponential one
    for x in inputs:
        twin(x)
    return twin.eval()


def grad_norm(net: nn.Module) -> float:
    """The norm of all of a network's gradients together (0 before any backward pass)."""
    grads = [p.grad for p in net.parameters() if p.grad is not None]
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads))).item() if grads else 0.0


def finite(net: nn.Module) -> bool:
    """True when no weight is NaN or infinite."""
    return all(torch.isfinite(p).all() for p in net.parameters())
