"""Who hears whom: word of mouth along ties, 法律明白人 as people, units' reputations.

:class:`Social` is a part of :class:`~fazhi_sim.DisputeModel` (beside
:class:`~fazhi_sim.engine.flow.DisputeFlow` and :class:`~fazhi_sim.engine.service.Service`):

* ``model.ties`` (:mod:`fazhi_sim.engine.ties`): row ``i`` holds the residents ``i`` talks
  to (who hear what happened to ``i``), with tie weights;
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

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from .disputes import State
from .shared_setup import region_key, shared
from .tie_kernels import (
    best_in_blocks,
    fill_blocks,
    gather_ties,
    nonzero_rows,
    reach_in_village,
    scatter_add_clip,
)
from .ties import stacked_ties

__all__ = ["Social", "MEDIATION_STATES", "best_connected", "literate_reach", "tie_rows"]

MEDIATION_STATES = {State.VILLAGE: "village", State.TOWN: "town", State.COUNTY: "county"}
"""The mediation queues whose units carry a reputation, with their institution role."""


def best_connected(residents: Any, heard_from: np.ndarray, per_village: int,
                   rng: np.random.Generator | Sequence[np.random.Generator]) -> np.ndarray:
    """In each village, the ``per_village`` residents the most others talk to (rows).

    ``rng`` breaks ties at random; a batch gives one generator per replicate, each drawing
    for its own equal block of residents.
    """
    rngs = [rng] if isinstance(rng, np.random.Generator) else list(rng)
    block = len(heard_from) // len(rngs)
    noise = np.empty(block * len(rngs))
    for k, g in enumerate(rngs):  # straight into the batch's column, not stacked after
        g.random(out=noise[k * block:(k + 1) * block])
    # Scores are heard_from + noise / 2: distinct, so the best of a village are one set.
    return best_in_blocks(heard_from, noise, residents.village_start, residents.village_size,
                          per_village)


def tie_rows(ties: sp.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ties of ``rows``: whom each talks to and the weights, in ``ties[rows]`` order.

    Gathered straight from the CSR arrays: scipy's row indexing builds a new matrix, which
    costs a hundred times more than the gather for the few dozen rows a month asks for.

    Returns
    -------
    indices, data : ndarray
        The rows' tie targets and weights, row after row.
    count : ndarray
        Ties per row.
    """
    start = ties.indptr[rows]
    count = ties.indptr[rows + 1] - start
    at = np.repeat(start - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
    return ties.indices[at], ties.data[at], count


def literate_reach(ties: sp.csr_matrix, village: np.ndarray, literate: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who hears the 法律明白人 ``literate`` (rows), inside their own villages.

    Returns
    -------
    reached, weight : ndarray
        Residents a 法律明白人 talks to, and the summed tie weight from them.
    near : ndarray
        Residents within two ties of one (and they themselves): a 法律明白人's word travels
        to those they talk to and on to whom those talk to.
    """
    return reach_in_village(ties.indptr, ties.indices, ties.data, village, literate)


def _one_processor() -> bool:
    """True if this process may run on one processor only (pinned, or a one-core machine)."""
    try:
        return len(os.sched_getaffinity(0)) == 1
    except AttributeError:  # no affinity on this platform (macOS)
        return (os.cpu_count() or 1) == 1


class Social:
    """Ties, word of mouth, 法律明白人 and reputations (a part of the model)."""

    def start_ties(self) -> None:
        """Start drawing the ties on a thread, or draw them now on a single processor.

        numpy releases the interpreter lock for the large array work, so on a city this
        overlaps with laying out residents and institutions. With one processor there is
        nothing to overlap with, and the two threads' switching cost a tenth of a town's
        set-up. The ties have their own stream, so the result is the same either way.
        """
        box: dict[str, Any] = {}
        rngs = self.streams.each("ties")

        def draw() -> None:
            try:
                each = self.each_params  # each replicate's ties with its own parameters
                box["ties"] = shared("ties", self._ties_key(), rngs,
                                     lambda: stacked_ties(self.base_region, each, rngs))
            except BaseException as err:  # re-raised in the model's thread by setup_social
                box["error"] = err

        if _one_processor():
            draw()
            self._ties_job = (None, box)
            return
        thread = threading.Thread(target=draw, name="fazhi-ties", daemon=True)
        thread.start()
        self._ties_job = (thread, box)

    def _ties_key(self) -> tuple:
        # What the ties depend on besides their stream (which shared() adds).
        return (region_key(self.base_region), tuple(
            (p.ties_mean, p.tie_rewire, p.tie_cross_village, p.tie_kin_weight)
            for p in self.each_params))

    def setup_social(self) -> None:
        """Take the ties; no 法律明白人 yet; every unit starts at its expected reputation."""
        thread, box = self._ties_job
        if thread is not None:
            thread.join()
        del self._ties_job
        if "error" in box:
            raise box["error"]
        ties = box["ties"]
        self.ties = ties.matrix
        per_village, rngs = int(round(self.params.literacy_per_village)), self.streams.each("ties")
        # Picked from the ties with their stream's next numbers, so runs that share the ties
        # and the count share the pick (a city's scenarios of one seed: 0.1 s each).
        self.literacy_candidates = shared(
            "literacy candidates", (self._ties_key(), per_village), rngs,
            lambda: best_connected(self.residents, ties.heard_from, per_village, rngs))
        n = self.residents.n
        self.literate = np.zeros(n, dtype=bool)
        self.literate_tie = np.zeros(n, dtype=np.float32)
        self.literate_weight = np.zeros(n, dtype=np.float32)  # tie weight from 法律明白人
        self._taught: np.ndarray | None = None  # rows with literate_weight > 0, when known
        self._literate_villages = np.zeros(self.region.n_villages, dtype=bool)
        self.reputation_reference = {state: self._expected_reputation(role)
                                     for state, role in MEDIATION_STATES.items()}
        self.reputation = {state: self._per_unit(ref, state)
                           for state, ref in self.reputation_reference.items()}
        # Per queue: reputation before this month's update, cases taken up, settled for good.
        self.month_record: dict[State, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _expected_reputation(self, role: str) -> float | np.ndarray:
        # One number; per replicate (each from its own parameters) where they differ.
        cls = self.institution_classes[role]
        if self.replicate_params is None:
            return cls.expected_reputation(self)
        out = []
        for k in range(self.n_replicates):
            with self.rows(k):
                out.append(cls.expected_reputation(self))
        return np.array(out)

    def _per_unit(self, value: float | np.ndarray, state: State) -> np.ndarray:
        if isinstance(value, np.ndarray):  # one per replicate: each unit its replicate's
            return value[self.unit_replicates(MEDIATION_STATES[state])]
        return np.full(len(self.unit_population(state)), value)

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
        cand_village = res.village[cand]
        self.literate[cand] = covered[cand_village]
        # Reach stays inside the village, so only the villages that changed are redone.
        start, size = res.village_start[changed], res.village_size[changed]
        fill_blocks(self.literate_tie, start, size, 0)
        fill_blocks(self.literate_weight, start, size, 0)
        self._taught = None
        redo = np.zeros(len(covered), dtype=bool)
        redo[changed] = True
        lit = cand[redo[cand_village] & self.literate[cand]]
        if len(lit):
            reached, weight, near = literate_reach(self.ties, res.village, lit)
            self.literate_weight[reached] = weight
            self.literate_tie[near] = 1

    def teach_along_ties(self) -> None:
        """December: 法律明白人 raise the awareness of those who hear them, for good."""
        if all(p.literacy_learning <= 0 for p in self.each_params) or not self.literate.any():
            return
        res = self.residents
        if self._taught is None:  # who hears a 法律明白人 changes only with coverage
            self._taught = nonzero_rows(self.literate_weight)
        reached = self._taught
        with self.resident_rows(reached):
            res.awareness[reached] = self.behaviour.teach(res.awareness[reached],
                                                          self.literate_weight[reached])

    # -- word of mouth
    def spread_word(self, claimants: np.ndarray, settled: np.ndarray) -> None:
        """The claimants' ties hear how their mediation ended and update their trust."""
        if len(claimants) == 0 or self.ties.nnz == 0:
            return
        ties = self.ties
        listeners, weight, count = gather_ties(ties.indptr, ties.indices, ties.data, claimants)
        heard = np.repeat(settled.astype(np.float32), count)
        trust = self.residents.trust
        with self.resident_rows(listeners):
            new = self.behaviour.word_of_mouth(trust[listeners], heard, weight)
        # Several reports reaching one resident in a month add up (as ``np.add.at``), and
        # the sum is kept within [0, 1].
        scatter_add_clip(trust, listeners, (new - trust[listeners]).astype(np.float32))

    # -- reputation
    def learn_reputations(self, state: State, unit: np.ndarray, held: np.ndarray) -> None:
        """Each unit of ``state`` learns from the cases it took up this month (``unit``)."""
        n = len(self.reputation[state])
        taken = np.bincount(unit, minlength=n)
        lasting = np.bincount(unit[held], minlength=n)
        cls = self.institution_classes[MEDIATION_STATES[state]]
        self.month_record[state] = (self.reputation[state], taken, lasting)
        with self.unit_rows(MEDIATION_STATES[state]):
            self.reputation[state] = cls.learn_reputation(self, self.reputation[state], taken,
                                                          lasting)

    def reputation_seen(self, pos: np.ndarray) -> dict[State, np.ndarray]:
        """Reputation above its expected level of each dispute's own units, per queue."""
        village = self.pool.village[pos]
        ref = self.reputation_reference
        if self.replicate_params is not None:  # each dispute's replicate's own reference
            rep = self.pool.rep[pos]
            ref = {state: value[rep] for state, value in ref.items()}
        return {state: self.reputation[state][
            village if level == "village" else self.unit_of_village(level)[village]]
            - ref[state] for state, level in MEDIATION_STATES.items()}
