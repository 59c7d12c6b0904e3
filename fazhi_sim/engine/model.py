"""DisputeModel: the month-by-month flow of disputes through Shaoxing's layered system.

One step is one month, in this order (docs/model.md, "Process overview"):

1. levers take this month's levels and every institution its capacity;
2. grievances arise among residents; some are voiced as claims (disputes);
3. disputes that need a channel choose one (new claims, failures, returning petitioners);
4. the village, town and county layers, the court (pre-filing mediation, trial,
   enforcement) and the petition office each take up their queue, oldest first, up to
   capacity; cases taken up settle, fail (and choose again next month) or move on;
   cases left waiting may give up on the queue;
5. defaulters leave the list at a monthly rate; in December residents' trust and awareness
   drift toward their village's mean (DeGroot), and 法律明白人 teach where present.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from .behaviour import (
    Situation,
    advice_probability,
    available_options,
    channel_utilities,
    claim_probability,
    effective_awareness,
    learn_trust,
    logit_choice,
    type_table,
)
from .disputes import TYPES, DisputePool, Layer, Option, State
from .institutions import (
    CountyCentre,
    Court,
    Institution,
    PetitionOffice,
    TownJusticeOffice,
    VillageMediationCommittee,
    logistic,
    logit,
    serve_in_order,
)
from .keywords import apply_keywords, resolve_scenario, run_seed
from .metrics import Tally
from .params import Params
from .population import Residents
from .region import Region, get_region
from .reporters import model_reporters
from .scenario import Scenario
from .streams import Purpose, Streams

__all__ = ["DisputeModel"]

_COVERAGE_LEVERS = ("mediation_coverage", "legal_adviser_coverage", "legal_literacy_coverage")
_ADMIN = TYPES.index("administrative")
_COMPACT = np.flatnonzero(type_table()["compact_sensitive"])
_RESOLVED_COUNTER = {
    Layer.NEGOTIATION: "resolved_negotiation", Layer.VILLAGE: "resolved_village",
    Layer.TOWN: "resolved_town", Layer.COUNTY: "resolved_county", Layer.COURT: "resolved_court",
    Layer.PETITION: "resolved_petition",
}
_OPTION_STATE = {Option.VILLAGE: State.VILLAGE, Option.TOWN: State.TOWN,
                 Option.COUNTY: State.COUNTY}


class DisputeModel(mesa.Model):
    """The dispute-flow model: residents as columns, institutions as Mesa agents.

    Parameters
    ----------
    scenario
        Lever schedules and mechanism parameters: a :class:`Scenario`, a scenario file or a
        shipped scenario's name; the baseline (2020 levels) if omitted.
    region
        A region name (``"shaoxing"``, ``"zhuji"``/``"诸暨"``, ``"town"``) or a
        :class:`~fazhi_sim.Region`; the scenario's region, else ``"town"``, if omitted.
    seed
        Run seed; equal seeds give identical runs. Replicate ``k`` of different scenarios
        shares random streams (common random numbers).
    institutions
        Replacement institution classes keyed by the class they replace, e.g.
        ``{VillageMediationCommittee: MyCommittee}``.
    rng
        Mesa's name for ``seed`` (``mesa.batch_run`` passes one or the other); an integer,
        or None for a fresh seed, as is ``seed=None``.
    **levers_and_params
        Lever levels (a step change from the scenario's start year), mechanism parameters
        (:class:`~fazhi_sim.Params` fields), ``start_year`` or ``end_year``, applied
        on top of ``scenario`` and validated as in a scenario file (docs/interop.md).

    Attributes
    ----------
    residents : Residents
        Resident columns.
    pool : DisputePool
        Open disputes.
    tally : Tally
        Monthly counts behind the results.
    levels : dict
        This month's lever levels.
    capacity : dict
        This month's capacity per unit, keyed by the queue's :class:`State`.
    perceived_wait : dict
        Months of queue residents expect per unit, keyed by the queue's :class:`State`.
    datacollector : mesa.DataCollector
        Region-wide reporters collected after every month
        (:data:`fazhi_sim.engine.reporters.REPORTERS`).
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        region: str | Region | None = None,
        seed: int | None = 0,
        institutions: Mapping[type[Institution], type[Institution]] | None = None,
        *,
        rng: int | None = None,
        **levers_and_params: Any,
    ):
        seed = run_seed(seed, rng)
        super().__init__(rng=seed)
        self.policy = apply_keywords(resolve_scenario(scenario), levers_and_params)
        self.region = get_region(region or self.policy.region or "town")
        self.params: Params = self.policy.params
        self.seed = seed
        self.streams = Streams(self.seed)
        p, r = self.params, self.region

        self.warmup = p.warmup_months
        self.first_year = self.policy.start_year
        self.n_months = self.warmup + 12 * len(self.policy.years)
        self.month = -self.warmup  # months since January of the first reported year
        times = self.first_year + np.arange(-self.warmup, self.n_months - self.warmup) / 12.0
        self._lever_path = self.policy.lever_values(times)

        self.residents = Residents(r, p, self.streams["population"])
        self.pool = DisputePool()
        self.tally = Tally(self.n_months, r.n_counties)
        n_def = self.streams["population"].binomial(
            self.residents.n, min(1.0, p.initial_defaulters_per_10k / 1e4))
        self.defaulters = self.streams["population"].integers(0, self.residents.n, n_def)
        # Each listing has a key (the dispute that caused it) for its exit draws, so exits
        # never consume a shared generator whose position would then differ by scenario.
        self.defaulter_keys = np.arange(n_def, dtype=np.int64) + (1 << 62)
        self._next_id = 0
        # Fixed order in which villages gain coverage as a coverage lever rises: the same
        # villages are covered in every scenario (common random numbers).
        vrng = self.streams["villages"]
        self._coverage_rank = {k: vrng.random(r.n_villages) for k in _COVERAGE_LEVERS}

        self.town_population = np.bincount(r.village_town, r.village_population, r.n_towns)
        self.county_population = r.county_population().astype(float)
        self.institution_classes = self._institution_classes(institutions or {})
        self._make_agents()
        self.levels: dict[str, float] = {}
        self.capacity: dict[State, np.ndarray] = {}
        self.perceived_wait: dict[State, np.ndarray] = {}
        self.running = True
        self.datacollector = mesa.DataCollector(model_reporters=model_reporters())
        self._set_month_levels()

    # ------------------------------------------------------------------ set-up
    @staticmethod
    def _institution_classes(override: Mapping) -> dict[str, type[Institution]]:
        base = {"village": VillageMediationCommittee, "town": TownJusticeOffice,
                "county": CountyCentre, "court": Court, "petition": PetitionOffice}
        for old, new in override.items():
            if not issubclass(new, old):
                raise TypeError(f"{new.__name__} must subclass {old.__name__}")
            for k, v in base.items():
                if v is old:
                    base[k] = new
        return base

    def _make_agents(self) -> None:
        r, ic = self.region, self.institution_classes
        for v in range(r.n_villages):
            ic["village"](self, v, int(r.village_county[v]), int(r.village_population[v]))
        for t in range(r.n_towns):
            ic["town"](self, t, int(r.town_county[t]), int(self.town_population[t]))
        for c in range(r.n_counties):
            for kind in ("county", "court", "petition"):
                ic[kind](self, c, c, int(self.county_population[c]))

    # ------------------------------------------------------------------ helpers
    def covered(self, lever_id: str) -> np.ndarray:
        """Per village: 1.0 where this coverage lever reaches the village this month."""
        return (self._coverage_rank[lever_id] < self.levels[lever_id]).astype(float)

    def unit_of(self, pos: np.ndarray, level: str) -> np.ndarray:
        """Unit index (village, town or county) of the disputes at pool positions ``pos``."""
        v = self.pool.village[pos]
        if level == "village":
            return v
        if level == "town":
            return self.region.village_town[v]
        return self.region.village_county[v]

    def _county(self, pos: np.ndarray) -> np.ndarray:
        return self.region.village_county[self.pool.village[pos]]

    def _u(self, pos: np.ndarray, purpose: int) -> np.ndarray:
        # Keyed by the dispute's step, not the month: a delay does not reshuffle its luck.
        return self.streams.uniform(self.pool.id[pos], self.pool.step[pos], purpose)

    @property
    def _t(self) -> int:
        return self.month + self.warmup  # row in the tally

    def _set_month_levels(self) -> None:
        t = min(self._t, self.n_months - 1)
        self.levels = {k: float(v[t]) for k, v in self._lever_path.items()}
        r, ic = self.region, self.institution_classes
        court = ic["court"]
        self.capacity = {
            State.VILLAGE: ic["village"].monthly_capacity(self, r.village_population),
            State.TOWN: ic["town"].monthly_capacity(self, self.town_population),
            State.COUNTY: ic["county"].monthly_capacity(self, self.county_population),
            State.PREFILING: court.prefiling_capacity(self, self.county_population),
            State.TRIAL: court.monthly_capacity(self, self.county_population),
            State.ENFORCEMENT: court.enforcement_capacity(self, self.county_population),
            State.PETITION: ic["petition"].monthly_capacity(self, self.county_population),
        }

    def _whole_capacity(self, state: State) -> np.ndarray:
        # Stochastic rounding keeps fractional capacity (a village's 2.6 cases a month) unbiased.
        cap = self.capacity[state]
        units = np.arange(len(cap), dtype=np.int64) + (int(state) + 1) * 10_000_000_000
        frac = self.streams.uniform(units, self.month, Purpose.FILTER)
        return np.floor(cap + frac).astype(np.int64)

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Advance one month."""
        self._set_month_levels()
        self.arise()
        self.route(self.pool.in_state(State.CHOOSING))
        for state, kind in ((State.VILLAGE, "village"), (State.TOWN, "town"),
                            (State.COUNTY, "county")):
            self.serve_mediation(state, kind)
        self.serve_prefiling()
        self.serve_trials()
        self.serve_enforcement()
        self.serve_petitions()
        self.end_month()
        self.month += 1
        self.datacollector.collect(self)
        if self._t >= self.n_months:
            self.running = False

    def run(self) -> DisputeModel:
        """Run every month of the scenario (warm-up included)."""
        while self.running:
            self.step()
        return self

    # -- 2. arising and claiming
    def arise(self) -> None:
        """Grievances arise in each village by type; those voiced as claims enter the pool."""
        p, lv, r = self.params, self.levels, self.region
        table = type_table()
        monthly = table["rate_per_10k"] * p.grievance_rate_scale / 1e4 / 12.0
        rng = self.streams["arising"]
        counts = rng.binomial(r.village_population[:, None], np.minimum(monthly, 1.0)[None, :])
        village = np.repeat(np.repeat(np.arange(r.n_villages), len(TYPES)), counts.ravel())
        kind = np.tile(np.arange(len(TYPES)), r.n_villages)[None, :]
        kind = np.repeat(kind.ravel(), counts.ravel()).astype(np.int8)
        n = len(village)
        ids = np.arange(self._next_id, self._next_id + n, dtype=np.int64)
        self._next_id += n
        claimant = self.residents.sample(village, rng)
        respondent = self.residents.sample(village, rng)
        # Village compacts prevent a share of family, neighbour and land grievances; drawn
        # per candidate so the grievances that remain are the same ones in every scenario.
        keep = np.ones(n, dtype=bool)
        if len(_COMPACT):
            prevent = p.compact_effect * lv["village_compact_strength"]
            u = self.streams.uniform(ids, self.month, Purpose.THIN)
            keep = ~(np.isin(kind, _COMPACT) & (u < prevent))
        ids, village, kind = ids[keep], village[keep], kind[keep]
        claimant, respondent = claimant[keep], respondent[keep]
        county = r.village_county[village]
        self.tally.add("grievances", self._t, county)
        res = self.residents
        aware = effective_awareness(res.awareness[claimant],
                                    self.covered("legal_literacy_coverage")[village], p, lv)
        pc = claim_probability(aware, res.litigiousness[claimant], p)
        claim = self.streams.uniform(ids, self.month, Purpose.CLAIM) < pc
        ids, village, kind = ids[claim], village[claim], kind[claim]
        claimant, respondent, county = claimant[claim], respondent[claim], county[claim]
        self.tally.add("disputes", self._t, county)
        p_adv = advice_probability(lv["legal_adviser_hours"], p)
        advised = (self.covered("legal_adviser_coverage")[village] > 0) & (
            self.streams.uniform(ids, self.month, Purpose.ADVICE) < p_adv)
        if advised.any():
            a = res.awareness[claimant[advised]]
            res.awareness[claimant[advised]] = a + np.float32(p.awareness_learning) * (1 - a)
        self.pool.add(id=ids, kind=kind, claimant=claimant, respondent=respondent,
                      village=village, born=np.full(len(ids), self.month), advised=advised,
                      grievance=res.grievance[claimant])

    # -- 3. channel choice
    def situation(self, pos: np.ndarray) -> Situation:
        """What the disputes at pool positions ``pos`` weigh when choosing a channel."""
        pool, res, p, lv = self.pool, self.residents, self.params, self.levels
        claimant, village = pool.claimant[pos], pool.village[pos]
        wait = np.zeros((len(pos), len(Option)))
        for opt, state, level in ((Option.VILLAGE, State.VILLAGE, "village"),
                                  (Option.TOWN, State.TOWN, "town"),
                                  (Option.COUNTY, State.COUNTY, "county"),
                                  (Option.COURT, State.TRIAL, "county"),
                                  (Option.PETITION, State.PETITION, "county")):
            perceived = self.perceived_wait.get(state)
            if perceived is not None:
                wait[:, opt] = perceived[self.unit_of(pos, level)]
        return Situation(
            kind=pool.kind[pos],
            awareness=effective_awareness(
                res.awareness[claimant], self.covered("legal_literacy_coverage")[village], p, lv),
            trust=res.trust[claimant].astype(float),
            litigiousness=res.litigiousness[claimant].astype(float),
            grievance=pool.grievance[pos].astype(float),
            advised=pool.advised[pos],
            stage=pool.stage[pos],
            failures=pool.failures[pos],
            wait=wait,
            available=available_options(pool.stage[pos],
                                        self.capacity[State.VILLAGE][village] > 0),
            step=pool.step[pos],
        )

    def choose_channel(self, situation: Situation, ids: np.ndarray) -> np.ndarray:
        """Each dispute's channel (an :class:`Option` per row): a multinomial logit draw.

        Override this one method to give residents another choice rule; it must return one
        available option per row, vectorised.
        """
        u = channel_utilities(situation, self.params, self.levels)
        counter = situation.step if situation.step is not None else self.month
        return logit_choice(u, situation.available,
                            self.streams.gumbel(ids, counter, len(Option)))

    def route(self, pos: np.ndarray) -> None:
        """Send choosing disputes where their choice takes them."""
        if len(pos) == 0:
            return
        choice = self.choose_channel(self.situation(pos), self.pool.id[pos])
        self.pool.step[pos] += 1
        self._close(pos[choice == Option.LUMP], resolved=False)
        self.negotiate(pos[choice == Option.NEGOTIATE])
        for opt, state in _OPTION_STATE.items():
            self._enter(pos[choice == opt], state)
        court = pos[choice == Option.COURT]
        # The one-stop centre houses a court window (诉调对接): moving on from it to court
        # is no new door where the centre is integrated.
        free = (self.pool.door[court] == Layer.COUNTY) & (
            self._u(court, Purpose.DOOR) < self.levels["county_centre"])
        self.go_to_court(court, free)
        self.lodge_petition(pos[choice == Option.PETITION])

    def negotiate(self, pos: np.ndarray) -> None:
        """Direct negotiation: settles at once or fails (choose again next month)."""
        p = self.params
        pr = logistic(logit(p.negotiate_success) + p.success_advice * self.pool.advised[pos])
        ok = self._u(pos, Purpose.SUCCESS) < pr
        self._handled(pos, "negotiation", queued=False)
        self._resolve(pos[ok], Layer.NEGOTIATION)
        self._fail(pos[~ok], Layer.NEGOTIATION)

    def _enter(self, pos: np.ndarray, state: State, free_door: np.ndarray | None = None) -> None:
        """Queue disputes at an institution; entering a new institution is one more door."""
        if len(pos) == 0:
            return
        pool = self.pool
        door = {State.VILLAGE: Layer.VILLAGE, State.TOWN: Layer.TOWN,
                State.COUNTY: Layer.COUNTY, State.PETITION: Layer.PETITION}.get(state, Layer.COURT)
        new_door = pool.door[pos] != door
        if free_door is not None:
            new_door &= ~free_door
        pool.doors[pos] += new_door
        pool.door[pos] = door
        pool.step[pos] += 1
        pool.state[pos] = state
        pool.queued[pos] = self.month

    def go_to_court(self, pos: np.ndarray, free_door: np.ndarray | None = None) -> None:
        """Disputes reaching court: some to pre-filing mediation, the rest filed."""
        if len(pos) == 0:
            return
        # Administrative disputes may be settled by the government side's mediation before
        # reconsideration (行政复议受理前调解), and so never reach court.
        settle = (self.pool.kind[pos] == _ADMIN) & (self._u(pos, Purpose.OUTCOME) < (
            self.params.reconsideration_settle * self.levels["reconsideration_premediation"]))
        if settle.any():
            self._resolve(pos[settle], Layer.COUNTY)
            pos = pos[~settle]
            free_door = None if free_door is None else free_door[~settle]
        self.tally.add("court_arrivals", self._t, self._county(pos))
        divert = self._u(pos, Purpose.DIVERT) < self.levels["pre_filing_mediation_share"]
        self._enter(pos[divert], State.PREFILING, None if free_door is None else free_door[divert])
        rest = ~divert
        self._enter(pos[rest], State.TRIAL, None if free_door is None else free_door[rest])
        self.file_cases(pos[rest])

    def file_cases(self, pos: np.ndarray) -> None:
        """Filing: abusive suits are refused; the rest are accepted (万人成讼率 counts them)."""
        p = self.params
        refuse = self._u(pos, Purpose.FILTER) < (
            p.abusive_share * self.levels["abusive_litigation_screening"])
        self._close(pos[refuse], resolved=False)
        self.tally.add("lawsuits", self._t, self._county(pos[~refuse]))
        self.pool.queued[pos[~refuse]] = self.month

    def lodge_petition(self, pos: np.ndarray) -> None:
        """Petitions lodged: each lodging counts in 信访量; a second or later one is a repeat."""
        if len(pos) == 0:
            return
        pool = self.pool
        county = self._county(pos)
        self.tally.add("petitions", self._t, county)
        self.tally.add("repeat_petitions", self._t, county[pool.petitions[pos] > 0])
        pool.petitions[pos] += 1
        free = (pool.door[pos] == Layer.PETITION)
        self._enter(pos, State.PETITION, free)

    # -- 4. service
    def _queue(self, state: State, level: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pos = self.pool.in_state(state)
        unit = self.unit_of(pos, level)
        order = self.pool.queued[pos].astype(np.int64) * (1 << 40) + self.pool.id[pos]
        served = serve_in_order(unit, order, self._whole_capacity(state))
        return pos, unit, served

    def _wait(self, pos: np.ndarray, state: State, unit: np.ndarray, layer: Layer | None) -> None:
        """Cases left waiting: grievance grows; some give up on the queue (if ``layer``)."""
        p = self.params
        pool = self.pool
        grow = p.grievance_wait * self._grievance_factor()
        pool.grievance[pos] += np.float32(grow)
        cap = self.capacity[state]
        now = np.bincount(unit, minlength=len(cap)) / np.maximum(cap, 0.5)
        # Residents learn of queues by word of mouth: the wait they expect follows the real
        # one with a lag (an exponential average), not month-to-month noise.
        old = self.perceived_wait.get(state, now)
        self.perceived_wait[state] = old + p.wait_memory * (now - old)
        if layer is None or len(pos) == 0:
            return
        waited = self.month - pool.queued[pos] + 1
        leave = self.streams.uniform(pool.id[pos], self.month, Purpose.LEAVE) < 1 - np.exp(
            -p.impatience * waited)
        self._fail(pos[leave], layer)

    def serve_mediation(self, state: State, kind: str) -> None:
        """People's mediation at the village, town or county layer."""
        cls = self.institution_classes[kind]
        pos, unit, served = self._queue(state, cls.level)
        layer = Layer(int(state))
        self._wait(pos[~served], state, unit[~served], layer)
        pos = pos[served]
        if len(pos) == 0:
            return
        county = self._county(pos)
        self._handled(pos, kind)
        ok = self._u(pos, Purpose.SUCCESS) < cls.settle_probability(self, pos)
        self.tally.add("mediation_concluded", self._t, county)
        self.tally.add("mediation_settled", self._t, county[ok])
        res = self.residents
        c = self.pool.claimant[pos]
        res.trust[c] = learn_trust(res.trust[c], ok, self.params.trust_learning)
        holds = ok & ~self._relapse(pos)
        self._resolve(pos[holds], layer)
        self._fail(pos[~holds], layer)

    def _relapse(self, pos: np.ndarray) -> np.ndarray:
        """Mediated agreements that break down (fewer when judicially confirmed, 司法确认)."""
        p = self.params
        rate = p.relapse * (1 - p.confirmation_relapse_cut
                            * self.levels["judicial_confirmation_share"])
        return self._u(pos, Purpose.RELAPSE) < rate

    def serve_prefiling(self) -> None:
        """Court pre-filing mediation; what it does not settle is filed (30-day limit)."""
        court = self.institution_classes["court"]
        pos, unit, served = self._queue(State.PREFILING, "county")
        unserved = pos[~served]
        pos = pos[served]
        county = self._county(pos)
        self._handled(pos, "prefiling")
        ok = self._u(pos, Purpose.SUCCESS) < court.prefiling_probability(self, pos)
        holds = ok & ~self._relapse(pos)
        self.tally.add("prefiling_concluded", self._t, county)
        self.tally.add("prefiling_settled", self._t, county[ok])
        self._resolve(pos[holds], Layer.COURT)
        to_file = np.concatenate([pos[~holds], unserved])
        self.pool.state[to_file] = State.TRIAL
        self.file_cases(to_file)

    def serve_trials(self) -> None:
        """First-instance trials: court mediation or withdrawal, else judgment.

        Judgments are performed voluntarily (自动履行) or go to enforcement.
        """
        court = self.institution_classes["court"]
        pos, unit, served = self._queue(State.TRIAL, "county")
        self._wait(pos[~served], State.TRIAL, unit[~served], None)
        pos = pos[served]
        if len(pos) == 0:
            return
        self.tally.add("trials_concluded", self._t, self._county(pos))
        self._handled(pos, "court")
        c = self.pool.claimant[pos]
        a = self.residents.awareness[c]
        self.residents.awareness[c] = a + np.float32(self.params.awareness_learning) * (1 - a)
        settle = self._u(pos, Purpose.OUTCOME) < court.settle_probability(self, pos)
        perform = self._u(pos, Purpose.PERFORM) < court.performance_probability(self, pos)
        done = settle | perform
        self._resolve(pos[done], Layer.COURT)
        self._enter(pos[~done], State.ENFORCEMENT)

    def serve_enforcement(self) -> None:
        """Enforcement: recovers the judgment, or the debtor becomes a defaulter (失信)."""
        p = self.params
        pos, unit, served = self._queue(State.ENFORCEMENT, "county")
        self._wait(pos[~served], State.ENFORCEMENT, unit[~served], None)
        pos = pos[served]
        if len(pos) == 0:
            return
        self._handled(pos, "enforcement")
        ok = self._u(pos, Purpose.SUCCESS) < p.enforcement_success
        self._resolve(pos[ok], Layer.COURT)
        failed = pos[~ok]
        self.defaulters = np.concatenate([self.defaulters, self.pool.respondent[failed]])
        self.defaulter_keys = np.concatenate([self.defaulter_keys, self.pool.id[failed]])
        self.tally.add("new_defaulters", self._t, self._county(failed))
        self._fail(failed, Layer.COURT)

    def serve_petitions(self) -> None:
        """The petition office takes up petitions.

        It routes a share into lawful channels, settles some of the rest, and leaves others
        to come back (缠访) or give up.
        """
        p, lv = self.params, self.levels
        office = self.institution_classes["petition"]
        pos, unit, served = self._queue(State.PETITION, "county")
        self._wait(pos[~served], State.PETITION, unit[~served], None)
        pos = pos[served]
        if len(pos) == 0:
            return
        pool = self.pool
        self._handled(pos, "petition")
        route = self._u(pos, Purpose.ROUTE) < lv["petition_routing"]
        free = self._u(pos, Purpose.DOOR) < lv["county_centre"]  # the centre is the 信访超市
        to_county = route & (pool.stage[pos] < Layer.COUNTY)
        to_court = route & ~to_county & (pool.stage[pos] < Layer.COURT)
        self._enter(pos[to_county], State.COUNTY, free[to_county])
        self.go_to_court(pos[to_court], free[to_court])
        handled = pos[~(to_county | to_court)]
        ok = self._u(handled, Purpose.SUCCESS) < office.settle_probability(self, handled)
        self._resolve(handled[ok], Layer.PETITION)
        rest = handled[~ok]
        again = self._u(rest, Purpose.REPEAT) < p.petition_repeat * (
            1 - p.agency_repeat_cut * lv["petition_agency"])
        self._fail(rest[again], Layer.PETITION)
        self._close(rest[~again], resolved=False)

    # -- outcomes
    def _grievance_factor(self) -> float:
        # Counselling (社会心理服务) slows how fast failures and waiting turn into grievance.
        return 1 - self.params.psych_grievance_cut * self.levels["psychological_services"]

    def _handled(self, pos: np.ndarray, layer: str, queued: bool = True) -> None:
        """Add the months a case waited in its queue and the layer's handling time."""
        pool = self.pool
        extra = getattr(self.params, f"handling_{layer}")
        if queued:
            extra = extra + (self.month - pool.queued[pos])
        pool.elapsed[pos] += np.float32(1) * extra

    def _fail(self, pos: np.ndarray, layer: Layer) -> None:
        """A failed step: the dispute will choose again next month, from above ``layer``."""
        if len(pos) == 0:
            return
        p, pool = self.params, self.pool
        pool.stage[pos] = np.maximum(pool.stage[pos], int(layer))
        pool.step[pos] += 1
        pool.failures[pos] = np.minimum(pool.failures[pos].astype(int) + 1, 100)
        grow = p.grievance_fail * self._grievance_factor()
        pool.grievance[pos] += np.float32(grow)
        pool.state[pos] = State.CHOOSING

    def _resolve(self, pos: np.ndarray, layer: Layer) -> None:
        if len(pos) == 0:
            return
        county = self._county(pos)
        self.tally.add(_RESOLVED_COUNTER[layer], self._t, county)
        self.tally.resolution_times(self._t, county, self.pool.elapsed[pos])
        res = self.residents
        c = self.pool.claimant[pos]
        res.grievance[c] *= np.float32(0.5)
        self._close(pos, resolved=True)

    def _close(self, pos: np.ndarray, resolved: bool) -> None:
        if len(pos) == 0:
            return
        pool = self.pool
        county = self._county(pos)
        self.tally.add("closed", self._t, county)
        self.tally.add("handoffs", self._t, county,
                       np.maximum(pool.doors[pos].astype(float) - 1, 0))
        if not resolved:
            self.tally.add("dropped", self._t, county)
            c = pool.claimant[pos]
            self.residents.grievance[c] = np.maximum(self.residents.grievance[c],
                                                     pool.grievance[pos])
        pool.state[pos] = State.RESOLVED if resolved else State.DROPPED

    # -- 5. month end
    def end_month(self) -> None:
        """Defaulters leave the list; state counts are kept; December learning."""
        p, lv, r = self.params, self.levels, self.region
        pool = self.pool
        self.state_counts = np.bincount(pool.state, minlength=len(State))
        pool.keep(pool.state < State.RESOLVED)
        if len(self.defaulters):
            exit_p = min(1.0, p.defaulter_exit + p.credit_exit * lv["credit_enforcement"])
            u = self.streams.uniform(self.defaulter_keys, self.month, Purpose.EXIT)
            stay = u >= exit_p
            self.defaulters = self.defaulters[stay]
            self.defaulter_keys = self.defaulter_keys[stay]
        self.tally.set("defaulters", self._t, np.bincount(
            r.village_county[self.residents.village[self.defaulters]], minlength=r.n_counties))
        village_staff = lv["mediators_per_10k"] / 1e4 * r.village_population * self.covered(
            "mediation_coverage")
        staff_per_10k = p.town_staff_per_10k + p.centre_staff_per_10k
        mediators = (np.bincount(r.village_county, village_staff, r.n_counties)
                     + self.county_population * staff_per_10k / 1e4)
        self.tally.set("mediators", self._t, mediators)
        self.tally.set("judges", self._t, self.county_population * p.judges_per_10k / 1e4)
        if (self.month % 12) == 11:
            self.yearly_learning()

    def yearly_learning(self) -> None:
        """December: DeGroot drift toward the village mean; 法律明白人 teach; grievance fades."""
        p, res = self.params, self.residents
        res.drift_to_village(res.trust, p.social_influence)
        res.drift_to_village(res.awareness, p.social_influence)
        if p.literacy_learning > 0:
            covered = np.repeat(self.covered("legal_literacy_coverage").astype(np.float32),
                                res.village_size)
            res.awareness += np.float32(p.literacy_learning) * covered * (1 - res.awareness)
        res.grievance *= np.float32(0.8)
