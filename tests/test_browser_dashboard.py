"""The presenter's dashboard in a real browser (Voilà, Debian's Chromium, network blocked):
nothing cut at 1024×768 and 1920×1080, the plan button equal to ``compare``, save → open,
and the counties of 绍兴市.

Each page is a new kernel that draws the baseline and the setting once (tens of seconds on a
shared two-core machine); the checks that need a page share it.
"""

from __future__ import annotations

import base64
import re
import subprocess
import time
from urllib.parse import unquote, urlsplit

import pytest
import test_browser
from test_browser import CHROMIUM, FLAGS, ROOT, _free_port, _stop, _wait_for_server

import fazhi_sim as fs
from fazhi_sim.engine.scenario import load_scenario
from fazhi_sim.views.dashboard_layout import sizes
from fazhi_sim.views.voila_page import voila_command, voila_environment

pytestmark = test_browser.pytestmark

REPS = 3
LOCAL = {"127.0.0.1", "localhost"}
# Everything a presenter sees or touches on the main tab.
BOXES = """() => {
  const sel = '.vega-embed, .widget-hslider, .jupyter-button, .widget-dropdown, '
            + '.widget-toggle-buttons, .widget-upload, .widget-html, .widget-tab, .lm-TabBar';
  return Array.from(document.querySelectorAll(sel)).map(e => {
    const r = e.getBoundingClientRect();
    return {what: e.className.slice(0, 50), left: r.left, right: r.right, width: r.width};
  }).filter(b => b.width > 0);
}"""


@pytest.fixture(scope="module")
def browser():
    with test_browser.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def dash_url(tmp_path_factory):
    """Voilà serving the shipped presenter page, with fewer replicates (a quicker first draw)."""
    work = tmp_path_factory.mktemp("presenter")
    text = (ROOT / "notebooks" / "03-presenter.ipynb").read_text(encoding="utf-8")
    assert "replicates=10" in text
    (work / "presenter.ipynb").write_text(text.replace("replicates=10", f"replicates={REPS}"),
                                          encoding="utf-8")
    port, log = _free_port(), work / "voila.log"
    with log.open("w") as out:
        # As `fazhi-sim present` serves it: the page template that fetches nothing outside.
        proc = subprocess.Popen(
            voila_command(work / "presenter.ipynb", port, browser=False, extra=(
                "--Voila.ip=127.0.0.1", "--VoilaConfiguration.show_tracebacks=True")),
            stdout=out, stderr=subprocess.STDOUT, cwd=work, env=voila_environment())
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for_server(url, proc, log, "voila")
        yield url
    finally:
        _stop(proc)


