"""The agents of the per-agent reference model: residents, offices and disputes.

One Python object each, as a textbook Mesa model would have them; see
:mod:`fazhi_sim.engine.reference` for the model that runs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from .behaviour import type_table
from .disputes import State

# The agents are driven by :class:`~fazhi_sim.engine.reference.ReferenceModel`, which imports
# this module; naming it only in prose keeps the import one way.
ReferenceModel = Any

__all__ = ["Dispute", "Resident", "Office", "COMPACT_TYPES"]

COMPACT_TYPES = frozenset(np.flatnonzero(type_table()["compact_sensitive"]).tolist())
"""Dispute types a village compact (村规民约) can prevent."""


@dataclass(eq=False, slots=True)
class Dispute:
    """One claim on its way through the system (a row of the engine's ``DisputePool``)."""

    id: int
    kind: int  # index into TYPES
    claimant: Resident
    respondent: Resident  # becomes a defaulter if enforcement fails
    village: int  # where the grievance arose (the claimant's)
    county: int
    born: int  # month the claim arose
    advised: bool  # got a legal adviser's advice
    grievance: float
    state: State = State.CHOOSING
    stage: int = -1  # highest Layer already failed; -1 for a new claim
    door: int = -1  # Layer of the institution it is at now; -1 none yet
    doors: int = 0  # institutions entered (hand-offs = doors - 1)
    failures: int = 0
    petitions: int = 0  # times lodged as a petition
    queued: int = -1  # month it joined its present queue
    elapsed: float = 0.0  # months waited in queues plus handling time so far


class Resident(mesa.Agent):
    """One resident: legal awareness, trust in mediation, litigiousness and grievance."""

    def __init__(self, model: ReferenceModel, village: int, awareness: float, trust: float,
                 litigiousness: float, row: int):
        super().__init__(model)
        r = model.region
        self.village, self.town, self.county = village, int(r.village_town[village]), int(
            r.village_county[village])
        self.awareness, self.trust, self.litigiousness = awareness, trust, litigiousness
        self.grievance = 0.0  # carried from past failures (Epstein 2002)
        self.row = row  # the engine's row: this resident's row of ``model.ties``
        self.literate_tie = 0.0  # 1.0 when within two ties of a 法律明白人
        self.literate_weight = 0.0  # tie weight from 法律明白人 (who teach each December)

    def step(self) -> None:
        """Grievances of each type arise with probability rate/12; each may become a claim."""
        m = self.model
        # Nearly every month nothing arises; one draw settles that, which keeps 50,000 agents
        # cheap. Otherwise types are decided in turn, each conditioned on at least one of the
        # remaining types arising while none has yet: each type is still independent with
        # probability rate/12.
        if m.random.random() < m.p_quiet:
            return
        none_yet = True
        for kind, (rate, some_left) in enumerate(zip(m.monthly_rate, m.p_some_from, strict=True)):
            if m.random.random() < (rate / some_left if none_yet and some_left > 0 else rate):
                none_yet = False
                self.grieve(kind)

    def grieve(self, kind: int) -> None:
        """A grievance of type ``kind``: prevented, lumped, or voiced as a claim."""
        m, p, lv = self.model, self.model.params, self.model.levels
        b = m.behaviour
        if kind in COMPACT_TYPES and m.chance(p.compact_effect * lv["village_compact_strength"]):
            return  # the village compact (村规民约) prevented it
        m.count("grievances", self.county)
        if not m.chance(float(b.claim_probability(m.awareness_now(self), self.litigiousness))):
            return  # never voiced (naming, blaming, claiming)
        m.count("disputes", self.county)
        respondent = m.random.choice(m.villagers[self.village])
        # Advice is decided once the month's claims are in (the adviser's hours are shared).
        m.new_claims.append(Dispute(-1, kind, self, respondent, self.village, self.county,
                                    m.month, False, self.grievance))


class Office(mesa.Agent):
    """One institution: village committee, town office, county centre, court or petition office.

    ``queues``, ``capacity`` (cases a month) and ``expected_wait`` (months of queue residents
    expect, from word of mouth) are keyed by the :class:`State` of each service it runs (the
    court runs three).
    """

    def __init__(self, model: ReferenceModel, kind: str, unit: int, services: tuple[State, ...]):
        super().__init__(model)
        self.kind, self.unit = kind, unit  # unit: village, town or county index
        self.queues: dict[State, list[Dispute]] = {s: [] for s in services}
        self.capacity: dict[State, float] = dict.fromkeys(services, 0.0)
        self.expected_wait: dict[State, float] = {}  # none until the queue is first served
        self.reputation = 0.0  # mediation offices: set by the model, learned from outcomes
