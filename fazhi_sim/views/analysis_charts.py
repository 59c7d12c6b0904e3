"""Charts of analysis results: the sensitivity tornado and the calibration fit.

The analysis modules compute (:mod:`fazhi_sim.analysis.sensitivity`,
:mod:`fazhi_sim.analysis.calibration`); these functions draw what they return.

Example::

    from fazhi_sim.analysis.fit_targets import check_fit
    from fazhi_sim.analysis.sensitivity import sensitivity
    from fazhi_sim.views.analysis_charts import fit_chart, tornado

    tornado(sensitivity(["online_court", "legal_aid_coverage"]), "lawsuits_per_10k")
    fit_chart(check_fit())            # or fit_chart(calibrate()) for a new calibration
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from .chart_base import finish
from .i18n import check_lang, label

__all__ = ["tornado", "fit_chart"]

_TEXT = {
    "factor": ("因素", "Factor"),
    "mu_star": ("平均绝对基本效应 μ*", "Mean absolute elementary effect μ*"),
    "ST": ("总效应指数 ST", "Total-order index ST"),
    "S1": ("一阶指数 S1", "First-order index S1"),
    "tornado_title": ("{metric}:敏感性排序", "{metric}: sensitivity ranking"),
    "morris_subtitle": ("Morris 筛选,{n} 条轨迹;误差线为 95% 置信区间",
                        "Morris screening, {n} trajectories; whiskers: 95% confidence"),
    "sobol_subtitle": ("Sobol 指数,{n} 个基础样本;条为总效应,点为一阶效应",
                       "Sobol indices, {n} base samples; bar: total order, dot: first order"),
}


def _t(key: str, lang: str) -> str:
    pair = _TEXT.get(key)
    return pair[check_lang(lang)] if pair else label(key, lang)


def tornado(ranking: pd.DataFrame, metric: str, lang: str = "zh", top: int | None = 15
            ) -> alt.TopLevelMixin:
    """Tornado chart of a sensitivity ranking: one bar per factor, largest on top.

    Parameters
    ----------
    ranking
        The DataFrame :func:`~fazhi_sim.analysis.sensitivity.sensitivity` returns.
    metric
        The outcome to show.
    lang
        ``"zh"`` (default) or ``"en"``.
    top
        Show at most this many factors (None: all).

    Returns
    -------
    altair.LayerChart
        Bars of mu_star (Morris) or ST with S1 dots (Sobol), with 95% whiskers.
    """
    check_lang(lang)
    df = ranking[ranking.metric == metric].copy()
    if df.empty:
        raise ValueError(f"no rows for metric {metric!r}; metrics: "
                         + ", ".join(ranking.metric.unique()))
    if top is not None:
        df = df.nsmallest(top, "rank")
    morris = "mu_star" in df.columns and df["mu_star"].notna().any()
    key = "mu_star" if morris else "ST"
    df["label"] = [label(f, lang) for f in df.factor]
    df["lo"] = (df[key] - df[f"{key}_conf"]).clip(lower=0)
    df["hi"] = df[key] + df[f"{key}_conf"]
    order = df.sort_values("rank").label.tolist()
    y = alt.Y("label:N", sort=order, title=_t("factor", lang))
    base = alt.Chart(df)
    tips = [alt.Tooltip("label:N", title=_t("factor", lang)),
            alt.Tooltip(f"{key}:Q", title=_t(key, lang), format=",.3g")]
    layers = [base.mark_bar(color="#4c78a8").encode(
                  x=alt.X(f"{key}:Q", title=_t(key, lang)), y=y, tooltip=tips),
              base.mark_rule(color="#333").encode(x="lo:Q", x2="hi:Q", y=y)]
    if not morris:
        layers.append(base.mark_point(color="#e45756", filled=True).encode(
            x="S1:Q", y=y, tooltip=[alt.Tooltip("S1:Q", title=_t("S1", lang), format=".3f")]))
    size = ranking.attrs.get("size", "?")
    subtitle = _t("morris_subtitle" if morris else "sobol_subtitle", lang).format(n=size)
    title = _t("tornado_title", lang).format(metric=label(metric, lang))
    return finish(alt.layer(*layers).properties(width=420, height=alt.Step(22)), title,
                   subtitle)


def fit_chart(result: Any) -> alt.FacetChart:
    """Target against model, one small panel per figure.

    Each panel shows the reported value with a +/- 1 sd bar (black) and the model's median
    with its 10-90% band across replicates (coloured by use: fit or holdout).

    Parameters
    ----------
    result
        A :class:`~fazhi_sim.analysis.calibration.Calibration`, or its ``table()`` (e.g. from
        :func:`~fazhi_sim.analysis.fit_targets.check_fit`).

    Returns
    -------
    altair.FacetChart
        The chart (``.save("fit.html")`` or display in a notebook).
    """
    t = result.table() if hasattr(result, "table") else result
    t = t.copy()
    t["lo"], t["hi"] = t.value - t.sd, t.value + t.sd
    reported = t.assign(what="reported (value, ±1 sd)", y=t.value, y_lo=t.lo, y_hi=t.hi)
    model = t.assign(what="model (median, 10–90%)", y=t["median"], y_lo=t.q10, y_hi=t.q90)
    df = pd.concat([reported, model], ignore_index=True)[
        ["id", "use", "unit", "what", "y", "y_lo", "y_hi", "residual"]]
    base = alt.Chart(df).encode(
        x=alt.X("what:N", title=None, axis=alt.Axis(labels=False, ticks=False)),
        color=alt.Color("what:N", title=None,
                        scale=alt.Scale(range=["#1f77b4", "#333333"])),
        tooltip=["id", "use", "what", alt.Tooltip("y:Q", format=".3~f"),
                 alt.Tooltip("y_lo:Q", format=".3~f"), alt.Tooltip("y_hi:Q", format=".3~f"),
                 alt.Tooltip("residual:Q", format="+.2f", title="residual (sd)")],
    )
    layer = alt.layer(
        base.mark_rule(strokeWidth=2).encode(
            y=alt.Y("y_lo:Q", title=None, scale=alt.Scale(zero=False)), y2="y_hi:Q"),
        base.mark_point(filled=True, size=70).encode(
            y="y:Q", shape=alt.Shape("use:N", title="use")),
    ).properties(width=110, height=140)
    return layer.facet(facet=alt.Facet("id:N", title=None), columns=4).resolve_scale(
        y="independent")
