"""Scenario files: shipped ones load, ramps follow the documented semantics, bad input is named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi_sim.engine.measures import LEVERS
from fazhi_sim.engine.scenario import (
    YEAR_MAX,
    YEAR_MIN,
    ScenarioError,
    load_scenario,
    scenario_from_dict,
)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "scenarios").rglob("*.toml"))
PACKAGED = ROOT / "fazhi_sim" / "scenarios"


def _write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- Shipped scenarios ------------------------------------------------------------------------


def test_there_are_shipped_scenarios():
    names = {p.stem for p in SHIPPED}
    assert {"baseline", "plan-2025", "online-court"} <= names
    # One single-measure file per lever.
    assert {p.stem for p in SHIPPED if p.parent.name == "measures"} == set(LEVERS)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_scenario_loads(path: Path):
    sc = load_scenario(path)
    assert set(sc.levers) <= set(LEVERS)
    assert sc.years and sc.years[0] == sc.start_year and sc.years[-1] == sc.end_year
    levels = sc.lever_values(np.arange(sc.start_year, sc.end_year + 1, 1 / 12))
    for lid, lev in LEVERS.items():
        assert lev.minimum <= levels[lid].min() and levels[lid].max() <= lev.maximum


def test_plan_2025_reaches_the_catalogue_levels_by_2025():
    sc = load_scenario(ROOT / "scenarios" / "plan-2025.toml")
    assert set(sc.levers) == set(LEVERS)
    levels = sc.lever_values(np.array([2020.5, 2025.0]))
    for lid, lev in LEVERS.items():
        assert levels[lid][0] == lev.baseline
        assert levels[lid][1] == pytest.approx(lev.plan_2025)


def test_baseline_file_holds_every_lever_at_2020_level():
    sc = load_scenario(ROOT / "scenarios" / "baseline.toml")
    assert sc.levers == {}
    for lid, values in sc.lever_values(np.linspace(2015, 2040, 50)).items():
        assert np.all(values == LEVERS[lid].baseline)


@pytest.mark.parametrize("name", ["baseline", "plan-2025", "online-court"])
def test_shipped_names_load_the_packaged_copy_identical_to_the_repo_file(name: str):
    by_name = load_scenario(name)
    by_path = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    assert by_name.content_hash() == by_path.content_hash()
    assert by_name.name == by_path.name == name
    assert (PACKAGED / f"{name}.toml").read_text("utf-8") == \
        (ROOT / "scenarios" / f"{name}.toml").read_text("utf-8")


# -- Schedule semantics -----------------------------------------------------------------------


def test_ramp_start_full_by_end_values():
    lev = LEVERS["mediators_per_10k"]
    b, t = lev.baseline, 8.0
    sc = scenario_from_dict({"levers": {"mediators_per_10k": {
        "start": 2022, "full_by": 2024, "target": t, "end": 2027}}})
    months = np.array([2020.0, 2021.0, 2021.99, 2022.0, 2022.5, 2023.0, 2023.5, 2024.0,
                       2026.99, 2027.0, 2030.0])
    expected = [b, b, b, b, b + 0.25 * (t - b), b + 0.5 * (t - b), b + 0.75 * (t - b), t,
                t, b, b]
    np.testing.assert_allclose(sc.lever_values(months)["mediators_per_10k"], expected,
                               rtol=0, atol=1e-12)


def test_target_is_held_exactly_from_full_by():
    sc = scenario_from_dict({"levers": {"online_court": {
        "start": 2021, "full_by": 2023, "target": 0.9852615460276671}}})
    values = sc.lever_values(np.array([2023.0, 2024.0, 2030.0]))["online_court"]
    assert np.all(values == 0.9852615460276671)


def test_step_change_and_defaults():
    b = LEVERS["county_centre"].baseline
    sc = scenario_from_dict({"start_year": 2022, "levers": {
        "county_centre": 0.9,                                  # shorthand: from start_year
        "online_court": {"target": 0.7, "start": 2024},        # no full_by: a step at start
    }})
    m = np.array([2021.5, 2021.99, 2022.0, 2023.99, 2024.0, 2030.0])
    v = sc.lever_values(m)
    np.testing.assert_array_equal(v["county_centre"], [b, b, 0.9, 0.9, 0.9, 0.9])
    ob = LEVERS["online_court"].baseline
    np.testing.assert_array_equal(v["online_court"], [ob, ob, ob, ob, 0.7, 0.7])
    # A lever the file does not name stays at its 2020 level.
    assert np.all(v["petition_agency"] == LEVERS["petition_agency"].baseline)
    assert sc.schedule("petition_agency") is None
    assert sc.schedule("county_centre").target == 0.9


def test_ramp_may_lower_a_lever():
    lev = LEVERS["mediation_coverage"]  # baseline 0.95
    sc = scenario_from_dict({"levers": {"mediation_coverage": {
        "start": 2021, "full_by": 2023, "target": 0.55}}})
    v = sc.lever_values(np.array([2021.0, 2022.0, 2023.0]))["mediation_coverage"]
    np.testing.assert_allclose(v, [lev.baseline, (lev.baseline + 0.55) / 2, 0.55], atol=1e-12)


# -- Bad input ---------------------------------------------------------------------------------

BAD_FILES = [
    ("[levers.online_court]\ntarget = 1.5\n", "levers.online_court.target", "0 to 1"),
    ("[levers.online_court]\ntarget = -0.1\n", "levers.online_court.target", "0 to 1"),
    ("[levers]\nmediators_per_10k = 20.5\n", "levers.mediators_per_10k.target", "0 to 20"),
    ("[levers.online_court]\ntarget = nan\n", "levers.online_court.target", "0 to 1"),
    ("[levers.online_court]\ntarget = true\n", "levers.online_court.target", "number"),
    ('[levers.online_court]\ntarget = "0.5"\n', "levers.online_court.target", "number"),
    ("[levers.online_court]\nstart = 2021\n", "levers.online_court.target", "required"),
    ("[levers.online_court]\ntaget = 0.5\n", "levers.online_court.taget",
     "target, start, full_by, end"),
    ("[levers.online_court]\ntarget = 0.5\nstart = 2023\nfull_by = 2022\n",
     "levers.online_court.full_by", "2023 or later"),
    ("[levers.online_court]\ntarget = 0.5\nfull_by = 2020\n", "levers.online_court.full_by",
     "2021 or later"),
    ("[levers.online_court]\ntarget = 0.5\nstart = 2022\nend = 2022\n",
     "levers.online_court.end", "2023 or later"),
    ("[levers.online_court]\ntarget = 0.5\nstart = 1990\n", "levers.online_court.start",
     f"{YEAR_MIN}-{YEAR_MAX}"),
    ("start_year = 2025\nend_year = 2021\n", "end_year", "2025 (start_year)"),
    ("end_year = 2100\n", "end_year", str(YEAR_MAX)),
    ("start_year = 1999\n", "start_year", f"{YEAR_MIN}-{YEAR_MAX}"),
    ("start_year = 2021.5\n", "start_year", "integer"),
    ("[levers]\nnope = 0.5\n", "levers.nope", "mediation_coverage"),
    ('region = "hangzhou"\n', "region", "zhuji"),
    ("[params]\nnope = 1\n", "params.nope", "unknown field"),
    ("[params]\nimpatience = 99\n", "params.impatience", "less than or equal"),
    ("nope = 1\n", "nope", "start_year"),
    ('name = "x"\nstart_year = \n', "(syntax)", "malformed TOML"),
    ("[levers.online_court\n", "(syntax)", "malformed TOML"),
]


@pytest.mark.parametrize(("text", "field", "allowed"), BAD_FILES,
                         ids=[f"{f}:{i}" for i, (_, f, _) in enumerate(BAD_FILES)])
def test_bad_file_names_file_and_field(tmp_path: Path, text: str, field: str, allowed: str):
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert err.source == str(path)
    assert err.field == field
    assert str(err).startswith(f"{path}: {field}: ")
    assert allowed in err.message
    assert "\n" not in str(err)


def test_missing_file(tmp_path: Path):
    path = tmp_path / "absent.toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert (info.value.source, info.value.field) == (str(path), "(file)")


def test_not_utf8(tmp_path: Path):
    path = tmp_path / "gbk.toml"
    path.write_bytes('name = "基线"\n'.encode("gbk"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert (info.value.field, str(path)) == ("(file)", info.value.source)
    assert "UTF-8" in info.value.message


def test_dict_errors_use_the_given_source():
    with pytest.raises(ScenarioError, match=r"^mine: levers\.online_court\.target: "):
        scenario_from_dict({"levers": {"online_court": 2.0}}, source="mine")


@pytest.mark.parametrize("lid", ["online_court", "mediators_per_10k", "legal_adviser_hours"])
def test_values_are_never_clipped(lid: str):
    lev = LEVERS[lid]
    for bad in (np.nextafter(lev.maximum, np.inf), np.nextafter(lev.minimum, -np.inf)):
        with pytest.raises(ScenarioError, match=rf"levers\.{lid}\.target"):
            scenario_from_dict({"levers": {lid: float(bad)}})
        with pytest.raises(ScenarioError, match=rf"levers\.{lid}\.target"):
            scenario_from_dict({}).with_levers(**{lid: float(bad)})
    # The limits themselves are allowed and reached exactly.
    for edge in (lev.minimum, lev.maximum):
        sc = scenario_from_dict({"levers": {lid: edge}})
        assert sc.levers[lid].target == edge
        assert sc.lever_values(np.array([2022.0]))[lid][0] == edge


# -- content_hash ------------------------------------------------------------------------------


def test_content_hash_ignores_name_and_description_only():
    body = {"levers": {"online_court": {"target": 0.6, "start": 2021, "full_by": 2024}}}
    a = scenario_from_dict({"name": "a", "description": "first", **body})
    b = scenario_from_dict({"name": "b", "description": "other words", **body})
    assert a.content_hash() == b.content_hash()
    assert len(a.content_hash()) == 16
    changed = {"levers": {"online_court": {"target": 0.61, "start": 2021, "full_by": 2024}}}
    assert scenario_from_dict(changed).content_hash() != a.content_hash()
    later = {"levers": {"online_court": {"target": 0.6, "start": 2022, "full_by": 2024}}}
    assert scenario_from_dict(later).content_hash() != a.content_hash()
    assert scenario_from_dict({**body, "params": {"impatience": 0.3}}).content_hash() \
        != a.content_hash()


def test_content_hash_same_for_file_and_dict(tmp_path: Path):
    path = _write(tmp_path, 'name = "f"\n[levers]\nonline_court = 0.8\n', "f.toml")
    from_file = load_scenario(path)
    from_dict = scenario_from_dict({"levers": {"online_court": {"target": 0.8}}})
    assert from_file.content_hash() == from_dict.content_hash()


# -- Property: any in-range target and any valid ramp is accepted and stays on its segment ----


@st.composite
def schedules(draw: st.DrawFn) -> tuple[str, dict]:
    lid = draw(st.sampled_from(sorted(LEVERS)))
    lev = LEVERS[lid]
    target = draw(st.floats(lev.minimum, lev.maximum, allow_nan=False))
    start = draw(st.integers(YEAR_MIN, YEAR_MAX - 1))
    sch: dict = {"target": target, "start": start}
    if draw(st.booleans()):
        sch["full_by"] = draw(st.integers(start, YEAR_MAX))
    if draw(st.booleans()):
        sch["end"] = draw(st.integers(start + 1, YEAR_MAX))
    return lid, sch


@settings(max_examples=200, deadline=None)
@given(schedules(), st.lists(st.floats(YEAR_MIN - 1, YEAR_MAX + 1), max_size=20))
def test_any_valid_schedule_validates_and_stays_between_baseline_and_target(drawn, extra):
    lid, sch = drawn
    sc = scenario_from_dict({"levers": {lid: sch}})
    lev = LEVERS[lid]
    months = np.concatenate([np.arange(YEAR_MIN - 1, YEAR_MAX + 1, 1 / 12), extra])
    values = sc.lever_values(months)
    v = values[lid]
    lo, hi = min(lev.baseline, sch["target"]), max(lev.baseline, sch["target"])
    assert np.all((lo <= v) & (v <= hi))
    # Before the start the 2020 level holds; every other lever never moves.
    assert np.all(v[months < sch["start"]] == lev.baseline)
    if "end" in sch:
        assert np.all(v[months >= sch["end"]] == lev.baseline)
    full = sch.get("full_by", sch["start"])
    held = (months >= full) & (months < sch.get("end", np.inf))
    assert np.all(v[held] == sch["target"])
    for other, w in values.items():
        if other != lid:
            assert np.all(w == LEVERS[other].baseline)
