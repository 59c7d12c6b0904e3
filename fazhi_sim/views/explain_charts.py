"""Chart of "why did it change": each pathway's part of a change, with its band.

Draws what :meth:`Ensemble.explain <fazhi_sim.Ensemble.explain>` returns: one horizontal
bar per pathway (median) with a 10–90% rule, the total last, so a planner sees at a glance
which pathway carries the change and which pull the other way.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .chart_base import finish
from .i18n import check_lang, label

__all__ = ["explain_chart"]


def explain_chart(explained: pd.DataFrame, outcome: str = "lawsuits_per_10k",
                  scenario: str | None = None, lang: str = "zh") -> alt.TopLevelMixin:
    """Bars of each pathway's part of the change of ``outcome`` for one scenario and year.

    Parameters
    ----------
    explained
        :meth:`Ensemble.explain <fazhi_sim.Ensemble.explain>` for one year and region.
    outcome
        ``"lawsuits_per_10k"``, ``"filings_per_10k"`` or ``"petitions"``.
    scenario
        The scenario shown (default: the first in ``explained``).
    lang
        ``"zh"`` (default) or ``"en"``.
    """
    check_lang(lang)
    name = scenario or str(explained.scenario.iloc[0])
    df = explained[(explained.scenario == name) & (explained.outcome == outcome)].copy()
    df["label"] = [label(f"path_{p}", lang) for p in df.pathway]
    df["kind"] = ["total" if p == "total" else "part" for p in df.pathway]
    order = list(df.label)
    y = alt.Y("label:N", sort=order, title=label("pathway", lang))
    x_title = f"{label(outcome, lang)} {label('change', lang)}"
    bars = alt.Chart(df).mark_bar().encode(
        x=alt.X("median:Q", title=x_title), y=y,
        color=alt.Color("kind:N", legend=None,
                        scale=alt.Scale(domain=["part", "total"], range=["#4c78a8", "#e45756"])),
        tooltip=[alt.Tooltip("label:N", title=label("pathway", lang)),
                 alt.Tooltip("median:Q", title=label("median", lang), format="+.2f"),
                 alt.Tooltip("q10:Q", title=label("q10", lang), format="+.2f"),
                 alt.Tooltip("q90:Q", title=label("q90", lang), format="+.2f"),
                 alt.Tooltip("share_of_total:Q", title=label("share_of_change", lang),
                             format=".0%")])
    rules = alt.Chart(df).mark_rule(color="black").encode(x="q10:Q", x2="q90:Q", y=y)
    title = f"{label('explain', lang)}: {label(outcome, lang)} ({name})"
    return finish(bars + rules, title, label("explain_note", lang))
