"""Counties side by side: a tile map and small multiples of the six counties of Shaoxing.

Both charts take a tidy frame of a whole-city run: :func:`fazhi_sim.simulate` with
``region="shaoxing"`` (columns year, region, metric, value), ``Ensemble.runs``,
``Ensemble.summary()`` or ``Ensemble.compare()``. The tile map puts one square per county
where the county roughly lies (positions in ``fazhi_sim/data/county_tiles.csv``: schematic,
not a map) and colours it by a chosen outcome, its level or its change against the baseline.
Clicking a tile selects that county (an Altair ``selection_point`` on the ``county`` field,
named :data:`SELECTION`); :func:`county_view` links the selection to the small multiples so
the picked county stands out there too.

Examples
--------
>>> df = fazhi_sim.simulate("baseline", region="shaoxing", seed=1)   # doctest: +SKIP
>>> tile_map(df, "lawsuits_per_10k")                                  # doctest: +SKIP
>>> ens = fazhi_sim.run_ensemble(["baseline", "plan-2025"], region="shaoxing")  # doctest: +SKIP
>>> county_view(ens.summary(), "petitions", change=True)              # doctest: +SKIP
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import cache
from importlib import resources

import altair as alt
import pandas as pd

from ..engine.metrics import COUNT_METRICS
from .chart_base import (
    as_summary,
    band_subtitle,
    bands_over_years,
    combine,
    finish,
    number_format,
    pick_year,
    scenario_order,
)
from .i18n import check_lang, label, region_label

__all__ = ["SELECTION", "county_tiles", "county_values", "tile_map", "county_multiples",
           "county_view"]

SELECTION = "county_pick"
"""Name of the selection parameter: the picked county's id is in its ``county`` field."""

TILE = 110
"""Side of one tile in pixels."""


@cache
def _tiles() -> tuple[tuple[str, float, float], ...]:
    text = resources.files("fazhi_sim").joinpath("data/county_tiles.csv").read_text("utf-8")
    return tuple((r["id"], float(r["col"]), float(r["row"]))
                 for r in csv.DictReader(text.splitlines()))


def county_tiles(lang: str = "zh") -> pd.DataFrame:
    """Where each county's tile goes: county id, name, column (west to east), row (north to south).

    Parameters
    ----------
    lang
        ``"zh"`` (default) or ``"en"`` for the names.

    Returns
    -------
    pandas.DataFrame
        Columns ``county``, ``name``, ``col``, ``row``, one row per county of Shaoxing.
    """
    check_lang(lang)
    return pd.DataFrame([{"county": cid, "name": region_label(cid, lang), "col": col,
                          "row": row} for cid, col, row in _tiles()])


def _is_compare(df: pd.DataFrame) -> bool:
    return "baseline" in df.columns and "median" in df.columns


def _changes(df: pd.DataFrame, scenario: str | None) -> tuple[pd.DataFrame, str]:
    """Rows of one scenario's change against the baseline, and that scenario's name."""
    order = scenario_order(df)
    if _is_compare(df):  # Ensemble.compare(): paired changes already
        base = str(df["baseline"].iloc[0])
        others = [s for s in order if s != base]
    else:
        base, others = order[0], order[1:]
    if scenario is None:
        if not others:
            raise ValueError("a change needs a scenario besides the baseline "
                             f"({base!r}); the frame has only {base!r}")
        scenario = others[0]
    if scenario not in others:
        raise ValueError(f"no change for scenario {scenario!r}; scenarios: {', '.join(others)}")
    if _is_compare(df):
        return df[df["scenario"] == scenario], scenario
    # Medians subtracted, as unpaired results allow; no band for the difference.
    keys = ["year", "region", "metric"]
    this = df[df["scenario"] == scenario].set_index(keys)
    ref = df[df["scenario"] == base].set_index(keys)["median"]
    out = this.assign(median=this["median"] - ref.reindex(this.index).to_numpy())
    out[["q10", "q90"]] = float("nan")
    return out.reset_index(), scenario


