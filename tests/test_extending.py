"""The worked extension (fazhi_sim.examples.grid_workers) runs everywhere a model runs.

Through a process-pool ensemble, the command line with a report, the dashboard, and with
the effect it claims, measured against the shipped model on the same seeds.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import fazhi_sim as fs
from fazhi_sim.examples.grid_workers import (
    GridWorker,
    GridWorkerModel,
    GridWorkerParams,
    spec,
)

TARGET = "fazhi_sim.examples.grid_workers:spec"
SEEDS = (1, 2, 3, 4, 5)
YEARS = (2021, 2025)


def _yearly(model: fs.DisputeModel, metric: str) -> float:
    """Mean over 2021-2025 of one yearly metric of a finished town run."""
    df = model.tally.frame(model.region, model.policy.start_year, model.warmup)
    rows = df[(df.metric == metric) & df.year.between(*YEARS)]
    return float(rows.value.mean())


@pytest.fixture(scope="module")
def paired():
    """Plain and grid-worker runs of the baseline on the same seeds (common random numbers)."""
    out = []
    for seed in SEEDS:
        plain = fs.DisputeModel("baseline", region="town", seed=seed).run()
        grid = GridWorkerModel("baseline", region="town", seed=seed).run()
        out.append((plain, grid))
    return out


# -- the agents themselves
def test_spec_names_the_subclass():
    assert spec.model is GridWorkerModel
    assert spec.label == "fazhi_sim.examples.grid_workers:GridWorkerModel"
    assert fs.as_spec(TARGET) == spec


def test_every_number_has_bounds_and_a_source():
    for name, field in GridWorkerParams.model_fields.items():
        bounds = {type(m).__name__ for m in field.metadata}
        assert {"Ge", "Le"} <= bounds, name
        assert GridWorkerParams.sources()[name], name
    assert "20,000" in GridWorkerParams.sources()["workers_per_10k"]
    with pytest.raises(ValueError):
        GridWorkerParams(spot_share=1.5)


def test_workers_are_mesa_agents_on_beats_that_tile_their_village(paired):
    _, model = paired[0]
    workers = model.agents_by_type[GridWorker]
    # 37.7 per 10,000 of 50,000 residents, rounded village by village (20 villages).
    assert abs(len(workers) - 37.7 * 5) <= 10
    res = model.residents
    covered = np.zeros(res.n, dtype=int)
    for w in workers:
        assert res.village[w.grid.start] == res.village[w.grid.stop - 1] == w.village
        covered[w.grid.start:w.grid.stop] += 1
    assert covered.max() == 1
    # The agents' own counts add up to what the vectorised rounds found, month by month.
    monthly = model.datacollector.get_model_vars_dataframe()
    assert sum(workers.get("referred")) <= sum(workers.get("spotted"))
    assert sum(workers.get("referred")) == monthly["grid_referred"].sum() > 0
    assert sum(workers.get("spotted")) == monthly["grid_spotted"].sum()


def test_spotting_follows_its_stated_chance(paired):
    # Over a run, spotted / fresh claims should match the mean of reach x spot_share over the
    # beats, weighted by residents; 2 points is about five standard errors at ~11,000 claims.
    _, model = paired[0]
    b, p = model.beats, model.grid_params
    chance = float(np.average(b.reach, weights=b.size) * p.spot_share)
    on_beats = b.size.sum() / model.residents.n
    spotted = sum(model.agents_by_type[GridWorker].get("spotted"))
    claims = model.tally.counts["disputes"].sum()
    assert spotted / claims == pytest.approx(chance * on_beats, abs=0.02)


def test_level_zero_is_the_shipped_model_draw_for_draw():
    plain = fs.DisputeModel("plan-2025", region="town", seed=2).run()
    none = GridWorkerModel("plan-2025", region="town", seed=2, grid={"level": 0.0}).run()
    assert none.grid_workers == 0
    frame = [m.tally.frame(m.region, m.policy.start_year, m.warmup) for m in (plain, none)]
    assert frame[0].equals(frame[1])


# -- (d) the effect it claims
def test_more_settled_in_the_village_and_fewer_reach_court(paired):
    """Paired over five seeds, 2021-2025 means, default GridWorkerParams.

    Measured when written, with village mediation capacity from sourced workloads (13.1
    mediators per 10,000 at 4.9 cases a year): village share +0.025 to +0.039 per seed (mean
    +0.030); disputes reaching court -4.5% to -6.4% (mean -5.6%). The referrals fill the
    village committees' queues: the mean wait for mediation rises from about 0.3 to about
    1.0 month, so the workers help less than they did when capacity never bound (+0.116 and
    -13%). Tolerance: the mean within 0.012 of +0.030 and within 2 points of -5.6%, every
    seed clearly in the claimed direction; the seed-to-seed spread is about 0.005 and 0.8
    points, so only a change in the mechanism or the shipped model moves the means that far.
    """
    village, court, lawsuits, waits = [], [], [], []
    for plain, grid in paired:
        village.append(_yearly(grid, "village_share_of_resolved")
                       - _yearly(plain, "village_share_of_resolved"))
        court.append(_yearly(grid, "filings_per_10k")
                     / _yearly(plain, "filings_per_10k") - 1)
        lawsuits.append(_yearly(grid, "lawsuits_per_10k") / _yearly(plain, "lawsuits_per_10k")
                        - 1)
        waits.append(_yearly(grid, "mediation_wait_months")
                     / _yearly(plain, "mediation_wait_months"))
    village, court, lawsuits = map(np.array, (village, court, lawsuits))
    assert village.min() > 0.015, village
    assert court.max() < -0.03, court
    assert village.mean() == pytest.approx(0.030, abs=0.012)
    assert court.mean() == pytest.approx(-0.056, abs=0.02)
    assert lawsuits.mean() < -0.03, lawsuits
    assert min(waits) > 2, waits  # the referrals queue up at the village committees


# -- (a) a process-pool ensemble with bands
def test_runs_in_a_process_pool_ensemble_with_bands():
    ens = fs.run_ensemble(["baseline", "plan-2025"], replicates=2, region="town", model=spec,
                          jobs=2, progress=False, uncertainty="noise")
    assert ens.model_label == spec.label
    s = ens.summary().query("metric == 'village_share_of_resolved' and year == 2025")
    assert set(s.scenario) == {"baseline", "plan-2025"} and (s.n == 2).all()
    assert ((s.q10 <= s["median"]) & (s["median"] <= s.q90)).all()
    # Bands of the grid-worker model, not the shipped one: its village share is far higher.
    plain = fs.simulate("baseline", region="town", seed=0)
    plain_share = plain.query("metric == 'village_share_of_resolved' and year == 2025").value
    assert s.query("scenario == 'baseline'")["median"].iloc[0] > plain_share.iloc[0] + 0.015


# -- (b) the command line, with a report naming the model
def test_compare_on_the_command_line_writes_a_report_naming_the_model(tmp_path):
    report = tmp_path / "r.html"
    proc = subprocess.run(
        [sys.executable, "-m", "fazhi_sim", "compare", "baseline", "plan-2025", "--region",
         "town", "--replicates", "3", "--model", TARGET, "--report", str(report)],
        capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert report.exists()
    assert "fazhi_sim.examples.grid_workers" in report.read_text("utf-8")


# -- (c) the dashboard
def test_dashboard_builds_and_runs_the_model():
    widget = fs.dashboard("baseline", region="town", replicates=1, jobs=1, model=spec)
    d = widget.dashboard
    try:
        assert d.spec == spec
        assert d.ensemble is not None and d.ensemble.model_label == spec.label
        assert len(d.ensemble.runs)
    finally:
        d.close()
