"""Agents that matter: ties, word of mouth, 法律明白人 as people, units with a reputation.

Paired seeds (common random numbers) on the 50,000-resident town unless noted.
"""

from __future__ import annotations

import functools
import os

import numpy as np
import pytest
import scipy.sparse as sp

import fazhi_sim as fs
from fazhi_sim.engine.disputes import State
from fazhi_sim.engine.ties import heard_from, tie_stats

SEEDS = range(6)


@functools.cache
def _run(seed: int, scenario: str = "baseline", **kw) -> fs.DisputeModel:
    return fs.DisputeModel(scenario, region="town", seed=seed, **kw).run()


def _yearly(m: fs.DisputeModel, metric: str, year: int = 2025) -> float:
    df = m.tally.frame(m.region, m.policy.start_year, m.warmup)
    return float(df[(df.metric == metric) & (df.year == year)].value.iloc[0])


# -- ties
def test_ties_are_a_sparse_small_world_over_residents():
    m = _run(1)
    n = m.residents.n
    assert sp.issparse(m.ties) and m.ties.format == "csr" and m.ties.shape == (n, n)
    stats = tie_stats(m.ties)
    # Every resident talks to 2h = ties_mean others (a village of one talks to nobody).
    assert stats["mean_degree"] == pytest.approx(m.params.ties_mean, abs=0.01)
    # Watts-Strogatz: a ring of k = 8 has clustering 3(k-2)/(4(k-1)) = 0.643; redrawing a
    # share p = 0.15 of ties keeps about (1-p)^3 of it, 0.395. Taking the directed ties as
    # undirected adds some; +-0.06 covers that and the sample of 2,000 residents.
    p = m.params.tie_rewire + m.params.tie_cross_village
    assert stats["clustering"] == pytest.approx(0.643 * (1 - p) ** 3, abs=0.06)
    # Most ties stay in the village; tie_cross_village of them go anywhere in the town, most
    # of those to another village (the town has 20 villages of 2,500: 95% of draws).
    rows = np.repeat(np.arange(n), np.diff(m.ties.indptr))
    across = np.mean(m.residents.village[m.ties.indices] != m.residents.village[rows])
    assert across == pytest.approx(m.params.tie_cross_village, abs=0.01)


def test_ties_are_drawn_from_the_seed_and_shared_by_scenarios():
    a, b = _run(1), _run(1, "plan-2025")
    assert (a.ties != b.ties).nnz == 0  # common random numbers: the same network
    assert (a.ties != _run(2).ties).nnz > 0
    h = heard_from(a.ties)
    assert h.mean() == pytest.approx(a.params.ties_mean, abs=0.01) and h.std() > 0.5


def test_residents_stay_different_through_the_plan():
    """Word of mouth replaces the yearly pull to the village mean: spread persists."""
    for scenario in ("baseline", "plan-2025"):
        start = fs.DisputeModel(scenario, region="town", seed=1, end_year=2021)
        start.run()
        end = _run(1, scenario)
        for col in ("awareness", "trust"):
            sd0 = getattr(start.residents, col).std()
            sd1 = getattr(end.residents, col).std()
            assert sd1 >= 0.5 * sd0, (scenario, col, sd0, sd1)


# -- word of mouth and its rule
class NoWordOfMouth(fs.Behaviour):
    """Residents who do not listen to each other's mediations."""

    def word_of_mouth(self, values, heard, weight):
        return values


class BoundedConfidence(fs.Behaviour):
    """Listen only to reports close to one's own view (Deffuant et al. 2000)."""

    def word_of_mouth(self, values, heard, weight):
        close = np.abs(heard - values) < 0.4
        return np.where(close, super().word_of_mouth(values, heard, weight), values)


@pytest.mark.parametrize("rule", [NoWordOfMouth, BoundedConfidence])
def test_an_override_of_the_influence_rule_changes_outcomes(rule):
    plain = [_run(s) for s in SEEDS[:3]]
    other = [fs.DisputeModel("baseline", region="town", seed=s, behaviour=rule).run()
             for s in SEEDS[:3]]
    # Mediations mostly settle, so hearing of them raises trust: without it (or listening
    # to agreeing reports only) mean trust ends lower in every seed.
    for a, b in zip(plain, other, strict=True):
        assert b.residents.trust.mean() < a.residents.trust.mean() - 0.005
    assert any(_yearly(a, "village_local_share") != _yearly(b, "village_local_share")
               for a, b in zip(plain, other, strict=True))


# -- 法律明白人 as people
def test_literate_persons_are_the_best_connected_and_keep_the_role():
    m = _run(1, legal_literacy_coverage=1.0)
    lit = np.flatnonzero(m.literate)
    per_village = np.bincount(m.residents.village[lit], minlength=m.region.n_villages)
    assert (per_village == m.params.literacy_per_village).all()
    h = heard_from(m.ties)
    # In each village they are among the most heard-from.
    for v in range(m.region.n_villages):
        block = slice(m.residents.village_start[v],
                      m.residents.village_start[v] + m.residents.village_size[v])
        assert h[lit[m.residents.village[lit] == v]].min() >= np.sort(h[block])[-12]


