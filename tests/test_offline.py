"""``fs.use_offline_charts()``: what the kernel sends the browser for a chart names no CDN.

"Sent" is the chart's MIME bundle plus the state of every widget it opens (the comm-open
messages), which is where a ``JupyterChart`` carries its JavaScript. The browser-side check,
with the network blocked, is in test_browser.py.
"""

from __future__ import annotations

import json
import re

import altair as alt
import comm
import pandas as pd
import pytest

import fazhi_sim as fs

CDN_HOSTS = ("cdn.jsdelivr.net", "unpkg.com", "esm.sh", "cdnjs.cloudflare.com", "skypack.dev",
             "jspm.io", "jspm.dev", "esm.run")
REMOTE_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*|src\s*=\s*)["']https?://""")


@pytest.fixture(autouse=True)
def _altair_defaults():
    # Each test starts from Altair's own state (the dashboard test may have left JupyterChart
    # offline, which would hide a setting that fails to switch it) and leaves it so.
    name, options = alt.renderers.active, dict(alt.renderers.options)
    alt.JupyterChart.enable_offline(False)
    yield
    alt.JupyterChart.enable_offline(False)
    alt.renderers.enable(name, **options)


@pytest.fixture
def sent(monkeypatch):
    """Build and render a chart; return what would go to the browser, and the widgets opened."""
    opened: list = []
    create = comm.create_comm

    def spy(*args, **kwargs):
        opened.append(kwargs.get("data"))
        return create(*args, **kwargs)

    monkeypatch.setattr(comm, "create_comm", spy)

    def render(build) -> tuple[str, list]:
        opened.clear()
        bundle = build()._repr_mimebundle_()
        return json.dumps([bundle, opened], default=str, ensure_ascii=False), list(opened)

    return render


def _chart() -> alt.Chart:
    df = pd.DataFrame({"year": [2021, 2022, 2023], "value": [3.0, 2.5, 2.1]})
    return alt.Chart(df).mark_line().encode(x="year:O", y="value:Q")


def _cdn_hosts(text: str) -> list[str]:
    return [h for h in CDN_HOSTS if h in text]


def test_without_the_setting_a_chart_loads_its_javascript_from_a_cdn(sent):
    # The check below must be able to fail: Altair's default renderer names a CDN.
    alt.renderers.enable("default")
    text, _ = sent(_chart)
    assert _cdn_hosts(text)


def test_after_use_offline_charts_a_chart_names_no_cdn(sent):
    assert fs.use_offline_charts() is None
    text, opened = sent(_chart)
    assert _cdn_hosts(text) == []
    assert not REMOTE_IMPORT.search(text)
    # The JavaScript was in what was sent, not fetched later.
    esm = [d["state"]["_esm"] for d in opened if d and "_esm" in d.get("state", {})]
    assert esm and all(len(js) > 100_000 for js in esm)


def test_a_jupyterchart_built_directly_names_no_cdn(sent):
    # The dashboard builds its JupyterCharts itself, without going through the renderer.
    fs.use_offline_charts()
    text, opened = sent(lambda: alt.JupyterChart(_chart()))
    assert opened and _cdn_hosts(text) == [] and not REMOTE_IMPORT.search(text)


def test_use_offline_charts_is_idempotent_and_keeps_embed_options():
    alt.renderers.enable("default")
    alt.renderers.set_embed_options(actions=False)
    fs.use_offline_charts()
    first = (alt.renderers.active, dict(alt.renderers.options))
    fs.use_offline_charts()
    assert (alt.renderers.active, dict(alt.renderers.options)) == first
    assert first == ("jupyter", {"offline": True, "embed_options": {"actions": False}})


def test_the_bundle_is_kept_on_disk_and_read_back(tmp_path, monkeypatch, sent):
    # Bundling takes a second; a dashboard opening reads it from the user's cache instead.
    from fazhi_sim.views.offline import offline_widgets

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    offline_widgets()
    kept = list((tmp_path / "fazhi-sim").glob("jupyterchart-*.js"))
    assert len(kept) == 1 and kept[0].stat().st_size > 100_000
    alt.JupyterChart.enable_offline(False)  # a new kernel, as far as Altair knows
    kept[0].write_text(kept[0].read_text("utf-8") + "\n// read back", "utf-8")
    offline_widgets()
    text, opened = sent(lambda: alt.JupyterChart(_chart()))
    assert "// read back" in text  # the kept bundle went to the browser, not a new one
    assert _cdn_hosts(text) == [] and not REMOTE_IMPORT.search(text)
