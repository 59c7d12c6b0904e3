"""What every chart shares: data preparation, fonts, titles, tooltips and combining charts.

The names here are public because every chart module uses them (:mod:`.time_charts`,
:mod:`.structure_charts`, :mod:`.analysis_charts`); users want :mod:`fazhi_sim.views.charts`.

Each chart carries a ``config`` that names CJK fonts (:data:`FONT`), so Chinese renders when
exported. Altair refuses to concatenate charts that carry a config, so :func:`finish` makes
``a | b`` and ``a & b`` go through :func:`combine`, which moves the config to the top.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import altair as alt
import numpy as np
import pandas as pd

from ..engine.metrics import COUNT_METRICS, is_share
from ..engine.region import get_region
from ..experiments.ensemble import bands
from .i18n import label, region_label

__all__ = ["FONT", "WIDTH", "HEIGHT", "scenario_order", "as_summary", "whole_region",
           "pick_region", "place_name", "select_metrics", "only_scenario", "pick_year",
           "is_share", "number_format", "finish", "combine", "tooltips", "band_subtitle",
           "scenario_color", "bands_over_years"]

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
"""Font list in every chart's config: the first one installed is used."""

WIDTH, HEIGHT = 440, 260
"""Size of a single-panel chart."""


# -- Preparing data ---------------------------------------------------------------------------


def scenario_order(df: pd.DataFrame) -> list[str]:
    """Scenario names in the frame's order (a categorical column's category order)."""
    col = df["scenario"]
    if isinstance(col.dtype, pd.CategoricalDtype):
        present = set(col.astype(str))
        return [str(c) for c in col.cat.categories if str(c) in present]
    return [str(s) for s in dict.fromkeys(col)]


def as_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Any yearly result as a summary: scenario, year, region, metric, q10, median, q90, ...

    A summary passes through; per-run values (``Ensemble.runs``, ``simulate()``) are banded
    over replicates. A frame without a scenario column takes ``df.attrs["scenario"]``.
    """
    if "month" in df.columns:
        raise ValueError("charts take yearly results; run simulate() with freq='year'")
    df = df.copy()
    if "scenario" not in df.columns:
        df.insert(0, "scenario", str(df.attrs.get("scenario", "scenario")))
    order = scenario_order(df)
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


def whole_region(df: pd.DataFrame) -> str:
    """The region of the frame that holds the others (the default region of a chart)."""
    # A shipped region with several counties, else the one whose population is the sum of
    # the others' (a made-up region), else the last one.
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


def pick_region(df: pd.DataFrame, region: str | None) -> str:
    """The region id to show: ``region`` (an id or alias) or the whole region if None.

    Raises
    ------
    ValueError
        If the frame has no results for that region.
    """
    regions = list(dict.fromkeys(df["region"]))
    if region is None:
        return whole_region(df)
    if region not in regions:
        try:
            region = get_region(region).id  # an alias such as 诸暨
        except ValueError:
            pass
    if region not in regions:
        raise ValueError(f"no results for region {region!r}; regions: {', '.join(regions)}")
    return region


def place_name(region: str, lang: str) -> str:
    """A region's name in ``lang``; a made-up region keeps its id."""
    try:
        return region_label(region, lang)
    except ValueError:
        return region


def select_metrics(df: pd.DataFrame, metrics: Sequence[str], region: str | None
                   ) -> pd.DataFrame:
    """Rows of ``metrics`` in one region (see :func:`pick_region`); every metric must be there."""
    missing = sorted(set(metrics) - set(df["metric"]))
    if missing:
        raise ValueError(f"no results for metric(s) {', '.join(missing)}")
    return df[df["metric"].isin(metrics) & (df["region"] == pick_region(df, region))]


def only_scenario(df: pd.DataFrame, scenario: str | None) -> pd.DataFrame:
    """Rows of one scenario, or all of them if None; an unknown name is an error."""
    if scenario is None:
        return df
    if scenario not in scenario_order(df):
        raise ValueError(f"unknown scenario {scenario!r}; scenarios: "
                         + ", ".join(scenario_order(df)))
    return df[df["scenario"] == scenario]


