"""The HTML report: one self-contained file, Chinese by default, and `compare --report`."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import fazhi_sim as fs
from fazhi_sim import cli
from fazhi_sim.views.report import write_report
from fazhi_sim.views.tables import compare_rows, compare_tidy


@pytest.fixture(scope="module")
def ens() -> fs.Ensemble:
    return fs.run_ensemble(["baseline", "plan-2025"], replicates=2, region="town",
                           executor=fs.Serial(), progress=False)


@pytest.fixture(scope="module")
def report(ens, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    return write_report(ens, folder / "报告.html")


def test_report_is_one_offline_file(report):
    assert [p.name for p in report.parent.iterdir()] == ["报告.html"]
    text = report.read_text(encoding="utf-8")
    # Nothing is fetched: no external script, stylesheet, image or frame.
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert "<link" not in text.lower()
    assert "cdn" not in text.lower()
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.I)
    # The Vega, Vega-Lite and vega-embed code is inline (vega-embed's global and Vega's API).
    assert "window.vegaEmbed=" in text and "window.vegaLite=" in text
    assert "parse" in text and len(text) > 500_000
    assert report.stat().st_size < 3_000_000


def test_report_is_chinese_by_default(report, ens):
    text = report.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in text and '<meta charset="utf-8">' in text
    for word in ("万人成讼率", "信访量", "村级就地化解率", "规划目标检验", "纠纷金字塔",
                 "贝叶斯校准", "后验", "示范镇", "要收窄万人成讼率的区间,应测量"):
        assert word in text, word
    # The comparison table shows the same cells as `fazhi-sim compare` prints.
    tidy = compare_tidy(ens, "town", 2025)
    _, rows = compare_rows(tidy, ["baseline", "plan-2025"], 2, "zh")
    petitions = next(r for r in rows if r[0] == "信访量")
    assert "<td>信访量</td>" + "".join(f"<td>{c}</td>" for c in petitions[1:]) in text
    # One chart container per embedded spec, all rendered by a single loop.
    ids = re.findall(r'<div class="chart" id="(chart-\d+)"></div>', text)
    assert len(ids) >= 10
    for key in ids:
        assert f'"{key}": {{' in text
    assert '"url"' not in text.split("const specs =", 1)[1]


def test_report_in_english(ens, tmp_path):
    path = write_report(ens, tmp_path / "report.html", year=2024, lang="en")
    text = path.read_text(encoding="utf-8")
    assert '<html lang="en">' in text
    assert "Lawsuits per 10,000 residents" in text and "calibrated by Bayes" in text
    assert "posterior draw k" in text and "To narrow the band of" in text
    assert "万人成讼率" not in text
    assert "Year: 2024" in text


def test_report_splits_bands_and_warns_about_noise_only_bands(ens, tmp_path):
    noise = fs.run_ensemble(["baseline", "plan-2025"], replicates=2, region="town",
                            executor=fs.Serial(), progress=False, uncertainty="noise")
    text = write_report(ens, tmp_path / "r.html", lang="en", noise=noise).read_text("utf-8")
    assert "Where the band comes from" in text and "share from parameters" in text
    assert "bands show simulation noise alone" not in text
    alone = write_report(noise, tmp_path / "n.html", lang="en").read_text("utf-8")
    assert "bands show simulation noise alone" in alone
    assert "Where the band comes from" not in alone and "To narrow the band" not in alone


def test_report_checks_region_and_year(ens, tmp_path):
    with pytest.raises(ValueError, match="region"):
        write_report(ens, tmp_path / "r.html", region="zhuji")
    with pytest.raises(ValueError, match="year"):
        write_report(ens, tmp_path / "r.html", year=2030)
    assert not (tmp_path / "r.html").exists()


def _browser() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_browser() is None, reason="no headless chromium to open the report")
def test_report_draws_every_chart_offline(report):
    # A browser with no network at all draws each chart into an <svg>.
    proc = subprocess.run(
        [_browser(), "--headless=new", "--no-sandbox", "--disable-gpu",
         "--proxy-server=127.0.0.1:9", "--virtual-time-budget=15000", "--dump-dom",
         report.as_uri()], capture_output=True, text=True, timeout=120)
    dom = proc.stdout
    ids = re.findall(r'id="(chart-\d+)"', dom)
    assert ids, proc.stderr[-2000:]
    drawn = re.findall(r'id="(chart-\d+)"><div class="chart-wrapper"[^>]*><svg', dom)
    assert drawn == ids


def test_cli_compare_writes_report(capsys, tmp_path):
    path = tmp_path / "cmp.html"
    code = cli.main(["compare", "baseline", "plan-2025", "--region", "town", "--jobs", "1",
                     "--lang", "en", "--report", str(path)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == f"written to: {path}"
    text = path.read_text(encoding="utf-8")
    assert "Petitions" in text and "Model town" in text


@pytest.mark.parametrize("target", ["{tmp}/no/such/r.html", "{tmp}"])
def test_cli_bad_report_path_exits_2_before_running(capsys, tmp_path, target):
    target = target.format(tmp=tmp_path)
    code = cli.main(["compare", "baseline", "plan-2025", "--region", "town", "--report",
                     target])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"fazhi-sim: error: {target}: --report: ")
    assert ".html" in lines[0]
