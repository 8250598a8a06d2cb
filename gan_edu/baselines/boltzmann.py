"""Boltzmann machines on binary codes of the points (RBM, DBN), and their normalisers: exact by
enumeration, or estimated by annealed importance sampling (AIS)."""

from __future__ import annotations

import numpy as np

from .base import Baseline


def _gray_bits(bins: np.ndarray, bits: int) -> np.ndarray:
    gray = bins ^ (bins >> 1)  # neighbouring bins differ in one bit
    return ((gray[..., None] >> np.arange(bits - 1, -1, -1)) & 1).reshape(len(bins), -1).astype(np.float64)


def _from_gray(v: np.ndarray, dim: int, bits: int) -> np.ndarray:
    gray = (v.reshape(len(v), dim, bits).astype(np.int64) << np.arange(bits - 1, -1, -1)).sum(-1)
    bins, shift = gray.copy(), gray >> 1
    while shift.any():
        bins ^= shift
        shift >>= 1
    return bins


def _softplus(a):
    return np.logaddexp(0, a)


def rbm_log_z(rbm, layer_limit: int = 20) -> float:
    """The exact log normaliser of a fitted scikit-learn BernoulliRBM, by enumerating every state
    of its smaller layer (at most 2**layer_limit states); a ValueError when both layers are larger."""
    w, b, c = rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_
    if min(w.shape) > layer_limit:
        raise ValueError(f"both layers have more than {layer_limit} units {w.shape[::-1]}: 2**{min(w.shape)} "
                         "states are too many to enumerate; estimate log Z with rbm_ais_log_z")  # fmt: skip
    n = min(w.shape)
    s = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.float64)
    if n == w.shape[1]:  # sum over visible states v: exp(b.v) prod_j (1 + exp(c_j + W_j.v))
        terms = s @ b + _softplus(s @ w.T + c).sum(1)
    else:  # sum over hidden states h: exp(c.h) prod_i (1 + exp(b_i + W_i.h))
        terms = s @ c + _softplus(s @ w + b).sum(1)
    return float(np.logaddexp.reduce(terms))


