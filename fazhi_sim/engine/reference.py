"""ReferenceModel: the engine's dispute flow as a textbook Mesa model, one agent each. Read first.

Every resident is a ``mesa.Agent`` (:class:`Resident`), so is every institution (:class:`Office`,
with a first-in-first-out queue per service it runs), and every claim is a :class:`Dispute`.
A month follows :meth:`fazhi_sim.DisputeModel.step`: levers and capacities (the engine's
class methods) are set; ``agents_by_type[Resident].shuffle_do("step")`` lets grievances arise,
be prevented by village compacts, be voiced as claims and draw advice; every dispute needing a
channel chooses one (a logit draw on the engine's ``channel_utilities`` and
``available_options``, one row at a time, with Gumbel noise from ``self.rng``); offices serve
their queues oldest first, up to capacity, in the engine's order (village, town, county, court
pre-filing mediation, trial, enforcement, petition office); defaulters leave the list; in
December trust and awareness drift toward the village mean.

It is slower by design (about 0.1 s a simulated month for the 50,000-resident ``"town"``) and
draws its own random numbers (``self.random``, ``self.rng``), not the engine's per-dispute hash
streams: the two agree in distribution, not draw for draw (``tests/test_reference.py``).
Where the form differs, expected counts do not:

* the engine draws a village's grievances of a type as one binomial and picks claimants with
  replacement; here each resident has each type independently with probability rate/12;
* a resident's second claim in one month sees the awareness gained from the first one's advice
  (the engine takes a month's claims together): far below sampling error.

Where the engine's data layout could move expected counts it is mirrored: queues break ties
within a month by dispute id, and a month's claims are numbered village by village and type by
type, as the engine numbers them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np

from .behaviour import (
    Situation,
    advice_probability,
    available_options,
    channel_utilities,
    claim_probability,
    effective_awareness,
    logit_choice,
    type_table,
)
from .disputes import LAYER_OF_STATE, TYPES, Layer, Option, State
from .institutions import (
    CountyCentre,
    Court,
    PetitionOffice,
    TownJusticeOffice,
    VillageMediationCommittee,
    logistic,
    logit,
)
from .metrics import Tally
from .params import Params
from .region import Region, get_region
from .scenario import Scenario, baseline

__all__ = ["ReferenceModel", "Resident", "Office", "Dispute"]

_COVERAGE_LEVERS = ("mediation_coverage", "legal_adviser_coverage", "legal_literacy_coverage")
_ADMIN = TYPES.index("administrative")
_COMPACT = frozenset(np.flatnonzero(type_table()["compact_sensitive"]).tolist())
_OPTION_STATE = {Option.VILLAGE: State.VILLAGE, Option.TOWN: State.TOWN,
                 Option.COUNTY: State.COUNTY}
# The queue whose expected wait a resident weighs for each served option (court: the trials).
_WAIT_QUEUE = {**_OPTION_STATE, Option.COURT: State.TRIAL, Option.PETITION: State.PETITION}
# Which of the claimant's units an office of each queue belongs to (the rest: the county).
_UNIT = {State.VILLAGE: "village", State.TOWN: "town"}


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
                 litigiousness: float, ties: int):
        super().__init__(model)
        r = model.region
        self.village, self.town, self.county = village, int(r.village_town[village]), int(
            r.village_county[village])
        self.awareness, self.trust, self.litigiousness = awareness, trust, litigiousness
        self.grievance = 0.0  # carried from past failures (Epstein 2002)
        self.ties = ties  # weight of this resident's voice in the village mean

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
        if kind in _COMPACT and m.chance(p.compact_effect * lv["village_compact_strength"]):
            return  # the village compact (村规民约) prevented it
        m.count("grievances", self.county)
        if not m.chance(claim_probability(m.awareness_now(self), self.litigiousness, p)):
            return  # never voiced (naming, blaming, claiming)
        m.count("disputes", self.county)
        advised = bool(m.covered("legal_adviser_coverage")[self.village]) and m.chance(
            advice_probability(lv["legal_adviser_hours"], p))
        if advised:
            self.awareness += p.awareness_learning * (1 - self.awareness)
        respondent = m.random.choice(m.villagers[self.village])
        m.new_claims.append(Dispute(-1, kind, self, respondent, self.village, self.county,
                                    m.month, advised, self.grievance))


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


class ReferenceModel(mesa.Model):
    """The per-agent reference model of the dispute flow.

    Parameters
    ----------
    scenario
        Lever schedules and mechanism parameters; the baseline if omitted.
    region
        A region name or :class:`~fazhi_sim.Region`; the 50,000-resident ``"town"``
        suits this model (a county would take hours).
    seed
        Seed of ``self.random`` and ``self.rng``.

    Attributes
    ----------
    tally : Tally
        The engine's counters: ``tally.frame(region, start_year, warmup)`` is the engine's result.
    """

    def __init__(self, scenario: Scenario | None = None, region: str | Region = "town",
                 seed: int = 0):
        super().__init__(rng=int(seed))
        # ``self.scenario`` belongs to Mesa, so the scenario is ``policy``, as in the engine.
        self.policy = scenario if scenario is not None else baseline()
        self.region = get_region(region)
        self.params: Params = self.policy.params
        p, r = self.params, self.region
        self.warmup = p.warmup_months
        self.n_months = self.warmup + 12 * len(self.policy.years)
        self.month = -self.warmup  # months since January of the first reported year
        times = self.policy.start_year + np.arange(-self.warmup, self.n_months - self.warmup) / 12
        self._lever_path = self.policy.lever_values(times)
        self.tally = Tally(self.n_months, r.n_counties)

        monthly = np.minimum(type_table()["rate_per_10k"] * p.grievance_rate_scale / 1e4 / 12, 1)
        self.monthly_rate = monthly.tolist()
        # p_some_from[k]: chance that at least one of types k, k+1, ... arises in a month.
        self.p_some_from = [1 - float(np.prod(1 - monthly[k:])) for k in range(len(TYPES))]
        self.p_quiet = 1 - self.p_some_from[0]

        self._make_residents()
        # The order in which villages gain coverage as a coverage lever rises.
        self._coverage_rank = {k: self.rng.random(r.n_villages) for k in _COVERAGE_LEVERS}
        self.town_population = np.bincount(r.village_town, r.village_population, r.n_towns)
        self.county_population = r.county_population().astype(float)
        counties = range(r.n_counties)
        courts = [Office(self, "court", c, (State.PREFILING, State.TRIAL, State.ENFORCEMENT))
                  for c in counties]
        self.offices: dict[State, list[Office]] = {
            State.VILLAGE: [Office(self, "village", v, (State.VILLAGE,))
                            for v in range(r.n_villages)],
            State.TOWN: [Office(self, "town", t, (State.TOWN,)) for t in range(r.n_towns)],
            State.COUNTY: [Office(self, "county", c, (State.COUNTY,)) for c in counties],
            State.PREFILING: courts, State.TRIAL: courts, State.ENFORCEMENT: courts,
            State.PETITION: [Office(self, "petition", c, (State.PETITION,)) for c in counties],
        }
        self.open: list[Dispute] = []
        self.new_claims: list[Dispute] = []
        self._next_id = 0
        self._resolved: list[tuple[int, float]] = []  # (county, months taken) this month
        self.running = True
        self._set_month_levels()

    def _make_residents(self) -> None:
        # As population.py: logit-normal traits; ties uniform on 1..2*mean-1; an initial stock
        # of defaulters drawn at random.
        p, r = self.params, self.region

        def trait(mean: float) -> list[float]:
            z = p.trait_spread * self.rng.standard_normal(r.population)
            return (1 / (1 + np.exp(-(z + math.log(mean / (1 - mean)))))).tolist()

        village = np.repeat(np.arange(r.n_villages), r.village_population).tolist()
        top = int(min(255, max(2, round(2 * p.ties_mean))))
        ties = self.rng.integers(1, top, r.population).tolist()
        rows = zip(village, trait(p.awareness_mean), trait(p.trust_mean),
                   trait(p.litigiousness_mean), ties, strict=True)
        self.villagers: list[list[Resident]] = [[] for _ in range(r.n_villages)]
        for v, awareness, trust, litigiousness, n_ties in rows:
            self.villagers[v].append(Resident(self, v, awareness, trust, litigiousness, n_ties))
        everyone = [x for villagers in self.villagers for x in villagers]
        n_listed = self.rng.binomial(r.population, min(1.0, p.initial_defaulters_per_10k / 1e4))
        self.defaulters: list[Resident] = [self.random.choice(everyone) for _ in range(n_listed)]

    # ------------------------------------------------------------------ helpers
    def covered(self, lever_id: str) -> np.ndarray:
        """Per village: 1.0 where this coverage lever reaches the village this month."""
        return self._covered[lever_id]

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self.random.random() < p

    def count(self, counter: str, county: int, n: float = 1.0) -> None:
        """Add to one of the engine's counters this month."""
        self.tally.counts[counter][self.month + self.warmup, county] += n

    def awareness_now(self, resident: Resident) -> float:
        """Effective awareness: 法律明白人 and legal services close part of the gap."""
        covered = self.covered("legal_literacy_coverage")[resident.village]
        return float(effective_awareness(resident.awareness, covered, self.params, self.levels))

    def office(self, state: State, d: Dispute) -> Office:
        """The office whose ``state`` queue serves dispute ``d``."""
        return self.offices[state][getattr(d.claimant, _UNIT.get(state, "county"))]

    def _set_month_levels(self) -> None:
        t = min(self.month + self.warmup, self.n_months - 1)
        self.levels = {k: float(v[t]) for k, v in self._lever_path.items()}
        self._covered = {k: (rank < self.levels[k]).astype(float)
                         for k, rank in self._coverage_rank.items()}
        # Capacities come from the engine's own class methods, for every unit at once.
        county = self.county_population
        capacity = {
            State.VILLAGE: VillageMediationCommittee.monthly_capacity(
                self, self.region.village_population),
            State.TOWN: TownJusticeOffice.monthly_capacity(self, self.town_population),
            State.COUNTY: CountyCentre.monthly_capacity(self, county),
            State.PREFILING: Court.prefiling_capacity(self, county),
            State.TRIAL: Court.monthly_capacity(self, county),
            State.ENFORCEMENT: Court.enforcement_capacity(self, county),
            State.PETITION: PetitionOffice.monthly_capacity(self, county),
        }
        for state, offices in self.offices.items():
            for office in offices:
                office.capacity[state] = float(capacity[state][office.unit])

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Advance one month."""
        self._set_month_levels()
        self.agents_by_type[Resident].shuffle_do("step")
        # Number the month's claims village by village, type by type, as the engine does:
        # queues break ties by id, so this order decides who is served first.
        self.new_claims.sort(key=lambda d: (d.village, d.kind))
        for d in self.new_claims:
            d.id, self._next_id = self._next_id, self._next_id + 1
        self.open += self.new_claims
        self.new_claims = []
        self.route([d for d in self.open if d.state == State.CHOOSING])
        for state in (State.VILLAGE, State.TOWN, State.COUNTY):
            self.serve_mediation(state)
        self.serve_prefiling()
        self.serve_trials()
        self.serve_enforcement()
        self.serve_petitions()
        self.end_month()
        self.month += 1
        self.running = self.month + self.warmup < self.n_months

    def run(self) -> ReferenceModel:
        """Run every month of the scenario (warm-up included)."""
        while self.running:
            self.step()
        return self

    # -- channel choice
    def choose_channel(self, d: Dispute) -> Option:
        """A multinomial logit draw over the channels open to ``d``."""
        c, n = d.claimant, len(Option)
        wait = np.zeros((1, n))
        for opt, state in _WAIT_QUEUE.items():
            office = self.office(state, d)
            wait[0, opt] = office.expected_wait.get(state, 0.0)
        stage = np.array([d.stage])
        village_open = np.array([self.office(State.VILLAGE, d).capacity[State.VILLAGE] > 0])
        s = Situation(
            kind=np.array([d.kind]), awareness=np.array([self.awareness_now(c)]),
            trust=np.array([c.trust]), litigiousness=np.array([c.litigiousness]),
            grievance=np.array([d.grievance]), advised=np.array([d.advised]), stage=stage,
            failures=np.array([d.failures]), wait=wait,
            available=available_options(stage, village_open),
        )
        u = channel_utilities(s, self.params, self.levels)
        return Option(int(logit_choice(u, s.available, self.rng.gumbel(size=(1, n)))[0]))

    def route(self, choosing: list[Dispute]) -> None:
        """Every dispute needing a channel chooses one (all choose first, then all act)."""
        for d, choice in [(d, self.choose_channel(d)) for d in choosing]:
            if choice == Option.LUMP:
                self.close(d, resolved=False)
            elif choice == Option.NEGOTIATE:
                self.negotiate(d)
            elif choice in _OPTION_STATE:
                self.enter(d, _OPTION_STATE[choice])
            elif choice == Option.COURT:
                # The integrated one-stop centre houses a court window (诉调对接): moving on
                # from it to court is then no new door.
                free = d.door == Layer.COUNTY and self.chance(self.levels["county_centre"])
                self.go_to_court(d, free)
            else:
                self.lodge_petition(d)

    def negotiate(self, d: Dispute) -> None:
        """Direct negotiation: settles at once or fails (choose again next month)."""
        p = self.params
        pr = logistic(logit(p.negotiate_success) + p.success_advice * d.advised)
        d.elapsed += p.handling_negotiation
        if self.chance(pr):
            self.resolve(d, Layer.NEGOTIATION)
        else:
            self.fail(d, Layer.NEGOTIATION)

    def walk_in(self, d: Dispute, layer: Layer, free: bool = False) -> None:
        """Arrive at an institution: one more door unless already there or let in free."""
        if d.door != layer and not free:
            d.doors += 1
        d.door = layer

    def enter(self, d: Dispute, state: State, free: bool = False) -> None:
        """Join the back of an office's queue."""
        self.walk_in(d, LAYER_OF_STATE[state], free)
        d.state, d.queued = state, self.month
        self.office(state, d).queues[state].append(d)

    def go_to_court(self, d: Dispute, free: bool = False) -> None:
        """At court: settled before reconsideration (administrative), mediated, or filed."""
        p, lv = self.params, self.levels
        if d.kind == _ADMIN and self.chance(
                p.reconsideration_settle * lv["reconsideration_premediation"]):
            self.resolve(d, Layer.COUNTY)  # 行政复议受理前调解: it never reaches court
            return
        self.count("court_arrivals", d.county)
        if self.chance(lv["pre_filing_mediation_share"]):
            self.enter(d, State.PREFILING, free)
        else:
            self.walk_in(d, Layer.COURT, free)
            self.file_case(d)

    def file_case(self, d: Dispute) -> None:
        """Filing: abusive suits are refused; the rest are lawsuits (万人成讼率 counts these)."""
        if self.chance(self.params.abusive_share * self.levels["abusive_litigation_screening"]):
            self.close(d, resolved=False)
        else:
            self.count("lawsuits", d.county)
            self.enter(d, State.TRIAL)

    def lodge_petition(self, d: Dispute) -> None:
        """A petition: each lodging counts in 信访量; a second or later one is a repeat."""
        self.count("petitions", d.county)
        if d.petitions > 0:
            self.count("repeat_petitions", d.county)
        d.petitions += 1
        self.enter(d, State.PETITION)

    # -- service
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
            now = len(queue[n:]) / max(office.capacity[state], 0.5)
            old = office.expected_wait.get(state, now)
            office.expected_wait[state] = old + memory * (now - old)
        return taken, waiting

    def wait(self, waiting: list[Dispute], layer: Layer | None) -> None:
        """Cases left waiting: grievance grows; at a mediation layer some give up the queue."""
        p = self.params
        grow = p.grievance_wait * (1 - p.psych_grievance_cut * self.levels[
            "psychological_services"])
        for d in waiting:
            d.grievance += grow
            waited = self.month - d.queued + 1
            if layer is not None and self.chance(1 - math.exp(-p.impatience * waited)):
                self.fail(d, layer)
            else:
                self.office(d.state, d).queues[d.state].append(d)

    def handled(self, d: Dispute, name: str) -> None:
        """Add the months waited in the queue and the layer's handling time."""
        d.elapsed += getattr(self.params, f"handling_{name}") + (self.month - d.queued)

    def relapses(self) -> bool:
        """A mediated agreement breaks down (fewer when judicially confirmed, 司法确认)."""
        p = self.params
        return self.chance(p.relapse * (1 - p.confirmation_relapse_cut
                                        * self.levels["judicial_confirmation_share"]))

    def mediation_probability(self, d: Dispute, state: State) -> float:
        """Chance the village, town or county layer settles ``d`` (as institutions.py)."""
        p, lv = self.params, self.levels
        x = p.success_trust * (d.claimant.trust - 0.5) + p.success_advice * d.advised
        if state == State.VILLAGE:
            x += logit(p.village_success)
        elif state == State.TOWN:
            x += logit(p.town_success) + p.success_fengqiao * lv["fengqiao_units_coverage"]
        else:
            x += logit(p.county_success) + p.success_centre * lv["county_centre"]
            if d.kind == _ADMIN:
                x += (p.success_reconsideration * lv["reconsideration_premediation"]
                      + p.success_public_lawyer * lv["public_lawyer_coverage"])
        return float(logistic(x))

    def serve_mediation(self, state: State) -> None:
        """People's mediation at the village, town or county layer."""
        layer, p = Layer(int(state)), self.params
        taken, waiting = self.take_up(state)
        self.wait(waiting, layer)
        for d in taken:
            self.handled(d, state.name.lower())  # handling_village, _town, _county
            ok = self.chance(self.mediation_probability(d, state))
            self.count("mediation_concluded", d.county)
            self.count("mediation_settled", d.county, ok)
            d.claimant.trust += p.trust_learning * (ok - d.claimant.trust)
            if ok and not self.relapses():
                self.resolve(d, layer)
            else:
                self.fail(d, layer)

    def serve_prefiling(self) -> None:
        """Court pre-filing mediation; what it does not settle, or cannot reach, is filed."""
        p = self.params
        taken, to_file = self.take_up(State.PREFILING)  # 30-day limit: nobody waits here
        for d in taken:
            self.handled(d, "prefiling")
            ok = self.chance(logistic(logit(p.prefiling_success) + p.success_advice * d.advised))
            self.count("prefiling_concluded", d.county)
            self.count("prefiling_settled", d.county, ok)
            if ok and not self.relapses():
                self.resolve(d, Layer.COURT)
            else:
                to_file.append(d)
        for d in to_file:
            self.file_case(d)

    def serve_trials(self) -> None:
        """Trials: court mediation or withdrawal, else a judgment, performed or enforced."""
        p, lv = self.params, self.levels
        perform = lv["voluntary_performance_rate"]
        perform += (1 - perform) * p.credit_performance * lv["credit_enforcement"]
        taken, waiting = self.take_up(State.TRIAL)
        self.wait(waiting, None)
        for d in taken:
            self.count("trials_concluded", d.county)
            self.handled(d, "court")
            d.claimant.awareness += p.awareness_learning * (1 - d.claimant.awareness)
            if self.chance(p.court_settle) or self.chance(perform):
                self.resolve(d, Layer.COURT)
            else:
                self.enter(d, State.ENFORCEMENT)

    def serve_enforcement(self) -> None:
        """Enforcement recovers the judgment, or the debtor becomes a defaulter (失信)."""
        taken, waiting = self.take_up(State.ENFORCEMENT)
        self.wait(waiting, None)
        for d in taken:
            self.handled(d, "enforcement")
            if self.chance(self.params.enforcement_success):
                self.resolve(d, Layer.COURT)
            else:
                self.defaulters.append(d.respondent)
                self.count("new_defaulters", d.county)
                self.fail(d, Layer.COURT)

    def serve_petitions(self) -> None:
        """The petition office routes, settles, or leaves petitioners to return (缠访) or quit."""
        p, lv = self.params, self.levels
        settle = min(1.0, p.petition_resolve + p.agency_resolve * lv["petition_agency"])
        repeat = p.petition_repeat * (1 - p.agency_repeat_cut * lv["petition_agency"])
        taken, waiting = self.take_up(State.PETITION)
        self.wait(waiting, None)
        for d in taken:
            self.handled(d, "petition")
            routed = self.chance(lv["petition_routing"])
            free = self.chance(lv["county_centre"])  # the centre is the 信访超市: no new door
            if routed and d.stage < Layer.COUNTY:
                self.enter(d, State.COUNTY, free)
            elif routed and d.stage < Layer.COURT:
                self.go_to_court(d, free)
            elif self.chance(settle):
                self.resolve(d, Layer.PETITION)
            elif self.chance(repeat):
                self.fail(d, Layer.PETITION)
            else:
                self.close(d, resolved=False)

    # -- outcomes
    def fail(self, d: Dispute, layer: Layer) -> None:
        """A failed step: ``d`` chooses again next month, from above ``layer``."""
        p = self.params
        d.stage = max(d.stage, int(layer))
        d.failures = min(d.failures + 1, 100)
        d.grievance += p.grievance_fail * (1 - p.psych_grievance_cut * self.levels[
            "psychological_services"])
        d.state = State.CHOOSING

    def resolve(self, d: Dispute, layer: Layer) -> None:
        """Settled at ``layer``: counted, and the claimant's grievance halves."""
        self.count(f"resolved_{layer.name.lower()}", d.county)  # resolved_village, ...
        self._resolved.append((d.county, d.elapsed))
        d.claimant.grievance *= 0.5
        self.close(d, resolved=True)

    def close(self, d: Dispute, resolved: bool) -> None:
        """The dispute leaves the system; an unresolved one leaves its grievance behind."""
        self.count("closed", d.county)
        self.count("handoffs", d.county, max(d.doors - 1, 0))
        if not resolved:
            self.count("dropped", d.county)
            d.claimant.grievance = max(d.claimant.grievance, d.grievance)
        d.state = State.RESOLVED if resolved else State.DROPPED

    # -- month end
    def end_month(self) -> None:
        """Defaulters leave the list; stocks are recorded; December learning."""
        p, lv, r, t = self.params, self.levels, self.region, self.month + self.warmup
        self.open = [d for d in self.open if d.state < State.RESOLVED]
        if self._resolved:
            county, months = zip(*self._resolved, strict=True)
            self.tally.resolution_times(t, np.array(county), np.array(months))
            self._resolved = []
        exit_p = min(1.0, p.defaulter_exit + p.credit_exit * lv["credit_enforcement"])
        self.defaulters = [x for x in self.defaulters if not self.chance(exit_p)]
        self.tally.set("defaulters", t, np.bincount([x.county for x in self.defaulters],
                                                    minlength=r.n_counties))
        village_staff = lv["mediators_per_10k"] / 1e4 * r.village_population * self.covered(
            "mediation_coverage")
        self.tally.set("mediators", t, np.bincount(r.village_county, village_staff, r.n_counties)
                       + self.county_population * (p.town_staff_per_10k + p.centre_staff_per_10k)
                       / 1e4)
        self.tally.set("judges", t, self.county_population * p.judges_per_10k / 1e4)
        if self.month % 12 == 11:
            self.yearly_learning()

    def yearly_learning(self) -> None:
        """December: a DeGroot step to the village mean; 法律明白人 teach; grievance fades."""
        p = self.params
        literacy = self.covered("legal_literacy_coverage")
        for v, villagers in enumerate(self.villagers):
            weight = sum(x.ties for x in villagers)
            trust = sum(x.ties * x.trust for x in villagers) / weight
            aware = sum(x.ties * x.awareness for x in villagers) / weight
            for x in villagers:
                x.trust += p.social_influence * (trust - x.trust)
                x.awareness += p.social_influence * (aware - x.awareness)
                x.awareness += p.literacy_learning * literacy[v] * (1 - x.awareness)
                x.grievance *= 0.8
