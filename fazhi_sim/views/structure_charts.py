"""Charts of one year's structure: the dispute pyramid, where disputes end, counties, targets."""

from __future__ import annotations

import re

import altair as alt
import numpy as np
import pandas as pd

from ..engine.region import get_region
from .chart_base import (
    WIDTH,
    as_summary,
    band_subtitle,
    bands_over_years,
    finish,
    number_format,
    only_scenario,
    pick_region,
    pick_year,
    place_name,
    scenario_order,
    select_metrics,
    tooltips,
    whole_region,
)
from .i18n import check_lang, label

__all__ = ["pyramid", "flows", "counties", "targets_table"]

_LAYERS = ("grievances", "disputes", "court", "lawsuits", "petitions")
"""Pyramid layers, bottom to top."""

_FLOWS = ("village", "town", "county", "court", "petition")
"""Where resolved disputes end, nearest first (``resolved_<layer>_share``)."""
_FLOW_COLOURS = ("#1b7a4a", "#55b27c", "#a6dbb6", "#4c78a8", "#e45756")
_FLOW_INK = ("white", "white", "#222222", "white", "white")


def pyramid(runs_or_summary: pd.DataFrame, scenario: str | None = None, year: int | None = None,
            lang: str = "zh", region: str | None = None) -> alt.TopLevelMixin:
    """The dispute pyramid: how many cases reach each layer in one year, widest at the bottom.

    The yearly results count grievances, disputes, court arrivals, lawsuits and petitions, but
    not how many disputes reach the village, town or county layers (only the shares of
    resolved disputes settled there, shown by :func:`flows`). The bars therefore count, per
    year (median over replicates; the tooltip gives the 10–90% band):

    - 矛盾隐患 ``grievances``: grievances arising, voiced or not;
    - 矛盾纠纷 ``disputes``: grievances voiced as claims;
    - 诉至法院: disputes brought to court, ``filings_per_10k × population / 10,000``
      (including those settled by pre-filing mediation);
    - 立案受理 ``lawsuits``: cases the courts accepted (the count behind 万人成讼率);
    - 信访 ``petitions``: petitions lodged, repeats included.

    Labels give the count and, from the court layer up, its share of disputes.

    Parameters
    ----------
    runs_or_summary
        ``Ensemble.runs``, ``Ensemble.summary()`` or ``simulate()``.
    scenario
        One scenario; default all, side by side.
    year
        Default the last year.
    lang
        ``"zh"`` (default) or ``"en"``.
    region
        A region id or alias; default the whole region.

    Returns
    -------
    altair.FacetChart or altair.LayerChart
        Centred horizontal bars with count labels, one panel per scenario.
    """
    check_lang(lang)
    df = only_scenario(as_summary(runs_or_summary), scenario)
    order = scenario_order(df)
    d = select_metrics(df, ["grievances", "disputes", "filings_per_10k", "lawsuits",
                     "petitions", "population"], region)
    y = pick_year(d, year)
    d = d[d["year"] == y]
    rows = []
    for name in order:
        mine = d[d["scenario"] == name].set_index("metric")
        pop = mine.at["population", "median"] / 1e4
        counts = {
            "grievances": mine.loc["grievances"], "disputes": mine.loc["disputes"],
            "court": mine.loc["filings_per_10k", ["q10", "median", "q90"]] * pop,
            "lawsuits": mine.loc["lawsuits"], "petitions": mine.loc["petitions"],
        }
        disputes = counts["disputes"]["median"]
        for k, layer in enumerate(_LAYERS):
            c = counts[layer]
            share = c["median"] / disputes if k >= 2 and disputes > 0 else np.nan
            text = f"{c['median']:,.0f}" + (f" ({share:.1%})" if np.isfinite(share) else "")
            rows.append({"scenario": name, "layer": label(f"layer_{layer}", lang), "rank": k,
                         "median": c["median"], "q10": c["q10"], "q90": c["q90"],
                         "left": -c["median"] / 2, "right": c["median"] / 2, "text": text})
    p = pd.DataFrame(rows)
    widest = float(p["median"].max()) if len(p) else 1.0
    p["label_x"] = widest / 2 + widest * 0.04
    top_down = [label(f"layer_{x}", lang) for x in reversed(_LAYERS)]
    y_enc = alt.Y("layer:N", sort=top_down, title=None,
                  axis=alt.Axis(labelLimit=200, domain=False, ticks=False, labelFontSize=12))
    x_scale = alt.Scale(domain=[-widest / 2, widest * 0.85])
    tooltip = tooltips(lang, ["scenario", "layer"], ",.0f")
    bars = alt.Chart().mark_bar(color="#4c78a8").encode(
        y=y_enc, x=alt.X("left:Q", scale=x_scale, axis=None), x2="right:Q",
        opacity=alt.Opacity("rank:O", legend=None, scale=alt.Scale(range=[0.45, 1.0])),
        tooltip=tooltip)
    text = alt.Chart().mark_text(align="left", fontSize=11).encode(
        y=y_enc, x=alt.X("label_x:Q", scale=x_scale, axis=None), text="text:N")
    inner = alt.layer(bars, text, data=p).properties(width=300 if len(order) > 1 else WIDTH,
                                                    height=200)
    chart = inner if len(order) == 1 else inner.facet(
        column=alt.Column("scenario:N", sort=order, title=None,
                          header=alt.Header(labelFontSize=13, labelFontWeight="bold")))
    title = f"{label('pyramid_title', lang)} — {place_name(pick_region(df, region), lang)} {y}"
    if len(order) == 1:
        title += f" — {order[0]}"
    return finish(chart, title, label("pyramid_subtitle", lang))


