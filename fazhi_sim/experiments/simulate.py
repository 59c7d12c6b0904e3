"""``simulate``: one run of one scenario, as a tidy DataFrame."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..engine.region import Region
from ..engine.scenario import Scenario, load_scenario
from .spec import as_spec

__all__ = ["simulate", "as_scenario", "COUNTER_PREFIX"]

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

    Examples
    --------
    >>> df = simulate("plan-2025", region="town", seed=1)
    >>> df.query("metric == 'lawsuits_per_10k'").pivot(index="year", columns="region")
    ... # doctest: +SKIP
    """
    if freq not in ("year", "month"):
        raise ValueError(f"freq must be 'year' or 'month', not {freq!r}")
    sc = as_scenario(scenario)
    spec = as_spec(model)
    run = spec.build(sc, region=region, seed=seed).run()
    df = run.tally.frame(run.region, sc.start_year, run.warmup, monthly=freq == "month")
    if counters:
        if freq != "year":
            raise ValueError("counters=True needs freq='year'")
        extra = run.tally.counter_frame(run.region, sc.start_year, run.warmup)
        extra["metric"] = (COUNTER_PREFIX + extra.metric).astype("string")
        df = pd.concat([df, extra], ignore_index=True)
    df.attrs.update(scenario=sc.name, seed=seed, region=run.region.id, model=spec.label)
    return df
