import pytest
import torch

from gan_edu import GANTrainer, TrainingDiverged, views
from gan_edu.metrics import mode_report
from gan_edu.notebook import tagged_code
from gan_edu.train import GANConfig

SMALL = {"g_width": 32, "d_width": 32, "batch_size": 64, "device": "cpu"}


def params(net):
    return [p.detach().clone() for p in net.parameters()]


def test_trainer_step_is_the_hand_written_step_of_notebook_03():
    train_step = tagged_code("03_building_blocks.ipynb", "train_step")["train_step"]
    for d_steps in (1, 3):
        trainer = GANTrainer(**SMALL, d_steps=d_steps, seed=4)
        G, D = trainer.G, trainer.D
        twin = GANTrainer(**SMALL, d_steps=d_steps, seed=4)  # same seed: same initial weights
        rng = torch.Generator().manual_seed(4)
        for _ in range(20):
            trainer.step()
            train_step(twin.G, twin.D, twin.opt_G, twin.opt_D, twin.data, rng,
                       batch_size=64, latent_dim=2, d_steps=d_steps)  # fmt: skip
        for a, b in zip(params(G) + params(D), params(twin.G) + params(twin.D), strict=True):
            assert torch.equal(a, b)


def test_same_seed_same_run_different_seed_different_run():
    a, b, c = (GANTrainer(**SMALL, seed=s) for s in (1, 1, 2))
    for t in (a, b, c):
        t.run(10, progress=False)
    assert torch.equal(a.sample(5), b.sample(5))
    assert not torch.equal(a.sample(5), c.sample(5))


@pytest.mark.parametrize("preset", ["balanced", "mode_collapse"])
def test_thread_count_changes_runs_only_by_rounding(preset):
    """A run repeats bit for bit on the same thread count. On one thread and on two, runs agree
    only to rounding: how PyTorch splits a sum over threads depends on the CPU (on AMD machines the
    two were bit-identical, on an Intel Xeon with AVX-512 they differ after a few steps), so
    `make claims` trains on one thread per worker and a GAN's later steps may amplify the difference
    (notebook 00, "The same seed on another CPU")."""
    from gan_edu.presets import get_preset

    before = torch.get_num_threads()
    weights = []
    try:
        for threads in (1, 2, 1):
            torch.set_num_threads(threads)
            trainer = GANTrainer(get_preset(preset).config)
            trainer.run(30, progress=False)
            weights.append(torch.cat([p.flatten() for p in params(trainer.G) + params(trainer.D)]))
    finally:
        torch.set_num_threads(before)
    one, two, again = weights
    assert torch.equal(one, again)
    assert (one - two).abs().max() < 1e-5  # seen: 0 on AMD, about 3e-7 on an Intel Xeon (AVX-512)


def test_d_steps_and_g_steps_count_updates():
    t = GANTrainer(**SMALL, d_steps=3, g_steps=2)
    t.step()
    assert t.opt_D.state[next(iter(t.D.parameters()))]["step"] == 3
    assert t.opt_G.state[next(iter(t.G.parameters()))]["step"] == 2


def test_step_d_only_leaves_G_alone():
    t = GANTrainer(**SMALL)
    before = params(t.G)
    t.step(d=True, g=False)
    assert all(torch.equal(a, b) for a, b in zip(before, params(t.G), strict=True))


def test_history_is_bounded_and_recorded():
    t = GANTrainer(**SMALL, history_size=25)
    t.run(40, progress=False)
    assert len(t.history) == 25 and t.history["step"][-1] == 40
    assert set(t.history.rows[-1]) >= {"d_loss", "g_loss", "g_grad_norm", "seconds"}


def test_snapshot_and_restore_round_trip():
    t = GANTrainer(**SMALL)
    t.run(5, progress=False)
    snap = t.snapshot()
    t.run(5, progress=False)
    after_ten = params(t.G)
    t.restore(snap)
    assert t.step_count == 5 and len(t.history) == 5
    t.run(5, progress=False)  # the RNG was restored too, so the same 5 steps happen again
    assert all(torch.equal(a, b) for a, b in zip(after_ten, params(t.G), strict=True))


