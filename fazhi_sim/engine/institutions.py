"""Institutions as Mesa agents: who serves disputes, with what capacity and success.

Each unit is a ``mesa.Agent``, but the monthly work is vectorised per *class*:
``monthly_capacity(model, population)`` maps residents per unit (units,) to cases a month;
every ``*_probability(model, cases)`` maps a :class:`Cases` of n rows to probabilities (n,).
The engine and the reference model share them; subclass one, pass ``institutions={Old: New}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import mesa
import numpy as np

from .cases import Cases
from .disputes import TYPES, CentreRoute, Layer, State
from .logits import logistic, logit
from .replicate_params import at_most_one, logit_of, per_case, weak
from .rule_kernels import learned_reputation, triage_routes

__all__ = ["Institution", "VillageMediationCommittee", "TownJusticeOffice", "CountyCentre",
           "Court", "PetitionOffice", "Cases", "serve_in_order", "institution_classes",
           "logistic", "logit"]

# The monthly work refers to each institution class by the role it plays.
ROLES = {"village": "VillageMediationCommittee", "town": "TownJusticeOffice",
         "county": "CountyCentre", "court": "Court", "petition": "PetitionOffice"}

_ADMIN = TYPES.index("administrative")


def serve_in_order(units: np.ndarray, order: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Which queued cases a unit takes up this month: the oldest first, up to its capacity.

    Parameters
    ----------
    units, order : ndarray of int
        Per queued case, shape (n,): its unit, and a sort key (smaller first, e.g. the month
        queued then the dispute id).
    capacity : ndarray of int
        Whole cases each unit can take this month, shape (units,).

    Returns
    -------
    ndarray of bool
        True for the cases served, shape (n,).
    """
    if len(units) == 0:
        return np.zeros(0, dtype=bool)
    idx = np.lexsort((order, units))
    sorted_units = units[idx]
    first = np.searchsorted(sorted_units, sorted_units, side="left")
    rank = np.arange(len(idx)) - first
    served = np.empty(len(idx), dtype=bool)
    served[idx] = rank < capacity[sorted_units]
    return served


