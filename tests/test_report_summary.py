"""The report for a leader: the opening summary matches the tables; titles, contents, costs,
actuals and counts from zero."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import fazhi_sim as fs
from fazhi_sim.analysis.costs import cost_effectiveness
from fazhi_sim.views.i18n import label
from fazhi_sim.views.report import report_html
from fazhi_sim.views.report_actuals import actuals
from fazhi_sim.views.summary import HEADLINE

ROOT = Path(__file__).resolve().parent.parent
NUM = r"[+-]?[\d,]+(?:\.\d+)?(?:%|pp)?"


@pytest.fixture(scope="module")
def ens() -> fs.Ensemble:
    return fs.run_ensemble(["baseline", "plan-2025"], replicates=3, region="town",
                           executor=fs.Serial(), progress=False)


@pytest.fixture(scope="module")
def page(ens) -> str:
    return report_html(ens)


class _Tables(HTMLParser):
    """Every table of a page as rows of cell texts, and every list item."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.items: list[str] = []
        self._cell: list[str] | None = None
        self._li: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "li":
            self._li = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "li" and self._li is not None:
            self.items.append("".join(self._li))
            self._li = None

    def handle_data(self, data):
        for buf in (self._cell, self._li):
            if buf is not None:
                buf.append(data)


def _parse(page: str) -> _Tables:
    p = _Tables()
    p.feed(page)
    return p


def _median(cell: str) -> str:
    return cell.split(" [")[0]


def test_the_summary_comes_first_and_its_numbers_are_the_tables(ens, page):
    body = page[page.index("<body>"):]
    assert body.index('id="summary"') < body.index("<table")
    parsed = _parse(page)
    compare = next(t for t in parsed.tables if t[0][0] == label("metric", "zh")
                   and len(t[0]) == 5)
    rows = {r[0]: r for r in compare[1:]}
    pattern = re.compile(rf"(.+?)从 ({NUM}) (?:降至|升至) ({NUM})\(变化 ({NUM}),({NUM})\)"
                         rf";10%–90% 区间为 \[({NUM}), ({NUM})\],区间(不含|包含)零(.*)")
    count = re.compile(r"(\d+) 次配对重复中 (\d+) 次(下降|上升)")
    diffs = ens.differences().query("year == 2025 and region == 'town' and "
                                    "scenario == 'plan-2025'").set_index("metric")["diff"]
    comp = ens.compare().query("year == 2025 and region == 'town' and scenario == 'plan-2025'"
                               ).set_index("metric")
    found = 0
    for item in parsed.items:
        m = pattern.match(item)
        if not m:
            continue
        name, base, value, delta, pct, q10, q90, zero, rest = m.groups()
        metric = next(k for k in HEADLINE if label(k, "zh") == name)
        row = rows[name]
        assert (base, value) == (_median(row[1]), _median(row[2]))
        assert f"{delta} [{q10}, {q90}]" == row[3] and pct == row[4]
        # And against the ensemble itself, to the printed precision.
        scale = 100 if metric.endswith("_share") else 1
        got = float(delta.removesuffix("pp").replace(",", ""))
        assert got == pytest.approx(scale * comp.at[metric, "median"], abs=0.51)
        lo, hi = comp.at[metric, "q10"], comp.at[metric, "q90"]
        assert (zero == "包含") == bool(lo <= 0 <= hi)
        # How many paired runs move the median's way, counted here from the runs.
        n, k, way = count.search(rest).groups()
        d = diffs.loc[[metric]]
        moved = (d < 0).sum() if way == "下降" else (d > 0).sum()
        assert (int(n), int(k)) == (3, moved) and (way == "下降") == (got < 0)
        sure = zero == "不含" and moved >= 0.9 * 3
        assert ("方向较为确定" in rest) == sure
        found += 1
    assert found == len(HEADLINE)
    for metric, digits in (("lawsuits_per_10k", 2), ("petitions", 0)):
        drivers = [i for i in parsed.items if i.startswith(f"{label(metric, 'zh')}的变化主要来自")]
        assert len(drivers) == 1
        explained = ens.explain(year=2025, region="town").query(
            f"outcome == {metric!r} and pathway != 'total'")
        top = explained.loc[explained["median"].abs().idxmax()]
        assert f"{label(f'path_{top.pathway}', 'zh')}({top['median']:+,.{digits}f})" in drivers[0]


