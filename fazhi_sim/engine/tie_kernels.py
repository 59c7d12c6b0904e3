"""Compiled steps along the ties (numba): word of mouth and the reach of 法律明白人.

Each replaces a handful of numpy operations (gathers from the CSR arrays, sorts, unions)
with one call and gives the same numbers: sums of tie weights are sums of small whole
numbers, exact in any order; sets come back sorted, as ``np.unique`` and ``np.union1d``
return them.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["best_in_blocks", "gather_ties", "scatter_add_clip", "reach_in_village", "nonzero_rows",
           "fill_blocks"]

_NJIT = {"cache": True, "nogil": True}


@numba.njit(**_NJIT)
def gather_ties(indptr, indices, data, rows):  # noqa: ANN001, ANN201
    """The ties of ``rows`` in CSR order: targets (int64), weights and count per row."""
    count = np.empty(rows.shape[0], np.int64)
    total = 0
    for i in range(rows.shape[0]):
        count[i] = indptr[rows[i] + 1] - indptr[rows[i]]
        total += count[i]
    who = np.empty(total, np.int64)
    weight = np.empty(total, data.dtype)
    k = 0
    for i in range(rows.shape[0]):
        for t in range(indptr[rows[i]], indptr[rows[i] + 1]):
            who[k] = indices[t]
            weight[k] = data[t]
            k += 1
    return who, weight, count


@numba.njit(**_NJIT)
def scatter_add_clip(values, rows, delta):  # noqa: ANN001, ANN201
    """``np.add.at(values, rows, delta)`` then ``values[rows]`` clipped to [0, 1]."""
    for i in range(rows.shape[0]):
        values[rows[i]] += delta[i]
    for i in range(rows.shape[0]):
        v = values[rows[i]]
        if v < 0.0:
            values[rows[i]] = 0.0
        elif v > 1.0:
            values[rows[i]] = 1.0


@numba.njit(**_NJIT)
def _audience(indptr, indices, data, village, rows):  # noqa: ANN001, ANN202
    # Whom ``rows`` talk to in their own village over ties of positive weight.
    n = 0
    for i in range(rows.shape[0]):
        n += indptr[rows[i] + 1] - indptr[rows[i]]
    who = np.empty(n, np.int64)
    weight = np.empty(n, np.float64)
    k = 0
    for i in range(rows.shape[0]):
        r = rows[i]
        for t in range(indptr[r], indptr[r + 1]):
            w = indices[t]
            if village[w] == village[r] and data[t] > 0:
                who[k] = w
                weight[k] = np.float32(data[t])
                k += 1
    return who[:k], weight[:k]


@numba.njit(**_NJIT)
def reach_in_village(indptr, indices, data, village, literate):  # noqa: ANN001, ANN201
    """Whom the ``literate`` talk to in their village, and who is within two ties.

    Returns the residents reached (sorted), the summed tie weight from the literate
    (float32), and everyone within two ties (sorted, the literate included).
    """
    who, w = _audience(indptr, indices, data, village, literate)
    reached = np.unique(who)
    weight = np.zeros(reached.shape[0], np.float64)
    for i in range(who.shape[0]):
        weight[np.searchsorted(reached, who[i])] += w[i]
    first = np.unique(np.concatenate((literate.astype(np.int64), reached)))
    second, _ = _audience(indptr, indices, data, village, first)
    near = np.unique(np.concatenate((first, second)))
    return reached, weight.astype(np.float32), near


@numba.njit(**_NJIT)
def nonzero_rows(values):  # noqa: ANN001, ANN201
    """``np.flatnonzero(values)``, one pass to count and one to fill."""
    n = 0
    for i in range(values.shape[0]):
        if values[i] != 0:
            n += 1
    out = np.empty(n, np.int64)
    k = 0
    for i in range(values.shape[0]):
        if values[i] != 0:
            out[k] = i
            k += 1
    return out


@numba.njit(**_NJIT)
def fill_blocks(values, starts, sizes, x):  # noqa: ANN001, ANN201
    """Set ``values[start:start + size]`` to ``x`` for each block."""
    for b in range(starts.shape[0]):
        for i in range(starts[b], starts[b] + sizes[b]):
            values[i] = x


@numba.njit(**_NJIT)
def best_in_blocks(heard_from, noise, starts, sizes, per_block):  # noqa: ANN001, ANN201
    """In each block of rows, the ``per_block`` of highest ``heard_from + noise * 0.5``.

    Returns the rows picked, in ascending order.
    """
    total = 0
    for b in range(starts.shape[0]):
        total += min(per_block, sizes[b])
    out = np.empty(total, np.int64)
    k = 0
    for b in range(starts.shape[0]):
        take = min(per_block, sizes[b])
        if take <= 0:
            continue
        best = np.empty(take, np.int64)
        score = np.empty(take)
        for i in range(starts[b], starts[b] + sizes[b]):
            s = heard_from[i] + noise[i] * 0.5
            j = i - starts[b]
            if j < take:
                best[j], score[j] = i, s
                continue
            low = np.argmin(score)
            if s > score[low]:
                best[low], score[low] = i, s
        best.sort()
        out[k:k + take] = best
        k += take
    return out
