"""Gaussian-process emulators of design statistics, one per statistic.

The calibration needs the model's statistics at many thousands of parameter sets; a run
takes a fraction of a second, an emulator's prediction microseconds. Each emulator is a
Gaussian process (scikit-learn) on the prior-quantile scale of a few chosen parameters,
with a white-noise term that takes up what those parameters do not explain: the simulation
noise of one run and the effect of every other parameter drawn from its prior. Its
predictive variance therefore says how far one run may fall from the prediction, and the
likelihood widens by it, so an emulator that knows little cannot pin a parameter down.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

from ..experiments.priors import Priors

__all__ = ["Emulator", "fit_emulator", "screen_inputs", "to_scale", "from_scale", "SCALES"]

SCALES = ("logit", "log", "pct", "identity")

PCT_FLOOR = 0.01
"""Smallest plan-to-baseline ratio an effect is emulated at (a fall of 99%)."""

HYPER_POINTS = 250
"""Design points the kernel's hyperparameters are fitted on (all points make the fit)."""
_EPS = 1e-6


def to_scale(x: np.ndarray | float, scale: str) -> np.ndarray:
    """A statistic on its emulation scale (shares on logit, rates and ratios on log)."""
    x = np.asarray(x, dtype=float)
    if scale == "logit":
        p = np.clip(x, _EPS, 1 - _EPS)
        return np.log(p / (1 - p))
    if scale == "log":
        return np.log(np.maximum(x, _EPS))
    if scale == "pct":  # a % change as the log of the ratio: -100% .. +inf becomes symmetric
        # Floored at -99%: a small count can fall to zero in one run, and log(0) would let
        # that one run swamp the fit.
        return np.log(np.maximum(1 + x / 100, PCT_FLOOR))
    return x


def from_scale(z: np.ndarray | float, scale: str) -> np.ndarray:
    """Inverse of :func:`to_scale`."""
    z = np.asarray(z, dtype=float)
    if scale == "logit":
        return 1.0 / (1.0 + np.exp(-z))
    if scale == "log":
        return np.exp(z)
    if scale == "pct":
        return 100 * (np.exp(z) - 1)
    return z


def scale_of(values: pd.Series) -> str:
    """The emulation scale a statistic's design values suit (``effect_*``: ``pct``)."""
    if str(values.name).startswith("effect_"):
        return "pct"
    v = values.dropna().to_numpy()
    if len(v) and (v > 0).all() and (v < 1).all():
        return "logit"
    if len(v) and (v > 0).all():
        return "log"
    return "identity"


def screen_inputs(design: pd.DataFrame, priors: Priors, outputs: Sequence[str],
                  k: int) -> list[str]:
    """The ``k`` parameters that explain most of the outputs' spread over the design.

    A linear fit of each output (on its emulation scale, standardised) on the parameters'
    prior quantiles: with independent inputs a coefficient squared is the share of variance
    that parameter explains to first order. Parameters are ranked by their largest share
    over the outputs.

    Parameters
    ----------
    design
        Rows of :func:`~fazhi_sim.analysis.bayes_design.run_design`.
    priors
        The priors the design was drawn from.
    outputs
        Statistic columns to explain.
    k
        How many parameters to keep.

    Returns
    -------
    list of str
        Parameter names, most influential first.
    """
    u = quantiles(design, priors)
    uz = (u - u.mean(0)) / u.std(0)
    share = np.zeros(len(priors.names))
    for out in outputs:
        y = to_scale(design[out].to_numpy(), scale_of(design[out]))
        ok = np.isfinite(y)
        yz = (y[ok] - y[ok].mean()) / (y[ok].std() or 1.0)
        beta, *_ = np.linalg.lstsq(np.c_[np.ones(ok.sum()), uz[ok]], yz, rcond=None)
        share = np.maximum(share, beta[1:] ** 2)
    order = np.argsort(-share)[:k]
    return [priors.names[i] for i in order]


def quantiles(values: pd.DataFrame, priors: Priors) -> np.ndarray:
    """Each parameter's prior quantile (0–1), one column per prior parameter."""
    return priors.cdf(values[list(priors.names)].to_numpy(dtype=float))


