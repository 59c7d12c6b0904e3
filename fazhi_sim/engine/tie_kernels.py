"""Compiled steps along the ties (numba): laying them out, word of mouth, 法律明白人's reach.

Each replaces a handful of numpy operations (gathers from the CSR arrays, sorts, unions)
with one call and gives the same numbers: sums of tie weights are sums of small whole
numbers, exact in any order; sets come back sorted, as ``np.unique`` and ``np.union1d``
return them; a redrawn tie's target is the same float64 product truncated to an integer.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["best_in_blocks", "gather_ties", "scatter_add_clip", "reach_in_village", "nonzero_rows",
           "fill_blocks", "lay_run", "place_redrawn", "place_gaps", "read_gaps"]

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


_LITERATE, _REACHED, _NEAR = 1, 2, 4  # a village block's marks in reach_in_village


@numba.njit(**_NJIT)
def reach_in_village(indptr, indices, data, village, literate):  # noqa: ANN001, ANN201
    """Whom the ``literate`` talk to in their village, and who is within two ties.

    Rows are ordered by village (``village`` ascending, as residents are), so a village is
    one block of rows and reach stays inside it: each village of a 法律明白人 is marked in
    a block-sized scratch and read off in row order, with no sorting of the region's rows.

    Returns the residents reached (sorted), the summed tie weight from the literate
    (float32), and everyone within two ties (sorted, the literate included).
    """
    lit = np.sort(literate.astype(np.int64))
    blocks = _village_blocks(village, lit)
    room = 0
    for b in range(blocks.shape[0]):
        room += blocks[b, 2] - blocks[b, 1]
    reached = np.empty(room, np.int64)
    weight = np.empty(room, np.float32)
    near = np.empty(room, np.int64)
    n_reached = n_near = 0
    for b in range(blocks.shape[0]):
        s, e = blocks[b, 1], blocks[b, 2]
        mark = np.zeros(e - s, np.uint8)
        summed = np.zeros(e - s, np.float64)
        for i in range(blocks[b, 0], blocks[b + 1, 0] if b + 1 < blocks.shape[0] else lit.shape[0]):
            r = lit[i]
            mark[r - s] |= _LITERATE
            for t in range(indptr[r], indptr[r + 1]):
                w = indices[t]
                if s <= w < e and data[t] > 0:
                    summed[w - s] += np.float32(data[t])
                    mark[w - s] |= _REACHED
        for j in range(e - s):  # the literate and those they reach pass the word on
            if mark[j] & (_LITERATE | _REACHED):
                for t in range(indptr[s + j], indptr[s + j + 1]):
                    w = indices[t]
                    if s <= w < e and data[t] > 0:
                        mark[w - s] |= _NEAR
        for j in range(e - s):
            if mark[j] & _REACHED:
                reached[n_reached] = s + j
                weight[n_reached] = np.float32(summed[j])
                n_reached += 1
            if mark[j]:
                near[n_near] = s + j
                n_near += 1
    return reached[:n_reached], weight[:n_reached], near[:n_near]


@numba.njit(**_NJIT)
def _village_blocks(village, rows):  # noqa: ANN001, ANN202
    # Per village of the sorted ``rows``: where its rows start in ``rows``, and its block.
    n = 0
    for i in range(rows.shape[0]):
        if i == 0 or village[rows[i]] != village[rows[i - 1]]:
            n += 1
    out = np.empty((n, 3), np.int64)
    k = 0
    for i in range(rows.shape[0]):
        if i == 0 or village[rows[i]] != village[rows[i - 1]]:
            v = village[rows[i]]
            out[k, 0] = i
            out[k, 1] = np.searchsorted(village, v, side="left")
            out[k, 2] = np.searchsorted(village, v, side="right")
            k += 1
    return out


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
        low = -1  # the lowest kept score's slot, found again only when it is replaced
        for i in range(starts[b], starts[b] + sizes[b]):
            s = heard_from[i] + noise[i] * 0.5
            j = i - starts[b]
            if j < take:
                best[j], score[j] = i, s
                continue
            if low < 0:
                low = np.argmin(score)
            if s > score[low]:
                best[low], score[low] = i, s
                low = -1
        best.sort()
        out[k:k + take] = best
        k += take
    return out


@numba.njit(**_NJIT)
def _ring(targets, h, r0, r1, ends, end_first, end_span):  # noqa: ANN001, ANN202
    # The ring lattice of rows r0..r1-1 (h on either side), wrapped round each village.
    for i in range(r0, r1):
        for j in range(h):
            targets[i, j] = i + j + 1
            targets[i, h + j] = i - j - 1
    for k in range(ends.shape[0]):
        i = ends[k]
        for j in range(2 * h):
            d = (targets[i, j] - end_first[k]) % end_span[k]
            if d < 0:  # (numpy's remainder takes the divisor's sign)
                d += end_span[k]
            targets[i, j] = d + end_first[k]


@numba.njit(**_NJIT)
def _redraw(flat, per_row, slots, to, heard, r0, self_tie, n_self):  # noqa: ANN001, ANN202
    # Each slot's tie now goes to ``to``: its old target hears one fewer, its new one more.
    for k in range(slots.shape[0]):
        s = slots[k]
        heard[flat[s] - r0] -= 1
        heard[to[k] - r0] += 1
        flat[s] = to[k]
        if s // per_row == to[k]:
            self_tie[n_self] = s
            n_self += 1
    return n_self


@numba.njit(**_NJIT)
def _slot_villages(slots, first_slot, va, vb):  # noqa: ANN001, ANN202
    # The village of each slot (slots ascend; villages va..vb-1 hold them, first slots ascend).
    out = np.empty(slots.shape[0], np.int64)
    v = va
    for k in range(slots.shape[0]):
        while v + 1 < vb and first_slot[v + 1] <= slots[k]:
            v += 1
        out[k] = v
    return out


@numba.njit(**_NJIT)
def lay_run(targets, h, r0, r1, ring_ends, village_range, first_slot, start, size_f,  # noqa: ANN001, ANN201, PLR0913
            inside, inside_u, across, town_u, across_u, town_size, town_first, lookup,
            weightless, heard):
    """Lay the ties of residents ``r0 .. r1 - 1`` (a run of ``ties._lay``) into ``targets``.

    The ring lattice, then the ties redrawn inside the village (``inside``: slots, ascending;
    ``inside_u`` their uniforms) and across the town (``across``, ``town_u`` for which
    resident of the town in town order, ``lookup`` their villages, ``across_u`` for who in
    that village). Fills ``heard[r0:r1]``: ``2h`` from the ring, less the redrawn ties' old
    targets, plus their new ones, less the final targets of the ``weightless`` columns.

    Returns the slots redrawn onto the resident holding them (inside first, then across).
    """
    ends, end_first, end_span = ring_ends
    va, vb = village_range
    per_row = 2 * h
    _ring(targets, h, r0, r1, ends, end_first, end_span)
    flat = targets.reshape(-1)
    part = heard[r0:r1]
    part[:] = per_row
    self_tie = np.empty(inside.shape[0] + across.shape[0], inside.dtype)
    n_self = 0
    v = _slot_villages(inside, first_slot, va, vb)
    to = np.empty(inside.shape[0], np.int32)
    for k in range(inside.shape[0]):
        to[k] = np.int32(inside_u[k] * size_f[v[k]]) + start[v[k]]
    n_self = _redraw(flat, per_row, inside, to, part, r0, self_tie, n_self)
    v = _slot_villages(across, first_slot, va, vb)
    to = np.empty(across.shape[0], np.int32)
    for k in range(across.shape[0]):
        at = np.int64(town_u[k] * town_size[v[k]]) + (town_first[v[k]] - r0)
        pick = lookup[at]
        to[k] = np.int32(across_u[k] * size_f[pick]) + start[pick]
    n_self = _redraw(flat, per_row, across, to, part, r0, self_tie, n_self)
    for i in range(r0, r1):
        for j in weightless:
            part[targets[i, j] - r0] -= 1
    # A copy, not a view: the caller keeps every run's result until the last, and a view would
    # keep its buffer, sized for every redrawn tie (270 MB at 30 ties a resident in Shaoxing).
    return self_tie[:n_self].copy()



@numba.njit(**_NJIT)
def place_redrawn(gaps, sides, i, at, total, share, inside, n_inside, across, n_across):  # noqa: ANN001, ANN201, PLR0913
    """Place redrawn ties from ``gaps[i]`` on, each ``floor(gaps[i]) + 1`` slots after the last.

    ``at`` is the last slot placed (-1 at first); a tie goes across the town if
    ``sides[i] < share``, else inside its village, into ``inside`` or ``across`` after their
    first ``n_inside`` and ``n_across``. Stops at the first slot at or past ``total`` (then
    returned as ``at``), or when a list is full (the caller makes room and calls again).

    Returns ``at``, the next ``i`` and the lists' counts.
    """
    while i < gaps.shape[0]:
        if n_inside == inside.shape[0] or n_across == across.shape[0]:
            break
        at_next = at + np.floor(gaps[i]) + 1.0
        i += 1
        if at_next >= total:
            return at_next, i, n_inside, n_across
        at = at_next
        # Written to both lists, kept in one: no branch to mispredict a third of the time.
        far = np.int64(sides[i - 1] < share)
        across[n_across] = np.int64(at)
        inside[n_inside] = np.int64(at)
        n_across += far
        n_inside += 1 - far
    return at, i, n_inside, n_across


@numba.njit(**_NJIT)
def place_gaps(gaps, sides, i, at, total, share, codes, n_codes, big, n_big, last,  # noqa: ANN001, ANN201, PLR0913
               across, n_across):
    """:func:`place_redrawn`, keeping the ties inside as the gap from the last of them.

    ``last`` is the last slot kept inside (-1 at first); each gap is a byte in ``codes`` after
    its first ``n_codes``, and a gap of 255 or more is written as 255 with the slot itself in
    ``big`` after its first ``n_big`` (:func:`read_gaps` reads them back).

    Returns ``at``, the next ``i``, the lists' counts and ``last``.
    """
    while i < gaps.shape[0]:
        if n_codes == codes.shape[0] or n_big == big.shape[0] or n_across == across.shape[0]:
            break
        at_next = at + np.floor(gaps[i]) + 1.0
        i += 1
        if at_next >= total:
            return at_next, i, n_codes, n_big, last, n_across
        at = at_next
        slot = np.int64(at)
        # Written to every list, kept in one: no branch to mispredict a third of the time.
        far = np.int64(sides[i - 1] < share)
        near = 1 - far
        step = slot - last - 1
        wide = np.int64(step >= 255)
        across[n_across] = slot
        codes[n_codes] = np.uint8(min(step, 255))
        big[n_big] = slot
        n_across += far
        n_codes += near
        n_big += near * wide
        last += near * (slot - last)
    return at, i, n_codes, n_big, last, n_across


@numba.njit(**_NJIT)
def read_gaps(codes, n_codes, big, i, j, last, limit, out):  # noqa: ANN001, ANN201, PLR0913
    """Read the slots below ``limit`` that :func:`place_gaps` kept as gaps, into ``out``.

    Reads from ``codes[i]`` and ``big[j]`` on, ``last`` the slot read before them (-1 at
    first). Returns how many were read and where the next read starts: ``i``, ``j``, ``last``.
    """
    k = 0
    while i < n_codes:
        code = codes[i]
        slot = big[j] if code == 255 else last + 1 + np.int64(code)
        if slot >= limit:
            break
        out[k] = slot
        k += 1
        i += 1
        j += np.int64(code == 255)
        last = slot
    return k, i, j, last