def test_literacy_acts_through_ties():
    """The same coverage step acts more when 法律明白人 have ties than when nobody talks.

    新昌 (411,700 residents), 2022-2023 petitions, full coverage against the 2020 level.
    """
    def effect(**kw):
        d = []
        for s in SEEDS:
            runs = [fs.DisputeModel("baseline", region="xinchang", seed=s, end_year=2023,
                                    **extra, **kw).run()
                    for extra in ({}, {"legal_literacy_coverage": 1.0})]
            d.append([sum(_yearly(m, "petitions", y) for y in (2022, 2023)) for m in runs])
        d = np.array(d)
        return d[:, 1] / d[:, 0] - 1

    with_ties, without = effect(), effect(ties_mean=0.0)
    gap = without - with_ties  # petitions fall more with ties
    assert gap.mean() - 2 * gap.std(ddof=1) / np.sqrt(len(gap)) > 0, (with_ties, without)
    assert abs(without.mean()) < abs(with_ties.mean()) / 2, (with_ties, without)


# -- institutions with state
class FailsInVillageZero(fs.VillageMediationCommittee):
    """Village 0's committee never settles; the others as shipped."""

    @classmethod
    def settle_probability(cls, model, cases):
        return np.where(cases.village == 0, 0.0, super().settle_probability(model, cases))


class Counting(fs.DisputeModel):
    """Counts, month by month, the disputes of village 0 that go to its committee."""

    def enter(self, pos, state, free_door=None):
        if state == State.VILLAGE and self.month >= 0:
            self.village_zero = getattr(self, "village_zero", 0) + int(
                np.count_nonzero(self.pool.village[pos] == 0))
        super().enter(pos, state, free_door)


def test_a_failing_committee_loses_its_reputation_and_its_residents_go_elsewhere():
    ic = {fs.VillageMediationCommittee: FailsInVillageZero}
    runs = {b: [Counting("baseline", region="town", seed=s, institutions=ic, end_year=2022,
                         b_reputation=b).run() for s in SEEDS[:4]]
            for b in (0.0, fs.Params().b_reputation)}
    for m in runs[fs.Params().b_reputation]:
        rep = m.reputation[State.VILLAGE]
        # It failed every case it took up; its reputation falls a tenth of the way to 0
        # each month it takes one up (reputation_learning), the others stay near their level.
        ref = m.reputation_reference[State.VILLAGE]
        assert rep[0] < 0.5 * ref and rep[0] < rep[1:].min() - 0.2, (rep[0], rep[1:].min())
        agent = [a for a in m.agents_by_type[FailsInVillageZero] if a.unit == 0][0]
        assert agent.reputation == rep[0]
    # With residents weighing reputation, fewer of village 0's disputes go to its committee.
    seen = np.array([m.village_zero for m in runs[fs.Params().b_reputation]])
    blind = np.array([m.village_zero for m in runs[0.0]])
    assert (seen < 0.8 * blind).all(), (seen, blind)


def test_a_units_step_is_the_vectorised_update_for_that_unit():
    m = fs.DisputeModel("baseline", region="town", seed=3, end_year=2021)
    for _ in range(20):
        m.step()
    after = m.reputation[State.VILLAGE].copy()
    old, taken, lasting = m.month_record[State.VILLAGE]
    assert (taken > 0).any() and not np.array_equal(old, after)
    m.reputation[State.VILLAGE][:] = old  # undo the month's update, then step each unit
    m.agents_by_type[fs.VillageMediationCommittee].do("step")
    np.testing.assert_array_equal(m.reputation[State.VILLAGE], after)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs two processors to compare the thread with drawing in line")
def test_ties_drawn_in_line_on_one_processor_equal_those_drawn_on_a_thread():
    on_thread = fs.DisputeModel("baseline", region="town", seed=[3, 4]).ties
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    try:
        in_line = fs.DisputeModel("baseline", region="town", seed=[3, 4]).ties
    finally:
        os.sched_setaffinity(0, cpus)
    assert (on_thread != in_line).nnz == 0
    assert np.array_equal(on_thread.indices, in_line.indices)
    assert np.array_equal(on_thread.indptr, in_line.indptr)


@pytest.mark.parametrize("per_block", [0, 1, 6, 40])
def test_best_in_blocks_keeps_each_blocks_highest_scores(per_block) -> None:
    """The 法律明白人's candidates: in each village, the highest heard_from + noise / 2."""
    from fazhi_sim.engine.tie_kernels import best_in_blocks

    rng = np.random.default_rng(11)
    sizes = rng.integers(0, 120, 60)
    sizes[:3] = (0, 1, per_block)  # empty, single, exactly full
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    heard = rng.integers(0, 15, int(sizes.sum()))  # many equal: the noise decides
    noise = rng.random(len(heard))
    got = best_in_blocks(heard, noise, starts, sizes, per_block)
    score = heard + noise * 0.5
    want = np.concatenate([a + np.sort(np.argsort(-score[a:a + n], kind="stable")[:per_block])
                           for a, n in zip(starts, sizes, strict=True)]).astype(np.int64)
    np.testing.assert_array_equal(got, want)
