"""Real-browser tests: the Voilà dashboard answers a keyboard move; the report opens offline.

They drive Debian's Chromium (/usr/bin/chromium) with Playwright; Playwright never downloads a
browser. Where Chromium is missing they skip with the reason, except when
FAZHI_BROWSER_TESTS=required (set by .ci/run, which installs Chromium), where a missing
browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

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


@pytest.fixture(scope="module")
def voila_url(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", str(ROOT / "notebooks" / "03-presenter.ipynb"),
             "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
             "--VoilaConfiguration.show_tracebacks=True"],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT / "notebooks")
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except urllib.error.HTTPError:  # it answers: the server is up
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    pytest.fail(f"voila did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