def county_values(df: pd.DataFrame, metric: str, year: int | None = None,
                  scenario: str | None = None, change: bool = False) -> pd.DataFrame:
    """One value per county of ``metric`` in ``year``: the level, or the change vs baseline.

    Parameters
    ----------
    df
        Results of a whole-Shaoxing run: per-run values (``simulate()``, ``Ensemble.runs``),
        ``Ensemble.summary()`` or ``Ensemble.compare()``.
    metric
        A metric id, e.g. ``"lawsuits_per_10k"``.
    year
        Default the last year.
    scenario
        Default the first scenario for a level and the first non-baseline one for a change.
    change
        If True, the scenario minus the baseline (the first scenario): paired per replicate
        when ``df`` comes from ``Ensemble.compare()``, else the difference of the medians.
        A compare frame always gives changes.

    Returns
    -------
    pandas.DataFrame
        Columns ``county``, ``scenario``, ``year``, ``median``, ``q10``, ``q90`` (NaN where
        there is no band), one row per county in :func:`county_tiles` that has results.

    Raises
    ------
    ValueError
        If the frame has no results for the metric, the year, the scenario or any county.
    """
    d = as_summary(df)
    d = d[d["metric"] == metric]
    if d.empty:
        raise ValueError(f"no results for metric {metric}")
    if change or _is_compare(d):
        d, scenario = _changes(d, scenario)
    else:
        order = scenario_order(d)
        scenario = scenario or order[0]
        if scenario not in order:
            raise ValueError(f"unknown scenario {scenario!r}; scenarios: {', '.join(order)}")
        d = d[d["scenario"] == scenario]
    year = pick_year(d, year)
    ids = [t[0] for t in _tiles()]
    d = d[(d["year"] == year) & d["region"].isin(ids)]
    if d.empty:
        raise ValueError("no county results: run the whole city (region='shaoxing'); counties: "
                         + ", ".join(ids))
    return pd.DataFrame({"county": d["region"].astype(str), "scenario": str(scenario),
                         "year": year, "median": d["median"].astype(float),
                         "q10": d["q10"].astype(float), "q90": d["q90"].astype(float)}
                        ).reset_index(drop=True)


def _ink(values: pd.Series, diverging: bool) -> pd.Series:
    """White text on the darkest tiles, black elsewhere, so every label stays readable."""
    v = values.astype(float)
    if diverging:
        top = float(v.abs().max()) or 1.0
        dark = v.abs() / top > 0.6
    else:
        span = float(v.max() - v.min()) or 1.0
        dark = (v - v.min()) / span > 0.65
    return dark.map({True: "white", False: "black"})


def _selection() -> alt.Parameter:
    return alt.selection_point(name=SELECTION, fields=["county"], on="click",
                               clear="dblclick", empty=True)


def tile_map(df: pd.DataFrame, metric: str, year: int | None = None,
             scenario: str | None = None, change: bool = False, lang: str = "zh",
             select: bool = True, titles: Mapping[str, str] | None = None
             ) -> alt.LayerChart:
    """The six counties as tiles laid out roughly as they lie, coloured by ``metric``.

    Parameters
    ----------
    df, metric, year, scenario, change
        As :func:`county_values`.
    lang
        ``"zh"`` (default) or ``"en"``.
    select
        If True, clicking a tile selects the county (parameter :data:`SELECTION`, field
        ``county``); a double click clears it.
    titles
        Scenario id to the name a reader sees (``Scenario.display_title``); default the ids.

    Returns
    -------
    altair.LayerChart
        Coloured squares with the county's name and value; the tooltip gives the name, the
        value and its 10–90% band where there is one.
    """
    check_lang(lang)
    vals = county_values(df, metric, year, scenario, change)
    d = county_tiles(lang).merge(vals, on="county")
    d["x2"], d["y2"] = d["col"] + 0.94, d["row"] + 0.94
    d["xm"], d["ym"] = d["col"] + 0.47, d["row"] + 0.47
    d["ink"] = _ink(d["median"], diverging=change or _is_compare(df))
    fmt = number_format(metric)
    if change and fmt == ".1%":
        fmt = "+.1%"
    elif change:
        fmt = "+" + fmt
    # A symmetric domain: a tile's shade then grows with |change| exactly as _ink assumes (a
    # domain of only falls, with its middle at 0 outside it, shades tiles unpredictably).
    top = float(d["median"].abs().max()) or 1.0
    scale = (alt.Scale(scheme="blueorange", domain=[-top, top], domainMid=0)
             if change or _is_compare(df) else alt.Scale(scheme="oranges", zero=False))
    value_title = label("vs_baseline_change", lang) if change or _is_compare(df) else label(
        metric, lang)
    cols, rows = float(d["x2"].max()), float(d["y2"].max())
    x = alt.X("col:Q", axis=None, scale=alt.Scale(domain=[0, cols], nice=False))
    y = alt.Y("row:Q", axis=None, scale=alt.Scale(domain=[0, rows], nice=False, reverse=True))
    tips = [alt.Tooltip("name:N", title=label("county_name", lang)),
            alt.Tooltip("median:Q", title=value_title, format=fmt)]
    if d["q10"].notna().any():
        tips += [alt.Tooltip(f"{q}:Q", title=label(q, lang), format=fmt) for q in ("q10", "q90")]
    base = alt.Chart(d)
    rect = base.mark_rect(stroke="white", strokeWidth=2, cornerRadius=4).encode(
        x=x, x2="x2:Q", y=y, y2="y2:Q", tooltip=tips,
        color=alt.Color("median:Q", title=value_title, scale=scale,
                        legend=alt.Legend(format=fmt, orient="bottom", gradientLength=240)))
    ink = alt.Color("ink:N", scale=None)
    name = base.mark_text(fontSize=14, fontWeight="bold", dy=-9).encode(
        x="xm:Q", y="ym:Q", text="name:N", tooltip=tips, color=ink)
    value = base.mark_text(fontSize=13, dy=11).encode(
        x="xm:Q", y="ym:Q", text=alt.Text("median:Q", format=fmt), tooltip=tips, color=ink)
    if select:
        sel = _selection()
        rect = rect.add_params(sel).encode(
            opacity=alt.condition(sel, alt.value(1.0), alt.value(0.35)))
    chart = alt.layer(rect, name, value).properties(width=int(TILE * cols),
                                                     height=int(TILE * rows))
    what = label("vs_baseline_change", lang) if change or _is_compare(df) else label(
        "level_of", lang)
    sc = str(vals["scenario"].iloc[0])
    sc = (titles or {}).get(sc, sc)
    subtitle = label("tile_subtitle", lang).format(year=int(vals["year"].iloc[0]),
                                                   scenario=sc, what=what)
    return finish(chart, f"{label(metric, lang)} — {label('by_county', lang)}", subtitle)


