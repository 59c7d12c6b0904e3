"""Altair charts: encodings, Chinese/English labels, inline data, SVG/PNG export with CJK."""

from __future__ import annotations

import re
import shutil
import subprocess

import altair as alt
import numpy as np
import pandas as pd
import pytest
from conftest import small_region

import fazhi_sim as fs
from fazhi_sim import charts


@pytest.fixture(scope="module")
def ens() -> fs.Ensemble:
    return fs.run_ensemble(["baseline", "plan-2025"], replicates=2, region="town",
                           executor=fs.Serial(), progress=False)


@pytest.fixture(scope="module")
def tiny_ens() -> fs.Ensemble:
    """Two counties plus the whole (made-up) region."""
    return fs.run_ensemble(["baseline", "plan-2025"], replicates=2, region=small_region(),
                           executor=fs.Serial(), progress=False)


# -- helpers -----------------------------------------------------------------------------------


def walk(node):
    """Every dict inside a spec."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


def layers(spec: dict) -> list[dict]:
    """The unit specs (those with a mark), wherever they sit."""
    return [d for d in walk(spec) if "mark" in d]


def mark(layer: dict) -> str:
    m = layer["mark"]
    return m["type"] if isinstance(m, dict) else m


def by_mark(spec: dict, kind: str) -> dict:
    found = [u for u in layers(spec) if mark(u) == kind]
    assert found, f"no {kind} layer"
    return found[0]


def rows(spec: dict) -> pd.DataFrame:
    """The data embedded in a spec (all inline datasets together)."""
    frames = [pd.DataFrame(v) for v in spec.get("datasets", {}).values()]
    return pd.concat(frames, ignore_index=True)


def title_text(spec: dict) -> str:
    t = spec["title"]
    return t["text"] if isinstance(t, dict) else t


def assert_inline(spec: dict) -> None:
    for d in walk(spec):
        assert "url" not in d, d
    assert spec["datasets"], "data must be embedded"
    assert "Noto Sans CJK SC" in spec["config"]["font"]


CJK = re.compile(r"[\u4e00-\u9fff]")


# -- charts ------------------------------------------------------------------------------------


def test_trajectories_chinese_by_default_with_band(ens):
    spec = charts.trajectories(ens.summary(), "lawsuits_per_10k").to_dict()
    assert_inline(spec)
    assert title_text(spec).startswith("万人成讼率") and "示范镇" in title_text(spec)
    line, area = by_mark(spec, "line"), by_mark(spec, "area")
    assert line["encoding"]["x"]["field"] == "year"
    assert line["encoding"]["x"]["title"] == "年份"
    assert line["encoding"]["y"]["field"] == "median"
    assert line["encoding"]["y"]["title"] == "万人成讼率"
    assert line["encoding"]["color"]["field"] == "scenario"
    assert line["encoding"]["color"]["title"] == "情景"
    assert (area["encoding"]["y"]["field"], area["encoding"]["y2"]["field"]) == ("q10", "q90")
    data = rows(spec)
    assert set(data["scenario"]) == {"baseline", "plan-2025"}
    assert sorted(set(data["year"])) == [2021, 2022, 2023, 2024, 2025]
    assert (data["q10"] <= data["median"]).all() and (data["median"] <= data["q90"]).all()
    # Colours follow the scenarios' order, baseline first.
    assert line["encoding"]["color"]["scale"]["domain"] == ["baseline", "plan-2025"]


def test_trajectories_english(ens):
    spec = charts.trajectories(ens.summary(), "petitions", lang="en").to_dict()
    assert title_text(spec).startswith("Petitions") and "Model town" in title_text(spec)
    assert by_mark(spec, "line")["encoding"]["x"]["title"] == "Year"
    assert not CJK.search(str(spec["title"]))


def test_trajectories_take_runs_and_single_runs(ens):
    from_runs = rows(charts.trajectories(ens.runs, "petitions").to_dict())
    from_summary = rows(charts.trajectories(ens.summary(), "petitions").to_dict())
    pd.testing.assert_frame_equal(from_runs, from_summary)
    one = fs.simulate("baseline", region="town", seed=3)
    data = rows(charts.trajectories(one, "petitions").to_dict())
    np.testing.assert_array_equal(data["q10"], data["q90"])  # one run: no band
    assert set(data["scenario"]) == {"baseline"}


def test_bad_inputs_raise(ens):
    with pytest.raises(ValueError, match="language"):
        charts.trajectories(ens.summary(), "petitions", lang="fr")
    with pytest.raises(ValueError, match="metric"):
        charts.trajectories(ens.summary(), "nope")
    with pytest.raises(ValueError, match="region"):
        charts.trajectories(ens.summary(), "petitions", region="zhuji")
    with pytest.raises(ValueError, match="year"):
        charts.flows(ens.summary(), year=2030)


def test_difference_excludes_baseline_and_has_zero_rule(ens):
    spec = charts.difference(ens.compare(), "lawsuits_per_10k").to_dict()
    assert_inline(spec)
    assert "万人成讼率" in title_text(spec) and "baseline" in title_text(spec)
    line = by_mark(spec, "line")
    assert line["encoding"]["y"]["title"] == "与基准情景之差"
    area = by_mark(spec, "area")
    assert (area["encoding"]["y"]["field"], area["encoding"]["y2"]["field"]) == ("q10", "q90")
    rule = by_mark(spec, "rule")
    assert rule["encoding"]["y"]["field"] == "zero"
    data = rows(spec).dropna(subset=["scenario"])
    assert set(data["scenario"]) == {"plan-2025"}
    comp = ens.compare().query("scenario == 'plan-2025' and metric == 'lawsuits_per_10k'")
    np.testing.assert_allclose(data.sort_values("year")["median"], comp.sort_values("year")
                               ["median"])


def test_difference_of_a_share_in_percentage_points(ens):
    spec = charts.difference(ens.compare(), "village_share_of_resolved", lang="en").to_dict()
    assert "percentage points" in by_mark(spec, "line")["encoding"]["y"]["title"]
    comp = ens.compare().query("scenario == 'plan-2025' and metric == "
                               "'village_share_of_resolved'").sort_values("year")
    data = rows(spec).dropna(subset=["scenario"]).sort_values("year")
    np.testing.assert_allclose(data["median"], 100 * comp["median"])
    pct = rows(charts.difference(ens.compare(), "petitions", percent=True).to_dict())
    np.testing.assert_allclose(pct.dropna(subset=["scenario"]).sort_values("year")["median"],
                               ens.compare().query("scenario == 'plan-2025' and metric == "
                                                   "'petitions'").sort_values("year")
                               ["pct_median"])


def test_pyramid_counts_each_layer(ens):
    summary = ens.summary()
    spec = charts.pyramid(summary).to_dict()
    assert_inline(spec)
    assert title_text(spec).startswith("纠纷金字塔") and "2025" in title_text(spec)
    assert spec["facet"]["column"]["field"] == "scenario"  # two scenarios side by side
    bar = by_mark(spec, "bar")
    bottom_up = ["矛盾隐患(含未表达)", "矛盾纠纷", "诉至法院", "立案受理(成讼)", "信访"]
    assert bar["encoding"]["y"]["sort"] == bottom_up[::-1]  # widest (grievances) at the bottom
    data = rows(spec)
    plan = data[data["scenario"] == "plan-2025"].set_index("layer")["median"]
    s = summary.query("scenario == 'plan-2025' and year == 2025").set_index("metric")["median"]
    assert plan["矛盾纠纷"] == s["disputes"] and plan["信访"] == s["petitions"]
    assert plan["立案受理(成讼)"] == s["lawsuits"]
    assert plan["诉至法院"] == pytest.approx(s["filings_per_10k"] * s["population"] / 1e4)
    counts = plan[bottom_up].to_numpy()
    assert (np.diff(counts) <= 0).all()  # each layer no wider than the one below
    # Per-run values give the same pyramid, and one scenario gives one panel.
    assert rows(charts.pyramid(ens.runs).to_dict()).equals(data)
    one = charts.pyramid(summary, scenario="baseline", year=2022, lang="en").to_dict()
    assert "facet" not in one and "2022" in title_text(one)
    assert set(rows(one)["layer"]) == {"Grievances (voiced or not)", "Disputes",
                                       "Brought to court", "Lawsuits accepted", "Petitions"}


def test_flows_shares_add_up(ens):
    spec = charts.flows(ens.summary()).to_dict()
    assert_inline(spec)
    assert title_text(spec).startswith("纠纷在哪一层化解")
    bar = by_mark(spec, "bar")
    assert bar["encoding"]["y"]["field"] == "scenario"
    assert bar["encoding"]["color"]["field"] == "layer"
    assert bar["encoding"]["color"]["scale"]["domain"][0] == "村级(含自行协商)"
    assert bar["encoding"]["x"]["title"] == "占已化解纠纷比例"
    data = rows(spec)
    np.testing.assert_allclose(data.groupby("scenario")["share"].sum(), 1.0)
    assert len(data) == 2 * 5


def test_counties_leave_out_the_whole_region(ens, tiny_ens):
    spec = charts.counties(tiny_ens.summary(), "lawsuits_per_10k").to_dict()
    assert_inline(spec)
    assert spec["facet"]["field"] == "place"
    assert set(rows(spec)["place"]) == {"c0", "c1"}  # not "tiny"
    assert "分区县" in title_text(spec)
    line = by_mark(spec, "line")
    assert line["encoding"]["y"]["field"] == "median"
    # A one-county region gives one panel, named in Chinese.
    assert set(rows(charts.counties(ens.summary(), "petitions").to_dict())["place"]) == {"示范镇"}
    # The whole region is found for made-up regions too (the sum of the counties).
    assert "测试区" not in title_text(charts.flows(tiny_ens.summary()).to_dict())
    assert set(rows(charts.flows(tiny_ens.summary()).to_dict())["scenario"]) == {
        "baseline", "plan-2025"}


def test_targets_table(ens):
    targets = ens.targets()
    spec = charts.targets_table(targets).to_dict()
    assert_inline(spec)
    assert title_text(spec) == "规划目标检验"
    rect = by_mark(spec, "rect")
    assert rect["encoding"]["x"]["field"] == "scenario"
    assert rect["encoding"]["y"]["field"] == "row"
    assert rect["encoding"]["color"]["condition"]["field"] == "probability"
    data = rows(spec)
    assert len(data) == len(targets)
    assert "万人成讼率(逐年下降)" in set(data["row"])
    coverage = data[data["row"].str.contains("覆盖达标")]
    assert set(coverage["text"]) <= {"达到", "未达到"} and len(coverage)
    assert data["detail"].str.contains("次重复|规划目标").all()
    en = rows(charts.targets_table(targets, lang="en").to_dict())
    assert set(en.loc[en["row"].str.contains("coverage"), "text"]) <= {"reached", "not reached"}


def test_combine_moves_config_to_the_top(ens):
    s = ens.summary()
    a, b = charts.trajectories(s, "petitions"), charts.flows(s)
    spec = charts.combine(a, b).to_dict()
    assert len(spec["hconcat"]) == 2 and "Noto Sans CJK SC" in spec["config"]["font"]
    assert all("config" not in sub for sub in spec["hconcat"])
    assert spec["resolve"]["scale"]["color"] == "independent"  # scenarios vs layers
    # The | and & operators work on these charts (plain Altair refuses configured charts).
    assert (a | b).to_dict()["hconcat"] == spec["hconcat"]
    grid = ((a | b) & charts.pyramid(s)).to_dict()
    assert grid["columns"] == 1 and len(grid["concat"]) == 2
    assert isinstance(a.properties(width=100), alt.LayerChart)
    with pytest.raises(TypeError):
        alt.hconcat(a, b)


# -- export ------------------------------------------------------------------------------------


def test_svg_keeps_chinese_text(ens, tmp_path):
    path = tmp_path / "t.svg"
    charts.save_svg(charts.trajectories(ens.summary(), "lawsuits_per_10k"), path)
    svg = path.read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "万人成讼率 — 示范镇" in texts  # the title
    assert "年份" in texts and "万人成讼率" in texts  # the axis titles
    assert "Noto Sans CJK SC" in svg


def _chinese_fonts() -> str:
    if shutil.which("fc-list") is None:
        return ""
    return subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True,
                          timeout=30).stdout.strip()


@pytest.mark.skipif(not _chinese_fonts(), reason="no Chinese font installed (fc-list :lang=zh "
                    "is empty); install fonts-noto-cjk to test PNG export")
def test_png_renders_chinese_glyphs(tmp_path):
    def png(title: str) -> bytes:
        chart = alt.Chart(pd.DataFrame({"x": [1, 2], "y": [1, 2]})).mark_line().encode(
            x="x:Q", y="y:Q").properties(title=title, width=120, height=60).configure(
            font=charts.FONT)
        path = tmp_path / f"{len(list(tmp_path.iterdir()))}.png"
        charts.save_png(chart, path)
        return path.read_bytes()

    a, b = png("万人成讼率"), png("就地化解率")
    assert a[:8] == b"\x89PNG\r\n\x1a\n"
    # Without a CJK font both titles would render as the same row of empty boxes.
    assert a != b


# -- where the charts live -----------------------------------------------------------------------


def test_charts_module_gathers_every_chart():
    from fazhi_sim.views import analysis_charts, chart_base, chart_export

    for name in charts.__all__:
        assert callable(getattr(charts, name)) or name == "FONT", name
    assert charts.tornado is analysis_charts.tornado
    assert charts.fit_chart is analysis_charts.fit_chart
    assert charts.combine is chart_base.combine and charts.save_png is chart_export.save_png


def test_analysis_computes_and_does_not_draw():
    """Analysis modules import neither Altair nor the views, nor anyone's private names."""
    import ast
    from pathlib import Path

    import fazhi_sim.analysis as analysis

    for path in Path(analysis.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("altair") for a in node.names), path.name
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                assert not module.startswith(("altair", "views")), (path.name, module)
                if node.level or module.startswith("fazhi_sim"):
                    private = [a.name for a in node.names if a.name.startswith("_")]
                    assert not private, (path.name, module, private)
