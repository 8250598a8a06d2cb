"""Bad input to the evaluator and the image metrics gets a clear error (which argument, what is wrong,
what to do), and valid input gives the same numbers as before (issue: bad input gets a clear error)."""

import warnings

import numpy as np
import pytest
import torch

from gan_edu import evaluator, images, metrics


def _images(n: int, side: int = 8, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, 1, side, side, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def _features(n: int, width: int = 4, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, width))


# ---- the evaluator: numpy, range, [0, 1] images ----------------------------------------------------
def test_numpy_images_are_accepted_and_judged_as_the_same_tensor():
    fake, real = _images(20), evaluator.reference(20, "digits")
    by_tensor, by_numpy = evaluator.report(fake, real), evaluator.report(fake.numpy(), real.numpy())
    assert by_numpy.keys() == by_tensor.keys()
    for key, value in by_tensor.items():
        assert np.array_equal(by_numpy[key], value), key
    net = evaluator.load("digits")
    assert torch.equal(net.features(fake.numpy()), net.features(fake))
    assert torch.equal(net.probabilities(fake.numpy()), net.probabilities(fake))
    assert evaluator.class_stats(fake.numpy())["confident"] == evaluator.class_stats(fake)["confident"]
    labels = torch.arange(20) % 10
    accuracy = evaluator.class_accuracy(fake, labels)
    assert np.array_equal(evaluator.class_accuracy(fake.numpy(), labels), accuracy, equal_nan=True)
    assert torch.equal(net.features(fake.double().numpy()), net.features(fake))  # float64 arrays too
    assert torch.equal(net.features(fake.tolist()), net.features(fake))  # and nested lists


def test_a_valid_tensor_passes_the_check_unchanged():
    x = _images(3).double()
    assert evaluator._check_images(x, "x") is x  # no copy, no change of dtype


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda x: evaluator.report(x, evaluator.reference(10, "digits")), "fake"),
        (lambda x: evaluator.report(_images(10), x), "real"),
        (lambda x: evaluator.load("digits").features(x), "x"),
        (lambda x: evaluator.load("digits").probabilities(x), "x"),
        (lambda x: evaluator.class_stats(x), "x"),
        (lambda x: evaluator.class_accuracy(x, torch.zeros(len(x), dtype=torch.long)), "x"),
    ],
)
def test_pixels_in_0_255_are_refused_naming_the_argument_and_the_conversion(call, name):
    pixels = (_images(10) + 1) * 127.5  # [0, 255]
    with pytest.raises(ValueError) as error:
        call(pixels)
    message = str(error.value)
    assert message.startswith(f"{name} holds values from 0") and "expects images in [-1, 1]" in message
    assert "x / 127.5 - 1" in message and "x * 2 - 1" in message
    with pytest.raises(ValueError, match=rf"^{name} holds values from -1\.99.*map its ends to -1 and 1"):
        call(pixels / 127.5 - 2)  # [-2, 0]: below the range too


def test_values_a_rounding_error_outside_the_range_pass():
    x = _images(4) * (1 + 5e-4)
    assert evaluator.load("digits").features(x).shape == (4, 128)


def test_images_in_0_1_are_warned_about_naming_the_argument_and_the_fix():
    fake, real = (_images(10) + 1) / 2, evaluator.reference(10, "digits")
    with pytest.warns(UserWarning, match=r"^fake has no negative value .* images in \[0, 1\]") as record:
        evaluator.report(fake, real)
    assert len(record) == 1 and "x * 2 - 1" in str(record[0].message)
    assert record[0].filename == __file__  # the warning points at the caller's line
    with pytest.warns(UserWarning, match=r"^real has no negative value"):
        evaluator.report(real, fake)
    for call in (evaluator.class_stats, evaluator.load("digits").features):
        with pytest.warns(UserWarning, match=r"^x has no negative value") as record:
            call(fake)
        assert len(record) == 1 and record[0].filename == __file__


def test_images_of_two_sizes_are_refused_before_any_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"^fake images \(1, 8, 8\) and real \(1, 28, 28\) differ"):
            evaluator.report(torch.zeros(4, 1, 8, 8), evaluator.reference(10))


def test_the_shipped_real_images_raise_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        real = (
            evaluator.reference(1000),
            images.load_digits("test").images,
            evaluator.reference(297, "digits"),
        )
        for x in real:
            evaluator._check_images(x, "real")
            assert (x.flatten(1).min(1).values < 0).all()  # every single image has a negative pixel


@pytest.mark.parametrize(
    "shape, hint",
    [((4, 28, 28), "x.unsqueeze(1)"), ((4, 64), "x.reshape(-1, 1, 8, 8)"),
     ((4, 28, 28, 1), "x.permute(0, 3, 1, 2)"), ((4, 1, 16, 16), "one of those two sizes")],
)  # fmt: skip
def test_wrong_shapes_name_the_argument_and_say_what_to_do(shape, hint):
    with pytest.raises(ValueError, match=r"^fake: .*\(N, 1, 28, 28\) or digits \(N, 1, 8, 8\)") as error:
        evaluator.report(np.zeros(shape, dtype=np.float32) - 1, evaluator.reference(10))
    assert f"got {shape}" in str(error.value) and hint in str(error.value)


