"""A bounded record of training statistics, one row per step (notebook 00 plots it)."""

from __future__ import annotations

import numpy as np

from . import checks


class History:
    """The last `maxlen` steps' statistics, in fixed-size NumPy ring buffers (memory stays bounded).

    `history["d_loss"]` gives a column, oldest first; `history.rows[-1]` the newest step as a dict.
    """

    KEYS = ("step", "d_loss", "g_loss", "g_grad_norm", "seconds")

    def __init__(self, maxlen: int):
        self.maxlen = maxlen
        self._data = np.full((len(self.KEYS), maxlen), np.nan)
        self._count = 0  # steps ever appended; the newest sits at (_count - 1) % maxlen

    def append(self, stats: dict) -> None:
        self._data[:, self._count % self.maxlen] = [stats[k] for k in self.KEYS]
        self._count += 1

    def truncate(self, step: int) -> None:
        """Forget the rows after `step` (used when training goes back to a snapshot)."""
        while len(self) and self._data[0, (self._count - 1) % self.maxlen] > step:
            self._count -= 1

    def copy(self) -> History:
        """An independent copy, safe to read while training goes on."""
        other = History(self.maxlen)
        other._data, other._count = self._data.copy(), self._count
        return other

    @property
    def rows(self) -> list[dict]:
        return [dict(zip(self.KEYS, column, strict=True)) for column in self._ordered().T]

    def _ordered(self) -> np.ndarray:
        n = len(self)
        start = (self._count - n) % self.maxlen
        return np.roll(self._data, -start, axis=1)[:, :n]

    def __len__(self) -> int:
        return min(self._count, self.maxlen)

    def __getitem__(self, key: str) -> np.ndarray:
        checks.choose(self.KEYS, key, "history column", error=KeyError)
        return self._ordered()[self.KEYS.index(key)]
