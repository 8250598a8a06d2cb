"""The exercises' self-checks: right answers pass, the common mistakes are named, nothing crashes."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_edu import comparison, losses, metrics, theory
from gan_edu.selfcheck import CHECKS, ExerciseError, check


def stub(*args, **kwargs):
    raise NotImplementedError()  # what nbgrader leaves in a released notebook


def test_right_answers_pass(capsys):
    check("02.optimal_d", theory.optimal_discriminator)
    check("03.saturating", losses.minimax_g_loss)
    check("07.gradient_penalty", losses.gradient_penalty)
    assert capsys.readouterr().out.count("right: exercise") == 3


@pytest.mark.parametrize("exercise", sorted(CHECKS))
def test_an_unanswered_exercise_says_so(exercise):
    with pytest.raises(ExerciseError, match="not answered yet"):
        check(exercise, stub)


@pytest.mark.parametrize(
    "answer, message",
    [
        (lambda p, q: q / (p + q), "1 - D\\*"),
        (lambda p, q: p / (p + q), "return nan"),
        (lambda p, q: np.divide(p, p + q, out=np.zeros_like(p), where=p + q > 0), "you return 0.0"),
        (lambda p, q: (p / (p + q))[:3], "shape"),
    ],
)
def test_optimal_d_mistakes_are_named(answer, message):
    with pytest.raises(ExerciseError, match=message):
        check("02.optimal_d", answer)


@pytest.mark.parametrize(
    "answer, message",
    [
        (losses.non_saturating_g_loss, "non-saturating"),
        (lambda x: F.binary_cross_entropy_with_logits(x, torch.zeros_like(x)), "sign is flipped"),
        (lambda x: torch.log(1 - torch.sigmoid(x)).mean(), "not finite"),
        (lambda x: torch.log(1 - torch.sigmoid(x)), "scalar"),
        (lambda x: torch.tensor(-torch.nn.functional.softplus(x).mean().item()), "gradient"),
    ],
)
def test_saturating_loss_mistakes_are_named(answer, message):
    with pytest.raises(ExerciseError, match=message):
        check("03.saturating", answer)


def _no_create_graph(critic, real, fake):
    eps = torch.rand(len(real), 1)
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


def _on_real_only(critic, real, fake):
    return losses.gradient_penalty(critic, real, real)


def _one_eps(critic, real, fake):
    x_hat = (0.9 * real + 0.1 * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


@pytest.mark.parametrize(
    "answer, message",
    [
        (_no_create_graph, "create_graph=True"),
        (_on_real_only, "x_hat = eps x"),
        (_one_eps, "x_hat = eps x"),
        (lambda c, r, f: 10 * losses.gradient_penalty(c, r, f), "weight 10"),
    ],
)
def test_gradient_penalty_mistakes_are_named(answer, message):
    with pytest.raises(ExerciseError, match=message):
        check("07.gradient_penalty", answer)


def test_a_crash_or_a_wrong_call_is_explained():
    with pytest.raises(ExerciseError, match="raised ZeroDivisionError"):
        check("03.saturating", lambda logits: 1 / 0)
    with pytest.raises(ExerciseError, match="no brackets"):
        check("03.saturating", 0.5)
    with pytest.raises(ValueError, match="unknown exercise"):
        check("99.nothing", stub)


def _count(threshold=3.0, per_sample=False):
    def count(samples, modes, std):
        d = np.linalg.norm(np.asarray(samples)[:, None] - np.asarray(modes)[None], axis=2)
        good = d.min(1) <= threshold * std
        return int(good.sum()) if per_sample else int(len(set(d.argmin(1)[good])))

    return count


def _frechet_once(a, b):
    from scipy.linalg import sqrtm

    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    return ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca + cb - sqrtm(ca @ cb).real)


def _frechet_complex(a, b):
    from scipy.linalg import sqrtm

    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    return ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca + cb - 2 * sqrtm(ca @ cb)) + 0j


def _auc_without_ties(members, others):
    return float(np.mean(np.asarray(members)[:, None] > np.asarray(others)[None]))


@pytest.mark.parametrize(
    "exercise, answer, message",
    [
        ("06.modes_captured", _count(threshold=1.0), "threshold is 3 std"),
        ("06.modes_captured", _count(per_sample=True), "count modes, not samples"),
        ("06.modes_captured", _count(threshold=100.0), "low quality"),
        ("06.modes_captured", lambda s, m, sd: 2.0, "as an int"),
        ("10.frechet", _frechet_once, "subtract it only once"),
        ("10.frechet", _frechet_complex, "complex"),
        ("10.frechet", lambda a, b: ((a.mean(0) - b.mean(0)) ** 2).sum(), "correlated|is "),
        ("12.membership_auc", _auc_without_ties, "ties"),
        ("12.membership_auc", lambda m, o: 1 - metrics.membership_auc(m, o), "flipped"),
    ],
)
def test_more_mistakes_are_named(exercise, answer, message):
    with pytest.raises(ExerciseError, match=message):
        check(exercise, answer)


def test_the_library_answers_pass_the_new_checks(capsys):
    check("06.modes_captured", lambda s, m, sd: metrics.mode_stats(s, m, sd)["modes_captured"])
    check("10.frechet", metrics.frechet_distance)
    check("12.membership_auc", metrics.membership_auc)
    assert capsys.readouterr().out.count("right:") == 3


def _loglik(weighted=True, norm_2d=True, stable=True):
    def loglik(x, modes, std):
        sq = ((x[:, None] - modes[None]) ** 2).sum(-1)
        norm = 2 * np.pi * std**2 if norm_2d else np.sqrt(2 * np.pi) * std
        k = len(modes) if weighted else 1
        if stable:
            from scipy.special import logsumexp

            return float(np.mean(logsumexp(-sq / (2 * std**2), axis=1) - np.log(k * norm)))
        with np.errstate(divide="ignore"):
            return float(np.mean(np.log(np.exp(-sq / (2 * std**2)).sum(1) / (k * norm))))

    return loglik


def _field(g_sign=1, d_sign=1, swap=False):
    def field(theta, psi):
        f_prime = 1 / (1 + np.exp(theta * psi))
        out = (-g_sign * psi * f_prime, d_sign * theta * f_prime)
        return out[::-1] if swap else out

    return field


def _planes(y, n, size):
    return F.one_hot(y, n)[:, :, None, None].expand(-1, -1, size, size)  # int64: the wrong dtype


@pytest.mark.parametrize(
    "exercise, answer, message",
    [
        ("01.mixture_log_likelihood", _loglik(weighted=False), "1/K"),
        ("01.mixture_log_likelihood", _loglik(norm_2d=False), "normaliser"),
        ("01.mixture_log_likelihood", _loglik(stable=False), "logsumexp"),
        ("05.dirac_field", _field(-1, -1), "both signs"),
        ("05.dirac_field", _field(1, -1), "one sign"),
        ("05.dirac_field", _field(swap=True), "swapped"),
        ("08.deconv_size", lambda n, k, s, p: (n + 2 * p - k) // s + 1, "forward"),
        ("08.deconv_size", lambda n, k, s, p: n * s, "PyTorch gives"),
        ("09.label_planes", lambda y, n, size: F.one_hot(y, n).float(), "shape"),
        ("09.label_planes", _planes, "float32"),
        ("09.label_planes", lambda y, n, size: torch.zeros(len(y), n, size, size), "plane y_i"),
    ],
)
def test_the_other_exercises_name_their_mistakes(exercise, answer, message):
    with pytest.raises(ExerciseError, match=message):
        check(exercise, answer)


def test_a_check_leaves_the_random_state_as_it_was():
    torch.manual_seed(7)
    np.random.seed(7)
    check("07.gradient_penalty", losses.gradient_penalty)  # draws torch.rand and torch.randn
    after = torch.rand(3), np.random.rand(3)
    torch.manual_seed(7)
    np.random.seed(7)
    assert torch.equal(after[0], torch.rand(3)) and np.array_equal(after[1], np.random.rand(3))


def _ring(k, radius, endpoint=False, degrees=False):
    angles = torch.linspace(0, 2 * torch.pi, k) if endpoint else 2 * torch.pi * torch.arange(k) / k
    angles = angles * 180 / torch.pi if degrees else angles
    return radius * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)


def _adam(bias_correction=True, sign=1, root=True):
    def adam_update(grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        m, v = betas[0] * m + (1 - betas[0]) * grad, betas[1] * v + (1 - betas[1]) * grad**2
        m_hat, v_hat = (m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)) if bias_correction else (m, v)
        return -sign * lr * m_hat / ((v_hat.sqrt() if root else v_hat) + eps), m, v

    return adam_update


def _copy(average=np.median, squared=False, upside_down=False):
    def copy_score(samples, train, test):
        a, b = metrics.nearest(samples, train)[0], metrics.nearest(test, train)[0]
        a, b = (a**2, b**2) if squared else (a, b)
        return average(b) / average(a) if upside_down else average(a) / average(b)

    return copy_score


def _lower_median_copy(samples, train, test):
    def nearest(x):
        return torch.cdist(torch.as_tensor(x).flatten(1), train.flatten(1)).min(dim=1).values

    return (nearest(samples).median() / nearest(test).median()).item()


def test_the_answers_of_00_04_and_11_pass(capsys):
    check("00.ring_modes", _ring)
    check("00.ring_modes", lambda k, r: _ring(k, r).flip(0))  # any order of the modes
    check("04.adam_update", _adam())
    check("11.copy_score", _copy())
    check("11.copy_score", lambda s, tr, te: comparison.copy_score(s, tr, te))
    assert capsys.readouterr().out.count("right:") == 5


@pytest.mark.parametrize(
    "exercise, answer, message",
    [
        ("00.ring_modes", lambda k, r: _ring(k, r).T, "transposed"),
        ("00.ring_modes", lambda k, r: _ring(k, r, endpoint=True), "coincide"),
        ("00.ring_modes", lambda k, r: _ring(k, r, degrees=True), "radians"),
        ("00.ring_modes", lambda k, r: _ring(k, 1.0), "distance radius"),
        ("04.adam_update", _adam(bias_correction=False), "bias correction"),
        ("04.adam_update", _adam(sign=-1), "up"),
        ("04.adam_update", _adam(root=False), "square root"),
        ("04.adam_update", lambda g, m, v, t, lr=1e-3, **_: (-lr * g, m, v), "plain SGD"),
        ("11.copy_score", _copy(np.mean), "medians"),
        ("11.copy_score", _copy(squared=True), "squared"),
        ("11.copy_score", _copy(upside_down=True), "upside down"),
        ("11.copy_score", _lower_median_copy, "torch.median"),
    ],
)
def test_the_mistakes_of_00_04_and_11_are_named(exercise, answer, message):
    with pytest.raises(ExerciseError, match=message):
        check(exercise, answer)
