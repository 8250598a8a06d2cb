import numpy as np
import pytest
import torch

from gan_edu import nets, theory, toy
from gan_edu.discriminators import fit_discriminator

X = np.linspace(-12, 12, 6001)
PAIRS = [
    (([0.0], [1.0], None), ([0.0], [1.0], None)),  # identical: JSD = 0
    (([0.0], [1.0], None), ([1.0], [1.0], None)),
    (([-2.0, 2.0], [0.5, 0.5], None), ([0.0], [2.0], None)),
    (([0.0], [0.3], None), ([1.0, -3.0], [0.5, 1.0], [0.2, 0.8])),
    (([-6.0], [0.2], None), ([6.0], [0.2], None)),  # nearly disjoint: JSD = log 2
]


@pytest.mark.parametrize("data, gen", PAIRS)
def test_generator_criterion_is_minus_log4_plus_two_jsd(data, gen):
    p_data, p_g = theory.gaussian_mixture_pdf(X, *data), theory.gaussian_mixture_pdf(X, *gen)
    c = theory.generator_criterion(p_data, p_g, X)
    assert abs(c - (-np.log(4) + 2 * theory.jsd(p_data, p_g, X))) < 1e-6
    assert -np.log(4) - 1e-9 <= c <= 1e-6  # C(G) is smallest, -log 4, when p_g = p_data


def test_jsd_limits():
    p = theory.gaussian_mixture_pdf(X, [0.0], [1.0])
    q = theory.gaussian_mixture_pdf(X, [8.0], [0.3])
    assert abs(theory.jsd(p, p, X)) < 1e-12
    assert abs(theory.jsd(p, q, X) - np.log(2)) < 1e-6


def test_optimal_discriminator_maximises_v():
    p_data = theory.gaussian_mixture_pdf(X, [-1.0, 1.5], [0.5, 0.7])
    p_g = theory.gaussian_mixture_pdf(X, [0.5], [1.2])
    d_star = theory.optimal_discriminator(p_data, p_g)
    best = theory.value(d_star, p_data, p_g, X)
    rng = np.random.default_rng(0)
    for _ in range(20):
        other = np.clip(d_star + 0.05 * rng.normal(size=X.shape), 1e-6, 1 - 1e-6)
        assert theory.value(other, p_data, p_g, X) < best
    assert theory.optimal_discriminator(np.zeros(3), np.zeros(3)).tolist() == [0.5] * 3


def _trained_d_error(width: int) -> tuple[float, float]:
    """Notebook 02, section 5: largest |D - D*| where either density exceeds 0.05, and where."""
    real, fake = toy.mixture_1d((-1.0, 1.5), std=0.5), toy.mixture_1d((0.5,), std=1.0)
    torch.manual_seed(0)
    D = nets.make_discriminator(1, depth=2, width=width)
    fit_discriminator(D, real, fake, steps=1500)
    x = np.linspace(-8, 8, 4001)
    p_data = theory.gaussian_mixture_pdf(x, [-1.0, 1.5], [0.5, 0.5])
    p_g = theory.gaussian_mixture_pdf(x, [0.5], [1.0])
    with torch.no_grad():
        d = torch.sigmoid(D(torch.tensor(x, dtype=torch.float32)[:, None])).numpy().ravel()
    error = np.where((p_data + p_g) > 0.05, np.abs(d - theory.optimal_discriminator(p_data, p_g)), 0)
    return error.max(), x[error.argmax()]


def test_trained_discriminator_approaches_d_star():
    """Notebook 02: width 64 is within 0.05 of D*; exercise 3: width 8 misses by about 0.2 near x = 2.7."""
    assert _trained_d_error(64)[0] < 0.05
    error, where = _trained_d_error(8)
    assert 0.15 < error < 0.3 and 2.3 < where < 3.1


@pytest.mark.parametrize("method", ["gan", "wgan_clip", "wgan_gp"])
def test_dirac_gan_and_wgan_do_not_converge(method):
    for scheme in theory.SCHEMES:
        end = theory.dirac_trajectory(method, scheme)[-1]
        assert np.linalg.norm(end) > 0.5


