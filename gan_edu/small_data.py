"""A GAN on little data (notebook 12): does it copy its training images, does its D remember them,
and do its samples help a classifier that has only those few images?

- `few(per_class, seed)`: a balanced few-shot training set drawn from the shipped Fashion-MNIST.
- `copying(trainer, held_out, n, seed)`: memorisation of n samples in pixels and in the evaluator's
  features, and membership inference by D's logit (`metrics.memorisation`, `metrics.membership_auc`).
- `augmentation_row(per_class, seed)`: a conditional GAN trained on the same few images makes a pool
  of labelled samples; small classifiers are trained with a share of each batch from that pool
  (0 = real images only, 1 = generated only, the "classification accuracy score" of Ravuri and
  Vinyals 2019), and with classic augmentation (shifts, flips) instead, then tested on the 2,000
  test images. `python -m gan_edu.experiments augmentation` stores the rows for several seeds.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import checks, conditional, evaluator, images, metrics
from .images import N_CLASSES
from .presets import get_preset
from .runtime import seeded
from .train import GANTrainer

PER_CLASS = (10, 100, 1000)  # notebook 12's training sets: 100, 1,000 and 10,000 images
QUANTILE = 0.01  # memorised: closer to a training image than 99% of held-out images are
SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)  # share of each classifier batch taken from the GAN's pool
POOL = 6000  # generated images in the pool: 600 per class
CLASSIFIER_STEPS, CLASSIFIER_BATCH = 500, 64


def few(per_class: int, seed: int = 0) -> images.ImageDataset:
    """`per_class` training images of each class, chosen at random (by `seed`) from the 10,000 shipped."""
    full = images.load_fashion_mnist("train")
    most = int(torch.bincount(full.labels).min())
    per_class = checks.integer("per_class", per_class, 1, "images of each class", most=most)
    g = torch.Generator().manual_seed(seed)
    chosen = [
        torch.nonzero(full.labels == c)[:, 0][torch.randperm(most, generator=g)] for c in range(N_CLASSES)
    ]
    index = torch.cat([c[:per_class] for c in chosen])
    return images.ImageDataset(f"fashion_mnist/train, {per_class} per class (seed {seed})",
                               full.images[index], full.labels[index], full.classes)  # fmt: skip


def gan(per_class: int, seed: int = 0, condition: str = "none") -> GANTrainer:
    """An untrained DCGAN (`dcgan_fashion`; `cgan_fashion` if condition="class") on few(per_class, seed)."""
    preset = get_preset("cgan_fashion" if condition == "class" else "dcgan_fashion")
    return GANTrainer(preset.config, data=few(per_class, seed), seed=seed)


@torch.no_grad()
def d_scores(trainer: GANTrainer, x: torch.Tensor) -> np.ndarray:
    """D's logit for each image of x: how "real" an unconditional D finds it."""
    if trainer.config.condition != "none":
        raise ValueError("membership by D's logit is defined here for an unconditional D (condition 'none')")
    return trainer.D(x.to(trainer.device)).flatten().cpu().numpy()


def copying(trainer: GANTrainer, held_out: torch.Tensor, n: int = 1000, seed: int = 1) -> dict:
    """Memorisation of n samples against the trainer's training images (pixels and evaluator
    features, `QUANTILE`), membership AUC of D on up to 1,000 training vs as many held-out images,
    and the evaluator's Fréchet distance to the held-out images. Adds the step count."""
    train, x = trainer.data.images, trainer.sample(n, seed)
    net = evaluator.load()
    pixel = metrics.memorisation(x, train, held_out, QUANTILE)
    feature = metrics.memorisation(net.features(x), net.features(train), net.features(held_out), QUANTILE)
    m = min(len(train), len(held_out), 1000)  # as many members as others, chosen at random from each
    g = torch.Generator().manual_seed(seed)
    members, others = (
        train[torch.randperm(len(train), generator=g)[:m]],
        held_out[torch.randperm(len(held_out), generator=g)[:m]],
    )
    auc = metrics.membership_auc(d_scores(trainer, members), d_scores(trainer, others))
    return {"step": trainer.step_count, "images": len(train), "pixel": pixel["rate"],
            "feature": feature["rate"], "copy": pixel["copy"], "auc": auc,
            "frechet": evaluator.report(x, held_out)["frechet"],
            "samples": x, "nearest": pixel["index"], "distances": pixel["distances"]}  # fmt: skip


# ---- GAN samples as data augmentation ------------------------------------------------------------
def classifier() -> nn.Sequential:
    """A small CNN for 28 x 28 images: (B, 1, 28, 28) -> (B, 10) logits."""
    return nn.Sequential(  # x: (B, 1, 28, 28)
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # (B, 16, 14, 14)
        nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # (B, 32, 7, 7)
        nn.Flatten(), nn.Linear(32 * 7 * 7, N_CLASSES),  # (B, 10)
    )  # fmt: skip


