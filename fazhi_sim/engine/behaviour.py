"""Resident behaviour: claiming, channel choice and learning, as one class to subclass.

:class:`Behaviour` holds every rule by which residents act: whether a grievance is voiced as a
claim, which channel a claim takes (a multinomial logit, McFadden, over the options in
:class:`Option`), and what residents learn from advice, mediation, court and each other. Each
method works on arrays, one row per resident or dispute, so the vectorised engine
(:class:`~fazhi_sim.DisputeModel`) calls it for thousands of rows at once and the per-agent
reference model (:class:`~fazhi_sim.engine.reference.ReferenceModel`) for one row at a time:
a subclass passed as ``behaviour=`` (or in a :class:`~fazhi_sim.ModelSpec`) changes both.
Every number a rule rests on is a :class:`~fazhi_sim.Params` field.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from .disputes import TYPES, Layer, Option
from .logits import best_available, logistic, logit
from .params import Params
from .replicate_params import by_replicate, weak

__all__ = ["Behaviour", "Situation", "available_options", "logit_choice", "type_table"]

N_OPTIONS = len(Option)
_ADMIN = TYPES.index("administrative")


@cache
def type_table() -> dict[str, np.ndarray]:
    """Per dispute type: grievance rate, compact sensitivity and channel affinities.

    Returns arrays indexed like :data:`~fazhi_sim.engine.disputes.TYPES`; ``affinity`` has shape
    (types, options) with zero for lumping.
    """
    text = resources.files("fazhi_sim").joinpath("data/dispute_types.csv").read_text("utf-8")
    rows = {r["type"]: r for r in csv.DictReader(text.splitlines())}
    order = [rows[t] for t in TYPES]
    aff = np.zeros((len(TYPES), N_OPTIONS))
    for i, r in enumerate(order):
        for opt in Option:
            if opt is not Option.LUMP:
                aff[i, opt] = float(r[f"aff_{opt.name.lower()}"])
    return {
        "rate_per_10k": np.array([float(r["grievances_per_10k_year"]) for r in order]),
        "compact_sensitive": np.array([r["compact_sensitive"] == "1" for r in order]),
        "affinity": aff,
        "name_zh": np.array([r["name_zh"] for r in order]),
    }


@cache
def _affinity_by_option() -> np.ndarray:
    # (options, types), each entry 0.0 + affinity as the sum it replaces gave.
    return np.ascontiguousarray((np.zeros((len(TYPES), N_OPTIONS)) + type_table()["affinity"]).T)


@dataclass
class Situation:
    """What a resident weighs when choosing a channel, one row per dispute.

    Attributes
    ----------
    kind : dispute type index; awareness, trust, litigiousness, grievance : traits
        (awareness is the effective awareness, with 法律明白人 and legal services applied);
    advised : got a legal adviser's advice; stage : highest layer already failed (-1 if new);
    failures : failures so far; wait : expected months of queue per option (n, options);
    available : options open to the dispute (n, options); step : moves each dispute has made
    (keys its random draws; optional); literate_tie : 1.0 where the claimant is or hears a
    法律明白人 (optional); reputation : the reputation of the claimant's own village, town and
    county units above its expected level, (n, options), zero elsewhere (optional);
    replicate : each dispute's replicate in a batch of runs (keys its random draws; None in a
    single run).
    """

    kind: np.ndarray
    awareness: np.ndarray
    trust: np.ndarray
    litigiousness: np.ndarray
    grievance: np.ndarray
    advised: np.ndarray
    stage: np.ndarray
    failures: np.ndarray
    wait: np.ndarray
    available: np.ndarray
    step: np.ndarray | None = None
    literate_tie: np.ndarray | None = None
    reputation: np.ndarray | None = None
    replicate: np.ndarray | None = None


def available_options(stage: np.ndarray, village_open: np.ndarray) -> np.ndarray:
    """The escalation ladder: after failing at a layer only higher layers remain.

    Lumping it and petitioning are always open; negotiating only for a new claim; village
    mediation only where the village has an active committee. A dispute that failed in court
    (enforcement) can petition or give up. ``stage == PETITION`` marks a petitioner who has
    decided to come back: only petitioning is open.
    """
    # Built option by option (each a contiguous row), returned as (n, options).
    av = np.zeros((N_OPTIONS, len(stage)), dtype=bool)
    av[Option.LUMP] = True
    av[Option.PETITION] = True
    av[Option.NEGOTIATE] = stage < Layer.NEGOTIATION
    av[Option.VILLAGE] = (stage < Layer.VILLAGE) & village_open
    av[Option.TOWN] = stage < Layer.TOWN
    av[Option.COUNTY] = stage < Layer.COUNTY
    av[Option.COURT] = stage < Layer.COURT
    repeat = stage == Layer.PETITION
    av[:, repeat] = False
    av[Option.PETITION, repeat] = True
    return av.T


def logit_choice(utility: np.ndarray, available: np.ndarray, gumbel: np.ndarray) -> np.ndarray:
    """Pick the available option with the highest utility plus Gumbel noise (a logit draw)."""
    return best_available(utility, available, gumbel)  # the argmax of the masked sums


class Behaviour:
    """How residents claim, choose a channel and learn (subclass to change a rule).

    Parameters
    ----------
    model
        The model the residents live in; the rules read ``model.params`` (a
        :class:`~fazhi_sim.Params`) and ``model.levels`` (this month's lever levels); in a
        batch of differing parameters, a field is an array over a rule's rows.

    Examples
    --------
    Residents who never petition, in every run, ensemble and report:

    >>> import fazhi_sim as fs
    >>> class NoPetitions(fs.Behaviour):
    ...     def utilities(self, situation):
    ...         u = super().utilities(situation)
    ...         u[:, fs.Option.PETITION] = -1e9
    ...         return u
    >>> short = fs.baseline(end_year=2021)
    >>> df = fs.simulate(short, region="town", seed=1, model=NoPetitions)
    >>> float(df.query("metric == 'petitions'").value.sum())
    0.0
    >>> shipped = fs.simulate(short, region="town", seed=1)
    >>> bool(shipped.query("metric == 'petitions'").value.sum() > 0)
    True
    """

    def __init__(self, model: Any):
        self.model = model

    @property
    def params(self) -> Params:
        """The model's mechanism parameters."""
        return self.model.params

    @property
    def levels(self) -> dict[str, float]:
        """Lever levels of the current month."""
        return self.model.levels

    # -- naming, blaming, claiming
    def effective_awareness(self, awareness: np.ndarray, literate_tie: np.ndarray
                            ) -> np.ndarray:
        """Awareness at the moment of deciding: 法律明白人 and legal services close a gap share.

        Parameters
        ----------
        awareness
            Residents' legal awareness in [0, 1], shape (n,).
        literate_tie
            1.0 where the resident is a 法律明白人 or hears one (``model.literate_tie``),
            else 0.0, shape (n,).

        Returns
        -------
        ndarray
            Effective awareness, shape (n,).
        """
        p = self.params
        lift = weak(p.literacy_effect, literate_tie) * literate_tie
        lift = lift + weak(p.service_access_effect * self.levels["legal_service_access"], lift)
        return awareness + (1.0 - awareness) * np.minimum(lift, 1.0)

    def claim_probability(self, awareness: np.ndarray, litigiousness: np.ndarray) -> np.ndarray:
        """Chance a grievance is voiced as a claim (a logit in awareness and litigiousness).

        Parameters
        ----------
        awareness, litigiousness : ndarray of float
            The aggrieved residents' effective awareness and propensity to sue in [0, 1],
            shape (n,).

        Returns
        -------
        ndarray of float
            Probability of claiming, shape (n,).
        """
        p = self.params
        x = weak(p.claim_awareness, awareness) * awareness
        x = weak(p.claim_intercept, x) + x
        x = x + weak(p.claim_litigiousness, litigiousness) * litigiousness
        return 1.0 / (1.0 + np.exp(-x))

    def advice_probability(self, capacity: np.ndarray, claims: np.ndarray) -> np.ndarray:
        """Chance a new claimant gets the village legal adviser's advice, per village.

        A share ``advice_uptake`` of claimants seek advice; the adviser sees as many as
        ``capacity`` allows, so the chance saturates once capacity exceeds demand.

        Parameters
        ----------
        capacity
            Claimants each village's adviser can see this month, shape (villages,).
        claims
            New claims in each village this month, shape (villages,).

        Returns
        -------
        ndarray
            Probability per village, shape (villages,).
        """
        uptake = self.params.advice_uptake
        return np.minimum(uptake, capacity / np.maximum(claims, 1))

    # -- choosing a channel
    def available_options(self, stage: np.ndarray, village_open: np.ndarray) -> np.ndarray:
        """Options open to each dispute: the escalation ladder (:func:`available_options`).

        Parameters
        ----------
        stage : ndarray of int
            Highest :class:`Layer` each dispute has already failed at (-1 if new), shape (n,).
        village_open : ndarray of bool
            True where the dispute's village has an active mediation committee, shape (n,).

        Returns
        -------
        ndarray of bool
            Shape (n, options), columns in :class:`Option` order.
        """
        return available_options(stage, village_open)

    def utilities(self, s: Situation) -> np.ndarray:
        """Deterministic utility of each option for each dispute, shape (n, options).

        Terms (docs/model.md): an option constant plus the dispute type's affinity; trust,
        advice and online mediation for the mediation channels; Fengqiao-style units and
        centre integration for the town and county; awareness, litigiousness and the
        (online-court and legal-aid reduced) cost for court; grievance against awareness,
        trust, advice, early warning and public lawyers for petitions; expected queue months
        for all served channels; fatigue for giving up.

        Parameters
        ----------
        s : Situation
            What each choosing dispute weighs, one row per dispute (n rows).

        Returns
        -------
        ndarray of float
            Shape (n, options), columns in :class:`Option` order; unavailable options are
            masked later, by :func:`logit_choice`.
        """
        p, lv = self.params, self.levels
        # Option by option (each a contiguous row), returned as (n, options).
        u = _affinity_by_option().take(s.kind, axis=1)
        adv = s.advised.astype(float)
        mediation = p.b_trust * s.trust + p.b_advice_mediation * adv
        u[Option.LUMP] += p.b_fatigue * s.failures
        u[Option.NEGOTIATE] += p.asc_negotiate + p.b_advice_negotiate * adv
        u[Option.VILLAGE] += (p.asc_village + mediation
                              + p.b_online_mediation * lv["online_mediation_share"])
        u[Option.TOWN] += (p.asc_town + mediation
                           + p.b_fengqiao * lv["fengqiao_units_coverage"])
        u[Option.COUNTY] += (p.asc_county + p.county_mediation_weight * mediation
                             + p.b_centre * lv["county_centre"])
        u[Option.COURT] += self._court_utility(s)
        u[Option.PETITION] += self._petition_utility(s, adv)
        u -= p.b_wait * s.wait.T
        if s.literate_tie is not None:
            # A 法律明白人 among one's ties refers to village mediation, away from petitions.
            lit = s.literate_tie
            u[Option.VILLAGE] += weak(p.b_literacy_village, lit) * lit
            u[Option.PETITION] -= weak(p.b_literacy_petition, lit) * lit
        if s.reputation is not None:
            u += p.b_reputation * s.reputation.T
        return u.T

    def _court_utility(self, s: Situation) -> np.ndarray:
        p, lv = self.params, self.levels
        cost = p.court_cost * (1.0 - p.online_court_cost_cut * lv["online_court"]) * (
            1.0 - p.legal_aid_cost_cut * lv["legal_aid_coverage"])
        aware = weak(p.b_awareness_court, s.awareness) * s.awareness
        return (weak(p.asc_court, aware) + aware
                + p.b_litigiousness_court * s.litigiousness - cost)

    def _petition_utility(self, s: Situation, adv: np.ndarray) -> np.ndarray:
        # Grievance under low legitimacy (Epstein 2002): grievance pushes, awareness, trust
        # and advice hold back; early warning reaches those who already failed once.
        p, lv = self.params, self.levels
        after_failure = (s.stage >= Layer.NEGOTIATION).astype(float)
        return (p.asc_petition + p.b_grievance_petition * s.grievance
                - weak(p.b_awareness_petition, s.awareness) * s.awareness
                - p.b_trust_petition * s.trust
                - p.b_advice_petition * adv
                - p.b_early_warning * lv["early_warning"] * after_failure
                - p.b_public_lawyer * lv["public_lawyer_coverage"] * (s.kind == _ADMIN))

    def choose_channel(self, s: Situation, gumbel: np.ndarray) -> np.ndarray:
        """Each dispute's channel (an :class:`Option` per row): a multinomial logit draw.

        Parameters
        ----------
        s
            What each choosing dispute weighs, one row per dispute.
        gumbel
            Standard Gumbel noise, shape (n, options), from the model's random streams (so
            common random numbers hold across scenarios).

        Returns
        -------
        ndarray of int8
            One available option per row.
        """
        return logit_choice(self.utilities(s), s.available, gumbel)

    def negotiation_probability(self, advised: np.ndarray) -> np.ndarray:
        """Chance a direct negotiation settles, raised by a legal adviser's advice.

        Parameters
        ----------
        advised : ndarray of bool or float
            1 where the claimant was advised, shape (n,).

        Returns
        -------
        ndarray of float
            Probability of settling, shape (n,).
        """
        p = self.params
        neg = by_replicate(p, lambda q: logit(q.negotiate_success))
        return logistic(neg + p.success_advice * advised)

    # -- learning
    def learn_from_advice(self, awareness: np.ndarray) -> np.ndarray:
        """Awareness after a legal adviser's advice.

        Parameters
        ----------
        awareness : ndarray of float32
            The advised claimants' awareness in [0, 1], shape (n,).

        Returns
        -------
        ndarray of float32
            New awareness, shape (n,).
        """
        return awareness + np.float32(self.params.awareness_learning) * (1 - awareness)

    def learn_from_court(self, awareness: np.ndarray) -> np.ndarray:
        """Awareness after a trial (the court teaches the law it applies).

        Parameters
        ----------
        awareness : ndarray of float32
            The litigants' awareness in [0, 1], shape (n,).

        Returns
        -------
        ndarray of float32
            New awareness, shape (n,).
        """
        return awareness + np.float32(self.params.awareness_learning) * (1 - awareness)

    def learn_from_mediation(self, trust: np.ndarray, settled: np.ndarray) -> np.ndarray:
        """Trust in mediation after one, moved toward the outcome (1 settled, 0 not).

        Parameters
        ----------
        trust : ndarray of float32
            The parties' trust in mediation in [0, 1], shape (n,).
        settled : ndarray of bool
            True where the mediation settled, shape (n,).

        Returns
        -------
        ndarray of float32
            New trust, shape (n,).
        """
        rate = np.float32(self.params.trust_learning)
        return trust + rate * (settled.astype(np.float32) - trust)

    def word_of_mouth(self, values: np.ndarray, heard: np.ndarray, weight: np.ndarray
                      ) -> np.ndarray:
        """A listener's view after hearing one report along a tie (DeGroot: a step toward it).

        Parameters
        ----------
        values
            The listeners' current view (trust in mediation), shape (m,).
        heard
            What each reports: 1.0 the mediation settled, 0.0 it did not, shape (m,).
        weight
            Tie weight of each report, shape (m,).

        Returns
        -------
        ndarray
            The listeners' new view, shape (m,). Override for another rule: bounded
            confidence (ignore reports too far from one's view), simple contagion, ...
        """
        step = np.minimum(np.float32(self.params.word_of_mouth) * weight, np.float32(1.0))
        return values + step * (heard - values)

    def teach(self, awareness: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """Lasting yearly awareness gain from 法律明白人, per unit of tie weight to them.

        Parameters
        ----------
        awareness : ndarray of float32
            Residents' awareness in [0, 1], shape (n,).
        weight : ndarray of float32
            Each resident's total tie weight to 法律明白人, shape (n,).

        Returns
        -------
        ndarray of float32
            New awareness, shape (n,).
        """
        rate = np.minimum(np.float32(self.params.literacy_learning) * weight, np.float32(1.0))
        return awareness + rate * (1 - awareness)

    # -- grievance (Epstein 2002)
    def grievance_factor(self) -> float:
        """Share of grievance build-up left by counselling (社会心理服务).

        Returns
        -------
        float
            In [0, 1]; 1 without counselling.
        """
        return 1 - self.params.psych_grievance_cut * self.levels["psychological_services"]

    def grievance_from_failure(self) -> float:
        """Grievance a failed step adds to the dispute.

        Returns
        -------
        float
            Added grievance, after counselling (:meth:`grievance_factor`).
        """
        return self.params.grievance_fail * self.grievance_factor()

    def grievance_from_waiting(self) -> float:
        """Grievance a month in a queue adds to the dispute.

        Returns
        -------
        float
            Added grievance per month, after counselling (:meth:`grievance_factor`).
        """
        return self.params.grievance_wait * self.grievance_factor()

    def grievance_after_resolution(self, grievance: np.ndarray) -> np.ndarray:
        """A claimant's carried grievance once their dispute is resolved.

        Parameters
        ----------
        grievance : ndarray of float32
            The claimants' grievance, shape (n,).

        Returns
        -------
        ndarray of float32
            Carried grievance, shape (n,).
        """
        return grievance * np.float32(self.params.grievance_resolution_keep)

    def grievance_after_year(self, grievance: np.ndarray) -> np.ndarray:
        """Carried grievance a year later (old grievances fade).

        Parameters
        ----------
        grievance : ndarray of float32
            Residents' carried grievance, shape (n,).

        Returns
        -------
        ndarray of float32
            Grievance a year on, shape (n,).
        """
        return grievance * np.float32(self.params.grievance_yearly_keep)
