"""Charts over the years: each scenario's median with its band, and paired differences."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..engine.metrics import COUNT_METRICS
from .chart_base import (
    HEIGHT,
    WIDTH,
    as_summary,
    band_subtitle,
    bands_over_years,
    finish,
    is_share,
    number_format,
    pick_region,
    place_name,
    scenario_order,
    select_metrics,
)
from .i18n import check_lang, label

__all__ = ["trajectories", "difference", "trajectory_data", "difference_data"]


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
    df = as_summary(summary)
    order = scenario_order(select_metrics(df, [metric], region))
    d = trajectory_data(df, metric, region)
    chart = alt.layer(*bands_over_years(label(metric, lang), lang, order,
                                         number_format(metric)),
                      data=d).properties(width=WIDTH, height=HEIGHT)
    title = f"{label(metric, lang)} — {place_name(pick_region(df, region), lang)}"
    return finish(chart, title, band_subtitle(df, lang))


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
    base_name, df = _without_baseline(compare_df)
    order = scenario_order(df)
    d = difference_data(compare_df, metric, region, percent)
    unit, fmt = "", ",.2f"
    if percent:
        unit, fmt = " (%)", "+.1f"
    elif is_share(metric):
        unit, fmt = f" ({label('pp', lang)})", "+.1f"
    elif metric in COUNT_METRICS:
        fmt = "+,.0f"
    y_title = f"{label('difference', lang)}{unit}"
    band, line = bands_over_years(y_title, lang, order, fmt)
    zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color="#333").encode(y="zero:Q")
    chart = alt.layer(band.properties(data=d), line.properties(data=d), zero).properties(
        width=WIDTH, height=HEIGHT)
    title = label("difference_title", lang).format(metric=label(metric, lang),
                                                   base=base_name or "baseline")
    title += f" — {place_name(pick_region(df, region), lang)}"
    return finish(chart, title, label("difference_subtitle", lang))


def trajectory_data(summary: pd.DataFrame, metric: str, region: str | None = None
                    ) -> pd.DataFrame:
    """The rows :func:`trajectories` draws: scenario, year, q10, median, q90."""
    d = select_metrics(as_summary(summary), [metric], region)
    return d[["scenario", "year", "q10", "median", "q90"]].assign(
        scenario=lambda x: x.scenario.astype(str))


def difference_data(compare_df: pd.DataFrame, metric: str, region: str | None = None,
                    percent: bool = False) -> pd.DataFrame:
    """The rows :func:`difference` draws: scenario, year, q10, median, q90.

    Shares change in percentage points (times 100) unless ``percent``.
    """
    _base, df = _without_baseline(compare_df)
    df = df.copy()
    df["region"] = df["region"].astype(str)
    df["metric"] = df["metric"].astype(str)
    d = select_metrics(df, [metric], region)
    cols = ["pct_q10", "pct_median", "pct_q90"] if percent else ["q10", "median", "q90"]
    d = pd.DataFrame({"scenario": d["scenario"].astype(str), "year": d["year"],
                      "q10": d[cols[0]], "median": d[cols[1]], "q90": d[cols[2]]})
    if not percent and is_share(metric):
        d[["q10", "median", "q90"]] *= 100
    return d


def _without_baseline(compare_df: pd.DataFrame) -> tuple[str | None, pd.DataFrame]:
    base_name = str(compare_df["baseline"].iloc[0]) if "baseline" in compare_df else None
    df = compare_df[compare_df["scenario"].astype(str) != base_name] if base_name else compare_df
    if df.empty:
        raise ValueError("only the baseline is in compare_df; compare at least two scenarios")
    return base_name, df