class Institution(mesa.Agent):  # parameters: see __init__; numpydoc ignore=PR01
    """A unit that takes up disputes from a queue, a monthly capacity at a time."""

    state: ClassVar[State]
    label_zh: ClassVar[str]
    label_en: ClassVar[str]
    level: ClassVar[str]  # "village", "town" or "county": which index the units follow

    def __init__(self, model: Any, unit: int, county: int, population: int):
        """Register the unit with the model (every subclass is built the same way).

        Parameters
        ----------
        model : DisputeModel
            The model the unit belongs to.
        unit, county, population : int
            Index among the units of its class (village, town or county index), the county's
            index, residents served; kept as attributes of the same names.
        """
        super().__init__(model)
        self.unit = unit
        self.county = county
        self.population = population

    @property
    def capacity(self) -> float:
        """Cases this unit can take up in the current month."""
        return float(self.model.capacity[self.state][self.unit])

    @property
    def reputation(self) -> float | None:
        """Its reputation: the share of cases taken up it settled for good, as learned.

        Mediation units only; None for the others.
        """
        rep = getattr(self.model, "reputation", {}).get(self.state)
        return None if rep is None else float(rep[self.unit])

    def step(self) -> None:
        """Update the unit for the month: its reputation, learned from the month's cases.

        The model updates every unit of a class at once (:meth:`learn_reputation` on arrays);
        this applies the same formula to this unit alone, so it gives exactly that. Courts and
        petition offices, without a reputation, have nothing to learn.
        """
        record = getattr(self.model, "month_record", {}).get(self.state)
        if record is None:
            return
        old, taken, lasting = (x[self.unit:self.unit + 1] for x in record)
        new = type(self).learn_reputation(self.model, old, taken, lasting)
        self.model.reputation[self.state][self.unit] = new[0]

    @property
    def queue(self) -> int:
        """Cases waiting here now."""
        m = self.model
        pos = m.pool.in_state(self.state)
        return int(np.count_nonzero(m.unit_of(pos, self.level) == self.unit))

    # Subclasses define the class methods ``monthly_capacity(model, population)`` (cases each
    # unit can take up this month, an array over units) and ``settle_probability(model, cases)``
    # (chance each dispute taken up is settled); the model calls them once per month per class.

    @classmethod
    def relapse_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance a mediated agreement breaks down (fewer when judicially confirmed, 司法确认).

        Parameters
        ----------
        model, cases
            The model and the n cases taken up (:class:`Cases`); returns shape (n,).
        """
        p = model.params
        rate = p.relapse * (1 - p.confirmation_relapse_cut
                            * model.levels["judicial_confirmation_share"])
        return per_case(len(cases), rate)

    @classmethod
    def expected_reputation(cls, model: Any) -> float:
        """The reputation a unit starts with.

        Not refused, not stalled, settled and held, at the class's base rates (no trust or
        advice effects) and this month's levels.

        Parameters
        ----------
        model : DisputeModel
            For ``model.params`` and ``model.levels``; returns a float probability.
        """
        empty = Cases(kind=np.zeros(1, dtype=np.int64), trust=np.array(
            [model.params.success_trust_reference]), advised=np.zeros(1, dtype=bool),
            stage=np.full(1, -1))
        ok = [1 - cls.refusal_probability(model, empty), 1 - cls.stall_probability(
            model, empty), 1 - cls.relapse_probability(model, empty)]
        settle = getattr(cls, "settle_probability", None)
        if settle is not None:
            ok.append(settle(model, empty))
        return float(np.prod([float(x[0]) for x in ok]))

    @classmethod
    def learn_reputation(cls, model: Any, old: np.ndarray, taken: np.ndarray,
                         lasting: np.ndarray) -> np.ndarray:
        """Each unit's reputation after a month.

        A step ``reputation_learning`` toward the share of the cases it took up that ended in
        a lasting settlement; units that took up none keep theirs.

        Parameters
        ----------
        model, old, taken, lasting
            The model; per unit, shape (units,): reputation before, cases taken up and cases
            settled for good this month. Returns the new reputations, shape (units,).
        """
        rate = model.params.reputation_learning
        if type(rate) is float:  # one number for all units: the same formula, compiled
            return learned_reputation(old, taken, lasting, rate)
        share = lasting / np.maximum(taken, 1)
        return np.where(taken > 0, old + rate * (share - old), old)

    @classmethod
    def refusal_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance the other party declines a mediation taken up (mediation is voluntary).

        Parameters
        ----------
        model, cases
            The model and the n cases taken up (:class:`Cases`); returns shape (n,).
        """
        return per_case(len(cases), model.params.mediation_refusal)

    @classmethod
    def stall_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance a mediation taken up is not concluded within its limit (终止调解).

        Parameters
        ----------
        model, cases
            The model and the n cases taken up (:class:`Cases`); returns shape (n,).
        """
        return per_case(len(cases), model.params.mediation_stall)


def mediation_logit(model: Any, cases: Cases, base: float) -> np.ndarray:
    """Log-odds that people's mediation settles: ``base``, raised by trust and advice."""
    p = model.params
    trust = cases.trust - weak(p.success_trust_reference, cases.trust)
    trust = weak(p.success_trust, trust) * trust  # (in the trust's type, as a run computes)
    return weak(base, trust) + trust + p.success_advice * cases.advised


class VillageMediationCommittee(Institution):  # parameters: see __init__; numpydoc ignore=PR01
    """村(社区)人民调解委员会, with its legal adviser and 法律明白人 where present."""

    state = State.VILLAGE
    label_zh, label_en, level = "村(社区)人民调解委员会", "Village mediation committee", "village"

    @classmethod
    def monthly_capacity(cls, model: Any, population: np.ndarray) -> np.ndarray:
        """Full-time mediators times cases each; none where the village has no committee."""
        p, lv = model.params, model.levels
        per_person = lv["mediators_per_10k"] / 1e4 * p.cases_per_mediator
        per_person *= 1.0 + p.online_mediation_capacity * lv["online_mediation_share"]
        return population * per_person * model.covered("mediation_coverage")

    @classmethod
    def advice_capacity(cls, model: Any, n_villages: int) -> np.ndarray:
        """Claimants the village legal adviser (一村一法律顾问) can advise this month, per village.

        Lawyers per village times their hours on site times consultations an hour: a lawyer
        shared by two villages (0.5) gives each half the hours, whatever its size.
        """
        p, lv = model.params, model.levels
        hours = lv["lawyers_per_village"] * lv["lawyer_hours_per_month"]
        return np.full(n_villages, hours * p.consultations_per_hour)

    @classmethod
    def settle_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Base success, raised by trust and advice."""
        return logistic(mediation_logit(model, cases, logit_of(model.params, "village_success")))


class TownJusticeOffice(Institution):  # parameters: see __init__; numpydoc ignore=PR01
    """乡镇(街道)司法所与人民法庭: the town layer, Fengqiao-style where covered."""

    state = State.TOWN
    label_zh, label_en, level = "乡镇(街道)司法所、人民法庭", "Town justice office", "town"

    @classmethod
    def monthly_capacity(cls, model: Any, population: np.ndarray) -> np.ndarray:
        """Mediation staff times cases each, raised by Fengqiao-style coverage."""
        p, lv = model.params, model.levels
        gain = 1.0 + p.fengqiao_capacity * lv["fengqiao_units_coverage"]
        return population * p.town_staff_per_10k / 1e4 * p.town_cases_per_staff * gain

    @classmethod
    def settle_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Base success, raised by trust, advice and Fengqiao-style coverage."""
        p, lv = model.params, model.levels
        base = logit_of(p, "town_success") + p.success_fengqiao * lv["fengqiao_units_coverage"]
        return logistic(mediation_logit(model, cases, base))


