"""The public API fuzzed with random bad inputs (Hypothesis): each call either works or raises a
ValueError or TypeError whose message names the argument, and never changes the trainer's state —
not when it refuses, and not when it only draws samples."""

from dataclasses import asdict, fields

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gan_edu import GANTrainer, evaluator, metrics
from gan_edu.config import GANConfig

SMALL = {"g_width": 8, "d_width": 8, "batch_size": 16, "device": "cpu"}
IMAGES = {"dataset": "digits", "arch": "dcgan", "latent_dim": 8, "g_width": 4, "d_width": 4, "batch_size": 8,
          "device": "cpu"}  # fmt: skip
SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=SLOW)
FIELDS = [f.name for f in fields(GANConfig)]

# values a student might type by mistake: wrong types, signs, sizes, NaN, containers, names
anything = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8), st.sampled_from(["cpu", "ring", "adam", "dcgan", "relu", "class", "gaussian"]),
    st.lists(st.integers(-3, 3), max_size=3), st.dictionaries(st.sampled_from(["std", "batch_norm", "x"]),
                                                              st.integers(-2, 2), max_size=2),
)  # fmt: skip


def state(trainer) -> list:
    """Everything that training changes or that a refused call must leave alone, as comparable values."""
    tensors = [*trainer.G.state_dict().values(), *trainer.D.state_dict().values(), trainer.rng.get_state()]
    for opt in (trainer.opt_G, trainer.opt_D):
        tensors += [v for s in opt.state_dict()["state"].values() for v in s.values() if torch.is_tensor(v)]
    return [t.detach().clone() for t in tensors] + [
        repr(asdict(trainer.config)), trainer.step_count, len(trainer.history),
        repr([g["lr"] for o in (trainer.opt_G, trainer.opt_D) for g in o.param_groups]),
    ]  # fmt: skip


def unchanged(before, after) -> bool:
    return len(before) == len(after) and all(
        torch.equal(a, b) if torch.is_tensor(a) else a == b for a, b in zip(before, after, strict=True)
    )


def refused_clearly(error: Exception, *names: str) -> None:
    assert isinstance(error, (ValueError, TypeError)), f"{type(error).__name__}: {error}"
    assert any(name in str(error) for name in names), f"the message does not name {names}: {error}"


@pytest.fixture(scope="module")
def images():
    trainer = GANTrainer(**IMAGES)
    trainer.run(2, progress=False)
    return trainer


def names_of(name, value) -> tuple:
    """What a clear message about `name=value` may name: the field, the value, or a key inside it."""
    return (name, repr(value)[:20], *(map(str, value) if isinstance(value, dict) else ()))


@FUZZ
@given(name=st.sampled_from(FIELDS + ["lr", "seeds", "width"]), value=anything)
def test_configure_works_or_names_the_field_and_changes_nothing(name, value):
    trainer = GANTrainer(**SMALL)
    trainer.run(2, progress=False)
    before = state(trainer)
    try:
        trainer.configure(**{name: value})
    except Exception as error:  # noqa: BLE001 - the test is about which errors escape
        refused_clearly(error, *names_of(name, value))
        assert unchanged(before, state(trainer)), (
            f"configure({name}={value!r}) was refused but changed the trainer"
        )


@FUZZ
@given(name=st.sampled_from(FIELDS + ["lr", "width"]), value=anything)
def test_a_new_trainer_works_or_names_the_field(name, value):
    try:
        GANTrainer(**(SMALL | {name: value}))
    except Exception as error:  # noqa: BLE001
        refused_clearly(error, *names_of(name, value))


@FUZZ
@given(n=st.one_of(st.integers(-2, 40), anything.filter(lambda v: not isinstance(v, int) or abs(v) < 100)),
       seed=anything, truncation=anything)  # fmt: skip
def test_sampling_works_or_names_the_argument_and_never_changes_the_trainer(images, n, seed, truncation):
    """For images too: G draws in training mode, and batch norm's running statistics must stay."""
    before = state(images)
    try:
        x = images.sample(n, seed=seed, truncation=truncation)
    except Exception as error:  # noqa: BLE001
        refused_clearly(error, "n", "seed", "truncation")
    else:
        assert x.shape == (n, 1, 8, 8) and torch.isfinite(x).all()
    assert unchanged(before, state(images))


@FUZZ
@given(z=st.one_of(anything, st.tuples(st.integers(0, 4), st.integers(0, 10))))
def test_generate_works_or_names_z(images, z):
    before = state(images)
    if isinstance(z, tuple):
        z = np.zeros(z, dtype=np.float32)
    try:
        images.generate(z)
    except Exception as error:  # noqa: BLE001
        refused_clearly(error, "z")
    assert unchanged(before, state(images))


@FUZZ
@given(steps=anything, every=anything)
def test_run_works_or_names_the_argument(steps, every):
    trainer = GANTrainer(**SMALL)
    if isinstance(steps, int) and not isinstance(steps, bool) and steps > 3:
        steps = 3  # keep a valid run short
    before = state(trainer)
    try:
        trainer.run(steps, every=every, progress=False, callback=lambda t, s: None)
    except Exception as error:  # noqa: BLE001
        refused_clearly(error, "steps", "every")
        assert unchanged(before, state(trainer))


arrays = st.one_of(
    anything,
    st.tuples(st.integers(0, 5), st.integers(0, 4)).map(lambda s: np.random.default_rng(0).normal(size=s)),
    st.tuples(st.integers(1, 5), st.integers(1, 3)).map(lambda s: np.full(s, np.nan)),
)


@FUZZ
@given(a=arrays, b=arrays)
def test_the_metrics_work_or_name_their_arguments(a, b):
    for call, names in (
        (lambda: metrics.frechet_distance(a, b), ("a", "b")),
        (lambda: metrics.precision_recall(a, b), ("real", "fake")),
        (lambda: metrics.nearest(a, b), ("queries", "reference")),
        (lambda: metrics.mode_stats(a, b, 0.05), ("samples", "modes")),
    ):
        try:
            call()
        except Exception as error:  # noqa: BLE001
            refused_clearly(error, *names)


@FUZZ
@given(shape=st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 9), st.integers(0, 9)),
       scale=st.sampled_from([1.0, 255.0, float("nan")]))  # fmt: skip
def test_the_evaluator_works_or_names_the_images(shape, scale):
    x = np.random.default_rng(0).uniform(-1, 1, size=shape) * scale
    try:
        evaluator.class_stats(x)
    except Exception as error:  # noqa: BLE001
        refused_clearly(error, "x")
