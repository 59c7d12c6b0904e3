"""Batched replicates: each replicate of a batch is bit for bit its own run.

A batch stacks its replicates as copies of the region in one model pass; every draw a
replicate makes comes from its own seed's streams, so nothing but the speed may change. The
checks compare whole tidy results exactly (``check_exact``), not within a tolerance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import small_region
from spec_models import SPEC, NeverSueModel

import fazhi_sim as fs
from fazhi_sim.engine.shared_setup import reuse_setup
from fazhi_sim.experiments.batches import BATCH_RESIDENTS, batch_size, plan_tasks, run_task
from fazhi_sim.experiments.posterior import draw_for, load_posterior, with_draw


def _with_params(sc: fs.Scenario, **values: float) -> fs.Scenario:
    return sc.model_copy(update={"params": sc.params.model_copy(update=values)})


SCENARIOS = {
    "baseline": fs.load_scenario("baseline"),
    "plan-2025": fs.load_scenario("plan-2025"),
    "online-court": fs.load_scenario("online-court"),
    # Mechanism parameters and ties changed too: the batch must carry them to every replicate.
    "plan, other params": _with_params(fs.load_scenario("plan-2025"), word_of_mouth=0.2,
                                       tie_rewire=0.3, literacy_per_village=3, impatience=0.3),
}


def _equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert a.attrs == b.attrs


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_batch_equals_separate_runs_in_the_town(name: str) -> None:
    """Four seeds of each scenario, batched, give exactly the four single runs."""
    seeds = [2, 5, 11, 40]
    batch = fs.simulate_batch(SCENARIOS[name], region="town", seeds=seeds, counters=True)
    for seed, df in zip(seeds, batch, strict=True):
        _equal(df, fs.simulate(SCENARIOS[name], region="town", seed=seed, counters=True))


def test_batch_equals_separate_runs_over_several_counties_monthly() -> None:
    """Several counties and towns per replicate, monthly results, a researcher's spec."""
    region = small_region(villages=9, people=1_500, counties=3)
    seeds = [7, 1, 3]
    spec = fs.ModelSpec(behaviour=SPEC.behaviour, institutions=SPEC.institutions)
    batch = fs.simulate_batch("plan-2025", region=region, seeds=seeds, freq="month",
                              model=spec)
    for seed, df in zip(seeds, batch, strict=True):
        _equal(df, fs.simulate("plan-2025", region=region, seed=seed, freq="month", model=spec))


@pytest.mark.parametrize("name", ["baseline", "plan-2025", "plan, other params"])
def test_batch_of_posterior_draws_equals_each_draw_alone(name: str) -> None:
    """Replicates with their own parameter draws, in one batch, give each draw's run alone."""
    draws, seeds = load_posterior(), [3, 8, 21, 2]
    scenarios = [with_draw(SCENARIOS[name], draw_for(draws, s)) for s in seeds]
    assert len({sc.params for sc in scenarios}) == len(seeds)  # every replicate its own
    batch = fs.simulate_batch(SCENARIOS[name], region="town", seeds=seeds, counters=True,
                              params=[sc.params for sc in scenarios])
    for seed, sc, df in zip(seeds, scenarios, batch, strict=True):
        _equal(df, fs.simulate(sc, region="town", seed=seed, counters=True))


def test_batch_of_draws_over_several_counties_monthly() -> None:
    """Draws in a region of several counties and towns, monthly results, a researcher's spec."""
    region = small_region(villages=9, people=1_500, counties=3)
    draws, seeds = load_posterior(), [7, 1, 3]
    spec = fs.ModelSpec(behaviour=SPEC.behaviour, institutions=SPEC.institutions)
    scenarios = [with_draw(SCENARIOS["plan-2025"], draw_for(draws, s)) for s in seeds]
    batch = fs.simulate_batch("plan-2025", region=region, seeds=seeds, freq="month",
                              model=spec, params=[sc.params for sc in scenarios])
    for seed, sc, df in zip(seeds, scenarios, batch, strict=True):
        _equal(df, fs.simulate(sc, region=region, seed=seed, freq="month", model=spec))