def test_nan_loss_stops_with_a_message_and_keeps_the_last_good_state():
    t = GANTrainer(**SMALL)
    t.run(100, progress=False)  # a good snapshot is kept every 100 steps
    good = params(t.G)
    with torch.no_grad():
        t.D[0].weight.fill_(float("nan"))
    with pytest.raises(TrainingDiverged, match=r"loss became nan at step 101.*went back to step 100.*lr_D"):
        t.step()
    assert t.step_count == 100
    assert all(torch.equal(a, b) for a, b in zip(good, params(t.G), strict=True))
    assert all(torch.isfinite(p).all() for p in t.D.parameters())
    t.step()  # and training can go on


def test_callback_can_stop_run():
    t = GANTrainer(**SMALL)
    t.run(50, callback=lambda trainer, stats: stats["step"] < 7, progress=False)
    assert t.step_count == 7


def test_configure_applies_between_steps():
    t = GANTrainer(**SMALL)
    t.run(3, progress=False)
    assert t.configure(lr_D=0.01, d_steps=2, loss="hinge") is False  # no rebuild
    assert t.opt_D.param_groups[0]["lr"] == 0.01 and t.step_count == 3
    assert t.loss.name == "hinge"
    assert t.configure(g_width=16) is True and t.step_count == 0
    assert t.G[0].out_features == 16


@pytest.mark.parametrize("loss", ["minimax", "least_squares", "hinge", "wasserstein"])
def test_every_loss_and_penalty_trains(loss):
    t = GANTrainer(**SMALL, loss=loss, gp_weight=1.0 if loss == "wasserstein" else 0.0, r1_weight=0.1)
    t.run(5, progress=False)
    assert torch.isfinite(t.sample(10)).all()


def test_custom_data_and_view():
    x = torch.randn(200, 2) * 0.1 + torch.tensor([1.0, -1.0])
    t = GANTrainer(data=x, **SMALL)
    t.run(3, progress=False)
    v = views.plane(t, n=64, resolution=16)
    assert v["fake"].shape == (64, 2) and v["arrows"].shape == (64, 2) and v["d_grid"].shape == (16, 16)
    assert t.config.dataset == "custom"
    with pytest.raises(ValueError, match="no separate modes"):
        mode_report(t)


def test_evaluate_on_ring_and_config_round_trip():
    t = GANTrainer(**SMALL)
    assert mode_report(t, 200)["n_modes"] == 8
    again = GANTrainer(**t.config_dict())
    assert torch.equal(again.sample(4), t.sample(4))


def test_uniform_noise_in_range():
    t = GANTrainer(**SMALL, noise="uniform", latent_dim=3)
    z = t.noise(1000)
    assert z.shape == (1000, 3) and z.min() >= -1 and z.max() <= 1


def test_default_config_is_valid():
    assert GANConfig().validate().dataset == "ring"


def test_notebook_03_exercise_1_without_detach_same_weights_but_g_gets_gradients():
    code = tagged_code("03_building_blocks.ipynb", "train_step")
    bce, g_step = code["bce"], code["g_step"]

    def d_step_without_detach(G, D, opt_D, data, rng, batch_size, latent_dim):
        x_real = data.sample(batch_size, rng)
        x_fake = G(torch.randn(batch_size, latent_dim, generator=rng))  # no .detach()
        real_logits, fake_logits = D(x_real), D(x_fake)
        d_loss = bce(real_logits, torch.ones_like(real_logits)) + bce(
            fake_logits, torch.zeros_like(fake_logits)
        )
        opt_D.zero_grad()
        d_loss.backward()
        opt_D.step()

    a, b = GANTrainer(**SMALL), GANTrainer(**SMALL)
    rng = torch.Generator().manual_seed(0)
    for _ in range(20):
        a.step()
        d_step_without_detach(b.G, b.D, b.opt_D, b.data, rng, 64, 2)
        assert b.G[0].weight.grad is not None and b.G[0].weight.grad.abs().sum() > 0
        g_step(b.G, b.D, b.opt_G, rng, 64, 2)
    assert all(
        torch.equal(x, y) for x, y in zip(params(a.G) + params(a.D), params(b.G) + params(b.D), strict=True)
    )


