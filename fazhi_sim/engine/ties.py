"""Ties between residents: a household-clustered small world inside each village.

Each resident talks to ``2h`` others (``h = round(ties_mean / 2)``): the ``h`` residents on
either side in the village's row order, a ring lattice (Watts & Strogatz 1998) whose nearest
neighbours stand for the household and kin, the rest for neighbours. A share ``tie_rewire``
of ties is redrawn to a resident anywhere in the village, and a share ``tie_cross_village`` to
a resident anywhere in the town (most land in another village), which gives the short paths
of a small world while clustering stays high. A tie to one's own household (distance 1) weighs
``tie_kin_weight``, the others 1.

The network is one ``scipy.sparse`` CSR matrix over residents (``model.ties``): row ``i``
holds the residents ``i`` talks to - those who hear what happened to ``i`` - with tie weights.
Ties are directed, so every resident talks to exactly ``2h`` others, while how many one hears
from varies with the redrawn ties (:func:`heard_from`). Drawn from the run's ``"ties"``
stream, the network is the same in every scenario of a replicate (common random numbers). At
5.4 million residents and ``ties_mean`` 8 it holds 43 million ties in about 240 MB.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .params import Params
from .redrawn import GapList, SlotList, redrawn_slots
from .region import Region
from .tie_kernels import lay_run

__all__ = ["Ties", "village_ties", "stacked_ties", "heard_from", "tie_stats"]

_HELD = 1 << 20  # uniforms that place redrawn ties drawn at once, if no more are needed
_ROWS = 1 << 15  # the least residents in a run of _lay (a run's arrays stay in cache)
_NO_VILLAGES = np.zeros(0, dtype=np.intp)


@dataclass
class Ties:
    """The tie matrix and, per resident, how many talk to them (in-degree)."""

    matrix: sp.csr_matrix
    heard_from: np.ndarray


def village_ties(region: Region, params: Params, rng: np.random.Generator) -> Ties:
    """The residents' ties.

    Parameters
    ----------
    region
        The region; residents are rows ordered by village, as :class:`Residents` lays them out.
    params
        ``ties_mean``, ``tie_rewire``, ``tie_cross_village`` and ``tie_kin_weight``.
    rng
        The generator to draw from (the run's ``"ties"`` stream).

    Returns
    -------
    Ties
        ``matrix``: CSR (residents x residents) of int8 tie weights, ``2h`` stored ties per
        row (a resident alone in a village keeps ties to themself with weight 0);
        ``heard_from``: how many residents talk to each one.
    """
    return stacked_ties(region, [params], [rng])


def stacked_ties(region: Region, each: Sequence[Params], rngs: Sequence[np.random.Generator]
                 ) -> Ties:
    """Each replicate's :func:`village_ties`, side by side (block diagonal).

    As a batch lays residents out, replicate ``k``'s are rows ``k * n`` to ``k * n + n - 1``.

    Each replicate's ties are drawn straight into the batch's arrays: stacking networks drawn
    apart held every tie twice for a moment and copied it once more.
    """
    layout = _Layout(region)
    n = layout.n
    per_row = [2 * _half(p) for p in each]
    nnz = np.cumsum([0] + [n * k for k in per_row])
    rows = n * len(each)
    # scipy keeps int32 index arrays when they fit (else it would copy them down or up).
    idx = np.int32 if max(rows, int(nnz[-1])) <= np.iinfo(np.int32).max else np.int64
    indices = np.empty(int(nnz[-1]), dtype=idx)
    data = np.empty(int(nnz[-1]), dtype=np.int8)
    indptr = np.empty(rows + 1, dtype=idx)
    heard = np.empty(rows, dtype=np.int64)
    for k, (params, rng) in enumerate(zip(each, rngs, strict=True)):
        lo, hi, first = int(nnz[k]), int(nnz[k + 1]), k * n
        part = indices[lo:hi]
        _draw(layout, params, rng, part, data[lo:hi], heard[first:first + n])
        if first:
            part += idx(first)
        indptr[first:first + n] = np.arange(lo, hi, per_row[k]) if per_row[k] else lo
    indptr[-1] = nnz[-1]
    return Ties(sp.csr_matrix((data, indices, indptr), shape=(rows, rows)), heard)


def _half(params: Params) -> int:
    """Ties on either side of a resident in the village's ring (``h``)."""
    return int(round(params.ties_mean / 2))


def _draw(layout: _Layout, params: Params, rng: np.random.Generator, flat: np.ndarray,
          weights: np.ndarray, heard: np.ndarray) -> None:
    """Draw one network into ``flat`` (tie targets, row after row), ``weights`` and ``heard``."""
    n, h, size = layout.n, _half(params), layout.size
    if h == 0:
        heard[:] = 0
        return
    per_row = 2 * h
    redrawn = _rewire(n * per_row, params, rng)
    runs = layout.runs(h, across=len(redrawn.across) > 0, slot_type=redrawn.across.dtype)
    # Weightless ties are no ties: nobody hears through a household tie of weight 0.
    weightless = (0, h) if params.tie_kin_weight == 0 else ()
    targets = flat.reshape(n, per_row)
    self_tie = _lay(runs, redrawn, heard, targets, weightless)
    # Row by row the weights repeat: the household on either side, then the rest.
    pattern = np.ones(per_row, dtype=np.int8)
    pattern[0] = pattern[h] = np.int8(params.tie_kin_weight)
    _repeat_into(weights, pattern)
    # Self-ties (a village of one, or a tie redrawn onto oneself) carry no weight. Those redrawn
    # come from _lay; in villages no bigger than the ring the lattice itself loops back.
    small = np.flatnonzero(size <= per_row)
    if len(small):
        rows = _rows_of(layout.start[small], size[small])
        maybe = (rows[:, None] * per_row + np.arange(per_row)[None, :]).reshape(-1)
        # A redrawn self-tie in such a village is counted twice, as it always has been.
        self_tie = np.concatenate([self_tie, maybe[flat[maybe] == maybe // per_row]])
    weights[self_tie] = 0
    np.subtract.at(heard, flat[self_tie], 1)
    if weightless:  # _lay took every household tie's hearer off, self-ties' twice: put back
        kin_self = np.unique(self_tie)
        kin_self = kin_self[kin_self % per_row % h == 0]  # columns 0 and h
        np.add.at(heard, flat[kin_self], 1)


def _repeat_into(out: np.ndarray, pattern: np.ndarray) -> None:
    """Fill ``out`` with ``pattern`` over and over (its length a multiple of the pattern's).

    Doubling copies of what is filled: a broadcast row by row copies a few bytes at a time.
    """
    if len(out) == 0:
        return
    out[:len(pattern)] = pattern
    filled = len(pattern)
    while filled < len(out):
        more = min(filled, len(out) - filled)
        out[filled:filled + more] = out[:more]
        filled += more


def _rows_of(first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The residents of villages starting at ``first`` with ``count`` residents, in order."""
    count = count.astype(np.int64)
    shift = first - (np.cumsum(count) - count)
    return np.repeat(shift, count) + np.arange(count.sum())


@dataclass
class _Redrawn:
    """The ties to redraw (slots, ascending) and the uniforms that place them.

    The uniforms are read in slot order, a run of residents at a time (``u(k)``: the next
    ``k``).
    """

    inside: SlotList | GapList  # slots redrawn to anyone in the village (read in order)
    inside_u: Callable[[int], np.ndarray]  # where in the village
    across: np.ndarray  # slots redrawn to anyone in the town
    town_u: Callable[[int], np.ndarray]  # where in the town: which village
    across_u: Callable[[int], np.ndarray]  # where in that village


def _rewire(total: int, params: Params, rng: np.random.Generator) -> _Redrawn:
    """Choose the share of ties redrawn inside the village and the share redrawn across the town.

    Draws everything the redrawing takes, in this order: the uniforms that choose which ties
    are redrawn, and how (:func:`~.redrawn.redrawn_slots`), then a uniform per tie redrawn
    inside, then one per tie redrawn across (which village), then another (who in it). Where
    they land is worked out in :func:`_lay`.
    """
    p = min(1.0, params.tie_rewire + params.tie_cross_village)
    if p <= 0:
        none, nothing = np.zeros(0, dtype=np.intp), _reader(np.zeros(0))
        return _Redrawn(SlotList(0), nothing, none, nothing, nothing)
    inside, across = redrawn_slots(rng, total, p, params.tie_cross_village)
    inside_u, town_u, across_u = _stretches(rng, [inside.n, len(across), len(across)])
    return _Redrawn(inside, inside_u, across, town_u, across_u)


def _stretches(rng: np.random.Generator, counts: list[int]) -> list[Callable[[int], np.ndarray]]:
    """Readers of consecutive stretches of ``rng.random``, each read in order, a few at a time.

    The first reads the first ``counts[0]`` uniforms, the next the ``counts[1]`` after them,
    and so on. Leaves ``rng`` as if all had been drawn in one go, in order.

    Each stretch is drawn as it is read, from a copy of the generator moved to the stretch's
    start (a float64 uniform takes one 64-bit output, and PCG64 can skip outputs), so the
    uniforms of a large network are never all held at once: at 16 ties a side across Shaoxing
    they were 400 MB.
    """
    bits = rng.bit_generator
    if not isinstance(bits, np.random.PCG64) or sum(counts) <= _HELD:
        # (few enough to hold: drawn in turn, the same numbers without the generators' copies)
        return [_reader(rng.random(k)) for k in counts]
    start = bits.state
    cursor = np.random.PCG64()
    cursor.state = start
    readers = []
    for k in counts:
        copy = np.random.PCG64()
        copy.state = cursor.state
        readers.append(np.random.Generator(copy).random)
        cursor.advance(k)
    # Skipping drops the generator's spare 32-bit half-word, which float64 draws leave alone.
    end = cursor.state
    end["has_uint32"], end["uinteger"] = start["has_uint32"], start["uinteger"]
    bits.state = end
    return readers


def _reader(u: np.ndarray) -> Callable[[int], np.ndarray]:
    """Read ``u`` in order, ``k`` at a time."""
    at = 0

    def read(k: int) -> np.ndarray:
        nonlocal at
        at += k
        return u[at - k:at]

    return read


def _lay(runs: _Runs, redrawn: _Redrawn, heard: np.ndarray, targets: np.ndarray,
         weightless: tuple[int, ...] = ()) -> np.ndarray:
    """Write the tie targets (n, 2h): the ring lattice with the redrawn ties put in.

    Laid a run of residents at a time (``runs``): runs of whole villages, or of whole towns
    when ties cross villages, so that every tie of a run, old or redrawn, stays in the run.
    The run's part of every array is then small enough to stay in cache, and there are no
    region-sized temporaries. Fills in ``heard``: ``2h`` from the ring, less the redrawn ties'
    old targets, plus their new ones, less the (final) targets of the ``weightless`` columns.
    Each run is one compiled pass (:func:`~fazhi_sim.engine.tie_kernels.lay_run`); only the
    uniforms are drawn here, by numpy, in the order they always were.

    Returns
    -------
    ndarray
        The slots redrawn onto the resident themself.
    """
    # Where each run starts in the slots redrawn across; those inside are read run by run.
    across_at = np.searchsorted(redrawn.across, runs.cut_slots)
    read = redrawn.inside.reader(runs.most_slots)
    columns = np.array(weightless, dtype=np.int64)
    self_tie = []
    for c, (r0, r1, villages, ends) in enumerate(runs.each):
        inside = read(runs.cut_slots[c + 1])
        across = redrawn.across[across_at[c]:across_at[c + 1]]
        self_tie.append(lay_run(
            targets, runs.h, r0, r1, ends, villages, runs.first_slot, runs.start, runs.size_f,
            inside, redrawn.inside_u(len(inside)), across, redrawn.town_u(len(across)),
            redrawn.across_u(len(across)), runs.town_size, runs.town_first,
            runs.lookup(c) if len(across) else _NO_VILLAGES, columns, heard))
    return np.concatenate(self_tie or [np.zeros(0, dtype=np.intp)])


class _Layout:
    """The region's villages as laying out ties needs them, worked out once for a batch.

    Every replicate of a batch lays its ties over the same villages, so their starts, the
    ring's ends, the towns and the runs are worked out once for all (they depend on the
    region, the ring's half-width and whether ties cross villages).
    """

    def __init__(self, region: Region):
        self.region = region
        self.size = region.village_population.astype(np.int32)
        self.n = int(self.size.sum())
        self.start = np.concatenate([[0], np.cumsum(self.size)[:-1]]).astype(np.int32)
        self._runs: dict[tuple, _Runs] = {}

    def runs(self, h: int, across: bool, slot_type: np.dtype) -> _Runs:
        """The runs for a ring of ``h`` on either side (cut by towns if ties go ``across``)."""
        key = (h, across, np.dtype(slot_type))
        if key not in self._runs:
            self._runs[key] = _Runs(self, h, across, slot_type)
        return self._runs[key]


class _Runs:
    """Runs of residents whose ties stay among themselves, with what :func:`lay_run` reads."""

    def __init__(self, layout: _Layout, h: int, across: bool, slot_type: np.dtype):
        start, size, n, per_row = layout.start, layout.size, layout.n, 2 * h
        self.h, self.start = h, start
        self.size_f = size.astype(np.float64)
        # Slot numbers in the redrawn lists' own type: searching with wider ones copies the lists.
        self.first_slot = (start.astype(np.int64) * per_row).astype(slot_type)
        ends, first, span = _ring_ends(h, start, size, n)
        # Per village: where its town's residents start (in town order, see _towns) and how many.
        self._order, self.town_first, self.town_size = _towns(layout.region, size)
        self._size = size
        cuts = _chunks(layout.region, start, size, across)
        self.cut_slots = (cuts.astype(np.int64) * per_row).astype(slot_type)
        self.most_slots = int(np.diff(cuts).max(initial=0)) * per_row
        village_at = np.searchsorted(start, cuts).tolist()
        end_at = np.searchsorted(ends, cuts).tolist()
        self.each = [(int(cuts[c]), int(cuts[c + 1]), (village_at[c], village_at[c + 1]),
                      (ends[end_at[c]:end_at[c + 1]], first[end_at[c]:end_at[c + 1]],
                       span[end_at[c]:end_at[c + 1]]))
                     for c in range(len(cuts) - 1)]

    def lookup(self, c: int) -> np.ndarray:
        """Run ``c``'s residents in town order, as their villages (a tie across lands on one)."""
        v0, v1 = self.each[c][2]
        towns = self._order[v0:v1]
        return np.repeat(towns, self._size[towns])


def _ring_ends(h: int, start: np.ndarray, size: np.ndarray, n: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residents who wrap round their village's ring, with its first resident and size.

    Those within ``h`` of either end of the village's block, each with its village's first
    resident and size.
    """
    ends = np.concatenate([start[:, None] + np.arange(h)[None, :],
                           (start + size)[:, None] - 1 - np.arange(h)[None, :]]).ravel()
    ends = np.unique(ends[(ends >= 0) & (ends < n)])
    own = np.searchsorted(start, ends, side="right") - 1  # (an empty village never owns one)
    return ends, start[own], size[own]


def _towns(region: Region, size: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Villages in town order, and per village its town's first resident and residents.

    A town's first resident counts residents in town order (villages sorted by town, stable),
    which is resident order when a town's villages are side by side, as they are in the city.
    """
    order = np.argsort(region.village_town, kind="stable")
    cum = np.cumsum(size[order].astype(np.int64))
    town_of_sorted = region.village_town[order]
    lo = np.searchsorted(town_of_sorted, np.arange(region.n_towns), side="left")
    hi = np.searchsorted(town_of_sorted, np.arange(region.n_towns), side="right")
    base = np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0)
    span = cum[np.maximum(hi - 1, 0)] - base
    town = region.village_town
    return order, base[town], span[town].astype(np.float64)


def _chunks(region: Region, start: np.ndarray, size: np.ndarray, across: bool) -> np.ndarray:
    """Cuts between runs of residents whose ties, old and redrawn, stay among themselves.

    Runs of whole villages, or of whole towns when ties cross villages, of at least ``_ROWS``
    residents; the whole region at once if a town's villages are not side by side.
    """
    n = int(size.sum())
    if not across:
        first = start
    elif np.all(np.diff(region.village_town) >= 0):
        first = start[np.flatnonzero(np.diff(region.village_town, prepend=-1))]
    else:
        return np.array([0, n])
    first = np.append(first, n)
    return np.unique(np.append(first[np.searchsorted(first, np.arange(0, n, _ROWS))], n))


def heard_from(ties: sp.csr_matrix) -> np.ndarray:
    """How many residents talk to each one (the column counts of ``ties``)."""
    return np.bincount(ties.indices[ties.data != 0], minlength=ties.shape[0])


def tie_stats(ties: sp.csr_matrix, sample: int = 2_000, seed: int = 0) -> dict[str, float]:
    """Mean degree and average clustering (around a sample of residents, ties undirected).

    Returns
    -------
    dict
        ``mean_degree`` (residents each one talks to) and ``clustering`` (networkx's average
        clustering of the undirected graph around ``sample`` residents).
    """
    import networkx as nx

    n = ties.shape[0]
    rng = np.random.default_rng(seed)
    nodes = rng.choice(n, size=min(sample, n), replace=False)
    # The sampled residents, their ties and their ties' ties: enough for exact clustering.
    sym = (ties + ties.T).tocsr()
    first = np.unique(sym[nodes].indices)
    around = np.unique(np.concatenate([nodes, first]))
    sub = sym[around][:, around]
    g = nx.from_scipy_sparse_array(sub)
    g.remove_edges_from(nx.selfloop_edges(g))
    index = {int(r): i for i, r in enumerate(around)}
    clustering = nx.average_clustering(g, nodes=[index[int(x)] for x in nodes])
    return {"mean_degree": float(np.count_nonzero(ties.data) / n),
            "clustering": float(clustering)}
