"""The offline documentation bundle opens from disk: pages, search in Chinese, charts.

Needs the bundle built first (``make docs-offline``). Without it the tests skip, except when
FAZHI_DOCS_TESTS=required (set by .ci/run after it builds the bundle), where a missing bundle
is a failure. Every request outside the unpacked bundle is aborted and recorded.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from test_browser import CHROMIUM, FLAGS, sync_playwright

import fazhi_sim

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "docs" / "_build" / f"fazhi-sim-docs-{fazhi_sim.__version__}.zip"
REQUIRED = os.environ.get("FAZHI_DOCS_TESTS") == "required"

if not BUNDLE.is_file() and REQUIRED:
    raise RuntimeError(f"{BUNDLE} is missing; build it with make docs-offline")
pytestmark = pytest.mark.skipif(
    not BUNDLE.is_file() or sync_playwright is None or not os.path.exists(CHROMIUM),
    reason="no docs bundle (make docs-offline), Playwright or Chromium")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    with zipfile.ZipFile(BUNDLE) as zf:
        zf.extractall(out)
    (top,) = list(out.iterdir())
    return top


@pytest.fixture(scope="module")
def page(site):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        pg.outside = []
        inside = site.resolve().as_uri()

        def gate(route):
            if route.request.url.startswith(inside):
                route.continue_()
            else:
                pg.outside.append(route.request.url)
                route.abort()

        pg.route("**/*", gate)
        yield pg
        browser.close()


def test_index_opens_with_version_and_calibration_stamp(page, site):
    page.goto((site / "index.html").as_uri())
    text = page.inner_text("body")
    assert f"fazhi-sim {fazhi_sim.__version__}" in text
    assert "posterior" in text and "design runs" in text
    assert page.outside == []


def test_search_finds_a_chinese_plan_term(page, site):
    page.goto((site / "search.html").as_uri() + "?q=万人成讼率")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=30_000)
    assert results.count() >= 3, page.inner_text("#search-results")
    titles = " ".join(results.all_inner_texts())
    assert "model" in titles.lower() or "模型" in titles
    assert page.outside == []


def test_executed_notebook_draws_its_charts(page, site):
    page.goto((site / "notebooks" / "01-planner.html").as_uri())
    charts = page.locator("div.fazhi-chart svg.marks")
    charts.first.wait_for(timeout=30_000)
    assert charts.count() >= 2
    # A drawn chart has marks: lines or areas with a path, not an empty frame.
    assert page.locator("div.fazhi-chart svg.marks path").count() > 10
    assert "chart error" not in page.inner_text("body")
    assert page.outside == []
