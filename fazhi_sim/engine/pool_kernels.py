"""Compiled bookkeeping on the dispute pool's columns (numba).

A month moves a few hundred disputes through some forty small steps (fail, close, enter a
queue, count in the tally), each of which was a handful of numpy operations on a few dozen
rows: the fixed cost of the calls, not the work, was the engine's time. Each kernel here does
one such step in one call, with the same arithmetic in the same types (float32 stays float32),
so every number is what the numpy formulation gave. Transcendental functions (``exp``,
``log``, ``ndtri``) stay in numpy, whose implementations may round differently from libm's.

Rows at ``pos`` are distinct pool positions. Where numpy gathered values and then scattered
them (``a[idx] = f(a[idx])`` with repeated ``idx``: the last write wins, every value computed
from the old ones), the kernels gather into a buffer first and scatter after, as numpy did.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["add_elapsed", "add_rows", "close_rows", "count_rows", "enter_rows",
           "expand_cells", "fail_rows", "group_rows", "negated_logit_normals",
           "pick_rows", "take_up_queue", "unit_columns", "whole_units"]

_NJIT = {"cache": True, "nogil": True}


@numba.njit(**_NJIT)
def count_rows(pos, village, village_county, county, counts):  # noqa: ANN001, ANN201
    """Count the disputes at ``pos`` in ``counts`` (one month's row of a counter, by county).

    Also fills ``county`` with each one's county. Counts are whole numbers, so adding one at
    a time gives the floats a ``bincount`` of the month's events would.
    """
    for i in range(pos.shape[0]):
        c = village_county[village[pos[i]]]
        county[i] = c
        counts[c] += 1.0


@numba.njit(**_NJIT)
def expand_cells(counts, n_types, n_rep, next_id):  # noqa: ANN001, ANN201
    """One row per grievance from counts per (village, type) cell, replicates in turn.

    Returns each grievance's village, type, id (running on from ``next_id`` of its
    replicate), replicate, and the grievances per replicate.
    """
    total = 0
    for c in range(counts.shape[0]):
        total += counts[c]
    village = np.empty(total, np.int64)
    kind = np.empty(total, np.int8)
    ids = np.empty(total, np.int64)
    rep = np.empty(total, np.int16)
    per_rep = np.zeros(n_rep, np.int64)
    cells = counts.shape[0] // n_rep
    k = 0
    for c in range(counts.shape[0]):
        r = c // cells
        for _ in range(counts[c]):
            village[k] = c // n_types
            kind[k] = c % n_types
            ids[k] = next_id[r] + per_rep[r]
            per_rep[r] += 1
            rep[k] = r
            k += 1
    return village, kind, ids, rep, per_rep


@numba.njit(**_NJIT)
def pick_rows(village, u, village_start, village_size):  # noqa: ANN001, ANN201
    """The resident at position ``u`` (uniform in [0, 1)) of each village's block."""
    out = np.empty(village.shape[0], np.int64)
    for i in range(village.shape[0]):
        v = village[i]
        out[i] = village_start[v] + np.int64(u[i] * np.float64(village_size[v]))
    return out


@numba.njit(**_NJIT)
def group_rows(pos, group, n):  # noqa: ANN001, ANN201
    """``pos`` ordered by ``group`` (values below ``n``), each group in its order.

    Returns the rows and the group bounds: ``pos[group == k]`` is
    ``rows[bounds[k]:bounds[k + 1]]``.
    """
    bounds = np.zeros(n + 1, np.int64)
    for i in range(group.shape[0]):
        bounds[group[i] + 1] += 1
    for k in range(n):
        bounds[k + 1] += bounds[k]
    at = bounds[:-1].copy()
    out = np.empty(pos.shape[0], pos.dtype)
    for i in range(group.shape[0]):
        out[at[group[i]]] = pos[i]
        at[group[i]] += 1
    return out, bounds


@numba.njit(**_NJIT)
def fail_rows(pos, layer, cap, grief, stage, step, failures, grievance, state):  # noqa: ANN001, ANN201
    """A failed step: stage up to ``layer``, one more step and failure, grievance, choosing."""
    for i in range(pos.shape[0]):
        j = pos[i]
        if stage[j] < layer:
            stage[j] = layer
        step[j] += 1
        f = failures[j] + 1
        failures[j] = f if f < cap else cap
        grievance[j] += grief
        state[j] = 0


@numba.njit(**_NJIT)
def add_rows(values, pos, x):  # noqa: ANN001, ANN201
    """``values[pos] += x`` (``x`` of the values' type, so float32 stays float32)."""
    for i in range(pos.shape[0]):
        values[pos[i]] += x


@numba.njit(**_NJIT)
def add_elapsed(pos, extra, queued, month, queued_col, elapsed):  # noqa: ANN001, ANN201
    """Add ``extra`` months (and, if ``queued``, the months since queueing) to ``elapsed``.

    As ``elapsed[pos] += extra + (month - queued_col[pos])``: the months waited in int32,
    the sum in float64, stored as float32.
    """
    for i in range(pos.shape[0]):
        j = pos[i]
        e = extra[i]
        if queued:
            e = e + np.float64(np.int32(month) - queued_col[j])
        elapsed[j] = np.float32(np.float64(elapsed[j]) + e)


