"""Exact GAN theory in numbers: 1-D densities on a grid (notebook 02) and the Dirac-GAN (notebook 05).

Part 1. For densities p_data and p_g given on a grid x, the optimal discriminator is
D*(x) = p_data / (p_data + p_g), and V(D*, G) = -log 4 + 2 JSD(p_data || p_g)
(Goodfellow et al. 2014, Proposition 1 and Theorem 1).

Part 2. The Dirac-GAN (Mescheder, Geiger and Nowozin, ICML 2018): data delta_0, generator
delta_theta, discriminator D_psi(x) = psi * x, objective L = f(psi * theta) + f(0), which G
minimises and D maximises. With f(t) = -log(1 + exp(-t)) this is the GAN; with f(t) = t the WGAN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import checks

# ---- Part 1: 1-D densities ------------------------------------------------------------------------


def gaussian_mixture_pdf(x: np.ndarray, means, stds, weights=None) -> np.ndarray:
    """Density of a 1-D Gaussian mixture at the points x."""
    means, stds = np.atleast_1d(np.asarray(means, float)), np.atleast_1d(np.asarray(stds, float))
    if means.shape != stds.shape:
        raise ValueError(f"means and stds must have the same length, got {len(means)} and {len(stds)}")
    if (stds <= 0).any():
        raise ValueError(f"every width (std) must be positive, got {stds.tolist()}")
    w = np.full(len(means), 1 / len(means)) if weights is None else np.asarray(weights, float)
    if w.shape != means.shape or (w < 0).any() or not np.isclose(w.sum(), 1):
        raise ValueError(f"weights must be {len(means)} non-negative numbers summing to 1, got {weights}")
    z = (np.asarray(x, float)[:, None] - means) / stds
    return (w * np.exp(-0.5 * z**2) / (stds * np.sqrt(2 * np.pi))).sum(axis=1)


def integrate(f: np.ndarray, x: np.ndarray) -> float:
    """Trapezoidal rule on the grid x."""
    return float(np.sum((f[1:] + f[:-1]) * np.diff(x)) / 2)


def check_density(p: np.ndarray, x: np.ndarray, name: str = "density", tol: float = 1e-3) -> np.ndarray:
    """Raise ValueError unless p is non-negative on the grid and integrates to 1 (within tol)."""
    p = np.asarray(p, float)
    if p.shape != np.shape(x):
        raise ValueError(f"{name} has shape {p.shape} but the grid has shape {np.shape(x)}")
    if not np.isfinite(p).all() or (p < 0).any():
        raise ValueError(f"{name} must be finite and non-negative everywhere on the grid")
    mass = integrate(p, x)
    if abs(mass - 1) > tol:
        raise ValueError(
            f"{name} integrates to {mass:.4f} on the grid, not 1: widen the grid or normalise the density"
        )
    return p


def _xlogy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a * log(b), with 0 * log(anything) = 0."""
    out = np.zeros_like(a)
    np.multiply(a, np.log(np.where(a > 0, b, 1.0)), out=out, where=a > 0)
    return out


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """D*(x) = p_data / (p_data + p_g); 1/2 where both densities are 0 (D* is free there)."""
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def value(D: np.ndarray, p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> float:
    """V(D, G) = E_data[log D(x)] + E_g[log(1 - D(x))] for a discriminator D given on the grid."""
    return integrate(_xlogy(p_data, D) + _xlogy(p_g, 1 - D), x)


def kl(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> float:
    """KL(p || q) = integral of p log(p / q)."""
    return integrate(_xlogy(p, p) - _xlogy(p, q), x)


def jsd(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> float:
    """Jensen-Shannon divergence: (KL(p || m) + KL(q || m)) / 2 with m = (p + q) / 2. At most log 2."""
    m = (p + q) / 2
    return (kl(p, m, x) + kl(q, m, x)) / 2


def generator_criterion(p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> float:
    """C(G) = V(D*, G): what G minimises once D is optimal. Equals -log 4 + 2 JSD.

    1 - D* is computed as p_g / (p_data + p_g), not by subtraction, which would round to 0 where
    p_g is tiny and give log 0.
    """
    one_minus_d_star = optimal_discriminator(p_g, p_data)
    return integrate(_xlogy(p_data, optimal_discriminator(p_data, p_g)) + _xlogy(p_g, one_minus_d_star), x)


# ---- Part 2: the Dirac-GAN -----------------------------------------------------------------------


def _f_prime_gan(t):
    return 1 / (1 + np.exp(t))  # f(t) = -log(1 + e^-t), f'(t) = sigmoid(-t), f'(0) = 1/2


_HERMITE_X, _HERMITE_W = np.polynomial.hermite_e.hermegauss(41)  # E over N(0, 1), exact for smooth f
_HERMITE_W = _HERMITE_W / _HERMITE_W.sum()


def _gan(theta, psi, _):
    return -psi * _f_prime_gan(theta * psi), theta * _f_prime_gan(theta * psi)


def _ns_gan(theta, psi, _):
    return -psi * _f_prime_gan(-theta * psi), theta * _f_prime_gan(theta * psi)  # G: min -f(-theta psi)


def _wgan(theta, psi, _):
    return -psi, theta


def _wgan_gp(theta, psi, weight):
    # penalty weight * (|grad_x D| - 1)^2 with grad_x D = psi, on D's side
    return -psi, theta - 2 * weight * (abs(psi) - 1) * np.sign(psi)


def _instance_noise(theta, psi, sigma):
    # D sees x + eps with eps ~ N(0, sigma^2), on real and fake points alike
    eps = sigma * _HERMITE_X
    fake = np.sum(
        _HERMITE_W * _f_prime_gan(psi * (theta + eps)) * np.stack([np.full_like(eps, psi), theta + eps]),
        axis=1,
    )
    real = np.sum(_HERMITE_W * -eps * _f_prime_gan(-psi * eps))
    return -fake[0], fake[1] + real


def _r1(theta, psi, gamma):
    # D's objective minus gamma/2 * |grad_x D(x)|^2 at the data point: gamma/2 * psi^2
    return -psi * _f_prime_gan(theta * psi), theta * _f_prime_gan(theta * psi) - gamma * psi


def _jacobian(field: Callable, theta: float, psi: float, param, h: float = 1e-6) -> np.ndarray:
    """J[i, j] = d v_i / d x_j of a vector field, by central differences."""
    columns = []
    for a, b in ((h, 0.0), (0.0, h)):
        forward, backward = field(theta + a, psi + b, param), field(theta - a, psi - b, param)
        columns.append((np.array(forward) - np.array(backward)) / (2 * h))
    return np.array(columns).T


def _consensus(theta, psi, gamma):
    # Mescheder et al. 2017: v - gamma * grad(|v|^2 / 2) = v - gamma * J^T v
    v = np.array(_gan(theta, psi, None))
    return tuple(v - gamma * _jacobian(_gan, theta, psi, None).T @ v)


DIRAC_METHODS: dict[str, tuple[Callable, float | None, str]] = {
    # name: (vector field, default parameter, what the parameter is)
    "gan": (_gan, None, ""),
    "ns_gan": (_ns_gan, None, ""),
    "wgan_clip": (_wgan, 1.0, "clip value c: psi is kept in [-c, c]"),
    "wgan_gp": (_wgan_gp, 1.0, "penalty weight lambda"),
    "instance_noise": (_instance_noise, 1.0, "noise std sigma"),
    "r1": (_r1, 1.0, "penalty weight gamma"),
    "consensus": (_consensus, 1.0, "consensus weight gamma"),
}
SCHEMES = ("simultaneous", "alternating", "alternating_5")


def _method(name: str) -> tuple[Callable, float | None, str]:
    return DIRAC_METHODS[checks.choose(DIRAC_METHODS, name, "method")]


def dirac_field(method: str, theta, psi, param: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The update direction (d theta, d psi) at (theta, psi): G descends L, D ascends it."""
    field, default, _ = _method(method)
    p = default if param is None else param
    theta, psi = np.broadcast_arrays(np.asarray(theta, float), np.asarray(psi, float))
    out = np.array([field(t, s, p) for t, s in zip(theta.ravel(), psi.ravel(), strict=True)])
    return out[:, 0].reshape(theta.shape), out[:, 1].reshape(theta.shape)


def dirac_trajectory(method: str, scheme: str = "simultaneous", steps: int = 500, step_size: float = 0.2,
                     start=(1.0, 1.0), param: float | None = None) -> np.ndarray:  # fmt: skip
    """(steps + 1, 2) array of (theta, psi) under gradient steps of the given scheme.

    simultaneous: both players step from the same point. alternating: D steps first, then G steps
    from D's new position; alternating_5: five D steps, then one G step.
    """
    field, default, _ = _method(method)
    checks.choose(SCHEMES, scheme, "scheme")
    steps = checks.integer("steps", steps)
    checks.number("step_size", step_size, 0, low_open=True)
    p = default if param is None else param
    clip = p if method == "wgan_clip" else np.inf
    theta, psi = map(float, start)
    path = [(theta, psi)]
    d_steps = {"simultaneous": 0, "alternating": 1, "alternating_5": 5}[scheme]
    for _ in range(int(steps)):
        if d_steps == 0:
            d_theta, d_psi = field(theta, psi, p)
            theta, psi = theta + step_size * d_theta, np.clip(psi + step_size * d_psi, -clip, clip)
        else:
            for _ in range(d_steps):
                psi = float(np.clip(psi + step_size * field(theta, psi, p)[1], -clip, clip))
            theta = theta + step_size * field(theta, psi, p)[0]
        path.append((float(theta), float(psi)))
    return np.array(path)


def dirac_jacobian(
    method: str, theta: float = 0.0, psi: float = 0.0, param: float | None = None
) -> np.ndarray:
    """The 2 x 2 Jacobian of the method's vector field at (theta, psi); at (0, 0) it decides convergence."""
    field, default, _ = _method(method)
    return _jacobian(field, theta, psi, default if param is None else param)


def r1_eigenvalues(gamma: float, f_prime_0: float = 0.5) -> np.ndarray:
    """Eigenvalues of the R1-regularised Dirac-GAN's Jacobian at equilibrium (paper, Theorem 4.1)."""
    return np.array([-gamma / 2 + np.emath.sqrt(gamma**2 / 4 - f_prime_0**2) * s for s in (1, -1)])
