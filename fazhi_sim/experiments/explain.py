"""Why did it change: changes in 万人成讼率, 万人起诉率 and 信访量 split by pathway.

The split is a sequential flow accounting of each run's yearly counters, not a
statistical attribution. Every grievance that could arise either reaches court (is
counted in 万人起诉率) or leaves the stream on the way, so per run and year

    filings = potential − prevented − not voiced − lumped − negotiation − village − town
              − centre − petition settled + other
    lawsuits = filings − pre-filing settled − screened at filing + other

where ``potential`` is grievances plus those village compacts prevented, ``not voiced`` is
grievances minus disputes, ``lumped`` the disputes closed unresolved other than refused
filings, ``centre`` includes administrative disputes settled before reconsideration, and
``other`` is whatever makes each line exact: disputes carried over between years (open at
the year's end, or waiting for pre-filing mediation), disputes that come to court again, and
those that close elsewhere after a court visit. Both lines are identities, so the change
between a scenario and the baseline in one paired replicate (same seed) is the sum of the
changes of their terms, each with the sign it has in the line. 信访量 splits into first
lodgings, repeats after the petition office left a petition unsettled (缠访), and repeats
after a lawful channel it was routed into (or the centre's mediation) failed. Bands are
taken over replicates per pathway; means add up exactly, medians need not.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["PATHWAYS", "OUTCOMES", "pathway_components", "explain_ensemble"]

OUTCOMES = ("lawsuits_per_10k", "filings_per_10k", "petitions")
"""Outcomes decomposed: 万人成讼率, 万人起诉率, 信访量."""

PATHWAYS = ("arising", "prevented", "not_voiced", "lumped", "negotiation", "village", "town",
            "centre", "petition_settled", "prefiling", "screened", "first_petitions",
            "repeat_unsettled", "repeat_after_routing", "other")
"""Pathways in reading order; ``"total"`` follows them in tables."""

_LEFT_BEFORE_COURT = {"negotiation": "resolved_negotiation", "village": "resolved_village",
                      "town": "resolved_town", "centre": "resolved_county",
                      "petition_settled": "resolved_petition"}
_KEYS = ["scenario", "replicate", "year", "region"]


def _levels(c: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each run's terms of the two lines, per 10,000 residents (petitions as counts)."""
    scale = 1e4 / c["population"]
    t: dict[str, np.ndarray] = {}
    filings = c["court_arrivals"] * scale
    t["arising"] = (c["grievances"] + c["prevented"]) * scale
    t["prevented"] = -c["prevented"] * scale
    t["not_voiced"] = -(c["grievances"] - c["disputes"]) * scale
    t["lumped"] = -(c["dropped"] - c["refused"]) * scale
    for pathway, counter in _LEFT_BEFORE_COURT.items():
        t[pathway] = -c[counter] * scale
    before = np.nansum(np.stack(list(t.values())), axis=0)  # in order, a missing term as 0
    t["prefiling"] = -c["prefiling_resolved"] * scale
    t["screened"] = -c["refused"] * scale
    lawsuits = c["lawsuits"] * scale
    # "other" closes each line exactly: what filings and lawsuits are beyond their terms.
    other_before = filings - before
    other_court = lawsuits - (filings + t["prefiling"] + t["screened"])
    t["other_filings"] = other_before
    t["other"] = other_before + other_court
    t["filings_per_10k"], t["lawsuits_per_10k"] = filings, lawsuits
    t["first_petitions"] = c["petitions"] - c["repeat_petitions"]
    t["repeat_unsettled"] = c["repeat_petitions"] - c["repeat_after_routing"]
    t["repeat_after_routing"] = c["repeat_after_routing"]
    t["petitions"] = c["petitions"]
    return t


