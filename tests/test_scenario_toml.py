"""Scenarios written as TOML read back as the same scenario; titles are checked like names."""

import pytest

import fazhi_sim as fs
from fazhi_sim.engine.measures import LEVERS


def _round_trip(sc, tmp_path):
    return fs.load_scenario(fs.save_scenario(sc, tmp_path / "s.toml", header="test"))


@pytest.mark.parametrize("name", ["plan-2025", "baseline", "online-court"])
def test_shipped_round_trip(name, tmp_path):
    sc = fs.load_scenario(name)
    back = _round_trip(sc, tmp_path)
    assert back.content_hash() == sc.content_hash()
    assert (back.name, back.title, back.description) == (sc.name, sc.title, sc.description)
    assert back.levers == sc.levers


def test_every_field_round_trips(tmp_path):
    levers = {lid: {"target": lv.minimum + (lv.maximum - lv.minimum) / 3, "start": 2022,
                    "full_by": 2024, "end": 2031} for lid, lv in LEVERS.items()}
    sc = fs.Scenario(name="all", title='全部措施 "引号" \\ 反斜杠', description="多行\n说明",
                     start_year=2021, end_year=2035, region="zhuji", levers=levers,
                     params=fs.Params(impatience=0.123456789012345, village_success=0.9))
    back = _round_trip(sc, tmp_path)
    assert back == sc


def test_written_file_explains_each_lever():
    sc = fs.Scenario(levers={"county_centre": {"target": 0.8}})
    text = fs.scenario_to_toml(sc)
    lv = LEVERS["county_centre"]
    assert lv.name_zh in text and "第二十三条" in text and "Source:" in text
    assert "[params]" not in text  # defaults are not written


def test_shipped_scenarios_have_titles():
    assert fs.load_scenario("plan-2025").display_title == "规划(2025年目标)"
    assert fs.Scenario(name="x").display_title == "x"


@pytest.mark.parametrize("title", ["  ", "a\nb", "x" * 500])
def test_bad_title_is_one_line_error(title):
    with pytest.raises(fs.ScenarioError, match="title"):
        fs.Scenario(title=title)
