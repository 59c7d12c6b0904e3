"""What drives the uncertainty of the headline effects, and what measurement would narrow it.

Over the posterior, each headline effect (the plan against the baseline in 2025) varies
because the parameters do and because one run is one draw of chance. The emulator gives the
effect's expected value at each posterior draw; the first-order index of a parameter (the
share of that variance explained by the parameter alone, estimated from the draws with
SALib's given-data method, which allows the correlated inputs a posterior has) is also the
variance that knowing the parameter exactly would remove. The ranking "to narrow this,
measure X" follows from it.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import delta

from .bayes_design import EFFECTS
from .emulator import Emulator

__all__ = ["effect_sources", "narrowing", "band_split", "shipped_sources", "SOURCES_FILE",
           "EFFECT_OF_METRIC"]


def effect_sources(emulator: Emulator, draws: pd.DataFrame,
                   effects: Sequence[str] = tuple(EFFECTS), seed: int = 0) -> pd.DataFrame:
    """Variance of each headline effect over the posterior, split by source.

    Parameters
    ----------
    emulator
        Fitted to the design (it must emulate ``effects``).
    draws
        Posterior draws (every input of the emulator a column).
    effects
        Effect statistics (:data:`~fazhi_sim.analysis.bayes_design.EFFECTS`).
    seed
        Seeds SALib's resampling.

    Returns
    -------
    pandas.DataFrame
        One row per effect and source: ``effect``, ``source`` (a parameter name, or
        ``"other"`` for interactions and unlisted parameters together with one run's noise),
        ``variance`` (of the log of the plan-to-baseline ratio, on the emulated
        50,000-resident town) and ``share`` (of the effect's total variance).
    """
    u = emulator.priors.cdf(draws[emulator.inputs].to_numpy(dtype=float))
    problem = {"num_vars": len(emulator.inputs), "names": emulator.inputs,
               "bounds": [[0.0, 1.0]] * len(emulator.inputs)}
    rows = []
    for eff in effects:
        mean, sd = emulator.predict(u, eff)
        resid = float(np.mean(sd ** 2))
        total = float(np.var(mean)) + resid
        # SALib prints and warns its binning notes; the shares are reported as estimates.
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s1 = delta.analyze(problem, u, mean, num_resamples=10, seed=seed,
                               print_to_console=False)["S1"]
        explained = np.clip(np.asarray(s1, float), 0.0, None) * float(np.var(mean))
        for name, v in zip(emulator.inputs, explained, strict=True):
            rows.append((eff, name, v, v / total))
        rows.append((eff, "other", total - explained.sum(), 1 - explained.sum() / total))
    return pd.DataFrame(rows, columns=["effect", "source", "variance", "share"])


def narrowing(sources: pd.DataFrame, effect: str, top: int = 5) -> pd.DataFrame:
    """The parameters whose measurement would narrow ``effect``'s band most, best first.

    Parameters
    ----------
    sources
        :func:`effect_sources`.
    effect
        One effect.
    top
        How many to list.

    Returns
    -------
    pandas.DataFrame
        ``source``, ``share`` (of variance removed if it were known) and ``sd_cut`` (the
        fraction by which the band's width would shrink: 1 - sqrt(1 - share)).
    """
    s = sources[(sources.effect == effect) & (sources.source != "other")]
    s = s.sort_values("share", ascending=False).head(top)
    return s.assign(sd_cut=1 - np.sqrt(1 - s.share.clip(0, 1)))[["source", "share", "sd_cut"]]


SOURCES_FILE = "data/posterior_sources.csv"
"""What drives each headline effect, as the shipped calibration found it."""

EFFECT_OF_METRIC = {"lawsuits_per_10k": "effect_lawsuits_per_10k",
                    "filings_per_10k": "effect_filings_per_10k",
                    "petitions": "effect_petitions"}
"""The design's effect statistic for each ensemble metric."""


def shipped_sources() -> pd.DataFrame:
    """The shipped ``posterior_sources.csv`` (:func:`effect_sources` of the calibration)."""
    with resources.files("fazhi_sim").joinpath(SOURCES_FILE).open("rb") as f:
        return pd.read_csv(f)


def _change_var(ens: Any, metric: str, year: int, region: str) -> pd.Series:
    d = ens.differences()
    d = d[(d.metric == metric) & (d.year == year) & (d.region == region)
          & (d.scenario != ens.baseline_name)]
    return d.groupby("scenario", observed=True)["pct"].agg(["var", lambda x: x.quantile(0.9)
                                                           - x.quantile(0.1)])


def band_split(posterior: Any, noise: Any, year: int, region: str,
               metrics: Sequence[str] = tuple(EFFECT_OF_METRIC)) -> pd.DataFrame:
    """How much of each change's band comes from parameters and how much from noise.

    Parameters
    ----------
    posterior, noise
        Ensembles of the same scenarios with ``uncertainty="posterior"`` and ``"noise"``.
    year, region
        Which change.
    metrics
        Ensemble metrics.

    Returns
    -------
    pandas.DataFrame
        Per scenario and metric: ``width`` and ``noise_width`` (10–90% band of the paired
        change, % of the baseline), ``noise_share`` (variance of the noise-only change over
        that of the full one, at most 1) and ``parameter_share`` (the rest).
    """
    rows = []
    for m in metrics:
        full, only = _change_var(posterior, m, year, region), _change_var(noise, m, year, region)
        for sc in full.index:
            v, w = full.loc[sc].iloc[0], full.loc[sc].iloc[1]
            nv, nw = only.loc[sc].iloc[0], only.loc[sc].iloc[1]
            share = float(min(1.0, nv / v)) if v > 0 else 1.0
            rows.append((sc, m, w, nw, share, 1 - share))
    return pd.DataFrame(rows, columns=["scenario", "metric", "width", "noise_width",
                                       "noise_share", "parameter_share"])
