"""Interop: mesa.batch_run drives DisputeModel unchanged; the EMA Workbench adapter runs it."""

from __future__ import annotations

import math
import warnings

import mesa
import numpy as np
import pandas as pd
import pytest
from spec_models import SPEC, NeverSue

import fazhi_sim as fs
from fazhi_sim.engine.keywords import apply_keywords
from fazhi_sim.engine.reporters import REPORTERS, model_reporters
from fazhi_sim.engine.scenario import ScenarioError, baseline, scenario_from_dict
from fazhi_sim.experiments.interop import ema_run

SHORT = {"region": "town", "end_year": 2022}  # 12 warm-up months + 24: a 36-step run


def _batch(**parameters) -> pd.DataFrame:
    rows = mesa.batch_run(fs.DisputeModel, parameters={**SHORT, **parameters}, rng=[0, 1],
                          max_steps=72, number_processes=1, display_progress=False)
    return pd.DataFrame(rows)


def test_batch_run_rows_per_combination_with_reporters():
    df = _batch(pre_filing_mediation_share=[0.0, 1.0], impatience=0.2)
    assert len(df) == 2 * 2  # 2 lever values x 2 seeds, one row each (end of run)
    assert set(REPORTERS) <= set(df.columns)
    assert sorted(df.seed) == [0, 0, 1, 1]
    assert (df.Step == 36).all() and (df.year == 2022).all() and (df.month == 12).all()
    assert df[list(REPORTERS)].notna().all().all()


def test_lever_keyword_moves_lawsuits_in_documented_direction():
    df = _batch(pre_filing_mediation_share=[0.0, 1.0])
    wide = df.pivot(index="seed", columns="pre_filing_mediation_share",
                    values="lawsuits_per_10k")
    assert (wide[1.0] < wide[0.0]).all()  # disputes settled before filing are not cases


def test_every_month_collected_and_december_matches_simulate():
    kw = {"mediators_per_10k": 4.0, "impatience": 0.2}
    model = fs.DisputeModel(region="town", seed=1, end_year=2022, **kw).run()
    monthly = model.datacollector.get_model_vars_dataframe()
    assert len(monthly) == model.n_months
    sc = scenario_from_dict({"end_year": 2022, "levers": {"mediators_per_10k": 4.0},
                             "params": {"impatience": 0.2}})
    assert model.policy.content_hash() == sc.content_hash()
    yearly = fs.simulate(sc, region="town", seed=1)
    for year in (2021, 2022):
        dec = monthly[(monthly.year == year) & (monthly.month == 12)].iloc[0]
        want = yearly[yearly.year == year].set_index("metric").value
        for metric in REPORTERS.keys() - {"year", "month"}:
            assert dec[metric] == pytest.approx(want[metric]), (year, metric)


def test_keywords_are_a_step_change_on_the_given_scenario():
    plan = fs.load_scenario("plan-2025")
    sc = apply_keywords(plan, {"mediators_per_10k": np.float64(4.0), "end_year": 2023})
    assert sc.levers["mediators_per_10k"].target == 4.0
    assert sc.levers["mediators_per_10k"].start is None  # from start_year
    assert sc.end_year == 2023
    assert sc.levers.keys() == plan.levers.keys() | {"mediators_per_10k"}
    assert apply_keywords(plan, {}) is plan
    m = fs.DisputeModel("plan-2025", region="town", mediators_per_10k=4.0)  # a shipped name
    assert m.policy.levers["mediators_per_10k"].target == 4.0


@pytest.mark.parametrize(("kw", "match"), [
    ({"mediator_per_10k": 4.0}, r"mediator_per_10k: unknown keyword; allowed: .*"
                                r"mediators_per_10k.*impatience"),
    ({"mediators_per_10k": 99.0}, r"levers\.mediators_per_10k\.target: 99.* out of range"),
    ({"impatience": -1.0}, r"params\.impatience"),
    ({"pre_filing_mediation_share": True}, r"not true/false"),
])
def test_bad_keywords_are_rejected_never_clipped(kw, match):
    with pytest.raises(ScenarioError, match=match):
        fs.DisputeModel(region="town", **kw)
    with pytest.raises(ScenarioError, match=match):
        _batch(**{k: [v] for k, v in kw.items()})


def test_seed_and_rng():
    assert fs.DisputeModel(region="town", rng=3).seed == 3
    assert fs.DisputeModel(region="town", seed=np.int64(4)).seed == 4
    assert isinstance(fs.DisputeModel(region="town", seed=None).seed, int)
    with pytest.raises(ValueError, match="either seed"):
        fs.DisputeModel(region="town", seed=2, rng=3)
    # `iterations` (deprecated in Mesa) passes seed=None: a fresh seed per run.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        rows = mesa.batch_run(fs.DisputeModel, parameters={"region": "town"}, iterations=2,
                              max_steps=3, number_processes=1, display_progress=False)
    assert [r["Step"] for r in rows] == [3, 3]


