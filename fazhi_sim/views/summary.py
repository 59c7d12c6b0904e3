"""The report's opening summary: a few sentences a leader can read in a minute.

Every number in the sentences is formatted by the same functions as the report's tables
(:func:`fazhi_sim.views.tables.fmt_value`, :func:`~fazhi_sim.views.tables.fmt_change`) from
the same frames, so the summary and the tables cannot disagree: what falls and by how much
(median and 10–90% band of the paired change), how sure (whether the band includes zero),
what drives it (the largest pathways of the "why" decomposition) and where the band comes
from (the uncertainty split and the best measurement to narrow it, when the report has them).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..engine.metrics import COUNT_METRICS
from .i18n import label
from .tables import fmt_change, fmt_value

__all__ = ["HEADLINE", "SURE_SHARE", "headline_facts", "summary_sentences"]

HEADLINE = ("lawsuits_per_10k", "petitions", "defaulters_per_10k", "village_local_share")
"""Outcomes the summary speaks of: the plan's falling targets and 小事不出村."""

DRIVEN = ("lawsuits_per_10k", "petitions")
"""Outcomes whose largest pathways (the "why" decomposition) the summary names."""

SURE_SHARE = 0.9
"""Share of paired runs that must move the median's way for a direction called fairly sure
(besides a 10–90% band that excludes zero)."""


