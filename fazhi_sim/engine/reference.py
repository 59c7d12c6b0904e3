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
from collections.abc import Mapping

import mesa
import numpy as np

from .behaviour import Behaviour, Situation, type_table
from .disputes import LAYER_OF_STATE, TYPES, CentreRoute, Layer, Option, State
from .institutions import Cases, Institution, institution_classes
from .keywords import resolve_scenario
from .metrics import Tally
from .params import Params
from .reference_agents import Dispute, Office, Resident
from .reference_service import ReferenceService
from .reference_social import ReferenceSocial
from .region import Region, get_region
from .scenario import Scenario

__all__ = ["ReferenceModel", "Resident", "Office", "Dispute"]

_COVERAGE_LEVERS = ("mediation_coverage", "legal_literacy_coverage")
_OPTION_STATE = {Option.VILLAGE: State.VILLAGE, Option.TOWN: State.TOWN,
                 Option.COUNTY: State.COUNTY}
_OPTION_OF_STATE = {state: opt for opt, state in _OPTION_STATE.items()}
# The queue whose expected wait a resident weighs for each served option (court: the trials).
_WAIT_QUEUE = {**_OPTION_STATE, Option.COURT: State.TRIAL, Option.PETITION: State.PETITION}
# Which of the claimant's units an office of each queue belongs to (the rest: the county).
_UNIT = {State.VILLAGE: "village", State.TOWN: "town"}


