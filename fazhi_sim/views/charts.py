"""Altair charts of simulation results, with Chinese labels by default.

Every function takes a tidy DataFrame as it comes from :func:`fazhi_sim.simulate` or from
:class:`fazhi_sim.Ensemble` (``.runs``, ``.summary()``, ``.compare()``, ``.targets()``) and
returns an ``altair`` chart whose data are embedded in the spec (no URL), so it shows in
JupyterLab without a network and saves to a self-contained file. Labels come from
:mod:`fazhi_sim.views.i18n`: ``lang="zh"`` (default) or ``"en"``.

Each chart carries a ``config`` that names CJK fonts, so Chinese renders when exported with
:func:`save_png`/:func:`save_svg`. Altair refuses to concatenate charts that carry a config,
so ``a | b`` and ``a & b`` on these charts go through :func:`combine`, which moves the config
to the top; use :func:`combine` too where you would call ``alt.hconcat``.

Examples
--------
>>> ens = fazhi_sim.run_ensemble(["baseline", "plan-2025"], replicates=10)  # doctest: +SKIP
>>> trajectories(ens.summary(), "lawsuits_per_10k")                         # doctest: +SKIP
>>> save_png(pyramid(ens.summary()), "pyramid.png")                         # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from collections.abc import Sequence
from functools import cache

import altair as alt
import numpy as np
import pandas as pd

from ..engine.metrics import COUNT_METRICS
from ..engine.region import get_region
from ..experiments.ensemble import bands
from .i18n import check_lang, label, region_label

__all__ = ["FONT", "trajectories", "difference", "pyramid", "flows", "counties",
           "targets_table", "combine", "save_png", "save_svg"]

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
"""Font list in every chart's config: the first one installed is used."""

WIDTH, HEIGHT = 440, 260

_LAYERS = ("grievances", "disputes", "court", "lawsuits", "petitions")
"""Pyramid layers, bottom to top."""

_FLOWS = ("village", "town", "county", "court", "petition")
"""Where resolved disputes end, nearest first (``resolved_<layer>_share``)."""
_FLOW_COLOURS = ("#1b7a4a", "#55b27c", "#a6dbb6", "#4c78a8", "#e45756")
_FLOW_INK = ("white", "white", "#222222", "white", "white")


# -- Preparing data ---------------------------------------------------------------------------


def _scenario_order(df: pd.DataFrame) -> list[str]:
    col = df["scenario"]
    if isinstance(col.dtype, pd.CategoricalDtype):
        present = set(col.astype(str))
        return [str(c) for c in col.cat.categories if str(c) in present]
    return [str(s) for s in dict.fromkeys(col)]


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    """Any yearly result as a summary: scenario, year, region, metric, q10, median, q90, ...

    A summary passes through; per-run values (``Ensemble.runs``, ``simulate()``) are banded
    over replicates. A frame without a scenario column takes ``df.attrs["scenario"]``.
    """
    if "month" in df.columns:
        raise ValueError("charts take yearly results; run simulate() with freq='year'")
    df = df.copy()
    if "scenario" not in df.columns:
        df.insert(0, "scenario", str(df.attrs.get("scenario", "scenario")))
    order = _scenario_order(df)
    if "median" not in df.columns:
        if "value" not in df.columns:
            raise ValueError("expected a summary (median, q10, q90) or per-run values (value)")
        df = bands(df, ["scenario", "year", "region", "metric"])
    if "mean" not in df.columns:
        df["mean"] = df["median"]
    df["scenario"] = pd.Categorical(df["scenario"].astype(str), categories=order)
    df["region"] = df["region"].astype(str)
    df["metric"] = df["metric"].astype(str)
    return df