def pool(trainer: GANTrainer, n: int = POOL, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """n labelled samples of a class-conditional G: classes 0..9 in turn, and those labels."""
    if trainer.config.condition != "class":
        raise ValueError(
            "a labelled pool needs a class-conditional G (condition 'class', preset cgan_fashion)"
        )
    labels = torch.arange(n) % N_CLASSES
    return trainer.sample(n, seed, conditional.class_code(labels)), labels


def train_classifier(real: images.ImageDataset, fake=None, share: float = 0.0, classic: bool = False,
                     seed: int = 0, steps: int = CLASSIFIER_STEPS) -> nn.Module:  # fmt: skip
    """A `classifier` trained for `steps` batches of CLASSIFIER_BATCH: round(share * batch) images
    from the labelled `fake` pool (images, labels), the rest from `real`; `classic` applies random
    shifts of up to 2 pixels and horizontal flips to every batch (as the evaluator was trained)."""
    if not 0 <= share <= 1 or (share > 0 and fake is None):
        raise ValueError(
            f"share must be in [0, 1] and needs a pool of generated images above 0, got {share!r}"
        )
    g = torch.Generator().manual_seed(seed)
    with seeded(seed):
        net = classifier()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    n_fake = round(share * CLASSIFIER_BATCH)
    for _ in range(steps):
        x, y = (
            real.sample_labelled(CLASSIFIER_BATCH - n_fake, g) if n_fake < CLASSIFIER_BATCH else (None, None)
        )
        if n_fake:
            i = torch.randint(len(fake[0]), (n_fake,), generator=g)
            x = fake[0][i] if x is None else torch.cat([x, fake[0][i]])
            y = fake[1][i] if y is None else torch.cat([y, fake[1][i]])
        loss = F.cross_entropy(net(images.augment(x, g, 2, True) if classic else x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net.eval()


@torch.no_grad()
def accuracy(net: nn.Module, data: images.ImageDataset) -> float:
    """Share of `data` the classifier labels correctly."""
    return float((net(data.images).argmax(1) == data.labels).float().mean())


def purity(x: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of generated images the evaluator assigns to the class G was asked for."""
    return float((evaluator.load().probabilities(x).argmax(1) == labels).float().mean())


def augmentation_row(per_class: int, seed: int = 0, steps: int | None = None,
                     classifier_steps: int = CLASSIFIER_STEPS) -> dict:  # fmt: skip
    """One stored row: a cGAN trained on few(per_class, seed) for `steps` (the preset's by default),
    its pool's purity, and the test accuracy of a classifier at every share in SHARES and with
    classic augmentation, all seeded by `seed`."""
    trainer = gan(per_class, seed, condition="class")
    steps = get_preset("cgan_fashion").steps if steps is None else steps
    trainer.run(steps, progress=False)
    fake = pool(trainer, seed=seed + 1)
    test = images.load_fashion_mnist("test")
    acc = {str(s): accuracy(train_classifier(trainer.data, fake, s, seed=seed, steps=classifier_steps), test)
           for s in SHARES}  # fmt: skip
    classic = accuracy(train_classifier(trainer.data, classic=True, seed=seed, steps=classifier_steps), test)
    return {"per_class": per_class, "seed": seed, "gan_steps": steps, "purity": round(purity(*fake), 4),
            "accuracy": {k: round(v, 4) for k, v in acc.items()}, "classic": round(classic, 4)}  # fmt: skip


def summarize_augmentation(table: dict) -> dict[int, dict]:
    """{per_class: {"seeds": how many; each share of SHARES ("0.0": real images only), "classic" and
    "purity": (mean, sd) over seeds; "wins": {share or "classic": in how many seeds it beat real
    images only}}} of a stored augmentation table (`experiments.load_augmentation()`)."""
    out = {}
    for n in dict.fromkeys(r["per_class"] for r in table["rows"]):
        rows = [r for r in table["rows"] if r["per_class"] == n]
        entry = {"seeds": len(rows)}
        columns = {k: [r["accuracy"][k] for r in rows] for k in rows[0]["accuracy"]}
        columns |= {"classic": [r["classic"] for r in rows], "purity": [r["purity"] for r in rows]}
        for key, values in columns.items():
            entry[key] = (float(np.mean(values)), float(np.std(values)))
        entry["wins"] = {
            k: sum(r["accuracy"][k] > r["accuracy"]["0.0"] for r in rows) for k in rows[0]["accuracy"]
        }
        entry["wins"]["classic"] = sum(r["classic"] > r["accuracy"]["0.0"] for r in rows)
        out[n] = entry
    return out


def longer_classifiers(steps: int) -> dict:
    """Exercise 3's answer: the accuracy of the real-only and the classic-augmentation classifiers of
    the live run (10 images per class, seed 0) trained for `steps` batches."""
    real, test = few(10, seed=0), images.load_fashion_mnist("test")
    accuracies = {}
    for key, extra in {"real": {}, "classic": {"classic": True}}.items():
        accuracies[key] = accuracy(train_classifier(real, seed=0, steps=steps, **extra), test)
    return accuracies
