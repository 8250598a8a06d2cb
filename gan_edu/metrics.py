"""How good are generated samples? Mode coverage as VEEGAN and PacGAN measure it (notebooks 00, 06);
for images, distances between the evaluator's features of real and generated images (08 onwards).

Definitions (Srivastava et al. 2017, VEEGAN; Lin et al. 2018, PacGAN):
- a sample is *high quality* when it lies within 3 standard deviations of its nearest mode;
- a mode is *captured* when at least one high-quality sample has it as its nearest mode;
- *reverse KL* is KL(p_gen || uniform), where p_gen is the histogram of the modes nearest to the
  generated samples. It is 0 when every mode gets the same share and log K when all samples sit
  at one of K modes.
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import prdc
import torch

from . import checks


def _as_numpy(x, name: str) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be an array or tensor of numbers, shape (N, dim), got {type(x).__name__}"
        ) from error
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (N, dim), got {arr.shape}")
    if len(arr) == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): a metric needs at least one point")
    return arr


def mode_stats(samples, modes, std: float, threshold: float = 3.0) -> dict:
    """Modes captured, high-quality fraction and reverse KL of `samples` against `modes`.

    samples: (N, dim); modes: (K, dim); std: each mode's standard deviation.
    Returns a dict with modes_captured, n_modes, high_quality (a fraction), reverse_kl, counts
    (high-quality samples nearest to each mode) and shares (the fraction of all samples nearest to
    each mode: a collapsed G puts most of its share on one mode).
    """
    x, m = _as_numpy(samples, "samples"), _as_numpy(modes, "modes")
    if x.shape[1] != m.shape[1]:
        raise ValueError(f"samples have dim {x.shape[1]} but modes have dim {m.shape[1]}")
    checks.number("std", std, 0, low_open=True)
    if not np.isfinite(x).all():
        raise ValueError("samples contain NaN or infinite values (did training diverge?)")
    dist = np.linalg.norm(x[:, None, :] - m[None, :, :], axis=2)  # (N, K)
    nearest = dist.argmin(axis=1)
    good = dist[np.arange(len(x)), nearest] <= threshold * std
    counts = np.bincount(nearest[good], minlength=len(m))
    hist = np.bincount(nearest, minlength=len(m)) / len(x)
    nonzero = hist > 0
    reverse_kl = float((hist[nonzero] * np.log(hist[nonzero] * len(m))).sum())
    return {
        "modes_captured": int((counts > 0).sum()),
        "n_modes": len(m),
        "high_quality": float(good.mean()),
        "reverse_kl": reverse_kl,
        "counts": counts,
        "shares": hist,
    }


def mode_report(trainer, n: int = 2500, seed: int | None = None) -> dict:
    """`mode_stats` of n points from a trainer's G (fixed noise; seed as in `trainer.sample`)."""
    if trainer.data.modes is None:
        raise ValueError(
            f"dataset {trainer.config.dataset!r} has no separate modes; "
            "mode metrics need a mixture: ring, grid or mixture_1d"
        )
    return mode_stats(trainer.sample(n, seed), trainer.data.modes, trainer.data.std)


def wasserstein_exact(x, y) -> float:
    """Exact Wasserstein-1 distance between two equal-size point sets (notebook 07).

    With n points each, the optimal transport plan is a one-to-one matching (Birkhoff), so W1 is
    the mean distance of the cheapest matching: an assignment problem, solved exactly.
    """
    from scipy.optimize import linear_sum_assignment

    a, b = _as_numpy(x, "x"), _as_numpy(y, "y")
    if a.shape != b.shape:
        raise ValueError(f"x and y must have the same shape (equal sizes), got {a.shape} and {b.shape}")
    cost = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def gaussian_mass_within(k: float, dim: int = 2) -> float:
    """Probability that a dim-D standard Gaussian lies within radius k (chi distribution CDF)."""
    if dim == 1:
        return math.erf(k / math.sqrt(2))
    if dim == 2:
        return 1 - math.exp(-(k**2) / 2)
    raise ValueError(f"dim must be 1 or 2, got {dim}")


