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

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .params import Params
from .region import Region

__all__ = ["Ties", "village_ties", "heard_from", "tie_stats"]

_BLOCK = 1 << 22  # uniforms drawn at a time when choosing which ties to redraw


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
    size = region.village_population.astype(np.int32)
    n = int(size.sum())
    h = int(round(params.ties_mean / 2))
    if h == 0:
        return Ties(sp.csr_matrix((n, n), dtype=np.int8), np.zeros(n, dtype=np.int64))
    start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int32)
    village = np.repeat(np.arange(len(size), dtype=np.int32), size)
    targets, small = _ring(n, h, village, start, size)
    flat = targets.reshape(-1)
    heard = np.full(n, 2 * h, dtype=np.int64)
    slots = _rewire(flat, 2 * h, village, start, size, region, params, rng, heard)
    weights = np.ones(n * 2 * h, dtype=np.int8)
    weights[0::2 * h] = weights[h::2 * h] = np.int8(params.tie_kin_weight)
    # Self-ties (a village of one, or a tie redrawn onto oneself) carry no weight.
    small_rows = np.flatnonzero(small[village])
    maybe = np.concatenate([slots, (small_rows[:, None] * 2 * h
                                    + np.arange(2 * h)[None, :]).reshape(-1)])
    self_tie = maybe[flat[maybe] == maybe // (2 * h)]
    weights[self_tie] = 0
    np.subtract.at(heard, flat[self_tie], 1)
    if params.tie_kin_weight == 0:  # weightless ties are no ties: nobody hears through them
        kin = np.concatenate([np.arange(0, n * 2 * h, 2 * h), np.arange(h, n * 2 * h, 2 * h)])
        kin = kin[weights[kin] == 0]
        np.subtract.at(heard, flat[kin[~np.isin(kin, self_tie)]], 1)
    indptr = np.arange(0, 2 * h * n + 1, 2 * h, dtype=np.int64)
    return Ties(sp.csr_matrix((weights, flat, indptr), shape=(n, n)), heard)


def _ring(n: int, h: int, village: np.ndarray, start: np.ndarray, size: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray]:
    """Ring-lattice targets (n, 2h), and which villages are smaller than the ring."""
    offsets = np.concatenate([np.arange(1, h + 1), -np.arange(1, h + 1)]).astype(np.int32)
    targets = np.arange(n, dtype=np.int32)[:, None] + offsets[None, :]
    # Only residents within h of either end of their village's block wrap round its ring.
    ends = np.concatenate([start[:, None] + np.arange(h)[None, :],
                           (start + size)[:, None] - 1 - np.arange(h)[None, :]]).ravel()
    ends = np.unique(ends[(ends >= 0) & (ends < n)])
    first, span = start[village[ends]][:, None], size[village[ends]][:, None]
    targets[ends] = (targets[ends] - first) % span + first
    return targets, size <= 2 * h


def _rewire(flat: np.ndarray, per_row: int, village: np.ndarray, start: np.ndarray,
            size: np.ndarray, region: Region, params: Params, rng: np.random.Generator,
            heard: np.ndarray) -> np.ndarray:
    """Redraw a share of ties inside the village and a share to other villages of the town.

    Updates ``heard`` (in-degrees) and returns the slots redrawn.
    """
    total = len(flat)
    p = min(1.0, params.tie_rewire + params.tie_cross_village)
    if p <= 0:
        return np.zeros(0, dtype=np.int64)
    # One float32 uniform per tie decides both whether it is redrawn and where to. Drawn in
    # blocks (the same numbers as one draw) so no 43-million-float array is ever allocated.
    found, other = [], []
    for lo in range(0, total, _BLOCK):
        u = rng.random(min(_BLOCK, total - lo), dtype=np.float32)
        hit = np.flatnonzero(u < np.float32(p))
        found.append(hit + lo)
        other.append(u[hit] < np.float32(params.tie_cross_village))
    slots, to_other = np.concatenate(found), np.concatenate(other)
    inside, across = slots[~to_other], slots[to_other]
    np.subtract.at(heard, flat[slots], 1)  # (numpy's ufunc.at is fast for this)
    v = village[inside // per_row]
    flat[inside] = start[v] + (rng.random(len(inside)) * size[v]).astype(np.int32)
    if len(across):
        pick = _other_village(village[across // per_row], region, size, rng)
        flat[across] = start[pick] + (rng.random(len(across)) * size[pick]).astype(np.int32)
    np.add.at(heard, flat[slots], 1)
    return slots


def _other_village(own: np.ndarray, region: Region, size: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    """A village of the same town as each of ``own``, in proportion to its residents."""
    town = region.village_town[own]
    order = np.argsort(region.village_town, kind="stable")
    cum = np.cumsum(size[order].astype(np.int64))
    town_of_sorted = region.village_town[order]
    lo = np.searchsorted(town_of_sorted, np.arange(region.n_towns), side="left")
    hi = np.searchsorted(town_of_sorted, np.arange(region.n_towns), side="right")
    base = np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0)
    span = cum[np.maximum(hi - 1, 0)] - base
    draw = base[town] + (rng.random(len(own)) * span[town]).astype(np.int64)
    return order[np.searchsorted(cum, draw, side="right")]


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