class ReferenceModel(ReferenceService, ReferenceSocial, mesa.Model):
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
    institutions, behaviour
        Replacement institution classes and a :class:`~fazhi_sim.Behaviour` subclass, as for
        :class:`~fazhi_sim.DisputeModel`: the reference calls the same formulas, one case at
        a time, so an override changes both models alike.

    Attributes
    ----------
    tally : Tally
        The engine's counters: ``tally.frame(region, start_year, warmup)`` is the engine's result.
    """

    def __init__(self, scenario: Scenario | str | None = None, region: str | Region = "town",
                 seed: int = 0,
                 institutions: Mapping[type[Institution], type[Institution]] | None = None,
                 *, behaviour: type[Behaviour] | None = None):
        super().__init__(rng=int(seed))
        # The engine's own rules: the same behaviour and institution classes, overrides and all.
        self.institution_classes = institution_classes(institutions)
        self.behaviour = (behaviour or Behaviour)(self)
        # ``self.scenario`` belongs to Mesa, so the scenario is ``policy``, as in the engine.
        self.policy = resolve_scenario(scenario)
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
        self.setup_social()
        self.update_literate()

    def _make_residents(self) -> None:
        # As population.py: logit-normal traits; an initial stock of defaulters drawn at
        # random. Residents are created village by village, so ``everyone[row]`` is the
        # engine's row order (the ties' rows).
        p, r = self.params, self.region

        def trait(mean: float) -> list[float]:
            z = p.trait_spread * self.rng.standard_normal(r.population)
            return (1 / (1 + np.exp(-(z + math.log(mean / (1 - mean)))))).tolist()

        village = np.repeat(np.arange(r.n_villages), r.village_population).tolist()
        rows = zip(village, trait(p.awareness_mean), trait(p.trust_mean),
                   trait(p.litigiousness_mean), strict=True)
        self.villagers: list[list[Resident]] = [[] for _ in range(r.n_villages)]
        for row, (v, awareness, trust, litigiousness) in enumerate(rows):
            self.villagers[v].append(Resident(self, v, awareness, trust, litigiousness, row))
        everyone = [x for villagers in self.villagers for x in villagers]
        self.everyone = everyone
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
        return float(self.behaviour.effective_awareness(resident.awareness,
                                                        resident.literate_tie))

    def office(self, state: State, d: Dispute) -> Office:
        """The office whose ``state`` queue serves dispute ``d``."""
        return self.offices[state][getattr(d.claimant, _UNIT.get(state, "county"))]

    def _set_month_levels(self) -> None:
        t = min(self.month + self.warmup, self.n_months - 1)
        self.levels = {k: float(v[t]) for k, v in self._lever_path.items()}
        self._covered = {k: (rank < self.levels[k]).astype(float)
                         for k, rank in self._coverage_rank.items()}
        # Capacities come from the engine's own class methods, for every unit at once.
        county, ic = self.county_population, self.institution_classes
        court = ic["court"]
        capacity = {
            State.VILLAGE: ic["village"].monthly_capacity(self, self.region.village_population),
            State.TOWN: ic["town"].monthly_capacity(self, self.town_population),
            State.COUNTY: ic["county"].monthly_capacity(self, county),
            State.PREFILING: court.prefiling_capacity(self, county),
            State.TRIAL: court.monthly_capacity(self, county),
            State.ENFORCEMENT: court.enforcement_capacity(self, county),
            State.PETITION: ic["petition"].monthly_capacity(self, county),
        }
        for state, offices in self.offices.items():
            for office in offices:
                office.capacity[state] = float(capacity[state][office.unit])

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Advance one month."""
        self._set_month_levels()
        self.update_literate()
        self.agents_by_type[Resident].shuffle_do("step")
        # Number the month's claims village by village, type by type, as the engine does:
        # queues break ties by id, so this order decides who is served first.
        self.new_claims.sort(key=lambda d: (d.village, d.kind))
        for d in self.new_claims:
            d.id, self._next_id = self._next_id, self._next_id + 1
        self.advise(self.new_claims)
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

    def advise(self, claims: list[Dispute]) -> None:
        """New claimants get the village legal adviser's advice as far as its hours go."""
        n, b = self.region.n_villages, self.behaviour
        counts = np.bincount([d.village for d in claims], minlength=n)
        capacity = self.institution_classes["village"].advice_capacity(self, n)
        chance = b.advice_probability(capacity, counts)
        for d in claims:
            d.advised = self.chance(float(chance[d.village]))
            if d.advised:
                self.count("advised", d.county)
                c = d.claimant
                c.awareness = float(b.learn_from_advice(np.float64(c.awareness)))

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
        reputation = np.zeros((1, n))
        for state, seen in self.reputation_seen(d).items():
            reputation[0, _OPTION_OF_STATE[state]] = seen
        s = Situation(
            kind=np.array([d.kind]), awareness=np.array([self.awareness_now(c)]),
            trust=np.array([c.trust]), litigiousness=np.array([c.litigiousness]),
            grievance=np.array([d.grievance]), advised=np.array([d.advised]), stage=stage,
            failures=np.array([d.failures]), wait=wait,
            available=self.behaviour.available_options(stage, village_open),
            literate_tie=np.array([c.literate_tie]), reputation=reputation,
        )
        return Option(int(self.behaviour.choose_channel(s, self.rng.gumbel(size=(1, n)))[0]))

    def route(self, choosing: list[Dispute]) -> None:
        """Every dispute needing a channel chooses one (all choose first, then all act)."""
        for d, choice in [(d, self.choose_channel(d)) for d in choosing]:
            if choice == Option.LUMP:
                self.close(d, resolved=False)
            elif choice == Option.NEGOTIATE:
                self.negotiate(d)
            elif choice == Option.COUNTY:
                self.arrive_at_centre(d)
            elif choice in _OPTION_STATE:
                self.enter(d, _OPTION_STATE[choice])
            elif choice == Option.COURT:
                # The integrated one-stop centre houses a court window (诉调对接): moving on
                # from it to court is then no new door.
                free = d.door == Layer.COUNTY and self.chance(self.probability(
                    "county", "one_door_probability", d))
                self.go_to_court(d, free)
            else:
                self.lodge_petition(d)

    def negotiate(self, d: Dispute) -> None:
        """Direct negotiation: settles at once or fails (choose again next month)."""
        pr = float(self.behaviour.negotiation_probability(np.array([d.advised]))[0])
        self.handled(d, "negotiation", queued=False)
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
        if self.chance(self.probability("court", "reconsideration_probability", d)):
            self.resolve(d, Layer.COUNTY)  # 行政复议受理前调解: it never reaches court
            return
        self.count("court_arrivals", d.county)
        if self.chance(self.probability("court", "diversion_probability", d)):
            self.enter(d, State.PREFILING, free)
        else:
            self.walk_in(d, Layer.COURT, free)
            self.file_case(d)

    def file_case(self, d: Dispute) -> None:
        """Filing: abusive suits are refused; the rest are lawsuits (万人成讼率 counts these)."""
        if self.chance(self.probability("court", "refusal_probability", d)):
            self.count("refused", d.county)
            self.close(d, resolved=False)
        else:
            self.count("lawsuits", d.county)
            self.enter(d, State.TRIAL)

    def lodge_petition(self, d: Dispute) -> None:
        """A petition: each lodging counts in 信访量; a second or later one is a repeat."""
        self.count("petitions", d.county)
        if d.petitions > 0:
            self.count("repeat_petitions", d.county)
            self.count("repeat_after_routing", d.county, d.stage != Layer.PETITION)
        d.petitions += 1
        if self.chance(self.probability("county", "petition_intake_probability", d)):
            self.count("petitions_at_centre", d.county)
            self.arrive_at_centre(d, petition=True)
        else:
            self.enter(d, State.PETITION, d.door == Layer.PETITION)

    def arrive_at_centre(self, d: Dispute, petition: bool = False) -> None:
        """The county centre takes ``d`` in and triages it (one door, 只进一扇门)."""
        centre = self.institution_classes["county"]
        route = int(centre.triage(self, Cases.of([d]), np.array([self.random.random()]),
                                  np.array([petition]))[0])
        self.count("centre_intake", d.county)
        self.walk_in(d, Layer.COUNTY)
        if route == CentreRoute.MEDIATION:
            self.enter(d, State.COUNTY)
        elif route == CentreRoute.PETITION_DESK:
            self.count("centre_desk", d.county)
            self.enter(d, State.PETITION, free=True)
            d.door = Layer.COUNTY  # the desk is inside the centre: coming back is no new door
        elif route == CentreRoute.COURT:
            self.count("centre_to_court", d.county)
            self.go_to_court(d, free=True)
        else:
            self.count("centre_legal", d.county)
            d.advised = True
            c = d.claimant
            c.awareness = float(self.behaviour.learn_from_advice(np.float64(c.awareness)))
            pr = float(self.behaviour.negotiation_probability(np.array([True]))[0])
            self.handled(d, "negotiation", queued=False)
            if self.chance(pr):
                self.resolve(d, Layer.COUNTY)
            else:
                self.fail(d, Layer.NEGOTIATION)

    # -- outcomes
    def fail(self, d: Dispute, layer: Layer) -> None:
        """A failed step: ``d`` chooses again next month, from above ``layer``."""
        d.stage = max(d.stage, int(layer))
        d.failures = min(d.failures + 1, self.params.fatigue_cap)
        d.grievance += self.behaviour.grievance_from_failure()
        d.state = State.CHOOSING

    def resolve(self, d: Dispute, layer: Layer) -> None:
        """Settled at ``layer``: counted, and the claimant's grievance halves."""
        self.count(f"resolved_{layer.name.lower()}", d.county)  # resolved_village, ...
        self._resolved.append((d.county, d.elapsed))
        d.claimant.grievance = float(self.behaviour.grievance_after_resolution(
            np.float64(d.claimant.grievance)))
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
        """December: 法律明白人 teach those they talk to; old grievances fade."""
        self.teach_along_ties()
        b = self.behaviour
        for x in self.everyone:
            x.grievance = float(b.grievance_after_year(np.float64(x.grievance)))
