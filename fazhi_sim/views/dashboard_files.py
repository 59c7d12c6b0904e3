"""The dashboard's files: open a scenario file, save the setting as one, export the view as PNG.

Everything stays in the page: an opened file comes through the widget (no server path), and
a saved file or image is a download link holding its bytes, so it works in Voilà on an
intranet as in JupyterLab. A file that cannot be used is one line in the status (file, field,
what is allowed), never a traceback.
"""

from __future__ import annotations

import re
from typing import Any

import ipywidgets as w

from ..engine.measures import LEVERS
from ..engine.scenario import ScenarioError
from ..engine.scenario_toml import plan_article
from .dashboard_state import download_link, from_upload
from .i18n import label

__all__ = ["ScenarioFiles", "combined_spec", "lever_tip", "view_png"]


def lever_tip(lid: str, lang: str) -> str:
    """A slider's hover text: plan article, what the measure does in the model, its levels."""
    lv = LEVERS[lid]
    levels = label("tip_levels", lang).format(base=f"{lv.baseline:g}", plan=f"{lv.plan_2025:g}")
    if lang == "zh":
        return f"{plan_article(lv.article)} {lv.name_zh}:{label('tip_' + lid, lang)}。{levels}"
    return f"Plan article {lv.article}: {label('tip_' + lid, lang)}. {levels}"


def combined_spec(rows: list[list[dict]]) -> dict:
    """Chart specs as shown, ``rows`` of them, as one Vega-Lite spec (a grid of charts).

    The datasets are merged (their names are hashes of their rows, so equal names hold
    equal rows) and the first chart's config applies to all.
    """
    datasets: dict[str, Any] = {}
    out_rows = []
    for row in rows:
        parts = []
        for spec in row:
            datasets.update(spec.get("datasets", {}))
            parts.append({k: v for k, v in spec.items()
                          if k not in ("$schema", "config", "datasets")})
        out_rows.append({"hconcat": parts})
    first = rows[0][0]
    return {"$schema": first.get("$schema"), "config": first.get("config", {}),
            "datasets": datasets, "vconcat": out_rows, "background": "white"}


def view_png(spec: dict) -> bytes:
    """PNG of a Vega-Lite spec, rendered here by vl-convert (offline)."""
    import vl_convert

    return vl_convert.vegalite_to_png(spec, scale=1.5)


def _file_name(title: str, ext: str) -> str:
    # A name a planner recognises, safe on every file system.
    stem = re.sub(r'[\\/:*?"<>|\s]+', "-", title).strip("-.") or "scenario"
    return f"{stem[:60]}.{ext}"


class ScenarioFiles:
    """Open, save and export controls of a :class:`~fazhi_sim.views.dashboard.Dashboard`."""

    def __init__(self, dash: Any):
        self.dash = dash
        self.upload = w.FileUpload(accept=".toml", multiple=False, icon="folder-open",
                                   layout=w.Layout(width="auto"))
        self.save_button = w.Button(icon="download", layout=w.Layout(width="auto"))
        self.export_button = w.Button(icon="image", layout=w.Layout(width="auto"))
        self.link = w.HTML()
        self.upload.observe(self._opened, names="value")
        self.save_button.on_click(lambda _: self.save())
        self.export_button.on_click(lambda _: self.export())
        self.widget = w.VBox([w.HBox([self.upload, self.save_button, self.export_button],
                                     layout=w.Layout(flex_flow="row wrap")), self.link])

    def relabel(self, lang: str) -> None:
        """Button words in ``lang``."""
        self.upload.description = label("dash_open", lang)
        self.save_button.description = label("dash_save", lang)
        self.export_button.description = label("dash_export", lang)

    def open(self, name: str, content: bytes) -> bool:
        """Load the scenario file ``name`` holding ``content``; False (and why) if unusable."""
        lang = self.dash.lang.value
        try:
            sc = from_upload(name, content)
        except ScenarioError as err:
            self.dash.status.value = label("dash_error", lang).format(error=str(err))
            return False
        self.dash.load(sc)
        self.link.value = label("dash_loaded", lang).format(name=name)
        return True

    def save(self) -> str:
        """Offer the setting as a scenario file to download; returns its text."""
        text = self.dash.scenario_toml()
        name = _file_name(self.dash.state.display_title, "toml")
        self.link.value = download_link(text.encode("utf-8"), name, "application/toml",
                                        label("dash_save_link", self.dash.lang.value)
                                        .format(name=name))
        return text

    def export(self) -> bytes:
        """Offer the four charts as shown as a PNG to download; returns its bytes."""
        png = view_png(self.dash.view_spec())
        name = _file_name(self.dash.state.display_title, "png")
        self.link.value = download_link(png, name, "image/png",
                                        label("dash_export_link", self.dash.lang.value)
                                        .format(name=name))
        return png

    def _opened(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        f = files[0]
        self.open(f["name"], bytes(f["content"]))
        try:  # cleared, so that opening the same file again is a change
            self.upload.value = ()
        except Exception:  # noqa: BLE001 - older widget versions keep the value
            pass
