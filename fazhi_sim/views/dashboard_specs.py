"""Chart specs the dashboard redraws on every move: built once, then only their data swapped.

A slider move changes the numbers a chart shows, not its layout: the same metric, region,
language, scenarios and number of runs give the same Vega-Lite spec but for its data rows.
Building the spec with Altair costs about 40 ms a chart (layers merge their parameters, the
spec is walked to a dict); swapping the rows costs well under one. :class:`SpecCache` builds a
chart with Altair the first time its layout is seen, remembers which dataset of the spec holds
the rows, and afterwards returns the same spec with the new rows in that dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
from altair.utils import sanitize_pandas_dataframe

__all__ = ["SpecCache", "sized", "with_y_domain", "with_colors"]


def sized(chart: alt.TopLevelMixin, width: int, height: int) -> dict:
    """The chart's Vega-Lite spec at ``width`` x ``height`` pixels.

    Set on the spec, not with ``.properties()``: on a layered chart Altair would merge every
    layer's parameters again, a tenth of a second per slider move.
    """
    spec = chart.to_dict(validate=False)
    spec["width"], spec["height"] = width, height
    return spec


def records(data: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as Altair embeds them (numpy types to Python, NaN and infinities to null).

    The same rows as ``sanitize_pandas_dataframe(data).to_dict(orient="records")``, built a
    column at a time: Altair's copy and per-column ``where`` took ten milliseconds a chart,
    a twentieth of a slider move. Other column types go through Altair's own function.
    """
    columns = [_plain_column(data[name]) for name in data.columns]
    if any(c is None for c in columns) or not all(isinstance(n, str) for n in data.columns):
        return sanitize_pandas_dataframe(data).to_dict(orient="records")
    names = list(data.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _plain_column(col: pd.Series) -> list | None:
    # A column's values as JSON-ready Python values, or None for a type left to Altair.
    kind = col.dtype.kind
    if kind in "iub" and isinstance(col.dtype, np.dtype):
        return col.to_numpy().tolist()
    if kind == "f" and isinstance(col.dtype, np.dtype):
        values = col.to_numpy(dtype=float)
        out = values.tolist()
        for i in np.flatnonzero(~np.isfinite(values)).tolist():
            out[i] = None
        return out
    if isinstance(col.dtype, pd.CategoricalDtype | pd.StringDtype) or col.dtype == object:
        values = col.astype(object).to_numpy()
        out = values.tolist()
        for i in np.flatnonzero(pd.isna(values)).tolist():
            out[i] = None
        if any(isinstance(v, np.ndarray) for v in out):
            return None  # arrays in cells: Altair turns them into lists
        return out
    return None


class SpecCache:
    """Specs by layout key, their data rows swapped on each call.

    Parameters
    ----------
    width, height
        Size of every chart, in pixels.
    """

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self._templates: dict[Hashable, tuple[dict, str | None]] = {}

    def __len__(self) -> int:
        """Layouts built so far."""
        return len(self._templates)

    def spec(self, key: Hashable, data: pd.DataFrame, build: Callable[[], alt.TopLevelMixin]
             ) -> dict:
        """The spec of ``build()`` for layout ``key``, showing ``data``.

        ``build`` must draw ``data`` (as one of its datasets) and nothing else that changes
        while ``key`` stays the same.
        """
        rows = records(data)
        template = self._templates.get(key)
        if template is None or template[1] is None:
            spec = sized(build(), self.width, self.height)
            self._templates[key] = (spec, _dataset_holding(spec, rows))
            return spec
        spec, name = template
        return {**spec, "datasets": {**spec["datasets"], name: rows}}


def _dataset_holding(spec: dict, rows: list[dict[str, Any]]) -> str | None:
    # The dataset whose rows are these (Altair names each by a hash of its values); None if
    # none is, and then the chart is built anew each time.
    for name, values in spec.get("datasets", {}).items():
        if values == rows:
            return name
    return None


def with_y_domain(spec: dict, domain: list[float]) -> dict:
    """``spec`` (a layered chart) with every layer's y scale fixed to ``domain``.

    A copy: the layers are new dicts, the data rows are shared with ``spec``.
    """
    layers = []
    for layer in spec.get("layer", []):
        enc = layer.get("encoding", {})
        if "y" in enc:
            y = {**enc["y"], "scale": {**enc["y"].get("scale", {}), "domain": list(domain),
                                       "zero": False, "nice": False}}
            layer = {**layer, "encoding": {**enc, "y": y}}
        layers.append(layer)
    return {**spec, "layer": layers}


def with_colors(spec: dict, colors: list[str]) -> dict:
    """``spec`` (a layered chart) with its colour scale's range set to ``colors``.

    The difference chart shows the setting alone; without this it would take the first
    colour of the scheme, the baseline's in the trajectory beside it.
    """
    layers = []
    for layer in spec.get("layer", []):
        enc = layer.get("encoding", {})
        if "color" in enc and "field" in enc["color"]:
            color = {**enc["color"], "scale": {**enc["color"].get("scale", {}),
                                               "range": list(colors)}}
            color["scale"].pop("scheme", None)
            layer = {**layer, "encoding": {**enc, "color": color}}
        layers.append(layer)
    return {**spec, "layer": layers}