def headline_facts(tidy: pd.DataFrame, names: list[str], reps: int,
                   diffs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The figures the summary quotes, formatted as the comparison table shows them.

    Parameters
    ----------
    tidy
        :func:`fazhi_sim.views.tables.compare_tidy` of the report's region and year.
    names
        Scenario ids; the first is the baseline.
    reps
        Replicates per scenario; with one there is no band.
    diffs
        ``Ensemble.differences()`` of the same region and year (paired, per replicate), to
        count the runs that move the way the median does; or None.

    Returns
    -------
    pandas.DataFrame
        One row per scenario besides the baseline and metric of :data:`HEADLINE`: scenario,
        metric, ``change`` (float), ``base``/``value``/``delta``/``q10``/``q90``/``pct``
        (formatted text), ``sure`` (True when the band excludes zero, None with one run), and
        ``moved``/``runs``: how many paired runs change in the median's direction, of how
        many (0 of 0 without ``diffs``).
    """
    cell = tidy.set_index(["scenario", "metric"])
    paired = (diffs.groupby(["scenario", "metric"], observed=True)["diff"]
              if diffs is not None else None)
    rows = []
    for name in names[1:]:
        for m in HEADLINE:
            if (name, m) not in cell.index or (names[0], m) not in cell.index:
                continue
            rec, base = cell.loc[(name, m)], cell.loc[(names[0], m)]
            delta, pct = fmt_change(m, rec["change"], rec["change_pct"])
            lo, hi = float(rec["change_q10"]), float(rec["change_q90"])
            rows.append({
                "scenario": name, "metric": m, "change": float(rec["change"]),
                "base": fmt_value(m, base["value"]), "value": fmt_value(m, rec["value"]),
                "delta": delta, "pct": pct, "q10": fmt_change(m, lo, np.nan)[0],
                "q90": fmt_change(m, hi, np.nan)[0],
                "sure": None if reps < 2 else bool(lo > 0 or hi < 0),
                **_moved(paired, name, m, float(rec["change"])),
            })
    return pd.DataFrame(rows)


def _moved(paired, scenario: str, metric: str, change: float) -> dict[str, int]:
    """Paired runs whose change has the median's sign, and all paired runs."""
    if paired is None or (scenario, metric) not in paired.groups:
        return {"moved": 0, "runs": 0}
    d = paired.get_group((scenario, metric))
    moved = (d < 0) if change < 0 else (d > 0)
    return {"moved": int(moved.sum()), "runs": len(d)}


def _outcome(fact: Mapping, year: int, lang: str) -> str:
    """One sentence: from what to what, the change, its band and how sure."""
    word = label("sum_falls" if fact["change"] < 0 else "sum_rises", lang)
    key = "sum_same" if fact["change"] == 0 else "sum_outcome"
    text = label(key, lang).format(
        metric=label(fact["metric"], lang), word=word, base=fact["base"],
        value=fact["value"], delta=fact["delta"], pct=fact["pct"], year=year)
    if fact["sure"] is None:
        return text + label("sum_single", lang)
    band = label("sum_band", lang).format(q10=fact["q10"], q90=fact["q90"])
    count = label("sum_count", lang).format(
        n=fact["runs"], k=fact["moved"],
        dir=label("sum_down" if fact["change"] < 0 else "sum_up", lang))
    # With few runs the interpolated band can exclude zero while a run went the other way.
    key = "sum_unsure" if not fact["sure"] else (
        "sum_sure" if fact["moved"] >= SURE_SHARE * fact["runs"] else "sum_thin")
    how = label(key, lang).format(count=count)
    return f"{text}{band}{how}"


def _drivers(explained: pd.DataFrame, scenario: str, metric: str, lang: str) -> str | None:
    """The two pathways with the largest median change of ``metric``, as the table shows them."""
    d = explained[(explained["scenario"] == scenario) & (explained["outcome"] == metric)
                  & (explained["pathway"] != "total")]
    d = d[np.isfinite(d["median"]) & (d["median"] != 0)]
    if d.empty:
        return None
    top = d.reindex(d["median"].abs().sort_values(ascending=False).index).head(2)
    digits = 0 if metric in COUNT_METRICS else 2  # as the "why" table prints them
    parts = [f"{label(f'path_{r.pathway}', lang)}({r.median:+,.{digits}f})"
             for r in top.itertuples()]
    return label("sum_drivers", lang).format(metric=label(metric, lang),
                                             parts=label("sum_and", lang).join(parts))


def _targets(targets: pd.DataFrame, scenario: str, first: int, year: int, lang: str
             ) -> str | None:
    """The plan targets in one sentence, as the target table shows them."""
    mine = targets[targets["scenario"] == scenario]
    if mine.empty:
        return None
    cover = mine[mine["kind"] == "coverage"]
    falls = mine[mine["kind"] != "coverage"]
    parts = [f"{label(t, lang)} {p:.0%}" for t, p in zip(falls["target"], falls["probability"],
                                                          strict=True) if np.isfinite(p)]
    return label("sum_targets", lang).format(
        first=first, year=year, n=len(cover), k=int((cover["probability"] >= 1).sum()),
        falls=label("sum_list", lang).join(parts) or "-")


def _costs(row: list[str], lang: str) -> str:
    """A scenario's cost and its cost per avoided case, from its row of the cost table."""
    per = []
    for what, cell in (("lawsuit", row[4]), ("petition", row[6])):
        median = cell.split(" [")[0]
        # ∞ or -: nothing avoided at the median, so there is no cost per case to quote.
        key = "sum_per_none" if median in ("∞", "-") else "sum_per"
        per.append(label(key, lang).format(what=label(f"sum_{what}", lang), yuan=median))
    return label("sum_costs", lang).format(yuan=row[1], staff=row[2],
                                           per=label("sum_list", lang).join(per))


def summary_sentences(facts: pd.DataFrame, titles: Mapping[str, str], base: str, year: int,
                      lang: str, explained: pd.DataFrame | None = None,
                      split_rows: list[list[str]] | None = None,
                      targets: pd.DataFrame | None = None, first: int | None = None,
                      costs: Mapping[str, list[str]] | None = None
                      ) -> list[tuple[str, list[str]]]:
    """The summary's paragraphs: per scenario, a lead sentence and its points.

    Parameters
    ----------
    facts
        :func:`headline_facts`.
    titles
        Scenario id to the title readers see.
    base
        The baseline's id.
    year
        The year compared.
    lang
        ``"zh"`` or ``"en"``.
    explained
        ``Ensemble.explain()`` for the year and region, or None.
    split_rows
        Rows of :func:`fazhi_sim.views.uncertainty_tables.split_rows` (scenario, metric label,
        widths, parameter share, noise share), or None.
    targets, first
        ``Ensemble.targets(first=first, last=year)``, or None: how many coverage targets
        are reached and the probability of each falling target.
    costs
        Scenario id to its row of :func:`fazhi_sim.views.report_costs.cost_rows` (title,
        yuan, staff, avoided lawsuits, yuan per lawsuit, avoided petitions, yuan per
        petition), or None.

    Returns
    -------
    list of (str, list of str)
        The lead sentence of each scenario and the sentences under it.
    """
    out = []
    for name in dict.fromkeys(facts["scenario"]) if len(facts) else []:  # one per scenario
        mine = facts[facts["scenario"] == name]
        lead = label("sum_lead", lang).format(
            scenario=titles.get(name, name), base=titles.get(base, base), year=year)
        points = [_outcome(f, year, lang) for f in mine.to_dict("records")]
        if targets is not None and (goal := _targets(targets, name, first or year, year, lang)):
            points.append(goal)
        if row := (costs or {}).get(name):
            points.append(_costs(row, lang))
        for metric in DRIVEN if explained is not None else ():
            if why := _drivers(explained, name, metric, lang):
                points.append(why)
        mine_split = [r for r in split_rows or [] if r[0] in (name, titles.get(name, name))
                      and r[1] == label("lawsuits_per_10k", lang)]
        if mine_split:
            points.append(label("sum_split", lang).format(
                metric=mine_split[0][1], param=mine_split[0][4], noise=mine_split[0][5]))
        out.append((lead, points))
    return out
