"""The dashboard without a browser: controls, labels, runs and in-place chart updates."""

from __future__ import annotations

import json
import re
import time

import pytest
from spec_models import NeverSue

import fazhi_sim as fs
import fazhi_sim.views.dashboard as dashboard_module
from fazhi_sim.engine.measures import LEVERS
from fazhi_sim.experiments.explain import OUTCOMES, PATHWAYS
from fazhi_sim.views.dashboard import SHOWN, Dashboard, dashboard
from fazhi_sim.views.dashboard_explain import ExplainPanel
from fazhi_sim.views.explain_charts import explain_chart
from fazhi_sim.views.i18n import label


@pytest.fixture(scope="module")
def dash():
    # Three replicates: with two, a median is the mean and "adds up" would prove nothing.
    d = Dashboard("plan-2025", region="town", replicates=3, jobs=1, debounce=0.05)
    d.run()
    yield d
    d.close()


def _data(chart) -> str:
    return json.dumps(chart.spec.get("datasets", chart.spec.get("data")), sort_keys=True)


def test_one_control_per_lever_grouped_with_article_tooltips(dash):
    assert set(dash.sliders) == set(LEVERS)
    in_sections = [s for box in dash.sections.children for s in box.children]
    assert len(in_sections) == len(LEVERS)
    s = dash.sliders["mediators_per_10k"]
    assert s.description == LEVERS["mediators_per_10k"].name_zh
    assert "第二十三条" in s.tooltip
    assert s.min == LEVERS["mediators_per_10k"].minimum
    assert s.max == LEVERS["mediators_per_10k"].maximum


def test_charts_are_drawn_in_chinese_with_bands(dash):
    spec = dash.charts["lawsuits_per_10k"].spec
    assert "万人成讼率" in json.dumps(spec, ensure_ascii=False)
    assert "q10" in json.dumps(spec) and "q90" in json.dumps(spec)
    assert "信访量" in json.dumps(dash.charts["petitions"].spec, ensure_ascii=False)


def test_moving_a_lever_updates_the_same_chart_widget(dash):
    chart = dash.charts["petitions"]
    before = _data(chart)
    dash._quiet = True
    dash.sliders["petition_routing"].value = 0.0
    dash.sliders["legal_literacy_coverage"].value = 0.0
    dash._quiet = False
    dash.run()
    assert dash.charts["petitions"] is chart  # updated in place, not replaced
    assert _data(chart) != before


def test_buttons_set_every_lever(dash):
    dash.debounce = 60  # do not let the scheduled run fire during the test
    dash.set_levels("baseline")
    assert all(s.value == pytest.approx(LEVERS[k].baseline) for k, s in dash.sliders.items())
    assert dash.scenario().levers == {}
    dash.set_levels("plan")
    assert all(s.value == pytest.approx(LEVERS[k].plan_2025) for k, s in dash.sliders.items())
    dash._timer.cancel()
    dash.debounce = 0.05


def test_english_labels(dash):
    dash.lang.value = "en"
    try:
        assert dash.sliders["mediators_per_10k"].description == LEVERS[
            "mediators_per_10k"].name_en
        assert "Lawsuits" in json.dumps(dash.charts["lawsuits_per_10k"].spec)
    finally:
        dash.lang.value = "zh"


def test_changes_are_debounced_into_one_run():
    d = Dashboard("baseline", region="town", replicates=1, jobs=1, debounce=0.2)
    calls = []
    d.run = lambda: calls.append(time.time())  # type: ignore[method-assign]
    for v in (1.0, 2.0, 3.0, 4.0):
        d.sliders["mediators_per_10k"].value = v
    time.sleep(0.6)
    assert len(calls) == 1


def test_dashboard_function_returns_a_layout():
    widget = dashboard("baseline", region="town", replicates=1, jobs=1)
    assert widget.dashboard.ensemble is not None
    assert widget.children  # controls and charts


def test_dashboard_runs_a_researchers_model(dash):
    widget = dashboard("baseline", region="town", replicates=1, jobs=1, model=NeverSue)
    d = widget.dashboard
    assert d.spec == fs.ModelSpec(behaviour=NeverSue)
    assert d.ensemble.model_label == d.spec.label
    lawsuits = d.ensemble.runs.query("metric == 'lawsuits_per_10k'").value
    # Residents who never choose court, in both runs: a small fraction of what the shipped
    # model's baseline has (only what reaches court by other routes is left).
    shipped = dash.ensemble.runs.query("scenario == 'baseline' and metric == 'lawsuits_per_10k'")
    assert len(lawsuits) == 10 and lawsuits.max() < 0.1 * shipped.value.min()
    d.close()


