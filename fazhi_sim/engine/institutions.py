"""Institutions as Mesa agents: who serves disputes, with what capacity and success.

Each institution is a ``mesa.Agent`` (one per village committee, town office, county centre,
court and petition office), so ``model.agents_by_type[Court]`` works as in any Mesa model.
The monthly work is vectorised per *class*: ``monthly_capacity`` and ``settle_probability``
are class methods that take arrays for every unit of the class at once, because looping over
2,148 village committees in Python every month would cost more than the whole simulation.
To change how an institution behaves, subclass it, override one of these methods and pass the
subclass to :class:`~fazhi_sim.DisputeModel` (``institutions={...}``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from .disputes import TYPES, DisputePool, State

if TYPE_CHECKING:
    from .model import DisputeModel

__all__ = [
    "Institution", "VillageMediationCommittee", "TownJusticeOffice", "CountyCentre",
    "Court", "PetitionOffice", "serve_in_order", "logistic", "logit",
]

_ADMIN = TYPES.index("administrative")


def logistic(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: float) -> float:
    """Log-odds of a probability, kept finite at 0 and 1."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1 - p)))


def serve_in_order(units: np.ndarray, order: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Which queued cases a unit takes up this month: the oldest first, up to its capacity.

    Parameters
    ----------
    units
        Unit index of each queued case.
    order
        Sort key (smaller is served first), e.g. month queued then dispute id.
    capacity
        Whole cases each unit can take this month.

    Returns
    -------
    ndarray of bool
        True for the cases served.
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


class Institution(mesa.Agent):
    """A unit that takes up disputes from a queue, a monthly capacity at a time.

    Attributes
    ----------
    unit : int
        Index of the unit among the institutions of its class (village, town or county index).
    county : int
        County index.
    population : int
        Residents served.
    """

    state: ClassVar[State]
    label_zh: ClassVar[str]
    label_en: ClassVar[str]
    level: ClassVar[str]  # "village", "town" or "county": which index the units follow

    def __init__(self, model: DisputeModel, unit: int, county: int, population: int):
        super().__init__(model)
        self.unit = unit
        self.county = county
        self.population = population

    @property
    def capacity(self) -> float:
        """Cases this unit can take up in the current month."""
        return float(self.model.capacity[self.state][self.unit])

    @property
    def queue(self) -> int:
        """Cases waiting here now."""
        m = self.model
        pos = m.pool.in_state(self.state)
        return int(np.count_nonzero(m.unit_of(pos, self.level) == self.unit))

    # Subclasses define the class methods ``monthly_capacity(model, population)`` (cases each
    # unit can take up this month, an array over units) and ``settle_probability(model, pos)``
    # (chance each dispute taken up is settled); the model calls them once per month per class.


def _mediation_logit(model: DisputeModel, pos: np.ndarray, base: float) -> np.ndarray:
    pool: DisputePool = model.pool
    p = model.params
    trust = model.residents.trust[pool.claimant[pos]]
    return base + p.success_trust * (trust - 0.5) + p.success_advice * pool.advised[pos]


class VillageMediationCommittee(Institution):
    """村(社区)人民调解委员会, with its legal adviser and 法律明白人 where present."""

    state = State.VILLAGE
    label_zh, label_en, level = "村(社区)人民调解委员会", "Village mediation committee", "village"

    @classmethod
    def monthly_capacity(cls, model: DisputeModel, population: np.ndarray) -> np.ndarray:
        """Full-time mediators times cases each; none where the village has no committee."""
        p, lv = model.params, model.levels
        per_person = lv["mediators_per_10k"] / 1e4 * p.cases_per_mediator
        per_person *= 1.0 + p.online_mediation_capacity * lv["online_mediation_share"]
        return population * per_person * model.covered("mediation_coverage")

    @classmethod
    def settle_probability(cls, model: DisputeModel, pos: np.ndarray) -> np.ndarray:
        """Base success, raised by trust and advice."""
        return logistic(_mediation_logit(model, pos, logit(model.params.village_success)))


class TownJusticeOffice(Institution):
    """乡镇(街道)司法所与人民法庭: the town layer, Fengqiao-style where covered."""

    state = State.TOWN
    label_zh, label_en, level = "乡镇(街道)司法所、人民法庭", "Town justice office", "town"

    @classmethod
    def monthly_capacity(cls, model: DisputeModel, population: np.ndarray) -> np.ndarray:
        """Mediation staff times cases each, raised by Fengqiao-style coverage."""
        p, lv = model.params, model.levels
        gain = 1.0 + p.fengqiao_capacity * lv["fengqiao_units_coverage"]
        return population * p.town_staff_per_10k / 1e4 * p.town_cases_per_staff * gain

    @classmethod
    def settle_probability(cls, model: DisputeModel, pos: np.ndarray) -> np.ndarray:
        """Base success, raised by trust, advice and Fengqiao-style coverage."""
        p, lv = model.params, model.levels
        base = logit(p.town_success) + p.success_fengqiao * lv["fengqiao_units_coverage"]
        return logistic(_mediation_logit(model, pos, base))


class CountyCentre(Institution):
    """县级社会矛盾纠纷调处化解中心(信访超市): one door for what the towns could not settle."""

    state = State.COUNTY
    label_zh, label_en, level = "县级矛调中心", "County one-stop dispute centre", "county"

    @classmethod
    def monthly_capacity(cls, model: DisputeModel, population: np.ndarray) -> np.ndarray:
        """Centre staff times cases each, raised by integration."""
        p, lv = model.params, model.levels
        gain = 1.0 + p.centre_capacity * lv["county_centre"]
        return population * p.centre_staff_per_10k / 1e4 * p.centre_cases_per_staff * gain

    @classmethod
    def settle_probability(cls, model: DisputeModel, pos: np.ndarray) -> np.ndarray:
        """Base success, raised by integration.

        Administrative disputes also gain from pre-reconsideration mediation and public lawyers.
        """
        p, lv = model.params, model.levels
        base = logit(p.county_success) + p.success_centre * lv["county_centre"]
        admin = model.pool.kind[pos] == _ADMIN
        extra = admin * (p.success_reconsideration * lv["reconsideration_premediation"]
                         + p.success_public_lawyer * lv["public_lawyer_coverage"])
        return logistic(_mediation_logit(model, pos, base) + extra)


class Court(Institution):
    """基层人民法院: pre-filing mediation, trial (small claims faster) and enforcement.

    The court serves three queues; ``monthly_capacity`` gives trial capacity, and
    :meth:`prefiling_capacity` and :meth:`enforcement_capacity` the other two.
    """

    state = State.TRIAL
    label_zh, label_en, level = "基层人民法院", "Basic people's court", "county"

    @classmethod
    def monthly_capacity(cls, model: DisputeModel, population: np.ndarray) -> np.ndarray:
        """Judges times cases each, raised by small claims and online hearings."""
        p, lv = model.params, model.levels
        gain = (1.0 + p.small_claims_speedup * lv["small_claims_share"]) * (
            1.0 + p.online_court_speedup * lv["online_court"])
        return population * p.judges_per_10k / 1e4 * p.cases_per_judge * gain

    @classmethod
    def prefiling_capacity(cls, model: DisputeModel, population: np.ndarray) -> np.ndarray:
        """Court-annexed mediators' monthly cases."""
        return population * model.params.prefiling_per_10k / 1e4

    @classmethod
    def enforcement_capacity(cls, model: DisputeModel, population: np.ndarray) -> np.ndarray:
        """Enforcement officers' monthly cases."""
        return population * model.params.enforcement_per_10k / 1e4

    @classmethod
    def settle_probability(cls, model: DisputeModel, pos: np.ndarray) -> np.ndarray:
        """Chance a trial ends in court mediation or withdrawal rather than judgment."""
        return np.full(len(pos), model.params.court_settle)

    @classmethod
    def prefiling_probability(cls, model: DisputeModel, pos: np.ndarray) -> np.ndarray:
        """Chance pre-filing mediation settles."""
        p = model.params
        return logistic(logit(p.prefiling_success) + p.success_advice * model.pool.advised[pos])

    @classmethod
    def performance_probability(cls, model: DisputeModel, pos: np.ndarray) -> np.ndarray:
        """Chance a judgment is performed without enforcement (自动履行)."""
        p, lv = model.params, model.levels
        rate = lv["voluntary_performance_rate"]
        rate = rate + (1.0 - rate) * p.credit_performance * lv["credit_enforcement"]
        return np.full(len(pos), rate)


class PetitionOffice(Institution):
    """信访局(接待中心): takes petitions; routes, settles, or leaves them to repeat."""

    state = State.PETITION
    label_zh, label_en, level = "信访接待中心", "Petition office", "county"

    @classmethod
    def monthly_capacity(cls, model: DisputeModel, population: np.ndarray) -> np.ndarray:
        """Petitions the office can handle a month."""
        return population * model.params.petition_per_10k / 1e4

    @classmethod
    def settle_probability(cls, model: DisputeModel, pos: np.ndarray) -> np.ndarray:
        """Chance the office settles a petition it handles itself, raised by petition agents."""
        p, lv = model.params, model.levels
        return np.full(len(pos), min(1.0, p.petition_resolve
                                     + p.agency_resolve * lv["petition_agency"]))
