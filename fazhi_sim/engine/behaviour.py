"""Resident behaviour: claiming, channel choice and learning, vectorised over disputes.

Channel choice is a multinomial logit (McFadden) over the options in :class:`Option`. The
utilities are built here from named terms so a researcher can read, change or replace them;
:meth:`fazhi_sim.DisputeModel.choose_channel` is the one method to override for a
different choice rule.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from .disputes import TYPES, Layer, Option
from .params import Params

__all__ = [
    "Situation", "channel_utilities", "available_options", "logit_choice", "claim_probability",
    "type_table", "effective_awareness", "advice_probability",
]

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
    (keys its random draws; optional).
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


def effective_awareness(
    awareness: np.ndarray, literacy_covered: np.ndarray, params: Params, levels: Mapping
) -> np.ndarray:
    """Awareness at the moment of deciding: 法律明白人 and legal services close part of the gap."""
    lift = params.literacy_effect * literacy_covered
    lift = lift + params.service_access_effect * levels["legal_service_access"]
    return awareness + (1.0 - awareness) * np.minimum(lift, 1.0)


def claim_probability(
    awareness: np.ndarray, litigiousness: np.ndarray, params: Params
) -> np.ndarray:
    """Chance a grievance is voiced as a claim (naming, blaming, claiming)."""
    x = params.claim_intercept + params.claim_awareness * awareness
    x = x + params.claim_litigiousness * litigiousness
    return 1.0 / (1.0 + np.exp(-x))


def advice_probability(hours: float, params: Params) -> float:
    """Chance a claimant in a village with a legal adviser gets advice, from hours on site."""
    return hours / (hours + params.adviser_hours_half)


def available_options(stage: np.ndarray, village_open: np.ndarray) -> np.ndarray:
    """The escalation ladder: after failing at a layer only higher layers remain.

    Lumping it and petitioning are always open; negotiating only for a new claim; village
    mediation only where the village has an active committee. A dispute that failed in court
    (enforcement) can petition or give up. ``stage == PETITION`` marks a petitioner who has
    decided to come back: only petitioning is open.
    """
    n = len(stage)
    av = np.zeros((n, N_OPTIONS), dtype=bool)
    av[:, Option.LUMP] = True
    av[:, Option.PETITION] = True
    av[:, Option.NEGOTIATE] = stage < Layer.NEGOTIATION
    av[:, Option.VILLAGE] = (stage < Layer.VILLAGE) & village_open
    av[:, Option.TOWN] = stage < Layer.TOWN
    av[:, Option.COUNTY] = stage < Layer.COUNTY
    av[:, Option.COURT] = stage < Layer.COURT
    repeat = stage == Layer.PETITION
    av[repeat] = False
    av[repeat, Option.PETITION] = True
    return av


def channel_utilities(s: Situation, params: Params, levels: Mapping) -> np.ndarray:
    """Deterministic utility of each option for each dispute, shape (n, options).

    Terms (all documented in docs/model.md): an option constant plus the dispute type's
    affinity; trust, advice and online mediation for the mediation channels; Fengqiao-style
    units and centre integration for the town and county; awareness, litigiousness and the
    (online-court and legal-aid reduced) cost for court; grievance against awareness, trust,
    advice, early warning and public lawyers for petitions; expected queue months for all
    served channels; fatigue for giving up.
    """
    p, lv = params, levels
    n = len(s.kind)
    u = np.zeros((n, N_OPTIONS))
    u += type_table()["affinity"][s.kind]
    adv = s.advised.astype(float)
    mediation = p.b_trust * s.trust + p.b_advice_mediation * adv
    u[:, Option.LUMP] += p.b_fatigue * s.failures
    u[:, Option.NEGOTIATE] += p.asc_negotiate + p.b_advice_negotiate * adv
    u[:, Option.VILLAGE] += (p.asc_village + mediation
                             + p.b_online_mediation * lv["online_mediation_share"])
    u[:, Option.TOWN] += p.asc_town + mediation + p.b_fengqiao * lv["fengqiao_units_coverage"]
    u[:, Option.COUNTY] += p.asc_county + 0.5 * mediation + p.b_centre * lv["county_centre"]
    cost = p.court_cost * (1.0 - p.online_court_cost_cut * lv["online_court"]) * (
        1.0 - p.legal_aid_cost_cut * lv["legal_aid_coverage"])
    u[:, Option.COURT] += (p.asc_court + p.b_awareness_court * s.awareness
                           + p.b_litigiousness_court * s.litigiousness - cost)
    after_failure = (s.stage >= Layer.NEGOTIATION).astype(float)
    u[:, Option.PETITION] += (
        p.asc_petition + p.b_grievance_petition * s.grievance
        - p.b_awareness_petition * s.awareness - p.b_trust_petition * s.trust
        - p.b_advice_petition * adv
        - p.b_early_warning * lv["early_warning"] * after_failure
        - p.b_public_lawyer * lv["public_lawyer_coverage"] * (s.kind == _ADMIN)
    )
    u -= p.b_wait * s.wait
    return u


def logit_choice(utility: np.ndarray, available: np.ndarray, gumbel: np.ndarray) -> np.ndarray:
    """Pick the available option with the highest utility plus Gumbel noise (a logit draw)."""
    noisy = np.where(available, utility + gumbel, -np.inf)
    return noisy.argmax(axis=1).astype(np.int8)


def learn_trust(trust: np.ndarray, settled: np.ndarray, rate: float) -> np.ndarray:
    """Move trust in mediation toward the outcome just seen (1 settled, 0 not)."""
    return trust + np.float32(rate) * (settled.astype(np.float32) - trust)
