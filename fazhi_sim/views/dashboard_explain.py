"""The dashboard's "why did it change" (为什么变化) panel.

For the dashboard's current setting against the baseline in the last simulated year, a
waterfall of how each pathway (village compacts, mediation, pre-filing diversion, ...) adds
to the change of 万人成讼率, 万人起诉率 or 信访量: the presenter picks the outcome with a
toggle, which redraws from the decomposition already computed (no new run). Bars are means
over the paired replicates, which add up exactly to the total change written above the
chart; the rules are 10–90% bands. The decomposition is :meth:`Ensemble.explain
<fazhi_sim.Ensemble.explain>` of the counters the dashboard's runs collect anyway.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import ipywidgets as w
import pandas as pd

from ..experiments.ensemble import Ensemble
from ..experiments.explain import OUTCOMES
from .dashboard_specs import SpecCache
from .explain_charts import explain_chart, explain_rows
from .i18n import check_lang, label
from .offline import offline_widgets

__all__ = ["ExplainPanel"]

WIDTH, HEIGHT = 520, 240
"""Size of the panel's chart in pixels."""

_EMPTY = alt.Chart().mark_point().to_dict(validate=False)


class ExplainPanel:
    """Title, outcome toggle, total line and waterfall chart of one explained change.

    Parameters
    ----------
    lang
        ``"zh"`` (default) or ``"en"``.
    embed_options
        vega-embed options of the chart (default as the dashboard's: SVG, no action menu).

    Attributes
    ----------
    widget : ipywidgets.VBox
        The panel, to place in a layout.
    explained : pandas.DataFrame or None
        The last :meth:`Ensemble.explain` table (scenario, year and region of the panel).
    """

    def __init__(self, lang: str = "zh", embed_options: dict | None = None):
        check_lang(lang)
        offline_widgets()  # JavaScript from vl-convert, no CDN (once)
        self.lang = lang
        self.width, self.height = WIDTH, HEIGHT
        self.explained: pd.DataFrame | None = None
        self.year: int | None = None
        # A move changes the bars, not the chart's layout: its spec is built once per layout.
        self.specs = SpecCache(WIDTH, HEIGHT)
        self.heading = w.HTML()
        self.outcome = w.ToggleButtons(options=[(label(o, lang), o) for o in OUTCOMES],
                                       value=OUTCOMES[0], style={"button_width": "auto"})
        self.total = w.HTML()
        embed = embed_options or {"renderer": "svg", "actions": False}
        self.chart = alt.JupyterChart(alt.Chart().mark_point(), embed_options=embed)
        self.outcome.observe(self._redraw, names="value")
        self.widget = w.VBox([self.heading, self.outcome, self.total, self.chart])
        self.relabel(lang)

    def update(self, ensemble: Ensemble, scenario: str, year: int,
               baseline: str | None = None) -> None:
        """Explain ``scenario`` against ``baseline`` (default the first) in ``year``; redraw.

        The whole region of the ensemble is explained. An ensemble without counters
        leaves the chart empty and says why.
        """
        self.year = year
        self.explained = None if ensemble.counters is None else ensemble.explain(
            scenario=scenario, year=year, region=ensemble.whole_region(), baseline=baseline)
        self.draw()

    def relabel(self, lang: str) -> None:
        """Show the panel in ``lang`` (``"zh"`` or ``"en"``), keeping the chosen outcome."""
        check_lang(lang)
        self.lang = lang
        keep, self._quiet = self.outcome.value, True
        try:  # new option labels would otherwise reset the chosen outcome
            self.outcome.options = [(label(o, lang), o) for o in OUTCOMES]
            self.outcome.value = keep
        finally:
            self._quiet = False
        self.outcome.description = label("metric", lang)
        self.draw()

    def shown(self) -> pd.DataFrame:
        """The rows drawn: the chosen outcome's pathways that moved, then the total.

        Pathways unchanged in every replicate (such as pre-filing diversion for 万人起诉率,
        which it cannot touch) are left out; they add nothing to the total.
        """
        if self.explained is None:
            raise ValueError("nothing explained yet: call update() first")
        df = self.explained[self.explained.outcome == self.outcome.value]
        still = (df[["mean", "q10", "q90"]] == 0).all(axis=1) & (df.pathway != "total")
        return df[~still.to_numpy()]

    def draw(self) -> None:
        """Redraw heading, total line and chart from :attr:`explained` (no new run)."""
        lang = self.lang
        self.heading.value = f"<b>{label('why_changed', lang)}</b>"
        if self.explained is None:  # nothing run yet, or runs without counters
            self.total.value = "" if self.year is None else label("why_changed_none", lang)
            self.chart.spec = _EMPTY
            return
        setting = label("dash_setting", lang)
        scope = label("why_changed_scope", lang).format(
            year=self.year, scenario=setting, base=label("dash_baseline", lang))
        self.heading.value += f" &nbsp; {scope}"
        df = self.shown().assign(scenario=setting)
        total = df[df.pathway == "total"].iloc[0]
        self.total.value = label("why_changed_total", lang).format(
            outcome=label(self.outcome.value, lang), total=f"{total['mean']:+.2f}",
            q10=f"{total.q10:+.2f}", q90=f"{total.q90:+.2f}")
        outcome = self.outcome.value
        rows = explain_rows(df, outcome, lang=lang, stat="mean", waterfall=True)
        # The layout: what is drawn and in which order (the bars' labels sort the axis).
        key = (outcome, lang, setting, tuple(rows.label))
        # As in the dashboard: our own tested chart, so Altair's validation is skipped.
        self.chart.spec = self.specs.spec(key, rows, lambda: explain_chart(
            df, outcome, lang=lang, stat="mean", waterfall=True))

    def resize(self, width: int, height: int) -> None:
        """Draw the chart at ``width`` x ``height`` pixels from now on (and redraw)."""
        if (width, height) != (self.width, self.height):
            self.width, self.height = width, height
            self.specs = SpecCache(width, height)  # the size is part of every cached spec
            self.draw()

    _quiet = False

    def _redraw(self, *_: Any) -> None:
        if not self._quiet:
            self.draw()
