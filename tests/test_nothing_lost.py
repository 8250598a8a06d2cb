"""Nothing lost: a loaded or restored run survives the NaN guard, and a checkpoint that does not
fit (other optimizer, damaged, truncated, empty, foreign) is refused with a clear message before
anything changes — for points and for images."""

import pytest
import torch

from gan_edu import GANTrainer, TrainingDiverged

POINTS = {"g_width": 32, "d_width": 32, "batch_size": 64, "device": "cpu"}
IMAGES = {"dataset": "digits", "arch": "dcgan", "latent_dim": 16, "g_width": 8, "d_width": 8,
          "batch_size": 16, "device": "cpu"}  # fmt: skip


def weights(trainer):
    return [t.detach().clone() for net in (trainer.G, trainer.D) for t in net.state_dict().values()]


def same(a, b):
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def poison(trainer):
    with torch.no_grad():
        for p in trainer.D.parameters():
            p.fill_(float("nan"))


@pytest.mark.parametrize("settings", [POINTS, IMAGES], ids=["points", "images"])
@pytest.mark.parametrize("how", ["load_state", "GANTrainer.load", "restore"])
def test_the_nan_guard_goes_back_to_the_loaded_run_not_the_untrained_one(tmp_path, settings, how):
    trained = GANTrainer(**settings)
    trained.run(30, progress=False)  # fewer than 100 steps: no good state of its own was kept
    path = trained.save(tmp_path / "run.pt")
    if how == "GANTrainer.load":
        trainer = GANTrainer.load(path)
    else:
        trainer = GANTrainer(**settings)
        trainer.run(7, progress=False)
        trainer.load_state(path) if how == "load_state" else trainer.restore(trained.snapshot())
    loaded = weights(trainer)
    poison(trainer)
    with pytest.raises(TrainingDiverged, match="went back to step 30"):
        trainer.step()
    assert trainer.step_count == 30 and same(weights(trainer), loaded)
    trainer.run(2, progress=False)  # and it trains on from there
    trained.run(2, progress=False)
    assert same(weights(trainer), weights(trained))


def test_a_checkpoint_of_another_optimizer_is_refused_and_changes_nothing(tmp_path):
    path = GANTrainer(**POINTS, optimizer="sgd").save(tmp_path / "sgd.pt")
    trainer = GANTrainer(**POINTS)  # adam
    trainer.run(3, progress=False)
    before, state = weights(trainer), trainer.opt_G.state_dict()
    with pytest.raises(
        ValueError, match=r"optimizer of G is 'sgd', this trainer's is 'adam'.*nothing was changed"
    ):
        trainer.load_state(path)
    assert same(weights(trainer), before) and trainer.step_count == 3
    assert trainer.opt_G.state_dict()["param_groups"] == state["param_groups"]
    assert GANTrainer.load(path).config.optimizer == "sgd"  # the way the message points to


def test_a_checkpoint_saved_with_other_betas_trains_with_the_configs(tmp_path):
    path = GANTrainer(**POINTS, betas=(0.5, 0.999)).save(tmp_path / "betas.pt")
    trainer = GANTrainer(**POINTS, betas=(0.0, 0.9))
    trainer.load_state(path)  # same networks: the weights load, the config's settings train them
    assert {tuple(g["betas"]) for opt in (trainer.opt_G, trainer.opt_D) for g in opt.param_groups} == {
        (0.0, 0.9)
    }
    assert GANTrainer.load(path).opt_G.param_groups[0]["betas"] == (0.5, 0.999)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda good: b"", "cannot be read as a checkpoint"),
        (lambda good: good[: len(good) // 2], "cannot be read as a checkpoint"),
        (lambda good: b"\x00" * 64, "cannot be read as a checkpoint"),
        ("foreign", "is not a gan_edu checkpoint"),
        ("no state", "damaged gan_edu checkpoint"),
        ("state lacks the optimizers", "lacks opt_G, opt_D"),
        ("bad step", "step must be zero or a positive integer"),
    ],
    ids=["empty", "truncated", "zeros", "foreign", "no state", "missing parts", "bad step"],
)
def test_a_damaged_checkpoint_is_refused_clearly_and_the_session_keeps_its_weights(tmp_path, damage, message):
    trainer = GANTrainer(**IMAGES)
    trainer.run(3, progress=False)
    good = trainer.save(tmp_path / "good.pt")
    path = tmp_path / "bad.pt"
    if callable(damage):
        path.write_bytes(damage(good.read_bytes()))
    else:
        ckpt = torch.load(good, weights_only=True)
        if damage == "foreign":
            ckpt = {"model": ckpt["state"]["G"]}
        elif damage == "no state":
            del ckpt["state"]
        elif damage == "state lacks the optimizers":
            del ckpt["state"]["opt_G"], ckpt["state"]["opt_D"]
        else:
            ckpt["state"]["step"] = -1
        torch.save(ckpt, path)
    before = weights(trainer)
    for load in (trainer.load_state, GANTrainer.load):
        with pytest.raises(ValueError, match=message):
            load(path)
    assert same(weights(trainer), before) and trainer.step_count == 3
    trainer.run(1, progress=False)


def test_a_snapshot_that_is_not_one_is_refused(tmp_path):
    trainer = GANTrainer(**POINTS)
    for bad in (None, {}, {"G": {}}, trainer.snapshot() | {"rng": "seed 0"}):
        with pytest.raises(ValueError, match="snapshot"):
            trainer.restore(bad)
    assert trainer.step_count == 0