def test_scenario_titles_replace_ids_where_a_reader_looks(ens, page):
    parsed = _parse(page)
    headers = [cell for t in parsed.tables for cell in t[0]]
    assert "规划(2025年目标)" in headers and "plan-2025" not in headers
    explain = next(t for t in parsed.tables if t[0][:2] == ["情景", "途径"])
    assert {r[0] for r in explain[1:]} == {"规划(2025年目标)"}
    meta = re.search(r'<p class="meta">(.*?)</p>', page).group(1)
    assert "规划(2025年目标)" in meta and "plan-2025" not in meta


def test_contents_lists_each_measure_with_levels_years_and_article(ens, page):
    parsed = _parse(page)
    contents = next(t for t in parsed.tables if t[0][1] == label("measure_name", "zh"))
    plan = [r for r in contents[1:] if r[0] == "规划(2025年目标)"]
    assert len(plan) == len(ens.scenarios["plan-2025"].levers)
    row = next(r for r in plan if r[1] == label("mediation_coverage", "zh"))
    assert row[2:] == ["95%", "100%", "2021–2025", "第二十三条"]
    base = [r for r in contents[1:] if r[0] == "基线(保持2020年水平)"]
    assert base == [["基线(保持2020年水平)", "全部措施保持2020年水平", "", "", "", ""]]


def test_costs_per_avoided_case_are_the_cost_models(ens, page):
    parsed = _parse(page)
    costs = next(t for t in parsed.tables if t[0][1] == label("cost_yuan", "zh"))
    ce = cost_effectiveness(ens, region="town", year=2025).set_index(["scenario", "outcome"])
    row = costs[1]
    assert row[0] == "规划(2025年目标)"
    assert row[1] == f"{ce.at[('plan-2025', 'lawsuit'), 'cost_yuan']:,.0f}"
    per = ce.at[("plan-2025", "petition"), "yuan_per_avoided"]
    assert np.isfinite(per) and _median(row[6]) == f"{per:,.0f}"
    assert "假设值" in page  # the unit costs' status said in words


def test_actuals_sit_beside_the_trajectories_with_their_source(page):
    act = actuals()
    assert act["source"].str.len().min() > 10 and set(act["level"]) <= {
        "county", "provincial", "national"}
    assert "实际数:全国2019年(全国数据,非绍兴)" in page
    assert "实际数:嵊州市2020年(绍兴所辖区县数据,非全市)" in page
    assert "实际数:浙江省2023年(浙江省数据,非绍兴)" in page
    # Nothing in the package reads the project's shared notes at run time.
    out = subprocess.run(["grep", "-rl", "shared/", str(ROOT / "fazhi_sim")],
                         capture_output=True, text=True)
    assert [f for f in out.stdout.split() if f.endswith((".py", ".csv", ".toml"))] == []


def test_count_trajectories_start_from_zero(page):
    specs = re.search(r"const specs = \{(.*?)\n\};", page, re.S).group(1)
    petitions = next(s for s in specs.split('\n"chart-') if '"信访量 — ' in s)
    assert '"scale":{"zero":true}' in petitions
    lawsuits = next(s for s in specs.split('\n"chart-') if '"万人成讼率 — ' in s)
    assert '"scale":{"zero":true}' not in lawsuits  # a rate keeps its own range


def test_an_optimizer_result_shows_its_best_mix(ens):
    from types import SimpleNamespace

    from fazhi_sim.views.report_costs import cost_section

    best = SimpleNamespace(mix={"mediation_coverage": 1.0, "mediators_per_10k": 13.1},
                           cost={"yuan": 1234567.0, "staff": 2.5, "assumed_share": 1.0},
                           budget_yuan=2_000_000.0, year=2025)
    title, text = cost_section(ens, "town", 2025, {"baseline": "基线", "plan-2025": "规划"},
                               "zh", optimized=best)
    assert title == "成本与成效 (2025)"
    assert "预算 2,000,000 元/年" in text and "1,234,567 元" in text
    rows = _parse(text).tables[-1]
    # Only what the mix raises above 2020 (mediators stay at their 2020 level of 13.1).
    assert rows[1:] == [[label("mediation_coverage", "zh"), "95%", "100%"]]