# -- the "why did it change" (为什么变化) panel
PATH_ZH = {label(f"path_{p}", "zh") for p in (*PATHWAYS, "total")}
SHOWN_TOTAL = re.compile(r"合计变化 ([+-]\d+\.\d\d) \[([+-]\d+\.\d\d), ([+-]\d+\.\d\d)\]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _rows(chart) -> list[dict]:
    (rows,) = chart.spec["datasets"].values()  # the layers share one data set
    return rows


def _shown_total(why) -> float:
    found = SHOWN_TOTAL.search(why.total.value)
    assert found, why.total.value
    return float(found.group(1))


def _set(d, levels: dict) -> None:
    d._quiet = True
    try:
        for lid, value in levels.items():
            d.sliders[lid].value = value
    finally:
        d._quiet = False


def test_why_panel_sits_under_the_charts_in_chinese(dash):
    why = dash.why
    assert why.widget in dash.graphs.children
    assert "为什么变化" in why.heading.value and f"{dash.year.value}年" in why.heading.value
    assert [text for text, _ in why.outcome.options] == ["万人成讼率", "万人起诉率", "信访量"]
    assert why.outcome.value == "lawsuits_per_10k"
    assert "万人成讼率合计变化" in why.total.value
    rows = _rows(why.chart)
    assert {r["label"] for r in rows} <= PATH_ZH and rows[-1]["label"] == "合计变化"
    spec = json.dumps(why.chart.spec, ensure_ascii=False)
    assert "万人成讼率 变化" in spec and "途径" in spec and "均值" in spec
    # Drawn with the JavaScript installed with the package, as the other charts.
    assert len(why.chart._esm) > 100_000 and "esm.sh" not in why.chart._esm


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_why_panel_pathways_add_up_to_the_total_shown(dash, outcome):
    dash.why.outcome.value = outcome
    try:
        rows = _rows(dash.why.chart)
        parts, total = rows[:-1], rows[-1]
        assert total["pathway"] == "total" and total["start"] == 0
        shown = _shown_total(dash.why)
        assert shown == pytest.approx(total["value"], abs=0.005)
        # What the presenter reads: the bars' rounded values add up to the total shown.
        assert sum(round(r["value"], 2) for r in parts) == pytest.approx(
            shown, abs=0.005 * (len(parts) + 1))
        # A waterfall: each bar starts where the one above ended, the last ends at the total.
        ends = [0.0, *(r["end"] for r in parts)]
        assert [r["start"] for r in parts] == pytest.approx(ends[:-1])
        assert ends[-1] == pytest.approx(total["end"], abs=1e-9)
        assert all(r["value"] or r["q10"] or r["q90"] for r in parts)  # still ones left out
        if outcome in SHOWN:  # the total is the change the difference charts show
            d = dash.ensemble.differences("baseline").query(
                "scenario == 'scenario' and metric == @outcome and year == @dash.why.year")
            d = d[d.region == dash.ensemble.whole_region()]
            assert len(d) == dash.replicates.value
            assert total["value"] == pytest.approx(d["diff"].mean(), abs=1e-9)
    finally:
        dash.why.outcome.value = "lawsuits_per_10k"


def test_why_panel_updates_when_a_slider_moves(dash):
    chart = dash.why.chart
    _set(dash, {lid: lv.baseline for lid, lv in LEVERS.items()})
    dash.run()
    # Every lever at its 2020 level: the setting is the baseline, so nothing changed.
    (only,) = _rows(chart)
    assert only["pathway"] == "total" and only["value"] == 0 and _shown_total(dash.why) == 0
    assert (dash.why.explained[["mean", "q10", "q90"]] == 0).all(axis=None)
    _set(dash, {lid: lv.plan_2025 for lid, lv in LEVERS.items()})
    dash.run()
    assert dash.why.chart is chart  # updated in place, not replaced
    assert (dash.why.explained["mean"] != 0).any()
    rows = _rows(chart)
    assert rows[-1]["pathway"] == "total"
    assert sum(r["value"] for r in rows[:-1]) == pytest.approx(rows[-1]["value"], abs=1e-9)


def test_switching_the_outcome_redraws_without_a_run(dash, monkeypatch):
    def no_run(*args, **kwargs):
        raise AssertionError("switching the outcome must not simulate")

    monkeypatch.setattr(dashboard_module, "run_ensemble", no_run)
    ensemble, before = dash.ensemble, json.dumps(dash.why.chart.spec, ensure_ascii=False)
    dash.why.outcome.value = "petitions"
    try:
        after = json.dumps(dash.why.chart.spec, ensure_ascii=False)
        assert after != before and "信访量" in after and "万人成讼率" not in after
        assert "信访量合计变化" in dash.why.total.value
        assert dash.ensemble is ensemble
    finally:
        dash.why.outcome.value = "lawsuits_per_10k"


def test_why_panel_in_english_keeps_the_outcome(dash):
    dash.why.outcome.value = "filings_per_10k"
    dash.lang.value = "en"
    try:
        assert "Why did it change" in dash.why.heading.value
        assert dash.why.outcome.value == "filings_per_10k"
        assert dash.why.outcome.options[0][0] == label("lawsuits_per_10k", "en")
        assert "total change" in dash.why.total.value
        spec = json.dumps(dash.why.chart.spec, ensure_ascii=False)
        assert "Total change" in spec and not CJK.search(spec)
    finally:
        dash.lang.value = "zh"
        dash.why.outcome.value = "lawsuits_per_10k"
    assert "合计变化" in json.dumps(dash.why.chart.spec, ensure_ascii=False)


def test_runs_collect_the_counters_in_the_same_pass(monkeypatch):
    calls = []
    real = dashboard_module.run_ensemble

    def counting(scenarios, **kwargs):
        calls.append(list(scenarios))
        return real(scenarios, **kwargs)

    monkeypatch.setattr(dashboard_module, "run_ensemble", counting)
    d = Dashboard("baseline", region="town", replicates=1, jobs=1)
    try:
        d.run()
        assert calls == [["baseline", "scenario"]]  # together: every worker busy at once
        _set(d, {"mediators_per_10k": LEVERS["mediators_per_10k"].maximum})
        d.run()
        assert calls[1:] == [["scenario"]]  # a move runs the setting once, nothing more
        assert set(d.ensemble.counters.scenario) == {"baseline", "scenario"}
        assert set(d.why.explained.scenario) == {"scenario"}
    finally:
        d.close()


def test_why_panel_says_so_when_runs_kept_no_counters(dash):
    panel = ExplainPanel()
    assert panel.total.value == "" and "为什么变化" in panel.heading.value
    panel.update(dash.ensemble, "scenario", dash.year.value)
    assert "合计变化" in json.dumps(panel.chart.spec, ensure_ascii=False)
    bare = fs.Ensemble(dash.ensemble.runs, dash.ensemble.scenarios)
    panel.update(bare, "scenario", dash.year.value)
    assert panel.explained is None and "无法分解" in panel.total.value
    # The last setting's bars are not left up.
    assert "合计变化" not in json.dumps(panel.chart.spec, ensure_ascii=False)
    panel.relabel("en")
    assert "cannot be split" in panel.total.value


def test_explain_chart_draws_bars_from_zero_unless_a_waterfall(dash):
    ex = dash.why.explained
    rows = _rows_of(explain_chart(ex, "lawsuits_per_10k"))
    assert all(r["start"] == 0 for r in rows)
    medians = ex[ex.outcome == "lawsuits_per_10k"]["median"].tolist()
    assert [r["value"] for r in rows] == pytest.approx(medians)
    fall = _rows_of(explain_chart(ex, "lawsuits_per_10k", stat="mean", waterfall=True))
    assert fall[1]["start"] == pytest.approx(fall[0]["end"])
    with pytest.raises(ValueError, match="stat"):
        explain_chart(ex, stat="mode")


def _rows_of(chart) -> list[dict]:
    (rows,) = chart.to_dict()["datasets"].values()
    return rows


def _canonical(spec: dict) -> str:
    # Dataset names are hashes of their rows: number them in order of appearance instead,
    # before the keys are sorted (sorted by hash, two charts' datasets could come in either
    # order).
    text = json.dumps(spec, ensure_ascii=False)
    for i, name in enumerate(spec.get("datasets", {})):
        text = text.replace(name, f"dataset-{i}")
    return json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False)


