"""Bad input gets a ValueError that names the bad value and lists the valid ones."""

import numpy as np
import pytest
import torch

from gan_edu import GANTrainer, pick_device, toy
from gan_edu.presets import get_preset


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"dataset": "rign"}, "unknown dataset 'rign'; choose one of: ring, grid, spiral, moons"),
        ({"loss": "hinj"}, "unknown loss 'hinj'; choose one of: minimax, non_saturating"),
        ({"optimizer": "adamw"}, "unknown optimizer 'adamw'; choose one of: adam, sgd"),
        ({"device": "tpu"}, "unknown device 'tpu'; choose one of: auto, cpu, cuda, mps"),
        ({"noise": "cauchy"}, "unknown noise 'cauchy'; choose one of: gaussian, uniform"),
        ({"g_activation": "relu6"}, "unknown activation 'relu6'; choose one of: relu, leaky_relu"),
        ({"lr_D": 0}, "lr_D must be a number in (0, 10], got 0"),
        ({"lr_G": -1e-3}, "lr_G must be a number in (0, 10], got -0.001"),
        ({"lr_G": float("nan")}, "lr_G must be a number in (0, 10], got nan"),
        ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
        ({"batch_size": 12.5}, "batch_size must be a positive integer, got 12.5"),
        ({"d_steps": -2}, "d_steps must be a positive integer, got -2"),
        ({"r1_weight": -1}, "r1_weight must be zero or positive, got -1"),
        ({"lr_d": 0.1}, "unknown config field 'lr_d'; choose one of: dataset, dataset_kwargs"),
    ],
)
def test_bad_config_values(changes, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        GANTrainer(**changes)


def test_bad_step_counts():
    t = GANTrainer(device="cpu", g_width=8, d_width=8)
    for steps in (0, -5, 2.5):
        with pytest.raises(ValueError, match=f"steps must be a positive integer, got {steps}"):
            t.run(steps, progress=False)


def test_configure_rejects_bad_values_and_keeps_the_session():
    t = GANTrainer(device="cpu", g_width=8, d_width=8)
    t.run(3, progress=False)
    with pytest.raises(ValueError, match=r"lr_G must be a number in \(0, 10\]"):
        t.configure(lr_G=0)
    assert t.config.lr_G == 1e-3 and t.step_count == 3
    t.step()


@pytest.mark.parametrize(
    "data, message",
    [
        (np.zeros(10), r"data must have shape \(N, dim\).*got \(10,\)"),
        (np.zeros((4, 2, 2)), r"got \(4, 2, 2\)"),
        (np.zeros((1, 2)), r"got \(1, 2\)"),
        (np.array([[0.0, np.nan], [1.0, 1.0]]), "NaN or infinite"),
    ],
)
def test_bad_custom_data(data, message):
    with pytest.raises(ValueError, match=message):
        GANTrainer(data=data)


def test_dataset_and_preset_and_sample_errors():
    with pytest.raises(ValueError, match="unknown dataset 'moon'; choose one of"):
        toy.get_dataset("moon")
    with pytest.raises(ValueError, match="std must be a positive number, got -1"):
        toy.ring(std=-1)
    with pytest.raises(ValueError, match=r"n must be a positive integer \(how many samples\), got 0"):
        toy.ring().sample(0)
    with pytest.raises(ValueError, match="unknown preset 'ring'; choose one of: balanced"):
        get_preset("ring")
    with pytest.raises(ValueError, match="unknown device 'gpu'"):
        pick_device("gpu")


@pytest.mark.parametrize(
    "options, message",
    [
        ({"batch_norm": "no"}, r"dcgan_options: batch_norm must be True or False, got 'no'"),
        ({"output": "relu2"}, r"dcgan_options: unknown output 'relu2'; choose one of: tanh"),
        ({"downsample": 2}, r"dcgan_options: unknown downsample 2; choose one of: strided"),
        ({"label": "planez"}, r"dcgan_options: unknown label 'planez'; choose one of: planes, projection"),
        ({"batchnorm": False}, r"unknown dcgan option 'batchnorm'"),
    ],
)
def test_values_inside_dcgan_options_are_checked_like_top_level_ones(options, message):
    images = {
        "dataset": "digits",
        "arch": "dcgan",
        "g_width": 4,
        "d_width": 4,
        "latent_dim": 8,
        "device": "cpu",
    }
    with pytest.raises(ValueError, match=message):
        GANTrainer(**images, dcgan_options=options)
    trainer = GANTrainer(**images)
    before = [p.clone() for p in trainer.G.parameters()]
    with pytest.raises(ValueError, match=message):
        trainer.configure(dcgan_options=options)
    assert trainer.config.dcgan_options == {}
    assert all(torch.equal(a, b) for a, b in zip(before, trainer.G.parameters(), strict=True))


def test_a_models_options_swallowed_by_kwargs_are_named_with_the_valid_ones():
    from gan_edu import baselines

    with pytest.raises(TypeError, match=r"VAE has no option 'latnt'; its options are: latent, k, width"):
        baselines.VAE(latnt=4)
    with pytest.raises(TypeError, match=r"DBN has no option 'hiden'; its options are: hidden, top, bits"):
        baselines.DBN(hiden=3)
    with pytest.raises(ValueError, match="unknown config field 'lr'"):  # at construction, not at fit
        baselines.GAN(lr=1e-3)
    assert "seed" in baselines.MADE.options() and "kwargs" not in baselines.MADE.options()


def test_a_numpy_code_or_label_array_is_taken_where_a_tensor_is():
    from gan_edu import conditional

    trainer = GANTrainer(dataset="digits", arch="dcgan", condition="class", g_width=4, d_width=4,
                         latent_dim=8, device="cpu")  # fmt: skip
    labels = np.arange(6) % 10
    z = np.random.default_rng(0).normal(size=(6, 8)).astype(np.float32)
    want = trainer.generate(torch.from_numpy(z), conditional.class_code(torch.from_numpy(labels)))
    for code in (conditional.class_code(labels).numpy(), conditional.class_code(labels).tolist(), labels):
        assert torch.equal(trainer.generate(z, code), want)
    bad_codes = [(np.ones((6, 3)), r"shape \(6, 10\), got \(6, 3\)"), (labels[:4], r"got \(4,\)"),
                 (np.full((6, 10), np.nan), "NaN or infinite"), ({"class": 3}, "array")]  # fmt: skip
    for bad, message in bad_codes:
        with pytest.raises(ValueError, match=message):
            trainer.generate(z, bad)
