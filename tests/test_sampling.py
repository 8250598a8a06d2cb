"""Drawing images: G as a function of z (evaluation mode), the averaged G, and a trainer that
sampling never changes (issue 31; notebook 08, section 2)."""

import pytest
import torch

from gan_edu import GANTrainer, nets
from gan_edu.presets import get_preset

MODES = ("running", "standing")


def digits(**changes) -> GANTrainer:
    """The digits DCGAN (batch norm in G) after 30 steps."""
    trainer = GANTrainer(get_preset("dcgan_digits").config, **changes)
    trainer.run(30, progress=False)
    return trainer


def state(trainer: GANTrainer) -> list[torch.Tensor]:
    snap = trainer.snapshot()
    nets_ = [snap["G"], snap["D"]] + ([snap["G_avg"]] if snap["G_avg"] is not None else [])
    tensors = [t for sd in nets_ for t in sd.values()] + [snap["rng"]]
    for opt in (snap["opt_G"], snap["opt_D"]):
        tensors += [t for s in opt["state"].values() for t in s.values() if torch.is_tensor(t)]
    return tensors


@pytest.mark.parametrize("g_ema", [0.0, 0.99])
@pytest.mark.parametrize("mode", MODES)
def test_an_image_depends_on_its_z_alone(mode, g_ema):
    trainer = digits(sample_stats=mode, g_ema=g_ema)
    z = trainer.noise(64, torch.Generator().manual_seed(5))
    together = trainer.generate(z)
    for i in (0, 7):
        assert torch.allclose(trainer.generate(z[i : i + 1]), together[i : i + 1], atol=1e-5)
    assert torch.allclose(trainer.sample(16), trainer.sample(64)[:16], atol=1e-5)
    shuffled = torch.randperm(64, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(trainer.generate(z[shuffled]), together[shuffled], atol=1e-5)


def test_training_mode_sampling_makes_an_image_depend_on_its_batch():
    """What the PyTorch DCGAN tutorial does, kept to show it: batch norm by each batch's statistics."""
    trainer = digits(sample_stats="batch")
    assert (trainer.sample(16) - trainer.sample(64)[:16]).abs().max() > 0.01


@pytest.mark.parametrize("mode", ("batch", *MODES))
def test_sampling_never_changes_the_trainer(mode):
    trainer = digits(sample_stats=mode, g_ema=0.99)
    before, step = state(trainer), trainer.step_count
    trainer.sample(50), trainer.generate(trainer.noise(3), averaged=False), trainer.sample(7, seed=3)
    after = state(trainer)
    assert trainer.step_count == step and trainer.G.training and trainer.G_avg.training
    assert len(before) == len(after) and all(torch.equal(a, b) for a, b in zip(before, after, strict=True))


def test_standing_statistics_are_estimated_from_fresh_batches_and_cached_per_step():
    trainer = digits(sample_stats="standing")
    with trainer.drawing() as G:
        first = G
        bn = nets.batch_norms(G)[0]
        assert not G.training and bn.num_batches_tracked == 8
        assert not torch.equal(bn.running_mean, nets.batch_norms(trainer.G)[0].running_mean)
    with trainer.drawing() as G:
        assert G is first  # same step: estimated once
    trainer.step()
    with trainer.drawing() as G:
        assert G is not first


def test_the_average_follows_g_and_can_be_switched():
    trainer = digits(g_ema=0.9)
    z = trainer.noise(4, torch.Generator().manual_seed(0))
    assert not torch.allclose(trainer.generate(z, averaged=False), trainer.generate(z))  # the average lags
    plain = digits()
    assert plain.G_avg is None and torch.equal(plain.generate(z), plain.generate(z, averaged=False))
    # training G and D is unchanged by keeping an average
    assert all(torch.equal(a, b) for a, b in zip(plain.G.parameters(), trainer.G.parameters(), strict=True))
    trainer.configure(g_ema=0.0)
    assert trainer.G_avg is None
    trainer.configure(g_ema=0.999)
    assert all(
        torch.equal(a, b) for a, b in zip(trainer.G_avg.parameters(), trainer.G.parameters(), strict=True)
    )


def test_average_into_is_an_exponential_moving_average_with_a_warm_up():
    net, average = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)
    w0 = average.weight.detach().clone()
    nets.average_into(average, net, 0.999, step=0)  # d = min(0.999, 1/10) = 0.1
    assert torch.allclose(average.weight, 0.1 * w0 + 0.9 * net.weight)
    w1 = average.weight.detach().clone()
    nets.average_into(average, net, 0.5, step=10_000)  # d = 0.5
    assert torch.allclose(average.weight, 0.5 * w1 + 0.5 * net.weight)


def test_checkpoints_carry_the_average_and_the_statistics(tmp_path):
    trainer = digits(sample_stats="running", g_ema=0.99)
    path = trainer.save(tmp_path / "run.pt")
    again = GANTrainer.load(path)
    assert torch.equal(again.sample(20), trainer.sample(20))
    z = trainer.noise(5, torch.Generator().manual_seed(0))
    assert torch.equal(again.generate(z, averaged=False), trainer.generate(z, averaged=False))
    trainer.run(5, progress=False), again.run(5, progress=False)
    assert torch.equal(again.sample(20), trainer.sample(20))  # the average continues bit for bit


def test_bad_sampling_settings_are_refused_with_the_choices():
    with pytest.raises(ValueError, match="sample_stats.*choose one of: batch, running, standing"):
        GANTrainer(get_preset("dcgan_digits").config, sample_stats="eval")
    with pytest.raises(ValueError, match=r"g_ema must be a number in \[0, 1\)"):
        GANTrainer(get_preset("dcgan_digits").config, g_ema=1.0)
