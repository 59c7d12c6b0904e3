"""Global sensitivity analysis (Morris screening, Sobol indices) of the plan's outcomes.

Factors are levers (over their full allowed range unless a range is given) and/or mechanism
parameters (:class:`~fazhi_sim.Params` fields; by default their value ±50%, kept inside
the field's allowed range). Each sample is one scenario: every lever not sampled stays at its
2020 level, and a sampled lever holds its sampled level from the scenario's first year (a step
change). Samples run through :func:`~fazhi_sim.run_ensemble`, so any executor works
(local processes, Dask) and replicate ``k`` of every sample uses the same seed (common random
numbers keep the noise out of the differences between samples). Outcomes are averaged over
replicates before the analysis.

Example::

    rank = sensitivity(["pre_filing_mediation_share", "online_court"], method="morris",
                       region="town", trajectories=10)

    from fazhi_sim.views.analysis_charts import tornado
    tornado(rank, "lawsuits_per_10k")   # the ranking as a chart
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from ..engine.measures import LEVERS
from ..engine.params import Params
from ..engine.region import Region, get_region
from ..engine.scenario import Scenario, baseline, scenario_from_dict
from ..experiments.ensemble import run_ensemble
from ..experiments.spec import as_spec

__all__ = ["sensitivity", "factor_ranges", "METHODS", "DEFAULT_METRICS"]

METHODS = ("morris", "sobol")
DEFAULT_METRICS = ("lawsuits_per_10k", "petitions")
PARAM_SPREAD = 0.5
"""Default range of a mechanism parameter: its value times 1 ± this (inside its bounds)."""

def _param_bounds(name: str) -> tuple[float, float]:
    field = Params.model_fields[name]
    lo = next(m.ge for m in field.metadata if hasattr(m, "ge"))
    hi = next(m.le for m in field.metadata if hasattr(m, "le"))
    return float(lo), float(hi)


def factor_ranges(factors: Sequence[str] | Mapping[str, tuple[float, float]] | None = None,
                  params: Params | None = None) -> dict[str, tuple[str, float, float]]:
    """Kind and range of each factor.

    Parameters
    ----------
    factors
        Lever ids and/or Params field names, or a dict of name -> (low, high). None: every
        lever over its full range.
    params
        Parameters whose values centre the default parameter ranges (default: ``Params()``).

    Returns
    -------
    dict
        Name -> (kind, low, high), kind ``"lever"`` or ``"param"``.

    Raises
    ------
    ValueError
        For an unknown name, or a range outside what the lever or parameter allows.
    """
    p = params or Params()
    if factors is None:
        factors = list(LEVERS)
    given = dict(factors) if isinstance(factors, Mapping) else dict.fromkeys(factors)
    if len(given) < 2:
        raise ValueError("give at least two factors")
    out = {}
    for name, rng in given.items():
        if name in LEVERS:
            kind, allowed = "lever", (LEVERS[name].minimum, LEVERS[name].maximum)
            default = allowed
        elif name in Params.model_fields:
            kind, allowed = "param", _param_bounds(name)
            v = float(getattr(p, name))
            spread = PARAM_SPREAD * abs(v) if v != 0 else PARAM_SPREAD
            default = (max(allowed[0], v - spread), min(allowed[1], v + spread))
        else:
            raise ValueError(f"{name}: unknown factor; allowed: a lever ({', '.join(LEVERS)}) "
                             "or a Params field")
        lo, hi = (float(x) for x in (rng if rng is not None else default))
        if not (allowed[0] <= lo < hi <= allowed[1]):
            raise ValueError(f"{name}: range {lo:g} to {hi:g} is not allowed; give low < high "
                             f"within {allowed[0]:g} to {allowed[1]:g}")
        out[name] = (kind, lo, hi)
    return out


def _scenario(base: Scenario, ranges: dict[str, tuple[str, float, float]], row: np.ndarray,
              name: str) -> Scenario:
    levers = {f: float(x) for (f, (k, _, _)), x in zip(ranges.items(), row, strict=True)
              if k == "lever"}
    params = {f: float(x) for (f, (k, _, _)), x in zip(ranges.items(), row, strict=True)
              if k == "param"}
    sc = base.with_levers(**levers)
    data = sc.model_dump(mode="json")
    data["name"] = name
    if params:
        data["params"] = {**data["params"], **params}
    return scenario_from_dict(data, f"<sample {name}>")


def sensitivity(
    factors: Sequence[str] | Mapping[str, tuple[float, float]] | None = None,
    method: str = "morris",
    region: str | Region = "town",
    metrics: Sequence[str] = DEFAULT_METRICS,
    year: int = 2025,
    trajectories: int = 10,
    levels: int = 4,
    samples: int = 64,
    replicates: int = 1,
    base: Scenario | None = None,
    executor: Executor | None = None,
    jobs: int | None = None,
    progress: bool = True,
    seed: int = 0,
    model: Any = None,
) -> pd.DataFrame:
    """Rank factors by their influence on outcomes in ``year``.

    Parameters
    ----------
    factors
        Lever ids and/or Params field names, or a dict of name -> (low, high); see
        :func:`factor_ranges`. None: every lever over its full range.
    method
        ``"morris"`` (elementary effects; ``trajectories`` × (factors + 1) samples) or
        ``"sobol"`` (Saltelli sampling, first and total order; ``samples`` × (factors + 2)
        samples, ``samples`` a power of two).
    region
        Region the model runs on (``"town"`` is fast).
    metrics
        Outcomes analysed, in the whole region in ``year``.
    year
        Year of the outcomes; the samples run from 2021 (or ``base.start_year``) to it.
    trajectories, levels
        Morris trajectories and grid levels.
    samples
        Sobol base samples.
    replicates
        Runs per sample (seeds ``seed`` to ``seed + replicates - 1``, the same for every
        sample); outcomes are averaged over them.
    base
        Scenario the samples start from (default: the baseline); its other levers and
        parameters are kept.
    executor, jobs, progress, seed
        As in :func:`~fazhi_sim.run_ensemble`.
    model
        The model every sample runs: anything :func:`~fazhi_sim.experiments.spec.as_spec`
        accepts (a ``ModelSpec``, a ``DisputeModel`` or ``Behaviour`` subclass,
        ``"package.module:Name"``); default the shipped model.

    Returns
    -------
    pandas.DataFrame
        Tidy ranking, one row per metric and factor, most influential first within each
        metric: metric, rank, factor, kind, low, high, then for Morris mu_star,
        mu_star_conf (95%), sigma, mu, and for Sobol ST, ST_conf, S1, S1_conf (95%).
        ``attrs`` holds method, region, year, n_samples and trajectories/samples.

    Raises
    ------
    ValueError
        For an unknown method, factor or metric, a factor range outside its allowed range,
        a year before the scenario starts, or too few trajectories or samples.
    """
    if method not in METHODS:
        raise ValueError(f"method {method!r} is not allowed; allowed: {', '.join(METHODS)}")
    reg = get_region(region)
    sc0 = base if base is not None else baseline()
    if not sc0.start_year <= year:
        raise ValueError(f"year {year} is before the scenario's start_year {sc0.start_year}")
    sc0 = sc0.model_copy(update={"end_year": year})
    ranges = factor_ranges(factors, sc0.params)
    names = list(ranges)
    problem = {"num_vars": len(names), "names": names,
               "bounds": [[lo, hi] for _, lo, hi in ranges.values()]}
    x = _sample(problem, method, trajectories, levels, samples, seed)
    # Identical rows (Morris repeats grid points) are run once.
    uniq, inverse = np.unique(x, axis=0, return_inverse=True)
    scen = {f"s{i}": _scenario(sc0, ranges, row, f"s{i}") for i, row in enumerate(uniq)}
    # The sweep sets the parameters itself: posterior draws of the others would blur the
    # indices with variation the method does not attribute.
    ens = run_ensemble(scen, replicates=replicates, region=reg, executor=executor,
                       progress=progress, seed=seed, jobs=jobs, model=as_spec(model),
                       uncertainty="noise")
    runs = ens.runs[(ens.runs.year == year) & (ens.runs.region == reg.id)]
    means = (runs[runs.metric.isin(list(metrics))].astype({"scenario": str})
             .groupby(["scenario", "metric"]).value.mean().unstack())
    missing = set(metrics) - set(means.columns)
    if missing:
        raise ValueError(f"unknown metrics: {', '.join(sorted(missing))}")
    frames = []
    for metric in metrics:
        y = means.loc[[f"s{i}" for i in range(len(uniq))], metric].to_numpy()[
            inverse.ravel()]
        df = _indices(problem, method, x, y, levels, seed)
        key = "mu_star" if method == "morris" else "ST"
        df.insert(0, "factor", names)
        df.insert(1, "kind", [ranges[n][0] for n in names])
        df.insert(2, "low", [ranges[n][1] for n in names])
        df.insert(3, "high", [ranges[n][2] for n in names])
        df = df.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)
        df.insert(0, "rank", np.arange(1, len(df) + 1))
        df.insert(0, "metric", metric)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out.attrs.update(method=method, region=reg.id, year=year, n_samples=len(x),
                     n_runs=len(uniq) * replicates, replicates=replicates,
                     size=trajectories if method == "morris" else samples)
    return out


def _sample(problem: dict[str, Any], method: str, trajectories: int, levels: int,
            samples: int, seed: int) -> np.ndarray:
    # SALib is imported here, not at the top: only this analysis needs it.
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if method == "morris":
        if trajectories < 2:
            raise ValueError("trajectories must be at least 2")
        return morris_sample.sample(problem, N=trajectories, num_levels=levels, seed=seed)
    if samples < 2 or samples & (samples - 1):
        raise ValueError(f"samples must be a power of two (2 or more), not {samples}")
    return sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)


def _indices(problem: dict[str, Any], method: str, x: np.ndarray, y: np.ndarray,
             levels: int, seed: int) -> pd.DataFrame:
    # One row per factor, in the problem's order: Morris or Sobol indices with 95% bounds.
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    if method == "morris":
        res = morris_analyze.analyze(problem, x, y, num_levels=levels, seed=seed)
        return pd.DataFrame({"mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"],
                             "sigma": res["sigma"], "mu": res["mu"]})
    res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    return pd.DataFrame({"ST": res["ST"], "ST_conf": res["ST_conf"], "S1": res["S1"],
                         "S1_conf": res["S1_conf"]})