def _whole_region(df: pd.DataFrame) -> str:
    # The region that holds the others: a shipped one with several counties, else the one
    # whose population is the sum of the others' (a made-up region), else the last one.
    regions = list(dict.fromkeys(df["region"]))
    for name in regions:
        try:
            if get_region(name).n_counties > 1:
                return name
        except ValueError:
            continue
    pop = df[df["metric"] == "population"].groupby("region")["median"].max()
    for name in regions if len(regions) > 1 else []:
        rest = pop.drop(name, errors="ignore").sum()  # 0 in a compare() frame: no help
        if name in pop and rest > 0 and np.isclose(pop[name], rest):
            return name
    return regions[-1]


def _pick_region(df: pd.DataFrame, region: str | None) -> str:
    regions = list(dict.fromkeys(df["region"]))
    if region is None:
        return _whole_region(df)
    if region not in regions:
        try:
            region = get_region(region).id  # an alias such as 诸暨
        except ValueError:
            pass
    if region not in regions:
        raise ValueError(f"no results for region {region!r}; regions: {', '.join(regions)}")
    return region


def _place(region: str, lang: str) -> str:
    try:
        return region_label(region, lang)
    except ValueError:
        return region  # a made-up region


def _select(df: pd.DataFrame, metrics: Sequence[str], region: str | None) -> pd.DataFrame:
    missing = sorted(set(metrics) - set(df["metric"]))
    if missing:
        raise ValueError(f"no results for metric(s) {', '.join(missing)}")
    return df[df["metric"].isin(metrics) & (df["region"] == _pick_region(df, region))]


def _only(df: pd.DataFrame, scenario: str | None) -> pd.DataFrame:
    if scenario is None:
        return df
    if scenario not in _scenario_order(df):
        raise ValueError(f"unknown scenario {scenario!r}; scenarios: "
                         + ", ".join(_scenario_order(df)))
    return df[df["scenario"] == scenario]


def _pick_year(df: pd.DataFrame, year: int | None) -> int:
    years = sorted(set(int(y) for y in df["year"]))
    if year is None:
        return years[-1]
    if int(year) not in years:
        raise ValueError(f"no results for year {year}; years: {years[0]}-{years[-1]}")
    return int(year)


def _share(metric: str) -> bool:
    return metric.endswith(("_share", "_rate"))


def _number_format(metric: str) -> str:
    return ".1%" if _share(metric) else ",.0f" if metric in COUNT_METRICS else ",.2f"


class _Composable:
    """Makes ``a | b`` and ``a & b`` work on charts that carry a config (see combine)."""

    def __or__(self, other: alt.TopLevelMixin) -> alt.TopLevelMixin:
        return combine(self, other)  # type: ignore[arg-type]

    def __and__(self, other: alt.TopLevelMixin) -> alt.TopLevelMixin:
        return combine(self, other, columns=1)  # type: ignore[arg-type]


@cache
def _composable(cls: type) -> type:
    return type(cls.__name__, (_Composable, cls), {"__module__": cls.__module__})


def _finish(chart: alt.TopLevelMixin, title: str, subtitle: str | None = None
            ) -> alt.TopLevelMixin:
    heading = alt.Title(title, subtitle=subtitle or alt.Undefined, anchor="start")
    out = chart.properties(title=heading).configure(font=FONT).configure_view(
        stroke=None).configure_title(fontSize=15, subtitleFontSize=11, subtitleColor="#555")
    object.__setattr__(out, "__class__", _composable(type(out)))  # SchemaBase keeps attrs
    return out


def _tips(lang: str, keys: Sequence[str], fmt: str, value: str = "median",
          value_title: str = "median") -> list[alt.Tooltip]:
    tips = [alt.Tooltip(f"{k}:{'O' if k == 'year' else 'N'}", title=label(k, lang)) for k in keys]
    return tips + [alt.Tooltip(f"{f}:Q", title=label(t, lang), format=fmt)
                   for f, t in ((value, value_title), ("q10", "q10"), ("q90", "q90"))]


def _band_subtitle(df: pd.DataFrame, lang: str) -> str:
    n = int(df["n"].max()) if "n" in df.columns and len(df) else 1
    return label("band_subtitle", lang).format(n=n) if n > 1 else label("single_run", lang)