def test_a_batch_refuses_draws_that_differ_in_its_shape() -> None:
    """Whole-number fields (warm-up months, ...) shape the batch: they must agree."""
    base = fs.Params()
    with pytest.raises(ValueError, match="warmup_months"):
        fs.simulate_batch("baseline", region="town", seeds=[1, 2],
                          params=[base, base.model_copy(update={"warmup_months": 6})])


def test_an_ensemble_runs_a_scenarios_draws_as_one_batch(monkeypatch) -> None:
    """Posterior draws no longer split a batch: one model pass for a scenario's replicates."""
    calls = []
    real = fs.simulate_batch

    def spy(*args, **kw):
        calls.append((tuple(kw["seeds"]), kw.get("params")))
        return real(*args, **kw)

    monkeypatch.setattr("fazhi_sim.experiments.batches.simulate_batch", spy)
    ens = fs.run_ensemble(["plan-2025"], replicates=3, region="town", jobs=1, batch=3,
                          progress=False)
    assert [(seeds, len(params)) for seeds, params in calls] == [((0, 1, 2), 3)]
    draws = load_posterior()
    alone = fs.simulate(with_draw(SCENARIOS["plan-2025"], draw_for(draws, 2)), region="town",
                        seed=2)
    np.testing.assert_array_equal(ens.runs.query("replicate == 2").value.to_numpy(),
                                  alone.value.to_numpy())


def test_common_random_numbers_hold_across_batches() -> None:
    """Replicate k meets the same luck in every scenario however the seeds are batched."""
    a = fs.simulate_batch("baseline", region="town", seeds=[3, 4, 5])[1]
    b = fs.simulate_batch("baseline", region="town", seeds=[9, 4])[1]
    _equal(a, b)


def test_ensemble_batched_equals_unbatched() -> None:
    """run_ensemble's default batching changes no value, in process and on two processes."""
    kw = dict(replicates=5, region="town", progress=False)
    alone = fs.run_ensemble(["baseline", "plan-2025"], jobs=1, batch=1, **kw)
    batched = fs.run_ensemble(["baseline", "plan-2025"], jobs=1, **kw)
    two = fs.run_ensemble(["baseline", "plan-2025"], jobs=2, batch=3, **kw)
    for ens in (batched, two):
        pd.testing.assert_frame_equal(ens.runs, alone.runs, check_exact=True)
        pd.testing.assert_frame_equal(ens.counters, alone.counters, check_exact=True)


def test_scenarios_of_one_seed_share_setup_without_changing_results() -> None:
    """Tasks that run a seed's scenarios in turn reuse its residents and ties, unchanged."""
    region = small_region(villages=8, people=2_000, counties=2)
    task = [(SCENARIOS[n], region, (6,)) for n in ("baseline", "plan-2025", "baseline")]
    frames = run_task(fs.ModelSpec(), task)
    _equal(frames[0], fs.simulate("baseline", region=region, seed=6, counters=True))
    _equal(frames[1], fs.simulate("plan-2025", region=region, seed=6, counters=True))
    _equal(frames[2], frames[0])
    with reuse_setup():
        first = fs.DisputeModel("baseline", region=region, seed=6)
        again = fs.DisputeModel("plan-2025", region=region, seed=6)
        other = fs.DisputeModel("baseline", region=region, seed=6, tie_rewire=0.5)
        fewer = fs.DisputeModel("baseline", region=region, seed=6, literacy_per_village=1)
    assert again.ties is first.ties  # shared, not redrawn
    assert other.ties is not first.ties  # other tie parameters: drawn anew
    # The 法律明白人's candidates are picked once for the same ties and count.
    assert again.literacy_candidates is first.literacy_candidates
    alone = fs.DisputeModel("baseline", region=region, seed=6, literacy_per_village=1)
    assert fewer.ties is first.ties and fewer.literacy_candidates is not first.literacy_candidates
    np.testing.assert_array_equal(fewer.literacy_candidates, alone.literacy_candidates)
    assert len(fewer.literacy_candidates) < len(first.literacy_candidates)
    # Traits are shared as copies: residents learn, and one run's learning is not another's.
    np.testing.assert_array_equal(again.residents.trust, first.residents.trust)
    assert not np.shares_memory(again.residents.trust, first.residents.trust)
    np.testing.assert_array_equal(again.defaulters, first.defaulters)  # drawn after traits


