"""Months to resolution per period and county: median, mean and 90th percentile.

The figures are bit for bit those of pandas' groupby ``median``, ``mean`` and
``quantile(0.9)`` over a run's resolution times, worked out with one sort for all groups
rather than a groupby per replicate (a batch's tally holds every replicate's times).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DURATIONS", "duration_stats", "group_order"]

DURATIONS = ("median_months_to_resolution", "mean_months_to_resolution",
             "p90_months_to_resolution")


def duration_stats(t: np.ndarray, county: np.ndarray, month: np.ndarray,
                   year_of_month: np.ndarray, n_years: int, nc: int, reps: int = 1,
                   whole: bool = True) -> dict[str, np.ndarray]:
    """Median, mean and 90th percentile of the times ``t``, per period and county.

    Parameters
    ----------
    t, county, month
        Each resolution's months (NaN: missing), county (across a batch's replicates,
        ``nc`` each) and the month it was recorded in.
    year_of_month
        Each month's period (-1 in the warm-up, which is left out).
    n_years, nc, reps
        Periods, counties per replicate and replicates.
    whole
        Also the median and percentile of the whole region (left NaN otherwise: a region of
        one county reports the county only).

    Returns
    -------
    dict
        Per name of :data:`DURATIONS`, shape (periods, replicates x (counties + 1)): per
        period, replicate by replicate, the counties then the whole region.
    """
    width = nc + 1
    out = {m: np.full((n_years, reps * width), np.nan) for m in DURATIONS}
    # A key per (period, replicate, county) with a spare slot per (period, replicate) for
    # the region, and the warm-up (and missing times) past the last group.
    n_groups = n_years * reps * width
    base = np.where(year_of_month >= 0, year_of_month * reps * width, n_groups)
    key = base.astype(np.int32)[month] + county
    if reps > 1:
        key += county // nc
    key[np.isnan(t)] = n_groups
    bound = np.concatenate(([0], np.cumsum(np.bincount(key, minlength=n_groups)
                                           [:n_groups])))
    grouped = t[group_order(key, n_groups + reps * width)]
    csum = np.zeros(len(t) + 1)
    np.cumsum(grouped, dtype=float, out=csum[1:])
    start = bound[:-1].copy()
    start[nc::width] = start[::width]  # the region spans its counties
    median, mean, p90 = (out[m].reshape(-1) for m in DURATIONS)
    # Non-negative float32s order as their bits do, and integers partition faster.
    bits = t.dtype == np.float32 and not np.signbit(t).any()
    select = grouped.view(np.uint32) if bits else grouped
    groups = np.flatnonzero(bound[1:] > start)
    if not whole:  # (a region's own group repeats its one county's: not reported)
        groups = groups[groups % width != nc]
    for g in groups:
        median[g], p90[g] = _median_p90(select[start[g]:bound[g + 1]], t.dtype)
    if bits and _sums_exact(t, csum[-1]):
        with np.errstate(invalid="ignore"):
            mean[:] = (csum[bound[1:]] - csum[start]) / (bound[1:] - start)
    else:
        mean[:] = _pandas_means(t, year_of_month[month], county, nc, reps, n_years)
    return out


def group_order(key: np.ndarray, n: int) -> np.ndarray:
    """Indices that put ``key`` (values below ``n``) in order, equal keys in their order."""
    # numpy sorts 16-bit integers stably by radix sort, far faster than wider ones.
    return np.argsort(key.astype(np.uint16) if n <= 1 << 16 else key, kind="stable")


def _median_p90(x: np.ndarray, dtype: np.dtype) -> tuple[float, float]:
    """Median and 90th percentile of ``x`` as pandas' groupby computes them.

    ``x`` is a non-empty group without NaN, of ``dtype`` or its bits, and is reordered in
    place. Between neighbours pandas interpolates as ``a + (b - a) * frac`` (numpy's differs).
    """
    n = len(x)
    q = 0.9 * (n - 1)
    lo, frac, mid = int(q), q % 1, n // 2
    at = [max(mid - 1, 0), mid, lo, min(lo + 1, n - 1)]
    x.partition(sorted(set(at)))
    below, middle, a, b = x[at].view(dtype).astype(float).tolist()
    median = middle if n % 2 else (middle + below) / 2
    return median, a if frac == 0 else a + (b - a) * frac


def _sums_exact(t: np.ndarray, total: float) -> bool:
    """Whether every float64 sum of some of the non-negative float32s ``t`` is exact.

    Each value is a multiple of the smallest one's last mantissa bit, so every partial sum is
    exact, whatever the order and the grouping (pandas sums with Kahan's compensation), while
    the ``total`` stays below 2**53 such units (halved for safety).
    """
    smallest = np.min(t, where=t > 0, initial=np.inf)
    if smallest == np.inf:
        return True
    return bool(total < 2.0 ** (52 + np.frexp(smallest)[1] - 24))


def _pandas_means(t: np.ndarray, year: np.ndarray, county: np.ndarray, nc: int, reps: int,
                  n_years: int) -> np.ndarray:
    """Mean of ``t`` per (period, replicate, county or region) by pandas' groupby.

    pandas sums groups given in order with ``reduceat`` and others with Kahan's compensation,
    so each replicate is grouped on its own, counties then years, as an unbatched run is.
    """
    width = nc + 1
    out = np.full((n_years, reps, width), np.nan)
    for r in range(reps):
        rows = (year >= 0) & (county // nc == r)
        x = pd.Series(t[rows].astype(float))
        by_county = x.groupby(year[rows] * width + county[rows] - r * nc).mean()
        by_year = x.groupby(year[rows]).mean()
        slot = by_county.index.to_numpy()
        out[slot // width, r, slot % width] = by_county.to_numpy()
        out[by_year.index.to_numpy(), r, nc] = by_year.to_numpy()
    return out.reshape(-1)