@pytest.mark.parametrize("method", ["instance_noise", "r1", "consensus"])
def test_dirac_regularised_methods_converge(method):
    for scheme in ("simultaneous", "alternating"):
        assert np.linalg.norm(theory.dirac_trajectory(method, scheme)[-1]) < 1e-6


def test_simultaneous_gan_spirals_out_and_alternating_cycles():
    path = theory.dirac_trajectory("gan", "simultaneous", steps=500)
    assert np.linalg.norm(path[-1]) > 2 * np.linalg.norm(path[0])
    cycle = np.linalg.norm(theory.dirac_trajectory("gan", "alternating"), axis=1)
    assert cycle.max() - cycle.min() < 0.1  # stays close to an orbit of radius about sqrt(2)
    assert f"{cycle.max():.1f}" == "1.5" and cycle.max() > np.sqrt(2)  # 05: "about 1.5"
    longer = np.linalg.norm(theory.dirac_trajectory("gan", "alternating", steps=5000), axis=1)
    assert longer.max() > cycle.max()  # the drift goes on: not a closed orbit


def test_r1_eigenvalues_match_the_jacobian_and_the_critical_weight_is_one():
    for gamma in (0.3, 1.0, 2.5):
        J = theory.dirac_jacobian("r1", 0.0, 0.0, gamma)
        expected = np.sort_complex(theory.r1_eigenvalues(gamma))
        assert np.allclose(np.sort_complex(np.linalg.eigvals(J).astype(complex)), expected, atol=1e-5)
    assert np.allclose(theory.r1_eigenvalues(1.0), [-0.5, -0.5])  # critical: a double real eigenvalue
    assert np.iscomplex(theory.r1_eigenvalues(0.9)).all() and np.isreal(theory.r1_eigenvalues(1.1)).all()


def test_bad_inputs():
    with pytest.raises(ValueError, match="integrates to 0.5000"):
        theory.check_density(0.5 * theory.gaussian_mixture_pdf(X, [0.0], [1.0]), X, "p_g")
    with pytest.raises(ValueError, match="non-negative"):
        theory.check_density(-theory.gaussian_mixture_pdf(X, [0.0], [1.0]), X)
    with pytest.raises(ValueError, match=r"every width \(std\) must be positive, got \[-1.0\]"):
        theory.gaussian_mixture_pdf(X, [0.0], [-1.0])
    with pytest.raises(ValueError, match="unknown method 'wgan-gp'; choose one of: gan, ns_gan"):
        theory.dirac_trajectory("wgan-gp")
    with pytest.raises(ValueError, match="unknown scheme 'async'; choose one of: simultaneous"):
        theory.dirac_trajectory("gan", "async")
    with pytest.raises(ValueError, match="weights must be 2 non-negative numbers summing to 1"):
        theory.gaussian_mixture_pdf(X, [0.0, 1.0], [1.0, 1.0], [0.5, 0.6])


def test_05_exercise_2_origin_is_a_fixed_point_that_does_not_attract():
    """05, exercise 2: (0, 0) is a fixed point of both WGANs; GP repels psi from 0; clipping rotates."""
    for method in ("wgan_gp", "wgan_clip"):
        assert np.allclose(theory.dirac_field(method, 0.0, 0.0), 0.0)
    assert (
        theory.dirac_field("wgan_gp", 0.0, 0.01)[1] > 1.9
        and theory.dirac_field("wgan_gp", 0.0, -0.01)[1] < -1.9
    )
    assert np.allclose(theory.dirac_jacobian("wgan_gp", 0.0, 1.0), [[0, -1], [1, -2]])
    eig = np.linalg.eigvals(theory.dirac_jacobian("wgan_clip", 0.0, 0.0))
    assert np.allclose(eig.real, 0.0) and np.allclose(np.abs(eig.imag), 1.0)
