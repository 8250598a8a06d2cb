"""Notebook 12's measures: memorisation, membership inference, and the augmentation experiment."""

import numpy as np
import pytest
import torch

from gan_edu import experiments, images, metrics, small_data


def test_memorisation_counts_copies_and_held_out_meets_its_quantile():
    g = torch.Generator().manual_seed(0)
    train, held = torch.randn(200, 16, generator=g), torch.randn(500, 16, generator=g)
    copies = metrics.memorisation(train[:100] + 1e-3, train, held, quantile=0.01)
    assert copies["rate"] == 1.0 and copies["copy"] < 0.01 and (copies["index"] == np.arange(100)).all()
    new = metrics.memorisation(torch.randn(2000, 16, generator=g), train, held, quantile=0.05)
    assert 0.02 < new["rate"] < 0.09 and 0.9 < new["copy"] < 1.1  # like held-out data: about 5%
    assert metrics.memorisation(held, train, held, 0.05)["rate"] == pytest.approx(0.05, abs=0.003)
    with pytest.raises(ValueError, match="quantile"):
        metrics.memorisation(held, train, held, quantile=1.5)
    with pytest.raises(ValueError, match="same size"):
        metrics.memorisation(held[:, :3], train, held)


def test_membership_auc():
    assert metrics.membership_auc([2, 3, 4], [0, 1]) == 1.0
    assert metrics.membership_auc([0, 1], [2, 3]) == 0.0
    assert metrics.membership_auc([1, 1], [1, 1]) == 0.5
    with pytest.raises(ValueError, match="finite scores"):
        metrics.membership_auc([np.nan], [1.0])
    with pytest.raises(ValueError, match="finite scores"):
        metrics.membership_auc([], [1.0])


def test_few_is_balanced_seeded_and_checked():
    a, b = small_data.few(3, seed=0), small_data.few(3, seed=1)
    assert len(a) == 30 and torch.bincount(a.labels).tolist() == [3] * 10
    assert torch.equal(a.images, small_data.few(3, seed=0).images) and not torch.equal(a.images, b.images)
    for bad in (0, 1001, 2.5, True):
        with pytest.raises(ValueError, match="per_class must be an integer from 1 to 1000"):
            small_data.few(bad)


def test_copying_measures_a_trainer_against_its_own_training_set():
    trainer = small_data.gan(2, seed=0)
    trainer.run(2, progress=False)
    held = images.load_fashion_mnist("test").images[:50]
    r = small_data.copying(trainer, held, n=40)
    assert r["step"] == 2 and r["images"] == 20 and len(r["samples"]) == 40
    assert 0 <= r["pixel"] <= 1 and 0 <= r["feature"] <= 1 and 0 <= r["auc"] <= 1
    assert r["nearest"].max() < 20
    with pytest.raises(ValueError, match="unconditional D"):
        small_data.d_scores(small_data.gan(2, condition="class"), held)


def test_classifier_pool_and_errors():
    real = small_data.few(2)
    with pytest.raises(ValueError, match="class-conditional G"):
        small_data.pool(small_data.gan(2))
    fake = small_data.pool(small_data.gan(2, condition="class"), n=30)
    assert fake[0].shape == (30, 1, 28, 28) and fake[1].tolist() == [i % 10 for i in range(30)]
    assert 0 <= small_data.purity(*fake) <= 1
    for share in (0.0, 0.5, 1.0):
        net = small_data.train_classifier(real, fake, share, steps=2)
        assert 0 <= small_data.accuracy(net, real) <= 1
    net = small_data.train_classifier(real, classic=True, steps=2)
    with pytest.raises(ValueError, match="needs a pool"):
        small_data.train_classifier(real, None, 0.5)
    with pytest.raises(ValueError, match=r"share must be in \[0, 1\]"):
        small_data.train_classifier(real, fake, 1.5)


def test_augmentation_row_and_table_round_trip(tmp_path, monkeypatch):
    row = small_data.augmentation_row(1, seed=0, steps=2, classifier_steps=2)
    assert row["per_class"] == 1 and set(row["accuracy"]) == {str(s) for s in small_data.SHARES}
    shares = [str(x) for x in small_data.SHARES]
    rows = [{"per_class": 10, "seed": k, "purity": 0.8, "classic": 0.55 + k / 10,
             "accuracy": dict(zip(shares, [0.6, 0.7, 0.5, 0.6, 0.45 + k / 10], strict=True))}
            for k in (0, 1, 2)]  # fmt: skip
    s = experiments.summarize_augmentation({"command": "c", "settings": {}, "rows": rows})[10]
    assert s["seeds"] == 3 and s["wins"] == {"0.0": 0, "0.25": 3, "0.5": 0, "0.75": 0, "1.0": 1, "classic": 2}
    assert s["0.25"] == pytest.approx((0.7, 0.0)) and s["1.0"][0] == pytest.approx(0.55)
    path = tmp_path / "a.json"
    with pytest.raises(FileNotFoundError, match="experiments augmentation"):
        experiments.load_augmentation(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not an augmentation table"):
        experiments.load_augmentation(path)


def test_stored_augmentation_table_is_complete():
    table = experiments.load_augmentation()
    assert table["command"] == "python -m gan_edu.experiments augmentation --seeds 5 --per-class 10 50"
    assert sorted((r["per_class"], r["seed"]) for r in table["rows"]) == [
        (n, k) for n in (10, 50) for k in range(5)
    ]
    for r in table["rows"]:
        assert set(r["accuracy"]) == {str(s) for s in small_data.SHARES} and 0 < r["purity"] <= 1
        assert r["gan_steps"] == 3000 and all(0.5 < v < 1 for v in [*r["accuracy"].values(), r["classic"]])
    assert table["settings"]["classifier_steps"] == small_data.CLASSIFIER_STEPS
    assert table["settings"]["pool"] == small_data.POOL and table["versions"]["threads"] == 1
