"""The institutions of the per-agent reference model taking up their queues, one case at a time.

:class:`ReferenceService` is a part of :class:`~fazhi_sim.engine.reference.ReferenceModel`, as
:class:`~fazhi_sim.engine.service.Service` is of the engine: offices serve their queues oldest
first, up to capacity, calling the engine's institution formulas for one case at a time.
"""

from __future__ import annotations

import math

import numpy as np

from .disputes import Layer, State
from .handling import handling_months
from .institutions import Cases
from .reference_agents import Dispute, Office

__all__ = ["ReferenceService"]

# As the engine's: the counter of case-months waited in each queue.
_WAITING = {State.VILLAGE: "mediation_waiting", State.TOWN: "mediation_waiting",
            State.COUNTY: "mediation_waiting", State.TRIAL: "trial_waiting"}


class ReferenceService:
    """Queues, service and waiting in the reference model (a part of the model)."""

    def take_up(self, state: State) -> tuple[list[Dispute], list[Dispute]]:
        """Each office takes up its oldest ``state`` cases, up to this month's capacity.

        Returns the cases taken up and those left waiting, all out of their queues for now.
        """
        taken, waiting = [], []
        memory = self.params.wait_memory
        for office in self.offices[state]:
            queue = sorted(office.queues[state], key=lambda d: (d.queued, d.id))
            # Stochastic rounding keeps a fractional capacity (2.6 cases a month) unbiased.
            n = math.floor(office.capacity[state] + self.random.random())
            taken += queue[:n]
            waiting += queue[n:]
            office.queues[state] = []
            # Word of mouth: the wait residents expect follows the real one with a lag.
            now = len(queue[n:]) / max(office.capacity[state], self.params.wait_capacity_floor)
            old = office.expected_wait.get(state, now)
            office.expected_wait[state] = old + memory * (now - old)
        return taken, waiting

    def wait(self, waiting: list[Dispute], layer: Layer | None) -> None:
        """Cases left waiting: grievance grows; at a mediation layer some give up the queue."""
        p = self.params
        grow = self.behaviour.grievance_from_waiting()
        for d in waiting:
            d.grievance += grow
            if d.state in _WAITING:
                self.count(_WAITING[d.state], d.county)
            waited = self.month - d.queued + 1
            if layer is not None and self.chance(1 - math.exp(-p.impatience * waited)):
                self.fail(d, layer)
            else:
                self.office(d.state, d).queues[d.state].append(d)

    def handled(self, d: Dispute, name: str, queued: bool = True) -> None:
        """Add the months waited in the queue and a handling time drawn as the engine's."""
        months = handling_months(self.params, name, np.array([self.rng.random()]),
                                 self.levels["small_claims_share"])
        d.elapsed += float(months[0]) + (self.month - d.queued if queued else 0)

    def probability(self, role: str, method: str, d: Dispute) -> float:
        """One dispute's chance from an institution class's formula (as the engine's)."""
        cls = self.institution_classes[role]
        return float(getattr(cls, method)(self, Cases.of([d]))[0])

    def relapses(self, role: str, d: Dispute) -> bool:
        """A mediated agreement breaks down (fewer when judicially confirmed, 司法确认)."""
        return self.chance(self.probability(role, "relapse_probability", d))

    def serve_mediation(self, state: State) -> None:
        """People's mediation at the village, town or county layer."""
        layer, role = Layer(int(state)), state.name.lower()  # village, town, county
        taken, waiting = self.take_up(state)
        self.wait(waiting, layer)
        outcomes: dict[Office, list[int]] = {}  # per office: taken up, settled for good
        for d in taken:
            tally = outcomes.setdefault(self.office(state, d), [0, 0])
            tally[0] += 1
            self.handled(d, role)  # village, town, county
            if self.chance(self.probability(role, "refusal_probability", d)):
                self.count("mediation_refused", d.county)
                self.fail(d, layer)
                continue
            if self.chance(self.probability(role, "stall_probability", d)):
                self.count("mediation_stalled", d.county)
                self.fail(d, layer)
                continue
            ok = self.chance(self.probability(role, "settle_probability", d))
            self.count("mediation_concluded", d.county)
            self.count("mediation_settled", d.county, ok)
            d.claimant.trust = float(self.behaviour.learn_from_mediation(
                np.float64(d.claimant.trust), np.array(ok)))
            self.spread_word(d.claimant, ok)
            if ok and not self.relapses(role, d):
                tally[1] += 1
                self.resolve(d, layer)
            else:
                self.fail(d, layer)
        self.learn_reputations(state, outcomes)

    def serve_prefiling(self) -> None:
        """Court pre-filing mediation; what it does not settle, or cannot reach, is filed."""
        taken, to_file = self.take_up(State.PREFILING)  # 30-day limit: nobody waits here
        for d in taken:
            self.handled(d, "prefiling")
            ok = self.chance(self.probability("court", "prefiling_probability", d))
            self.count("prefiling_concluded", d.county)
            self.count("prefiling_settled", d.county, ok)
            if ok and not self.relapses("court", d):
                self.count("prefiling_resolved", d.county)
                self.resolve(d, Layer.COURT)
            else:
                to_file.append(d)
        for d in to_file:
            self.file_case(d)

    def serve_trials(self) -> None:
        """Trials: court mediation or withdrawal, else a judgment, performed or enforced."""
        taken, waiting = self.take_up(State.TRIAL)
        self.wait(waiting, None)
        for d in taken:
            self.count("trials_concluded", d.county)
            self.handled(d, "court")
            c = d.claimant
            c.awareness = float(self.behaviour.learn_from_court(np.float64(c.awareness)))
            if self.chance(self.probability("court", "settle_probability", d)) or self.chance(
                    self.probability("court", "performance_probability", d)):
                self.resolve(d, Layer.COURT)
            else:
                self.enter(d, State.ENFORCEMENT)

    def serve_enforcement(self) -> None:
        """Enforcement recovers the judgment, or the debtor becomes a defaulter (失信)."""
        taken, waiting = self.take_up(State.ENFORCEMENT)
        self.wait(waiting, None)
        for d in taken:
            self.handled(d, "enforcement")
            if self.chance(self.probability("court", "enforcement_probability", d)):
                self.resolve(d, Layer.COURT)
            else:
                self.defaulters.append(d.respondent)
                self.count("new_defaulters", d.county)
                self.fail(d, Layer.COURT)

    def serve_petitions(self) -> None:
        """The petition office routes, settles, or leaves petitioners to return (缠访) or quit."""
        taken, waiting = self.take_up(State.PETITION)
        self.wait(waiting, None)
        for d in taken:
            self.handled(d, "petition")
            routed = self.chance(self.probability("petition", "routing_probability", d))
            # The centre is the 信访超市: moving on from its petition desk is no new door.
            free = self.chance(self.probability("county", "one_door_probability", d))
            if routed and d.stage < Layer.COURT:
                self.count("petitions_routed", d.county)
            if routed and d.stage < Layer.COUNTY:
                self.enter(d, State.COUNTY, free)
            elif routed and d.stage < Layer.COURT:
                self.go_to_court(d, free)
            elif self.chance(self.probability("petition", "settle_probability", d)):
                self.resolve(d, Layer.PETITION)
            elif self.chance(self.probability("petition", "repeat_probability", d)):
                self.fail(d, Layer.PETITION)
            else:
                self.close(d, resolved=False)
