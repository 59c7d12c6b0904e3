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

import contextlib
import hashlib
import json
import os
from pathlib import Path

import altair as alt

__all__ = ["use_offline_charts", "offline_widgets", "static_html_renderer"]

DOCS_CHARTS = "FAZHI_SIM_CHARTS"
"""Environment variable: ``docs`` makes :func:`use_offline_charts` write static charts.

Set by the documentation build (docs/conf.py) for the notebooks it executes: a page built
once has no kernel to talk to, so there a chart is its Vega-Lite spec, drawn in the reader's
browser by the Vega bundle the site ships (``docs/_static``)."""


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
    if os.environ.get(DOCS_CHARTS) == "docs":
        alt.renderers.register("fazhi-docs", static_html_renderer)
        alt.renderers.enable("fazhi-docs")
        return
    embed_options = alt.renderers.options.get("embed_options")
    options = {"offline": True}
    if embed_options is not None:
        options["embed_options"] = embed_options
    alt.renderers.enable("jupyter", **options)
    # The renderer switches JupyterChart to offline on first draw; doing it now also covers
    # charts built directly as widgets (the dashboard) before any chart is rendered.
    offline_widgets()


def static_html_renderer(spec: dict, **_: object) -> dict[str, str]:
    """An Altair renderer for built pages: the spec in a div that the site's script draws.

    Parameters
    ----------
    spec
        The chart's Vega-Lite spec (as Altair passes it to a renderer).

    Returns
    -------
    dict
        A ``text/html`` bundle: ``<div class="fazhi-chart">`` holding the spec as JSON;
        ``docs/_static/fazhi-charts.js`` draws it with the bundled ``vegaEmbed``. A plain-text
        fallback is included for readers of the notebook file.
    """
    text = json.dumps(spec, ensure_ascii=False).replace("</", "<\\/")
    html = ('<div class="fazhi-chart"><div class="fazhi-chart-view"></div>'
            f'<script type="application/json">{text}</script></div>')
    return {"text/html": html, "text/plain": "<Vega-Lite chart>"}


def offline_widgets() -> None:
    """Give every ``alt.JupyterChart`` vl-convert's JavaScript bundle (no CDN), kept on disk.

    ``JupyterChart.enable_offline()`` bundles Vega, Vega-Lite and vega-embed with vl-convert
    each time a kernel starts, about 1.3 s of a dashboard's opening. The bundle depends only on
    the installed altair and vl-convert, so the first call keeps it in the user's cache folder
    (``$XDG_CACHE_HOME/fazhi-sim``, else ``~/.cache/fazhi-sim``) under a name made of those
    versions and the widget's own JavaScript, and later calls read it back. Should altair stop
    keeping the bundle where this expects it, or the folder not be writable, the bundle is
    simply made as before.
    """
    chart = alt.JupyterChart
    if getattr(chart, "_is_offline", False):
        return
    path = _bundle_path()
    known = hasattr(chart, "_esm") and hasattr(chart, "_is_offline")
    if known and path is not None and path.is_file():
        chart._esm = path.read_text("utf-8")
        chart._is_offline = True
        return
    chart.enable_offline()
    if known and path is not None and getattr(chart, "_is_offline", False):
        with contextlib.suppress(OSError):  # a read-only home: bundle again next time
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(chart._esm, "utf-8")
            tmp.replace(path)  # atomic: a kernel opening at the same time reads all or none


def _bundle_path() -> Path | None:
    try:
        import vl_convert
        from altair.jupyter.jupyter_chart import load_js_src
    except ImportError:
        return None
    source = hashlib.sha256(load_js_src().encode("utf-8")).hexdigest()[:16]
    name = f"jupyterchart-altair{alt.__version__}-vlc{vl_convert.__version__}-{source}.js"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "fazhi-sim" / name
