"""The other generative models, behind one face (notebooks 01 and 11).

Every model has `fit(data, budget)`, `sample(n, seed)`, `log_likelihood(x)` and `interpolate`,
and says what it can do in `likelihood` ("exact", "bound" or "none", with `no_likelihood_reason`),
`encodes`, `can_interpolate`, `latent_space` (what `interpolate` walks through, or why there is
none) and `evaluations` (network passes per sample). `budget` counts parameter updates: gradient
steps for the neural models, EM iterations for the mixture; the kernel density has no training
steps and picks its bandwidth by held-out likelihood instead.

The neural models work on standardised data (each coordinate shifted and scaled by the training
set's mean and standard deviation); their log-likelihoods include that change of variables, so
they are densities of the data as given, comparable across models.

One family per module; `base.Baseline` states the contract (the hooks a model writes, its flags):
    base            Baseline, as_data, NATS
    classical       GaussianMixture, KernelDensity (scikit-learn)
    neural          Neural (the one training loop), mlp
    autoencoders    Autoencoder, VAE
    autoregressive  MADE, MaskedLinear
    flows           RealNVP
    diffusion       Diffusion (DDPM; DDIM sampling), FlowMatching, UNet, LinearDenoiser
    boltzmann       RBM, DBN; rbm_log_z, rbm_ais_log_z, bit_frequencies
    gan             GAN
To add a model: write its class in the module of its family (or a new one), then add it to MODELS
(the models notebooks 01 and 11 run, in their order) or, until a notebook runs it, to MORE_MODELS.
"""

from .. import checks
from .autoencoders import VAE, Autoencoder
from .autoregressive import MADE, MaskedLinear
from .base import LIKELIHOODS, NATS, Baseline, as_data
from .boltzmann import DBN, RBM, bit_frequencies, rbm_ais_log_z, rbm_log_z
from .boltzmann import _from_gray as _from_gray  # for the tests
from .boltzmann import _gray_bits as _gray_bits
from .classical import GaussianMixture, KernelDensity
from .diffusion import Diffusion, FlowMatching, LinearDenoiser, UNet
from .flows import RealNVP
from .gan import GAN
from .neural import Neural, mlp

MODELS = {
    "mixture": GaussianMixture,
    "kde": KernelDensity,
    "made": MADE,
    "flow": RealNVP,
    "autoencoder": Autoencoder,
    "vae": VAE,
    "rbm": RBM,
    "dbn": DBN,
    "diffusion": Diffusion,
    "gan": GAN,
}
# Built for the convolutional head-to-head on Fashion-MNIST (issue 32), not yet run by a notebook.
MORE_MODELS = {"flow_matching": FlowMatching}


def make(name: str, **options) -> Baseline:
    """A model by its short name, e.g. make("vae", latent=2)."""
    return checks.build(MODELS | MORE_MODELS, name, "model", **options)


__all__ = [
    "DBN",
    "GAN",
    "LIKELIHOODS",
    "MADE",
    "MODELS",
    "MORE_MODELS",
    "NATS",
    "RBM",
    "VAE",
    "Autoencoder",
    "Baseline",
    "Diffusion",
    "FlowMatching",
    "GaussianMixture",
    "KernelDensity",
    "LinearDenoiser",
    "MaskedLinear",
    "Neural",
    "RealNVP",
    "UNet",
    "as_data",
    "bit_frequencies",
    "make",
    "mlp",
    "rbm_ais_log_z",
    "rbm_log_z",
]
