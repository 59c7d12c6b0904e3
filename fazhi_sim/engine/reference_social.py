"""Ties, word of mouth, 法律明白人 and reputations in the per-agent reference model.

:class:`ReferenceSocial` is a part of :class:`~fazhi_sim.engine.reference.ReferenceModel`, as
:class:`~fazhi_sim.engine.social.Social` is of the engine. It draws the ties with the engine's
generator (from its own random numbers), gives the 法律明白人 role by the engine's rule, and
applies the same behaviour and institution formulas one resident, one report and one office
at a time.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from .disputes import State
from .social import MEDIATION_STATES, best_connected, literate_reach
from .ties import village_ties

__all__ = ["ReferenceSocial"]


class ReferenceSocial:
    """Who hears whom in the reference model (a part of the model)."""

    def setup_social(self) -> None:
        """Draw the ties, pick who may become 法律明白人, start every office's reputation."""
        r, p = self.region, self.params
        ties = village_ties(r, p, self.rng)
        self.ties = ties.matrix
        size = r.village_population.astype(np.int64)
        layout = SimpleNamespace(village_start=np.concatenate([[0], np.cumsum(size)[:-1]]),
                                 village_size=size)
        self.literacy_candidates = best_connected(
            layout, ties.heard_from, int(round(p.literacy_per_village)), self.rng)
        self.row_village = np.repeat(np.arange(r.n_villages), size)
        self.literate = np.zeros(int(size.sum()), dtype=bool)
        self._literate_villages = np.zeros(r.n_villages, dtype=bool)
        self._reached: list[Any] = []
        self.reputation_reference = {
            state: self.institution_classes[role].expected_reputation(self)
            for state, role in MEDIATION_STATES.items()}
        for state, ref in self.reputation_reference.items():
            for office in self.offices[state]:
                office.reputation = ref

    def update_literate(self) -> None:
        """Give the role in newly covered villages, and mark who hears a 法律明白人."""
        covered = self.covered("legal_literacy_coverage") > 0
        if np.array_equal(covered, self._literate_villages):
            return
        self._literate_villages = covered
        cand = self.literacy_candidates
        self.literate[cand] = covered[self.row_village[cand]]
        for x in self._reached:
            x.literate_tie, x.literate_weight = 0.0, 0.0
        reached, weight, near = literate_reach(self.ties, self.row_village,
                                               np.flatnonzero(self.literate))
        for row, w in zip(reached.tolist(), weight.tolist(), strict=True):
            self.everyone[row].literate_weight = w
        self._reached = [self.everyone[row] for row in near.tolist()]
        for x in self._reached:
            x.literate_tie = 1.0

    def spread_word(self, claimant: Any, settled: bool) -> None:
        """Those the claimant talks to hear how the mediation ended, one by one."""
        row = self.ties[claimant.row]
        for other, w in zip(row.indices.tolist(), row.data.tolist(), strict=True):
            x = self.everyone[other]
            new = self.behaviour.word_of_mouth(np.array([x.trust], dtype=np.float32),
                                               np.array([float(settled)], dtype=np.float32),
                                               np.array([w], dtype=np.float32))
            x.trust = float(np.clip(new[0], 0.0, 1.0))

    def learn_reputations(self, state: State, outcomes: dict[Any, list[int]]) -> None:
        """Each office of ``state`` learns from the cases it took up this month."""
        cls = self.institution_classes[MEDIATION_STATES[state]]
        for office, (taken, lasting) in outcomes.items():
            office.reputation = float(cls.learn_reputation(
                self, np.array([office.reputation]), np.array([taken]),
                np.array([lasting]))[0])

    def reputation_seen(self, d: Any) -> dict[State, float]:
        """Reputation above its expected level of the dispute's own offices."""
        return {state: self.office(state, d).reputation - self.reputation_reference[state]
                for state in MEDIATION_STATES}

    def teach_along_ties(self) -> None:
        """December: 法律明白人 raise the awareness of those they talk to, for good."""
        if self.params.literacy_learning <= 0:
            return
        for x in self._reached:
            if x.literate_weight > 0:
                x.awareness = float(self.behaviour.teach(
                    np.array([x.awareness], dtype=np.float32),
                    np.array([x.literate_weight], dtype=np.float32))[0])
