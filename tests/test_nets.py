import pytest
import torch
from torch import nn

from gan_edu import nets


def test_generator_and_discriminator_shapes():
    G = nets.make_generator(latent_dim=5, data_dim=2, depth=2, width=16)
    D = nets.make_discriminator(data_dim=2, depth=4, width=8)
    z = torch.randn(7, 5)
    assert G(z).shape == (7, 2)
    assert D(G(z)).shape == (7, 1)
    assert sum(isinstance(m, nn.Linear) for m in D) == 5  # 4 hidden + output


def test_spectral_norm_bounds_each_layer():
    D = nets.make_discriminator(2, depth=2, width=32, spectral_norm=True)
    for _ in range(20):  # power iteration converges as D is used in training mode
        D(torch.randn(64, 2))
    for layer in D:
        if isinstance(layer, nn.Linear):
            assert torch.linalg.matrix_norm(layer.weight, ord=2) < 1.05


@pytest.mark.parametrize("scheme", nets.INITS)
def test_init_weights(scheme):
    net = nets.init_weights(nets.mlp(3, 2, depth=2, width=256), scheme)
    w = net[0].weight
    if scheme == "dcgan":
        assert abs(w.std().item() - 0.02) < 0.002 and net[0].bias.abs().max() == 0
    if scheme == "xavier":
        assert abs(w.std().item() - (2 / (3 + 256)) ** 0.5) < 0.01
