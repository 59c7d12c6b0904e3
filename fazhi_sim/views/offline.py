"""Altair charts that draw in JupyterLab with no internet: one call per notebook.

Altair's default notebook renderer writes HTML that loads Vega, Vega-Lite and vega-embed
from a public CDN, so on an intranet every chart shows "Error loading script". JupyterLab's
own Vega renderer stops at Vega-Lite 5 and Altair 6 writes Vega-Lite 6, so the mimetype
renderer is no way out either. What works is Altair's "jupyter" renderer in offline mode:
each chart is an anywidget ``JupyterChart`` whose JavaScript is the vl-convert bundle
installed with the package (the same code the HTML report inlines), sent to the browser
through the kernel. Nothing is fetched from outside.

Examples
--------
>>> import fazhi_sim as fs
>>> fs.use_offline_charts()       # once, in the first cell; charts below draw offline
"""

from __future__ import annotations

import altair as alt

__all__ = ["use_offline_charts"]


def use_offline_charts() -> None:
    """Make Altair charts draw with JavaScript from the installed packages, never a CDN.

    Switches Altair to its ``"jupyter"`` renderer in offline mode, so a chart left as the
    last expression of a cell becomes a ``JupyterChart`` widget, and makes every
    ``alt.JupyterChart`` (the dashboard's too) carry vl-convert's bundle of Vega, Vega-Lite
    and vega-embed instead of importing them from esm.sh. Embed options already set with
    ``alt.renderers.set_embed_options`` are kept. Calling it again changes nothing.

    It needs a running kernel with the widget frontend (JupyterLab, Notebook 7, Voilà,
    VS Code); a notebook saved with outputs and viewed without a kernel shows the charts'
    text only. ``chart.save(...)``, PNG/SVG export and the HTML report are not affected.

    Returns
    -------
    None

    Examples
    --------
    >>> import fazhi_sim as fs
    >>> from fazhi_sim import charts
    >>> fs.use_offline_charts()
    >>> ens = fs.run_ensemble(["baseline", "plan-2025"], replicates=3)  # doctest: +SKIP
    >>> charts.trajectories(ens.summary(), "petitions")  # draws offline  # doctest: +SKIP
    """
    embed_options = alt.renderers.options.get("embed_options")
    options = {"offline": True}
    if embed_options is not None:
        options["embed_options"] = embed_options
    alt.renderers.enable("jupyter", **options)
    # The renderer switches JupyterChart to offline on first draw; doing it now also covers
    # charts built directly as widgets (the dashboard) before any chart is rendered.
    alt.JupyterChart.enable_offline()
