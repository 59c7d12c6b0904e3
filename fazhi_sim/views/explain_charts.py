"""Chart of "why did it change": each pathway's part of a change, with its band.

Draws what :meth:`Ensemble.explain <fazhi_sim.Ensemble.explain>` returns: one horizontal
bar per pathway with a 10–90% rule, the total last, so a planner sees at a glance which
pathway carries the change and which pull the other way. As a waterfall (``waterfall=True``)
each bar starts where the one above it ended; drawn from means (``stat="mean"``), which add
up exactly, the last pathway ends where the total does.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .chart_base import finish
from .i18n import check_lang, label

__all__ = ["explain_chart", "explain_rows", "STATS"]

STATS = ("median", "mean")
"""Statistics a bar can show: medians (the tables' figure) or means (which add up)."""

_COLOURS = {"part": "#4c78a8", "up": "#f58518", "down": "#4c78a8", "total": "#e45756"}


def explain_chart(explained: pd.DataFrame, outcome: str = "lawsuits_per_10k",
                  scenario: str | None = None, lang: str = "zh", stat: str = "median",
                  waterfall: bool = False) -> alt.TopLevelMixin:
    """Bars of each pathway's part of the change of ``outcome`` for one scenario and year.

    Parameters
    ----------
    explained
        :meth:`Ensemble.explain <fazhi_sim.Ensemble.explain>` for one year and region
        (rows may be left out, e.g. pathways that did not move).
    outcome
        ``"lawsuits_per_10k"``, ``"filings_per_10k"`` or ``"petitions"``.
    scenario
        The scenario shown (default: the first in ``explained``).
    lang
        ``"zh"`` (default) or ``"en"``.
    stat
        ``"median"`` (default) or ``"mean"``: the figure each bar shows. Means of the
        pathways add up to the mean total; medians need not.
    waterfall
        Start each pathway's bar where the previous one ended (its 10–90% rule is placed
        from the same start) and write its value beside it; the total starts at zero.

    Returns
    -------
    altair.LayerChart
        Horizontal bars, one per pathway and the total, with their 10–90% rules.
    """
    name = scenario or str(explained.scenario.iloc[0])
    df = explain_rows(explained, outcome, name, lang, stat, waterfall)
    y = alt.Y("label:N", sort=list(df.label), title=label("pathway", lang))
    x_title = f"{label(outcome, lang)} {label('change', lang)}"
    base = alt.Chart(df)
    bars = base.mark_bar().encode(
        x=alt.X("start:Q", title=x_title), x2="end:Q", y=y,
        color=alt.Color("kind:N", legend=None, scale=alt.Scale(
            domain=list(_COLOURS), range=list(_COLOURS.values()))),
        tooltip=[alt.Tooltip("label:N", title=label("pathway", lang)),
                 alt.Tooltip("value:Q", title=label(stat, lang), format="+.2f"),
                 alt.Tooltip("q10:Q", title=label("q10", lang), format="+.2f"),
                 alt.Tooltip("q90:Q", title=label("q90", lang), format="+.2f"),
                 alt.Tooltip("share_of_total:Q", title=label("share_of_change", lang),
                             format=".0%")])
    layers = [bars, base.mark_rule(color="black").encode(x="low:Q", x2="high:Q", y=y)]
    if waterfall:
        layers.append(base.mark_text(align="left", dx=4, fontSize=11).encode(
            x="right:Q", y=y, text=alt.Text("value:Q", format="+.2f")))
    title = f"{label('explain', lang)}: {label(outcome, lang)} ({name})"
    note = label("explain_mean_note" if stat == "mean" else "explain_note", lang)
    return finish(alt.layer(*layers), title, note)


def explain_rows(explained: pd.DataFrame, outcome: str = "lawsuits_per_10k",
                 scenario: str | None = None, lang: str = "zh", stat: str = "median",
                 waterfall: bool = False) -> pd.DataFrame:
    """The rows :func:`explain_chart` draws (its one dataset), arguments as there."""
    check_lang(lang)
    if stat not in STATS:
        raise ValueError(f"stat must be one of {', '.join(STATS)}, not {stat!r}")
    name = scenario or str(explained.scenario.iloc[0])
    return _bars(explained[(explained.scenario == name) & (explained.outcome == outcome)],
                 stat, waterfall, lang)


def _bars(df: pd.DataFrame, stat: str, waterfall: bool, lang: str) -> pd.DataFrame:
    """The rows drawn: label, kind, value and where each bar and rule starts and ends."""
    df = df.copy()
    total = (df.pathway == "total").to_numpy()
    df["label"] = [label(f"path_{p}", lang) for p in df.pathway]
    df["value"] = df[stat].astype(float)
    parts = df.value.where(~total, 0.0)
    df["start"] = (parts.cumsum() - parts).where(~total, 0.0) if waterfall else 0.0
    df["end"] = df.start + df.value
    df["low"], df["high"] = df.start + df.q10, df.start + df.q90
    df["right"] = df[["start", "end", "high"]].max(axis=1)
    if waterfall:
        df["kind"] = ["total" if t else ("up" if v >= 0 else "down")
                      for t, v in zip(total, df.value, strict=True)]
    else:
        df["kind"] = ["total" if t else "part" for t in total]
    return df
