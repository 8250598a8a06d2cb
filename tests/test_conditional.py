"""Conditional GAN and InfoGAN: the same trainer step, fed labels or codes (gan_edu.conditional)."""

import pytest
import torch

from gan_edu import GANTrainer, conditional
from gan_edu.notebook import tagged_code

SMALL = {"dataset": "digits", "arch": "dcgan", "latent_dim": 16, "g_width": 8, "d_width": 8, "batch_size": 16,
         "device": "cpu"}  # fmt: skip


def test_conditional_trainer_step_is_the_hand_written_step_of_notebook_09():
    conditional_step = tagged_code("09_conditional.ipynb", "conditional_step")["conditional_step"]
    trainer, twin = (
        GANTrainer(**SMALL, condition="class", seed=3),
        GANTrainer(**SMALL, condition="class", seed=3),
    )
    rng = torch.Generator().manual_seed(3)
    for _ in range(10):
        trainer.step()
        conditional_step(twin.G, twin.D, twin.opt_G, twin.opt_D, twin.data, rng, batch_size=16, latent_dim=16)
    for a, b in zip(trainer.G.state_dict().values(), twin.G.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    for a, b in zip(trainer.D.parameters(), twin.D.parameters(), strict=True):
        assert torch.equal(a, b)


def test_conditional_networks_take_the_class_and_infogan_has_a_q_head():
    cgan = GANTrainer(**SMALL, condition="class")
    assert cgan.G[1].in_channels == 16 + 10 and cgan.D[0].in_channels == 1 + 10  # G[0] unflattens z
    info = GANTrainer(**SMALL, condition="infogan")
    assert info.G[1].in_channels == 16 + 12 and info.D[-2].out_channels == 1 + 12
    x = info.sample(4)
    assert x.shape == (4, 1, 8, 8) and info.D(x).shape == (4, 13)


def test_sampling_a_chosen_class_or_code_and_refusing_wrong_codes():
    cgan = GANTrainer(**SMALL, condition="class")
    threes = cgan.sample(6, code=conditional.class_code(torch.full((6,), 3)))
    assert threes.shape == (6, 1, 8, 8) and not torch.equal(threes, cgan.sample(6))
    with pytest.raises(ValueError, match=r"takes a code of shape \(6, 10\)"):
        cgan.sample(6, code=torch.zeros(6, 12))
    with pytest.raises(ValueError, match="integers 0..9"):
        conditional.class_code(torch.tensor([10]))
    with pytest.raises(ValueError, match="takes no code"):
        GANTrainer(**SMALL).sample(2, code=torch.zeros(2, 10))
    info = GANTrainer(**SMALL, condition="infogan")
    code = conditional.info_code(
        torch.zeros(5, dtype=torch.long), torch.linspace(-1, 1, 5)[:, None].repeat(1, 2)
    )
    assert info.sample(5, code=code).shape == (5, 1, 8, 8)


def test_infogan_trains_q_to_read_its_codes():
    info = GANTrainer(**SMALL, condition="infogan", seed=1)
    cond, rng = info.cond, torch.Generator().manual_seed(0)
    code = cond.random_code(256, rng)

    def info_loss():
        with torch.no_grad():
            return float(cond.info_loss(info.D(info.G(cond.g_input(info.noise(256, rng), code))), code))

    before = info_loss()
    info.run(150, progress=False)
    assert info_loss() < 0.8 * before  # Q learns to tell the codes apart from G's images


def test_projection_d_meets_the_class_only_through_its_embedding():
    """D(x, y) - D(x, y') = (e_y - e_y') . phi(x): the label changes the logit only by the projection."""
    cgan = GANTrainer(**SMALL, condition="class", dcgan_options={"label": "projection"}, seed=2)
    D, cond = cgan.D, cgan.cond
    x = cgan.sample(5)
    three, seven = conditional.class_code(torch.full((5,), 3)), conditional.class_code(torch.full((5,), 7))
    with torch.no_grad():
        gap = D(cond.d_input(x, three)) - D(cond.d_input(x, seven))
        phi = D.body(x)
        expected = (phi * (D.embed.weight[:, 3] - D.embed.weight[:, 7])).sum(1, keepdim=True)
    assert gap.shape == (5, 1) and torch.allclose(gap, expected, atol=1e-6) and gap.abs().max() > 0
    before = [p.clone() for p in D.parameters()]
    cgan.run(3, progress=False)
    assert all(not torch.equal(a, b) for a, b in zip(before, D.parameters(), strict=True))  # all of D learns
    assert torch.equal(cgan.sample(4, truncation=1.0), cgan.sample(4))
    with torch.no_grad(), cgan.drawing() as G:  # G as it draws images (evaluation mode)
        z = cgan.noise(4, torch.Generator().manual_seed(3))
        shrunk = G(cond.g_input(z * 0.5, cond.default_code(4)))
    assert torch.equal(cgan.sample(4, seed=3, truncation=0.5), shrunk)
    with pytest.raises(ValueError, match=r"truncation must be a number in \(0, 1\]"):
        cgan.sample(4, truncation=0)
    with pytest.raises(ValueError, match=r"class channels appended, \(B, 11, H, W\)"):
        D(x)  # the image without its class channels


def test_conditions_are_refused_where_they_are_not_built():
    with pytest.raises(ValueError, match="built for the DCGAN on images"):
        GANTrainer(condition="class")  # the ring: points, no classes
    with pytest.raises(ValueError, match="unknown condition 'labels'"):
        GANTrainer(**SMALL, condition="labels")
    with pytest.raises(ValueError, match="unroll"):
        GANTrainer(**SMALL, condition="infogan", unroll_steps=2)
    with pytest.raises(ValueError, match="projection D reads a class label"):
        GANTrainer(**SMALL, dcgan_options={"label": "projection"})
    with pytest.raises(ValueError, match="unknown label 'embedding'"):
        GANTrainer(**SMALL, condition="class", dcgan_options={"label": "embedding"})
    with pytest.raises(ValueError, match="info_weight"):
        GANTrainer(**SMALL, condition="infogan", info_weight=-1.0)


def test_class_chooser_redraws_the_chosen_class_and_refuses_other_trainers():
    from gan_edu.choosers import ClassChooser, CodeSliders

    trainer = GANTrainer(**SMALL, condition="class")
    trainer.run(20, progress=False)  # an untrained G in evaluation mode draws nearly blank images
    chooser = ClassChooser(trainer, n=8)
    first = bytes(chooser.image.value)
    assert first.startswith(b"\x89PNG")
    chooser.choice.value = 7
    assert bytes(chooser.image.value) != first
    with pytest.raises(ValueError, match="condition='class'"):
        ClassChooser(GANTrainer(**SMALL))
    with pytest.raises(ValueError, match="condition='infogan'"):
        CodeSliders(GANTrainer(**SMALL, condition="class"))


def test_code_sliders_vary_one_code_along_each_row():
    from gan_edu.choosers import CodeSliders

    trainer = GANTrainer(**SMALL, condition="infogan")
    trainer.run(20, progress=False)  # an untrained G in evaluation mode draws nearly blank images
    sliders = CodeSliders(trainer, columns=5)
    sliders.other.value = 0.5
    codes = sliders.codes()
    assert codes.shape == (50, 12) and torch.equal(codes[:5, :10].argmax(1), torch.zeros(5, dtype=torch.long))
    assert torch.allclose(codes[:5, 10], torch.linspace(-2, 2, 5)) and (codes[:, 11] == 0.5).all()
    before = bytes(sliders.image.value)
    sliders.varied.value = 1
    assert bytes(sliders.image.value) != before and (sliders.codes()[:, 10] == 0.5).all()


def test_the_dashboard_lays_a_conditional_g_out_one_class_per_column():
    """LiveDashboard on a class-conditional G: 60 images in 10 columns, column c drawn with class c,
    and beside it real images of class c in column c."""
    from gan_edu import frames, views
    from gan_edu.widgets import LiveDashboard

    trainer = GANTrainer(dataset="digits", arch="dcgan", latent_dim=8, g_width=8, d_width=8, batch_size=16,
                         condition="class", device="cpu")  # fmt: skip
    view = views.images(trainer)
    assert view["columns"] == 10 and view["fake"].shape == view["real"].shape == (60, 1, 8, 8)
    codes = trainer.cond.default_code(60).argmax(1).reshape(6, 10)
    assert (codes == torch.arange(10)).all()  # row-major tiling: column c is class c
    labels = trainer.data.labels
    real_rows = torch.as_tensor(view["real"]).flatten(1)
    images = trainer.data.images.flatten(1)
    for i, c in enumerate(torch.arange(10).repeat(6)):
        match = (images == real_rows[i]).all(1).nonzero()[:, 0]
        assert (labels[match] == c).any()
    frame = frames.ImageFrame(view)
    assert frame.columns == 10 and frame.matches(view) and frame.rgba(view).shape[2] == 4
    assert not frame.matches(views.images(GANTrainer(dataset="digits", arch="dcgan", device="cpu")))
    board = LiveDashboard(trainer, fps=20, metrics_every=5)
    board.run(5)
    assert board.image.value[:2] == b"\xff\xd8" and "one class per column" in board.caption.value