@numba.njit(**_NJIT)
def _maximum(a, b):  # noqa: ANN001, ANN202 -- np.maximum: NaN wins
    if a != a or a >= b:
        return a
    return b


@numba.njit(**_NJIT)
def close_rows(pos, dropped, new_state, village, village_county, doors, state, claimant,  # noqa: ANN001, ANN201, PLR0913
               pool_grievance, res_grievance, closed, handoffs, ending, count_ending):
    """Disputes leave: their state, and if ``dropped`` the grievance they leave behind.

    Counted this month, by county: one each in ``closed`` and, if ``count_ending``, in
    ``ending`` (dropped, or resolved at a layer), and their hand-offs (doors - 1, at least 0)
    in ``handoffs``. Returns each one's county (int32).
    """
    n = pos.shape[0]
    county = np.empty(n, np.int32)
    for i in range(n):
        j = pos[i]
        c = village_county[village[j]]
        county[i] = c
        extra = np.float64(doors[j]) - 1.0
        closed[c] += 1.0
        handoffs[c] += extra if extra > 0.0 else 0.0
        if count_ending:
            ending[c] += 1.0
        state[j] = new_state
    if dropped:
        left = np.empty(n, res_grievance.dtype)
        for i in range(n):
            left[i] = _maximum(res_grievance[claimant[pos[i]]], pool_grievance[pos[i]])
        for i in range(n):
            res_grievance[claimant[pos[i]]] = left[i]
    return county


@numba.njit(**_NJIT)
def enter_rows(pos, door, free, walk, queue, new_state, month, door_col, doors_col, step,  # noqa: ANN001, ANN201, PLR0913
               state, queued):
    """Walk in at ``door`` and/or join the queue of ``new_state`` this ``month``.

    If ``walk``: one more door unless already there or ``free``. If ``queue``: one more step.
    """
    some_free = free.shape[0] > 0
    for i in range(pos.shape[0]):
        j = pos[i]
        if walk:
            new = door_col[j] != door
            if some_free and free[i]:
                new = False
            doors_col[j] += new
            door_col[j] = door
        if queue:
            step[j] += 1
            state[j] = new_state
            queued[j] = month


@numba.njit(**_NJIT)
def take_up_queue(state, queue_state, village, unit_of_village, queued, ids, capacity):  # noqa: ANN001, ANN201
    """A queue's positions, their units and which are served, oldest first, to capacity.

    Order within a unit is (month queued, id), unique within a unit, so the cases served are
    those ``serve_in_order`` picks.
    """
    n = 0
    for j in range(state.shape[0]):
        if state[j] == queue_state:
            n += 1
    pos = np.empty(n, np.int64)
    unit = np.empty(n, unit_of_village.dtype)
    order = np.empty(n, np.int64)
    k = 0
    for j in range(state.shape[0]):
        if state[j] == queue_state:
            pos[k] = j
            unit[k] = unit_of_village[village[j]]
            order[k] = np.int64(queued[j]) * (np.int64(1) << 40) + ids[j]
            k += 1
    served = np.zeros(n, np.bool_)
    taken = np.zeros(capacity.shape[0], np.int64)
    for i in np.argsort(order, kind="mergesort"):
        u = unit[i]
        if taken[u] < capacity[u]:
            served[i] = True
        taken[u] += 1
    return pos, unit, served


@numba.njit(**_NJIT)
def whole_units(capacity, frac):  # noqa: ANN001, ANN201
    """Capacity in whole cases: ``floor(capacity + frac)`` as int64."""
    out = np.empty(capacity.shape[0], np.int64)
    for i in range(capacity.shape[0]):
        out[i] = np.int64(np.floor(capacity[i] + frac[i]))
    return out


@numba.njit(**_NJIT)
def unit_columns(village, village_town, village_county, tables, levels, columns, n_columns):  # noqa: ANN001, ANN201, PLR0913
    """A value per unit looked up for each row's village, town or county: (columns, rows).

    Row ``columns[k]`` of the result holds ``tables[k]`` at each row's unit of ``levels[k]``
    (0 village, 1 town, 2 county); rows of empty tables and of no table stay zero.
    """
    out = np.zeros((n_columns, village.shape[0]))
    for k in range(len(tables)):
        table, level, column = tables[k], levels[k], columns[k]
        if table.shape[0] == 0:
            continue
        for i in range(village.shape[0]):
            v = village[i]
            unit = v if level == 0 else (village_town[v] if level == 1 else village_county[v])
            out[column, i] = table[unit]
    return out


@numba.njit(**_NJIT)
def negated_logit_normals(rng, out, spread, centre):  # noqa: ANN001, ANN201
    """``out[:] = -(z * spread + centre)``, ``z`` float32 standard normals, one per row.

    numba's port of numpy's float32 ziggurat draws the same normals from the same bit
    generator and leaves it where numpy would; each step is rounded to float32. Written into
    ``out`` (a batch's replicate's rows), so a batch's traits are not drawn and then stacked.
    """
    z = rng.standard_normal(out.shape[0], dtype=np.float32)
    for i in range(out.shape[0]):
        out[i] = -(z[i] * spread + centre)
