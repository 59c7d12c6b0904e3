"""Scenario files: shipped ones load, ramps follow the documented semantics, bad input is named."""

from __future__ import annotations

import pickle
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi_sim.engine.measures import LEVERS
from fazhi_sim.engine.scenario import (
    ECHO_MAX,
    FILE_MAX,
    NAME_MAX,
    SOURCE,
    YEAR_MAX,
    YEAR_MIN,
    LeverSchedule,
    Scenario,
    ScenarioError,
    baseline,
    load_scenario,
    quoted,
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
    ("[levers]\nmediators_per_10k = 60.5\n", "levers.mediators_per_10k.target", "0 to 60"),
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
    ("[levers.online_court]\ntarget = 0.5\nfull_by = 2025\nend = 2024\n",
     "levers.online_court.end", "2026 or later"),
    ("[levers.online_court]\ntarget = -0.5\n", "levers.online_court.target", "0 to 1"),
    ("[levers]\nonlin_court = 0.5\n", "levers.onlin_court", "did you mean online_court?"),
    ("[params]\nimpatiense = 0.2\n", "params.impatiense", "did you mean impatience?"),
    ('name = "a\\nb"\n', "name", "U+000A"),
    ('name = "a\\u2028b"\n', "name", "U+2028"),
    ('name = "  "\n', "name", "empty"),
    (f'name = "{"x" * (NAME_MAX + 1)}"\n', "name", f"at most {NAME_MAX}"),
    ("end_year = nan\n", "end_year", "a year such as 2021"),
    ("start_year = 1e300\n", "start_year", "a year such as 2021"),
    ('region = ""\n', "region", "zhuji"),
    ("[[levers]]\nonline_court = 0.5\n", "levers", "valid dictionary"),
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
    where = str(path) if err.line is None else f"{path}:{err.line}"
    assert str(err).startswith(f"{where}: {field}: ")
    assert allowed in err.message
    assert "\n" not in str(err)


@pytest.mark.parametrize(("text", "field", "allowed"), BAD_FILES,
                         ids=[f"{f}:{i}" for i, (_, f, _) in enumerate(BAD_FILES)])
def test_python_construction_fails_exactly_as_the_file(tmp_path: Path, text: str, field: str,
                                                       allowed: str):
    """One set of checks: Scenario(...) raises what load_scenario raises, bar the source."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        pytest.skip("not TOML: nothing to build in Python")
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as from_file:
        load_scenario(path)
    with pytest.raises(ScenarioError) as built:
        Scenario(**{"name": "bad", **data})
    assert (built.value.source, built.value.field) == (SOURCE, from_file.value.field)
    assert built.value.message == from_file.value.message
    with pytest.raises(ScenarioError) as validated:
        Scenario.model_validate(data)
    assert validated.value.message == from_file.value.message


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"levers": {"online_court": 5.0}}, "levers.online_court.target"),
    ({"levers": {"online_court": LeverSchedule(target=5.0)}}, "levers.online_court.target"),
    ({"levers": {"onlinecourt": 0.5}}, "levers.onlinecourt"),
    ({"end_year": 1990}, "end_year"),
    ({"start_year": 2030, "end_year": 2025}, "end_year"),
    ({"params": {"impatience": 99}}, "params.impatience"),
    ({"params": {"impatiense": 0.2}}, "params.impatiense"),
    ({"region": "hangzhou"}, "region"),
    ({"name": "x\nfazhi-sim: error: y"}, "name"),
    ({"nme": "x"}, "nme"),
])
def test_scenario_checks_itself_when_built(kwargs: dict, field: str):
    with pytest.raises(ScenarioError) as info:
        Scenario(**kwargs)
    assert (info.value.source, info.value.field) == (SOURCE, field)
    assert "\n" not in str(info.value)


def test_copies_are_checked_too():
    sc = baseline()
    with pytest.raises(ScenarioError, match=r"^Scenario\(\.\.\.\): end_year: 1990"):
        sc.model_copy(update={"end_year": 1990})
    with pytest.raises(ScenarioError, match="unknown field"):
        sc.model_copy(update={"nope": 1})
    with pytest.raises(ScenarioError, match="not text"):
        sc.with_levers(online_court="0.5")
    with pytest.raises(ScenarioError, match="unknown lever"):
        sc.with_levers(onlinecourt=0.5)
    assert sc.model_copy(update={"name": "b"}).name == "b"
    assert sc.model_copy() == sc
    assert sc.with_levers(online_court=0.5).levers["online_court"].target == 0.5


def test_negative_zero_becomes_zero():
    sc = scenario_from_dict({"levers": {"online_court": -0.0}})
    assert str(sc.levers["online_court"].target) == "0.0"
    assert sc.content_hash() == scenario_from_dict({"levers": {"online_court": 0.0}}
                                                   ).content_hash()


def test_scenarios_still_pickle():
    sc = scenario_from_dict({"name": "p", "levers": {"online_court": 0.5}})
    assert pickle.loads(pickle.dumps(sc)) == sc


def test_quoted_values_are_short_and_escaped():
    assert quoted("a\nb") == "'a\\nb'"
    assert quoted("x" * 10**6).endswith("…") and len(quoted("x" * 10**6)) == ECHO_MAX
    assert len(quoted(list(range(10**5)))) <= ECHO_MAX
    assert quoted(10**5000).startswith("a number of about 5000")
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    assert len(quoted(deep)) <= ECHO_MAX


# -- Reading files ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n  \t\n", "# only\n# comments\n", "\ufeff# bom\n"])
def test_empty_file_is_an_error_that_says_so(tmp_path: Path, text: str):
    with pytest.raises(ScenarioError, match=r"\(file\): no settings \(empty, or only comments\)"):
        load_scenario(_write(tmp_path, text))


def test_utf8_bom_is_accepted(tmp_path: Path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbfname = 'b'\n[levers]\nonline_court = 0.5\n")
    sc = load_scenario(path)
    assert sc.name == "b" and sc.levers["online_court"].target == 0.5


@pytest.mark.parametrize(("body", "field", "words"), [
    (b"x = " + b"[" * 5000 + b"]" * 5000, "(syntax)", "nested too deeply"),
    (b"start_year = " + b"1" * 5000, "(syntax)", "number too long"),
    (b"# " + b"x" * FILE_MAX, "(file)", "larger than 1 MB"),
    (b'name = "\xff"', "(file)", "byte 0xff at offset 8"),
])
def test_pathological_files_fail_in_one_short_line(tmp_path: Path, body: bytes, field: str,
                                                   words: str):
    path = tmp_path / "p.toml"
    path.write_bytes(body)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.field == field and words in info.value.message
    assert len(str(info.value)) < 300 and "\n" not in str(info.value)


def test_folder_is_not_a_file(tmp_path: Path):
    with pytest.raises(ScenarioError, match=r"\(file\): is a folder"):
        load_scenario(tmp_path)


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


@pytest.mark.parametrize("lid", ["online_court", "mediators_per_10k", "lawyer_hours_per_month"])
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
        # After full_by as well: an end before the target is reached is an error.
        sch["end"] = draw(st.integers(sch.get("full_by", start) + 1, YEAR_MAX + 1))
        if sch["end"] > YEAR_MAX:
            del sch["end"]
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
