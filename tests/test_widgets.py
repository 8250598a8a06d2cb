"""The live dashboard, driven without a browser: controls, buttons, thread, faults."""

import time

import numpy as np
import pytest
import torch

from gan_edu import GANTrainer
from gan_edu.presets import PRESETS
from gan_edu.widgets import LiveDashboard

SMALL = {"g_width": 32, "d_width": 32, "batch_size": 64, "device": "cpu"}


@pytest.fixture
def dash():
    board = LiveDashboard(GANTrainer(**SMALL), fps=20)
    yield board
    board.pause()


def wait_until(condition, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_sliders_change_the_trainer_config(dash):
    c = dash.controls
    c["lr_D"].value = 1e-2
    c["d_steps"].value = 3
    c["loss"].value = "hinge"
    c["batch_size"].value = 128
    cfg = dash.trainer.config
    assert (cfg.lr_D, cfg.d_steps, cfg.loss, cfg.batch_size) == (1e-2, 3, "hinge", 128)
    assert dash.trainer.opt_D.param_groups[0]["lr"] == 1e-2
    c["penalty"].value = "R1"
    c["penalty_weight"].value = 10.0
    assert dash.trainer.config.r1_weight == 10.0 and dash.trainer.config.gp_weight == 0
    c["penalty"].value = "gradient penalty"
    assert dash.trainer.config.gp_weight == 10.0 and dash.trainer.config.r1_weight == 0
    c["g_depth"].value = 2
    assert sum(isinstance(m, torch.nn.Linear) for m in dash.trainer.G) == 3


def test_remedy_controls_change_the_trainer(dash):
    c = dash.controls
    c["unroll_steps"].value = 3
    c["pack"].value = 2
    c["minibatch_std"].value = True
    c["weight_clip"].value = 0.01
    c["spectral_norm"].value = True
    cfg = dash.trainer.config
    assert (cfg.unroll_steps, cfg.pack, cfg.minibatch_std, cfg.weight_clip) == (3, 2, True, 0.01)
    first = next(m for m in dash.trainer.D.modules() if isinstance(m, torch.nn.Linear))
    assert first.in_features == 2 * 2 + 1  # two packed points and their spread
    dash.step_once()
    assert all(p.abs().max() <= 0.01 for p in dash.trainer.D.parameters())
    c["pack"].value = 3  # batch 64 is not a multiple of 3
    assert "Not applied" in dash.message.value and "multiple of pack" in dash.message.value
    assert c["pack"].value == 2 and dash.trainer.config.pack == 2  # the control shows what runs


def test_play_then_pause_stops_the_counter_quickly(dash):
    dash.buttons["play"].click()
    assert wait_until(lambda: dash.trainer.step_count > 20)
    frame = dash.image.value
    assert wait_until(lambda: dash.image.value != frame)  # frames keep coming
    start = time.monotonic()
    dash.buttons["pause"].click()
    assert time.monotonic() - start < 0.5
    stopped = dash.trainer.step_count
    time.sleep(0.3)
    assert dash.trainer.step_count == stopped and not dash.playing
    assert f">{stopped}<" in dash.status.value


def test_controls_take_effect_while_playing(dash):
    dash.play()
    assert wait_until(lambda: dash.trainer.step_count > 5)
    dash.controls["lr_G"].value = 3e-3
    assert dash.trainer.opt_G.param_groups[0]["lr"] == pytest.approx(3e-3)
    before = dash.trainer.step_count
    assert wait_until(lambda: dash.trainer.step_count > before + 5)  # still training
    dash.pause()


def test_step_modes(dash):
    G0 = [p.clone() for p in dash.trainer.G.parameters()]
    dash.step_mode.value = "D only"
    dash.buttons["step"].click()
    assert dash.trainer.step_count == 1
    assert all(torch.equal(a, b) for a, b in zip(G0, dash.trainer.G.parameters(), strict=True))
    dash.step_mode.value = "G only"
    D1 = [p.clone() for p in dash.trainer.D.parameters()]
    dash.buttons["step"].click()
    assert all(torch.equal(a, b) for a, b in zip(D1, dash.trainer.D.parameters(), strict=True))


def test_reset_restores_initial_parameters(dash):
    initial = [p.clone() for p in dash.trainer.G.parameters()]
    dash.run(30)
    assert not torch.equal(initial[0], dash.trainer.G[0].weight)
    dash.buttons["reset"].click()
    assert dash.trainer.step_count == 0
    assert all(torch.equal(a, b) for a, b in zip(initial, dash.trainer.G.parameters(), strict=True))


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_applies_all_its_values(dash, name):
    dash.preset.value = name
    preset = PRESETS[name]
    for key, value in preset.changes.items():
        assert getattr(dash.trainer.config, key) == value
    assert dash.trainer.step_count == 0
    for key in ("lr_D", "batch_size", "loss", "d_steps"):
        assert dash.controls[key].value == getattr(dash.trainer.config, key)


def test_nan_pauses_restores_and_explains(dash):
    dash.run(100)  # a good snapshot is taken every 100 steps
    good = [p.clone() for p in dash.trainer.G.parameters()]
    with torch.no_grad():
        dash.trainer.D[0].weight.fill_(float("nan"))
    dash.play()
    assert wait_until(lambda: not dash.playing)
    assert "Paused" in dash.message.value and "lr_D" in dash.message.value
    assert dash.trainer.step_count == 100
    assert all(torch.equal(a, b) for a, b in zip(good, dash.trainer.G.parameters(), strict=True))


def test_after_the_nan_guard_the_optimizers_use_the_sliders_learning_rate(dash):
    dash.run(100)  # the good snapshot holds lr 1e-3
    dash.controls["lr_G"].value = 1e-4
    with torch.no_grad():
        dash.trainer.D[0].weight.fill_(float("nan"))
    dash.play()
    assert wait_until(lambda: not dash.playing)
    assert dash.trainer.config.lr_G == dash.controls["lr_G"].value == 1e-4
    assert [g["lr"] for g in dash.trainer.opt_G.param_groups] == [1e-4]


@pytest.mark.parametrize("changes", [{"fps": 0}, {"fps": "fast"}, {"metrics_every": 0}, {"dpi": 2.5}])
def test_bad_dashboard_settings_are_refused_before_any_thread_starts(changes):
    name = next(iter(changes))
    with pytest.raises(ValueError, match=f"{name}.* must be"):
        LiveDashboard(GANTrainer(**SMALL), **changes)


def test_model_diagram_lights_up_the_networks_that_train(dash):
    assert "trained in each step: <tspan font-weight='bold'>D and G</tspan>" in dash.diagram.value
    dash.step_mode.value = "G only"
    assert "trained in each step: <tspan font-weight='bold'>G</tspan>" in dash.diagram.value


def test_step_axes_end_where_the_run_ends(dash):
    dash.run(150)
    assert dash._frame.curves.loss_ax.get_xlim() == (0, 150)
    assert dash._frame.curves.metric_ax.get_xlim() == (0, 150)


def test_worker_exception_is_shown(dash, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom from the worker")

    monkeypatch.setattr(dash.trainer, "step", broken)
    dash.play()
    assert wait_until(lambda: not dash.playing)
    assert "boom from the worker" in dash.message.value


def test_bad_value_is_refused_and_session_kept(dash):
    dash.run(5)
    dash.configure(lr_D=-1.0)
    assert "Not applied" in dash.message.value and "lr_D must be a number in (0, 10]" in dash.message.value
    assert dash.trainer.config.lr_D == 1e-3 and dash.trainer.step_count == 5


def test_copy_config_rebuilds_the_same_experiment(dash):
    dash.controls["lr_G"].value = 2e-3
    dash.copy_config()
    namespace = {}
    exec(dash.config_text.value, namespace)
    twin = namespace["trainer"]
    assert twin.config == dash.trainer.config


def test_custom_data_and_blocking_run():
    points = np.random.default_rng(0).normal(size=(300, 2)) * 0.2 + 1
    board = LiveDashboard("balanced", data=points)
    assert board.trainer.config.dataset == "custom" and "custom" in board.controls["dataset"].options
    board.run(3)
    assert board.trainer.step_count == 3 and board.image.value[:2] == b"\xff\xd8"  # JPEG
    bundle = board._repr_mimebundle_()
    assert "image/jpeg" in bundle and "application/vnd.jupyter.widget-view+json" in bundle


def test_history_is_bounded():
    board = LiveDashboard(GANTrainer(**SMALL, history_size=50), fps=50)
    board.run(120)
    assert len(board.trainer.history) == 50


IMAGES = {"dataset": "fashion_mnist", "arch": "dcgan", "latent_dim": 16, "g_width": 8, "d_width": 8,
          "batch_size": 32, "device": "cpu"}  # fmt: skip


def test_image_dashboard_shows_a_fixed_noise_grid_and_the_evaluators_verdict():
    board = LiveDashboard(GANTrainer(**IMAGES), fps=20, metrics_every=5)
    first = board.trainer.sample(64)
    board.run(10)
    row = board.metric_rows[-1]
    assert row["step"] == 10 and {"frechet", "precision", "recall", "confident"} <= row.keys()
    assert not torch.equal(first, board.trainer.sample(64))  # the same noise, a trained G
    assert torch.equal(board.trainer.sample(64), board.trainer.sample(64))
    assert board.image.value[:2] == b"\xff\xd8" and "same 64 noise vectors" in board.caption.value
    assert board.controls["arch"].value == "dcgan" and board.controls["latent_dim"].value == 16


def test_image_dashboard_pauses_quickly_and_switches_data_or_refuses_clearly():
    board = LiveDashboard(GANTrainer(**IMAGES), fps=20)
    board.play()
    assert wait_until(lambda: board.trainer.step_count >= 3)
    start = time.monotonic()
    board.pause()
    assert time.monotonic() - start < 0.5 and not board.playing
    board.controls["dataset"].value = "digits"  # 8 x 8: G and D rebuilt for the new shape
    assert board.trainer.sample(2).shape == (2, 1, 8, 8) and not board.metric_rows
    board.step_once(board.metrics_every)  # the digits have an evaluator too
    assert board.metric_rows and board.metric_rows[-1]["frechet"] > 0
    board.controls["dataset"].value = "ring"  # DCGAN networks cannot draw points: refused, kept
    assert "square images" in board.message.value and board.trainer.config.dataset == "digits"
    assert board.controls["dataset"].value == "digits"
