import math

import numpy as np
import pandas as pd
import pytest

from fazhi_sim.analysis.costs import annual_cost, cost_effectiveness, lever_costs, unit_costs
from fazhi_sim.engine.measures import LEVERS
from fazhi_sim.engine.model import DisputeModel
from fazhi_sim.engine.scenario import baseline, scenario_from_dict
from fazhi_sim.experiments.ensemble import run_ensemble
from fazhi_sim.experiments.executors import Serial


def test_every_lever_has_a_marked_unit_cost():
    uc = unit_costs()
    assert set(uc) == set(LEVERS)
    for u in uc.values():
        assert u.status in ("sourced", "assumed") and u.source.strip()
        if u.status == "assumed":
            assert u.source.startswith("assumed")


def test_baseline_costs_nothing():
    c = annual_cost(baseline(), "town", 2025)
    assert c["yuan"] == 0 and c["staff"] == 0


def test_doubling_a_staffing_lever_doubles_its_cost():
    lv = LEVERS["mediators_per_10k"]
    one = annual_cost(baseline().with_levers(mediators_per_10k=lv.baseline + 1.5), "town", 2025)
    two = annual_cost(baseline().with_levers(mediators_per_10k=lv.baseline + 3.0), "town", 2025)
    assert one["yuan"] > 0 and one["staff"] > 0
    assert two["yuan"] == pytest.approx(2 * one["yuan"])
    assert two["staff"] == pytest.approx(2 * one["staff"])
    # 50,000 residents: 5 x 10k; 1.5 FTE per 10k -> 7.5 staff
    assert one["staff"] == pytest.approx(7.5)


def test_cost_scales_with_region_and_ramps_by_year():
    sc = scenario_from_dict({"name": "ramp", "levers": {
        "online_court": {"target": 0.8, "start": 2021, "full_by": 2025}}})
    c21, c25 = (annual_cost(sc, "town", y)["yuan"] for y in (2021, 2025))
    assert 0 < c21 < c25
    assert annual_cost(sc, "shaoxing", 2025)["yuan"] > 50 * c25
    df = lever_costs(sc, "town", 2025)
    assert df.set_index("lever").yuan.drop("online_court").eq(0).all()


def test_cost_effectiveness_bands_and_nothing_avoided():
    lv = LEVERS["pre_filing_mediation_share"]
    scen = {
        "baseline": baseline(2021, 2022),
        "prefiling": baseline(2021, 2022).with_levers(pre_filing_mediation_share=lv.maximum),
    }
    ens = run_ensemble(scen, replicates=3, region="town", executor=Serial(), progress=False)
    ce = cost_effectiveness(ens, baseline="baseline", region="town", year=2022)
    row = ce.set_index(["scenario", "outcome"])
    base = row.loc[("baseline", "lawsuit")]
    assert base.cost_yuan == 0 and math.isnan(base.yuan_per_avoided)
    assert "undefined" in base.note
    pre = row.loc[("prefiling", "lawsuit")]
    assert pre.cost_yuan > 0 and pre.avoided_median > 0
    assert pre.yuan_per_avoided == pytest.approx(pre.cost_yuan / pre.avoided_median)
    assert pre.yuan_per_avoided_q10 <= pre.yuan_per_avoided <= pre.yuan_per_avoided_q90


def test_costly_scenario_that_avoids_nothing_is_infinite():
    # Outcomes identical to the baseline's (the same runs), but the scenario is charged.
    from fazhi_sim.experiments.ensemble import Ensemble

    ens = run_ensemble({"baseline": baseline(2021, 2021)}, replicates=2, region="town",
                       executor=Serial(), progress=False)
    charged = baseline(2021, 2021).with_levers(mediators_per_10k=20.0)
    runs = ens.runs.astype({"scenario": str})
    both = pd.concat([runs, runs.assign(scenario="charged")], ignore_index=True)
    fake = Ensemble(both, {"baseline": baseline(2021, 2021), "charged": charged})
    ce = cost_effectiveness(fake, region="town", year=2021).set_index(["scenario", "outcome"])
    for outcome in ("lawsuit", "petition"):
        r = ce.loc[("charged", outcome)]
        assert r.cost_yuan > 0 and r.avoided_median == 0
        assert np.isinf(r.yuan_per_avoided) and "infinite" in r.note


class Counting(DisputeModel):
    """The shipped model, counting how many runs were built from it."""

    built = 0

    def __init__(self, *args, **kwargs):
        type(self).built += 1
        super().__init__(*args, **kwargs)


def test_cost_effectiveness_runs_the_model_given():
    Counting.built = 0
    scen = {"baseline": baseline(2021, 2021),
            "prefiling": baseline(2021, 2021).with_levers(pre_filing_mediation_share=0.9)}
    ce = cost_effectiveness(scen, region="town", year=2021, model=Counting, replicates=2,
                            executor=Serial())
    assert Counting.built == 4 and len(ce) == 4
    ens = run_ensemble(scen, replicates=1, region="town", executor=Serial(), progress=False)
    with pytest.raises(ValueError, match="Counting"):
        cost_effectiveness(ens, region="town", year=2021, model=Counting)
