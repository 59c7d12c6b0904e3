"""The logistic function and its inverse, shared by behaviour and institutions."""

from __future__ import annotations

import numpy as np

__all__ = ["logistic", "logit"]


def logistic(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: float) -> float:
    """Log-odds of a probability, kept finite at 0 and 1."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1 - p)))
