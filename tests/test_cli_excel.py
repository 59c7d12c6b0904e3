"""``--out FILE.xlsx`` writes a real workbook; CSV is rounded; other extensions are refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import fazhi_sim as fs
from fazhi_sim import cli
from fazhi_sim.views.i18n import label
from fazhi_sim.views.table_files import round_table

TOWN = ["--region", "town"]


def call(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def sheet_frame(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xlsx")
    xlsx, csv = folder / "诸暨对比.xlsx", folder / "对比.csv"
    assert cli.main(["compare", "baseline", "plan-2025", *TOWN, "--out", str(xlsx)]) == 0
    assert cli.main(["compare", "baseline", "plan-2025", *TOWN, "--out", str(csv)]) == 0
    return xlsx, csv


def test_compare_workbook_has_chinese_headers_and_the_csv_values(compared):
    xlsx, csv = compared
    book = load_workbook(xlsx)
    assert book.sheetnames == ["情景比较", "逐年数值", "逐年变化"]
    ws = book["情景比较"]
    assert ws.freeze_panes == "A2"
    got = sheet_frame(ws)
    assert list(got.columns) == ["情景", "年份", "地区", "指标", "数值", "10% 分位", "90% 分位",
                                 "变化", "变化 10% 分位", "变化 90% 分位", "变化%"]
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert len(got) == len(table) == 2 * len(cli.KEY_METRICS)
    # Same rows, metric and region names in Chinese, numbers equal to the rounded CSV's.
    assert list(got["指标"]) == [label(m) for m in table["metric"]]
    assert set(got["地区"]) == {"示范镇"}
    for col, key in [("数值", "value"), ("变化", "change"), ("变化%", "change_pct")]:
        np.testing.assert_allclose(got[col].astype(float), table[key], atol=1e-9, equal_nan=True)
    # Columns are set wide enough for their Chinese header (two units per character).
    assert ws.column_dimensions["D"].width >= 2 * len("村级就地化解率")


def test_csv_rounding_by_metric(compared):
    _, csv = compared
    table = pd.read_csv(csv, encoding="utf-8-sig").set_index(["scenario", "metric"])
    plan = table.loc["plan-2025"]
    # Petitions are a count, 万人成讼率 a rate (0.1), shares to 0.1%, percentages to 0.1.
    assert plan.loc["petitions", "value"] == round(plan.loc["petitions", "value"])
    for metric, places in [("lawsuits_per_10k", 1), ("village_local_share", 3),
                           ("handoffs_per_dispute", 2)]:
        value = plan.loc[metric, "value"]
        assert value == round(value, places) and value != round(value, places - 1), metric
    pct = plan["change_pct"].dropna()
    np.testing.assert_allclose(pct, pct.round(1), atol=1e-12)


def test_workbook_share_cells_show_as_percent(compared):
    ws = load_workbook(compared[0])["逐年数值"]
    rows = list(ws.iter_rows(min_row=2))
    share = next(r for r in rows if r[3].value == label("village_local_share"))
    count = next(r for r in rows if r[3].value == label("petitions"))
    assert share[4].number_format == "0.0%" and 0 < share[4].value < 1
    assert count[4].number_format == "#,##0" and count[4].value == round(count[4].value)
    # Read as the printed table: scenario by scenario, key metrics in order, years within.
    first = [(r[0].value, r[3].value, r[1].value) for r in rows[:6]]
    assert first == [("baseline", label(cli.KEY_METRICS[0]), y) for y in range(2021, 2026)] + [
        ("baseline", label(cli.KEY_METRICS[1]), 2021)]
    assert {r[0].value for r in rows[len(rows) // 2:]} == {"plan-2025"}


def test_run_workbook_in_english_holds_key_metrics_and_every_value(capsys, tmp_path):
    xlsx = tmp_path / "run.xlsx"
    code, out, err = call(capsys, "run", "baseline", *TOWN, "--seed", "3", "--lang", "en",
                          "--out", str(xlsx))
    assert (code, err) == (0, "") and str(xlsx) in out
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Yearly values", "Key metrics"]
    yearly = sheet_frame(book["Yearly values"])
    assert list(yearly.columns) == ["Year", "Region", "Metric", "Value"]
    expected = round_table(fs.simulate("baseline", region="town", seed=3))
    assert len(yearly) == len(expected)
    np.testing.assert_allclose(yearly["Value"].astype(float), expected["value"], atol=1e-9,
                               equal_nan=True)
    key = sheet_frame(book["Key metrics"])
    assert list(key.columns) == ["Metric", "2021", "2022", "2023", "2024", "2025"]
    assert list(key["Metric"]) == [label(m, "en") for m in cli.KEY_METRICS]


@pytest.mark.parametrize("name", ["x.pdf", "x", "results.xls", "表.txt"])
def test_unknown_extension_is_one_line_naming_the_flag(capsys, tmp_path, name):
    code, out, err = call(capsys, "run", "baseline", *TOWN, "--out", str(tmp_path / name))
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert "--out" in err and ".csv" in err and ".xlsx" in err
    assert not (tmp_path / name).exists()


def test_upper_case_extension_is_accepted(capsys, tmp_path):
    code, _, err = call(capsys, "run", "baseline", *TOWN, "--out", str(tmp_path / "A.XLSX"))
    assert (code, err) == (0, "")
    assert load_workbook(tmp_path / "A.XLSX").sheetnames[0] == "逐年数值"
