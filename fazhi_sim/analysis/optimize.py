"""Budget allocation: the lever mix that does most for a yearly budget, judged pessimistically.

A mix sets each chosen lever to a level between its 2020 level and its maximum, as a step
change from the first year (as :meth:`Scenario.with_levers` does). Its cost is
:func:`~fazhi_sim.analysis.costs.annual_cost` in the outcome year: yuan (and staff) a year
above the 2020 baseline. The objective is a weighted sum of outcomes in that year, per
replicate (default:
万人成讼率 + 万人信访量, both per 10,000 residents, lower is better), judged at a pessimistic
quantile across replicates (default the 90% quantile: the mix must do well in bad years too),
not at the mean.

Method (simple and robust rather than clever): candidate mixes are drawn by splitting the
budget at random between the levers and an unspent share (a Dirichlet draw), and each lever's
share is turned into a level through its unit cost; levels are clipped to the lever's range and
the mix is scaled down if it needs more staff than allowed. Every candidate's cost is checked
*before* it is simulated and a candidate over the budget or the staff limit is rejected, never
penalised. The best candidates are then refined locally by moving money between pairs of levers.
All candidates run with the same seeds (common random numbers), so they are compared on the
same luck. The Pareto front of cost against the objective is read off everything evaluated.

The comparison: the plan's own lever changes (``plan-2025`` at its 2025 levels) scaled by one
factor to cost what the chosen mix costs, run on the same seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..engine.measures import LEVERS
from ..engine.region import Region, get_region
from ..engine.scenario import Scenario, baseline, load_scenario
from ..experiments.ensemble import run_ensemble
from ..experiments.spec import as_spec
from .costs import UnitCost, annual_cost, unit_costs

__all__ = ["optimize_budget", "BudgetResult", "DEFAULT_WEIGHTS", "pareto_front"]

DEFAULT_WEIGHTS = {"lawsuits_per_10k": 1.0, "petitions_per_10k": 1.0}
"""Objective: outcome -> weight; every outcome here is better lower."""



@dataclass
class BudgetResult:
    """What :func:`optimize_budget` found.

    Parameters
    ----------
    mix : dict
        Lever id -> chosen level (2025 level, held from the first year).
    cost : dict
        ``annual_cost`` of the mix: yuan, staff, assumed_share.
    objective : float
        The mix's objective at ``quantile`` across replicates.
    outcomes : pandas.DataFrame
        Per option (baseline, best, plan_scaled) and metric (and the objective): q10,
        median, q90 across replicates, and ``at_quantile``, the value at ``quantile``.
    comparison : dict
        The plan-shaped spending of the same money: its scale factor, cost, objective,
        ``gain`` (its objective minus the mix's, positive when the mix is better) and the
        paired gain per replicate (q10, median, q90).
    candidates : pandas.DataFrame
        Every candidate evaluated: one column per lever level, yuan, staff, objective.
    pareto : pandas.DataFrame
        The candidates no other candidate beats on both cost and objective, by cost.
    budget_yuan, staff_limit, quantile, weights, region, year, replicates, rejected
        The settings, and how many drawn candidates were rejected before simulation.
    levers : list of str
        The levers the search could move.
    """

    mix: dict[str, float]
    cost: dict[str, float]
    objective: float
    outcomes: pd.DataFrame
    comparison: dict[str, Any]
    candidates: pd.DataFrame
    pareto: pd.DataFrame
    budget_yuan: float
    staff_limit: float | None
    quantile: float
    weights: dict[str, float]
    region: str
    year: int
    replicates: int
    rejected: int = 0
    levers: list[str] = field(default_factory=list)

    def scenario(self, name: str = "optimised") -> Scenario:
        """The chosen mix as a scenario (step changes from 2021).

        Parameters
        ----------
        name : str
            The scenario's name.

        Returns
        -------
        Scenario
            Every chosen level held from January 2021 to :attr:`year`.
        """
        return baseline(2021, self.year).with_levers(**self.mix).model_copy(
            update={"name": name})


def pareto_front(df: pd.DataFrame, cost: str = "yuan", value: str = "objective") -> pd.DataFrame:
    """Rows of ``df`` that no other row beats on both ``cost`` and ``value`` (lower is better).

    Parameters
    ----------
    df
        Candidates with the two columns.
    cost, value
        Column names.

    Returns
    -------
    pandas.DataFrame
        The front, by increasing cost (and so decreasing value).
    """
    d = df.sort_values([cost, value], kind="stable")
    keep, best = [], np.inf
    for idx, v in zip(d.index, d[value], strict=True):
        if v < best - 1e-12:
            keep.append(idx)
            best = v
    return d.loc[keep].reset_index(drop=True)


def _mix_cost(mix: Mapping[str, float], base: Scenario, region: Region, year: int,
              costs: Mapping[str, UnitCost]) -> dict[str, float]:
    return annual_cost(base.with_levers(**mix), region, year, costs)


def optimize_budget(
    budget_yuan: float,
    staff_limit: float | None = None,
    levers: Sequence[str] | None = None,
    region: str | Region = "town",
    weights: Mapping[str, float] | None = None,
    quantile: float = 0.9,
    year: int = 2025,
    replicates: int = 5,
    samples: int = 48,
    refine_rounds: int = 2,
    refine_size: int = 8,
    costs: Mapping[str, UnitCost] | None = None,
    executor: Executor | None = None,
    jobs: int | None = None,
    progress: bool = True,
    seed: int = 0,
    model: Any = None,
    uncertainty: str = "posterior",
) -> BudgetResult:
    """Find the lever mix that minimises the objective without exceeding budget and staff.

    Parameters
    ----------
    budget_yuan
        Yuan a year above the 2020 baseline the mix may cost (in ``year``).
    staff_limit
        Full-time staff above the baseline the mix may need; None for no limit.
    levers
        Levers the mix may raise (default: all); the others stay at their 2020 level.
    region
        Region the model runs on and whose size scales the costs.
    weights
        Outcome -> weight of the objective (default :data:`DEFAULT_WEIGHTS`); outcomes are
        those of the whole region in ``year``, lower is better.
    quantile
        Quantile across replicates the objective is judged at (0.9: pessimistic).
    year
        Outcome and cost year; runs span 2021 to ``year``.
    replicates
        Runs per candidate (the same seeds for every candidate).
    samples
        Candidates drawn at random.
    refine_rounds, refine_size
        Rounds of local refinement around the best, and candidates per round.
    costs
        Unit costs (default: :func:`fazhi_sim.analysis.costs.unit_costs`).
    executor, jobs, progress, seed
        As in :func:`~fazhi_sim.run_ensemble`.
    model
        The model every candidate runs: anything :func:`~fazhi_sim.experiments.spec.as_spec`
        accepts (a ``ModelSpec``, a ``DisputeModel`` or ``Behaviour`` subclass,
        ``"package.module:Name"``); default the shipped model.
    uncertainty
        As in :func:`~fazhi_sim.run_ensemble`: by default every candidate runs the same
        posterior draws, so the pessimistic quantile judges a mix against what the model
        does not know as well as against bad luck.

    Returns
    -------
    BudgetResult
        The mix, its outcome with bands, the Pareto front and the plan-shaped comparison.

    Raises
    ------
    ValueError
        For a negative budget, an unknown lever or metric, or a quantile outside 0-1.
    """
    if not (np.isfinite(budget_yuan) and budget_yuan >= 0):
        raise ValueError(f"budget must be 0 or more yuan, not {budget_yuan}")
    if staff_limit is not None and not staff_limit >= 0:
        raise ValueError(f"staff limit must be 0 or more, not {staff_limit}")
    if not 0 <= quantile <= 1:
        raise ValueError(f"quantile must be between 0 and 1, not {quantile}")
    ids = list(levers) if levers is not None else list(LEVERS)
    unknown = [lid for lid in ids if lid not in LEVERS]
    if unknown or not ids:
        raise ValueError("unknown levers: " + ", ".join(unknown) if unknown
                         else "give at least one lever")
    w = dict(weights) if weights is not None else dict(DEFAULT_WEIGHTS)
    uc = dict(costs) if costs is not None else unit_costs()
    reg = get_region(region)
    spec = as_spec(model)
    base = baseline(2021, year)
    rng = np.random.default_rng(seed)

    run = dict(replicates=replicates, region=reg, executor=executor, progress=progress,
               seed=seed, jobs=jobs, model=spec, uncertainty=uncertainty)

    def score(scen: dict[str, Scenario]) -> list[float]:
        per_rep = _per_replicate(scen, reg.id, year, w, run)
        return [float(np.quantile(per_rep[n], quantile)) for n in scen]

    search = _Search(ids, budget_yuan, staff_limit, base, reg, year, uc, score)
    # 1. Random splits of the budget (the last Dirichlet share stays unspent), plus the
    #    corners: everything on one lever.
    draws = [rng.dirichlet(np.ones(len(ids) + 1))[:-1] for _ in range(samples)]
    draws += [np.eye(len(ids))[j] for j in range(len(ids))]
    search.evaluate([search.levels_from_shares(d) for d in draws] + [search.lo.copy()])
    # 2. Local refinement: move money between two levers of the best mixes.
    for _ in range(refine_rounds):
        search.evaluate(search.moves(rng, refine_size))

    cand = search.candidates()
    best_i = int(np.argmin(search.scores))
    best_x, best_cost = search.evaluated[best_i]
    mix = {lid: float(v) for lid, v in zip(ids, best_x, strict=True)}

    # 3. The plan's own changes scaled to the mix's cost, the mix and the baseline, same seeds.
    plan_levels, factor, scaled = _plan_scaled(best_cost["yuan"], base, reg, year, uc)
    final = {"baseline": base, "best": base.with_levers(**mix),
             "plan_scaled": base.with_levers(**scaled)}
    ens = run_ensemble(final, **run)
    per_rep = _objective(ens.runs, reg.id, year, w)
    comparison = {
        "factor": factor,
        "levels": scaled,
        "cost_yuan": annual_cost(final["plan_scaled"], reg, year, uc)["yuan"],
        **_gains(per_rep, quantile),
        "clipped": [lid for lid, v in scaled.items()
                    if abs(LEVERS[lid].baseline + factor * (plan_levels[lid]
                                                            - LEVERS[lid].baseline) - v) > 1e-9],
    }
    return BudgetResult(
        mix=mix, cost=best_cost, objective=float(search.scores[best_i]),
        outcomes=_outcomes(ens.runs, reg.id, year, w, per_rep, quantile),
        comparison=comparison, candidates=cand, pareto=pareto_front(cand),
        budget_yuan=float(budget_yuan), staff_limit=staff_limit, quantile=quantile,
        weights=w, region=reg.id, year=year, replicates=replicates,
        rejected=search.rejected, levers=ids,
    )


class _Search:
    """The mixes tried so far: levels, cost and objective; each batch is one ensemble."""

    def __init__(self, ids: list[str], budget_yuan: float, staff_limit: float | None,
                 base: Scenario, region: Region, year: int, costs: Mapping[str, UnitCost],
                 score: Callable[[dict[str, Scenario]], list[float]]):
        self.ids, self.budget, self.staff_limit = ids, budget_yuan, staff_limit
        self.base, self.region, self.year, self.costs, self.score = (
            base, region, year, costs, score)
        self.lo = np.array([LEVERS[lid].baseline for lid in ids])
        self.hi = np.array([LEVERS[lid].maximum for lid in ids])
        # Yuan and staff per unit of each lever on this region (costs are linear in the change).
        self.yuan = np.array([costs[lid].yuan_per_unit * costs[lid].scale(region) for lid in ids])
        self.staff = np.array([costs[lid].staff_per_unit * costs[lid].scale(region)
                               for lid in ids])
        self.evaluated: list[tuple[np.ndarray, dict[str, float]]] = []
        self.scores: list[float] = []
        self.rejected = 0

    def levels_from_shares(self, shares: np.ndarray) -> np.ndarray:
        """Lever levels spending ``shares`` of the budget (sum <= 1), within staff."""
        lo, hi, yuan = self.lo, self.hi, self.yuan
        # Free levers take share * range.
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = np.where(yuan > 0, shares * self.budget / yuan, shares * (hi - lo))
        # A hair under the limits, so rounding never takes a mix over them.
        delta = np.clip(delta, 0.0, hi - lo) * (1 - 1e-9)
        if self.staff_limit is not None:
            need = float(self.staff @ delta)
            if need > self.staff_limit:
                delta *= self.staff_limit / need
        return lo + delta

    def moves(self, rng: np.random.Generator, size: int) -> list[np.ndarray]:
        """``size`` mixes, each moving money between two levers of one of the best so far."""
        lo, hi, yuan = self.lo, self.hi, self.yuan
        order = np.argsort(self.scores)[:max(1, size // 4)]
        xs = []
        for k in range(size):
            x0 = self.evaluated[order[k % len(order)]][0]
            spent = np.where(yuan > 0, (x0 - lo) * yuan / max(self.budget, 1e-12),
                             (x0 - lo) / np.maximum(hi - lo, 1e-12))
            # The last slot is the unspent money, so refinement can also spend more or less.
            s = np.append(spent, max(0.0, 1.0 - spent.sum()))
            i, j = rng.choice(len(s), size=2, replace=False)
            moved = min(rng.uniform(0.05, 0.3), s[i])
            s[i] -= moved
            s[j] += moved
            xs.append(self.levels_from_shares(np.clip(s[:-1], 0, 1)))
        return xs

    def evaluate(self, xs: list[np.ndarray]) -> None:
        """Cost every mix, reject those over budget or staff unrun, and run the rest."""
        batch = []
        for x in xs:
            c = _mix_cost(dict(zip(self.ids, x, strict=True)), self.base, self.region,
                          self.year, self.costs)
            if c["yuan"] <= self.budget and (self.staff_limit is None
                                             or c["staff"] <= self.staff_limit):
                batch.append((x, c))
            else:
                self.rejected += 1
        start = len(self.evaluated)
        scen = {f"c{start + i}": self.base.with_levers(**dict(zip(self.ids, x, strict=True)))
                for i, (x, _) in enumerate(batch)}
        scores = self.score(scen)
        self.evaluated.extend(batch)
        self.scores += scores

    def candidates(self) -> pd.DataFrame:
        """Every mix run: one column per lever level, then yuan, staff and objective."""
        cand = pd.DataFrame([dict(zip(self.ids, x, strict=True)) for x, _ in self.evaluated])
        cand["yuan"] = [c["yuan"] for _, c in self.evaluated]
        cand["staff"] = [c["staff"] for _, c in self.evaluated]
        cand["objective"] = self.scores
        return cand


def _plan_scaled(cost_yuan: float, base: Scenario, region: Region, year: int,
                 costs: Mapping[str, UnitCost]
                 ) -> tuple[dict[str, float], float, dict[str, float]]:
    # plan-2025's levels in `year`, the factor that makes its changes cost `cost_yuan`, and
    # the scaled levels (clipped to each lever's range, so the cost may fall short).
    plan = load_scenario("plan-2025")
    plan_levels = {lid: float(v[-1]) for lid, v in
                   plan.lever_values(np.array([float(year) + 11 / 12])).items()
                   if lid in plan.levers}
    plan_cost = annual_cost(base.with_levers(**plan_levels), region, year, costs)["yuan"]
    factor = cost_yuan / plan_cost if plan_cost > 0 else 0.0
    scaled = {lid: float(np.clip(LEVERS[lid].baseline + factor * (v - LEVERS[lid].baseline),
                                 LEVERS[lid].minimum, LEVERS[lid].maximum))
              for lid, v in plan_levels.items()}
    return plan_levels, factor, scaled


def _gains(per_rep: dict[str, np.ndarray], quantile: float) -> dict[str, float]:
    # The plan-shaped spending against the chosen mix: objectives at the quantile, and the
    # paired gain per replicate (positive when the mix does better).
    gain = per_rep["plan_scaled"] - per_rep["best"]
    return {
        "objective": float(np.quantile(per_rep["plan_scaled"], quantile)),
        "best_objective": float(np.quantile(per_rep["best"], quantile)),
        "baseline_objective": float(np.quantile(per_rep["baseline"], quantile)),
        "gain": float(np.quantile(per_rep["plan_scaled"], quantile)
                      - np.quantile(per_rep["best"], quantile)),
        "gain_q10": float(np.quantile(gain, 0.1)),
        "gain_median": float(np.median(gain)),
        "gain_q90": float(np.quantile(gain, 0.9)),
    }


def _objective(runs: pd.DataFrame, region_id: str, year: int, weights: Mapping[str, float]
               ) -> dict[str, np.ndarray]:
    r = runs[(runs.year == year) & (runs.region == region_id)
             & runs.metric.isin(list(weights))].astype({"scenario": str})
    missing = set(weights) - set(r.metric.unique())
    if missing:
        raise ValueError("unknown objective metrics: " + ", ".join(sorted(missing)))
    wide = r.pivot_table(index=["scenario", "replicate"], columns="metric", values="value")
    total = sum(wide[m] * wt for m, wt in weights.items())
    return {name: grp.sort_index().to_numpy() for name, grp in total.groupby(level=0)}


def _per_replicate(scen: dict[str, Scenario], region_id: str, year: int,
                   weights: Mapping[str, float], run: dict[str, Any]
                   ) -> dict[str, np.ndarray]:
    if not scen:
        return {}
    ens = run_ensemble(scen, **run)
    return _objective(ens.runs, region_id, year, weights)


def _outcomes(runs: pd.DataFrame, region_id: str, year: int, weights: Mapping[str, float],
              per_rep: dict[str, np.ndarray], quantile: float) -> pd.DataFrame:
    r = runs[(runs.year == year) & (runs.region == region_id)
             & runs.metric.isin(list(weights))].astype({"scenario": str})
    g = r.groupby(["scenario", "metric"]).value
    out = g.quantile([0.1, 0.5, 0.9]).unstack()
    out.columns = ["q10", "median", "q90"]
    out = out.reset_index()
    obj = pd.DataFrame([(n, "objective", *np.quantile(v, [0.1, 0.5, 0.9]))
                        for n, v in per_rep.items()],
                       columns=["scenario", "metric", "q10", "median", "q90"])
    out = pd.concat([out, obj], ignore_index=True)
    out["at_quantile"] = [
        float(np.quantile(r[(r.scenario == s) & (r.metric == m)].value, quantile))
        if m != "objective" else float(np.quantile(per_rep[s], quantile))
        for s, m in zip(out.scenario, out.metric, strict=True)]
    return out