def _open(browser, url, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    outside: list[str] = []

    def gate(route):
        u = urlsplit(route.request.url)
        if u.scheme in ("data", "blob") or u.hostname in LOCAL:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", gate)
    page.goto(url, timeout=120_000)
    page.locator(".vega-embed svg").nth(3).wait_for(timeout=240_000)
    _settled(page, width, height)
    return page, outside


def _settled(page, width, height):
    """Wait until the charts are drawn at the window's size (the page reports it first)."""
    want = sizes(width, height).chart_width
    page.wait_for_function(
        """(want) => { const s = Array.from(document.querySelectorAll('.vega-embed svg'))
                        .slice(0, 4);
                       return s.length === 4 && s.every(e => {
                         const w = e.getBoundingClientRect().width;
                         return w >= want && w <= want + 200; }); }""",
        arg=want, timeout=60_000, polling=250)
    _wait_status(page)


def _wait_status(page, timeout=240_000):
    page.wait_for_function("() => document.body.innerText.includes('更新用时')",
                           timeout=timeout, polling=250)
    time.sleep(0.5)


def _assert_nothing_cut(page, width):
    boxes = page.evaluate(BOXES)
    assert len(boxes) > 20
    cut = [b for b in boxes if b["left"] < -1 or b["right"] > width + 1]
    assert cut == [], cut
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def _medians(page, chart: int) -> dict[int, float]:
    """Year -> median as the difference chart ``chart`` draws it (its marks' descriptions)."""
    labels = page.locator(".vega-embed svg").nth(chart).evaluate(
        "s => Array.from(s.querySelectorAll('[aria-label]'))"
        ".map(e => e.getAttribute('aria-label'))")
    out = {}
    for text in labels:
        found = re.search(r"年份: (\d{4});.*中位数: ([−+-]?[\d,.]+)", text)
        if found:
            out[int(found.group(1))] = float(found.group(2).replace("−", "-").replace(",", ""))
    return out


def _click_button(page, text):
    page.locator("button", has_text=text).first.click()


def _reference():
    ens = fs.run_ensemble({"baseline": load_scenario("baseline"),
                           "plan": load_scenario("plan-2025")}, replicates=REPS, region="town",
                          executor=fs.Serial(), progress=False)
    comp = ens.compare("baseline")
    comp = comp[(comp.scenario == "plan") & (comp.region == "town")]
    diff = ens.differences("baseline")
    diff = diff[(diff.scenario == "plan") & (diff.region == "town")]
    return comp, diff


def test_small_projector_plan_button_and_save_open(browser, dash_url, tmp_path):
    page, outside = _open(browser, dash_url, 1024, 768)
    try:
        text = page.inner_text("body")
        assert "Presenter" not in text and "voila" not in text.lower()
        assert re.search(r"更新用时 \d+\.\d 秒", text)
        _assert_nothing_cut(page, 1024)
        page.get_by_text("六、法治社会").click()  # sliders shown must fit too
        slider = page.locator(".widget-hslider", has_text="信访诉求法定途径分类处理比例")
        slider.wait_for()
        tip = slider.evaluate("e => e.title || (e.querySelector('[title]') || {}).title || ''")
        assert "第二十三条" in tip and re.search(r"[\u4e00-\u9fff]{6}", tip.split(":")[1]), tip
        _assert_nothing_cut(page, 1024)

        # The plan button: the shipped plan file as compare runs it, same seeds and replicates.
        _click_button(page, "基线(2020年水平)")
        page.wait_for_function("() => !document.body.innerText.includes('更新用时')",
                               timeout=30_000, polling=100)
        _wait_status(page)
        _click_button(page, "规划(2025年目标)")
        page.wait_for_function("() => !document.body.innerText.includes('更新用时')",
                               timeout=30_000, polling=100)
        _wait_status(page)
        comp, diff = _reference()
        for chart, metric, tol in ((1, "lawsuits_per_10k", 0.006), (3, "petitions", 0.51)):
            shown = _medians(page, chart)
            for year in (2021, 2025):
                want = comp[(comp.metric == metric) & (comp.year == year)]["median"].item()
                assert shown[year] == pytest.approx(want, abs=tol), (metric, year)
        total = re.search(r"万人成讼率合计变化 ([+-]\d+\.\d\d)", page.inner_text("body"))
        mean = diff[(diff.metric == "lawsuits_per_10k") & (diff.year == 2025)]["diff"].mean()
        assert float(total.group(1)) == pytest.approx(mean, abs=0.006)

        # Save, change the file, open it: the page runs what the file says; saved again, the
        # file comes back unchanged.
        _click_button(page, "保存为情景文件")
        link = page.locator("a.fz-download")
        link.wait_for()
        first = link.get_attribute("href")
        saved = _decoded(first)
        assert "[levers.petition_routing]" in saved and "target = 0.8" in saved
        assert saved.count("[levers.") == 24
        assert saved.count("规划(2025年目标)") == 2  # the title and the comment heading the file
        edited = saved.replace("规划(2025年目标)", "分类处理放缓")
        edited = edited.replace("[levers.petition_routing]\nstart = 2021",
                                "[levers.petition_routing]\nstart = 2023")
        edited = re.sub(r"(\[levers\.petition_routing\][^\[]*?target = )0\.8", r"\g<1>0.55",
                        edited)
        assert edited.count("0.55") == 1 and "start = 2023" in edited
        path = tmp_path / "分类处理放缓.toml"
        path.write_text(edited, encoding="utf-8")
        with page.expect_file_chooser() as chooser:  # the open button's own file dialog
            page.locator(".widget-upload", has_text="打开情景文件").click()
        chooser.value.set_files(str(path))
        page.wait_for_function("() => document.body.innerText.includes('已打开')",
                               timeout=30_000, polling=100)
        _wait_status(page)
        assert "55%" in slider.inner_text()
        _click_button(page, "保存为情景文件")
        page.wait_for_function("(old) => { const a = document.querySelector('a.fz-download');"
                               " return a !== null && a.href !== old; }",
                               arg=first, timeout=30_000)
        again = _decoded(page.locator("a.fz-download").get_attribute("href"))
        assert again == edited
        _assert_nothing_outside(outside)
    finally:
        page.close()


def _assert_nothing_outside(outside: list[str]) -> None:
    # Voilà's own "lab" page links Font Awesome from a CDN; fazhi-sim's page template does not.
    assert outside == []


def _decoded(href: str) -> str:
    head, data = href.split(",", 1)
    assert head == "data:application/toml;base64"
    return base64.b64decode(unquote(data)).decode("utf-8")


def test_large_projector_and_the_counties(browser, dash_url):
    page, outside = _open(browser, dash_url, 1920, 1080)
    try:
        _assert_nothing_cut(page, 1920)
        svg = page.locator(".vega-embed svg").first
        assert svg.bounding_box()["width"] > 600  # the charts use the wide screen
        page.locator(".widget-dropdown select").first.select_option(label="绍兴市")
        # While the city computes the town's charts are dimmed, not shown as current.
        page.wait_for_function("() => document.querySelector('.fz-stale') !== null",
                               timeout=30_000, polling=100)
        page.wait_for_function("() => document.querySelector('.fz-stale') === null",
                               timeout=400_000, polling=500)
        _wait_status(page)
        county_map = page.locator(".vega-embed svg", has_text="诸暨市")
        county_map.first.wait_for(timeout=60_000)
        assert page.locator(".vega-embed svg", has_text="嵊州市").count() >= 1
        _assert_nothing_cut(page, 1920)
        tile = county_map.first.locator("path[aria-label*='诸暨']").first
        tile.scroll_into_view_if_needed()
        box = tile.bounding_box()
        # Below the county's name and value (text marks, which do not select), on the tile.
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8)
        page.wait_for_function(
            "() => document.querySelector('.widget-dropdown select').value.length > 0 && "
            "Array.from(document.querySelectorAll('.widget-dropdown select'))[0]"
            ".selectedOptions[0].text.includes('诸暨')", timeout=30_000, polling=200)
        _assert_nothing_outside(outside)
    finally:
        page.close()

