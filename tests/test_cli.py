"""The fazhi-sim command line: tables, CSV output, labels and one-line errors (exit 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import fazhi_sim as fs
from fazhi_sim import cli
from fazhi_sim.cli.common import scenario_region
from fazhi_sim.engine.measures import LEVERS
from fazhi_sim.engine.metrics import METRICS
from fazhi_sim.views.i18n import METRIC_LABELS, label, region_label
from fazhi_sim.views.table_files import round_table

ROOT = Path(__file__).resolve().parent.parent
TOWN = ["--region", "town"]
YEARS = [2021, 2022, 2023, 2024, 2025]


def call(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def table_row(out: str, first_cell: str) -> list[str]:
    """Cells after the label of the row starting with ``first_cell``."""
    for line in out.splitlines():
        if line.startswith(first_cell + " "):
            return line[len(first_cell):].split()
    raise AssertionError(f"no row {first_cell!r} in:\n{out}")


# -- run ---------------------------------------------------------------------------------------


def test_run_prints_chinese_table_by_default(capsys):
    code, out, err = call(capsys, "run", "plan-2025", *TOWN)
    assert (code, err) == (0, "")
    assert "万人成讼率" in out and "示范镇" in out and "plan-2025" in out
    header = next(line for line in out.splitlines() if line.startswith("指标"))
    assert header.split()[1:] == [str(y) for y in YEARS]
    for metric in cli.KEY_METRICS:
        assert len(table_row(out, label(metric))) == len(YEARS)
    # The table shows the simulated values (same seed, same region, same numbers).
    df = fs.simulate("plan-2025", region="town", seed=1)
    value = df.query("metric == 'lawsuits_per_10k' and year == 2025")["value"].item()
    assert table_row(out, "万人成讼率")[-1] == f"{value:,.2f}"
    share = df.query("metric == 'village_share_of_resolved' and year == 2021")["value"].item()
    assert table_row(out, label("village_share_of_resolved"))[0] == f"{share:.1%}"


def test_run_english_labels(capsys):
    code, out, _ = call(capsys, "run", "baseline", *TOWN, "--lang", "en", "--seed", "4")
    assert code == 0
    assert "Lawsuits per 10,000 residents" in out and "Model town" in out
    assert "万人成讼率" not in out
    assert len(table_row(out, "Median months to resolution")) == len(YEARS)


def test_run_is_deterministic_for_a_seed(capsys):
    first = call(capsys, "run", "online-court", *TOWN, "--seed", "7")
    again = call(capsys, "run", "online-court", *TOWN, "--seed", "7")
    assert first == again and first[0] == 0


def test_run_writes_tidy_csv(capsys, tmp_path):
    out_csv = tmp_path / "结果.csv"
    code, out, err = call(capsys, "run", "plan-2025", *TOWN, "--seed", "2", "--out", str(out_csv))
    assert (code, err) == (0, "")
    assert str(out_csv) in out
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    df = pd.read_csv(out_csv, encoding="utf-8-sig")
    assert list(df.columns) == ["year", "region", "metric", "value"]
    assert set(df["metric"]) == set(METRICS)
    assert set(df["region"]) == {"town"}
    assert sorted(df["year"].unique()) == YEARS
    expected = fs.simulate("plan-2025", region="town", seed=2)
    # Rounded by what each metric measures: counts whole, rates 0.1, shares 0.1%.
    np.testing.assert_allclose(df["value"], round_table(expected)["value"], rtol=1e-12)
    np.testing.assert_allclose(df["value"], expected["value"], atol=0.05 + 1e-9)


def test_run_monthly_csv_and_yearly_table(capsys, tmp_path):
    out_csv = tmp_path / "monthly.csv"
    code, out, _ = call(capsys, "run", "baseline", *TOWN, "--freq", "month", "--out",
                        str(out_csv))
    assert code == 0
    header = next(line for line in out.splitlines() if line.startswith("指标"))
    assert header.split()[1:] == [str(y) for y in YEARS]
    df = pd.read_csv(out_csv, encoding="utf-8-sig")
    assert list(df.columns) == ["year", "month", "region", "metric", "value"]
    assert len(df) == len(METRICS) * 12 * len(YEARS)
    assert set(df["month"]) == set(range(1, 13))
    # Monthly petitions add up to the yearly figure printed in the table.
    pet = df.query("metric == 'petitions' and year == 2023")["value"].sum()
    assert table_row(out, "信访量")[2] == f"{pet:,.0f}"


def test_region_defaults_to_the_scenarios_region(capsys, tmp_path):
    path = write(tmp_path, "in-town.toml", 'region = "示范镇"\n[levers]\nonline_court = 0.9\n')
    code, out, _ = call(capsys, "run", str(path), "--lang", "en")
    assert code == 0 and "Model town" in out
    # Without a region in the file or on the command line the CLI runs the whole city.
    assert scenario_region(None, [("x", fs.load_scenario("baseline"))]).id == "shaoxing"
    assert scenario_region("诸暨", [("x", fs.load_scenario(path))]).id == "zhuji"


# -- compare -----------------------------------------------------------------------------------


def test_compare_prints_changes_and_writes_csv(capsys, tmp_path):
    out_csv = tmp_path / "cmp.csv"
    code, out, err = call(capsys, "compare", "baseline", "plan-2025", *TOWN, "--out",
                          str(out_csv))
    assert (code, err) == (0, "")
    header = next(line for line in out.splitlines() if line.startswith("指标")).split()
    assert header[1:] == ["baseline", "plan-2025", "变化", "变化%"]
    df = pd.read_csv(out_csv, encoding="utf-8-sig")
    assert list(df.columns) == ["scenario", "year", "region", "metric", "value", "q10", "q90",
                                "change", "change_q10", "change_q90", "change_pct"]
    assert list(df["scenario"].unique()) == ["baseline", "plan-2025"]
    assert set(df["year"]) == {2025} and set(df["region"]) == {"town"}
    assert list(df.loc[df.scenario == "baseline", "metric"]) == list(cli.KEY_METRICS)
    base = df[df.scenario == "baseline"].set_index("metric")
    plan = df[df.scenario == "plan-2025"].set_index("metric")
    finite = base["value"].notna()
    assert (base.loc[finite, "change"] == 0).all()
    nonzero = finite & (base["value"] != 0)
    assert (base.loc[nonzero, "change_pct"] == 0).all()
    # Each column is rounded on its own (rates to 0.1, shares to 0.001, percentages to 0.1).
    np.testing.assert_allclose(plan["change"], plan["value"] - base["value"], atol=0.1)
    big = nonzero & (base["value"].abs() > 50)  # where rounding moves the percentage < 0.1
    np.testing.assert_allclose(plan.loc[big, "change_pct"],
                               100 * plan.loc[big, "change"] / base.loc[big, "value"].abs(),
                               atol=0.15)
    assert big.sum() >= 4
    # The compared values are those of a plain run with the same seed and region.
    run = fs.simulate("plan-2025", region="town", seed=1).query("year == 2025")
    assert plan.loc["petitions", "value"] == run.query("metric == 'petitions'")["value"].item()
    pet = plan.loc["petitions"]
    row = table_row(out, "信访量")
    assert row[1:3] == [f"{pet['value']:,.0f}", f"{pet['change']:+,.0f}"]


def test_compare_same_scenario_twice_changes_nothing(capsys, tmp_path):
    out_csv = tmp_path / "same.csv"
    code, out, _ = call(capsys, "compare", "baseline", "baseline", *TOWN, "--year", "2023",
                        "--lang", "en", "--out", str(out_csv))
    assert code == 0
    assert "Change" in out and "Change %" in out
    df = pd.read_csv(out_csv, encoding="utf-8-sig")
    assert list(df["scenario"].unique()) == ["baseline", "baseline#2"]
    assert set(df["year"]) == {2023}
    assert (df["change"].dropna() == 0).all()


def test_compare_defaults_to_last_common_year(capsys, tmp_path):
    short = write(tmp_path, "short.toml", "end_year = 2023\n")
    out_csv = tmp_path / "c.csv"
    code, out, _ = call(capsys, "compare", "baseline", str(short), *TOWN, "--out", str(out_csv))
    assert code == 0 and "2023" in out.splitlines()[0]
    assert set(pd.read_csv(out_csv, encoding="utf-8-sig")["year"]) == {2023}


# -- validate ----------------------------------------------------------------------------------


def test_validate_ok(capsys):
    files = sorted((ROOT / "scenarios").rglob("*.toml"))
    code, out, err = call(capsys, "validate", *map(str, files))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == len(files)
    assert all(line.startswith("ok ") for line in lines)
    plan = next(line for line in lines if line.split()[1].endswith("plan-2025.toml"))
    assert f"{len(LEVERS)} 项措施" in plan and "2021-2025" in plan


def test_validate_reports_a_bad_file_and_continues(capsys, tmp_path):
    bad = write(tmp_path, "bad.toml", "[levers]\nonline_court = 2\n")
    code, out, err = call(capsys, "validate", str(bad), "baseline", "--lang", "en")
    assert code == 2
    assert out.splitlines() == ["ok  baseline  baseline  0 levers  2021-2025"]
    assert err.splitlines() == [f"fazhi-sim: error: {bad}:2: levers.online_court.target: 2.0 is "
                                "out of range; allowed 0 to 1 (share); did you mean 0.02? "
                                "write 1 for 100%"]


# -- bad input ---------------------------------------------------------------------------------

BAD_FILES = {  # text, field, and the line the error names
    "syntax": ('name = "x"\nstart_year =\n', "(syntax)", 2),
    "lever": ("[levers]\nnope = 0.5\n", "levers.nope", 2),
    "range": ("[levers.online_court]\ntarget = 1.5\n", "levers.online_court.target", 2),
    "end_year": ("start_year = 2025\nend_year = 2022\n", "end_year", 2),
    "full_by": ("[levers.online_court]\ntarget = 0.5\nfull_by = 2019\n",
                "levers.online_court.full_by", 3),
    "region": ('# where\nregion = "hangzhou"\n', "region", 2),
    "params": ("[params]\nnope = 1\n", "params.nope", 2),
}


def assert_one_error_line(err: str, *parts: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("fazhi-sim: error: ")
    for part in parts:
        assert part in lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["run", "compare", "validate"])
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_scenario_file_exits_2_with_one_line(capsys, tmp_path, command, case):
    text, field, line = BAD_FILES[case]
    path = write(tmp_path, f"{case}.toml", text)
    out_csv = tmp_path / "never.csv"
    args = [command, str(path), *TOWN]
    if command == "compare":
        args = [command, "baseline", str(path), *TOWN]  # the bad file second
    if command != "validate":
        args += ["--out", str(out_csv)]
    code, out, err = call(capsys, *args)
    assert code == 2
    assert_one_error_line(err, f": error: {path}:{line}: {field}: ")
    assert not out_csv.exists()
    if command != "validate":
        assert out == ""


BAD_ARGS = [
    (["run", "{missing}"], "{missing}", "(file)"),
    (["run", "baseline", "--region", "hangzhou"], "baseline", "--region"),
    (["compare", "baseline", "plan-2025", "--region", "杭州"], "baseline", "--region"),
    (["validate", "baseline", "--region", "nowhere"], "baseline", "--region"),
    (["run", "baseline", "--seed", "-1"], "baseline", "--seed"),
    (["run", "baseline", "--seed", "1.5"], "baseline", "--seed"),
    (["compare", "baseline", "--seed", "abc"], "baseline", "--seed"),
    (["run", "baseline", "--out", "{tmp}/no/such/folder/x.csv"],
     "{tmp}/no/such/folder/x.csv", "--out"),
    (["run", "baseline", "--out", "{tmp}"], "{tmp}", "--out"),
    (["compare", "baseline", "plan-2025", "--out", "{tmp}/nope/c.csv"], "{tmp}/nope/c.csv",
     "--out"),
    (["compare", "baseline", "plan-2025", "--year", "2030"], "baseline", "--year"),
    (["compare", "baseline", "plan-2025", "--year", "2020"], "baseline", "--year"),
    (["compare", "baseline", "plan-2025", "--year", "last"], "baseline", "--year"),
    (["compare", "baseline", "{late}"], "baseline", "end_year"),
    (["compare", "{in_town}", "{in_zhuji}"], "{in_zhuji}", "region"),
]


@pytest.mark.parametrize(("argv", "source", "field"), BAD_ARGS,
                         ids=[" ".join(a[:1] + a[2:]) for a, _, _ in BAD_ARGS])
def test_bad_argument_exits_2_with_one_line(capsys, tmp_path, argv, source, field):
    names = {
        "tmp": str(tmp_path), "missing": str(tmp_path / "missing.toml"),
        "late": str(write(tmp_path, "late.toml", "start_year = 2030\nend_year = 2032\n")),
        "in_town": str(write(tmp_path, "t.toml", 'region = "town"\n')),
        "in_zhuji": str(write(tmp_path, "z.toml", 'region = "zhuji"\n')),
    }
    argv = [a.format(**names) for a in argv]
    code, out, err = call(capsys, *argv)
    assert (code, out) == (2, "")
    assert_one_error_line(err, f": error: {source.format(**names)}: {field}: ")


MODEL_COMMANDS = {
    "run": ["run", "baseline", *TOWN],
    "compare": ["compare", "baseline", "plan-2025", *TOWN],
    "calibrate": ["calibrate", *TOWN],
    "sensitivity": ["sensitivity", *TOWN],
    "optimize": ["optimize", "--budget", "1", *TOWN],
}


@pytest.mark.parametrize("target", ["nosuchmod:X", "not-a-target",
                                    "fazhi_sim.engine.model:NoSuchModel"])
@pytest.mark.parametrize("command", sorted(MODEL_COMMANDS))
def test_bad_model_exits_2_with_one_line_before_running(capsys, command, target):
    code, out, err = call(capsys, *MODEL_COMMANDS[command], "--model", target)
    assert (code, out) == (2, "")
    assert_one_error_line(err, "--model", target)


def test_bad_model_from_the_entry_point_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "fazhi_sim", "run", "baseline", "--model",
                           "nosuchmod:X"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert_one_error_line(proc.stderr, "--model nosuchmod:X", "cannot import nosuchmod")


def test_shipped_model_named_gives_the_same_run(capsys, tmp_path):
    model = ["--model", "fazhi_sim.engine.model:DisputeModel"]
    plain = call(capsys, "run", "plan-2025", *TOWN, "--seed", "3")
    named = call(capsys, "run", "plan-2025", *TOWN, "--seed", "3", *model)
    assert named == plain and plain[0] == 0
    # The monthly CSV comes from a model the command builds itself, through the spec.
    csvs = [tmp_path / "plain.csv", tmp_path / "named.csv"]
    for path, extra in zip(csvs, [[], model], strict=True):
        code, _, _ = call(capsys, "run", "baseline", *TOWN, "--freq", "month", "--out",
                          str(path), *extra)
        assert code == 0
    assert csvs[0].read_bytes() == csvs[1].read_bytes()


def test_usage_errors_exit_2():
    for argv in (["run"], ["run", "baseline", "--freq", "week"], ["nope"],
                 ["run", "baseline", "--lang", "fr"]):
        with pytest.raises(SystemExit) as info:
            cli.main(argv)
        assert info.value.code == 2


def test_module_entry_point_bad_input_no_traceback(tmp_path):
    bad = write(tmp_path, "bad.toml", "[levers.online_court]\ntarget = 3\n")
    proc = subprocess.run([sys.executable, "-m", "fazhi_sim", "run", str(bad), "--region",
                           "town"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"fazhi-sim: error: {bad}:2: levers.online_court.target: 3.0 is out of range; "
        "allowed 0 to 1 (share); did you mean 0.03? write 1 for 100%"]


# -- labels ------------------------------------------------------------------------------------


def test_every_metric_has_both_labels():
    assert set(METRICS) <= set(METRIC_LABELS)
    for metric in METRICS:
        zh, en = label(metric), label(metric, "en")
        assert zh != metric and en != metric
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
        assert en.isascii()
    assert label("lawsuits_per_10k") == "万人成讼率"
    assert label("lawsuits_per_10k", "en") == "Lawsuits per 10,000 residents"
    assert label("village_local_share") == "村级就地化解率(小事不出村)"
    assert label("village_share_of_resolved") == "村级化解占已化解比例"
    assert label("filings_per_10k") == "万人起诉率"
    assert label("handoffs_per_dispute") == "每件纠纷流转次数 (只进一扇门)"


def test_region_labels():
    assert region_label("shaoxing") == "绍兴市"
    assert region_label("town") == "示范镇"
    assert region_label("zhuji") == "诸暨市"
    assert region_label("诸暨") == "诸暨市"
    assert region_label("zhuji", "en") == "Zhuji"
    city = fs.get_region("shaoxing")
    for cid, zh in zip(city.county_ids, city.county_names_zh, strict=True):
        assert region_label(cid) == zh
    for name in fs.region_names():
        assert region_label(name, "en")
    with pytest.raises(ValueError, match="hangzhou"):
        region_label("hangzhou")


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown language 'fr'; allowed: zh, en"):
        label("petitions", "fr")
    with pytest.raises(ValueError, match="allowed: zh, en"):
        region_label("zhuji", lang="jp")
