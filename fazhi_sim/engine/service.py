"""Institutions taking up their queues, and the month's end.

:class:`Service` is the other half of :class:`~fazhi_sim.DisputeModel` (the first is
:class:`~fazhi_sim.engine.flow.DisputeFlow`). Each month the village, town and county layers,
the court (pre-filing mediation, trial, enforcement) and the petition office take up their
queues oldest first, up to capacity; the probabilities come from the institution classes
(``model.institution_classes``) and what residents learn from ``model.behaviour``.
"""

from __future__ import annotations

import numpy as np

from .disputes import Layer, State
from .pool_kernels import add_rows, take_up_queue, whole_units
from .replicate_params import at_most_one
from .rule_kernels import expected_wait
from .streams import Purpose

__all__ = ["Service"]

_LEVEL = {State.VILLAGE: "village", State.TOWN: "town"}  # (the rest: "county")
_NO_WAIT = np.zeros(0)  # no wait expected yet: the first month's stands for it

# The counter of case-months spent waiting in each queue behind the wait metrics.
_WAITING = {State.VILLAGE: "mediation_waiting", State.TOWN: "mediation_waiting",
            State.COUNTY: "mediation_waiting", State.TRIAL: "trial_waiting"}


class Service:
    """Queues, service, waiting and the month's end (a part of the model)."""

    def whole_capacity(self, state: State) -> np.ndarray:
        """Capacity per unit this month, in whole cases (stochastic rounding)."""
        # Stochastic rounding keeps fractional capacity (a village's 2.6 cases a month) unbiased.
        cap = self.capacity[state]
        units, rep = self._capacity_keys(state, len(cap))
        frac = self.streams.uniform(units, self.month, Purpose.FILTER, rep)
        return whole_units(cap, frac)

    def _capacity_keys(self, state: State, n: int) -> tuple[np.ndarray, np.ndarray | None]:
        # Each unit's draw key and replicate: fixed for the run, so made once per queue.
        cache = self.__dict__.setdefault("_capacity_key_cache", {})
        keys = cache.get((state, n))
        if keys is None:
            unit = np.arange(n, dtype=np.int64)
            per = n // self.n_replicates  # a batch's replicates have equal unit blocks
            rep = None if self.n_replicates == 1 else unit // per
            keys = cache[state, n] = (unit % per + (int(state) + 1) * 10_000_000_000, rep)
        return keys

    def take_up(self, state: State, level: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The queue of ``state``: positions, their unit, and which are served this month.

        Served: oldest first (month queued, then dispute id) up to each unit's whole
        capacity, as :func:`~fazhi_sim.engine.institutions.serve_in_order` picks.
        """
        pool = self.pool
        return take_up_queue(pool.state, int(state), pool.village, self.unit_of_village(level),
                             pool.queued, pool.id, self.whole_capacity(state))

    def wait(self, pos: np.ndarray, state: State, unit: np.ndarray, layer: Layer | None) -> None:
        """Cases left waiting: grievance grows; some give up on the queue (if ``layer``)."""
        pool = self.pool
        with self.pool_rows(pos):
            grief = np.float32(self.behaviour.grievance_from_waiting())
        if grief.ndim:  # one per row (replicates that differ)
            pool.grievance[pos] += grief
        else:
            add_rows(pool.grievance, pos, grief)
        waiting = _WAITING.get(state)
        if waiting:
            self.count(waiting, pos)
        self.perceive_wait(state, unit)
        if layer is None or len(pos) == 0:
            return
        waited = self.month - pool.queued[pos] + 1
        u = self.streams.uniform(pool.id[pos], self.month, Purpose.LEAVE, self.replicate_of(pos))
        with self.pool_rows(pos):
            leave = u < 1 - np.exp(-self.params.impatience * waited)
        self.fail(pos[leave], layer)

    def perceive_wait(self, state: State, unit: np.ndarray) -> None:
        """The wait residents expect at each unit of ``state``; ``unit``: the cases left waiting."""
        cap = self.capacity[state]
        # Residents learn of queues by word of mouth: the wait they expect follows the
        # real one with a lag (an exponential average), not month-to-month noise.
        p = self.params
        if self.replicate_params is None:  # one set of numbers: one compiled pass
            self.perceived_wait[state] = expected_wait(
                unit, cap, float(p.wait_capacity_floor),
                self.perceived_wait.get(state, _NO_WAIT), float(p.wait_memory))
            return
        with self.unit_rows(_LEVEL.get(state, "county")):
            p = self.params
            now = np.bincount(unit, minlength=len(cap)) / np.maximum(cap, p.wait_capacity_floor)
            old = self.perceived_wait.get(state, now)
            self.perceived_wait[state] = old + p.wait_memory * (now - old)

    def relapses(self, pos: np.ndarray, cls: type) -> np.ndarray:
        """Which mediated agreements at ``pos`` break down."""
        with self.pool_rows(pos):
            return self.draw(pos, Purpose.RELAPSE) < cls.relapse_probability(
                self, self.cases(pos))

    def serve_mediation(self, state: State, kind: str) -> None:
        """People's mediation at the village, town or county layer."""
        cls = self.institution_classes[kind]
        pos, unit, served = self.take_up(state, cls.level)
        layer = Layer(int(state))
        waiting = ~served
        self.wait(pos[waiting], state, unit[waiting], layer)
        pos, taken_unit = pos[served], unit[served]
        if len(pos) == 0:
            return
        self.handled(pos, kind)
        kept = self.not_concluded(pos, cls, layer)
        pos = pos[kept]
        res = self.residents
        c = self.pool.claimant[pos]
        with self.pool_rows(pos):
            ok = self.draw(pos, Purpose.SUCCESS) < cls.settle_probability(self, self.cases(pos))
            res.trust[c] = self.behaviour.learn_from_mediation(res.trust[c], ok)
        self.count("mediation_concluded", pos)
        self.count("mediation_settled", pos[ok])
        self.spread_word(c, ok)
        holds = ok & ~self.relapses(pos, cls)
        lasting = np.zeros(len(kept), dtype=bool)
        lasting[kept] = holds
        self.learn_reputations(state, taken_unit, lasting)
        self.resolve(pos[holds], layer)
        self.fail(pos[~holds], layer)

    def not_concluded(self, pos: np.ndarray, cls: type, layer: Layer) -> np.ndarray:
        """Mediations refused by the other party or stalled past the limit are handed on.

        Returns a mask over ``pos``: True for the cases that go on to a concluded mediation.
        """
        cases = self.cases(pos)
        u = self.draws(pos, Purpose.REFUSE, Purpose.STALL)
        with self.pool_rows(pos):
            refused = u[0] < cls.refusal_probability(self, cases)
            stalled = ~refused & (u[1] < cls.stall_probability(self, cases))
        self.count("mediation_refused", pos[refused])
        self.count("mediation_stalled", pos[stalled])
        ended = refused | stalled
        self.fail(pos[ended], layer)
        return ~ended

    def serve_prefiling(self) -> None:
        """Court pre-filing mediation; what it does not settle is filed (30-day limit)."""
        court = self.institution_classes["court"]
        pos, unit, served = self.take_up(State.PREFILING, "county")
        unserved = pos[~served]
        pos = pos[served]
        self.handled(pos, "prefiling")
        with self.pool_rows(pos):
            ok = self.draw(pos, Purpose.SUCCESS) < court.prefiling_probability(
                self, self.cases(pos))
        holds = ok & ~self.relapses(pos, court)
        self.count("prefiling_concluded", pos)
        self.count("prefiling_settled", pos[ok])
        self.count("prefiling_resolved", pos[holds])
        self.resolve(pos[holds], Layer.COURT)
        to_file = np.concatenate([pos[~holds], unserved])
        self.pool.state[to_file] = State.TRIAL
        self.file_cases(to_file)

    def serve_trials(self) -> None:
        """First-instance trials: court mediation or withdrawal, else judgment.

        Judgments are performed voluntarily (自动履行) or go to enforcement.
        """
        court = self.institution_classes["court"]
        pos, unit, served = self.take_up(State.TRIAL, "county")
        waiting = ~served
        self.wait(pos[waiting], State.TRIAL, unit[waiting], None)
        pos = pos[served]
        if len(pos) == 0:
            return
        self.count("trials_concluded", pos)
        self.handled(pos, "court")
        c = self.pool.claimant[pos]
        cases = self.cases(pos)
        u = self.draws(pos, Purpose.OUTCOME, Purpose.PERFORM)
        with self.pool_rows(pos):
            self.residents.awareness[c] = self.behaviour.learn_from_court(
                self.residents.awareness[c])
            settle = u[0] < court.settle_probability(self, cases)
            perform = u[1] < court.performance_probability(self, cases)
        done = settle | perform
        self.resolve(pos[done], Layer.COURT)
        self.enter(pos[~done], State.ENFORCEMENT)

    def serve_enforcement(self) -> None:
        """Enforcement: recovers the judgment, or the debtor becomes a defaulter (失信)."""
        court = self.institution_classes["court"]
        pos, unit, served = self.take_up(State.ENFORCEMENT, "county")
        waiting = ~served
        self.wait(pos[waiting], State.ENFORCEMENT, unit[waiting], None)
        pos = pos[served]
        if len(pos) == 0:
            return
        self.handled(pos, "enforcement")
        with self.pool_rows(pos):
            ok = self.draw(pos, Purpose.SUCCESS) < court.enforcement_probability(
                self, self.cases(pos))
        self.resolve(pos[ok], Layer.COURT)
        failed = pos[~ok]
        self.defaulters = np.concatenate([self.defaulters, self.pool.respondent[failed]])
        self.defaulter_keys = np.concatenate([self.defaulter_keys, self.pool.id[failed]])
        self.count("new_defaulters", failed)
        self.fail(failed, Layer.COURT)

    def serve_petitions(self) -> None:
        """The petition office takes up petitions.

        It routes a share into lawful channels, settles some of the rest, and leaves others
        to come back (缠访) or give up.
        """
        office = self.institution_classes["petition"]
        centre = self.institution_classes["county"]
        pos, unit, served = self.take_up(State.PETITION, "county")
        waiting = ~served
        self.wait(pos[waiting], State.PETITION, unit[waiting], None)
        pos = pos[served]
        if len(pos) == 0:
            return
        pool = self.pool
        self.handled(pos, "petition")
        cases = self.cases(pos)
        # Every draw at once: the cases handled here take no step before theirs.
        u = self.draws(pos, Purpose.ROUTE, Purpose.DOOR, Purpose.SUCCESS, Purpose.REPEAT)
        with self.pool_rows(pos):
            route = u[0] < office.routing_probability(self, cases)
            free = u[1] < centre.one_door_probability(self, cases)
        stage = pool.stage[pos]
        to_county = route & (stage < Layer.COUNTY)
        to_court = route & ~to_county & (stage < Layer.COURT)
        routed = to_county | to_court
        self.count("petitions_routed", pos[routed])
        self.enter(pos[to_county], State.COUNTY, free[to_county])
        self.go_to_court(pos[to_court], free[to_court])
        kept = ~routed
        handled = pos[kept]
        with self.pool_rows(handled):
            ok = u[2][kept] < office.settle_probability(self, self.cases(handled))
        self.resolve(handled[ok], Layer.PETITION)
        rest = handled[~ok]
        with self.pool_rows(rest):
            again = u[3][kept][~ok] < office.repeat_probability(self, self.cases(rest))
        self.fail(rest[again], Layer.PETITION)
        self.close(rest[~again], resolved=False)

    # -- 5. month end
    def end_month(self) -> None:
        """Defaulters leave the list; state counts and staff are kept; December learning."""
        lv, r = self.levels, self.region
        pool = self.pool
        self.state_counts = np.bincount(pool.state, minlength=len(State))
        pool.keep(pool.state < State.RESOLVED)
        if len(self.defaulters):
            with self.resident_rows(self.defaulters):
                p = self.params
                exit_p = p.defaulter_exit + p.credit_exit * lv["credit_enforcement"]
            exit_p = at_most_one(exit_p)
            u = self.streams.uniform(self.defaulter_keys, self.month, Purpose.EXIT,
                                     self.replicate_of_resident(self.defaulters))
            stay = u >= exit_p
            self.defaulters = self.defaulters[stay]
            self.defaulter_keys = self.defaulter_keys[stay]
        self.tally.set("defaulters", self.row, np.bincount(
            r.village_county[self.residents.village[self.defaulters]], minlength=r.n_counties))
        self.tally.set("mediators", self.row, self.mediators_by_county())
        with self.unit_rows("county"):
            judges = self.county_population * self.params.judges_per_10k / 1e4
        self.tally.set("judges", self.row, judges)
        if (self.month % 12) == 11:
            self.yearly_learning()

    def mediators_by_county(self) -> np.ndarray:
        """Village mediators where covered, plus town and centre mediation staff, per county."""
        lv, r = self.levels, self.region
        village_staff = lv["mediators_per_10k"] / 1e4 * r.village_population * self.covered(
            "mediation_coverage")
        with self.unit_rows("county"):
            p = self.params
            staff_per_10k = p.town_staff_per_10k + p.centre_staff_per_10k
        return (np.bincount(r.village_county, village_staff, r.n_counties)
                + self.county_population * staff_per_10k / 1e4)

    def yearly_learning(self) -> None:
        """December: 法律明白人 teach those who hear them; old grievances fade."""
        res = self.residents
        self.teach_along_ties()
        with self.resident_rows(None):  # every resident
            res.grievance[:] = self.behaviour.grievance_after_year(res.grievance)