def rbm_ais_log_z(
    rbm, base_bias, runs: int = 100, betas: int = 10_000, seed: int = 0
) -> tuple[float, np.ndarray]:
    """An estimate of a BernoulliRBM's log normaliser by annealed importance sampling (Neal 2001;
    for RBMs, Salakhutdinov and Murray 2008): `runs` chains move from a base model (independent
    visible bits with logits `base_bias`, no weights), whose log Z is known, through `betas`
    distributions p_k(v) ∝ exp((1 - β_k) base.v + β_k b.v) prod_j (1 + exp(β_k (c_j + W_j.v)))
    to the RBM, one Gibbs step at each. Returns (log Z estimate, each run's log weight).

    The average weight estimates Z without bias, so log of it is too low on average (Jensen):
    likelihoods computed with it come out too high, more so with fewer runs and betas."""
    if betas < 20 or runs < 1:
        raise ValueError(f"AIS needs at least 20 betas and 1 run, got betas={betas}, runs={runs}")
    w, b, c = rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_
    rng = np.random.default_rng(seed)
    # the betas from 0 to 1, denser near 1, where the distributions change fastest
    beta = np.concatenate([np.linspace(0, 0.5, betas // 20, endpoint=False),
                           np.linspace(0.5, 0.9, betas * 5 // 20, endpoint=False),
                           np.linspace(0.9, 1, betas - betas // 20 - betas * 5 // 20)])  # fmt: skip

    def log_p(v, k):  # the unnormalised log probability under p_k, hidden units summed out
        return (1 - k) * v @ base_bias + k * v @ b + _softplus(k * (v @ w.T + c)).sum(1)

    def draw(logits):  # independent bits with these logits
        return (rng.random(logits.shape) < 1 / (1 + np.exp(-logits))).astype(np.float64)

    v = draw(np.tile(base_bias, (runs, 1)))
    log_w = np.zeros(runs)
    for prev, k in zip(beta[:-1], beta[1:], strict=True):
        log_w += log_p(v, k) - log_p(v, prev)
        h = draw(k * (v @ w.T + c))  # one Gibbs step that leaves p_k unchanged
        v = draw((1 - k) * base_bias + k * (b + h @ w))
    log_z_base = _softplus(base_bias).sum() + len(c) * np.log(2)
    return float(log_z_base + np.logaddexp.reduce(log_w) - np.log(runs)), log_w


def bit_frequencies(v: np.ndarray) -> np.ndarray:
    """How often each bit is on in the rows of v, with half a count added to "on" and to "off" (the
    Krichevsky-Trofimov estimate), so never exactly 0 or 1: the model of independent bits that AIS
    starts from, and notebook 11's reference for binary likelihoods."""
    return (np.asarray(v).sum(0) + 0.5) / (len(v) + 1)


def _base_logits(v: np.ndarray) -> np.ndarray:
    """Logits of `bit_frequencies(v)`: AIS's base model."""
    p = bit_frequencies(v)
    return np.log(p / (1 - p))


def _as_bits(v, width: int) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    if v.ndim != 2 or v.shape[1] != width or not np.isin(v, (0, 1)).all():
        raise ValueError(f"expected binary codes: rows of {width} values, each 0 or 1 (see to_bits); "
                         f"got shape {v.shape}")  # fmt: skip
    return v


class RBM(Baseline):
    """A restricted Boltzmann machine (scikit-learn's `BernoulliRBM`, persistent contrastive
    divergence) on binary codes of the points: each coordinate is cut into 2**bits bins over the
    data's range and the bin number written in Gray code. Samples come from `gibbs` steps of Gibbs
    chains started at random states. With few visible units the normaliser is a sum over all
    2**(d * bits) states, so the likelihood is exact — of the binned model, whose density is
    constant inside each bin. For images, bits=1 binarises each pixel at the middle of its range;
    jitter=False then decodes a bit to the lowest or highest value instead of a point in its bin."""

    name, family, likelihood = "RBM", "explicit", "exact"  # "none" once fitted, if too many states
    latent_space = "none (binary hidden units; a sample is the end of a Gibbs chain)"

    def __init__(self, hidden: int = 32, bits: int = 6, gibbs: int = 1000, lr: float = 0.05,
                 batch_size: int = 64, jitter: bool = True, seed: int = 0, **unknown):  # fmt: skip
        super().__init__(seed, **unknown)
        self.hidden, self.bits, self.gibbs, self.lr, self.batch_size = hidden, bits, gibbs, lr, batch_size
        self.jitter = jitter

    @property
    def evaluations(self) -> int:
        return self.gibbs

    def _rbm(self, hidden, v, budget, seed):
        from sklearn.neural_network import BernoulliRBM

        rbm = BernoulliRBM(
            n_components=hidden, learning_rate=self.lr, batch_size=self.batch_size, random_state=seed
        )
        rng = np.random.default_rng(seed)
        for _ in range(budget):  # one update per minibatch, like the neural models' steps
            rbm.partial_fit(v[rng.integers(len(v), size=self.batch_size)])
        return rbm

    def _fit(self, x, budget):
        x = x.numpy().astype(np.float64)
        pad = (0.05 if self.jitter else 0) * (x.max(0) - x.min(0)) + 1e-6
        self.lo, self.bin = x.min(0) - pad, (x.max(0) - x.min(0) + 2 * pad) / 2**self.bits
        v = self.to_bits(x)
        self.model = self._rbm(self.hidden, v, budget, self.seed)
        self.base_bias = _base_logits(v)
        visible = self.dim * self.bits
        if visible <= 20:  # enumerate every visible state: the exact normaliser
            self.log_z = rbm_log_z(self.model)
        else:
            self.likelihood = "none"
            self.no_likelihood_reason = (f"its normaliser sums 2**{visible} states, too many to enumerate "
                                         "(estimate it with ais_log_z, then use log_prob_bits)")  # fmt: skip

    def ais_log_z(self, runs: int = 100, betas: int = 10_000, seed: int = 0) -> float:
        """The RBM's log normaliser estimated by annealed importance sampling (`rbm_ais_log_z`), from
        independent bits with the training data's frequencies."""
        self._check()
        return rbm_ais_log_z(self.model, self.base_bias, runs, betas, seed)[0]

    def log_prob_bits(self, v, log_z: float) -> np.ndarray:
        """log P(v) in nats of binary codes v (N, d * bits), given the log normaliser: -F(v) - log Z."""
        self._check()
        return -self.free_energy(_as_bits(v, self.dim * self.bits)) - log_z

    def free_energy(self, v) -> np.ndarray:
        """F(v) = -b.v - sum_j log(1 + exp(c_j + W_j.v)); p(v) = exp(-F(v)) / Z."""
        m = self.model
        return -v @ m.intercept_visible_ - np.logaddexp(0, v @ m.components_.T + m.intercept_hidden_).sum(1)

    def to_bits(self, x) -> np.ndarray:
        """Binary codes (N, d * bits) of points (N, d)."""
        bins = np.clip(((np.asarray(x) - self.lo) / self.bin).astype(np.int64), 0, 2**self.bits - 1)
        return _gray_bits(bins, self.bits)

    def from_bits(self, v, rng) -> np.ndarray:
        """Points for binary codes: a uniform draw inside each code's bin."""
        bins = _from_gray(v, self.dim, self.bits)
        if not self.jitter:  # lowest bin -> the data's minimum, highest -> its maximum
            return self.lo + bins / (2**self.bits - 1) * (2**self.bits * self.bin)
        return self.lo + (bins + rng.random(bins.shape)) * self.bin

    def chains(self, n: int, steps: int, seed: int = 0) -> np.ndarray:
        """n Gibbs chains from random binary states, run `steps` steps: their visible states."""
        self._check(n=n)
        rng = np.random.default_rng(seed)
        v = (rng.random((int(n), self.dim * self.bits)) < 0.5).astype(np.float64)
        self.model.random_state_ = np.random.RandomState(seed)
        for _ in range(steps):
            v = self.model.gibbs(v).astype(np.float64)
        return v

    def _sample(self, n, seed):
        return self.from_bits(self.chains(n, self.gibbs, seed), np.random.default_rng(seed + 1))

    def exact_sample(self, n: int, seed: int = 0) -> np.ndarray:
        """n points drawn from the RBM's exact distribution (enumerated states, no Gibbs chain): what
        perfectly mixed chains would give."""
        self._check(n=n)
        if not hasattr(self, "log_z"):
            raise ValueError(f"exact sampling needs the enumerated states; {self.name} has no likelihood: "
                             f"{self.no_likelihood_reason}")  # fmt: skip
        visible = self.dim * self.bits
        states = ((np.arange(2**visible)[:, None] >> np.arange(visible)) & 1).astype(np.float64)
        rng = np.random.default_rng(seed)
        pick = rng.choice(len(states), size=int(n), p=np.exp(-self.free_energy(states) - self.log_z))
        return self.from_bits(states[pick], rng)

    def _log_likelihood(self, x):
        x = x.numpy().astype(np.float64)
        inside = ((x >= self.lo) & (x < self.lo + 2**self.bits * self.bin)).all(1)
        log_p = -self.free_energy(self.to_bits(x)) - self.log_z - np.log(self.bin).sum()
        return np.where(inside, log_p, -np.inf)


class DBN(RBM):
    """A deep belief network (Hinton, Osindero and Teh 2006) of two RBMs: the first as above, the
    second trained on the first's hidden units. Samples: Gibbs chains in the top RBM, then one pass
    down through the first. Fitting costs two RBMs' training."""

    name = "DBN (2 RBMs)"
    likelihood = "none"
    no_likelihood_reason = (
        "it needs a sum over every state of the first hidden layer (for binary codes, "
        "log_prob_bits gives a lower bound, with top_ais_log_z)"
    )

    def __init__(self, hidden: int = 32, top: int = 32, **kwargs):
        super().__init__(hidden=hidden, **kwargs)
        self.top = top

    def _fit(self, x, budget):
        super()._fit(x, budget)
        self.likelihood, self.no_likelihood_reason = DBN.likelihood, DBN.no_likelihood_reason  # not the RBM's
        rng = np.random.default_rng(self.seed)
        p_h = self.model.transform(self.to_bits(x.numpy().astype(np.float64)))
        h = (rng.random(p_h.shape) < p_h).astype(np.float64)
        self.top_model, self.top_base_bias = self._rbm(self.top, h, budget, self.seed + 1), _base_logits(h)

    def top_ais_log_z(self, runs: int = 100, betas: int = 10_000, seed: int = 0) -> float:
        """The top RBM's log normaliser by annealed importance sampling (`rbm_ais_log_z`)."""
        self._check()
        return rbm_ais_log_z(self.top_model, self.top_base_bias, runs, betas, seed)[0]

    def log_prob_bits(self, v, log_z: float, samples: int = 10, seed: int = 0) -> np.ndarray:
        """A lower bound on log P(v) in nats for binary codes v, given the top RBM's log normaliser
        (Hinton et al. 2006; estimated as in Salakhutdinov and Murray 2008): with q(h|v) the first
        RBM's hidden probabilities, log P(v) >= E_q[log P(v|h) + log P_top(h)] + H(q), the
        expectation averaged over `samples` draws of h."""
        self._check()
        v, m = _as_bits(v, self.dim * self.bits), self.model
        q = np.clip(m.transform(v), 1e-12, 1 - 1e-12)
        bound = -(q * np.log(q) + (1 - q) * np.log1p(-q)).sum(1)  # the entropy H(q)
        rng = np.random.default_rng(seed)
        for _ in range(samples):
            h = (rng.random(q.shape) < q).astype(np.float64)
            logits = h @ m.components_ + m.intercept_visible_  # log P(v|h): independent bits given h
            log_p_v = (v * logits - _softplus(logits)).sum(1)
            t = self.top_model  # log P_top(h) = -F_top(h) - log Z_top
            log_p_h = h @ t.intercept_visible_ + _softplus(h @ t.components_.T + t.intercept_hidden_).sum(1)
            bound += (log_p_v + log_p_h - log_z) / samples
        return bound

    def _sample(self, n, seed):
        rng = np.random.default_rng(seed)
        h = (rng.random((n, self.hidden)) < 0.5).astype(np.float64)
        self.top_model.random_state_ = np.random.RandomState(seed)
        for _ in range(self.gibbs):
            h = self.top_model.gibbs(h).astype(np.float64)
        m = self.model
        p_v = 1 / (1 + np.exp(-(h @ m.components_ + m.intercept_visible_)))
        return self.from_bits((rng.random(p_v.shape) < p_v).astype(np.float64), rng)
