"""The dashboard's projector layout: chart sizes from the window, fixed axes, larger type.

A projector shows 1024×768 to 1920×1080. The page reports its window size
(:class:`Viewport`, a few lines of JavaScript shipped with the package, nothing fetched) and
:func:`sizes` turns it into the plot sizes of the charts, so that the charts, their legends
(below each chart, where they take no width) and the difference charts all fit across the
window. :class:`AxisDomains` keeps each chart's y-axis fixed between moves: counts and rates
start at zero, the top is the baseline's and the first setting's envelope with headroom,
and a domain only widens (to a round number) when a setting goes beyond it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import anywidget
import traitlets

__all__ = ["Viewport", "Sizes", "sizes", "AxisDomains", "projector_config", "CSS",
           "STALE_CLASS", "ROOT_CLASS"]

ROOT_CLASS = "fz-dash"
"""CSS class of the dashboard's outermost box."""

STALE_CLASS = "fz-stale"
"""CSS class of the charts' box while a new region computes: the old charts are dimmed."""

CSS = f"""<style>
.{ROOT_CLASS} {{ font-size: 15px; max-width: 100%; box-sizing: border-box; }}
.{ROOT_CLASS} .widget-label, .{ROOT_CLASS} .widget-readout,
.{ROOT_CLASS} .widget-button, .{ROOT_CLASS} .widget-toggle-button,
.{ROOT_CLASS} .widget-dropdown select, .{ROOT_CLASS} .widget-html-content,
.{ROOT_CLASS} .lm-TabBar-tabLabel, .{ROOT_CLASS} .jupyter-widget-Collapse-header {{
  font-size: 15px; }}
/* Long measure names wrap instead of pushing the slider out of its column. */
.{ROOT_CLASS} .widget-hslider .widget-label {{ white-space: normal; line-height: 1.25;
  height: auto; min-height: 28px; overflow: visible; }}
.{ROOT_CLASS} .widget-hslider {{ height: auto; min-height: 34px; }}
.{ROOT_CLASS} .widget-inline-hbox, .{ROOT_CLASS} .widget-box {{ min-width: 0; }}
.{ROOT_CLASS} .vega-embed {{ max-width: 100%; }}
.{ROOT_CLASS} .widget-toggle-buttons .widget-toggle-button {{ width: auto; }}
.{STALE_CLASS} {{ opacity: 0.2; transition: opacity 0.2s; pointer-events: none; }}
</style>"""
"""Styles of the dashboard: larger type, wrapping labels, dimmed charts while a region runs."""


class Viewport(anywidget.AnyWidget):
    """The browser window's inner size in CSS pixels, ``[width, height]`` ([0, 0] until drawn).

    One trait, so that a new size is one change (one redraw), not two.
    """

    _esm = """
    function render({ model }) {
      let timer = null;
      const report = () => {
        model.set("size", [window.innerWidth, window.innerHeight]);
        model.save_changes();
      };
      const later = () => { clearTimeout(timer); timer = setTimeout(report, 250); };
      report();
      window.addEventListener("resize", later);
      return () => window.removeEventListener("resize", later);
    }
    export default { render };
    """
    size = traitlets.List(traitlets.Int(), default_value=[0, 0]).tag(sync=True)


@dataclass(frozen=True)
class Sizes:
    """Pixel sizes of the dashboard's parts for one window."""

    controls: str
    graphs: str
    chart_width: int
    chart_height: int
    wide_width: int
    font: int


SCROLLBAR = 40
"""Pixels kept free at the right: the page's scroll bar and margins."""
AXIS = 96
"""Pixels a chart takes beside its plot: y-axis title, labels and padding."""


def sizes(width: int, height: int) -> Sizes:
    """Layout for a window of ``width`` x ``height`` CSS pixels (1280x800 if unknown).

    The controls take a third of a small window and a quarter of a large one; the rest holds
    two charts a row (trajectory and difference). Plots are what is left of half that width
    once the axis is drawn, and no taller than fits three rows in the window.
    """
    width = width if width > 0 else 1280
    height = height if height > 0 else 800
    share = 0.34 if width < 1300 else 0.27
    graphs = (width - SCROLLBAR) * (1 - share) - 24
    chart = int(graphs / 2 - AXIS - 16)
    tall = int(max(150, min(340, (height - 200) / 2.6, chart * 0.75)))
    return Sizes(controls=f"{share * 100:.0f}%", graphs=f"{(1 - share) * 100 - 1:.0f}%",
                 chart_width=max(160, chart), chart_height=tall,
                 wide_width=max(260, int(graphs - 300)), font=13 if width < 1300 else 15)


def projector_config(spec: dict, size: Sizes) -> dict:
    """``spec`` with larger type, its legend below the plot and its title kept to the chart."""
    config = dict(spec.get("config", {}))
    f = size.font
    config["axis"] = {**config.get("axis", {}), "labelFontSize": f, "titleFontSize": f + 1}
    config["legend"] = {**config.get("legend", {}), "orient": "bottom", "labelFontSize": f,
                        "titleFontSize": f, "direction": "horizontal", "columns": 2,
                        "labelLimit": size.chart_width}
    config["title"] = {**config.get("title", {}), "fontSize": f + 3,
                       "subtitleFontSize": f - 1, "limit": size.chart_width + AXIS - 20}
    return {**spec, "config": config}


class AxisDomains:
    """Y-axis domains kept per chart until the region or horizon changes.

    A domain is set from the first results a chart shows (the baseline and the setting),
    with headroom; later results inside it leave it alone, results outside widen it to a
    round number. Counts and rates (every charted metric) start at zero.
    """

    HEADROOM = 0.25

    def __init__(self) -> None:
        self._domains: dict[Hashable, tuple[float, float]] = {}

    def clear(self) -> None:
        """Forget every domain (a new region or horizon)."""
        self._domains.clear()

    def domain(self, key: Hashable, low: float, high: float, from_zero: bool) -> list[float]:
        """The kept domain of chart ``key`` covering ``low``..``high``."""
        kept = self._domains.get(key)
        if kept is not None and kept[0] <= low and high <= kept[1]:
            return list(kept)
        span = max(high - low, abs(high), abs(low), 1e-9)
        lo = 0.0 if from_zero and low >= 0 else _round_down(low - self.HEADROOM * span)
        hi = _round_up(high + self.HEADROOM * span)
        if kept is not None:  # widen only: the presenter's axis never shrinks under them
            lo, hi = min(lo, kept[0]), max(hi, kept[1])
        self._domains[key] = (lo, hi)
        return [lo, hi]


def _nice(x: float, up: bool) -> float:
    if x == 0:
        return 0.0
    step = 10 ** math.floor(math.log10(abs(x))) / 2
    return (math.ceil if up else math.floor)(x / step) * step


def _round_up(x: float) -> float:
    return _nice(x, up=True)


def _round_down(x: float) -> float:
    return min(0.0, _nice(x, up=False)) if x < 0 else _nice(x, up=False)
