"""Models fitted by scikit-learn: a Gaussian mixture (EM) and a kernel density."""

from __future__ import annotations

import warnings

import numpy as np

from .base import Baseline


class GaussianMixture(Baseline):
    """A mixture of K Gaussians fitted by EM (scikit-learn); `budget` is the EM iteration limit."""

    name, family, likelihood = "Gaussian mixture", "explicit", "exact"
    evaluations = 0

    def __init__(self, components: int = 8, reg_covar: float = 1e-6, seed: int = 0):
        super().__init__(seed)
        self.components, self.reg_covar = components, reg_covar  # reg_covar: added to each variance

    def _fit(self, x, budget):
        from sklearn.mixture import GaussianMixture as GM

        gm = GM(self.components, max_iter=budget, n_init=3, reg_covar=self.reg_covar, random_state=self.seed)
        self.model = gm.fit(x.numpy())

    def _sample(self, n, seed):
        self.model.random_state = seed
        with warnings.catch_warnings():  # numerical noise in a covariance that has reg_covar added
            warnings.filterwarnings("ignore", "covariance is not symmetric positive-semidefinite")
            x, _ = self.model.sample(n)
        return x[np.random.default_rng(seed).permutation(n)]  # sklearn returns them sorted by component

    def _log_likelihood(self, x):
        return self.model.score_samples(x.numpy())


class KernelDensity(Baseline):
    """A Gaussian bump on every training point (scikit-learn). The bandwidth is the one of
    `bandwidths` with the best likelihood on a held-out fifth of the data; then it keeps all points."""

    name, family, likelihood = "kernel density", "explicit", "exact"
    evaluations = 0

    BANDWIDTHS = tuple(np.geomspace(0.01, 1.0, 21))

    def __init__(self, bandwidths=BANDWIDTHS, seed: int = 0):
        super().__init__(seed)
        self.bandwidths = bandwidths

    def _fit(self, x, budget):
        from sklearn.neighbors import KernelDensity as KD

        x = x.numpy()
        order = np.random.default_rng(self.seed).permutation(len(x))
        held, kept = x[order[: len(x) // 5]], x[order[len(x) // 5 :]]
        scores = [KD(bandwidth=b).fit(kept).score(held) for b in self.bandwidths]
        self.bandwidth = float(self.bandwidths[int(np.argmax(scores))])
        self.model = KD(bandwidth=self.bandwidth).fit(x)

    def _sample(self, n, seed):
        return self.model.sample(n, random_state=seed)

    def _log_likelihood(self, x):
        return self.model.score_samples(x.numpy())