def _long(keys: pd.DataFrame, d: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Per-replicate changes of the terms reshaped to outcome, pathway, value."""
    before = ["arising", "prevented", "not_voiced", "lumped", *_LEFT_BEFORE_COURT]
    parts = {
        "lawsuits_per_10k": {**{p: d[p] for p in before}, "prefiling": d["prefiling"],
                             "screened": d["screened"], "other": d["other"],
                             "total": d["lawsuits_per_10k"]},
        "filings_per_10k": {**{p: d[p] for p in before}, "prefiling": 0.0, "screened": 0.0,
                            "other": d["other_filings"], "total": d["filings_per_10k"]},
        "petitions": {"first_petitions": d["first_petitions"],
                      "repeat_unsettled": d["repeat_unsettled"],
                      "repeat_after_routing": d["repeat_after_routing"],
                      "total": d["petitions"]},
    }
    blocks = [(outcome, pathway, value) for outcome, terms in parts.items()
              for pathway, value in terms.items()]
    n = len(keys)
    # One block of rows per (outcome, pathway), in that order, built at once.
    out = keys.iloc[np.tile(np.arange(n), len(blocks))].reset_index(drop=True)
    out["outcome"] = pd.array(np.repeat([b[0] for b in blocks], n), dtype="str")
    out["pathway"] = pd.array(np.repeat([b[1] for b in blocks], n), dtype="str")
    out["value"] = np.concatenate([np.broadcast_to(np.asarray(b[2], dtype=float), (n,))
                                   for b in blocks])
    return out


def _wide(counters: pd.DataFrame, runs: pd.DataFrame
          ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """One row per run, year and region (sorted by them): its keys, and each counter's column.

    The population comes from ``runs``; a counter a row lacks is NaN, and a counter given
    twice for a row counts once (its first value).
    """
    cols = _KEYS + ["metric", "value"]
    pop = runs[(runs.metric == "population").to_numpy()]
    both = pd.concat([counters[cols], pop[cols]], ignore_index=True)
    row = both.groupby(_KEYS, observed=True, sort=True).ngroup().to_numpy()
    rows, first = np.unique(row, return_index=True)
    code, names = pd.factorize(both.metric.astype(str), sort=True)
    table = np.full((len(names), len(rows)), np.nan)
    table[code[::-1], row[::-1]] = both.value.to_numpy(dtype=float)[::-1]  # the first wins
    keys = both[_KEYS].iloc[first].reset_index(drop=True)
    return keys, dict(zip(names.tolist(), table, strict=True))


def _paired_base(keys: pd.DataFrame, baseline: str) -> np.ndarray:
    """Per row, the row of the baseline's same replicate, year and region (-1: none)."""
    pair = keys.groupby(_KEYS[1:], observed=True, sort=False).ngroup().to_numpy()
    is_base = (keys.scenario.astype(str) == baseline).to_numpy()
    at = np.full(pair.max() + 1 if len(pair) else 0, -1)
    at[pair[is_base]] = np.flatnonzero(is_base)
    return at[pair]


def pathway_components(counters: pd.DataFrame, runs: pd.DataFrame, baseline: str
                       ) -> pd.DataFrame:
    """Per paired replicate, each pathway's part of the change against ``baseline``.

    Parameters
    ----------
    counters
        :attr:`Ensemble.counters <fazhi_sim.Ensemble.counters>`.
    runs
        :attr:`Ensemble.runs <fazhi_sim.Ensemble.runs>` (for the population).
    baseline
        The scenario compared against.

    Returns
    -------
    pandas.DataFrame
        Columns scenario, replicate, year, region, outcome, pathway, value; per outcome the
        pathways add up to the row whose pathway is ``"total"``.
    """
    # Arrays by counter rather than a pivoted frame: the dashboard explains on every move,
    # and a frame's column-by-column arithmetic was most of that.
    keys, wide = _wide(counters, runs)
    terms = _levels(wide)
    base = _paired_base(keys, baseline)
    missing = base < 0
    diff = {}
    for name, value in terms.items():
        paired = value[base]
        paired[missing] = np.nan
        diff[name] = value - paired
    return _long(keys, diff)


def _only(df: pd.DataFrame, baseline: str, scenario: str | None, year: int | None,
          region: str) -> pd.DataFrame:
    keep = (df.region == region).to_numpy()
    if scenario is not None:
        keep &= df.scenario.isin([baseline, scenario]).to_numpy()
    if year is not None:
        keep &= (df.year == year).to_numpy()
    return df[keep]


def explain_ensemble(counters: pd.DataFrame, runs: pd.DataFrame, baseline: str,
                     scenario: str | None, year: int | None, region: str) -> pd.DataFrame:
    """Median and 10–90% band per pathway of :func:`pathway_components` (see Ensemble.explain).

    ``share_of_total`` is the pathway's mean over the total's mean: means add up, so the
    shares do too (to 1), where medians need not.
    """
    # Each paired replicate, year and region is computed on its own: reading only the rows
    # asked for gives the same figures at a fraction of the cost (the dashboard's every move).
    counters, runs = (_only(x, baseline, scenario, year, region) for x in (counters, runs))
    d = pathway_components(counters, runs, baseline)
    keep = (d.region == region) & (d.scenario != baseline)
    if scenario is not None:
        keep &= d.scenario == scenario
    if year is not None:
        keep &= d.year == year
    d = d[keep]
    if d.empty:
        raise ValueError(f"nothing to explain for scenario={scenario!r}, year={year!r}, "
                         f"region={region!r} against {baseline!r}")
    return _summarised(d)


_ORDER = {name: i for i, name in enumerate((*OUTCOMES, *PATHWAYS, "total"))}
"""Reading order of outcomes and pathways in the table."""


def _summarised(d: pd.DataFrame) -> pd.DataFrame:
    """Quantiles, mean and share of the total per scenario, year, region, outcome, pathway."""
    keys = ["scenario", "year", "region", "outcome", "pathway"]
    # One integer group code, then pandas' own quantile and mean on it (the same figures
    # as grouping by the five columns, without building their index).
    code = d.groupby(keys, observed=True, sort=False).ngroup().to_numpy()
    first = np.unique(code, return_index=True)[1]
    g = pd.Series(d.value.to_numpy()).groupby(code)
    q = g.quantile([0.1, 0.5, 0.9]).to_numpy().reshape(-1, 3)
    out = d[keys].iloc[first].reset_index(drop=True)
    out["scenario"] = out.scenario.astype(str)
    out["median"], out["q10"], out["q90"] = q[:, 1], q[:, 0], q[:, 2]
    out["mean"] = mean = g.mean().to_numpy()
    outcome_of = out.groupby(keys[:4], observed=True, sort=False).ngroup().to_numpy()
    is_total = (out.pathway == "total").to_numpy()
    total = np.full(outcome_of.max() + 1, np.nan)
    total[outcome_of[is_total]] = mean[is_total]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = mean / total[outcome_of]
    out["share_of_total"] = np.where(np.isfinite(share), share, np.nan)
    rank = [pd.factorize(out[k], sort=True)[0] for k in keys[:3]]
    rank += [out[k].map(_ORDER).fillna(0).to_numpy() for k in keys[3:]]
    return out.iloc[np.lexsort(rank[::-1])].reset_index(drop=True)
