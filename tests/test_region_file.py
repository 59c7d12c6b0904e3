"""Regions read from a CSV file: the shipped Shaoxing file, a tiny city end to end, bad files."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import fazhi_sim as fs
from fazhi_sim import cli
from fazhi_sim.engine.region import RegionFileError

PACKAGE = Path(fs.__file__).parent
SHIPPED = PACKAGE / "data" / "regions" / "shaoxing.csv"
EXAMPLE = PACKAGE / "examples" / "region_example.csv"
LAYOUT = ("town_county", "village_town", "village_county", "village_population")

TINY = ("region,region_zh,region_en,county,county_zh,population,towns,villages\n"
        "tiny,小城,Tiny,north,北区,\"9,000\",2,12\n"
        "tiny,小城,Tiny,south,南区,6000,1,8\n")


def write(tmp_path: Path, text: str, name: str = "tiny.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_shipped_file_is_the_shaoxing_region():
    from_file = fs.load_region(SHIPPED)
    city = fs.get_region("shaoxing")
    assert (from_file.id, from_file.name_zh, from_file.name_en) == ("shaoxing", "绍兴市",
                                                                    "Shaoxing")
    assert from_file.county_ids == city.county_ids
    assert from_file.county_names_zh == city.county_names_zh
    for field in LAYOUT:
        assert np.array_equal(getattr(from_file, field), getattr(city, field)), field


def test_shipped_file_agrees_with_its_sourced_tables():
    rows = list(csv.DictReader(SHIPPED.open(encoding="utf-8")))
    counties = list(csv.DictReader((PACKAGE / "data" / "counties.csv").open(encoding="utf-8")))
    totals = {r["figure"]: int(float(r["value"])) for r in
              csv.DictReader((PACKAGE / "data" / "region_totals.csv").open(encoding="utf-8"))
              if r["figure"] != "urban_share"}
    assert [r["county"] for r in rows] == [c["id"] for c in counties]
    assert [r["population"] for r in rows] == [c["population_2023"] for c in counties]
    assert [r["towns"] for r in rows] == [c["towns"] for c in counties]
    villages = np.array([int(r["villages"]) for r in rows])
    assert villages.sum() == totals["villages_and_communities"] == 2148
    # The city's villages split by population, largest remainder: each within one of exact.
    pops = np.array([int(r["population"]) for r in rows])
    exact = 2148 * pops / pops.sum()
    assert (np.abs(villages - exact) < 1).all()


def test_tiny_region_runs_end_to_end(tmp_path):
    region = fs.load_region(write(tmp_path, TINY))
    assert (region.id, region.name_zh, region.population) == ("tiny", "小城", 15_000)
    assert region.county_ids == ("north", "south") and region.n_towns == 3
    assert region.n_villages == 20 and (region.village_population >= 50).all()
    assert region.county_population().tolist() == [9000, 6000]
    df = fs.simulate("plan-2025", region=region, seed=1)
    assert list(dict.fromkeys(df["region"])) == ["north", "south", "tiny"]
    pop = df.query("metric == 'population' and year == 2025").set_index("region")["value"]
    assert pop.to_dict() == {"north": 9000, "south": 6000, "tiny": 15000}
    # The same file gives the same region and the same run, every time.
    again = fs.simulate("plan-2025", region=fs.load_region(tmp_path / "tiny.csv"), seed=1)
    pd.testing.assert_frame_equal(df, again)


def test_compare_on_a_region_file_in_worker_processes(capsys, tmp_path):
    out, report = tmp_path / "cmp.csv", tmp_path / "r.html"
    code = cli.main(["compare", "baseline", "plan-2025", "--region-file", str(write(tmp_path,
                     TINY)), "--replicates", "2", "--jobs", "2", "--out", str(out),
                     "--report", str(report)])
    printed, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert "地区: 小城" in printed
    # The report costs the file's region by its own size (it is no shipped region).
    from fazhi_sim.analysis.costs import annual_cost
    from fazhi_sim.views.i18n import label
    page = report.read_text("utf-8")
    assert label("costs_title") in page
    yuan = annual_cost("plan-2025", fs.load_region(tmp_path / "tiny.csv"))["yuan"]
    town = annual_cost("plan-2025", "town")["yuan"]
    assert f">{yuan:,.0f}<" in page and f">{town:,.0f}<" not in page
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert set(df["region"]) == {"tiny"}
    # The replicates ran on the file's region (sent whole to the workers), not a shipped one.
    ens = fs.run_ensemble({n: fs.load_scenario(n) for n in ("baseline", "plan-2025")},
                          replicates=2, region=fs.load_region(tmp_path / "tiny.csv"), seed=1,
                          jobs=1, progress=False)
    want = ens.summary().query("year == 2025 and region == 'tiny' and metric == 'petitions'")
    got = df.query("metric == 'petitions'")
    np.testing.assert_allclose(got["value"], want["median"].round(0))


def test_example_file_loads_and_excel_and_gbk_files_read_the_same(tmp_path):
    example = fs.load_region(EXAMPLE)
    assert example.id == "example" and example.population == 30_000
    plain = fs.load_region(write(tmp_path, TINY))
    for encoding in ("utf-8-sig", "gb18030"):
        other = fs.load_region(write(tmp_path, TINY, f"tiny-{encoding}.csv", encoding))
        assert other.county_names_zh == ("北区", "南区")
        for field in LAYOUT:
            assert np.array_equal(getattr(other, field), getattr(plain, field))


def test_id_defaults_to_the_file_name(tmp_path):
    text = "county,population,towns,villages\nonly,5000,1,5\n"
    region = fs.load_region(write(tmp_path, text, "嘉善.csv"))
    assert (region.id, region.name_zh, region.county_names_zh) == ("嘉善", "嘉善", ("only",))


BAD = [
    ("county,population,towns\na,100,1\n", ":1: (header): missing column villages"),
    ("county,population,towns,villages\na,12万,1,2\n", ":2: population: '12万'"),
    ("county,population,towns,villages\na,1000,0,2\n", ":2: towns: 0 is not allowed"),
    ("county,population,towns,villages\na,1000,3,2\n", ":2: villages: 2 is not allowed"),
    ("county,population,towns,villages\na,1000,1,2\na,900,1,2\n", ":3: county: 'a' is on line 2"),
    ("county,population,towns,villages\na,1000,1,30\n", ":2: population: 1,000 is too few"),
    ("county,population,towns,villages\n,1000,1,2\n", ":2: county: empty"),
    ("county,population,towns,villages\n", ":2: county: no counties"),
    ("", ":1: (header): the file is empty"),
    ("region,county,population,towns,villages\nx,a,1000,1,2\ny,b,1000,1,2\n",
     ":3: region: 'y' differs from 'x'"),
    ("region,county,population,towns,villages\nzhuji,a,1000,1,2\n",
     ":2: region: 'zhuji' is the name of a shipped region"),
    ("county,population,towns,villages\na,99999999999,1,2\n", "allowed up to 50,000,000"),
]


@pytest.mark.parametrize("text, message", BAD)
def test_bad_file_is_one_line_naming_file_line_and_column(tmp_path, capsys, text, message):
    path = write(tmp_path, text, "bad.csv")
    with pytest.raises(RegionFileError) as info:
        fs.load_region(path)
    assert str(info.value).startswith(f"{path}:") and message in str(info.value)
    code = cli.main(["run", "baseline", "--region-file", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == f"fazhi-sim: error: {info.value}\n"


def test_missing_or_binary_file_is_one_line(tmp_path, capsys):
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x00" * 10)
    for path, words in [(tmp_path / "none.csv", "No such file"), (binary, "not text")]:
        code = cli.main(["validate", "baseline", "--region-file", str(path)])
        out, err = capsys.readouterr()
        assert code == 2 and len(err.splitlines()) == 1 and words in err and str(path) in err
        assert "ok  baseline" in out  # the scenario itself is still checked


def test_region_and_region_file_together_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["run", "baseline", "--region", "town", "--region-file", str(EXAMPLE)])
    assert info.value.code == 2
    assert "--region-file" in capsys.readouterr().err


def test_docs_show_the_example_file_and_a_real_error_line(tmp_path):
    doc = (Path(__file__).resolve().parent.parent / "docs" / "regions.md").read_text("utf-8")
    assert EXAMPLE.read_text("utf-8").strip() in doc
    bad = write(tmp_path, "county,population,towns,villages\na,1000,1,2\nb,12万,1,2\n",
                "mycity.csv")
    with pytest.raises(RegionFileError) as info:
        fs.load_region(bad)
    shown = str(info.value).replace(str(bad), "mycity.csv")
    assert f"fazhi-sim: error: {shown}" in doc


def test_workbook_names_the_file_regions_counties(capsys, tmp_path):
    from openpyxl import load_workbook

    xlsx = tmp_path / "小城.xlsx"
    code = cli.main(["run", "baseline", "--region-file", str(write(tmp_path, TINY)), "--out",
                     str(xlsx)])
    assert code == 0 and capsys.readouterr().err == ""
    rows = list(load_workbook(xlsx)["逐年数值"].iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in rows} == {"北区", "南区", "小城"}
    pop = {r[1]: r[3] for r in rows if r[0] == 2025 and r[2] == "常住人口"}
    assert pop == {"北区": 9000, "南区": 6000, "小城": 15000}


def test_optimize_on_a_region_file_names_the_region(capsys):
    code = cli.main(["optimize", "--budget", "100000", "--region-file", str(EXAMPLE),
                     "--samples", "2", "--replicates", "1", "--jobs", "1"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert "地区: 示例市" in out