def _scenario_color(order: list[str], lang: str) -> alt.Color:
    # Full opacity: the legend merges the band's and the line's symbols.
    return alt.Color("scenario:N", title=label("scenario", lang), sort=order,
                     scale=alt.Scale(domain=order, scheme="tableau10"),
                     legend=alt.Legend(symbolOpacity=1, symbolType="circle"))


def _bands_over_years(y_title: str, lang: str, order: list[str], fmt: str
                      ) -> list[alt.Chart]:
    # Without data: callers layer these with the data, so extra layers may bring their own.
    base = alt.Chart().encode(
        x=alt.X("year:O", title=label("year", lang), axis=alt.Axis(labelAngle=0)))
    band = base.mark_area(opacity=0.18).encode(y="q10:Q", y2="q90:Q",
                                               color=_scenario_color(order, lang))
    tooltip = _tips(lang, ["scenario", "year"], fmt)
    line = base.mark_line(point=True).encode(
        y=alt.Y("median:Q", title=y_title, scale=alt.Scale(zero=False),
                axis=alt.Axis(format=fmt.replace(".1%", ".1~%").replace(",.2f", ",~f"))),
        color=_scenario_color(order, lang), tooltip=tooltip)
    return [band, line]


# -- Charts ---------------------------------------------------------------------------------


def trajectories(summary: pd.DataFrame, metric: str, region: str | None = None,
                 lang: str = "zh") -> alt.LayerChart:
    """Median per scenario over the years, with its 10–90% band.

    Parameters
    ----------
    summary
        ``Ensemble.summary()`` (or per-run values: ``Ensemble.runs``, ``simulate()``).
    metric
        A metric id, e.g. ``"lawsuits_per_10k"`` (万人成讼率).
    region
        A region id or alias; default the whole region.
    lang
        ``"zh"`` (default) or ``"en"``.

    Returns
    -------
    altair.LayerChart
        Area (q10 to q90) and line (median), coloured by scenario.
    """
    check_lang(lang)
    df = _frame(summary)
    d = _select(df, [metric], region)
    order = _scenario_order(d)
    d = d[["scenario", "year", "q10", "median", "q90"]].assign(scenario=lambda x:
                                                               x.scenario.astype(str))
    chart = alt.layer(*_bands_over_years(label(metric, lang), lang, order,
                                         _number_format(metric)),
                      data=d).properties(width=WIDTH, height=HEIGHT)
    title = f"{label(metric, lang)} — {_place(_pick_region(df, region), lang)}"
    return _finish(chart, title, _band_subtitle(df, lang))


def difference(compare_df: pd.DataFrame, metric: str, region: str | None = None,
               lang: str = "zh", percent: bool = False) -> alt.LayerChart:
    """Paired difference from the baseline per scenario over the years, with its band.

    Parameters
    ----------
    compare_df
        ``Ensemble.compare()``; the baseline's own rows (all zero) are left out.
    metric
        A metric id.
    region
        A region id or alias; default the whole region.
    lang
        ``"zh"`` (default) or ``"en"``.
    percent
        Show the change in percent of the baseline (``pct_*`` columns) instead of in the
        metric's units. Shares (``*_share``, ``*_rate``) change in percentage points.

    Returns
    -------
    altair.LayerChart
        Area (q10 to q90), line (median) and a rule at zero.
    """
    check_lang(lang)
    base_name = str(compare_df["baseline"].iloc[0]) if "baseline" in compare_df else None
    df = compare_df[compare_df["scenario"].astype(str) != base_name] if base_name else compare_df
    if df.empty:
        raise ValueError("only the baseline is in compare_df; compare at least two scenarios")
    df = df.copy()
    order = _scenario_order(df)
    df["region"] = df["region"].astype(str)
    df["metric"] = df["metric"].astype(str)
    d = _select(df, [metric], region)
    cols = ["pct_q10", "pct_median", "pct_q90"] if percent else ["q10", "median", "q90"]
    d = pd.DataFrame({"scenario": d["scenario"].astype(str), "year": d["year"],
                      "q10": d[cols[0]], "median": d[cols[1]], "q90": d[cols[2]]})
    unit, fmt = "", ",.2f"
    if percent:
        unit, fmt = " (%)", "+.1f"
    elif _share(metric):
        d[["q10", "median", "q90"]] *= 100
        unit, fmt = f" ({label('pp', lang)})", "+.1f"
    elif metric in COUNT_METRICS:
        fmt = "+,.0f"
    y_title = f"{label('difference', lang)}{unit}"
    band, line = _bands_over_years(y_title, lang, order, fmt)
    zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color="#333").encode(y="zero:Q")
    chart = alt.layer(band.properties(data=d), line.properties(data=d), zero).properties(
        width=WIDTH, height=HEIGHT)
    title = label("difference_title", lang).format(metric=label(metric, lang),
                                                   base=base_name or "baseline")
    title += f" — {_place(_pick_region(df, region), lang)}"
    return _finish(chart, title, label("difference_subtitle", lang))


