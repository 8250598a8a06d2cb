"""Self-checks for the coding exercises: right or wrong, and what is wrong, without the answer.

A coding exercise ends with the cell `check("03.saturating", saturating_g_loss)`. When the answer is
right it prints what was checked; when it is not, it raises `ExerciseError` saying what is wrong
(and, for the common mistakes, which one it is). The same cell is the autograder's test in
nbgrader: a cell that raises scores 0 (`make release`, tools/grading.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from gan_edu import checks
from gan_edu.metrics import mode_stats
from gan_edu.runtime import seeded


class ExerciseError(AssertionError):
    """The answer is not right yet; the message says what is wrong."""


def _close(a, b, tol: float = 1e-6) -> bool:
    return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), atol=tol, rtol=tol))


def _scalar(value, what: str) -> float:
    if not isinstance(value, torch.Tensor) or value.dim() != 0:
        kind = (
            f"a tensor of shape {tuple(value.shape)}"
            if isinstance(value, torch.Tensor)
            else type(value).__name__
        )
        raise ExerciseError(f"{what} should return a scalar tensor (a mean over the batch), not {kind}.")
    if not torch.isfinite(value):
        raise ExerciseError(f"{what} returned {value.item()}, which is not finite.")
    return value.item()


def _optimal_d(optimal_d: Callable) -> str:
    p = np.array([0.2, 0.0, 0.5, 0.0, 0.1])
    q = np.array([0.2, 0.3, 0.0, 0.0, 0.3])
    want = np.array([0.5, 0.0, 1.0, 0.5, 0.25])
    with np.errstate(all="ignore"):
        got = np.asarray(optimal_d(p, q), dtype=float)
    if got.shape != p.shape:
        raise ExerciseError(
            f"optimal_d should return one value per grid point, shape {p.shape}, not {got.shape}."
        )
    if _close(got[[0, 1, 2, 4]], 1 - want[[0, 1, 2, 4]]):
        raise ExerciseError("you return p_g / (p_data + p_g): that is 1 - D*, the chance that x is *fake*.")
    if not _close(got[[0, 1, 2, 4]], want[[0, 1, 2, 4]]):
        raise ExerciseError("where at least one density is positive, D* should be p_data / (p_data + p_g).")
    if not np.isfinite(got[3]):
        raise ExerciseError("where both densities are 0 you return nan (0/0); return 1/2 there.")
    if not _close(got[3], 0.5):
        raise ExerciseError(f"where both densities are 0 you return {got[3]}; the exercise asks for 1/2.")
    return "D* on five grid points, including one where p_g = 0 and one where both densities are 0"


def _saturating(loss: Callable) -> str:
    logits = torch.linspace(-4, 2, 9, requires_grad=True)  # not symmetric, or the two losses agree
    got = _scalar(loss(logits), "saturating_g_loss")
    want = -F.binary_cross_entropy_with_logits(logits, torch.zeros_like(logits))
    if _close(got, F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits)).item()):
        raise ExerciseError(
            "that is the non-saturating loss -log D(G(z)); the saturating one is log(1 - D(G(z)))."
        )
    if _close(got, -want.item()):
        raise ExerciseError("the sign is flipped: G *minimises* log(1 - D(G(z))), which is negative.")
    if not _close(got, want.item(), 1e-5):
        raise ExerciseError(
            f"on logits -4 ... 2 your loss is {got:.5f}; mean log(1 - sigmoid(logit)) is {want:.5f}."
        )
    no_gradient = ExerciseError(
        "the value is right but its gradient is not: compute it with torch operations only."
    )
    try:
        (grad,) = torch.autograd.grad(loss(logits), logits)
    except RuntimeError:  # no graph back to the logits
        raise no_gradient from None
    if not _close(grad, torch.autograd.grad(want, logits)[0], 1e-5):
        raise no_gradient
    extreme = torch.tensor([-30.0, 30.0])
    with torch.no_grad():
        value = loss(extreme)
    if not torch.isfinite(value):
        raise ExerciseError(
            "not finite for logits of +-30: compute it from the logits "
            "(binary_cross_entropy_with_logits or logsigmoid), not as log(1 - sigmoid)."
        )
    return "value and gradient on logits -4 ... 2, and a finite value at logits of +-30"


def _gradient_penalty(penalty: Callable) -> str:
    w = torch.tensor([1.2, 1.6], requires_grad=True)  # a linear critic with slope |w| = 2 everywhere
    real, fake = torch.randn(64, 2), torch.randn(64, 2)
    got = penalty(lambda x: x @ w, real, fake)
    if _close(_scalar(got, "gradient_penalty"), 10.0, 1e-5):
        raise ExerciseError(
            "you multiplied by the weight 10: return the penalty itself; the trainer applies the weight."
        )
    if not _close(_scalar(got, "gradient_penalty"), 1.0, 1e-5):
        raise ExerciseError(
            f"a linear critic with slope 2 everywhere should get (2 - 1)^2 = 1, not {got.item():.4f}."
        )
    if got.requires_grad:
        got.backward()
    if w.grad is None or not torch.any(w.grad != 0):
        raise ExerciseError(
            "no gradient reaches the critic's weights, so the critic cannot learn from the penalty: "
            "take the input gradient with torch.autograd.grad(..., create_graph=True)."
        )
    if not _close(w.grad, 2 * (2 - 1) * w.detach() / 2, 1e-5):
        raise ExerciseError(f"the gradient on the critic's weights is {w.grad.tolist()}, not 2(|w|-1) w/|w|.")
    # a critic 0.5|x|^2 has slope |x|: between (2, 0) and (0, 0), the mean of (2 eps - 1)^2 is 1/3
    n = 20_000
    real, fake = torch.tensor([[2.0, 0.0]]).repeat(n, 1), torch.zeros(n, 2)
    with torch.enable_grad():
        value = _scalar(penalty(lambda x: 0.5 * (x**2).sum(dim=1), real, fake), "gradient_penalty")
    if abs(value - 1 / 3) > 0.03:
        raise ExerciseError(
            f"between real (2, 0) and fake (0, 0) we expect about 1/3, you get {value:.3f}: take it on "
            "x_hat = eps x + (1 - eps) x_fake, one eps ~ U(0, 1) per sample."
        )
    return "a linear critic (value and its gradient), and random interpolates between real and fake"


def _modes_captured(count: Callable) -> str:
    angles = np.arange(8) * np.pi / 4
    modes, std = 2 * np.stack([np.cos(angles), np.sin(angles)], axis=1), 0.02
    samples = np.concatenate([
        modes[[0, 0, 0]],  # mode 0 hit exactly, three times
        modes[[1]] + [0.05, 0.0],  # 2.5 std from mode 1: high quality, so mode 1 is captured
        modes[[2]] + [0.1, 0.0],  # 5 std from mode 2: low quality, mode 2 is not captured
        [[0.0, 0.0]],  # the centre: far from every mode
    ])  # fmt: skip
    got = count(samples, modes, std)
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
        raise ExerciseError(f"return the number of modes captured as an int, not {type(got).__name__}.")
    if got == 1:
        raise ExerciseError(
            "mode 1 has a sample 2.5 std away: within 3 std, it counts (the threshold is 3 std)."
        )
    if got == 4:
        raise ExerciseError("count modes, not samples: a mode hit three times is captured once.")
    if got == 3:
        raise ExerciseError("a sample 5 std from its nearest mode is low quality: it captures nothing.")
    if got != 2:
        raise ExerciseError(f"these samples capture modes 0 and 1 only (2 modes); you count {got}.")
    rng = np.random.default_rng(0)
    cloud = modes[rng.integers(0, 5, 500)] + rng.normal(0, 2.5 * std, (500, 2))
    want = mode_stats(cloud, modes, std)["modes_captured"]  # what notebooks 00, 04 and 06 report
    if count(cloud, modes, std) != want:
        raise ExerciseError(
            f"on 500 noisy samples around modes 0 to 4 we expect {want}, you count "
            f"{count(cloud, modes, std)}: give each sample to its *nearest* mode."
        )
    return "six hand-placed samples on the ring of 8, and 500 noisy ones around 5 of its modes"


def _frechet(frechet: Callable) -> str:
    from scipy.linalg import sqrtm

    rng = np.random.default_rng(0)
    mix = np.array([[1.0, 0.6, 0.0], [0.0, 1.0, 0.5], [0.3, 0.0, 1.0]])
    a, b = rng.normal(size=(400, 3)) @ mix, rng.normal(0.5, 1.3, size=(300, 3))
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    mean_part = float(((a.mean(0) - b.mean(0)) ** 2).sum())
    want = mean_part + np.trace(cov_a + cov_b - 2 * sqrtm(cov_a @ cov_b).real)
    got = frechet(a, b)
    if np.iscomplexobj(got):
        raise ExerciseError("you return a complex number: sqrtm leaves tiny imaginary parts; keep .real.")
    got = float(got)
    if _close(got, want + np.trace(sqrtm(cov_a @ cov_b).real), 1e-4):
        raise ExerciseError("the cross term is -2 tr((S_a S_b)^(1/2)): you subtract it only once.")
    diagonal = mean_part + float(((np.sqrt(np.diag(cov_a)) - np.sqrt(np.diag(cov_b))) ** 2).sum())
    if _close(got, diagonal, 1e-4):
        raise ExerciseError(
            "you use only the variances: the features are correlated, use full covariance matrices."
        )
    if abs(frechet(a, a)) > 1e-6:
        raise ExerciseError(
            f"the distance of a feature set to itself should be 0, yours is {frechet(a, a):.4g}."
        )
    if not _close(got, want, 1e-4):
        raise ExerciseError(
            f"on two correlated 3-D feature sets the distance is {want:.4f}, yours is {got:.4f}."
        )
    return "two correlated 3-D feature sets of different sizes, and a set against itself"


def _membership_auc(auc: Callable) -> str:
    members, others = np.array([3.0, 2.0, 2.0, 0.5]), np.array([2.0, 1.0, -1.0])
    want = (3 + 2.5 + 2.5 + 1) / 12  # each (member, other) pair: 1 if the member scores higher, 1/2 on a tie
    got = float(auc(members, others))
    if _close(got, 1 - want):
        raise ExerciseError("flipped: the AUC is the chance that a *member* scores higher than a non-member.")
    if _close(got, (3 + 2 + 2 + 1) / 12):
        raise ExerciseError("ties: a pair with equal scores counts 1/2 (the attacker can only guess).")
    if not _close(got, want):
        raise ExerciseError(
            f"on members {members.tolist()} and others {others.tolist()} the AUC is 0.75, not {got:.4f}."
        )
    if not _close(float(auc(np.ones(5), np.ones(7))), 0.5):
        raise ExerciseError("scores that are all equal tell members from others no better than chance: 0.5.")
    return "four members against three others with a tie, and scores that carry no information"


def _mixture_log_likelihood(loglik: Callable) -> str:
    from scipy.special import logsumexp

    modes, std = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]]), 0.5
    x = np.array([[0.1, -0.2], [2.5, 0.3], [1.0, 1.0], [0.0, 4.0]])

    def want(points):
        sq = ((points[:, None] - modes[None]) ** 2).sum(-1)
        return float(np.mean(logsumexp(-sq / (2 * std**2), axis=1) - np.log(len(modes) * 2 * np.pi * std**2)))

    got = float(loglik(x, modes, std))
    if _close(got, want(x) + np.log(len(modes)), 1e-6):
        raise ExerciseError(
            "the modes share the mass: weight each Gaussian by 1/K (you summed them unweighted)."
        )
    if _close(got, want(x) + np.log(2 * np.pi * std**2) / 2, 1e-6):
        raise ExerciseError("a 2-D Gaussian's normaliser is 1/(2 pi std^2), not 1/(sqrt(2 pi) std).")
    if not _close(got, want(x), 1e-6):
        raise ExerciseError(
            f"on four points near three modes the mean log-likelihood is {want(x):.4f}, not {got:.4f}."
        )
    far = np.array([[40.0, -30.0]])
    value = float(loglik(far, modes, std))
    if not np.isfinite(value):
        raise ExerciseError("a point far from every mode gets -inf: exp underflows; use logsumexp.")
    if not _close(value, want(far), 1e-6):
        raise ExerciseError(f"at (40, -30) the log-likelihood is {want(far):.2f}, not {value:.2f}.")
    return "four points near three modes, and one point so far away that exp underflows"


def _dirac_field(field: Callable) -> str:
    from gan_edu.theory import dirac_field

    points = [(0.5, -0.7), (-1.2, 0.4), (1.0, 0.0), (0.0, 1.0)]  # both components non-zero first
    for theta, psi in points:
        got = np.asarray(field(theta, psi), dtype=float)
        want = np.array([a.item() for a in dirac_field("gan", theta, psi)])
        if got.shape != (2,):
            raise ExerciseError(f"return the pair (d theta, d psi), not an array of shape {got.shape}.")
        if _close(got, want):
            continue
        if _close(got, -want):
            raise ExerciseError(
                "both signs are flipped: G *descends* L (minus its gradient), D *ascends* it."
            )
        if _close(got, [want[0], -want[1]]) or _close(got, [-want[0], want[1]]):
            raise ExerciseError(f"one sign is flipped at ({theta}, {psi}): G descends L, D ascends it.")
        if _close(got, want[::-1]) or _close(got, -want[::-1]):
            raise ExerciseError("the two components are swapped: return (d theta, d psi), G's first.")
        if not _close(got, want):
            raise ExerciseError(f"at (theta, psi) = ({theta}, {psi}) the field is {want.round(4).tolist()}, "
                                f"yours is {got.round(4).tolist()}.")  # fmt: skip
    return "the field at four points, G's component and D's"


def _deconv_size(size: Callable) -> str:
    cases = [(1, 7, 1, 0), (7, 4, 2, 1), (14, 4, 2, 1), (4, 4, 2, 1), (5, 3, 1, 1), (3, 5, 3, 2)]
    for n, k, s, p in cases:
        want = torch.nn.ConvTranspose2d(1, 1, k, s, p)(torch.zeros(1, 1, n, n)).shape[-1]
        got = size(n, k, s, p)
        if got == (n + 2 * p - k) // s + 1 and got != want:
            raise ExerciseError("that is a (forward) convolution's output size; a transposed one undoes it.")
        if got != want:
            raise ExerciseError(
                f"size {n}, kernel {k}, stride {s}, padding {p}: PyTorch gives {want}, you {got}."
            )
    return "six (size, kernel, stride, padding) cases against torch.nn.ConvTranspose2d, DCGAN's among them"


def _label_planes(planes: Callable) -> str:
    y = torch.tensor([3, 0, 9])
    got = planes(y, 10, 5)
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != (3, 10, 5, 5):
        shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
        raise ExerciseError(
            f"for 3 labels, 10 classes and 5 x 5 images expect shape (3, 10, 5, 5), not {shape}."
        )
    want = torch.zeros(3, 10, 5, 5)
    want[0, 3], want[1, 0], want[2, 9] = 1, 1, 1
    if torch.equal(got.float(), want.transpose(0, 1).reshape(3, 10, 5, 5)):
        raise ExerciseError("the batch and class axes are mixed up: plane c of image i is 1 where y_i = c.")
    if not torch.equal(got.float(), want):
        raise ExerciseError("image i needs plane y_i filled with ones and every other plane zero.")
    if got.dtype != torch.float32:
        raise ExerciseError(f"D's input is float32: return float planes, not {got.dtype}.")
    return "three labels as one-hot planes: shape, values and type"


def _ring_modes(ring_modes: Callable) -> str:
    from gan_edu.toy import ring

    for k, radius in [(8, 2.0), (3, 1.5), (5, 0.5)]:
        got = torch.as_tensor(np.asarray(ring_modes(k, radius), dtype=float))
        want = ring(k, radius).modes.double()
        if tuple(got.shape) == (2, k):
            raise ExerciseError(f"shape (2, {k}) is transposed: return one row (x, y) per mode, ({k}, 2).")
        if tuple(got.shape) != (k, 2):
            raise ExerciseError(
                f"for {k} modes return shape ({k}, 2), one row (x, y) per mode, not {tuple(got.shape)}."
            )
        norms = got.norm(dim=1)
        if not _close(norms, radius):
            raise ExerciseError(f"every mode lies at distance radius = {radius} from the centre; yours at "
                                f"{norms.min():.3f} ... {norms.max():.3f}.")  # fmt: skip
        if torch.cdist(got, got).add(torch.eye(k)).min() < 1e-6:
            raise ExerciseError(
                "two of your modes coincide: the angles are 2 pi i / k for i = 0 ... k - 1 "
                "(an angle of 2 pi is the angle 0 again; torch.linspace includes its end)."
            )
        if not _close(torch.cdist(want, got).min(dim=1).values, 0.0, 1e-5):
            raise ExerciseError(
                f"for {k} modes of radius {radius} the modes are at angles 2 pi i / k (radians, "
                "from the x axis); yours are elsewhere. torch.cos and torch.sin take radians, not degrees."
            )
    return "rings of 8, 3 and 5 modes against gan_edu.toy.ring"


def _adam_update(update: Callable) -> str:
    directions = torch.tensor([[0.5, -1.0, 2.0], [0.4, -1.5, 1.0], [-0.2, -0.5, 3.0], [0.1, 1.0, -1.0]])
    for scale in (1.0, 1e-3, 1e3):  # Adam's step hardly depends on the gradient's scale
        param = torch.zeros(3, requires_grad=True)
        reference = torch.optim.Adam([param], lr=0.01)
        mine, m, v = torch.zeros(3), torch.zeros(3), torch.zeros(3)
        for t, direction in enumerate(directions, start=1):
            grad = scale * direction
            param.grad = grad.clone()
            reference.step()
            step, m, v = (
                torch.as_tensor(a, dtype=torch.float32) for a in update(grad.clone(), m, v, t, lr=0.01)
            )
            mine = mine + step
            if _close(mine, param.detach(), 1e-5):
                continue
            if t == 1 and _close(step, -param.detach(), 1e-5):
                raise ExerciseError(
                    "the step goes *up* the gradient: step = -lr m_hat / (sqrt(v_hat) + eps)."
                )
            if t == 1 and _close(step.abs(), 0.01 * 0.1 / 0.001**0.5, 1e-3):
                raise ExerciseError(
                    "without bias correction m and v are biased towards 0, where they start: "
                    "divide m by 1 - beta1^t and v by 1 - beta2^t (t counts from 1)."
                )
            if t == 1 and _close(step.abs() * grad.abs(), 0.01, 1e-3):
                raise ExerciseError(
                    "divide by the square root of v_hat: your step shrinks as the gradient grows."
                )
            if t == 1 and _close(step, -0.01 * grad, 1e-5):
                raise ExerciseError(
                    "that is plain SGD's step, -lr * grad: Adam divides by sqrt(v_hat) + eps."
                )
            theirs, yours = (np.round(a.detach().double().numpy(), 5).tolist() for a in (param, mine))
            raise ExerciseError(
                f"with gradients of scale {scale:g}, after step {t} torch.optim.Adam's parameters are "
                f"{theirs}, yours {yours}."
            )
    return "four steps against torch.optim.Adam, with gradients of scale 1, 1e-3 and 1e3"


def _copy_score(score: Callable) -> str:
    from gan_edu.metrics import nearest

    grid = torch.tensor([[0.0, 0.0, 0.0, 0.0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    train = grid.reshape(5, 1, 2, 2)  # images (N, 1, 2, 2), as the digits are (N, 1, 8, 8)

    def moved(rows, distances):  # training images moved off along one axis each, as (N, 1, 2, 2)
        axes = torch.eye(4)[[i % 4 for i in range(len(rows))]]
        return (grid[rows] + torch.tensor(distances)[:, None] * axes).reshape(-1, 1, 2, 2)

    test = moved([0, 1, 2, 3, 4], [0.1, 0.2, 0.25, 0.3, 0.45])  # nearest distances 0.1 ... 0.45
    fake = moved([1, 2, 0], [0.05, 0.1, 3.0])  # 0.05, 0.1 and 2 (from (0, 0, 1, 0)): mean far from median
    d_fake, d_test = nearest(fake, train)[0], nearest(test, train)[0]
    want = float(np.median(d_fake) / np.median(d_test))
    got = float(score(fake, train, test))
    if _close(got, 1 / want):
        raise ExerciseError("upside down: the samples' median distance goes on top, the test images' below.")
    if _close(got, want**2):
        raise ExerciseError("you compare squared distances: use distances (their ratio is not the same).")
    if _close(got, float(np.mean(d_fake) / np.mean(d_test))):
        raise ExerciseError("use medians, not means: one far-off image should not move the score.")
    if not _close(got, want):
        raise ExerciseError(f"on these 2 x 2 images the copy score is {want:.4f}, not {got:.4f}.")
    even = moved([1, 2, 0, 3], [0.05, 0.1, 3.0, 0.2])  # four samples: the median is (0.1 + 0.2) / 2
    got = float(score(even, train, test))
    if _close(got, 0.1 / 0.25):
        raise ExerciseError(
            "with an even number of samples torch.median returns the lower of the two middle values; "
            "the median is their mean (np.median, or torch.quantile(x, 0.5))."
        )
    if not _close(got, 0.15 / 0.25):
        raise ExerciseError(f"for four samples and five test images the copy score is 0.6, not {got:.4f}.")
    if not _close(float(score(train[:3], train, test)), 0.0):
        raise ExerciseError(
            "samples that *are* training images should score 0: their nearest training image is themselves."
        )
    return "three and four samples, five test images and five training images, and exact copies"


CHECKS: dict[str, Callable[[Callable], str]] = {
    "02.optimal_d": _optimal_d,
    "03.saturating": _saturating,
    "07.gradient_penalty": _gradient_penalty,
    "06.modes_captured": _modes_captured,
    "10.frechet": _frechet,
    "12.membership_auc": _membership_auc,
    "01.mixture_log_likelihood": _mixture_log_likelihood,
    "05.dirac_field": _dirac_field,
    "08.deconv_size": _deconv_size,
    "09.label_planes": _label_planes,
    "00.ring_modes": _ring_modes,
    "04.adam_update": _adam_update,
    "11.copy_score": _copy_score,
}


def check(exercise: str, answer: Callable) -> None:
    """Say whether `answer` solves `exercise`; raise ExerciseError with what is wrong if it does not."""
    checks.choose(CHECKS, exercise, "exercise")
    if not callable(answer):
        raise ExerciseError(
            f"pass your function itself (its name, no brackets), not {type(answer).__name__}."
        )
    try:
        # the check draws random numbers (and so may the answer): the session's random state is left
        # as it was, so that running a check changes nothing that a later cell computes
        numpy_state = np.random.get_state()
        with seeded():
            try:
                checked = CHECKS[exercise](answer)
            finally:
                np.random.set_state(numpy_state)
    except NotImplementedError:
        raise ExerciseError(
            "not answered yet: replace `raise NotImplementedError()` with your code."
        ) from None
    except ExerciseError:
        raise
    except Exception as error:  # the student's code crashed: say so, with the error
        raise ExerciseError(f"your function raised {type(error).__name__}: {error}") from error
    print(f"right: exercise {exercise} ({checked}).")
