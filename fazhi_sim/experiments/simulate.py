"""``simulate``: one run of one scenario, as a tidy DataFrame."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..engine.params import Params
from ..engine.region import Region
from ..engine.scenario import Scenario, load_scenario
from .spec import as_spec

__all__ = ["simulate", "simulate_batch", "as_scenario", "COUNTER_PREFIX"]

COUNTER_PREFIX = "count:"
"""Metric prefix of the raw yearly counter rows ``simulate(counters=True)`` appends."""


def as_scenario(scenario: Scenario | str | Path | None) -> Scenario:
    """A Scenario from a Scenario, a file path or a shipped name (``"plan-2025"``)."""
    if scenario is None:
        return Scenario(name="baseline")
    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(scenario)


def simulate(
    scenario: Scenario | str | Path | None = None,
    region: str | Region | None = None,
    seed: int = 0,
    freq: str = "year",
    model: Any = None,
    counters: bool = False,
) -> pd.DataFrame:
    """Run one scenario once and return its results.

    Parameters
    ----------
    scenario
        A :class:`Scenario`, a scenario file, or a shipped scenario's name; baseline if None.
    region
        Region name (``"shaoxing"``, ``"zhuji"`` or ``"诸暨"``, ``"town"``, ...); defaults to
        the scenario's region, else ``"town"``.
    seed
        Run seed. The same seed gives the same result.
    freq
        ``"year"`` (default) or ``"month"`` for monthly detail (adds a ``month`` column).
    model
        The model to run: a :class:`~fazhi_sim.ModelSpec`, a
        :class:`~fazhi_sim.DisputeModel` or :class:`~fazhi_sim.Behaviour` subclass, or
        ``"package.module:Name"``; the shipped model if None.
    counters
        Also append the yearly sums of the raw counters behind the pathway decomposition
        (:data:`~fazhi_sim.engine.metrics.FLOW_COUNTERS`), as rows whose metric is
        ``"count:<counter>"``; yearly results only. They are no metrics: ensembles keep them
        apart (:attr:`Ensemble.counters`).

    Returns
    -------
    pandas.DataFrame
        Tidy: ``year`` (``month``), ``region`` (county ids, plus the region's id for the
        whole region when it has several counties), ``metric`` and ``value``. Metrics are
        listed in :data:`fazhi_sim.engine.metrics.METRICS`. ``df.attrs`` names the
        scenario, seed, region and model (:attr:`ModelSpec.label <fazhi_sim.ModelSpec.label>`).

    Raises
    ------
    ValueError
        If ``freq`` is not ``"year"`` or ``"month"``, or ``counters`` is asked for monthly.
    ScenarioError
        If ``scenario`` names a file or shipped scenario that is missing or invalid.

    Examples
    --------
    One year of the plan on the 50,000-resident town (the full horizon is 2021-2025):

    >>> import fazhi_sim as fs
    >>> plan = fs.load_scenario("plan-2025").model_copy(update={"end_year": 2021})
    >>> df = fs.simulate(plan, region="town", seed=1)
    >>> df.columns.tolist()
    ['year', 'region', 'metric', 'value']
    >>> df.attrs["scenario"], df.attrs["seed"], df.attrs["region"]
    ('plan-2025', 1, 'town')
    >>> rate = df.set_index("metric").at["lawsuits_per_10k", "value"]
    >>> bool(0 < rate < 1000)    # 万人成讼率 of 2021, lawsuits per 10,000 residents
    True
    >>> df.equals(fs.simulate(plan, region="town", seed=1))    # same seed, same result
    True
    """
    return simulate_batch(scenario, region, (seed,), freq, model, counters)[0]


def simulate_batch(
    scenario: Scenario | str | Path | None = None,
    region: str | Region | None = None,
    seeds: Sequence[int] = (0,),
    freq: str = "year",
    model: Any = None,
    counters: bool = False,
    params: Sequence[Params] | None = None,
) -> list[pd.DataFrame]:
    """Run one scenario once per seed, all seeds in one batched pass.

    The replicates are simulated side by side as copies of the region, so the model's fixed
    cost per month is paid once for the batch; each replicate's result is bit for bit what
    :func:`simulate` gives for its seed. Batching pays for small regions (a town, a county
    run many times); a city is big enough to run alone.

    Parameters
    ----------
    seeds
        One seed per replicate.
    scenario, region, freq, model, counters
        As for :func:`simulate`. A model subclass must say it supports batches (class
        attribute ``batchable = True``) to be given more than one seed.
    params
        One :class:`~fazhi_sim.Params` per seed, each replicate's in place of the
        scenario's (posterior draws: :func:`~fazhi_sim.experiments.posterior.with_draw`);
        replicate ``k`` is then bit for bit :func:`simulate` of the scenario with
        ``params[k]``. Whole-number fields and ``literacy_per_village`` must agree.

    Returns
    -------
    list of pandas.DataFrame
        One tidy result per seed, in the order given, as :func:`simulate` returns.

    Raises
    ------
    ValueError
        If ``freq`` is not ``"year"`` or ``"month"``, ``counters`` is asked for monthly, or
        several seeds are given to a model that is not ``batchable``.

    Examples
    --------
    >>> import fazhi_sim as fs
    >>> short = fs.baseline(end_year=2021)
    >>> a, b = fs.simulate_batch(short, region="town", seeds=[1, 2])
    >>> a.equals(fs.simulate(short, region="town", seed=1))    # bit for bit
    True
    >>> a.equals(b)
    False
    """
    if freq not in ("year", "month"):
        raise ValueError(f"freq must be 'year' or 'month', not {freq!r}")
    if counters and freq != "year":
        raise ValueError("counters=True needs freq='year'")
    sc = as_scenario(scenario)
    spec = as_spec(model)
    seeds = [int(s) for s in seeds]
    if len(seeds) > 1 and not spec.batchable:
        raise ValueError(f"{spec.label} does not say it runs in batches (batchable = True); "
                         "run its seeds one at a time")
    extra = {} if params is None else {"replicate_params": list(params)}
    run = spec.build(sc, region=region, seed=seeds if len(seeds) > 1 else seeds[0], **extra)
    run.collect_reporters = False  # the results come from the tally
    run.run()
    region = run.base_region
    # Every replicate's results at once, the counters' rows after the metrics': the same
    # frames as each replicate's tally gives.
    frames = run.tally.frames(len(seeds), region, sc.start_year, run.warmup,
                              monthly=freq == "month",
                              counters=COUNTER_PREFIX if counters else None)
    out = []
    for seed, df in zip(seeds, frames, strict=True):
        df.attrs.update(scenario=sc.name, seed=seed, region=region.id, model=spec.label)
        out.append(df)
    return out
