"""Conditional GAN and InfoGAN: the same trainer step, fed labels or codes (gan_edu.conditional)."""

import pytest
import torch
import torch.nn.functional as F

from gan_edu import GANTrainer, conditional

SMALL = {"dataset": "digits", "arch": "dcgan", "latent_dim": 16, "g_width": 8, "d_width": 8, "batch_size": 16,
         "device": "cpu"}  # fmt: skip


def conditional_step(G, D, opt_G, opt_D, data, rng, batch_size, latent_dim):
    """The step of notebook 03 written out again with the label on both sides: G(z, y), D(x, y)."""

    def with_planes(x, y):  # the class as ten constant channels beside the image
        return torch.cat([x, F.one_hot(y, 10).float()[:, :, None, None].expand(-1, -1, *x.shape[2:])], dim=1)

    x_real, y_real = data.sample_labelled(batch_size, rng)
    z, y_fake = (
        torch.randn(batch_size, latent_dim, generator=rng),
        torch.randint(10, (batch_size,), generator=rng),
    )
    x_fake = G(torch.cat([z, F.one_hot(y_fake, 10).float()], dim=1)).detach()
    real_logit, fake_logit = D(with_planes(x_real, y_real)), D(with_planes(x_fake, y_fake))
    d_loss = F.binary_cross_entropy_with_logits(real_logit, torch.ones_like(real_logit)) + \
        F.binary_cross_entropy_with_logits(fake_logit, torch.zeros_like(fake_logit))  # fmt: skip
    opt_D.zero_grad(), d_loss.backward(), opt_D.step()
    z, y = torch.randn(batch_size, latent_dim, generator=rng), torch.randint(10, (batch_size,), generator=rng)
    logit = D(with_planes(G(torch.cat([z, F.one_hot(y, 10).float()], dim=1)), y))
    g_loss = F.binary_cross_entropy_with_logits(logit, torch.ones_like(logit))  # non-saturating
    opt_G.zero_grad(), g_loss.backward(), opt_G.step()


def test_conditional_trainer_step_is_the_hand_written_conditional_step():
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


def test_conditions_are_refused_where_they_are_not_built():
    with pytest.raises(ValueError, match="built for the DCGAN on images"):
        GANTrainer(condition="class")  # the ring: points, no classes
    with pytest.raises(ValueError, match="unknown condition 'labels'"):
        GANTrainer(**SMALL, condition="labels")
    with pytest.raises(ValueError, match="unroll"):
        GANTrainer(**SMALL, condition="infogan", unroll_steps=2)
    with pytest.raises(ValueError, match="info_weight"):
        GANTrainer(**SMALL, condition="infogan", info_weight=-1.0)
