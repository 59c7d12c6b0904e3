"""The dashboard without a browser: controls, labels, runs and in-place chart updates."""

from __future__ import annotations

import json
import time

import pytest
from spec_models import NeverSue

import fazhi_sim as fs
from fazhi_sim.engine.measures import LEVERS
from fazhi_sim.views.dashboard import Dashboard, dashboard


@pytest.fixture(scope="module")
def dash():
    d = Dashboard("plan-2025", region="town", replicates=2, jobs=1, debounce=0.05)
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
    assert s.min == LEVERS["mediators_per_10k"].minimum and s.max == 20.0


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


def test_dashboard_runs_a_researchers_model():
    widget = dashboard("baseline", region="town", replicates=1, jobs=1, model=NeverSue)
    d = widget.dashboard
    assert d.spec == fs.ModelSpec(behaviour=NeverSue)
    assert d.ensemble.model_label == d.spec.label
    lawsuits = d.ensemble.runs.query("metric == 'lawsuits_per_10k'").value
    # Residents who never choose court, in both runs: the shipped model has over 100.
    assert len(lawsuits) == 10 and lawsuits.max() < 1
    d.close()
