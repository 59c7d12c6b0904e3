"""Ties between residents: a household-clustered small world inside each village.

Each resident talks to ``2h`` others (``h = round(ties_mean / 2)``): the ``h`` residents on
either side in the village's row order, a ring lattice (Watts & Strogatz 1998) whose nearest
neighbours stand for the household and kin, the rest for neighbours. A share ``tie_rewire``
of ties is redrawn to a resident anywhere in the village, and a share ``tie_cross_village`` to
a resident of another village in the same town, which gives the short paths of a small world
while clustering stays high. Ties are directed (who listens to whom) so every resident keeps
exactly ``2h`` of them; a tie to one's own household (distance 1) weighs ``tie_kin_weight``.

The network is stored as one ``scipy.sparse`` CSR matrix over residents (``model.ties``): row
``i`` holds the residents whose view ``i`` hears. Drawn from the run's ``"ties"`` stream, it is
the same in every scenario of a replicate (common random numbers). At 5.4 million residents
and ``ties_mean`` 8 it holds 43 million ties in about 350 MB.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .params import Params
from .region import Region

__all__ = ["village_ties", "tie_stats"]


def village_ties(region: Region, params: Params, rng: np.random.Generator) -> sp.csr_matrix:
    """The residents' ties, a CSR matrix (residents x residents) of tie weights.

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
    scipy.sparse.csr_matrix
        Shape (n, n), float32 weights, ``2h`` stored ties per row; a resident alone in a
        village keeps ties to themself with weight 0.
    """
    size = region.village_population.astype(np.int32)
    n = int(size.sum())
    h = int(round(params.ties_mean / 2))
    if h == 0:
        return sp.csr_matrix((n, n), dtype=np.float32)
    start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int32)
    village = np.repeat(np.arange(len(size), dtype=np.int32), size)
    first, span = start[village][:, None], size[village][:, None]
    offsets = np.concatenate([np.arange(1, h + 1), -np.arange(1, h + 1)]).astype(np.int32)
    # Position in the village plus each offset, wrapped round the village's ring (a village
    # smaller than the ring wraps more than once: the modulo is needed only there).
    targets = (np.arange(n, dtype=np.int32)[:, None] - first) + offsets[None, :]
    small = size <= 2 * h
    if small.any():
        rows = np.flatnonzero(small[village])
        targets[rows] %= span[rows]
    np.subtract(targets, span, out=targets, where=targets >= span)
    np.add(targets, span, out=targets, where=targets < 0)
    targets += first
    flat = targets.reshape(-1)
    slots = _rewire(flat, 2 * h, village, start, size, region, params, rng)
    weights = np.ones(n * 2 * h, dtype=np.float32)
    weights[0::2 * h] = weights[h::2 * h] = np.float32(params.tie_kin_weight)
    # Self-ties (a village of one, or a tie redrawn onto oneself) carry no weight.
    small_rows = np.flatnonzero(small[village])
    maybe = np.concatenate([slots, (small_rows[:, None] * 2 * h
                                    + np.arange(2 * h)[None, :]).reshape(-1)])
    weights[maybe[flat[maybe] == maybe // (2 * h)]] = 0
    indptr = np.arange(0, 2 * h * n + 1, 2 * h, dtype=np.int64)
    return sp.csr_matrix((weights, flat, indptr), shape=(n, n))


def _rewire(flat: np.ndarray, per_row: int, village: np.ndarray, start: np.ndarray,
            size: np.ndarray, region: Region, params: Params, rng: np.random.Generator
            ) -> np.ndarray:
    """Redraw a share of ties inside the village and a share to other villages of the town.

    Returns the slots redrawn inside the village (the only ones that can land on oneself).
    """
    total = len(flat)
    m_in = rng.binomial(total, params.tie_rewire)
    m_out = rng.binomial(total, params.tie_cross_village)
    # Slots drawn with replacement: a tie redrawn twice is simply redrawn.
    slots = rng.integers(0, total, m_in)
    v = village[slots // per_row]
    flat[slots] = start[v] + (rng.random(m_in) * size[v]).astype(np.int32)
    inside = slots
    if m_out == 0:
        return inside
    slots = rng.integers(0, total, m_out)
    town = region.village_town[village[slots // per_row]]
    # Another village of the same town, chosen in proportion to its residents.
    order = np.argsort(region.village_town, kind="stable")
    cum = np.cumsum(size[order].astype(np.int64))
    town_of_sorted = region.village_town[order]
    lo = np.searchsorted(town_of_sorted, np.arange(region.n_towns), side="left")
    hi = np.searchsorted(town_of_sorted, np.arange(region.n_towns), side="right")
    base = np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0)
    span = cum[np.maximum(hi - 1, 0)] - base
    draw = base[town] + (rng.random(m_out) * span[town]).astype(np.int64)
    pick = order[np.searchsorted(cum, draw, side="right")]
    flat[slots] = start[pick] + (rng.random(m_out) * size[pick]).astype(np.int32)
    return np.concatenate([inside, slots])


def tie_stats(ties: sp.csr_matrix, sample: int = 2_000, seed: int = 0) -> dict[str, float]:
    """Mean degree and average clustering (on a sample of residents, ties as undirected).

    Returns
    -------
    dict
        ``mean_degree`` (stored ties per resident), ``clustering`` (networkx's average
        clustering of the undirected graph around ``sample`` residents), ``cross_village``
        is not known here and left to the caller.
    """
    import networkx as nx

    n = ties.shape[0]
    rng = np.random.default_rng(seed)
    nodes = rng.choice(n, size=min(sample, n), replace=False)
    # The sampled residents, their ties and their ties' ties: enough for exact clustering.
    first = np.unique(ties[nodes].indices)
    around = np.unique(np.concatenate([nodes, first]))
    sym = ties + ties.T
    sub = sym[around][:, around]
    g = nx.from_scipy_sparse_array(sub)
    g.remove_edges_from(nx.selfloop_edges(g))
    index = {int(r): i for i, r in enumerate(around)}
    clustering = nx.average_clustering(g, nodes=[index[int(x)] for x in nodes])
    return {"mean_degree": float(ties.getnnz() / n), "clustering": float(clustering)}
