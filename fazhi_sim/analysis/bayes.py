"""Bayesian calibration: a posterior over the mechanism parameters, from levels and responses.

Method (docs/calibration.md says why): the model is run at a Latin-hypercube design over
the priors (:mod:`~fazhi_sim.analysis.bayes_design`); a Gaussian-process emulator per
statistic (:mod:`~fazhi_sim.analysis.emulator`) stands in for the model; emcee samples the
posterior of the most influential parameters under a Gaussian likelihood whose variance is
the target's own sd plus the emulator's predictive variance (which holds the simulation noise
and the effect of every parameter left out). Every parameter outside the calibrated set keeps
its prior. The result is a table of posterior draws, each a full set of prior parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import emcee
import numpy as np
import pandas as pd

from ..experiments.priors import Priors
from .bayes_design import EFFECTS, RESPONSES
from .emulator import Emulator, fit_emulator, screen_inputs, to_scale
from .fit_targets import load_targets

__all__ = ["RESPONSE_TARGETS_FILE", "load_all_targets", "Posterior", "sample_posterior",
           "log_likelihood", "calibrate_bayes"]

RESPONSE_TARGETS_FILE = "data/response_targets.csv"
"""Responses over time the calibration fits (and one it holds back)."""


def load_all_targets(levels: str | None = None, responses: str | None = None) -> pd.DataFrame:
    """Level targets and response targets in one table (the shipped files if None).

    Parameters
    ----------
    levels
        A level targets CSV (:func:`~fazhi_sim.analysis.fit_targets.load_targets`).
    responses
        A response targets CSV (same columns; ``model_metric`` one of the responses).

    Returns
    -------
    pandas.DataFrame
        Every row of both, with a ``kind`` column (``level`` or ``response``).
    """
    lv = load_targets(levels).assign(kind="level")
    rs = load_targets(responses, metrics=RESPONSES, shipped=RESPONSE_TARGETS_FILE)
    return pd.concat([lv, rs.assign(kind="response")], ignore_index=True)


def log_likelihood(u: np.ndarray, emulator: Emulator, targets: pd.DataFrame) -> np.ndarray:
    """Gaussian log likelihood of the fit targets at prior quantiles ``u`` (shape (n, k)).

    Each target is compared on its statistic's emulation scale; its sd there is the
    reported sd carried through the scale's slope (delta method), and one run's predictive
    variance (:meth:`~fazhi_sim.analysis.emulator.Emulator.spread`) is added.
    """
    total = np.zeros(len(u))
    for _i, t in targets.iterrows():
        scale = emulator.scales[t.model_metric]
        m = emulator.mean(u, t.model_metric)
        y = float(to_scale(t.value, scale))
        sd = float(abs(to_scale(t.value + t.sd / 2, scale) - to_scale(t.value - t.sd / 2, scale)))
        var = sd ** 2 + emulator.spread(t.model_metric) ** 2
        total += -0.5 * (y - m) ** 2 / var - 0.5 * np.log(2 * np.pi * var)
    return total


@dataclass
class Posterior:
    """What the calibration found.

    Attributes
    ----------
    draws
        One row per draw: every prior parameter (calibrated ones from the posterior, the
        rest from their priors).
    calibrated
        The parameters the data informed (sampled by MCMC).
    summary
        Per parameter: prior and posterior quantiles, shrinkage, effective sample size.
    info
        Run facts: walkers, steps, acceptance, autocorrelation time, design size.
    """

    draws: pd.DataFrame
    calibrated: list[str]
    summary: pd.DataFrame
    info: dict = field(default_factory=dict)


def sample_posterior(emulator: Emulator, targets: pd.DataFrame, walkers: int = 32,
                     steps: int = 3000, seed: int = 0, progress: bool = False
                     ) -> tuple[np.ndarray, dict]:
    """Sample the calibrated parameters' posterior (prior-quantile scale) with emcee.

    Parameters
    ----------
    emulator
        Stands in for the model.
    targets
        The rows to fit (``use == "fit"``).
    walkers, steps
        emcee's ensemble size and chain length; the first half is discarded as burn-in.
    seed
        Seeds the start and the sampler.
    progress
        Show emcee's progress bar.

    Returns
    -------
    samples : numpy.ndarray
        Shape (n, k): thinned draws after burn-in, on the prior-quantile scale.
    info : dict
        ``acceptance``, ``tau`` (autocorrelation time per parameter, in steps) and ``ess``.
    """
    k = len(emulator.inputs)
    rng = np.random.default_rng(seed)

    def logp(u: np.ndarray) -> np.ndarray:
        inside = np.all((u > 0) & (u < 1), axis=1)
        out = np.full(len(u), -np.inf)
        if inside.any():  # the prior is uniform on the quantile scale
            out[inside] = log_likelihood(u[inside], emulator, targets)
        return out

    sampler = emcee.EnsembleSampler(walkers, k, logp, vectorize=True)
    # emcee draws from its own RandomState; seeding it makes the chain reproducible.
    sampler.random_state = np.random.RandomState(int(rng.integers(2**31))).get_state()
    sampler.run_mcmc(rng.uniform(0.05, 0.95, (walkers, k)), steps, progress=progress)
    burn = steps // 2
    tau = sampler.get_autocorr_time(discard=burn, tol=0)
    thin = max(1, int(np.ceil(np.nanmax(tau) / 2)))
    samples = sampler.get_chain(discard=burn, thin=thin, flat=True)
    ess = walkers * (steps - burn) / tau
    return samples, {"acceptance": float(np.mean(sampler.acceptance_fraction)),
                     "tau": tau.tolist(), "ess": ess.tolist(), "walkers": walkers,
                     "steps": steps, "burn": burn, "thin": thin}


def _summary(priors: Priors, calibrated: Sequence[str], draws: pd.DataFrame,
             ess: dict[str, float]) -> pd.DataFrame:
    rows = []
    prior_q = priors.ppf(np.tile([[0.05], [0.5], [0.95]], len(priors.names)))
    for j, name in enumerate(priors.names):
        post = draws[name].quantile([0.05, 0.5, 0.95]).to_numpy()
        width_prior = prior_q[2, j] - prior_q[0, j]
        rows.append({
            "param": name, "calibrated": name in calibrated,
            "prior_5": prior_q[0, j], "prior_50": prior_q[1, j], "prior_95": prior_q[2, j],
            "post_5": post[0], "post_50": post[1], "post_95": post[2],
            "shrinkage": 1 - (post[2] - post[0]) / width_prior if width_prior > 0 else 0.0,
            "ess": ess.get(name, np.nan)})
    return pd.DataFrame(rows)


def calibrate_bayes(design: pd.DataFrame, priors: Priors, targets: pd.DataFrame,
                    inputs: int | Sequence[str] = 10, draws: int = 300, walkers: int = 32,
                    steps: int = 3000, seed: int = 0, progress: bool = False
                    ) -> tuple[Posterior, Emulator]:
    """Posterior draws from a design and targets.

    Parameters
    ----------
    design
        Rows of :func:`~fazhi_sim.analysis.bayes_design.run_design`.
    priors
        The priors the design was drawn from.
    targets
        :func:`load_all_targets`; the ``use == "fit"`` rows are fitted.
    inputs
        The parameters to calibrate, or how many to choose by screening the fit targets and
        the headline effects (:func:`~fazhi_sim.analysis.emulator.screen_inputs`).
    draws
        Posterior draws to return.
    walkers, steps, seed, progress
        As :func:`sample_posterior`; ``seed`` also seeds the draws of uncalibrated priors.

    Returns
    -------
    tuple
        The :class:`Posterior` and the fitted :class:`~fazhi_sim.analysis.emulator.Emulator`
        (which also emulates every holdout statistic and headline effect).
    """
    fit = targets[targets.use == "fit"]
    wanted = sorted(set(targets.model_metric) | set(EFFECTS))
    if isinstance(inputs, int):
        inputs = screen_inputs(design, priors, [*fit.model_metric.unique(), *EFFECTS], inputs)
    emulator = fit_emulator(design, priors, list(inputs), wanted, seed=seed)
    samples, info = sample_posterior(emulator, fit, walkers, steps, seed, progress)
    rng = np.random.default_rng(seed + 1)
    pick = samples[rng.choice(len(samples), size=draws, replace=len(samples) < draws)]
    table = priors.sample(draws, rng)
    table[list(inputs)] = emulator.priors.ppf(pick)
    table.index.name = "draw"
    ess = dict(zip(inputs, info["ess"], strict=True))
    info.update(design_points=len(design), inputs=list(inputs))
    post = Posterior(table, list(inputs), _summary(priors, list(inputs), table, ess), info)
    return post, emulator
