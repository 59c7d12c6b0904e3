"""The logistic function and its inverse, shared by behaviour and institutions; the logit draw."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["best_available", "logistic", "logit"]


def logistic(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: float) -> float:
    """Log-odds of a probability, kept finite at 0 and 1."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1 - p)))


def best_available(utility: np.ndarray, available: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """Per row, the available column of highest ``utility + noise`` (int8).

    ``np.where(available, utility + noise, -inf).argmax(axis=1)`` in one compiled pass: the
    same sums, the first of equal maxima, the first NaN, column 0 where none is available.
    """
    shape = np.shape(utility)
    if (len(shape) == 2 and np.shape(available) == shape and np.shape(noise) == shape
            and utility.dtype == noise.dtype == np.float64 and available.dtype == np.bool_):
        out = np.empty(shape[0], np.int8)
        _best_available(utility, available, noise, out)
        return out
    return np.where(available, utility + noise, -np.inf).argmax(axis=1).astype(np.int8)


@numba.njit(cache=True, nogil=True)
def _best_available(utility, available, noise, out):  # noqa: ANN001, ANN202
    for i in range(utility.shape[0]):
        best, best_j = -np.inf, 0
        for j in range(utility.shape[1]):
            v = utility[i, j] + noise[i, j] if available[i, j] else -np.inf
            if v != v:  # (numpy's argmax stops at the first NaN)
                best_j = j
                break
            if v > best or j == 0:
                best, best_j = v, j
        out[i] = best_j
