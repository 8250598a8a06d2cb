"""Image data, DCGAN networks, checkpoints, the evaluator and its metrics (issue: points to pictures)."""

import numpy as np
import pytest
import torch

from gan_edu import GANTrainer, evaluator, images, metrics, nets, plots, views
from gan_edu.notebook import tagged_code

SMALL_IMAGES = {"dataset": "digits", "arch": "dcgan", "latent_dim": 16, "g_width": 8, "d_width": 8,
                "batch_size": 16, "device": "cpu"}  # fmt: skip


def test_shipped_subset_is_balanced_in_range_and_labelled():
    train, test = images.load_fashion_mnist("train"), images.load_fashion_mnist("test")
    assert train.images.shape == (10_000, 1, 28, 28) and test.images.shape == (2_000, 1, 28, 28)
    assert train.labels.bincount().tolist() == [1000] * 10 and test.labels.bincount().tolist() == [200] * 10
    assert train.images.min() == -1 and train.images.max() == 1
    assert np.array_equal(images.to_pixels(images.to_tensor(np.arange(256, dtype=np.uint8)[None])),
                          np.arange(256)[None])  # fmt: skip


def test_digits_are_8x8_in_range():
    digits = images.load_digits()
    assert digits.shape == (1, 8, 8) and len(digits) == 1500
    assert digits.images.min() == -1 and digits.images.max() == 1


@pytest.mark.parametrize("damage", ["missing", "truncated"])
def test_a_damaged_data_file_names_itself_its_checksum_and_the_fix(tmp_path, monkeypatch, damage):
    if damage == "truncated":
        (tmp_path / images.SUBSET_FILE).write_bytes((images.DATA / images.SUBSET_FILE).read_bytes()[:1000])
    monkeypatch.setattr(images, "DATA", tmp_path)
    with pytest.raises(images.DataFileError) as error:
        images.load_fashion_mnist()
    message = str(error.value)
    assert images.SUBSET_FILE in message and images.SHA256[images.SUBSET_FILE] in message
    assert "build_fashion_mnist.py" in message


def test_bad_image_requests_are_refused_clearly():
    with pytest.raises(ValueError, match="unknown split 'validation'; choose one of: train, test"):
        images.load_fashion_mnist("validation")
    with pytest.raises(ValueError, match="unknown image dataset"):
        images.get_dataset("cifar")
    with pytest.raises(ValueError, match="no option 'colour'"):
        images.get_dataset("digits", colour=True)
    with pytest.raises(ValueError, match="square images"):
        nets.dcgan_generator(8, (1, 10, 10))


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 28, 28)])
def test_dcgan_networks_map_noise_to_images_and_images_to_one_logit(shape):
    G, D = nets.dcgan_generator(32, shape, width=8), nets.dcgan_discriminator(shape, width=8)
    x = G(torch.randn(5, 32))
    assert x.shape == (5, *shape) and x.abs().max() <= 1  # tanh output
    assert D(x).shape == (5, 1)
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in G) and not any(
        isinstance(m, torch.nn.BatchNorm2d) for m in D
    )


def test_trainer_step_is_the_hand_written_step_of_notebook_03_for_images_too():
    train_step = tagged_code("03_building_blocks.ipynb", "train_step")["train_step"]
    trainer, twin = GANTrainer(**SMALL_IMAGES, seed=3), GANTrainer(**SMALL_IMAGES, seed=3)
    rng = torch.Generator().manual_seed(3)
    for _ in range(20):
        trainer.step()
        train_step(twin.G, twin.D, twin.opt_G, twin.opt_D, twin.data, rng, batch_size=16, latent_dim=16)
    for a, b in zip(trainer.G.state_dict().values(), twin.G.state_dict().values(), strict=True):
        assert torch.equal(a, b)  # weights and batch-norm statistics
    for a, b in zip(trainer.D.parameters(), twin.D.parameters(), strict=True):
        assert torch.equal(a, b)


def test_penalties_and_spectral_norm_train_images():
    trainer = GANTrainer(**SMALL_IMAGES, gp_weight=10.0, r1_weight=1.0, spectral_norm=True, loss="hinge")
    trainer.run(3, progress=False)
    assert trainer.sample(4).shape == (4, 1, 8, 8)


def test_checkpoint_continues_training_exactly_and_refuses_other_networks(tmp_path):
    trainer = GANTrainer(**SMALL_IMAGES)
    trainer.run(5, progress=False)
    path = trainer.save(tmp_path / "run.pt")
    again = GANTrainer.load(path)
    assert again.step_count == 5 and again.config == trainer.config
    trainer.run(3, progress=False), again.run(3, progress=False)
    for a, b in zip(trainer.G.state_dict().values(), again.G.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    points = GANTrainer(device="cpu")
    before = [p.clone() for p in points.G.parameters()]
    with pytest.raises(ValueError, match="arch: 'dcgan' there, 'mlp' here"):
        points.load_state(path)
    assert all(torch.equal(a, b) for a, b in zip(before, points.G.parameters(), strict=True))
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="cannot be read as a checkpoint"):
        GANTrainer.load(tmp_path / "junk.pt")