def test_the_summary_states_the_plan_targets_as_the_target_table_does(page):
    parsed = _parse(page)
    item = next(i for i in parsed.items if i.startswith("规划目标(2021–2025年)"))
    table = next(t for t in parsed.tables if t[0][0] == label("target", "zh"))
    col = table[0].index("规划(2025年目标)")
    cover = [r[col] for r in table[1:] if r[0].endswith("(覆盖目标)")]
    assert f"覆盖目标 {len(cover)} 项中达到 {cover.count('达到')} 项" in item
    falls = [r for r in table[1:] if r[0].endswith("(逐年下降的概率)")]
    assert len(falls) == 3 and cover
    for r in falls:
        assert f"{r[0].removesuffix(' (逐年下降的概率)')} {r[col]}" in item


def test_the_summary_states_the_costs_as_the_cost_table_does(page):
    parsed = _parse(page)
    item = next(i for i in parsed.items if i.startswith("成本(单位成本为假设值"))
    row = next(t for t in parsed.tables if t[0][1] == label("cost_yuan", "zh"))[1]
    assert f"每年 {row[1]} 元、新增编制 {row[2]} 人" in item
    for what, cell in (("诉讼", row[4]), ("信访", row[6])):
        if _median(cell) in ("∞", "-"):
            assert f"{what}未减少,无每件成本" in item
        else:
            assert f"每少一件{what}约 {_median(cell)} 元" in item


def test_one_run_has_no_band_and_no_change_says_so():
    import pandas as pd

    from fazhi_sim.views.summary import headline_facts, summary_sentences

    tidy = pd.DataFrame({
        "scenario": ["a", "b", "a", "b"], "metric": ["petitions"] * 2 + ["lawsuits_per_10k"] * 2,
        "value": [100.0, 100.0, 120.0, 110.0], "change": [0.0, 0.0, 0.0, -10.0],
        "change_q10": [0.0, 0.0, 0.0, -10.0], "change_q90": [0.0, 0.0, 0.0, -10.0],
        "change_pct": [0.0, 0.0, 0.0, -8.3]})
    facts = headline_facts(tidy, ["a", "b"], reps=1)
    assert facts["sure"].isna().all()
    costs = {"b": ["乙", "105,000", "0.0", "-3", "∞", "1", "50,000"]}
    [(lead, points)] = summary_sentences(facts, {"a": "甲", "b": "乙"}, "a", 2025, "zh",
                                         costs=costs)
    assert lead == "与甲相比,乙在2025年:"
    assert points == ["万人成讼率从 120.00 降至 110.00(变化 -10.00,-8.3%);仅一次运行,无区间。",
                      "信访量保持在 100(变化 +0,+0.0%);仅一次运行,无区间。",
                      "成本(单位成本为假设值,见下文):每年 105,000 元、新增编制 0.0 人;"
                      "诉讼未减少,无每件成本、每少一件信访约 50,000 元(中位数)。"]


def test_every_word_the_report_modules_ask_for_is_in_a_table():
    # label() returns an unknown key unchanged, so a lost entry would show as its key.
    mods = ["report", "report_sections", "report_costs", "report_scenarios", "report_actuals",
            "summary", "county_charts"]
    keys = set()
    for mod in mods:
        src = (ROOT / "fazhi_sim" / "views" / f"{mod}.py").read_text("utf-8")
        keys |= set(re.findall(r"label\(\s*[\"']([a-z_0-9]+)[\"']", src))
    keys |= {f"{a}_{w}" for a in ("avoided", "per_avoided", "sum") for w in ("lawsuit",
                                                                          "petition")}
    keys |= {f"actual_{lvl}" for lvl in ("county", "provincial", "national")}
    keys |= {f"sum_{k}" for k in ("sure", "unsure", "thin", "same", "per_none", "down", "up")}
    assert len(keys) > 50
    # Chinese words never equal their keys (some English ones do, e.g. "seed").
    assert [k for k in sorted(keys) if label(k, "zh") == k] == []
