"""Compiled passes of a few shipped rules, for a run whose parameters are plain numbers.

Each rule here runs every month on a few dozen rows or units, where a dozen numpy
operations cost far more in calls than in work. Each kernel repeats its rule's numpy formula
step for step in the same types, so every number is what the formula gives; the rule's own
method keeps the formula, which it still runs for a batch whose replicates differ in the
parameters (one value per row) and which is the one to read and to override.
"""

from __future__ import annotations

import numba
import numpy as np

from .disputes import CentreRoute, Layer

__all__ = ["expected_wait", "learned_reputation", "triage_routes"]

_NJIT = {"cache": True, "nogil": True}
_MEDIATION, _COURT = int(CentreRoute.MEDIATION), int(CentreRoute.COURT)
_LEGAL, _DESK = int(CentreRoute.LEGAL), int(CentreRoute.PETITION_DESK)
_COUNTY_LAYER, _COURT_LAYER = int(Layer.COUNTY), int(Layer.COURT)


@numba.njit(**_NJIT)
def expected_wait(unit, capacity, floor, old, memory):  # noqa: ANN001, ANN201
    """Each unit's expected wait after a month, as one exponential-average step.

    ``now = bincount(unit) / maximum(capacity, floor)``, then ``old + memory * (now - old)``
    (``old`` of length 0: ``now`` stands for it, as for a first month).
    """
    counts = np.zeros(capacity.shape[0], np.int64)
    for i in range(unit.shape[0]):
        counts[unit[i]] += 1
    out = np.empty(capacity.shape[0])
    first = old.shape[0] == 0
    for i in range(capacity.shape[0]):
        now = counts[i] / max(capacity[i], floor)
        was = now if first else old[i]
        out[i] = was + memory * (now - was)
    return out


@numba.njit(**_NJIT)
def learned_reputation(old, taken, lasting, rate):  # noqa: ANN001, ANN201
    """``Institution.learn_reputation``: a step ``rate`` toward the lasting share, if any taken."""
    out = np.empty(old.shape[0])
    for i in range(old.shape[0]):
        if taken[i] > 0:
            share = lasting[i] / max(taken[i], 1)
            out[i] = old[i] + rate * (share - old[i])
        else:
            out[i] = old[i]
    return out


@numba.njit(**_NJIT)
def triage_routes(u, petition, advised, stage, desk_share, legal_share, court_share, g):  # noqa: ANN001, ANN201, PLR0913
    """``CountyCentre.triage``: each case's :class:`CentreRoute` (int8), row by row."""
    route = np.empty(u.shape[0], np.int8)
    legal_at = g * legal_share
    court_at = g * court_share
    for i in range(u.shape[0]):
        desk = desk_share if petition[i] else 0.0
        v = (u[i] - desk) / max(1.0 - desk, 1e-12) if petition[i] else u[i]
        legal = 0.0 if advised[i] else legal_at
        r = _MEDIATION
        if v < legal + court_at:
            r = _COURT
        if v < legal:
            r = _LEGAL
        if u[i] < desk:
            r = _DESK
        if (r == _MEDIATION and stage[i] >= _COUNTY_LAYER) or (
                r == _COURT and stage[i] >= _COURT_LAYER):
            r = _DESK
        route[i] = r
    return route