def test_restore_keeps_the_configs_learning_rates():
    """After restore() (and so after the NaN guard) the optimizers train at what the config shows."""
    t = GANTrainer(**SMALL)
    snap = t.snapshot()
    t.configure(lr_D=3e-4, lr_G=2e-4)
    t.run(3, progress=False)
    t.restore(snap)
    assert [g["lr"] for g in t.opt_D.param_groups] == [3e-4] and [g["lr"] for g in t.opt_G.param_groups] == [
        2e-4
    ]


def test_restore_refuses_another_architecture_and_changes_nothing():
    t, other = GANTrainer(**SMALL), GANTrainer(**(SMALL | {"d_width": 16}))
    before = params(t.G) + params(t.D)
    with pytest.raises(ValueError, match="does not fit this trainer's D.*nothing was changed"):
        t.restore(other.snapshot())
    assert all(torch.equal(a, b) for a, b in zip(before, params(t.G) + params(t.D), strict=True))


def test_configure_is_all_or_nothing_whatever_the_error(monkeypatch):
    t = GANTrainer(**SMALL)
    t.run(3, progress=False)
    config, G, weights = t.config, t.G, params(t.G)
    with pytest.raises(ValueError, match="seed must be zero or a positive integer, got 'x'"):
        t.configure(seed="x", lr_G=1e-4)
    with pytest.raises(ValueError, match="has no option 'spread'"):
        t.configure(dataset_kwargs={"spread": 1.0})

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr("gan_edu.nets.make_generator", broken)
    with pytest.raises(RuntimeError, match="out of memory"):
        t.configure(g_width=64, lr_G=1e-4)  # fails while rebuilding G
    assert t.config is config and t.G is G and t.step_count == 3
    assert all(torch.equal(a, b) for a, b in zip(weights, params(t.G), strict=True))
    assert [g["lr"] for g in t.opt_G.param_groups] == [config.lr_G]


def test_a_dataset_of_another_dimension_rebuilds_G_and_D():
    t = GANTrainer(**SMALL)
    assert t.configure(dataset="mixture_1d") is True
    assert t.sample(4).shape == (4, 1)
    t.run(2, progress=False)


def test_manifold_of_high_dimensional_noise_is_a_slice_through_typical_noise():
    """With 64-D noise the drawn grid is centred on a sampled z (length about 8), not on z = 0."""
    t = GANTrainer(**SMALL, latent_dim=64)
    grid = views.manifold(t, lines=3, span=1.0)
    z0 = t.noise(1, torch.Generator().manual_seed(t.config.seed + 3))
    assert 6 < z0.norm() < 10
    assert torch.allclose(grid[1, 1], t.G(z0)[0].detach())
    assert grid.shape == (3, 3, 2) and views.plane(t)["latent_dim"] == 64


def test_notebook_03_answers_quote_the_code_that_runs_and_each_mystery_breaks_one_piece():
    """03's collapsed answers quote each bug's line; it must be the line `gan_edu.bugs` runs."""
    import inspect
    import json
    import re

    from gan_edu import bugs
    from gan_edu.notebook import NOTEBOOKS

    cells = json.loads((NOTEBOOKS / "03_building_blocks.ipynb").read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    quoted = re.findall(r"<summary>Mystery (\d)</summary>.*?```python\n(.*?)```", text, re.S)
    assert [int(n) for n, _ in quoted] == sorted(bugs.BUGS)
    for number, snippet in quoted:
        source = inspect.getsource(bugs.BUGS[int(number)].broken)
        assert all(line.strip() in source for line in snippet.strip().splitlines()), number
    code = tagged_code("03_building_blocks.ipynb", "train_step")
    lab = bugs.BugLab(code["d_step"], code["g_step"], None, None, None, 1)
    with pytest.raises(ValueError, match="unknown mystery 7; choose one of: 1, 2"):
        lab.run(7)


def test_making_a_config_leaves_the_global_random_state_alone():
    """Validation builds the networks once to check shapes; a notebook's torch.randn must not notice."""
    from gan_edu.presets import get_preset

    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    get_preset("dcgan_fashion").config, get_preset("balanced").config
    assert torch.equal(torch.rand(3), expected)
