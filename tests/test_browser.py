"""Real-browser tests: the Voilà dashboard answers a keyboard move; the report opens offline;
the planner notebook draws its charts in JupyterLab with the network blocked.

They drive Debian's Chromium (/usr/bin/chromium) with Playwright; Playwright never downloads a
browser. Where Chromium is missing they skip with the reason, except when
FAZHI_BROWSER_TESTS=required (set by .ci/run, which installs Chromium), where a missing
browser is a failure.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from fazhi_sim.views.voila_page import voila_command, voila_environment

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REQUIRED = os.environ.get("FAZHI_BROWSER_TESTS") == "required"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the install
    sync_playwright = None

_missing = None
if sync_playwright is None:
    _missing = "playwright is not installed (pip install -e '.[test]')"
elif not os.path.exists(CHROMIUM):
    _missing = "Debian's chromium is not installed (apt-get install chromium)"
if _missing and REQUIRED:
    raise RuntimeError(f"browser tests are required here but {_missing}")
pytestmark = pytest.mark.skipif(_missing is not None, reason=_missing or "")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, proc: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:  # it answers: the server is up
            return
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                pytest.fail(f"{what} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def voila_url(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            voila_command(ROOT / "notebooks" / "03-presenter.ipynb", port, browser=False,
                          extra=("--Voila.ip=127.0.0.1",
                                 "--VoilaConfiguration.show_tracebacks=True")),
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT / "notebooks",
            env=voila_environment())
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for_server(url, proc, log, "voila")
        yield url
    finally:
        _stop(proc)


def _chart_svg(page, index: int) -> str:
    return page.locator(".vega-embed svg").nth(index).inner_html()


def test_dashboard_chart_follows_a_keyboard_move(browser, voila_url):
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    try:
        page.goto(voila_url, timeout=120_000)
        page.locator(".vega-embed svg").nth(3).wait_for(timeout=180_000)
        assert "万人成讼率" in page.content()
        petitions_before = _chart_svg(page, 2)
        page.get_by_text("六、法治社会").click()
        slider = page.locator(".widget-hslider", has_text="信访诉求法定途径分类处理比例")
        handle = slider.locator(".noUi-handle")
        handle.focus()
        for _ in range(60):  # 0.8 -> 0.2 in steps of 0.01
            handle.press("ArrowLeft")
        deadline = time.time() + 120
        while _chart_svg(page, 2) == petitions_before:
            assert time.time() < deadline, "the petitions chart did not change"
            time.sleep(0.25)
        page.screenshot(path=str(ROOT / "tests" / ".dashboard.png"))
    finally:
        page.close()


def test_report_renders_from_disk_with_the_network_blocked(browser, tmp_path):
    import fazhi_sim as fs
    from fazhi_sim.views.report import write_report

    ens = fs.run_ensemble(["baseline", "plan-2025"], replicates=2, region="town",
                          executor=fs.Serial(), progress=False)
    path = Path(write_report(ens, tmp_path / "report.html"))
    page = browser.new_page()
    blocked: list[str] = []

    def gate(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    try:
        page.route("**/*", gate)
        page.goto(path.as_uri())
        page.locator(".vega-embed svg, .vega-embed canvas").first.wait_for(timeout=60_000)
        n = page.locator(".vega-embed svg, .vega-embed canvas").count()
        assert n >= 4
        assert "万人成讼率" in page.content() and "信访量" in page.content()
        assert blocked == []  # it asked for nothing beyond the file
    finally:
        page.close()


PLANNER_CHARTS = 4
"""Charts 01-planner draws: the calibration fit, both trajectories (one concatenated chart),
the paired difference and the targets table."""

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
KERNEL_NAME = "Python 3 (fazhi-sim test)"


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a copy of 01-planner, with this venv's kernel."""
    work = tmp_path_factory.mktemp("lab")
    shutil.copy(ROOT / "notebooks" / "01-planner.ipynb", work)
    home = work / ".jupyter-home"
    # A kernel spec of our own, first on JUPYTER_PATH: "python3" must start this
    # interpreter, not whatever a user or system spec of that name points at.
    spec = home / "data" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": KERNEL_NAME, "language": "python"}))
    env = {**os.environ, "JUPYTER_PATH": str(home / "data"),
           "JUPYTER_DATA_DIR": str(home / "user-data"),
           "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "IPYTHONDIR": str(home / "ipython")}
    port, token = _free_port(), secrets.token_hex(16)
    log = work / "lab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", "--allow-root",
             f"--port={port}", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={work}",
             # The server's own calls out (news feed, update check, PyPI extension
             # search) would leave the machine; the page's calls are checked below.
             "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--LabApp.extension_manager=readonly",
             # window.jupyterapp, to run the cells and read the outputs.
             "--LabApp.expose_app_in_browser=True"],
            stdout=out, stderr=subprocess.STDOUT, cwd=work, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(f"{base}/api/status?token={token}", proc, log, "jupyter lab")
        yield f"{base}/lab/tree/01-planner.ipynb?token={token}", work
    finally:
        _stop(proc)