def county_multiples(df: pd.DataFrame, metric: str, lang: str = "zh", columns: int = 3,
                     linked: bool = False, width: int = 220, height: int = 140,
                     titles: Mapping[str, str] | None = None) -> alt.FacetChart:
    """One small panel per county: each scenario's median and 10–90% band over the years.

    Parameters
    ----------
    df
        As :func:`county_values` (a compare frame draws the changes).
    metric
        A metric id.
    lang
        ``"zh"`` (default) or ``"en"``.
    columns
        Panels per row.
    linked
        If True, the panels listen to the tile map's selection (:data:`SELECTION`): the
        picked county stays dark, the others fade. Only meaningful inside :func:`county_view`.
    width, height
        Size of one panel in pixels.
    titles
        As :func:`tile_map`: the legend shows these names.

    Returns
    -------
    altair.FacetChart
        Panels in the order of :func:`county_tiles`, sharing one y scale so levels compare.
    """
    check_lang(lang)
    d = as_summary(df)
    d = d[d["metric"] == metric]
    tiles = county_tiles(lang)
    d = d[d["region"].isin(tiles["county"])]
    if d.empty:
        raise ValueError(f"no county results for metric {metric}: run the whole city "
                         "(region='shaoxing')")
    names = dict(zip(tiles["county"], tiles["name"], strict=True))
    shown = dict(titles or {})
    order = [shown.get(s, s) for s in scenario_order(d)]
    d = pd.DataFrame({"scenario": d["scenario"].astype(str).map(lambda s: shown.get(s, s)),
                      "year": d["year"],
                      "county": d["region"].astype(str), "place": d["region"].map(names),
                      "q10": d["q10"], "median": d["median"], "q90": d["q90"]})
    what = label(metric, lang) + (f" {label('vs_baseline_change', lang)}" if _is_compare(df)
                                  else "")
    layers = bands_over_years(what, lang, order, number_format(metric))
    if metric in COUNT_METRICS and not _is_compare(df):  # counts from zero; changes around it
        line = layers[1].copy(deep=True)
        line.encoding.y.scale = alt.Scale(zero=True)
        layers[1] = line
    if linked:
        layers = [layer.encode(opacity=alt.condition(alt.param(SELECTION, empty=True),
                                                     alt.value(1.0), alt.value(0.25)))
                  for layer in layers]
        layers[0] = layers[0].encode(opacity=alt.condition(
            alt.param(SELECTION, empty=True), alt.value(0.18), alt.value(0.05)))
    inner = alt.layer(*layers, data=d).properties(width=width, height=height)
    chart = inner.facet(facet=alt.Facet("place:N", title=None,
                                        sort=[names[c] for c in tiles["county"]]),
                        columns=columns)
    return finish(chart, f"{what} — {label('by_county', lang)}",
                  band_subtitle(as_summary(df), lang))


def county_view(df: pd.DataFrame, metric: str, year: int | None = None,
                scenario: str | None = None, change: bool = False, lang: str = "zh",
                columns: int = 3, titles: Mapping[str, str] | None = None
                ) -> alt.HConcatChart:
    """The tile map beside the small multiples; a county clicked on the map stands out in both.

    Parameters
    ----------
    df, metric, year, scenario, change
        As :func:`county_values`; the small multiples show every scenario of ``df``.
    lang
        ``"zh"`` (default) or ``"en"``.
    columns
        Small-multiple panels per row.
    titles
        As :func:`tile_map`.

    Returns
    -------
    altair.HConcatChart
        Map and panels; the selection parameter :data:`SELECTION` lives in the map.
    """
    tiles = tile_map(df, metric, year, scenario, change, lang, titles=titles)
    panels = county_multiples(df, metric, lang, columns=columns, linked=True, titles=titles)
    return combine(tiles, panels)