def test_frechet_distance_matches_the_closed_form_for_two_gaussians():
    rng = np.random.default_rng(0)
    a = rng.normal(0.0, 1.0, size=(200_000, 3))
    b = rng.normal(1.0, 2.0, size=(200_000, 3))
    # |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^1/2) = 3 * 1 + 3 * (1 + 4 - 2 * 2) = 6
    assert metrics.frechet_distance(a, b) == pytest.approx(6.0, rel=0.01)
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    one_d = rng.normal(1.0, 2.0, (100_000, 1)), rng.normal(-0.5, 0.5, (100_000, 1))  # 1-D: dmu^2 + dsigma^2
    assert metrics.frechet_distance(*one_d) == pytest.approx(1.5**2 + 1.5**2, rel=0.01)
    with pytest.raises(ValueError, match="NaN or infinite"):
        metrics.frechet_distance(a[:10], np.full((10, 3), np.nan))


@pytest.fixture(scope="module")
def real_sets():
    train, test = images.load_fashion_mnist("train"), images.load_fashion_mnist("test")
    return train.images[:1000], test.images[:1000], train


def test_evaluator_real_against_held_out_real_is_close(real_sets):
    train, test, _ = real_sets
    r = evaluator.report(train, test)
    assert r["frechet"] < 1.0
    assert min(r["precision"], r["recall"], r["coverage"]) > 0.85
    assert r["classes_present"] == 10 and r["recognisable"]


def test_evaluator_noise_is_far_and_imprecise(real_sets):
    _, test, _ = real_sets
    noise = torch.rand(1000, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    r = evaluator.report(noise, test)
    assert r["frechet"] > 50 and r["precision"] < 0.05 and not r["recognisable"]


def test_evaluator_sees_three_dropped_classes(real_sets):
    _, test, train = real_sets
    keep = train.labels >= 3  # no T-shirts, trousers or pullovers
    r = evaluator.report(train.images[keep][:1000], test)
    assert r["recall"] < 0.85 and r["coverage"] < 0.85
    assert r["histogram"][:3].sum() < 0.05 and r["classes_present"] <= 8


def test_our_frechet_distance_agrees_with_torchmetrics_fid_on_the_evaluator_features(real_sets):
    """torchmetrics' FID takes any nn.Module as its feature extractor: give it our evaluator's body."""
    from torchmetrics.image.fid import FrechetInceptionDistance

    train, test, _ = real_sets
    body = evaluator.load().body
    body.num_features = 128  # torchmetrics would otherwise probe it with a 299x299 RGB image
    fid = FrechetInceptionDistance(feature=body, reset_real_features=True)
    for real, fake in ((test, train), (test, train[train.sum((1, 2, 3)) > train.sum((1, 2, 3)).median()])):
        fid.reset()
        fid.update(real, real=True), fid.update(fake, real=False)
        ours = evaluator.report(fake, real)["frechet"]
        assert ours == pytest.approx(
            fid.compute().item(), rel=1e-3, abs=1e-3
        )  # 10: "within one part in 1,000"


def test_class_accuracy_of_real_images_is_the_evaluators_accuracy_per_class(real_sets):
    _, _, train = real_sets
    x, y = train.images[:1000], train.labels[:1000]
    per_class = evaluator.class_accuracy(x, y)
    named = evaluator.load().probabilities(x).argmax(1)
    assert per_class.shape == (10,) and per_class[1] > 0.9  # trousers are easy
    assert per_class[6] == pytest.approx((named[y == 6] == 6).float().mean().item())
    assert evaluator.class_accuracy(x, (y + 1) % 10).max() < 0.3  # asked for the wrong class: rarely named
    with pytest.raises(ValueError, match=r"one class per image, shape \(1000,\)"):
        evaluator.class_accuracy(x, y[:10])


def test_evaluator_refuses_wrong_images_clearly():
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\) or digits \(N, 1, 8, 8\)"):
        evaluator.load().features(torch.zeros(4, 1, 16, 16))
    with pytest.raises(ValueError, match="NaN"):
        evaluator.load().features(torch.full((2, 1, 28, 28), float("nan")))
    with pytest.raises(ValueError, match="differ in size"):
        evaluator.report(torch.zeros(4, 1, 8, 8), evaluator.reference(10))
    with pytest.raises(ValueError, match="unknown evaluator 'ring'; choose one of: fashion_mnist, digits"):
        evaluator.load("ring")
    with pytest.raises(ValueError, match="297 test images"):
        evaluator.reference(1000, "digits")


@pytest.mark.parametrize(
    "dataset, heading", [("fashion_mnist", "evaluator.pt"), ("digits", "evaluator_digits.pt")]
)
def test_shipped_evaluators_reach_the_accuracy_data_readme_states(dataset, heading):
    test = images.DATASETS[dataset]("test")
    accuracy = (
        (evaluator.load(dataset).probabilities(test.images).argmax(1) == test.labels).float().mean().item()
    )
    section = (images.DATA / "README.md").read_text().split(f"## `{heading}`")[1]
    stated = section.split("| test accuracy | ")[1].split()[0]
    assert accuracy >= 0.90 and f"{accuracy:.2%}" == stated