def pyramid(runs_or_summary: pd.DataFrame, scenario: str | None = None, year: int | None = None,
            lang: str = "zh", region: str | None = None) -> alt.TopLevelMixin:
    """The dispute pyramid: how many cases reach each layer in one year, widest at the bottom.

    The yearly results count grievances, disputes, court arrivals, lawsuits and petitions, but
    not how many disputes reach the village, town or county layers (only the shares of
    resolved disputes settled there, shown by :func:`flows`). The bars therefore count, per
    year (median over replicates; the tooltip gives the 10–90% band):

    - 矛盾隐患 ``grievances``: grievances arising, voiced or not;
    - 矛盾纠纷 ``disputes``: grievances voiced as claims;
    - 诉至法院: disputes brought to court, ``court_arrivals_per_10k × population / 10,000``
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
    df = _only(_frame(runs_or_summary), scenario)
    order = _scenario_order(df)
    d = _select(df, ["grievances", "disputes", "court_arrivals_per_10k", "lawsuits",
                     "petitions", "population"], region)
    y = _pick_year(d, year)
    d = d[d["year"] == y]
    rows = []
    for name in order:
        mine = d[d["scenario"] == name].set_index("metric")
        pop = mine.at["population", "median"] / 1e4
        counts = {
            "grievances": mine.loc["grievances"], "disputes": mine.loc["disputes"],
            "court": mine.loc["court_arrivals_per_10k", ["q10", "median", "q90"]] * pop,
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
    tooltip = _tips(lang, ["scenario", "layer"], ",.0f")
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
    title = f"{label('pyramid_title', lang)} — {_place(_pick_region(df, region), lang)} {y}"
    if len(order) == 1:
        title += f" — {order[0]}"
    return _finish(chart, title, label("pyramid_subtitle", lang))


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
    df = _only(_frame(summary), scenario)
    order = _scenario_order(df)
    metrics = [f"resolved_{x}_share" for x in _FLOWS]
    d = _select(df, metrics, region)
    y = _pick_year(d, year)
    d = d[d["year"] == y]
    names = {f"resolved_{x}_share": label(f"flow_{x}", lang) for x in _FLOWS}
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
    tooltip = _tips(lang, ["scenario", "layer"], ".1%", "share", "share_of_resolved")
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
    title = f"{label('flows_title', lang)} — {_place(_pick_region(df, region), lang)} {y}"
    return _finish(chart, title, label("flows_subtitle", lang))


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
    df = _frame(summary)
    d = df[df["metric"] == metric]
    if d.empty:
        raise ValueError(f"no results for metric {metric}")
    regions = list(dict.fromkeys(d["region"]))
    whole = _whole_region(df)
    keep = [r for r in regions if r != whole] or regions
    try:  # the region's own order of counties (the summary sorts them by id)
        ids = get_region(whole).county_ids
        keep.sort(key=lambda r: ids.index(r) if r in ids else len(ids))
    except ValueError:
        pass
    order = _scenario_order(d)
    d = d[d["region"].isin(keep)]
    names = {r: _place(r, lang) for r in keep}
    d = pd.DataFrame({"scenario": d["scenario"].astype(str), "year": d["year"],
                      "place": d["region"].map(names), "q10": d["q10"], "median": d["median"],
                      "q90": d["q90"]})
    fmt = _number_format(metric)
    inner = alt.layer(*_bands_over_years(label(metric, lang), lang, order, fmt),
                      data=d).properties(width=200, height=130)
    chart = inner.facet(facet=alt.Facet("place:N", title=None, sort=[names[r] for r in keep]),
                        columns=columns).resolve_scale(y="independent")
    title = f"{label(metric, lang)} — {label('by_county', lang)}"
    return _finish(chart, title, _band_subtitle(df, lang))


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
    order = _scenario_order(t)
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
    return _finish(chart, label("targets", lang), label("targets_subtitle", lang))


# -- Combining and exporting ------------------------------------------------------------------


def combine(*charts: alt.TopLevelMixin, columns: int | None = None) -> alt.TopLevelMixin:
    """Put charts side by side (or ``columns`` to a row), the font config moved to the top.

    ``a | b`` and ``a & b`` on this module's charts call this; each keeps its own colours.

    Parameters
    ----------
    *charts
        Charts returned by this module (or any Altair charts).
    columns
        Charts per row; default all in one row.

    Returns
    -------
    altair.ConcatChart or altair.HConcatChart
        The charts together.
    """
    bare = []
    for c in charts:
        c = c.copy(deep=False)
        c.config = alt.Undefined
        if isinstance(c, _Composable):  # back to the plain Altair class
            object.__setattr__(c, "__class__", type(c).__bases__[1])
        bare.append(c)
    out = alt.concat(*bare, columns=columns) if columns else alt.hconcat(*bare)
    # Each chart keeps its own colours and legend (scenarios in one, layers in another).
    out = out.resolve_scale(color="independent", opacity="independent").configure(
        font=FONT).configure_view(stroke=None)
    object.__setattr__(out, "__class__", _composable(type(out)))
    return out


def _no_cjk_font() -> bool:
    # True only where fontconfig says so; without fc-list (e.g. Windows) we cannot tell.
    exe = shutil.which("fc-list")
    try:
        return exe is not None and not subprocess.run(
            [exe, ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return False


def _register(font_dir: str | os.PathLike | None) -> None:
    if font_dir is not None:
        import vl_convert

        vl_convert.register_font_directory(str(font_dir))


def save_svg(chart: alt.TopLevelMixin, path: str | os.PathLike,
             font_dir: str | os.PathLike | None = None) -> None:
    """Write ``chart`` as SVG (text stays text, so any viewer with a CJK font shows it).

    Parameters
    ----------
    chart
        Any Altair chart.
    path
        The ``.svg`` file to write.
    font_dir
        A folder of font files to use as well (e.g. a copied ``NotoSansCJK``), for machines
        without a Chinese system font.
    """
    _register(font_dir)
    chart.save(os.fspath(path), format="svg")


def save_png(chart: alt.TopLevelMixin, path: str | os.PathLike, scale: float = 2.0,
             font_dir: str | os.PathLike | None = None) -> None:
    """Write ``chart`` as PNG, rendered by vl-convert with the installed fonts.

    Chinese needs a CJK font on this machine (e.g. ``apt-get install fonts-noto-cjk``) or in
    ``font_dir``; without one, a warning is given and Chinese characters show as boxes.

    Parameters
    ----------
    chart
        Any Altair chart.
    path
        The ``.png`` file to write.
    scale
        Pixels per chart unit (2 for sharp slides).
    font_dir
        A folder of font files to use as well.
    """
    _register(font_dir)
    if font_dir is None and _no_cjk_font():
        warnings.warn("no Chinese font is installed (fc-list :lang=zh is empty): Chinese text "
                      "will show as boxes; install fonts-noto-cjk or pass font_dir",
                      stacklevel=2)
    chart.save(os.fspath(path), format="png", scale_factor=scale)
