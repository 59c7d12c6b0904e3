"""Runs that share a warm-up: started from a kept copy, bit for bit a fresh run."""

from __future__ import annotations

import pytest

import fazhi_sim as fs
from fazhi_sim.engine.model import DisputeModel
from fazhi_sim.engine.shared_setup import reuse_setup


@pytest.fixture
def months_run(monkeypatch):
    """Months the model really ran (not those it took from a kept warm-up)."""
    seen = {"months": 0}
    arise = DisputeModel.arise

    def counted(self):
        seen["months"] += 1
        return arise(self)

    monkeypatch.setattr(DisputeModel, "arise", counted)
    return seen


SHORT = fs.load_scenario("plan-2025").model_copy(update={"end_year": 2022})


@pytest.mark.parametrize("seeds", [[1], [4, 9, 2]])
def test_second_scenario_starts_after_the_warm_up_and_equals_a_fresh_run(seeds, months_run):
    # The baseline, the plan and the plan with a lever moved (a dashboard's slider): their
    # warm-ups run at the same levels.
    scenarios = [fs.baseline(end_year=2022), SHORT, SHORT.with_levers(petition_routing=0.9)]
    fresh = [fs.simulate_batch(sc, region="town", seeds=seeds, counters=True)
             for sc in scenarios]
    with reuse_setup(keep=True):
        first = fs.simulate_batch(scenarios[0], region="town", seeds=seeds, counters=True)
        months_run["months"] = 0
        later = [fs.simulate_batch(sc, region="town", seeds=seeds, counters=True)
                 for sc in scenarios[1:]]
    warmup = fs.DisputeModel(SHORT, region="town", seed=1).warmup
    reported = 12 * len(SHORT.years)
    # Each later run ran only its reported months: the warm-up came from the first.
    assert months_run["months"] == len(later) * reported
    assert warmup > 0
    for got, want in zip([first, *later], fresh, strict=True):
        for a, b in zip(got, want, strict=True):
            assert a.equals(b)


def test_single_run_reporters_and_clock_match_a_fresh_run():
    fresh = fs.DisputeModel(SHORT, region="town", seed=3).run()
    with reuse_setup(keep=True):
        fs.DisputeModel("baseline", region="town", seed=3, end_year=2022).run()
        warm = fs.DisputeModel(SHORT, region="town", seed=3).run()
    assert warm.steps == fresh.steps and warm.time == fresh.time
    assert warm.datacollector.get_model_vars_dataframe().equals(
        fresh.datacollector.get_model_vars_dataframe())
    assert (warm.residents.trust == fresh.residents.trust).all()


def test_no_warm_start_outside_a_keeping_block_or_across_different_warm_ups(months_run):
    with reuse_setup():  # a block that does not keep
        fs.simulate_batch(SHORT, region="town", seeds=[5], counters=True)
        months_run["months"] = 0
        fs.simulate_batch(SHORT, region="town", seeds=[5], counters=True)
    full = fs.DisputeModel(SHORT, region="town", seed=5).n_months
    assert months_run["months"] == full
    with reuse_setup(keep=True):
        fs.simulate_batch(SHORT, region="town", seeds=[5], counters=True)
        months_run["months"] = 0
        # Another parameter changes the warm-up: it must run again.
        fs.simulate_batch(SHORT, region="town", seeds=[5], counters=True,
                          params=[SHORT.params.model_copy(update={"impatience": 0.3})])
        fs.simulate_batch(SHORT, region="town", seeds=[6], counters=True)
    assert months_run["months"] == 2 * full


def test_a_subclass_runs_its_own_warm_up(months_run):
    class Mine(DisputeModel):
        batchable = True

    with reuse_setup(keep=True):
        Mine(SHORT, region="town", seed=7).run()
        months_run["months"] = 0
        Mine(SHORT, region="town", seed=7).run()
    assert months_run["months"] == Mine(SHORT, region="town", seed=7).n_months