_NOTEBOOK_READY = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session
                 && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""

# Done when every code cell has run, or one failed (Run All stops there).
_ALL_RUN = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const code = panel.content.widgets.filter(c => c.model.type === 'code');
  const failed = code.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
  return panel.sessionContext.session.kernel.status === 'idle'
         && (failed || code.every(c => c.model.executionCount !== null));
}"""

# Per code cell output: its MIME types, whether it is a chart, whether the chart has drawn.
_OUTPUTS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const found = [];
  for (const cell of panel.content.widgets) {
    if (cell.model.type !== 'code') continue;
    const outputs = cell.model.outputs;
    const nodes = cell.outputArea.widgets;
    for (let i = 0; i < outputs.length; i++) {
      const out = outputs.get(i);
      const data = out.data || {};
      const mimes = Object.keys(data);
      const html = String(data['text/html'] || '');
      const text = String(data['text/plain'] || '');
      // Progress bars are widgets too: a chart widget is the one whose text says so.
      const chart = mimes.some(m => m.includes('vegalite') || m.includes('vnd.vega'))
                    || html.includes('vegaEmbed')
                    || (mimes.includes('application/vnd.jupyter.widget-view+json')
                        && text.includes('JupyterChart'));
      const node = nodes[i] ? nodes[i].node : null;
      const drawn = !!node && !!node.querySelector('.vega-embed svg, .vega-embed canvas');
      found.push({type: out.type, mimes, text: text.slice(0, 80), chart, drawn,
                  error: out.type === 'error' ? out.toJSON().ename + ': '
                                                + out.toJSON().evalue : null});
    }
  }
  return found;
}"""


def test_planner_notebook_draws_its_charts_in_jupyterlab_offline(browser, lab_url):
    url, work = lab_url
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    local: list[str] = []
    aborted: list[str] = []

    def gate(route):
        u = urlsplit(route.request.url)
        if u.scheme in ("data", "blob") or u.hostname in LOCAL_HOSTS:
            local.append(route.request.url)
            route.continue_()
        else:
            aborted.append(f"{route.request.resource_type} {route.request.url}")
            route.abort()

    def socket(ws):  # routes do not see WebSockets: note any that go elsewhere
        if urlsplit(ws.url).hostname not in LOCAL_HOSTS:
            aborted.append(f"websocket {ws.url}")

    try:
        # On the context, so that workers' requests pass the gate too.
        page.context.route("**/*", gate)
        page.on("websocket", socket)
        page.goto(url, timeout=60_000)
        page.wait_for_function(_NOTEBOOK_READY, timeout=60_000, polling=250)
        assert page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.kernelDisplayName"
        ) == KERNEL_NAME  # this venv's interpreter, not some other "python3"
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        page.wait_for_function(_ALL_RUN, timeout=120_000, polling=250)
        outputs = page.evaluate(_OUTPUTS)
        errors = [o["error"] for o in outputs if o["error"]]
        assert not errors, errors
        charts = [o for o in outputs if o["chart"]]
        # Widgets draw after the kernel has answered: give them a moment.
        deadline = time.time() + 30
        while sum(o["drawn"] for o in charts) < len(charts) and time.time() < deadline:
            time.sleep(0.25)
            charts = [o for o in page.evaluate(_OUTPUTS) if o["chart"]]
        shot = work / "planner.png"
        page.screenshot(path=str(shot), full_page=True)
        drawn = sum(o["drawn"] for o in charts)
        print(f"chart outputs {len(charts)}, drawn {drawn}, local requests {len(local)}, "
              f"aborted {len(aborted)}")
        assert len(charts) == PLANNER_CHARTS, (charts, str(shot))
        assert drawn == len(charts), (charts, aborted, str(shot))
        assert aborted == []  # nothing, chart scripts least of all, came from off the machine
    finally:
        page.close()