def pick_year(df: pd.DataFrame, year: int | None) -> int:
    """``year`` if the frame has it, or the last year if None."""
    years = sorted(set(int(y) for y in df["year"]))
    if year is None:
        return years[-1]
    if int(year) not in years:
        raise ValueError(f"no results for year {year}; years: {years[0]}-{years[-1]}")
    return int(year)


def number_format(metric: str) -> str:
    """d3 format of a metric's values: percent, whole counts, or two decimals."""
    return ".1%" if is_share(metric) else ",.0f" if metric in COUNT_METRICS else ",.2f"


# -- Finishing and combining ------------------------------------------------------------------


class _Composable:
    """Makes ``a | b`` and ``a & b`` work on charts that carry a config (see combine)."""

    def __or__(self, other: alt.TopLevelMixin) -> alt.TopLevelMixin:
        return combine(self, other)  # type: ignore[arg-type]

    def __and__(self, other: alt.TopLevelMixin) -> alt.TopLevelMixin:
        return combine(self, other, columns=1)  # type: ignore[arg-type]


@cache
def _composable(cls: type) -> type:
    return type(cls.__name__, (_Composable, cls), {"__module__": cls.__module__})


def finish(chart: alt.TopLevelMixin, title: str, subtitle: str | None = None
           ) -> alt.TopLevelMixin:
    """Add the title and the font config, and make ``|`` and ``&`` go through :func:`combine`."""
    heading = alt.Title(title, subtitle=subtitle or alt.Undefined, anchor="start")
    out = chart.properties(title=heading).configure(font=FONT).configure_view(
        stroke=None).configure_title(fontSize=15, subtitleFontSize=11, subtitleColor="#555")
    object.__setattr__(out, "__class__", _composable(type(out)))  # SchemaBase keeps attrs
    return out


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


# -- Shared encodings -------------------------------------------------------------------------


def tooltips(lang: str, keys: Sequence[str], fmt: str, value: str = "median",
             value_title: str = "median") -> list[alt.Tooltip]:
    """Tooltips naming ``keys``, then the value and its 10-90% band in ``fmt``."""
    tips = [alt.Tooltip(f"{k}:{'O' if k == 'year' else 'N'}", title=label(k, lang)) for k in keys]
    return tips + [alt.Tooltip(f"{f}:Q", title=label(t, lang), format=fmt)
                   for f, t in ((value, value_title), ("q10", "q10"), ("q90", "q90"))]


def band_subtitle(df: pd.DataFrame, lang: str) -> str:
    """The subtitle of a banded chart: how many runs the band is over, or a single run."""
    n = int(df["n"].max()) if "n" in df.columns and len(df) else 1
    return label("band_subtitle", lang).format(n=n) if n > 1 else label("single_run", lang)


def scenario_color(order: list[str], lang: str) -> alt.Color:
    """One colour per scenario, in ``order``."""
    # Full opacity: the legend merges the band's and the line's symbols.
    return alt.Color("scenario:N", title=label("scenario", lang), sort=order,
                     scale=alt.Scale(domain=order, scheme="tableau10"),
                     legend=alt.Legend(symbolOpacity=1, symbolType="circle"))


def bands_over_years(y_title: str, lang: str, order: list[str], fmt: str
                     ) -> list[alt.Chart]:
    """A 10-90% band and a median line per scenario over the years, without data."""
    # Without data: callers layer these with the data, so extra layers may bring their own.
    base = alt.Chart().encode(
        x=alt.X("year:O", title=label("year", lang), axis=alt.Axis(labelAngle=0)))
    band = base.mark_area(opacity=0.18).encode(y="q10:Q", y2="q90:Q",
                                               color=scenario_color(order, lang))
    tooltip = tooltips(lang, ["scenario", "year"], fmt)
    line = base.mark_line(point=True).encode(
        y=alt.Y("median:Q", title=y_title, scale=alt.Scale(zero=False),
                axis=alt.Axis(format=fmt.replace(".1%", ".1~%").replace(",.2f", ",~f"))),
        color=scenario_color(order, lang), tooltip=tooltip)
    return [band, line]