def test_other_bad_images_name_the_argument():
    with pytest.raises(ValueError, match=r"^real must be images: .* not str"):
        evaluator.report(_images(4), "images")
    with pytest.raises(ValueError, match=r"^x holds no images"):
        evaluator.class_stats(np.zeros((0, 1, 8, 8)))
    diverged = _images(4)
    diverged[1, 0, 2, 2] = float("nan")
    with pytest.raises(ValueError, match=r"^fake holds 1 NaN or infinite values; a diverged G"):
        evaluator.report(diverged, evaluator.reference(10, "digits"))
    with pytest.raises(ValueError, match=r"^x holds torch.bool values"):
        evaluator.class_stats(torch.ones(2, 1, 8, 8, dtype=torch.bool))


# ---- the metrics ------------------------------------------------------------------------------------
def test_feature_sets_of_different_widths_are_refused_naming_both():
    with pytest.raises(ValueError, match=r"^a has 4 features per row but b has 3: frechet_distance"):
        metrics.frechet_distance(_features(10), _features(10, 3))
    with pytest.raises(ValueError, match=r"^real has 128 features per row but fake has 4: precision_") as e:
        metrics.precision_recall(_features(10, 128), _features(10))
    assert "evaluator.load(dataset).features" in str(e.value)


@pytest.mark.parametrize(
    "rows, k_pr, k_dc, name, named, least",
    [((6, 20), 3, 5, "real", "k_dc = 5", 7), ((20, 4), 3, 5, "fake", "k_dc = 5", 7),
     ((20, 9), 8, 2, "fake", "k_pr = 8", 10), ((4, 20), 3, 3, "real", "k_pr = k_dc = 3", 5)],
)  # fmt: skip
def test_precision_recall_needs_more_rows_than_k_and_says_which_k(rows, k_pr, k_dc, name, named, least):
    with pytest.raises(ValueError, match=rf"^{name} has {min(rows)} rows, too few for {named}") as error:
        metrics.precision_recall(_features(rows[0]), _features(rows[1], seed=1), k_pr, k_dc)
    assert f"at least {least} rows" in str(error.value)
    k = max(k_pr, k_dc)  # k + 2 rows each: enough
    r = metrics.precision_recall(_features(k + 2), _features(k + 2, seed=1), k_pr, k_dc)
    assert 0 <= r["precision"] <= 1


@pytest.mark.parametrize("name", ["k_pr", "k_dc"])
@pytest.mark.parametrize("k", [0, -1, 2.5, 3.0, True, "3", None])
def test_k_must_be_a_positive_integer(name, k):
    with pytest.raises(ValueError, match=rf"^{name} must be a positive integer .* got {k!r}"):
        metrics.precision_recall(_features(20), _features(20, seed=1), **{name: k})


def test_numpy_integer_k_is_accepted_and_gives_the_same_numbers():
    real, fake = _features(20), _features(20, seed=1)
    by_numpy_k = metrics.precision_recall(real, fake, np.int64(3), np.int64(5))
    assert by_numpy_k == metrics.precision_recall(real, fake)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_nearest_refuses_nan_and_infinite_rows_naming_the_argument(bad):
    x = _images(8)
    broken = x.clone()
    broken[[2, 5], 0, 3, 3] = bad
    with pytest.raises(ValueError, match=r"^queries has 2 rows with NaN or infinite values \(rows 2, 5\)"):
        metrics.nearest(broken, x)
    with pytest.raises(ValueError, match=r"^reference has 2 rows with NaN or infinite values \(rows 2, 5\)"):
        metrics.nearest(x, broken.numpy())
    with pytest.raises(ValueError, match=r"^queries has 2 rows"):
        metrics.memorisation(broken, x, x)


def test_the_digits_evaluator_gives_noise_a_precision_near_one_half_and_fashion_mnist_none():
    """data/README.md and 11's caveat: on 8 x 8 digits precision alone does not tell noise from digits."""
    noise = {side: torch.rand(1000, 1, side, side, generator=torch.Generator().manual_seed(0)) * 2 - 1
             for side in (8, 28)}  # fmt: skip
    digits = evaluator.report(noise[8], evaluator.reference(297, "digits"))
    assert 0.4 < digits["precision"] < 0.6 and digits["recall"] < 0.15 and digits["frechet"] > 80
    real = evaluator.report(images.load_digits("train").images[:1000], evaluator.reference(297, "digits"))
    assert real["precision"] > 0.8 and real["frechet"] < 3
    fashion = evaluator.report(noise[28], evaluator.reference(1000))
    assert fashion["precision"] == 0 and fashion["frechet"] > 80
