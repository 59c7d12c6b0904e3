"""Who hears whom: word of mouth along ties, 法律明白人 as people, units' reputations.

:class:`Social` is a part of :class:`~fazhi_sim.DisputeModel` (beside
:class:`~fazhi_sim.engine.flow.DisputeFlow` and :class:`~fazhi_sim.engine.service.Service`):

* ``model.ties`` (:mod:`fazhi_sim.engine.ties`): row ``i`` holds the residents whose view
  resident ``i`` hears, with tie weights;
* word of mouth: when a mediation ends, the claimant's ties hear how it went and move their
  trust toward it (:meth:`Behaviour.word_of_mouth`; DeGroot unless a subclass says
  otherwise). This replaces a yearly drift toward the village mean, so residents' differences
  persist;
* 法律明白人: in every village the coverage lever reaches, the ``literacy_per_village``
  best-connected residents take the role and keep it. Residents within two ties of one (and
  they themselves) decide with their help (:meth:`Behaviour.effective_awareness`, the village and
  petition terms of :meth:`Behaviour.utilities`), and each December they teach their ties;
* reputation: each mediation unit (village committee, town office, county centre) learns
  from the cases it took up the share that ended in a lasting settlement
  (:meth:`Institution.learn_reputation`); residents weigh their own unit's reputation.
"""

from __future__ import annotations

import numpy as np

from .disputes import State
from .ties import village_ties

__all__ = ["Social", "MEDIATION_STATES"]

MEDIATION_STATES = {State.VILLAGE: "village", State.TOWN: "town", State.COUNTY: "county"}
"""The mediation queues whose units carry a reputation, with their institution role."""


class Social:
    """Ties, word of mouth, 法律明白人 and reputations (a part of the model)."""

    def setup_social(self) -> None:
        """Draw the ties; no 法律明白人 yet; every unit starts at its expected reputation."""
        self.ties = village_ties(self.region, self.params, self.streams["ties"])
        n = self.residents.n
        self.literacy_candidates = self._best_connected()
        self.literate = np.zeros(n, dtype=bool)
        self.literate_tie = np.zeros(n, dtype=np.float32)
        self.literate_weight = np.zeros(n, dtype=np.float32)  # tie weight to 法律明白人
        self._hears_literate = np.zeros(n, dtype=bool)
        self._literate_villages = np.zeros(self.region.n_villages, dtype=bool)
        self.reputation_reference = {
            state: self.institution_classes[role].expected_reputation(self)
            for state, role in MEDIATION_STATES.items()}
        self.reputation = {state: np.full(len(self.unit_population(state)), ref)
                           for state, ref in self.reputation_reference.items()}

    def _best_connected(self) -> np.ndarray:
        """In each village, the ``literacy_per_village`` residents most others hear."""
        res, k = self.residents, int(round(self.params.literacy_per_village))
        heard_by = np.bincount(self.ties.indices, weights=self.ties.data,
                               minlength=res.n).astype(np.float64)
        # A little noise breaks ties between equally heard residents at random.
        heard_by += self.streams["ties"].random(res.n) * 1e-3
        picked = []
        for start, size in zip(res.village_start, res.village_size, strict=True):
            take = min(k, int(size))
            if take:
                block = heard_by[start:start + size]
                picked.append(start + np.argpartition(-block, take - 1)[:take])
        return np.sort(np.concatenate(picked)) if picked else np.zeros(0, dtype=np.int64)

    def unit_population(self, state: State) -> np.ndarray:
        """Residents served by each unit of a mediation queue."""
        return {State.VILLAGE: self.region.village_population,
                State.TOWN: self.town_population,
                State.COUNTY: self.county_population}[state]

    # -- 法律明白人
    def update_literate(self) -> None:
        """Give the role in newly covered villages (kept while the village is covered)."""
        covered = self.covered("legal_literacy_coverage") > 0
        changed = np.flatnonzero(covered != self._literate_villages)
        if len(changed) == 0:
            return
        self._literate_villages = covered
        res, cand = self.residents, self.literacy_candidates
        self.literate[cand] = covered[res.village[cand]]
        self._reach(changed)

    def _reach(self, villages: np.ndarray) -> None:
        """Who hears a 法律明白人 in these villages: within two ties, inside the village."""
        res = self.residents
        size = res.village_size[villages]
        rows = np.repeat(res.village_start[villages] - np.cumsum(size) + size, size)
        rows += np.arange(int(size.sum()))
        sub = self.ties[rows]
        row_of = np.repeat(np.arange(len(rows)), np.diff(sub.indptr))
        same = res.village[sub.indices] == res.village[rows[row_of]]
        direct = same & self.literate[sub.indices]
        self.literate_weight[rows] = np.bincount(row_of[direct], sub.data[direct], len(rows))
        self._hears_literate[rows] = self.literate[rows] | (self.literate_weight[rows] > 0)
        second = same & self._hears_literate[sub.indices]
        near = self._hears_literate[rows] | (np.bincount(row_of[second], minlength=len(rows)) > 0)
        self.literate_tie[rows] = near

    def teach_along_ties(self) -> None:
        """December: 法律明白人 raise the awareness of those who hear them, for good."""
        if self.params.literacy_learning <= 0 or not self.literate.any():
            return
        res = self.residents
        res.awareness[:] = self.behaviour.teach(res.awareness, self.literate_weight)

    # -- word of mouth
    def spread_word(self, claimants: np.ndarray, settled: np.ndarray) -> None:
        """The claimants' ties hear how their mediation ended and update their trust."""
        if len(claimants) == 0 or self.ties.nnz == 0:
            return
        rows = self.ties[claimants]
        listeners = rows.indices
        heard = np.repeat(settled.astype(np.float32), np.diff(rows.indptr))
        trust = self.residents.trust
        new = self.behaviour.word_of_mouth(trust[listeners], heard, rows.data)
        # Several reports reaching one resident in a month add up.
        np.add.at(trust, listeners, (new - trust[listeners]).astype(np.float32))
        trust[listeners] = np.clip(trust[listeners], 0.0, 1.0)

    # -- reputation
    def learn_reputations(self, state: State, unit: np.ndarray, held: np.ndarray) -> None:
        """Each unit of ``state`` learns from the cases it took up this month (``unit``)."""
        n = len(self.reputation[state])
        taken = np.bincount(unit, minlength=n)
        lasting = np.bincount(unit[held], minlength=n)
        cls = self.institution_classes[MEDIATION_STATES[state]]
        self.reputation[state] = cls.learn_reputation(self, self.reputation[state], taken,
                                                      lasting)

    def reputation_seen(self, pos: np.ndarray) -> dict[State, np.ndarray]:
        """Reputation above its expected level of each dispute's own units, per queue."""
        level = {State.VILLAGE: "village", State.TOWN: "town", State.COUNTY: "county"}
        return {state: self.reputation[state][self.unit_of(pos, level[state])]
                - self.reputation_reference[state] for state in MEDIATION_STATES}
