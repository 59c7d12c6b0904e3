"""Historical actuals (实际数) beside the simulated trajectories.

The figures live in ``fazhi_sim/data/actuals.csv``, each with its scope (a Shaoxing county,
Zhejiang province or China) and its source. None is a Shaoxing city-wide series: the points
are shown as context for the level, labelled with where they come from, never as a target
the model was fitted to match year by year.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import altair as alt
import pandas as pd

from ..engine.metrics import COUNT_METRICS
from .i18n import label

__all__ = ["actuals", "with_actuals", "from_zero"]


@cache
def _rows() -> tuple[dict[str, str], ...]:
    text = resources.files("fazhi_sim").joinpath("data/actuals.csv").read_text("utf-8")
    return tuple(csv.DictReader(text.splitlines()))


def actuals(metric: str | None = None) -> pd.DataFrame:
    """The shipped actual figures, optionally of one metric.

    Parameters
    ----------
    metric
        A metric id, or None for all.

    Returns
    -------
    pandas.DataFrame
        Columns metric, year (int), value (float), scope, scope_zh, level (county,
        provincial or national), definition and source.
    """
    df = pd.DataFrame(list(_rows()))
    df["year"], df["value"] = df["year"].astype(int), df["value"].astype(float)
    return df if metric is None else df[df["metric"] == metric].reset_index(drop=True)


def _point_label(row: pd.Series, lang: str) -> str:
    where = row["scope_zh"] if lang == "zh" else row["scope"].split(" (")[0]
    kind = label(f"actual_{row['level']}", lang)
    return label("actual_point", lang).format(where=where, kind=kind, year=row["year"])


def from_zero(chart: alt.TopLevelMixin, metric: str) -> alt.TopLevelMixin:
    """``chart`` (a trajectories chart) with its y axis from zero when ``metric`` is a count."""
    if metric not in COUNT_METRICS or not hasattr(chart, "layer"):
        return chart
    out = chart.copy(deep=True)
    for layer in out.layer:
        y = getattr(layer.encoding, "y", alt.Undefined)
        if y is not alt.Undefined and y.to_dict().get("field") == "median":
            y.scale = alt.Scale(zero=True)
    return out


def with_actuals(chart: alt.TopLevelMixin, metric: str, lang: str = "zh"
                 ) -> alt.TopLevelMixin:
    """A trajectories chart with the metric's actual figures as labelled points.

    Parameters
    ----------
    chart
        :func:`fazhi_sim.views.charts.trajectories` of ``metric`` (x: year, ordinal).
    metric
        Its metric id.
    lang
        ``"zh"`` (default) or ``"en"``.

    Returns
    -------
    altair.LayerChart
        The chart unchanged when there is no actual figure of ``metric``; else with one
        black diamond per figure, a shape legend naming where and when each comes from
        (实际数, and whether it is a county's, the province's or the national figure), and
        the source in the tooltip.
    """
    act = actuals(metric)
    if act.empty:
        return chart
    d = pd.DataFrame({"year": act["year"], "median": act["value"],
                      "point": [_point_label(r, lang) for _, r in act.iterrows()],
                      "source": act["source"], "definition": act["definition"]})
    fmt = ".1%" if metric.endswith(("_share", "_rate")) else ",.1f"
    points = alt.Chart(d).mark_point(shape="diamond", size=120, filled=True,
                                     color="black").encode(
        x="year:O", y="median:Q",
        shape=alt.Shape("point:N", title=label("actual", lang),
                        legend=alt.Legend(labelLimit=420),
                        scale=alt.Scale(range=["diamond", "square", "triangle-up"])),
        tooltip=[alt.Tooltip("point:N", title=label("actual", lang)),
                 alt.Tooltip("median:Q", title=label(metric, lang), format=fmt),
                 alt.Tooltip("definition:N", title=label("detail", lang)),
                 alt.Tooltip("source:N", title=label("source", lang))])
    base = chart.copy(deep=False)
    title, config = base.title, base.config
    base.title, base.config = alt.Undefined, alt.Undefined
    out = alt.layer(base, points)
    out.title, out.config = title, config
    return out