def test_digits_evaluator_tells_real_digits_from_noise():
    real = evaluator.reference(297, "digits")
    r = evaluator.report(images.load_digits("train").images[:1000], real)
    assert r["frechet"] < 3.0 and r["recognisable"] and r["coverage"] > 0.9
    noise = torch.rand(1000, 1, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
    r = evaluator.report(noise, real)
    assert r["frechet"] > 50 and r["coverage"] < 0.3 and not r["recognisable"]
    assert (
        round(r["confident"], 2) == 0.87 and round(r["histogram"].max(), 2) == 0.95
    )  # data/README.md's caveat; 08: "87% of uniform-noise images" 08: "puts 95% of them in one class"


def test_views_pick_the_picture_that_fits_the_data():
    trainer = GANTrainer(**SMALL_IMAGES)
    view = views.of(trainer)
    assert view["fake"].shape == view["real"].shape == (64, 1, 8, 8) and view["evaluated"]  # digits
    assert "d_grid" in views.of(GANTrainer(device="cpu"))
    with pytest.raises(ValueError, match="views.images draws images"):
        views.plane(trainer)


def test_nearest_finds_exact_copies_and_refuses_mismatched_sizes():
    reference = torch.randn(50, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    distances, index = metrics.nearest(reference[[7, 3]], reference)
    # cdist computes |a|^2 + |b|^2 - 2ab in float32: an exact copy comes out at up to ~3e-3 (seen with
    # PyTorch's scalar kernels), far below the distance between two different rows here (about 11)
    assert index.tolist() == [7, 3] and np.allclose(distances, 0, atol=1e-2)
    with pytest.raises(ValueError, match="same size"):
        metrics.nearest(torch.zeros(2, 3), reference)


def test_tile_lays_images_out_in_rows_and_refuses_points():
    canvas = plots.tile(torch.ones(10, 1, 8, 8), columns=4)  # 3 rows, 4 columns, 1-pixel gaps
    assert canvas.shape == (3 * 9 + 1, 4 * 9 + 1) and canvas.max() == 1
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\)"):
        plots.tile(np.zeros((5, 2)))


@pytest.mark.parametrize("options", [{"batch_norm": False}, {"output": "sigmoid"}, {"upsample": "resize"},
                                     {"downsample": "maxpool"}])  # fmt: skip
def test_dcgan_ablation_options_build_networks_of_the_same_shapes(options):
    trainer = GANTrainer(**SMALL_IMAGES, dcgan_options=options)
    trainer.run(2, progress=False)
    assert trainer.sample(3).shape == (3, 1, 8, 8) and trainer.D(trainer.real(3)).shape == (3, 1)
    if "output" in options:
        assert trainer.sample(100).min() >= 0  # 08: "every pixel it makes is at least mid-grey"


def test_unknown_dcgan_option_is_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="unknown dcgan option 'dropout'.*batch_norm"):
        GANTrainer(**SMALL_IMAGES, dcgan_options={"dropout": 0.5})
    with pytest.raises(ValueError, match="unknown upsample 'bilinear'"):
        GANTrainer(**SMALL_IMAGES, dcgan_options={"upsample": "bilinear"})


def test_notebook_08_reads_the_stored_race_as_it_says():
    """08, section 3: ahead from 30 s on; about 4x (1 thread) and 3x (2 threads) sooner to the plain
    loop's final Fréchet distance; neither 'recognisable' in 240 s, ours at about a third confident."""
    import json

    runs = json.loads((images.DATA.parent / "results" / "image_time_to_quality.json").read_text())["runs"]
    sooner = {}
    for threads, run in runs.items():
        ours, plain = run["curves"]["ours"], run["curves"]["plain"]
        pairs = zip(ours, plain, strict=True)
        assert all(o["frechet"] < p["frechet"] for o, p in pairs if o["seconds"] >= 29)
        target = plain[-1]["frechet"]
        sooner[threads] = plain[-1]["seconds"] / next(c["seconds"] for c in ours if c["frechet"] <= target)
        assert (
            not any(c["recognisable"] for c in ours + plain) and 0.25 < ours[-1]["confident"] < 0.4
        )  # 08: "within 240 seconds"
    assert (
        round(sooner["1"]) == 4 and round(sooner["2"]) == 3
    )  # 08: "about 4 times sooner on one thread and about 3 times sooner on two"


def test_every_data_file_has_its_checksum_in_one_table():
    """images.SHA256 is the one table of checksums; importing a module does not write into it."""
    assert set(evaluator.WEIGHTS.values()) <= set(images.SHA256)
    for name in (images.SUBSET_FILE, *evaluator.WEIGHTS.values()):
        assert images.sha256(images.DATA / name) == images.SHA256[name]
