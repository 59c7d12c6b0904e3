"""The dashboard's counties side by side, shown when the region is the whole city (绍兴市).

A tile map of the six counties coloured by the chosen outcome's change against the baseline
in the last year, and small multiples of each county's trajectories
(:mod:`fazhi_sim.views.county_charts`), drawn from the whole-city runs the dashboard has
made anyway (they hold every county's rows). Clicking a tile, or choosing in the list below
it, switches the dashboard to that county.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import ipywidgets as w

from ..engine.region import get_region
from ..experiments.ensemble import Ensemble
from .county_charts import SELECTION, county_multiples, county_tiles, tile_map
from .dashboard_layout import projector_config
from .dashboard_runs import SHOWN
from .i18n import label, region_label

__all__ = ["CountyPanel", "CITY"]

CITY = "shaoxing"
"""The region whose counties the panel shows."""


class CountyPanel:
    """Tile map, small multiples and county picker of a dashboard (hidden unless the city)."""

    def __init__(self, dash: Any, embed: dict):
        self.dash = dash
        self.heading = w.HTML()
        self.metric = w.ToggleButtons(style={"button_width": "auto"})
        self.pick = w.Dropdown(layout=w.Layout(width="auto"),
                               style={"description_width": "initial"})
        self.hint = w.HTML()
        self.map = alt.JupyterChart(alt.Chart().mark_point(), embed_options=embed)
        self.multiples = alt.JupyterChart(alt.Chart().mark_point(), embed_options=embed)
        self.ensemble: Ensemble | None = None
        self._quiet = False
        self.metric.observe(lambda _: self.draw(), names="value")
        self.pick.observe(self._picked, names="value")
        self.widget = w.VBox([self.heading, w.HBox([self.metric, self.pick],
                                                   layout=w.Layout(flex_flow="row wrap")),
                              self.hint, w.HBox([self.map, self.multiples],
                                                layout=w.Layout(flex_flow="row wrap"))],
                             layout=w.Layout(display="none"))

    def relabel(self, lang: str) -> None:
        """Words in ``lang``, keeping the chosen outcome."""
        self._quiet = True
        try:
            keep = self.metric.value or SHOWN[0]
            self.metric.options = [(label(m, lang), m) for m in SHOWN]
            self.metric.value = keep
            ids = list(get_region(CITY).county_ids)
            self.pick.options = [("—", "")] + [(region_label(c, lang), c) for c in ids]
            self.pick.value = ""
        finally:
            self._quiet = False
        self.pick.description = label("dash_county_pick", lang)
        self.hint.value = f"<small>{label('dash_county_hint', lang)}</small>"
        self.draw()

    def update(self, ensemble: Ensemble) -> None:
        """Show the counties of ``ensemble`` if it ran the whole city, else hide the panel."""
        shown = self.dash.region.value == CITY
        self.ensemble = ensemble if shown else None
        self.widget.layout.display = "flex" if shown else "none"
        self.draw()

    def draw(self) -> None:
        """Redraw from the kept runs (no new run)."""
        if self.ensemble is None or not self.metric.value:
            return
        lang, m = self.dash.lang.value, self.metric.value
        titles = {"baseline": label("dash_baseline", lang),
                  "scenario": label("dash_setting", lang)}
        year = int(self.dash.year.value)
        self.heading.value = "<b>{}</b>".format(label("dash_counties_title", lang).format(
            metric=label(m, lang), year=year))
        comp = self.ensemble.compare("baseline")
        chart = tile_map(comp, m, year, "scenario", change=True, lang=lang, titles=titles)
        # The map is set as a chart, not a spec: its county selection then reaches Python.
        self.map.chart = chart
        self.map.selections.observe(self._clicked, names=[SELECTION])
        size = self.dash.size
        panel = max(140, (size.chart_width * 2 + 80) // 3 - 40)
        multiples = county_multiples(self.ensemble.summary(), m, lang=lang, columns=3,
                                     width=panel, height=max(100, size.chart_height // 2),
                                     titles=titles)
        self.multiples.spec = projector_config(multiples.to_dict(validate=False), size)

    def _clicked(self, change: Any) -> None:
        value = getattr(change["new"], "value", None) or []
        county = value[0].get("county") if value else None
        if county:
            self.switch(county)

    def _picked(self, change: dict) -> None:
        if not self._quiet and change["new"]:
            self.switch(change["new"])

    def switch(self, county: str) -> None:
        """Make ``county`` the dashboard's region (it runs and redraws)."""
        if county in set(county_tiles()["county"]):
            self.dash.region.value = county