def test_batch_size_follows_region_size_and_workers() -> None:
    """Batches fill a worker each; a city runs alone; a model that did not opt in too."""
    town, city = fs.get_region("town"), fs.get_region("shaoxing")
    spec = fs.ModelSpec()
    assert batch_size(town, 10, 2, spec) == 5
    assert batch_size(town, 100, 2, spec) == BATCH_RESIDENTS // town.population
    assert batch_size(city, 100, 2, spec) == 1
    assert batch_size(town, 10, 2, spec, batch=1) == 1
    assert batch_size(town, 10, 2, fs.ModelSpec(model=NeverSueModel)) == 1
    runs = [(n, sc, city, s, s) for n, sc in list(SCENARIOS.items())[:2] for s in range(3)]
    tasks = plan_tasks(runs, spec, workers=2)
    assert [[(r[0], r[3]) for r in t] for t in tasks] == [
        [("baseline", s), ("plan-2025", s)] for s in range(3)]
    # A town's batches of the same seeds go together: the second scenario takes the
    # first's set-up and warm-up on the same worker.
    runs = [(n, sc, town, s, s) for n, sc in list(SCENARIOS.items())[:2] for s in range(10)]
    tasks = plan_tasks(runs, spec, workers=2)
    assert [[(r[0], r[3]) for r in t] for t in tasks] == [
        [(n, s) for n in list(SCENARIOS)[:2] for s in seeds]
        for seeds in (range(5), range(5, 10))]
    # One worker: the same order, a scenario's batch at a time, each stored when done.
    tasks = plan_tasks(runs, spec, workers=1, batch=5)
    assert [[(r[0], r[3]) for r in t] for t in tasks] == [
        [(n, s) for s in seeds] for seeds in (range(5), range(5, 10))
        for n in list(SCENARIOS)[:2]]


def test_a_model_that_did_not_opt_in_runs_seeds_alone() -> None:
    """A subclass may lay out residents its own way: batching it is refused, not guessed."""
    with pytest.raises(ValueError, match="batchable"):
        fs.simulate_batch("baseline", region="town", seeds=[1, 2], model=NeverSueModel)
    ens = fs.run_ensemble(["baseline"], replicates=2, region="town", jobs=1, progress=False,
                          model=NeverSueModel, uncertainty="noise")
    one = fs.simulate("baseline", region="town", seed=1, model=NeverSueModel)
    np.testing.assert_array_equal(ens.runs.query("replicate == 1").value.to_numpy(),
                                  one.value.to_numpy())


def test_a_small_regions_setup_is_kept_for_the_next_task() -> None:
    """A dashboard's worker meets the same seeds every move: their ties are drawn once."""
    region = small_region(villages=4, people=500, counties=2)
    with reuse_setup(keep=True):
        first = fs.DisputeModel("baseline", region=region, seed=[1, 2])
    with reuse_setup(keep=True):
        again = fs.DisputeModel("plan-2025", region=region, seed=[1, 2])
    with reuse_setup():
        third = fs.DisputeModel("plan-2025", region=region, seed=[1, 2])
    fresh = fs.DisputeModel("plan-2025", region=region, seed=[1, 2])  # outside: drawn anew
    assert again.ties is first.ties and third.ties is first.ties
    assert fresh.ties is not first.ties
    np.testing.assert_array_equal(fresh.ties.indices, first.ties.indices)
    batch = fs.simulate_batch("plan-2025", region=region, seeds=[1, 2])
    with reuse_setup(keep=True):
        kept = fs.simulate_batch("plan-2025", region=region, seeds=[1, 2])
    for a, b in zip(batch, kept, strict=True):
        _equal(a, b)
