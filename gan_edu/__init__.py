"""gan_edu: the helper package of the gan-edu course. Each module teaches one concept.

Imports run one way, down this list: a module uses the layers above it, never those below.
`docs/architecture.md` is the design (data flow, the live widgets' threads, budgets, claims) with
checklists for adding a loss, a dataset, a model, a notebook, an exercise, a stored table, a claim.

Run-time
    checks         what a student passes in: names from a list, integers, numbers, options, one wording
    runtime        device, CPU threads, seeds, quick/full budgets, the banner (00)
    numerics       which floating-point kernels this CPU runs; our run's numbers vs findings (00)
Data
    toy            1-D and 2-D distributions that know their modes (00)
    images         digits and Fashion-MNIST as tensors in [-1, 1] (08 onwards)
The GAN
    config         GANConfig: every knob, validated all-or-nothing
    losses         GAN objectives as pure functions of D's raw outputs (02, 03, 07)
    nets           generator and discriminator builders (03, 08)
    conditional    G(z, y), D(x, y), the projection D, InfoGAN (09)
    unroll         the unrolled GAN (06)
    history        a bounded record of training statistics
    train          GANTrainer: notebook 03's step, packaged
    checkpoints    a trainer's whole state in one file
    presets        named, seeded experiments that the notebooks run and the claims check
Theory
    theory         exact 1-D densities and the Dirac-GAN (02, 05)
    discriminators a discriminator or critic trained alone against fixed distributions (02, 07)
Measuring
    metrics        mode coverage, W1, Frechet distance, precision/recall/density/coverage, memorisation
    evaluator      the small CNN whose features and classes the image metrics use
    evaluation     controlled stand-ins for a model's failures (10)
Showing
    views          what the pictures show, computed from a trainer
    plots          matplotlib figures of a GAN at work
    frames         fast redrawn frames for the live lab (04)
    widgets        LiveDashboard: train live with sliders and buttons (00, 04)
    choosers       widgets that steer a trained conditional GAN or InfoGAN (09)
The other models
    baselines      the other generative models behind one face; MODELS and make() name them (01, 11)
      base         Baseline: the contract every model keeps (abstract and optional hooks, flags)
      classical    the Gaussian mixture and the kernel density (scikit-learn)
      neural       Neural: standardised data and one Adam loop for the networks below
      autoencoders the autoencoder and the VAE
      autoregressive MADE, one masked network for every conditional
      flows        RealNVP, affine couplings
      diffusion    DDPM
      boltzmann    RBM and DBN on binary codes; their normalisers, exact or by AIS
      gan          the course's GAN behind the same face
    comparison     notebook 11's head-to-head on digits and Fashion-MNIST
Course runs
    bugs           notebook 03's broken training steps and their harness
    remedies       the remedies for mode collapse, each trained and measured as the papers do (06)
    small_data     memorisation and augmentation on little data (12)
    experiments    stored tables as data: one record each, one runner, one loader, one command line
    notebook       the course's notebooks, and the one way tests, tools and benchmarks run them
Exercises
    selfcheck      the graded exercises' self-checks
"""

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
