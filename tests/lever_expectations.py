"""First-order expectations of lever effects, worked out from the mechanism and Params.

Each function gives a relative change (new / old - 1) of one outcome when levers move between
two sets of levels, everything else at its 2020 level. They follow the formulas in
fazhi_sim/engine (institutions.py, behaviour.py, flow.py, service.py) to first order, with no
feedback through queues, learning or carried grievance. The tests use them as the centre or
the ceiling of a tolerance band; none is fitted to a simulation, and every input is a
``Params`` field or a lever level from the catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy.stats import poisson

from fazhi_sim.engine.behaviour import type_table
from fazhi_sim.engine.handling import DAYS_PER_MONTH, handling_months
from fazhi_sim.engine.measures import LEVERS
from fazhi_sim.engine.params import Params

BASE = {lid: lv.baseline for lid, lv in LEVERS.items()}
"""Every lever at its 2020 level."""


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def levels(**changed: float) -> dict[str, float]:
    """2020 levels with some levers changed."""
    return {**BASE, **changed}


def advised_share(p: Params, lv: Mapping[str, float], claims: np.ndarray | None = None
                  ) -> float:
    """Share of claimants advised: each village's adviser sees up to lawyers x hours x
    consultations an hour, of the ``advice_uptake`` share who seek advice.

    ``claims`` is the mean number of new claims per village a month (one entry per
    village); without it, advice is taken as never short of hours.
    """
    capacity = lv["lawyers_per_village"] * lv["lawyer_hours_per_month"] * p.consultations_per_hour
    if claims is None:
        return p.advice_uptake if capacity > 0 else 0.0
    claims = np.asarray(claims, float)
    chance = np.minimum(p.advice_uptake, capacity / np.maximum(claims, 1e-12))
    return float((claims * chance).sum() / claims.sum())


def mean_trial_days(p: Params, small_claims: float) -> float:
    """Mean days of a trial when a share ``small_claims`` is heard as small claims (the
    engine's handling draw, averaged over a fine grid of its uniform)."""
    u = (np.arange(20_000) + 0.5) / 20_000
    return float(handling_months(p, "court", u, small_claims).mean() * DAYS_PER_MONTH)


def prefiling_hold_share(p: Params, lv: Mapping[str, float]) -> float:
    """Share of pre-filing mediations that settle and hold (advice raises success; a share
    of agreements relapses, fewer when judicially confirmed); the rest are filed."""
    a = advised_share(p, lv)
    success = ((1 - a) * p.prefiling_success
               + a * logistic(logit(p.prefiling_success) + p.success_advice))
    relapse = p.relapse * (1 - p.confirmation_relapse_cut * lv["judicial_confirmation_share"])
    return success * (1 - relapse)


def relapse_change(p: Params, confirmation_change: float) -> float:
    """Relapses of mediated agreements: ``relapse x (1 - cut x confirmed share)``, from the
    2020 confirmed share to ``confirmation_change`` above it."""
    c0 = BASE["judicial_confirmation_share"]
    cut = p.confirmation_relapse_cut
    return (1 - cut * (c0 + confirmation_change)) / (1 - cut * c0) - 1


def mediated_share(p: Params, share: float, arrivals_per_10k: float | None,
                   population: float | None = None) -> float:
    """Share of court arrivals that pre-filing mediation takes up, of ``share`` diverted.

    Court-annexed mediators take up to ``prefiling_per_10k`` a month (stochastically
    rounded); a county's diverted disputes in a month are Poisson with mean ``share`` times
    its monthly arrivals, and the overflow is filed. Without ``arrivals_per_10k`` capacity
    is not checked; without ``population`` it binds on the mean only.
    """
    if arrivals_per_10k is None:
        return share
    if population is None:
        return min(share, 12 * p.prefiling_per_10k / arrivals_per_10k)
    arrivals = arrivals_per_10k * population / 1e4 / 12
    cap = p.prefiling_per_10k * population / 1e4
    lam = share * arrivals
    k = np.arange(int(lam + 10 * math.sqrt(lam + 1) + cap + 10))
    pmf = poisson.pmf(k, lam)
    low, frac = math.floor(cap), cap - math.floor(cap)
    taken = (1 - frac) * np.minimum(k, low) + frac * np.minimum(k, low + 1)
    return float((taken * pmf).sum() / arrivals)


def pre_filing_lawsuit_change(p: Params, lo: float, hi: float,
                              arrivals_per_10k: float | None = None,
                              population: float | None = None) -> float:
    """Lawsuits are court arrivals times (1 - mediated share x share that settles and holds).

    The mediated share is the diverted share, up to what court-annexed mediators can take
    (:func:`mediated_share`); the overflow is filed.
    """
    q = prefiling_hold_share(p, BASE)
    m_lo = mediated_share(p, lo, arrivals_per_10k, population)
    m_hi = mediated_share(p, hi, arrivals_per_10k, population)
    return (1 - m_hi * q) / (1 - m_lo * q) - 1


def abusive_lawsuit_change(p: Params, lo: float, hi: float) -> float:
    """A share ``abusive_share x screening`` of filings is refused and never counted."""
    return (1 - p.abusive_share * hi) / (1 - p.abusive_share * lo) - 1


def grievances_per_10k(p: Params, compact: float) -> float:
    """Grievances a year per 10,000 residents left after village compacts prevent some."""
    tt = type_table()
    rates = tt["rate_per_10k"] * p.grievance_rate_scale
    rates = np.where(tt["compact_sensitive"], rates * (1 - p.compact_effect * compact), rates)
    return float(rates.sum())


def compact_grievance_change(p: Params, lo: float, hi: float) -> float:
    """Exact in expectation: compacts thin compact-sensitive grievances by a fixed share."""
    return grievances_per_10k(p, hi) / grievances_per_10k(p, lo) - 1


def defaulter_stock_change(p: Params, before: Mapping[str, float],
                           after: Mapping[str, float], years: int = 2) -> float:
    """Mean year-end defaulter stock over ``years`` against the steady state before.

    Listings flow in with unperformed judgments, ``1 - performance`` where performance is
    ``voluntary + (1 - voluntary) x credit_performance x credit``; a share
    ``defaulter_exit + credit_exit x credit`` leaves each month. The stock starts at the
    steady state of ``before`` (the shipped ``initial_defaulters_per_10k`` is that state)
    and moves month by month toward the new one.
    """
    def inflow(lv):
        v = lv["voluntary_performance_rate"]
        return 1 - (v + (1 - v) * p.credit_performance * lv["credit_enforcement"])

    def exit_share(lv):
        return p.defaulter_exit + p.credit_exit * lv["credit_enforcement"]

    s0 = inflow(before) / exit_share(before)
    s, year_ends = s0, []
    for month in range(1, 12 * years + 1):
        s = s * (1 - exit_share(after)) + inflow(after)
        if month % 12 == 0:
            year_ends.append(s)
    return float(np.mean(year_ends)) / s0 - 1


def repeat_petition_change(p: Params, before: Mapping[str, float],
                           after: Mapping[str, float]) -> float:
    """Repeat lodgings per first lodging, y / (1 - y), a geometric series.

    ``y`` is the chance one lodging leads to another: not routed into a lawful channel,
    not settled by the office, and the petitioner comes back (petition agents raise the
    office's settlements and cut comebacks). Ignores petitioners past court, who cannot be
    routed, and routed petitioners who fail there and petition again.
    """
    def y(lv):
        a = lv["petition_agency"]
        settle = min(1.0, p.petition_resolve + p.agency_resolve * a)
        back = p.petition_repeat * (1 - p.agency_repeat_cut * a)
        return (1 - lv["petition_routing"]) * (1 - settle) * back

    return (y(after) / (1 - y(after))) / (y(before) / (1 - y(before))) - 1


def claim_change(p: Params, lift: float, claim_share: float) -> float:
    """Disputes (claims) when the awareness gap closes by ``lift`` (population mean).

    Effective awareness rises by ``lift x (1 - awareness)``; the claim logit by
    ``claim_awareness`` times that; d log P = (1 - P) d logit.
    """
    return (1 - claim_share) * p.claim_awareness * lift * (1 - p.awareness_mean)


def petition_change(p: Params, reach: float, lift: float, extra: float = 0.0) -> float:
    """Petitions when the awareness gap closes by ``lift`` for a share ``reach`` of
    residents: the petition utility falls by ``b_awareness_petition`` times the awareness
    gained (plus ``extra``), which multiplies a small choice share by exp(-du)."""
    du = p.b_awareness_petition * lift * (1 - p.awareness_mean) + extra
    return reach * (math.exp(-du) - 1)


def court_utility_change(p: Params, before: Mapping[str, float],
                         after: Mapping[str, float]) -> float:
    """Rise in the court option's utility: its cost falls with online courts and legal aid."""
    def cost(lv):
        return (p.court_cost * (1 - p.online_court_cost_cut * lv["online_court"])
                * (1 - p.legal_aid_cost_cut * lv["legal_aid_coverage"]))

    return cost(before) - cost(after)


def logit_ceiling(du: float) -> float:
    """Most a utility change ``du`` can change one option's choice count: exp(du) - 1,
    reached only when the option's share is small and nobody switches in later."""
    return math.exp(du) - 1