def test_a_move_swaps_only_the_data_of_the_charts():
    """The specs kept between moves equal charts built afresh from the new results."""
    from fazhi_sim.views import charts
    from fazhi_sim.views.dashboard import SETTING_COLOR
    from fazhi_sim.views.dashboard_layout import projector_config
    from fazhi_sim.views.dashboard_specs import sized, with_colors, with_y_domain

    d = Dashboard("baseline", region="town", replicates=2, jobs=1)
    try:
        d.run()
        _set(d, {"petition_routing": 0.9, "mediators_per_10k": 20.0})
        d.run()
        summ, comp = d.ensemble.summary(), d.ensemble.compare("baseline")
        names = {"baseline": label("dash_baseline", "zh"), "scenario": label("dash_setting", "zh")}
        summ["scenario"] = summ.scenario.astype(str).map(names)
        comp["scenario"] = comp.scenario.astype(str).map(names)
        comp["baseline"] = names["baseline"]
        size = d.size
        for m in SHOWN:
            for kind, shown, build in (("trajectory", d.charts[m], charts.trajectories),
                                       ("difference", d.diffs[m], charts.difference)):
                fresh = sized(build(summ if kind == "trajectory" else comp, m, lang="zh"),
                              size.chart_width, size.chart_height)
                domain = d.domains.domain((kind, m), 0, 0, from_zero=False)  # as kept
                fresh = with_y_domain(fresh, domain)
                if kind == "difference":
                    fresh = with_colors(fresh, [SETTING_COLOR])
                fresh = projector_config(fresh, size)
                assert _canonical(shown.spec) == _canonical(fresh)
        assert len(d.specs) == 2 * len(SHOWN)  # built once each, then reused
    finally:
        d.close()