class CountyCentre(Institution):  # parameters: see __init__; numpydoc ignore=PR01
    """县级社会矛盾纠纷调处化解中心(信访超市): one door for what the towns could not settle."""

    state = State.COUNTY
    label_zh, label_en, level = "县级矛调中心", "County one-stop dispute centre", "county"

    @classmethod
    def monthly_capacity(cls, model: Any, population: np.ndarray) -> np.ndarray:
        """Centre staff times cases each, raised by integration."""
        p, lv = model.params, model.levels
        gain = 1.0 + p.centre_capacity * lv["county_centre"]
        return population * p.centre_staff_per_10k / 1e4 * p.centre_cases_per_staff * gain

    @classmethod
    def settle_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Base success, raised by integration.

        Administrative disputes also gain from pre-reconsideration mediation and public lawyers.
        """
        p, lv = model.params, model.levels
        base = logit_of(p, "county_success") + p.success_centre * lv["county_centre"]
        admin = cases.kind == _ADMIN
        extra = admin * (p.success_reconsideration * lv["reconsideration_premediation"]
                         + p.success_public_lawyer * lv["public_lawyer_coverage"])
        return logistic(mediation_logit(model, cases, base) + extra)


    @classmethod
    def one_door_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance a case sent on from the centre passes no new door (its desks share a roof)."""
        return per_case(len(cases), model.levels["county_centre"])

    @classmethod
    def refusal_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Fewer refusals where integrated: the agency concerned sits at the table (联合调处)."""
        p = model.params
        cut = p.centre_refusal_cut * model.levels["county_centre"]
        return per_case(len(cases), p.mediation_refusal * (1.0 - cut))

    @classmethod
    def petition_intake_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance a petition is lodged at the centre's 信访超市 desk, not the petition office."""
        return per_case(len(cases), model.levels["county_centre"])

    @classmethod
    def triage(cls, model: Any, cases: Cases, u: np.ndarray, petition: np.ndarray
               ) -> np.ndarray:
        """Where the centre sends each case it takes in (a :class:`CentreRoute` per row).

        Integration (``county_centre``) decides which desks work: with it, an unadvised
        dispute goes first to legal services (``centre_route_legal``) and a few to the court
        window (``centre_route_court``); a petition lodged here stays at the petition desk
        with ``centre_petition_desk``, otherwise it is triaged like a dispute. The rest go to
        joint mediation. A petitioner past the centre's mediation (or past court) is kept at
        the desk. ``u`` is one uniform per case; ``petition`` marks petitions.
        """
        p, g = model.params, model.levels["county_centre"]
        shares = (p.centre_petition_desk, p.centre_route_legal, p.centre_route_court)
        if all(type(x) is float for x in shares) and cases.advised.dtype == np.bool_:
            return triage_routes(u, petition, cases.advised, cases.stage, *shares, float(g))
        desk = np.where(petition, p.centre_petition_desk, 0.0)
        v = np.where(petition, (u - desk) / np.maximum(1.0 - desk, 1e-12), u)
        legal = g * p.centre_route_legal * ~cases.advised
        route = np.full(len(u), int(CentreRoute.MEDIATION), dtype=np.int8)
        route[v < legal + g * p.centre_route_court] = CentreRoute.COURT
        route[v < legal] = CentreRoute.LEGAL
        route[u < desk] = CentreRoute.PETITION_DESK
        # The ladder holds: a petitioner who already failed at this layer (or in court) is
        # not mediated (or sent to court) again; the desk keeps them.
        spent = ((route == CentreRoute.MEDIATION) & (cases.stage >= Layer.COUNTY)) | (
            (route == CentreRoute.COURT) & (cases.stage >= Layer.COURT))
        route[spent] = CentreRoute.PETITION_DESK
        return route