def test_reporters_are_documented():
    assert model_reporters().keys() == REPORTERS.keys()


# ---------------------------------------------------------------------- EMA Workbench
def _ew():
    return pytest.importorskip(
        "ema_workbench", reason="ema_workbench not installed (pip install fazhi-sim[ema])")


def test_ema_perform_experiments_on_the_town():
    ew = _ew()
    from fazhi_sim.experiments.interop import EMA_OUTCOMES, EMA_UNCERTAINTIES, ema_model

    model = ema_model("town", levers=["pre_filing_mediation_share", "mediators_per_10k"],
                      scenario=baseline(end_year=2022))
    assert {p.name for p in model.uncertainties} == set(EMA_UNCERTAINTIES)
    lever = next(p for p in model.levers if p.name == "mediators_per_10k")
    lo, hi = fs.LEVERS["mediators_per_10k"].minimum, fs.LEVERS["mediators_per_10k"].maximum
    assert (lever.lower_bound, lever.upper_bound) == (lo, hi)
    experiments, outcomes = ew.perform_experiments(
        model, scenarios=3, policies=2, evaluator=ew.SequentialEvaluator(model))
    assert len(experiments) == 6
    assert set(outcomes) == set(EMA_OUTCOMES)
    assert all(len(v) == 6 for v in outcomes.values())
    assert np.isfinite(outcomes["lawsuits_per_10k"]).all()


def test_ema_time_series_and_ranges():
    ew = _ew()
    from fazhi_sim.experiments.interop import ema_model

    model = ema_model("town", levers={"pre_filing_mediation_share": (0.0, 1.0)},
                      uncertainties={"impatience": (0.1, 0.3)}, outcomes=["petitions"],
                      time_series=True, scenario=baseline(end_year=2022))
    _, outcomes = ew.perform_experiments(model, scenarios=2, policies=1,
                                         evaluator=ew.SequentialEvaluator(model))
    assert outcomes["petitions_by_year"].shape == (2, 2)  # experiments x reported years
    with pytest.raises(ValueError, match="not inside the allowed"):
        ema_model(uncertainties={"impatience": (0.0, 9.0)})
    with pytest.raises(ValueError, match="unknown lever"):
        ema_model(levers=["no_such_lever"])
    with pytest.raises(ValueError, match="unknown metric"):
        ema_model(outcomes=["lawsuits_per_100k"])
    assert len(ema_model(uncertainties="assumed").uncertainties) > len(fs.LEVERS)


def test_ema_run_direction():
    sc = baseline(end_year=2022)
    low = ema_run("town", sc, pre_filing_mediation_share=0.0)
    high = ema_run("town", sc, pre_filing_mediation_share=1.0)
    assert high["lawsuits_per_10k"] < low["lawsuits_per_10k"]
    assert not math.isnan(high["petitions"])


def test_ema_run_builds_through_the_spec():
    sc = baseline(end_year=2022)
    plain = ema_run("town", sc, outcomes=["filings_per_10k"])
    never = ema_run("town", sc, outcomes=["filings_per_10k"], model=NeverSue)
    # Residents who never choose court: only the centre's court window and petition
    # routing send a few there (under a twentieth of the shipped model's filings).
    assert plain["filings_per_10k"] > 50 and never["filings_per_10k"] < 0.05 * plain[
        "filings_per_10k"]
    by_name = ema_run("town", sc, model="spec_models:SPEC", impatience=0.2)
    assert by_name == ema_run("town", sc, model=SPEC, impatience=0.2)


def test_ema_model_runs_the_spec():
    ew = _ew()
    from fazhi_sim.experiments.interop import ema_model

    model = ema_model("town", levers=["mediators_per_10k"], uncertainties=["impatience"],
                      outcomes=["filings_per_10k"], scenario=baseline(end_year=2022),
                      model=NeverSue)
    assert {c.name: c.value for c in model.constants}["model"] == fs.ModelSpec(
        behaviour=NeverSue)
    _, outcomes = ew.perform_experiments(model, scenarios=2, policies=1,
                                         evaluator=ew.SequentialEvaluator(model))
    # The shipped model files about 150 per 10,000; NeverSue residents only reach court when
    # the centre's court window or petition routing sends them.
    assert (outcomes["filings_per_10k"] < 7.5).all()