def flows(summary: pd.DataFrame, scenario: str | None = None, year: int | None = None,
          lang: str = "zh", region: str | None = None) -> alt.Chart:
    """Where resolved disputes end, by layer: one stacked bar per scenario.

    Segments are ``resolved_<layer>_share`` for village (own negotiation included), town,
    county, court and petition, averaged over replicates (means, unlike medians, still add
    up to 100%). They are shares of *resolved* disputes: the yearly results do not count
    disputes given up, so those are not shown.

    Parameters
    ----------
    summary
        ``Ensemble.summary()`` (or ``Ensemble.runs``, ``simulate()``).
    scenario
        One scenario; default all.
    year
        Default the last year.
    lang
        ``"zh"`` (default) or ``"en"``.
    region
        A region id or alias; default the whole region.

    Returns
    -------
    altair.Chart
        Horizontal stacked bars, scenarios on the y axis.
    """
    check_lang(lang)
    df = only_scenario(as_summary(summary), scenario)
    order = scenario_order(df)
    metrics = [f"{x}_share_of_resolved" for x in _FLOWS]
    d = select_metrics(df, metrics, region)
    y = pick_year(d, year)
    d = d[d["year"] == y]
    names = {f"{x}_share_of_resolved": label(f"flow_{x}", lang) for x in _FLOWS}
    ranks = {m: k for k, m in enumerate(metrics)}
    f = pd.DataFrame({"scenario": d["scenario"].astype(str), "layer": d["metric"].map(names),
                      "rank": d["metric"].map(ranks), "share": d["mean"],
                      "q10": d["q10"], "q90": d["q90"]}).fillna({"share": 0.0})
    f["text"] = [f"{s:.0%}" if s >= 0.06 else "" for s in f["share"]]
    f["ink"] = f["rank"].map(dict(enumerate(_FLOW_INK)))
    domain = [names[m] for m in metrics]
    color = alt.Color("layer:N", title=label("layer", lang), sort=domain,
                      scale=alt.Scale(domain=domain, range=list(_FLOW_COLOURS)),
                      legend=alt.Legend(orient="bottom", columns=5))
    tooltip = tooltips(lang, ["scenario", "layer"], ".1%", "share", "share_of_resolved")
    base = alt.Chart(f).encode(
        y=alt.Y("scenario:N", sort=order, title=None),
        x=alt.X("sum(share):Q", stack="zero", title=label("share_of_resolved", lang),
                axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
        order=alt.Order("rank:Q"))
    bars = base.mark_bar().encode(color=color, tooltip=tooltip)
    text = base.mark_text(dx=-4, align="right", fontSize=11).encode(
        x=alt.X("sum(share):Q", stack="zero"), text="text:N", detail="layer:N",
        color=alt.Color("ink:N", scale=None))
    chart = alt.layer(bars, text).properties(width=WIDTH, height=max(60, 36 * len(order)))
    title = f"{label('flows_title', lang)} — {place_name(pick_region(df, region), lang)} {y}"
    return finish(chart, title, label("flows_subtitle", lang))


def counties(summary: pd.DataFrame, metric: str, lang: str = "zh", columns: int = 3
             ) -> alt.FacetChart:
    """One small panel per county: median and 10–90% band per scenario over the years.

    Parameters
    ----------
    summary
        ``Ensemble.summary()`` (or per-run values) of a region with several counties.
    metric
        A metric id.
    lang
        ``"zh"`` (default) or ``"en"``.
    columns
        Panels per row.

    Returns
    -------
    altair.FacetChart
        Panels by county (the whole-region row left out; a one-county region gives one panel).
    """
    check_lang(lang)
    df = as_summary(summary)
    d = df[df["metric"] == metric]
    if d.empty:
        raise ValueError(f"no results for metric {metric}")
    regions = list(dict.fromkeys(d["region"]))
    whole = whole_region(df)
    keep = [r for r in regions if r != whole] or regions
    try:  # the region's own order of counties (the summary sorts them by id)
        ids = get_region(whole).county_ids
        keep.sort(key=lambda r: ids.index(r) if r in ids else len(ids))
    except ValueError:
        pass
    order = scenario_order(d)
    d = d[d["region"].isin(keep)]
    names = {r: place_name(r, lang) for r in keep}
    d = pd.DataFrame({"scenario": d["scenario"].astype(str), "year": d["year"],
                      "place": d["region"].map(names), "q10": d["q10"], "median": d["median"],
                      "q90": d["q90"]})
    fmt = number_format(metric)
    inner = alt.layer(*bands_over_years(label(metric, lang), lang, order, fmt),
                      data=d).properties(width=200, height=130)
    chart = inner.facet(facet=alt.Facet("place:N", title=None, sort=[names[r] for r in keep]),
                        columns=columns).resolve_scale(y="independent")
    title = f"{label(metric, lang)} — {label('by_county', lang)}"
    return finish(chart, title, band_subtitle(df, lang))


def _detail(text: str, lang: str) -> str:
    # Ensemble.targets() writes its detail in English; put it into the report's language.
    if lang == "en" or not isinstance(text, str):
        return text
    if m := re.fullmatch(r"(\d+) of (\d+) replicates", text):
        return label("replicates_of", lang).format(k=m[1], n=m[2])
    if m := re.fullmatch(r"(\S+) in (\d+) against the plan's (\S+)", text):
        return label("coverage_detail", lang).format(got=m[1], year=m[2], plan=m[3])
    return text


def targets_table(targets_df: pd.DataFrame, lang: str = "zh") -> alt.LayerChart:
    """The plan targets as a table: scenario × target, coloured by probability.

    Parameters
    ----------
    targets_df
        ``Ensemble.targets()``: scenario, target, kind, probability, detail.
    lang
        ``"zh"`` (default) or ``"en"``.

    Returns
    -------
    altair.LayerChart
        Coloured cells (red 0 to green 1) with the probability, or reached / not reached for
        coverage targets, written in.
    """
    check_lang(lang)
    t = targets_df.copy()
    order = scenario_order(t)
    kinds = {"falls every year": label("falls_short", lang),
             "coverage": label("coverage_short", lang)}
    t["row"] = [f"{label(g, lang)}({kinds.get(k, k)})" if lang == "zh"
                else f"{label(g, lang)} ({kinds.get(k, k)})"
                for g, k in zip(t["target"], t["kind"], strict=True)]
    t["text"] = [("-" if not np.isfinite(p) else label("yes" if p >= 1 else "no", lang))
                 if k == "coverage" else ("-" if not np.isfinite(p) else f"{p:.0%}")
                 for p, k in zip(t["probability"], t["kind"], strict=True)]
    t["detail"] = [_detail(x, lang) for x in t["detail"]]
    t["scenario"] = t["scenario"].astype(str)
    t = t[["scenario", "row", "probability", "text", "detail"]]
    rows = list(dict.fromkeys(t["row"]))
    base = alt.Chart(t).encode(
        x=alt.X("scenario:N", sort=order, title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("row:N", sort=rows, title=None, axis=alt.Axis(labelLimit=420)))
    fill = alt.when("isValid(datum.probability)").then(
        alt.Color("probability:Q", title=label("probability", lang),
                  scale=alt.Scale(domain=[0, 1], scheme="redyellowgreen"),
                  legend=alt.Legend(format=".0%"))).otherwise(alt.value("#dddddd"))
    cells = base.mark_rect(stroke="white").encode(
        color=fill,
        tooltip=[alt.Tooltip("scenario:N", title=label("scenario", lang)),
                 alt.Tooltip("row:N", title=label("target", lang)),
                 alt.Tooltip("text:N", title=label("probability", lang)),
                 alt.Tooltip("detail:N", title=label("detail", lang))])
    ink = alt.when("datum.probability < 0.2 || datum.probability > 0.8").then(
        alt.value("white")).otherwise(alt.value("#222222"))
    text = base.mark_text(fontSize=12).encode(text="text:N", color=ink)
    chart = alt.layer(cells, text).properties(width=max(120, 110 * len(order)),
                                              height=30 * len(rows))
    return finish(chart, label("targets", lang), label("targets_subtitle", lang))