class Court(Institution):  # parameters: see __init__; numpydoc ignore=PR01
    """基层人民法院: pre-filing mediation, trial (small claims faster) and enforcement.

    The court serves three queues; ``monthly_capacity`` gives trial capacity, and
    :meth:`prefiling_capacity` and :meth:`enforcement_capacity` the other two.
    """

    state = State.TRIAL
    label_zh, label_en, level = "基层人民法院", "Basic people's court", "county"

    @classmethod
    def monthly_capacity(cls, model: Any, population: np.ndarray) -> np.ndarray:
        """Judges times cases each, raised by small claims and online hearings."""
        p, lv = model.params, model.levels
        gain = (1.0 + p.small_claims_speedup * lv["small_claims_share"]) * (
            1.0 + p.online_court_speedup * lv["online_court"])
        return population * p.judges_per_10k / 1e4 * p.cases_per_judge * gain

    @classmethod
    def prefiling_capacity(cls, model: Any, population: np.ndarray) -> np.ndarray:
        """Court-annexed mediators' monthly cases."""
        return population * model.params.prefiling_per_10k / 1e4

    @classmethod
    def enforcement_capacity(cls, model: Any, population: np.ndarray) -> np.ndarray:
        """Enforcement officers' monthly cases."""
        return population * model.params.enforcement_per_10k / 1e4

    @classmethod
    def settle_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance a trial ends in court mediation or withdrawal rather than judgment."""
        return per_case(len(cases), model.params.court_settle)

    @classmethod
    def prefiling_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance pre-filing mediation settles."""
        p = model.params
        return logistic(logit_of(p, "prefiling_success") + p.success_advice * cases.advised)

    @classmethod
    def reconsideration_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance an administrative dispute settles before reconsideration, not in court; else 0."""
        p = model.params
        rate = p.reconsideration_settle * model.levels["reconsideration_premediation"]
        return np.where(cases.kind == _ADMIN, rate, 0.0)

    @classmethod
    def diversion_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance a dispute reaching court is sent to pre-filing mediation (诉前调解)."""
        return per_case(len(cases), model.levels["pre_filing_mediation_share"])

    @classmethod
    def refusal_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance a filing is refused as false or abusive (虚假诉讼、恶意诉讼 screening)."""
        p = model.params
        return per_case(len(cases),
                        p.abusive_share * model.levels["abusive_litigation_screening"])

    @classmethod
    def enforcement_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance enforcement recovers the judgment (else the debtor is listed, 失信)."""
        return per_case(len(cases), model.params.enforcement_success)

    @classmethod
    def performance_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance a judgment is performed without enforcement (自动履行)."""
        p, lv = model.params, model.levels
        rate = lv["voluntary_performance_rate"]
        rate = rate + (1.0 - rate) * p.credit_performance * lv["credit_enforcement"]
        return per_case(len(cases), rate)


class PetitionOffice(Institution):  # parameters: see __init__; numpydoc ignore=PR01
    """信访局(接待中心): takes petitions; routes, settles, or leaves them to repeat."""

    state = State.PETITION
    label_zh, label_en, level = "信访接待中心", "Petition office", "county"

    @classmethod
    def monthly_capacity(cls, model: Any, population: np.ndarray) -> np.ndarray:
        """Petitions the office can handle a month."""
        return population * model.params.petition_per_10k / 1e4

    @classmethod
    def routing_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance a petition is routed into a lawful channel (法定途径分类处理)."""
        return per_case(len(cases), model.levels["petition_routing"])

    @classmethod
    def repeat_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance an unsettled petitioner comes back (缠访), fewer with petition agents."""
        p = model.params
        return per_case(len(cases), p.petition_repeat * (
            1 - p.agency_repeat_cut * model.levels["petition_agency"]))

    @classmethod
    def settle_probability(cls, model: Any, cases: Cases) -> np.ndarray:
        """Chance the office settles a petition it handles itself, raised by petition agents."""
        p, lv = model.params, model.levels
        return per_case(len(cases), at_most_one(p.petition_resolve
                                               + p.agency_resolve * lv["petition_agency"]))


def institution_classes(override: Mapping[type[Institution], type[Institution]] | None = None
                        ) -> dict[str, type[Institution]]:
    """The institution class playing each role, with replacements applied.

    Parameters
    ----------
    override : mapping, optional
        Replacement classes keyed by the class they replace (``{Old: New}``); a ``New`` that
        does not subclass its ``Old`` raises ``TypeError``.

    Returns
    -------
    dict
        Role (``"village"``, ``"town"``, ``"county"``, ``"court"``, ``"petition"``) to class.
    """
    classes = {role: globals()[name] for role, name in ROLES.items()}
    for old, new in (override or {}).items():
        if not (isinstance(new, type) and issubclass(new, old)):
            raise TypeError(f"{getattr(new, '__name__', new)} must subclass {old.__name__}")
        for role, cls in classes.items():
            if cls is old:
                classes[role] = new
    return classes
