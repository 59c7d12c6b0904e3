"""What the levers cost: yuan and staff a year above the 2020 baseline, and cost-effectiveness.

Unit costs live in ``data/unit_costs.csv``, one row per lever: the yearly cost (yuan) and staff
(full-time equivalents) of one unit of the lever above its 2020 level, at the scale of a
``basis`` — per resident, per 10,000 residents, per village or per town of the region. Each row
is marked ``sourced`` (with its citation) or ``assumed`` (with the reasoning behind the number);
at present every row is assumed, so costs are orders of magnitude to compare levers with, not
budget figures.

The cost of a scenario in a year is, summed over levers, the lever's mean level over the
twelve months of that year minus its 2020 level, times the unit cost, times the region's size
on the row's basis. Levers set below their 2020 level give a negative cost (a saving).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from ..engine.measures import LEVERS
from ..engine.region import Region, get_region
from ..engine.scenario import Scenario
from ..experiments.simulate import as_scenario
from ..experiments.spec import as_spec

__all__ = ["UnitCost", "BASES", "unit_costs", "annual_cost", "lever_costs",
           "cost_effectiveness", "AVOIDED_METRICS"]

BASES = ("resident", "10k_residents", "village", "town")
"""Scales a unit cost may be given at."""

STATUSES = ("sourced", "assumed")

AVOIDED_METRICS = {"lawsuits": "lawsuit", "petitions": "petition"}
"""Yearly counts whose fall (against the baseline) is costed: metric -> what one of them is."""


@dataclass(frozen=True)
class UnitCost:
    """The yearly cost of one unit of a lever above its 2020 level.

    Parameters
    ----------
    lever : str
        Lever id (see :data:`fazhi_sim.engine.measures.LEVERS`).
    basis : str
        Scale of the cost: one of :data:`BASES`.
    yuan_per_unit, staff_per_unit : float
        Yuan a year and full-time staff per unit of the lever, per basis item.
    status : str
        ``"sourced"`` or ``"assumed"``.
    source : str
        The citation (sourced) or the reasoning (assumed).
    """

    lever: str
    basis: str
    yuan_per_unit: float
    staff_per_unit: float
    status: str
    source: str

    def scale(self, region: Region) -> float:
        """Basis items in ``region`` (residents, 10,000s of residents, villages or towns).

        Parameters
        ----------
        region : Region
            The region costed.

        Returns
        -------
        float
            How many basis items it has, e.g. 5.0 ten-thousands of residents for the town.
        """
        return {
            "resident": float(region.population),
            "10k_residents": region.population / 10_000,
            "village": float(region.n_villages),
            "town": float(region.n_towns),
        }[self.basis]


def _parse(rows: Sequence[Mapping[str, str]], source: str) -> dict[str, UnitCost]:
    out: dict[str, UnitCost] = {}
    for i, row in enumerate(rows, start=2):
        where = f"{source}: line {i}"
        lid = row["lever"].strip()
        if lid not in LEVERS:
            raise ValueError(f"{where}: lever: {lid!r} is unknown; allowed: "
                             + ", ".join(LEVERS))
        if row["basis"] not in BASES:
            raise ValueError(f"{where}: basis: {row['basis']!r}; allowed: " + ", ".join(BASES))
        if row["status"] not in STATUSES:
            raise ValueError(f"{where}: status: {row['status']!r}; allowed: sourced, assumed")
        if not row["source"].strip():
            raise ValueError(f"{where}: source: empty; give the citation or the assumption")
        if row["status"] == "sourced" and row["source"].lower().startswith("assumed"):
            raise ValueError(f"{where}: status: sourced but the source says assumed")
        yuan, staff = float(row["yuan_per_unit"]), float(row["staff_per_unit"])
        if not (np.isfinite(yuan) and yuan >= 0 and np.isfinite(staff) and staff >= 0):
            raise ValueError(f"{where}: costs must be finite and 0 or more")
        if lid in out:
            raise ValueError(f"{where}: lever: {lid!r} is repeated")
        out[lid] = UnitCost(lid, row["basis"], yuan, staff, row["status"], row["source"])
    missing = sorted(set(LEVERS) - set(out))
    if missing:
        raise ValueError(f"{source}: no unit cost for: {', '.join(missing)}")
    return out


@cache
def _shipped() -> dict[str, UnitCost]:
    text = resources.files("fazhi_sim").joinpath("data/unit_costs.csv").read_text("utf-8")
    return _parse(list(csv.DictReader(text.splitlines())), "data/unit_costs.csv")


def unit_costs(path: str | os.PathLike | None = None) -> dict[str, UnitCost]:
    """Unit costs by lever id.

    Parameters
    ----------
    path
        A CSV with the columns of ``data/unit_costs.csv``; the shipped file if None.

    Returns
    -------
    dict
        Lever id to :class:`UnitCost`, one for every lever.

    Raises
    ------
    ValueError
        For an unknown lever or basis, a missing lever, a row without a source, or a
        negative cost.
    """
    if path is None:
        return dict(_shipped())
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return _parse(list(csv.DictReader(fh)), str(path))


def _year_changes(scenario: Scenario, year: int) -> dict[str, float]:
    months = year + np.arange(12) / 12.0
    # Mean of the change, not of the level: an unmoved lever's change is exactly zero.
    return {lid: float(np.mean(v - LEVERS[lid].baseline))
            for lid, v in scenario.lever_values(months).items()}


def lever_costs(scenario: Scenario | str, region: str | Region = "town", year: int = 2025,
                costs: Mapping[str, UnitCost] | None = None) -> pd.DataFrame:
    """Cost of each lever in one year, above the 2020 baseline.

    Parameters
    ----------
    scenario
        A scenario, scenario file or shipped name.
    region
        The region whose size scales the costs.
    year
        Calendar year; the lever's mean level over its twelve months is costed.
    costs
        Unit costs (default: :func:`unit_costs`).

    Returns
    -------
    pandas.DataFrame
        One row per lever: lever, level, baseline, change, yuan, staff, status.
    """
    sc = as_scenario(scenario)
    reg = get_region(region)
    uc = costs if costs is not None else _shipped()
    rows = []
    for lid, change in _year_changes(sc, year).items():
        base = LEVERS[lid].baseline
        level = base + change
        u = uc[lid]
        k = u.scale(reg)
        rows.append((lid, level, base, change, change * u.yuan_per_unit * k,
                     change * u.staff_per_unit * k, u.status))
    return pd.DataFrame(rows, columns=["lever", "level", "baseline", "change", "yuan", "staff",
                                       "status"])


def annual_cost(scenario: Scenario | str, region: str | Region = "town", year: int = 2025,
                costs: Mapping[str, UnitCost] | None = None) -> dict[str, float]:
    """Yuan and staff a scenario costs in one year, above the 2020 baseline.

    Parameters
    ----------
    scenario
        A scenario, scenario file or shipped name.
    region
        The region whose size scales the costs.
    year
        Calendar year.
    costs
        Unit costs (default: :func:`unit_costs`).

    Returns
    -------
    dict
        ``{"yuan": ..., "staff": ..., "assumed_share": ...}``: the share of the yuan that
        rests on assumed (not sourced) unit costs is reported with the total.

    Examples
    --------
    >>> from fazhi_sim.analysis.costs import annual_cost
    >>> annual_cost("baseline", region="town")          # every lever at its 2020 level
    {'yuan': 0.0, 'staff': 0.0, 'assumed_share': 0.0}
    >>> plan = annual_cost("plan-2025", region="town", year=2025)
    >>> plan["yuan"] > 0, 0 <= plan["assumed_share"] <= 1
    (True, True)
    """
    df = lever_costs(scenario, region, year, costs)
    yuan = float(df.yuan.sum())
    assumed = float(df.yuan[df.status == "assumed"].abs().sum())
    total = float(df.yuan.abs().sum())
    return {"yuan": yuan, "staff": float(df.staff.sum()),
            "assumed_share": assumed / total if total > 0 else 0.0}


def cost_effectiveness(
    ensemble_or_scenarios: Any,
    baseline: str = "baseline",
    region: str | Region | None = None,
    year: int = 2025,
    costs: Mapping[str, UnitCost] | None = None,
    model: Any = None,
    **run_kwargs: Any,
) -> pd.DataFrame:
    """Cost per avoided lawsuit and per avoided petition, with 10–90% bands.

    Parameters
    ----------
    ensemble_or_scenarios
        An :class:`~fazhi_sim.Ensemble`, or scenarios (dict of name -> scenario or a
        list) to run with :func:`~fazhi_sim.run_ensemble` (``run_kwargs`` are passed
        on, e.g. ``replicates``, ``executor``). The baseline must be among them.
    baseline
        Name of the scenario the others are compared with (paired, replicate by replicate).
    region
        Region whose outcomes and size are used (default: the ensemble's whole region).
    year
        Year costed and compared.
    costs
        Unit costs (default: :func:`unit_costs`).
    model
        The model the scenarios run on: anything
        :func:`~fazhi_sim.experiments.spec.as_spec` accepts (default: the shipped model).
        An Ensemble has already run on its own model; a different ``model`` is an error.
    **run_kwargs
        Passed on to :func:`~fazhi_sim.run_ensemble` when scenarios are given, e.g.
        ``replicates``, ``executor``, ``uncertainty``.

    Returns
    -------
    pandas.DataFrame
        One row per scenario and avoided outcome (lawsuit, petition): scenario, outcome,
        cost_yuan, staff, avoided_median, avoided_q10, avoided_q90, yuan_per_avoided (at
        the median) and its band yuan_per_avoided_q10 / _q90, and a note.

    Raises
    ------
    ValueError
        If ``baseline`` is not among the scenarios, ``region`` or ``year`` is not in the
        results, or ``model`` differs from the model an Ensemble ran.

    Notes
    -----
    The cost is fixed given the scenario, so cost per avoided case is a decreasing function
    of the avoided number while that is positive; its quantiles are therefore the cost
    divided by the opposite quantiles of the avoided number (the 10% edge uses the 90%
    quantile of avoided cases). Where a scenario avoids nothing (zero or fewer avoided
    cases) at a quantile, the cost per avoided case there is infinite (``inf``) if the
    scenario costs money and undefined (``NaN``) if it costs nothing; the ``note`` column
    says which.

    Examples
    --------
    >>> import fazhi_sim as fs
    >>> from fazhi_sim.analysis.costs import cost_effectiveness
    >>> b = fs.baseline(end_year=2021)
    >>> two = {"baseline": b, "more": b.with_levers(pre_filing_mediation_share=0.9)}
    >>> ens = fs.run_ensemble(two, 3, "town", uncertainty="noise", jobs=1, progress=False)
    >>> ce = cost_effectiveness(ens, year=2021).set_index(["scenario", "outcome"])
    >>> ce.index.tolist()
    [('baseline', 'lawsuit'), ('baseline', 'petition'), ('more', 'lawsuit'), ('more', 'petition')]
    >>> row = ce.loc[("more", "lawsuit")]
    >>> bool(row.cost_yuan > 0 and row.avoided_median > 0 and row.yuan_per_avoided > 0)
    True
    """
    from ..experiments.ensemble import Ensemble, run_ensemble

    if isinstance(ensemble_or_scenarios, Ensemble):
        if model is not None and as_spec(model).label != ensemble_or_scenarios.model_label:
            raise ValueError(f"model: the ensemble ran {ensemble_or_scenarios.model_label}, "
                             f"not {as_spec(model).label}; give model to run_ensemble")
        ens = ensemble_or_scenarios
    else:
        run_kwargs.setdefault("progress", False)
        ens = run_ensemble(ensemble_or_scenarios, region=region, model=as_spec(model),
                           **run_kwargs)
    if baseline not in ens.scenarios:
        raise ValueError(f"baseline {baseline!r} is not among the scenarios: "
                         + ", ".join(ens.scenarios))
    reg_id = get_region(region).id if region is not None else ens.whole_region()
    if reg_id not in set(ens.runs.region.unique()):
        raise ValueError(f"region {reg_id!r} is not in the ensemble's results")
    d = ens.differences(baseline)
    d = d[(d.year == year) & (d.region == reg_id) & d.metric.isin(list(AVOIDED_METRICS))]
    if d.empty:
        raise ValueError(f"no results for {year} in region {reg_id!r}")
    size_region = get_region(region) if region is not None else get_region(reg_id)
    rows = []
    for name, sc in ens.scenarios.items():
        c = annual_cost(sc, size_region, year, costs)
        for metric, what in AVOIDED_METRICS.items():
            avoided = -d[(d.scenario == name) & (d.metric == metric)]["diff"].to_numpy()
            q10, med, q90 = (np.quantile(avoided, [0.1, 0.5, 0.9]) if len(avoided)
                             else (np.nan,) * 3)
            per = [_per(c["yuan"], a) for a in (med, q90, q10)]
            note = _note(c["yuan"], med, q10)
            rows.append((name, what, c["yuan"], c["staff"], med, q10, q90, *per, note))
    return pd.DataFrame(rows, columns=[
        "scenario", "outcome", "cost_yuan", "staff", "avoided_median", "avoided_q10",
        "avoided_q90", "yuan_per_avoided", "yuan_per_avoided_q10", "yuan_per_avoided_q90",
        "note"])


def _per(cost: float, avoided: float) -> float:
    if not np.isfinite(avoided):
        return np.nan
    if avoided > 0:
        return cost / avoided
    return np.inf if cost > 0 else np.nan


def _note(cost: float, median: float, q10: float) -> str:
    if cost <= 0 and not median > 0:
        return "costs nothing and avoids nothing: cost per avoided case undefined (NaN)"
    if cost <= 0:
        return "costs nothing (or saves money) above the baseline"
    if not median > 0:
        return "avoids nothing at the median: cost per avoided case infinite"
    if not q10 > 0:
        return "avoids nothing in at least 10% of replicates: upper band infinite"
    return ""
