"""gan_edu.evaluation: notebook 10's stand-ins for failures and the Fréchet distance by sample size."""

import numpy as np
import pytest
import torch

from gan_edu import GANTrainer, evaluation, evaluator, images

SMALL_IMAGES = {"dataset": "fashion_mnist", "arch": "dcgan", "latent_dim": 8, "g_width": 4, "d_width": 4,
                "batch_size": 8}  # fmt: skip


def test_blur_keeps_shape_and_range_and_smooths():
    x = images.load_fashion_mnist("test").images[:20]
    b = evaluation.blur(x, 1.0)
    assert b.shape == x.shape and b.min() >= -1 and b.max() <= 1
    assert (b[:, :, 1:] - b[:, :, :-1]).abs().mean() < (x[:, :, 1:] - x[:, :, :-1]).abs().mean()
    with pytest.raises(ValueError, match="grey images"):
        evaluation.blur(torch.zeros(2, 3, 8, 8))
    with pytest.raises(ValueError, match="positive"):
        evaluation.blur(x, 0)


def test_mixed_replaces_about_the_share_asked_and_without_classes_drops_them():
    good, bad = torch.zeros(2000, 1, 8, 8), torch.ones(2000, 1, 8, 8)
    share = evaluation.mixed(good, bad, 0.3).mean().item()
    assert 0.27 < share < 0.33
    with pytest.raises(ValueError, match="share in"):
        evaluation.mixed(good, bad, 1.5)
    data = images.load_fashion_mnist("test")
    kept = evaluation.without_classes(data.images, data.labels, [0, 1, 2])
    assert len(kept) == len(data.images) * 7 // 10
    with pytest.raises(ValueError, match="labels 0..9"):
        evaluation.without_classes(data.images, data.labels, [10])


def test_frechet_distance_of_one_distribution_falls_with_n_and_extrapolates_to_near_zero():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(4000, 16)), rng.normal(size=(4000, 16))
    by_n = evaluation.frechet_by_n(a, b, [250, 500, 1000, 4000], repeats=3)
    means = [v.mean() for v in by_n.values()]
    assert all(x > y for x, y in zip(means, means[1:], strict=False))
    fd_inf, slope = evaluation.extrapolate(by_n)
    assert abs(fd_inf) < 0.05 * means[0] and slope > 0
    with pytest.raises(ValueError, match="needs that many"):
        evaluation.frechet_by_n(a, b, [5000])


def test_extrapolate_recovers_an_exact_line_in_one_over_n():
    by_n = {n: np.array([2.0 + 300.0 / n]) for n in (100, 300, 1000)}
    assert evaluation.extrapolate(by_n) == pytest.approx((2.0, 300.0))
    with pytest.raises(ValueError, match="two or more"):
        evaluation.extrapolate({100: np.array([1.0])})


def test_track_puts_losses_beside_the_evaluators_report():
    rows = evaluation.track(GANTrainer(**SMALL_IMAGES), 4, 2, evaluator.reference(50), n=50)
    assert [r["step"] for r in rows] == [2, 4]
    assert all(np.isfinite([r["d_loss"], r["g_loss"], r["frechet"]]).all() for r in rows)


def test_ten_copied_images_fool_the_class_mix_but_not_recall():
    """10_evaluation, exercise 2's hint: the first training image of each class, 100 copies each."""
    train = images.load_fashion_mnist("train")
    first = torch.stack([torch.nonzero(train.labels == c)[0, 0] for c in range(10)])
    r = evaluator.report(train.images[first].repeat(100, 1, 1, 1), evaluator.reference(1000))
    assert (
        abs(r["precision"] - 0.90) < 0.006 and r["recall"] < 0.005 and abs(r["coverage"] - 0.04) < 0.006
    )  # 10: "precision 0.90, recall 0.00, coverage 0.04"
    assert np.allclose(r["histogram"], 0.1) and r["recognisable"]  # 10: "ten classes at exactly 10% each"
