"""Counties side by side: the tile layout file, county values, the tile map and its selection."""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import pandas as pd
import pytest

import fazhi_sim as fs
from fazhi_sim.views import county_charts as cc
from fazhi_sim.views.chart_export import save_svg

COUNTIES = ["zhuji", "yuecheng", "keqiao", "shangyu", "shengzhou", "xinchang"]


@pytest.fixture(scope="module")
def city_ens() -> fs.Ensemble:
    """Baseline and plan-2025 over the whole city, one run each."""
    return fs.run_ensemble(["baseline", "plan-2025"], replicates=1, region="shaoxing",
                           executor=fs.Serial(), progress=False)


@pytest.fixture(scope="module")
def city(city_ens) -> pd.DataFrame:
    """Its runs as one tidy frame (scenario, year, region, metric, value, ...)."""
    return city_ens.runs


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def _rows(spec: dict) -> list[dict]:
    """Every inline data row of a spec (datasets and inline values)."""
    out = []
    for rows in spec.get("datasets", {}).values():
        out += rows
    return out


def test_tile_file_lays_the_counties_out_as_they_lie_and_says_it_is_schematic():
    text = resources.files("fazhi_sim").joinpath("data/county_tiles.csv").read_text("utf-8")
    rows = {r["id"]: r for r in csv.DictReader(text.splitlines())}
    assert sorted(rows) == sorted(COUNTIES)
    pos = {k: (float(r["col"]), float(r["row"])) for k, r in rows.items()}
    assert len(set(pos.values())) == 6  # no two tiles on one square
    assert pos["keqiao"][0] < pos["yuecheng"][0] < pos["shangyu"][0]  # west to east
    assert pos["keqiao"][1] == pos["yuecheng"][1] == pos["shangyu"][1]  # the northern row
    assert pos["zhuji"][0] < pos["yuecheng"][0] < pos["shengzhou"][0]
    assert pos["zhuji"][1] > pos["keqiao"][1] and pos["shengzhou"][1] > pos["yuecheng"][1]
    assert pos["xinchang"][1] > pos["shengzhou"][1] and pos["xinchang"][0] > pos["shengzhou"][0]
    assert "Schematic" in rows["keqiao"]["basis"] and all(r["basis"] for r in rows.values())


def test_county_values_are_the_runs_values_in_the_year(city):
    got = cc.county_values(city, "lawsuits_per_10k", year=2024).set_index("county")
    want = city[(city.scenario == "baseline") & (city.metric == "lawsuits_per_10k")
                & (city.year == 2024)].set_index("region")["value"]
    assert sorted(got.index) == sorted(COUNTIES)
    np.testing.assert_allclose(got["median"], want.reindex(got.index), rtol=1e-12)


def test_change_is_the_scenario_minus_the_baseline(city):
    got = cc.county_values(city, "petitions", change=True).set_index("county")
    d = city[(city.metric == "petitions") & (city.year == 2025)]
    want = (d[d.scenario == "plan-2025"].set_index("region")["value"]
            - d[d.scenario == "baseline"].set_index("region")["value"])
    assert (got["scenario"] == "plan-2025").all()
    np.testing.assert_allclose(got["median"], want.reindex(got.index), rtol=1e-12)
    with pytest.raises(ValueError, match="no change for scenario"):
        cc.county_values(city, "petitions", change=True, scenario="baseline")


def test_tile_map_has_chinese_names_tooltips_and_a_county_selection(city):
    spec = cc.tile_map(city, "lawsuits_per_10k", titles={"baseline": "基准情景"}).to_dict()
    params = [p for n in _walk(spec) for p in n.get("params", [])]
    sel = [p for p in params if p.get("name") == cc.SELECTION]
    assert len(sel) == 1 and sel[0]["select"]["fields"] == ["county"]
    rows = _rows(spec)
    assert {r["name"] for r in rows} == {"诸暨市", "越城区", "柯桥区", "上虞区", "嵊州市", "新昌县"}
    xin = next(r for r in rows if r["county"] == "xinchang")
    assert xin["col"] == 2.5 and xin["row"] == 2
    titles = {t.get("title") for n in _walk(spec) for t in n.get("tooltip", []) or []
              if isinstance(t, dict)}
    assert {"区县", "万人成讼率"} <= titles
    assert "基准情景" in spec["title"]["subtitle"]


def test_county_view_links_the_map_to_the_panels_and_renders_offline(city, tmp_path):
    chart = cc.county_view(city, "petitions", change=True,
                           titles={"baseline": "基准", "plan-2025": "规划(2025年目标)"})
    spec = chart.to_dict()
    panels = spec["hconcat"][1]
    refs = [n["param"] for n in _walk(panels) if "param" in n]
    assert refs and set(refs) == {cc.SELECTION}
    assert {r["scenario"] for r in _rows(spec) if "scenario" in r and "place" in r} == {
        "基准", "规划(2025年目标)"}
    path = tmp_path / "counties.svg"
    save_svg(chart, path)
    svg = path.read_text("utf-8")
    assert "新昌县" in svg and "较基准的变化" in svg


def test_a_run_without_counties_is_one_clear_error():
    town = fs.simulate("baseline", region="town", seed=1)
    with pytest.raises(ValueError, match="region='shaoxing'"):
        cc.tile_map(town, "lawsuits_per_10k")


def test_the_report_puts_the_six_counties_side_by_side_for_the_whole_city(city_ens):
    from fazhi_sim.views.report_sections import county_section, scenario_titles

    ens = city_ens
    titles = scenario_titles(ens)
    title, text, views = county_section(ens, ens.summary(), ens.compare(), "zh", titles)
    assert title == "分区县走势" and "规划(2025年目标)" in text
    assert len(views) == 2
    want = ens.compare().query("year == 2025 and scenario == 'plan-2025' and "
                               "metric == 'lawsuits_per_10k'").set_index("region")["median"]
    spec = views[0].to_dict()
    tiles = [r for r in _rows(spec) if "col" in r]
    assert sorted(r["county"] for r in tiles) == sorted(COUNTIES)
    for r in tiles:
        assert r["median"] == pytest.approx(want[r["county"]], abs=1e-9)
    town = fs.run_ensemble(["baseline"], replicates=1, region="town", executor=fs.Serial(),
                           progress=False)
    assert county_section(town, town.summary(), town.compare(), "zh", {}) is None


def test_small_multiples_of_a_count_start_from_zero(city):
    spec = cc.county_multiples(city, "petitions").to_dict()
    scales = [n["y"].get("scale") for n in _walk(spec) if isinstance(n.get("y"), dict)
              and n["y"].get("field") == "median"]
    assert scales == [{"zero": True}]
    rate = cc.county_multiples(city, "lawsuits_per_10k").to_dict()
    assert all(n["y"].get("scale") != {"zero": True} for n in _walk(rate)
               if isinstance(n.get("y"), dict))
