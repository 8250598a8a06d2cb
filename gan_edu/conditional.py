"""Conditioning a GAN (notebook 09): a class-conditional GAN, G(z, y) and D(x, y), and InfoGAN.

Both change only what G and D are fed; the game and `GANTrainer.step` stay those of notebook 03.

- `class` (Mirza and Osindero 2014): G gets z with the class as a one-hot vector appended; D gets
  the image with ten extra constant channels, the class as a one-hot "plane" per class. The
  objective is the GAN's with the label on both sides: min_G max_D E[log D(x, y)] + E[log(1 - D(G(z, y), y))],
  real pairs (x, y) from the data, fake pairs with y drawn uniformly.
- `infogan` (Chen et al. 2016): G gets z with a 10-way categorical code c and two continuous codes
  in [-1, 1] appended; D is unchanged but has 12 more outputs, the Q head that shares D's body and
  guesses the codes from the image. Q and G both minimise lambda * L_I, the cross-entropy of Q's
  guess of c plus the squared error of its guess of the continuous codes: a lower bound on the
  mutual information between the codes and G's image (a Gaussian Q with unit variance turns its
  log-likelihood into the squared error, up to constants). No labels are used.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .images import N_CLASSES  # one code per class; InfoGAN's categorical code has as many values

CONDITIONS = ("none", "class", "infogan")
N_CONTINUOUS = 2  # InfoGAN's continuous codes


def g_extra(condition: str) -> int:
    """How many numbers are appended to z for G."""
    return {"none": 0, "class": N_CLASSES, "infogan": N_CLASSES + N_CONTINUOUS}[condition]


def d_extra_channels(condition: str) -> int:
    """How many constant channels are appended to D's image (the class planes)."""
    return N_CLASSES if condition == "class" else 0


def d_extra_outputs(condition: str) -> int:
    """How many outputs D has besides its logit (InfoGAN's Q head)."""
    return N_CLASSES + N_CONTINUOUS if condition == "infogan" else 0


def class_code(labels) -> torch.Tensor:
    """One-hot codes (n, 10) for class labels (n,): what G(z, y) and D(x, y) are given."""
    labels = torch.as_tensor(labels)
    if labels.dim() != 1 or labels.dtype.is_floating_point or ((labels < 0) | (labels >= N_CLASSES)).any():
        raise ValueError(f"class labels must be integers 0..{N_CLASSES - 1} in a 1-D tensor, got {labels!r}")
    return F.one_hot(labels, N_CLASSES).float()


def info_code(categories, continuous=None) -> torch.Tensor:
    """InfoGAN codes (n, 12): the categorical code one-hot, then two continuous codes (0 if None)."""
    code = class_code(categories)
    continuous = torch.zeros(len(code), N_CONTINUOUS) if continuous is None else torch.as_tensor(continuous)
    if continuous.shape != (len(code), N_CONTINUOUS):
        raise ValueError(
            f"continuous codes must have shape ({len(code)}, {N_CONTINUOUS}), got {tuple(continuous.shape)}"
        )
    return torch.cat([code, continuous.float()], dim=1)


class Conditioning:
    """What the trainer asks of a condition; `none` changes nothing and draws no random numbers."""

    def __init__(self, condition: str = "none", info_weight: float = 1.0):
        self.condition, self.info_weight = condition, info_weight

    def default_code(self, n: int) -> torch.Tensor | None:
        """Fixed codes for `trainer.sample`: classes 0..9 in turn (continuous codes 0)."""
        if self.condition == "none":
            return None
        labels = torch.arange(n) % N_CLASSES
        return class_code(labels) if self.condition == "class" else info_code(labels)

    def check_code(self, n: int, code: torch.Tensor | None) -> torch.Tensor | None:
        """`code` (or the default one) after checking it fits G: (n, 10) or (n, 12), None if unconditional.

        A NumPy array or a list is taken as a tensor is; under condition 'class', so are n integer
        class labels (n,), made one-hot."""
        width = g_extra(self.condition)
        if not width and code is not None:
            raise ValueError("this G is unconditional (condition 'none'): it takes no code")
        if code is None:
            return self.default_code(n)
        try:
            code = torch.as_tensor(code)
        except (TypeError, ValueError, RuntimeError) as error:
            shown = type(code).__name__
            raise ValueError(
                f"code must be a tensor or array of shape ({n}, {width}), got a {shown}"
            ) from error
        labels = code.dim() == 1 and not code.dtype.is_floating_point and len(code) == n
        if self.condition == "class" and labels:
            code = class_code(code)  # labels 0..9, one per row
        if tuple(code.shape) != (n, width):
            shown = tuple(code.shape)
            raise ValueError(f"this G ({self.condition!r}) takes a code of shape ({n}, {width}), got {shown}")
        code = code.float()
        if not torch.isfinite(code).all():
            raise ValueError("code holds NaN or infinite values")
        return code

    def random_code(self, n: int, generator: torch.Generator) -> torch.Tensor | None:
        """Codes for a batch of fakes: uniform classes (and uniform continuous codes for InfoGAN)."""
        if self.condition == "none":
            return None
        labels = torch.randint(N_CLASSES, (n,), generator=generator)
        if self.condition == "class":
            return class_code(labels)
        return info_code(labels, torch.rand(n, N_CONTINUOUS, generator=generator) * 2 - 1)

    def real(self, data, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor | None]:
        """n real images, with their class codes when D must see the class."""
        if self.condition != "class":
            return data.sample(n, generator), None
        x, labels = data.sample_labelled(n, generator)
        return x, class_code(labels)

    def g_input(self, z: torch.Tensor, code: torch.Tensor | None) -> torch.Tensor:
        return z if code is None else torch.cat([z, code.to(z.device)], dim=1)

    def d_input(self, x: torch.Tensor, code: torch.Tensor | None) -> torch.Tensor:
        """The image, with the class planes appended for a class-conditional D."""
        if self.condition != "class":
            return x
        planes = code.to(x.device)[:, :, None, None].expand(-1, -1, *x.shape[2:])
        return torch.cat([x, planes], dim=1)

    def logit(self, out: torch.Tensor) -> torch.Tensor:
        """D's real/fake logit from its outputs (InfoGAN's D also outputs Q's guesses)."""
        return out[:, :1] if self.condition == "infogan" else out

    def judge(self, D):
        """What the GAN loss and penalties see of D: D itself, or only its logit under InfoGAN."""
        return D if self.condition != "infogan" else (lambda x: self.logit(D(x)))

    def q_loss(self, D, x_fake: torch.Tensor, code: torch.Tensor | None) -> torch.Tensor | float:
        """D's (Q's) share of lambda * L_I on detached fakes; 0, and no extra forward pass, unless InfoGAN."""
        return self.info_loss(D(x_fake), code) if self.condition == "infogan" else 0.0

    def info_loss(self, out: torch.Tensor, code: torch.Tensor | None) -> torch.Tensor | float:
        """lambda * L_I from D's outputs on fakes made from `code` (0 unless InfoGAN)."""
        if self.condition != "infogan":
            return 0.0
        q, code = out[:, 1:], code.to(out.device)
        categorical = F.cross_entropy(q[:, :N_CLASSES], code[:, :N_CLASSES].argmax(1))
        continuous = F.mse_loss(q[:, N_CLASSES:], code[:, N_CLASSES:])
        return self.info_weight * (categorical + continuous)
