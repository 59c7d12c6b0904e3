"""The report in Chromium: full-width charts on screen, and an A4 print that cuts no chart.

The print is checked twice over: in print emulation at the printable width every chart's box
fits the width and is shorter than a page; in the PDF itself a link at the top and one at
the bottom of each chart land on the same page (Chromium writes links as page annotations).

Runs the same way as tests/test_browser.py (Playwright driving Debian's Chromium, every
request beyond the file aborted) and is skipped where either is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_browser import _missing, browser  # noqa: F401 - browser is a fixture

import fazhi_sim as fs
from fazhi_sim.views.report import write_report

pytestmark = pytest.mark.skipif(_missing is not None, reason=_missing or "")

MM = 96 / 25.4
"""CSS pixels per millimetre."""
PRINT_WIDTH = round((210 - 2 * 12) * MM)
"""A4 less the report's 12 mm side margins (``@page``), in CSS pixels: 703."""
PRINT_HEIGHT = round((297 - 2 * 14) * MM)
"""A4 less the 14 mm top and bottom margins: 1017 px."""
PAGES = (6, 16)
"""The town report of two scenarios prints to 9 A4 pages today; allow some change."""

_RENDERED = ("document.querySelectorAll('.chart svg.marks').length === "
             "document.querySelectorAll('.chart').length")
_BOXES = """() => [...document.querySelectorAll('.chart')].map(c => {
  const s = c.querySelector('svg.marks').getBoundingClientRect();
  const b = c.getBoundingClientRect();
  return {id: c.id, right: b.right, svgLeft: s.left, svgRight: s.right, svgWidth: s.width,
          svgHeight: s.height, avoid: getComputedStyle(c).breakInside};
})"""


_MARK = """() => { for (const c of document.querySelectorAll('.chart')) {
  for (const [where, before] of [['top', c.firstChild], ['bottom', null]]) {
    const a = document.createElement('a');
    a.href = 'https://mark.invalid/' + c.id + '/' + where;
    a.style.cssText = 'display:block;height:2px;width:100%';
    c.insertBefore(a, before);
  } } }"""
"""Puts a link at the top and at the bottom of every chart: Chromium writes each link as an
annotation of the PDF page it lands on, so the PDF tells which page each chart edge is on."""


def _pages_of_marks(pdf: bytes) -> dict[str, list[int]]:
    """Mark (``chart-3/top``) -> the PDF pages (0-based) its link annotation is on."""
    objs = {int(m[1]): m[2] for m in re.finditer(rb"(?s)\n(\d+) 0 obj(.*?)endobj", pdf)}
    pages = [k for k, v in sorted(objs.items()) if re.search(rb"/Type\s*/Page(?![s\w])", v)]
    where: dict[str, list[int]] = {}
    for n, k in enumerate(pages):
        annots = re.search(rb"/Annots\s*\[([^\]]*)\]", objs[k])
        for ref in re.findall(rb"(\d+) 0 R", annots[1]) if annots else []:
            if uri := re.search(rb"mark\.invalid/([^)]*)", objs.get(int(ref), b"")):
                where.setdefault(uri[1].decode(), []).append(n)
    return where


def _cut(where: dict[str, list[int]], ids: list[str]) -> list[str]:
    """Charts whose top and bottom are not both on one page (or are missing)."""
    return [i for i in ids if len(set(where.get(f"{i}/top", []) + where.get(f"{i}/bottom", [])))
            != 1]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    ens = fs.run_ensemble(["baseline", "plan-2025"], replicates=2, region="town",
                          executor=fs.Serial(), progress=False)
    return Path(write_report(ens, tmp_path_factory.mktemp("report") / "report.html"))


def _open(browser, path: Path, width: int, media: str):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900})
    blocked: list[str] = []

    def gate(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", gate)
    page.emulate_media(media=media)
    page.goto(path.as_uri())
    page.wait_for_function(_RENDERED, timeout=90_000)
    return page, blocked


def test_charts_fill_the_text_width_on_screen(browser, report):  # noqa: F811
    page, blocked = _open(browser, report, 1280, "screen")
    try:
        text = page.evaluate("document.querySelector('h2').getBoundingClientRect().width")
        boxes = page.evaluate(_BOXES)
        assert len(boxes) >= 10 and blocked == []
        wide = [b for b in boxes if b["svgWidth"] >= 0.85 * text]
        # Every chart but the plan-target grid spans the text width (none in a left column).
        assert len(wide) >= len(boxes) - 1, [(b["id"], b["svgWidth"]) for b in boxes]
        assert all(b["svgRight"] <= 1280 for b in boxes)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    finally:
        page.close()


def test_a4_print_fits_every_chart_and_keeps_it_on_one_page(browser, report):  # noqa: F811
    page, blocked = _open(browser, report, PRINT_WIDTH, "print")
    try:
        boxes = page.evaluate(_BOXES)
        assert boxes and blocked == []
        for b in boxes:
            # Inside the printable width (1 px for rounding) ...
            assert b["svgLeft"] >= -1 and b["svgRight"] <= PRINT_WIDTH + 1, b
            # ... short enough for one page, and kept whole across page breaks.
            assert b["svgHeight"] < PRINT_HEIGHT and b["avoid"] == "avoid", b
        assert page.evaluate("document.documentElement.scrollWidth") <= PRINT_WIDTH
        ids = [b["id"] for b in boxes]
        page.evaluate(_MARK)
        data = page.pdf(prefer_css_page_size=True, print_background=True)
        pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
        assert PAGES[0] <= pages <= PAGES[1], pages
        # A4 in points (595 x 842), from the page's @page rule.
        box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
        assert box and abs(float(box[1]) - 595.3) < 2 and abs(float(box[2]) - 841.9) < 2
        # No chart straddles a page break: its top and bottom are on the same page.
        where = _pages_of_marks(data)
        assert _cut(where, ids) == [], where
        # The check sees a cut: a chart made taller than a page is reported.
        page.add_style_tag(content=f"#{ids[3]} svg {{ height: {PRINT_HEIGHT + 300}px !important }}")
        assert _cut(_pages_of_marks(page.pdf(prefer_css_page_size=True)), ids) == [ids[3]]
    finally:
        page.close()
