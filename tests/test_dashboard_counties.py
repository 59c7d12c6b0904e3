"""The dashboard's counties of 绍兴市: shown for the city only, values from the same runs, and
a county picked on the map (or in the list) becomes the region."""

from __future__ import annotations

import json

import pytest

from fazhi_sim.engine.region import get_region
from fazhi_sim.views.county_charts import SELECTION
from fazhi_sim.views.dashboard import Dashboard


@pytest.fixture(scope="module")
def city():
    # One replicate: the whole city is the slow region, and one run shows every county.
    d = Dashboard("plan-2025", region="shaoxing", replicates=1, jobs=1, debounce=60)
    d.run()
    yield d
    d.close()


def _rows(chart) -> list[dict]:
    return [r for rows in chart.spec["datasets"].values() for r in rows if "county" in r]


def test_the_map_shows_each_county_change_from_the_runs(city):
    panel = city.counties
    assert panel.widget.layout.display != "none"
    comp = city.ensemble.compare("baseline")
    rows = {r["county"]: r["median"] for r in _rows(panel.map)}
    ids = set(get_region("shaoxing").county_ids)
    assert set(rows) == ids
    for county, shown in rows.items():
        want = comp[(comp.scenario == "scenario") & (comp.region == county)
                    & (comp.metric == "lawsuits_per_10k") & (comp.year == 2025)]["median"]
        assert shown == pytest.approx(want.item(), abs=1e-9)
    text = json.dumps(panel.multiples.spec, ensure_ascii=False)
    assert "诸暨市" in text and "嵊州市" in text and "万人成讼率" in text
    panel.metric.value = "petitions"  # redrawn from the same runs
    assert "信访量" in json.dumps(panel.map.spec, ensure_ascii=False)
    panel.metric.value = "lawsuits_per_10k"


def test_a_county_picked_on_the_map_becomes_the_region(city):
    # What the browser sends when a tile is clicked: the selection's value and store.
    city.counties.map._vl_selections = {SELECTION: {
        "value": {"county": ["zhuji"], "vlPoint": {"or": [{"county": "zhuji"}]}},
        "store": [{"unit": "layer_0", "values": ["zhuji"],
                   "fields": [{"field": "county", "channel": None, "type": "E"}]}]}}
    city._timer.cancel()
    assert city.region.value == "zhuji"
    assert "fz-stale" in city.graphs._dom_classes  # the city's charts dimmed until it runs
    city.counties.pick.value = "xinchang"
    city._timer.cancel()
    assert city.region.value == "xinchang"
    city.run()
    assert city.counties.widget.layout.display == "none"  # a county has no counties
    assert "fz-stale" not in city.graphs._dom_classes
