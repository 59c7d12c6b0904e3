"""How disputes move: claims arise, choose a channel, walk through doors, end.

:class:`DisputeFlow` is one half of :class:`~fazhi_sim.DisputeModel` (the other,
:class:`~fazhi_sim.engine.service.Service`, is the institutions taking up their queues). It
works on pool positions (``pos``: indices into ``model.pool``); every rule residents follow
comes from ``self.behaviour`` and every institution's formula from its class, so the
per-agent reference model, which calls the same methods, cannot drift from it.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .behaviour import Situation, type_table
from .binomial import CellBinomials
from .cases import Cases, PoolCases
from .disputes import TYPES, CentreRoute, Layer, Option, State
from .handling import HANDLING_LAYERS, handling_months
from .pool_kernels import (
    add_elapsed,
    add_rows,
    close_rows,
    count_rows,
    enter_rows,
    expand_cells,
    fail_rows,
    group_rows,
    unit_columns,
)
from .streams import Purpose

__all__ = ["DisputeFlow", "RESOLVED_COUNTER"]

_COMPACT = np.flatnonzero(type_table()["compact_sensitive"])
_IS_COMPACT = np.asarray(type_table()["compact_sensitive"], dtype=bool)  # by type index
RESOLVED_COUNTER = {
    Layer.NEGOTIATION: "resolved_negotiation", Layer.VILLAGE: "resolved_village",
    Layer.TOWN: "resolved_town", Layer.COUNTY: "resolved_county", Layer.COURT: "resolved_court",
    Layer.PETITION: "resolved_petition",
}
"""The tally counter of disputes resolved at each layer."""
_OPTION_STATE = {Option.VILLAGE: State.VILLAGE, Option.TOWN: State.TOWN,
                 Option.COUNTY: State.COUNTY}
_STATE_OPTION = {state: opt for opt, state in _OPTION_STATE.items()}
_DOOR = {State.VILLAGE: Layer.VILLAGE, State.TOWN: Layer.TOWN, State.COUNTY: Layer.COUNTY,
         State.PETITION: Layer.PETITION}
_HANDLING_PURPOSE = {layer: int(Purpose.HANDLING) * 16 + i
                     for i, layer in enumerate(HANDLING_LAYERS)}
_NO_ROWS = np.zeros(0, dtype=bool)
_NO_COUNTIES = np.zeros(0, dtype=np.int32)
_WAIT_QUEUES = ((Option.VILLAGE, State.VILLAGE, "village"), (Option.TOWN, State.TOWN, "town"),
                (Option.COUNTY, State.COUNTY, "county"), (Option.COURT, State.TRIAL, "county"),
                (Option.PETITION, State.PETITION, "county"))
_WAIT_LEVELS = np.array([("village", "town", "county").index(q[2]) for q in _WAIT_QUEUES])
_WAIT_OPTIONS = np.array([int(q[0]) for q in _WAIT_QUEUES])
_NO_TABLE = np.zeros(0)


@functools.cache
def _monthly_rates(scale: float) -> np.ndarray:
    # Chance per resident and month of a grievance of each type, as a row for broadcasting.
    monthly = type_table()["rate_per_10k"] * scale / 1e4 / 12.0
    return np.minimum(monthly, 1.0)[None, :]


@functools.lru_cache(maxsize=8)
def _grievance_cells(population: bytes, scales: tuple[float, ...]) -> CellBinomials:
    # Kept for the process: a city's constants take 15 ms, and its runs come back to them.
    pop = np.frombuffer(population, dtype=np.int64)[:, None]
    return CellBinomials([(pop, _monthly_rates(scale)) for scale in scales])


@functools.cache
def _purposes(purposes: tuple[int, ...]) -> np.ndarray:
    return np.array(purposes, dtype=np.uint64)


def _split(pos: np.ndarray, group: np.ndarray, n: int) -> list[np.ndarray]:
    """``pos[group == k]`` for each ``k`` below ``n``, in one pass."""
    rows, bounds = group_rows(pos, group, n)
    return [rows[a:b] for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)]


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


class DisputeFlow:
    """Arising, claiming, channel choice, doors and endings (a part of the model)."""

    # -- positions to plain arrays
    def county_of(self, pos: np.ndarray) -> np.ndarray:
        """County index of the disputes at pool positions ``pos``."""
        return self.region.village_county[self.pool.village[pos]]

    def count(self, counter: str, pos: np.ndarray) -> np.ndarray:
        """Count one event per dispute at ``pos`` in this month's tally; returns the counties."""
        if len(pos) == 0:  # (nothing to count: the tally would ignore it)
            return _NO_COUNTIES
        county = np.empty(len(pos), dtype=np.int32)
        count_rows(pos, self.pool.village, self.region.village_county, county,
                   self.tally.month_counts(counter, self.row))
        return county

    def draw(self, pos: np.ndarray, purpose: int) -> np.ndarray:
        """One uniform draw per dispute, keyed by (seed, dispute, its step, purpose)."""
        # Keyed by the dispute's step, not the month: a delay does not reshuffle its luck.
        pool = self.pool
        return self.streams.uniform_at(pos, pool.id, pool.step, purpose,
                                       None if self.n_replicates == 1 else pool.rep)

    def draws(self, pos: np.ndarray, *purposes: int) -> np.ndarray:
        """:meth:`draw` for several purposes at once, one row per purpose (the same numbers)."""
        pool = self.pool
        return self.streams.uniforms_at(pos, pool.id, pool.step, _purposes(purposes),
                                        None if self.n_replicates == 1 else pool.rep)

    def cases(self, pos: np.ndarray) -> Cases:
        """What an institution sees of the disputes at ``pos`` (columns read on first use)."""
        return PoolCases(self, pos)

    # -- 2. arising and claiming
    def arise(self) -> None:
        """Grievances arise in each village by type; those voiced as claims enter the pool."""
        ids, village, kind, claimant, respondent, rep = self._new_grievances()
        county_of = self.region.village_county
        self.tally.add("grievances", self.row, county_of[village])
        b, res = self.behaviour, self.residents
        with self.rows(rep):
            pc = b.claim_probability(b.effective_awareness(res.awareness[claimant],
                                                           self.literate_tie[claimant]),
                                     res.litigiousness[claimant])
        claim = np.flatnonzero(self.streams.uniform(ids, self.month, Purpose.CLAIM, rep) < pc)
        ids, village, kind = ids.take(claim), village.take(claim), kind.take(claim)
        claimant, respondent = claimant.take(claim), respondent.take(claim)
        rep = None if rep is None else rep.take(claim)
        self.tally.add("disputes", self.row, county_of[village])
        n = self.region.n_villages
        with self.unit_rows("village"):
            chance = b.advice_probability(
                self.institution_classes["village"].advice_capacity(self, n),
                np.bincount(village, minlength=n))
        advised = self.streams.uniform(ids, self.month, Purpose.ADVICE, rep) < chance[village]
        self.tally.add("advised", self.row, county_of[village[advised]])
        if advised.any():
            with self.rows(None if rep is None else rep[advised]):
                res.awareness[claimant[advised]] = b.learn_from_advice(
                    res.awareness[claimant[advised]])
        self.pool.add(id=ids, kind=kind, claimant=claimant, respondent=respondent,
                      village=village, born=self.month, advised=advised,
                      grievance=res.grievance[claimant], rep=rep)

    def _new_grievances(self) -> tuple[np.ndarray, ...]:
        """The month's grievances that no village compact prevented.

        Returns ids, village, kind, claimant, respondent and replicate (None in a single run).
        """
        lv, r = self.levels, self.region
        ids, village, kind, rep, rngs = self._arising()
        # Claimant, then respondent, from each replicate's own generator (as a run draws):
        # one draw of both, the same numbers as two.
        u = [(g.random(2 * n), n) for g, n in rngs]
        claimant = self.residents.pick(village, _joined([x[:n] for x, n in u]))
        respondent = self.residents.pick(village, _joined([x[n:] for x, n in u]))
        # Village compacts prevent a share of family, neighbour and land grievances; drawn
        # per candidate so the grievances that remain are the same ones in every scenario.
        if not len(_COMPACT):
            return ids, village, kind, claimant, respondent, rep
        with self.rows(rep):
            prevent = self.params.compact_effect * lv["village_compact_strength"]
        u = self.streams.uniform(ids, self.month, Purpose.THIN, rep)
        prevented = _IS_COMPACT[kind] & (u < prevent)
        self.tally.add("prevented", self.row, r.village_county[village[prevented]])
        keep = np.flatnonzero(~prevented)
        rep = None if rep is None else rep.take(keep)
        return (ids.take(keep), village.take(keep), kind.take(keep), claimant.take(keep),
                respondent.take(keep), rep)

    def _arising(self) -> tuple[Any, ...]:
        """Grievances by village and type, each replicate's counts from its own generator.

        Returns ids, village, kind, replicate (None in a single run), and each replicate's
        generator with its number of grievances.
        """
        n_rep = self.n_replicates
        gens = self.streams.each("arising")
        # Each replicate's binomial per (village, type), bit for bit Generator.binomial.
        counts = self._grievance_cells().draw(gens)
        village, kind, ids, rep, per_rep = expand_cells(counts, len(TYPES), n_rep,
                                                        self.next_id)
        self.next_id += per_rep  # ids run on from each replicate's last one
        return (ids, village, kind, None if n_rep == 1 else rep,
                list(zip(gens, per_rep.tolist(), strict=True)))

    def _grievance_cells(self) -> CellBinomials:
        # Population and rates do not change within a run: the cells are looked up once.
        scales = tuple(p.grievance_rate_scale for p in self.each_params)
        cells = self.__dict__.get("_grievance_cell_cache")
        if cells is None or cells[0] != scales:
            pop = self.base_region.village_population.astype(np.int64).tobytes()
            cells = self._grievance_cell_cache = (scales, _grievance_cells(pop, scales))
        return cells[1]

    # -- 3. channel choice
    def situation(self, pos: np.ndarray) -> Situation:
        """What the disputes at pool positions ``pos`` weigh when choosing a channel."""
        pool, res, b, r = self.pool, self.residents, self.behaviour, self.region
        claimant, village = pool.claimant[pos], pool.village[pos]
        # Matrices by option are laid out option by option (transposed, (n, options) in
        # Fortran order): each option's column is one contiguous row for the arithmetic.
        wait = unit_columns(village, r.village_town, r.village_county, tuple(
            self.perceived_wait.get(state, _NO_TABLE) for _, state, _ in _WAIT_QUEUES),
            _WAIT_LEVELS, _WAIT_OPTIONS, len(Option)).T
        reputation = np.zeros((len(Option), len(pos)))
        for state, seen in self.reputation_seen(pos).items():
            reputation[_STATE_OPTION[state]] = seen
        return Situation(
            kind=pool.kind[pos],
            awareness=b.effective_awareness(res.awareness[claimant],
                                            self.literate_tie[claimant]),
            trust=res.trust[claimant].astype(float),
            litigiousness=res.litigiousness[claimant].astype(float),
            grievance=pool.grievance[pos].astype(float),
            advised=pool.advised[pos],
            stage=pool.stage[pos],
            failures=pool.failures[pos],
            wait=wait,
            available=b.available_options(pool.stage[pos],
                                          self.capacity[State.VILLAGE][village] > 0),
            step=pool.step[pos],
            literate_tie=self.literate_tie[claimant],
            reputation=reputation.T,
            replicate=self.replicate_of(pos),
        )

    def choose_channel(self, situation: Situation, ids: np.ndarray) -> np.ndarray:
        """Each dispute's channel (an :class:`Option` per row).

        Draws the Gumbel noise from the run's keyed streams and asks the behaviour
        (:meth:`Behaviour.choose_channel`). To change the rule everywhere (ensembles, the
        reference model), subclass :class:`~fazhi_sim.Behaviour`; overriding this method
        changes the engine only.
        """
        counter = situation.step if situation.step is not None else self.month
        return self.behaviour.choose_channel(
            situation, self.streams.gumbel(ids, counter, len(Option), situation.replicate))

    def route(self, pos: np.ndarray) -> None:
        """Send choosing disputes where their choice takes them."""
        if len(pos) == 0:
            return
        with self.pool_rows(pos):
            choice = self.choose_channel(self.situation(pos), self.pool.id[pos])
        add_rows(self.pool.step, pos, 1)
        chose = _split(pos, choice, len(Option))
        self.close(chose[Option.LUMP], resolved=False)
        self.negotiate(chose[Option.NEGOTIATE])
        self.enter(chose[Option.VILLAGE], State.VILLAGE)
        self.enter(chose[Option.TOWN], State.TOWN)
        self.arrive_at_centre(chose[Option.COUNTY])
        court = chose[Option.COURT]
        # The one-stop centre houses a court window (诉调对接): moving on from it to court
        # is no new door where the centre is integrated.
        centre = self.institution_classes["county"]
        with self.pool_rows(court):
            free = (self.pool.door[court] == Layer.COUNTY) & (self.draw(court, Purpose.DOOR) < (
                centre.one_door_probability(self, self.cases(court))))
        self.go_to_court(court, free)
        self.lodge_petition(chose[Option.PETITION])

    def negotiate(self, pos: np.ndarray) -> None:
        """Direct negotiation: settles at once or fails (choose again next month)."""
        with self.pool_rows(pos):
            pr = self.behaviour.negotiation_probability(self.pool.advised[pos])
        ok = self.draw(pos, Purpose.SUCCESS) < pr
        self.handled(pos, "negotiation", queued=False)
        self.resolve(pos[ok], Layer.NEGOTIATION)
        self.fail(pos[~ok], Layer.NEGOTIATION)

    def walk_in(self, pos: np.ndarray, door: Layer, free_door: np.ndarray | None = None) -> None:
        """Arrive at an institution: one more door unless already there or let in free."""
        pool = self.pool
        enter_rows(pos, int(door), _NO_ROWS if free_door is None else free_door, True, False, 0,
                   self.month, pool.door, pool.doors, pool.step, pool.state, pool.queued)

    def enter(self, pos: np.ndarray, state: State, free_door: np.ndarray | None = None) -> None:
        """Queue disputes at an institution; entering a new institution is one more door."""
        if len(pos) == 0:
            return
        pool = self.pool
        # Walks in (as walk_in) and joins the queue in one pass: each row's two are its own.
        enter_rows(pos, int(_DOOR.get(state, Layer.COURT)),
                   _NO_ROWS if free_door is None else free_door, True, True, int(state),
                   self.month, pool.door, pool.doors, pool.step, pool.state, pool.queued)

    def go_to_court(self, pos: np.ndarray, free_door: np.ndarray | None = None) -> None:
        """Disputes reaching court: some to pre-filing mediation, the rest filed."""
        if len(pos) == 0:
            return
        court = self.institution_classes["court"]
        # Both draws at once: the cases that go on take no step before the second.
        u = self.draws(pos, Purpose.OUTCOME, Purpose.DIVERT)
        with self.pool_rows(pos):
            settle = u[0] < court.reconsideration_probability(self, self.cases(pos))
        u = u[1]
        if settle.any():
            self.resolve(pos[settle], Layer.COUNTY)
            on = ~settle
            pos, u = pos[on], u[on]
            free_door = None if free_door is None else free_door[on]
        self.count("court_arrivals", pos)
        with self.pool_rows(pos):
            divert = u < court.diversion_probability(self, self.cases(pos))
        self.enter(pos[divert], State.PREFILING, None if free_door is None else free_door[divert])
        rest = ~divert
        self.enter(pos[rest], State.TRIAL, None if free_door is None else free_door[rest])
        self.file_cases(pos[rest])

    def file_cases(self, pos: np.ndarray) -> None:
        """Filing: abusive suits are refused; the rest are accepted (万人成讼率 counts them)."""
        court = self.institution_classes["court"]
        with self.pool_rows(pos):
            refuse = self.draw(pos, Purpose.FILTER) < court.refusal_probability(
                self, self.cases(pos))
        refused, accepted = pos[refuse], pos[~refuse]
        self.close(refused, resolved=False)
        self.count("refused", refused)
        self.count("lawsuits", accepted)
        self.pool.queued[accepted] = self.month

    def lodge_petition(self, pos: np.ndarray) -> None:
        """Petitions lodged: each lodging counts in 信访量; a second or later one is a repeat."""
        if len(pos) == 0:
            return
        pool = self.pool
        repeat = pool.petitions[pos] > 0
        self.count("petitions", pos)
        self.count("repeat_petitions", pos[repeat])
        # A repeat after a lawful channel failed, against one after the office left it (缠访).
        self.count("repeat_after_routing", pos[repeat & (pool.stage[pos] != Layer.PETITION)])
        add_rows(pool.petitions, pos, 1)
        centre = self.institution_classes["county"]
        with self.pool_rows(pos):
            at_centre = self.draw(pos, Purpose.DOOR) < centre.petition_intake_probability(
                self, self.cases(pos))
        self.count("petitions_at_centre", pos[at_centre])
        self.arrive_at_centre(pos[at_centre], petition=True)
        office = pos[~at_centre]
        self.enter(office, State.PETITION, pool.door[office] == Layer.PETITION)

    def arrive_at_centre(self, pos: np.ndarray, petition: bool = False) -> None:
        """The county centre takes a case in and triages it (one door, 只进一扇门)."""
        if len(pos) == 0:
            return
        centre = self.institution_classes["county"]
        with self.pool_rows(pos):
            route = centre.triage(self, self.cases(pos), self.draw(pos, Purpose.ROUTE),
                                  np.full(len(pos), petition))
        self.count("centre_intake", pos)
        self.walk_in(pos, Layer.COUNTY)
        sent = _split(pos, route, len(CentreRoute))
        self.enter(sent[CentreRoute.MEDIATION], State.COUNTY)
        desk = sent[CentreRoute.PETITION_DESK]
        self.count("centre_desk", desk)
        self.enter(desk, State.PETITION, np.ones(len(desk), dtype=bool))
        # The desk is inside the centre: coming back to it later is no new door.
        self.pool.door[desk] = Layer.COUNTY
        self.centre_legal_services(sent[CentreRoute.LEGAL])
        court = sent[CentreRoute.COURT]
        self.count("centre_to_court", court)
        self.go_to_court(court, np.ones(len(court), dtype=bool))

    def centre_legal_services(self, pos: np.ndarray) -> None:
        """The centre's legal services: advice, then the parties negotiate with it."""
        if len(pos) == 0:
            return
        self.count("centre_legal", pos)
        self.pool.advised[pos] = True
        c = self.pool.claimant[pos]
        with self.pool_rows(pos):
            self.residents.awareness[c] = self.behaviour.learn_from_advice(
                self.residents.awareness[c])
            add_rows(self.pool.step, pos, 1)
            ok = self.draw(pos, Purpose.SUCCESS) < self.behaviour.negotiation_probability(
                self.pool.advised[pos])
        self.handled(pos, "negotiation", queued=False)
        self.resolve(pos[ok], Layer.COUNTY)
        self.fail(pos[~ok], Layer.NEGOTIATION)

    # -- endings
    def handled(self, pos: np.ndarray, layer: str, queued: bool = True) -> None:
        """Add the months a case waited in its queue and its handling time at ``layer``."""
        pool = self.pool
        # Its own purpose per layer, so the handling draw shifts no other draw, and a case
        # handled twice at one step (pre-filing, then trial) gets two independent times.
        u = self.draw(pos, _HANDLING_PURPOSE[layer])
        with self.pool_rows(pos):
            extra = handling_months(self.params, layer, u, self.levels["small_claims_share"])
        add_elapsed(pos, extra, queued, self.month, pool.queued, pool.elapsed)

    def fail(self, pos: np.ndarray, layer: Layer) -> None:
        """A failed step: the dispute will choose again next month, from above ``layer``."""
        if len(pos) == 0:
            return
        pool = self.pool
        with self.pool_rows(pos):
            grief = np.float32(self.behaviour.grievance_from_failure())
        if grief.ndim:  # one per row (replicates that differ): added after, as the kernel would
            fail_rows(pos, int(layer), self.params.fatigue_cap, np.float32(0), pool.stage,
                      pool.step, pool.failures, pool.grievance, pool.state)
            pool.grievance[pos] += grief
            return
        fail_rows(pos, int(layer), self.params.fatigue_cap, grief, pool.stage, pool.step,
                  pool.failures, pool.grievance, pool.state)

    def resolve(self, pos: np.ndarray, layer: Layer) -> None:
        """Settled at ``layer``: counted with its time taken; the claimant's grievance eases."""
        if len(pos) == 0:
            return
        county = self.count(RESOLVED_COUNTER[layer], pos)
        self.tally.resolution_times(self.row, county, self.pool.elapsed[pos])
        res = self.residents
        c = self.pool.claimant[pos]
        with self.pool_rows(pos):
            res.grievance[c] = self.behaviour.grievance_after_resolution(res.grievance[c])
        self.close(pos, resolved=True)

    def close(self, pos: np.ndarray, resolved: bool) -> None:
        """The disputes leave the system; an unresolved one leaves its grievance behind."""
        if len(pos) == 0:
            return
        pool, tally, row = self.pool, self.tally, self.row
        closed = tally.month_counts("closed", row)
        # Counted as they close: closed, hand-offs, and dropped if unresolved.
        close_rows(pos, not resolved, int(State.RESOLVED if resolved else State.DROPPED),
                   pool.village, self.region.village_county, pool.doors, pool.state,
                   pool.claimant, pool.grievance, self.residents.grievance, closed,
                   tally.month_counts("handoffs", row),
                   closed if resolved else tally.month_counts("dropped", row), not resolved)
