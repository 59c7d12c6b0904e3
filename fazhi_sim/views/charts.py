"""Altair charts of simulation results, with Chinese labels by default.

Every function takes a tidy DataFrame as it comes from :func:`fazhi_sim.simulate` or from
:class:`fazhi_sim.Ensemble` (``.runs``, ``.summary()``, ``.compare()``, ``.targets()``) and
returns an ``altair`` chart whose data are embedded in the spec (no URL), so it shows in
JupyterLab without a network and saves to a self-contained file. Labels come from
:mod:`fazhi_sim.views.i18n`: ``lang="zh"`` (default) or ``"en"``.

Each chart carries a ``config`` that names CJK fonts, so Chinese renders when exported with
:func:`save_png`/:func:`save_svg`. Altair refuses to concatenate charts that carry a config,
so ``a | b`` and ``a & b`` on these charts go through :func:`combine`, which moves the config
to the top; use :func:`combine` too where you would call ``alt.hconcat``.

This module gathers the charts from where they live: :mod:`.time_charts` (over the years),
:mod:`.structure_charts` (one year's structure), :mod:`.county_charts` (the six counties
side by side: tile map and small multiples), :mod:`.analysis_charts` (sensitivity and
calibration), :mod:`.explain_charts` (why a change happened), :mod:`.chart_export` (files)
and :mod:`.chart_base` (what they share).

Examples
--------
>>> ens = fazhi_sim.run_ensemble(["baseline", "plan-2025"], replicates=10)  # doctest: +SKIP
>>> trajectories(ens.summary(), "lawsuits_per_10k")                         # doctest: +SKIP
>>> save_png(pyramid(ens.summary()), "pyramid.png")                         # doctest: +SKIP
"""

from __future__ import annotations

from .analysis_charts import fit_chart, tornado
from .chart_base import FONT, combine
from .chart_export import save_png, save_svg
from .county_charts import county_multiples, county_view, tile_map
from .explain_charts import explain_chart
from .structure_charts import counties, flows, pyramid, targets_table
from .time_charts import difference, trajectories

__all__ = ["FONT", "trajectories", "difference", "pyramid", "flows", "counties",
           "targets_table", "combine", "save_png", "save_svg", "tornado", "fit_chart",
           "explain_chart", "tile_map", "county_multiples", "county_view"]