@dataclass
class Emulator:
    """Emulators of several statistics on the same inputs.

    Attributes
    ----------
    inputs
        Parameter names the emulators read (prior-quantile scale).
    priors
        Priors of those inputs.
    scales
        Emulation scale per statistic.
    models
        A fitted ``GaussianProcessRegressor`` per statistic.
    """

    inputs: list[str]
    priors: Priors
    scales: dict[str, str]
    models: dict[str, GaussianProcessRegressor]

    def predict(self, u: np.ndarray, out: str) -> tuple[np.ndarray, np.ndarray]:
        """Mean and sd of one run's statistic ``out`` on its emulation scale, at quantiles ``u``.

        Parameters
        ----------
        u
            Shape (n, len(inputs)): prior quantiles of the inputs.
        out
            A statistic the emulator was fitted to.

        Returns
        -------
        tuple of numpy.ndarray
            Mean and standard deviation, each of shape (n,).
        """
        m, s = self.models[out].predict(np.atleast_2d(u), return_std=True)
        return m, s

    def mean(self, u: np.ndarray, out: str) -> np.ndarray:
        """The predictive mean alone (no triangular solve: fast enough for MCMC)."""
        return self.models[out].predict(np.atleast_2d(u))

    def spread(self, out: str, n: int = 200, seed: int = 0) -> float:
        """One run's predictive sd, averaged over the prior (cached per statistic).

        The likelihood uses this constant instead of the sd at each point: the white-noise
        part (noise and the other parameters) dominates it, and the part from the emulator's
        own uncertainty varies little across a dense design.
        """
        cache = self.__dict__.setdefault("_spread", {})
        if out not in cache:
            u = np.random.default_rng(seed).random((n, len(self.inputs)))
            cache[out] = float(np.sqrt(np.mean(self.predict(u, out)[1] ** 2)))
        return cache[out]

    def residual_sd(self, out: str) -> float:
        """Sd of what the inputs do not explain (noise and every other parameter)."""
        kern = self.models[out].kernel_
        return float(np.sqrt(kern.k2.noise_level) * self.models[out]._y_train_std)


def _optimizer(obj_func: Any, initial_theta: np.ndarray, bounds: np.ndarray
               ) -> tuple[np.ndarray, float]:
    # scikit-learn's default runs L-BFGS to 15,000 iterations; a hundred settle the length
    # scales to within what the noise lets one tell apart.
    res = minimize(obj_func, initial_theta, method="L-BFGS-B", jac=True, bounds=bounds,
                   options={"maxiter": 100})
    return res.x, float(res.fun)


def _gp(k: int, seed: int) -> GaussianProcessRegressor:
    kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(k, 0.5), (0.05, 50.0))
              + WhiteKernel(0.1, (1e-2, 10.0)))
    return GaussianProcessRegressor(kernel, normalize_y=True, optimizer=_optimizer,
                                    random_state=seed)


def fit_emulator(design: pd.DataFrame, priors: Priors, inputs: Sequence[str],
                 outputs: Sequence[str], seed: int = 0) -> Emulator:
    """Fit one Gaussian process per output on the design's rows.

    Parameters
    ----------
    design
        Rows of :func:`~fazhi_sim.analysis.bayes_design.run_design`.
    priors
        The priors the design was drawn from.
    inputs
        The parameters the emulators read (:func:`screen_inputs`).
    outputs
        Statistics to emulate.
    seed
        Seeds the optimiser's restarts.

    Returns
    -------
    Emulator
    """
    sub = priors.subset(list(inputs))
    u = quantiles(design, sub)
    models, scales = {}, {}
    for out in outputs:
        scales[out] = scale_of(design[out])
        y = to_scale(design[out].to_numpy(), scales[out])
        ok = np.isfinite(y)
        models[out] = _fit_one(u[ok], y[ok], len(inputs), seed)
    return Emulator(list(inputs), sub, scales, models)


def _fit_one(u: np.ndarray, y: np.ndarray, k: int, seed: int) -> GaussianProcessRegressor:
    # Hyperparameters from a subsample (the gradient costs n^2 per length scale and step),
    # then one exact fit on every point with them held.
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(y), size=min(len(y), HYPER_POINTS), replace=False)
    with warnings.catch_warnings():
        # A length scale at its bound means the output barely depends on that input.
        warnings.simplefilter("ignore", ConvergenceWarning)
        kernel = _gp(k, seed).fit(u[pick], y[pick]).kernel_
    return GaussianProcessRegressor(kernel, normalize_y=True, optimizer=None).fit(u, y)