# ---- images: distances between the evaluator's features ------------------------------------------
def frechet_distance(a, b) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N, d) and (M, d):
    |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)) (Heusel et al. 2017, with our evaluator's
    features in place of Inception's). Written out rather than taken from torchmetrics: it is the
    formula notebook 10 derives, and NumPy is all it needs."""
    a, b = _features(a, "a"), _features(b, "b")
    _same_width(a, b, "a", "b", "frechet_distance")
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = (
        np.atleast_2d(np.cov(a, rowvar=False)),
        np.atleast_2d(np.cov(b, rowvar=False)),
    )  # (d, d), d = 1 too
    # tr((S_a S_b)^(1/2)) is the sum of the square roots of the eigenvalues of S_a S_b, which are real
    # and >= 0 for covariance matrices; this stays stable where sqrtm warns (a collapsed G's
    # features have a singular covariance), and rounding's tiny negative or imaginary parts are cut.
    eigenvalues = np.linalg.eigvals(cov_a @ cov_b).real.clip(min=0)
    return float(
        ((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * np.sqrt(eigenvalues).sum()
    )


def precision_recall(real, fake, k_pr: int = 3, k_dc: int = 5) -> dict:
    """Precision and recall (Kynkäänniemi et al. 2019, k = 3), density and coverage (Naeem et al.
    2020, k = 5), computed by the `prdc` package (its authors' code) from two feature sets."""
    meaning = (
        "how many nearest neighbours set each point's radius; 3 for precision/recall, 5 for density/coverage"
    )
    k_pr, k_dc = checks.integer("k_pr", k_pr, 1, meaning), checks.integer("k_dc", k_dc, 1, meaning)
    real, fake = _features(real, "real"), _features(fake, "fake")
    _same_width(real, fake, "real", "fake", "precision_recall")
    k = max(k_pr, k_dc)
    named = " = ".join(name for name, value in (("k_pr", k_pr), ("k_dc", k_dc)) if value == k)
    for name, x in (("real", real), ("fake", fake)):
        if len(x) < k + 2:
            raise ValueError(
                f"{name} has {len(x)} rows, too few for {named} = {k}: each row's radius is the distance "
                f"to its k-th nearest other row, undefined with k rows or fewer, and prdc (which computes "
                f"it) needs k + 2 rows. Pass at least {k + 2} rows in both real and fake, "
                f"or a smaller {named}"
            )
    with contextlib.redirect_stdout(io.StringIO()):  # prdc prints the sample counts on every call
        pr = prdc.compute_prdc(real, fake, nearest_k=k_pr)
        dc = prdc.compute_prdc(real, fake, nearest_k=k_dc)
    return {"precision": float(pr["precision"]), "recall": float(pr["recall"]),
            "density": float(dc["density"]), "coverage": float(dc["coverage"])}  # fmt: skip


# "Recognisable", defined once: the evaluator is sure of most samples, and they spread over the classes.
RECOGNISABLE = {"confidence": 0.9, "confident_share": 0.7, "classes": 9, "class_share": 0.03}


def class_stats(probabilities) -> dict:
    """From the evaluator's class probabilities (N, 10): the share of samples it is confident about
    (top probability > 0.9), the class histogram of its top choices, and whether that is
    "recognisable" (at least 70% confident and at least 9 classes with 3% of the samples each)."""
    p = _features(probabilities, "probabilities")
    confident = float((p.max(1) > RECOGNISABLE["confidence"]).mean())
    histogram = np.bincount(p.argmax(1), minlength=p.shape[1]) / len(p)
    classes = int((histogram >= RECOGNISABLE["class_share"]).sum())
    ok = confident >= RECOGNISABLE["confident_share"] and classes >= RECOGNISABLE["classes"]
    return {"confident": confident, "histogram": histogram, "classes_present": classes, "recognisable": ok}


def _features(x, name: str) -> np.ndarray:
    x = _as_numpy(x, name)
    if len(x) < 2 or not np.isfinite(x).all():
        raise ValueError(f"{name} needs at least 2 rows of finite numbers, got shape {x.shape} "
                         f"with {int((~np.isfinite(x)).sum())} NaN or infinite values")  # fmt: skip
    return x


def _same_width(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str, function: str) -> None:
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{name_a} has {a.shape[1]} features per row but {name_b} has {b.shape[1]}: {function} "
            "compares two sets of the same features; compute both with one evaluator "
            "(evaluator.load(dataset).features), from images of one size"
        )


def _as_rows(x, name: str) -> torch.Tensor:
    """x (N, ...) as float32 rows (N, d) on the CPU, or a clear error naming the argument."""
    try:
        t = torch.as_tensor(
            x.detach().cpu() if isinstance(x, torch.Tensor) else np.asarray(x), dtype=torch.float32
        )
    except (TypeError, ValueError, RuntimeError) as error:
        raise TypeError(
            f"{name} must be an array or tensor of numbers, one row per item, got {type(x).__name__}"
        ) from error
    if t.ndim < 2:
        raise ValueError(f"{name} must hold one row per item, shape (N, ...), got {tuple(t.shape)}")
    return t.flatten(1)


def nearest(queries, reference, batch: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """For each query (N, ...) the Euclidean distance to its nearest row of `reference` (M, ...),
    both flattened (pixel space for images), and that row's index: is G copying its training data?"""
    q, r = _as_rows(queries, "queries"), _as_rows(reference, "reference")
    if q.shape[1] != r.shape[1] or not len(q) or not len(r):
        raise ValueError(
            f"queries {tuple(q.shape)} and reference {tuple(r.shape)} must be non-empty "
            "and of the same size per item: compare images (or features) of one kind"
        )
    for name, x in (("queries", q), ("reference", r)):
        bad = (~torch.isfinite(x)).any(dim=1).nonzero().flatten().tolist()
        if bad:
            shown = ", ".join(map(str, bad[:5])) + (", ..." if len(bad) > 5 else "")
            raise ValueError(
                f"{name} has {len(bad)} rows with NaN or infinite values (rows {shown}): no distance to them "
                "is defined. Drop those rows (x[torch.isfinite(x).flatten(1).all(1)]), or, for G's samples, "
                "find why G diverged (see TrainingDiverged)"
            )
    found = [torch.cdist(q[i : i + batch], r).min(dim=1) for i in range(0, len(q), batch)]
    return torch.cat([f.values for f in found]).numpy(), torch.cat([f.indices for f in found]).numpy()


def memorisation(fake, train, held_out, quantile: float = 0.01) -> dict:
    """How many of G's samples sit closer to a training image than new real images do (notebook 12).

    A sample is *memorised* when its nearest training item is closer than all but a `quantile`
    share of held-out real items are to theirs: with quantile 0.01, closer than 99% of images G
    never saw. Held-out images meet the rule at rate `quantile` by construction, so that is the
    rate to compare with. Works on pixels or on features (rows of any width, all three alike).
    Returns rate, threshold, the median-distance ratio `copy` (below 1: closer to the training
    set than new real items are), and each sample's nearest distance and training index.
    """
    checks.number("quantile", quantile, 0, 1, low_open=True, high_open=True)
    d_fake, index = nearest(fake, train)
    d_held = nearest(held_out, train)[0]
    threshold = float(np.quantile(d_held, quantile))
    copy = float(np.median(d_fake) / np.median(d_held))
    rate = float((d_fake < threshold).mean())
    return {"rate": rate, "threshold": threshold, "copy": copy, "distances": d_fake, "index": index}


def membership_auc(member_scores, other_scores) -> float:
    """Membership inference in its simplest form: the ROC AUC of telling training items (members)
    from held-out ones by a score, here D's logit (`sklearn.metrics.roc_auc_score`). 0.5 is chance;
    1 means the score separates them perfectly."""
    from sklearn.metrics import roc_auc_score

    a = np.asarray(member_scores, dtype=np.float64).ravel()
    b = np.asarray(other_scores, dtype=np.float64).ravel()
    if not len(a) or not len(b) or not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError(f"need finite scores for members and for others, got {len(a)} and {len(b)} scores")
    return float(roc_auc_score(np.r_[np.ones(len(a)), np.zeros(len(b))], np.r_[a, b]))
