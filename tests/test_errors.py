"""Bad input gets a ValueError that names the bad value and lists the valid ones."""

import numpy as np
import pytest

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
        ({"lr_D": 0}, "lr_D must be a positive number, got 0"),
        ({"lr_G": -1e-3}, "lr_G must be a positive number, got -0.001"),
        ({"lr_G": float("nan")}, "lr_G must be a positive number, got nan"),
        ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
        ({"batch_size": 12.5}, "batch_size must be a positive integer, got 12.5"),
        ({"d_steps": -2}, "d_steps must be a positive integer, got -2"),
        ({"r1_weight": -1}, "r1_weight must be zero or positive, got -1"),
        ({"lr_d": 0.1}, "unknown config field 'lr_d'; valid fields: dataset, dataset_kwargs"),
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
    with pytest.raises(ValueError, match="lr_G must be a positive number"):
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
    with pytest.raises(ValueError, match="sample size must be a positive integer, got 0"):
        toy.ring().sample(0)
    with pytest.raises(ValueError, match="unknown preset 'ring'; choose one of: balanced"):
        get_preset("ring")
    with pytest.raises(ValueError, match="unknown device 'gpu'"):
        pick_device("gpu")
