"""Handling times: the days each layer takes over a case, bounded by its statutory limit.

One place for the distribution, so the engine (:meth:`DisputeFlow.handled`) and the per-agent
reference model draw alike; each passes its own uniforms. Handling time is bookkeeping only:
it adds to a dispute's ``elapsed`` and feeds the months-to-resolution metrics, never a choice
or a queue.

Each layer's days are lognormal with mean ``handling_days_<layer>`` and coefficient of
variation ``handling_cv_*``, truncated at the layer's limit ``limit_days_*`` (docs/model.md
7.18). A trial is a small claim (小额诉讼, 2 months) with the probability the lever
``small_claims_share`` gives, else on the simple track (简易程序, 3 months) with probability
``simple_procedure_share``, else on the ordinary procedure (6 months).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import ndtr, ndtri

from .params import Params
from .replicate_params import RowParams

__all__ = ["DAYS_PER_MONTH", "HANDLING_LAYERS", "handling_months", "truncated_lognormal"]

DAYS_PER_MONTH = 30.4
"""Days in a model month (365 / 12, rounded as courts' statistics do)."""

HANDLING_LAYERS = ("negotiation", "village", "town", "county", "prefiling", "court",
                   "enforcement", "petition")
"""Layers that take time over a case; the index is the draw's sub-purpose."""

_SPEC = {  # layer: (mean days, coefficient of variation, limit in days), as Params fields
    "negotiation": ("handling_days_negotiation", "handling_cv_mediation",
                    "limit_days_negotiation"),
    "village": ("handling_days_village", "handling_cv_mediation", "limit_days_mediation"),
    "town": ("handling_days_town", "handling_cv_mediation", "limit_days_mediation"),
    "county": ("handling_days_county", "handling_cv_mediation", "limit_days_mediation"),
    "prefiling": ("handling_days_prefiling", "handling_cv_mediation", "limit_days_prefiling"),
    "small_claims": ("handling_days_small_claims", "handling_cv_court",
                     "limit_days_small_claims"),
    "simple": ("handling_days_simple", "handling_cv_court", "limit_days_simple"),
    "ordinary": ("handling_days_ordinary", "handling_cv_court", "limit_days_ordinary"),
    "enforcement": ("handling_days_enforcement", "handling_cv_enforcement",
                    "limit_days_enforcement"),
    "petition": ("handling_days_petition", "handling_cv_petition", "limit_days_petition"),
}


def truncated_lognormal(u: np.ndarray, mean: float, cv: float, limit: float) -> np.ndarray:
    """Lognormal days (``mean``, ``cv`` before truncation) cut at ``limit``, by inversion.

    Inversion keeps one uniform per case, so a case's draw does not depend on other cases.
    """
    mu, sigma, top = _shape(float(mean), float(cv), float(limit))
    u = np.asarray(u, float)
    if u.ndim == 0:
        return np.exp(mu + sigma * ndtri(u * top))
    x = u * top
    ndtri(x, out=x)  # (in place: the same numbers, fewer arrays)
    x *= sigma
    x += mu
    return np.exp(x, out=x)


@functools.lru_cache(maxsize=256)
def _shape(mean: float, cv: float, limit: float) -> tuple[np.float64, np.float64, np.float64]:
    # The same few (mean, cv, limit) come back every month: their scalar maths, once.
    sigma = np.sqrt(np.log1p(np.float64(cv) * cv))
    mu = np.log(mean) - sigma * sigma / 2
    top = ndtr((np.log(limit) - mu) / sigma)
    return mu, sigma, top


def handling_months(params: Params, layer: str, u: np.ndarray, small_claims: float = 0.0
                    ) -> np.ndarray:
    """Months ``layer`` takes over each case, from one uniform in (0, 1) per case.

    ``small_claims`` is the share of trials heard as small claims (the lever's level).
    """
    u = np.asarray(u, float)
    if isinstance(params, RowParams):  # a batch whose replicates differ: per row
        return _rows_months(params, layer, u, small_claims)
    if layer != "court":
        days = _days(params, layer, u)
        days /= DAYS_PER_MONTH
        return days
    simple = small_claims + (1 - small_claims) * params.simple_procedure_share
    edges = (0.0, small_claims, simple, 1.0)
    # One uniform picks the track and, rescaled within it, is again uniform for the days;
    # every case at once, each with its track's numbers.
    track = (u >= small_claims).astype(np.intp) + (u >= simple)
    lo, width, mu, sigma, top = (x[track] for x in _court_tracks(params, edges))
    return np.exp(mu + sigma * ndtri((u - lo) / width * top)) / DAYS_PER_MONTH


def _court_tracks(params: Params, edges: tuple[float, ...]) -> tuple[np.ndarray, ...]:
    # Per trial track: lower edge, width, and the lognormal's mu, sigma and top.
    shapes = [_shape(*(float(getattr(params, name)) for name in _SPEC[track]))
              for track in ("small_claims", "simple", "ordinary")]
    lo = np.array(edges[:-1])
    width = np.array([max(hi - a, 1e-300) for a, hi in zip(edges[:-1], edges[1:], strict=True)])
    return (lo, width, *(np.array(x) for x in zip(*shapes, strict=True)))


def _days(params: Params, track: str, u: np.ndarray) -> np.ndarray:
    mean, cv, limit = _SPEC[track]
    return truncated_lognormal(u, getattr(params, mean), getattr(params, cv),
                               getattr(params, limit))


def _rows_months(params: RowParams, layer: str, u: np.ndarray, small_claims: float
                 ) -> np.ndarray:
    # As handling_months, with each row's replicate's lognormal shape and trial tracks: the
    # same arithmetic on per-row arrays in place of numbers.
    if layer != "court":
        mu, sigma, top = params.columns_of(_SHAPES[layer])
        x = u * top
        ndtri(x, out=x)
        x *= sigma
        x += mu
        return np.exp(x, out=x) / DAYS_PER_MONTH
    simple = small_claims + (1 - small_claims) * params.simple_procedure_share
    track = (u >= small_claims).astype(np.intp) + (u >= simple)
    lo = np.where(track == 0, 0.0, np.where(track == 1, small_claims, simple))
    width = np.where(track == 0, max(small_claims - 0.0, 1e-300), np.where(
        track == 1, np.maximum(simple - small_claims, 1e-300), np.maximum(1.0 - simple, 1e-300)))
    shapes = params.of(_court_shapes)  # (rows, track, mu/sigma/top)
    rows = np.arange(len(u))
    mu, sigma, top = (shapes[rows, track, i] for i in range(3))
    return np.exp(mu + sigma * ndtri((u - lo) / width * top)) / DAYS_PER_MONTH


def _shape_of(track: str, params: Params) -> tuple[np.float64, ...]:
    return _shape(*(float(getattr(params, name)) for name in _SPEC[track]))


def _court_shapes(params: Params) -> list[tuple[np.float64, ...]]:
    return [_shape_of(track, params) for track in ("small_claims", "simple", "ordinary")]


# One function per layer, so a batch works out each replicate's shape once.
_SHAPES = {layer: functools.partial(_shape_of, layer) for layer in _SPEC}
