"""``simulate``: one run of one scenario, as a tidy DataFrame."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..engine.model import DisputeModel
from ..engine.region import Region
from ..engine.scenario import Scenario, load_scenario

__all__ = ["simulate", "as_scenario"]


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

    Returns
    -------
    pandas.DataFrame
        Tidy: ``year`` (``month``), ``region`` (county ids, plus the region's id for the
        whole region when it has several counties), ``metric`` and ``value``. Metrics are
        listed in :data:`fazhi_sim.engine.metrics.METRICS`.

    Examples
    --------
    >>> df = simulate("plan-2025", region="town", seed=1)
    >>> df.query("metric == 'lawsuits_per_10k'").pivot(index="year", columns="region")
    ... # doctest: +SKIP
    """
    if freq not in ("year", "month"):
        raise ValueError(f"freq must be 'year' or 'month', not {freq!r}")
    sc = as_scenario(scenario)
    model = DisputeModel(sc, region=region, seed=seed).run()
    df = model.tally.frame(model.region, sc.start_year, model.warmup, monthly=freq == "month")
    df.attrs.update(scenario=sc.name, seed=seed, region=model.region.id)
    return df
