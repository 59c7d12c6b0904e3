"""Binomial draws over fixed cells, bit for bit ``Generator.binomial``, for every replicate at once.

Each month every village draws its grievances of each type as one binomial (``n`` residents,
the type's monthly chance ``p``). ``n`` and ``p`` stay the same for the whole run, yet numpy
works out each cell's constants (``(1 - p) ** n`` through ``exp`` and ``log``) again on every
call, and a batch made one call per replicate: together a tenth of a town batch's months.

:class:`CellBinomials` works the constants out once and draws every replicate's cells in one
compiled pass, following numpy's own algorithm for the cells it covers (inversion, used
where ``p <= 0.5`` and ``n * p <= 30``): the same uniforms, taken from each replicate's
generator in the same order, so the same counts, and each generator is left where
``Generator.binomial`` would leave it. Any other cell (a village of more than about 12,000
residents at the highest rates) is drawn by numpy itself, in its turn. The constants are
worked out with Python's ``math``: the C library functions numpy's C code calls, not numpy's
vectorised ones, which may round differently. ``tests/test_binomial.py`` checks the counts
and the generators' states against numpy's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numba
import numpy as np

__all__ = ["CellBinomials"]

_INVERSION_LIMIT = 30.0
"""numpy inverts the distribution function where ``n * p`` is at most this (and ``p <= 0.5``)."""


@numba.njit(cache=True, nogil=True)
def _masses(n, p, q, qn, bound, theirs):  # noqa: ANN001, ANN202
    # Each cell's probabilities P(X = x), x = 0..bound, by numpy's recursion in its order of
    # operations (so the same floats): where a cell's run starts in the table, and the table.
    # Cells without a run: none drawn (n or p zero), or numpy's own (never passed to _invert).
    first = np.zeros(n.shape[0] + 1, np.int64)
    for c in range(n.shape[0]):
        first[c + 1] = first[c] + (bound[c] + 1 if n[c] != 0 and p[c] != 0.0
                                   and not theirs[c] else 0)
    mass = np.empty(first[-1])
    for c in range(n.shape[0]):
        if first[c + 1] == first[c]:
            continue
        px = qn[c]
        mass[first[c]] = px
        for x in range(1, bound[c] + 1):
            px = ((n[c] - x + 1) * p[c] * px) / (x * q[c])
            mass[first[c] + x] = px
    return first, mass


@numba.njit(cache=True, nogil=True)
def _invert(first, mass, bound, u, k, k_end, lo, hi, out):  # noqa: ANN001, ANN202
    # numpy's random_binomial_inversion over cells lo..hi-1, taking uniforms u[k:k_end].
    # Returns the first cell left undone (hi when all are) and the next uniform: a cell left
    # undone is redone from its start, as numpy's own restart (x > bound) starts it afresh.
    for c in range(lo, hi):
        at = first[c]
        if first[c + 1] == at:  # n == 0 or p == 0: numpy returns 0 with no draw
            out[c] = 0
            continue
        if k >= k_end:
            return c, k
        x, uu = 0, u[k]
        k += 1
        while uu > mass[at + x]:
            x += 1
            if x > bound[c]:
                if k >= k_end:
                    return c, k
                x, uu = 0, u[k]
                k += 1
            else:
                uu -= mass[at + x - 1]
        out[c] = x
    return hi, k


@numba.njit(cache=True, nogil=True)
def _invert_each(first, mass, bound, u, u_start, start, end, out, undone):  # noqa: ANN001, ANN202
    # Each replicate's cells start[r]..end[r]-1 from its own uniforms u[u_start[r]:...].
    # Returns whether every replicate's cells are done (else see ``undone``).
    done = True
    for r in range(start.shape[0]):
        undone[r], _ = _invert(first, mass, bound, u, u_start[r], u_start[r + 1], start[r],
                               end[r], out)
        done = done and undone[r] == end[r]
    return done


class CellBinomials:
    """Draws ``Generator.binomial(n, p)`` for fixed cells, for several replicates at once.

    Parameters
    ----------
    cells
        One ``(n, p)`` per replicate: arrays broadcasting to the cells, which are drawn in
        the order numpy draws them (C order of the broadcast shape).
    """

    def __init__(self, cells: Sequence[tuple[np.ndarray, np.ndarray]]):
        shaped = [np.broadcast_arrays(np.asarray(n, np.int64), np.asarray(p, np.float64))
                  for n, p in cells]
        self.n = np.concatenate([n.ravel() for n, _ in shaped])
        self.p = np.concatenate([p.ravel() for _, p in shaped])
        size = np.array([n.size for n, _ in shaped], np.int64)
        self.end = np.cumsum(size)
        self.start = self.end - size
        drawn = (self.n != 0) & (self.p != 0.0)
        # Cells numpy draws by its other algorithms (p > 0.5, or n * p > 30): numpy's own.
        theirs = drawn & ~((self.p <= 0.5) & (self.p * self.n <= _INVERSION_LIMIT))
        q, qn, self.bound = _constants(self.n, self.p, theirs)
        self._first, self._mass = _masses(self.n, self.p, q, qn, self.bound, theirs)
        self._drawn_to = np.concatenate([[0], np.cumsum(drawn)])  # cells drawn before each
        self.ours = [not theirs[a:b].any() for a, b in zip(self.start, self.end, strict=True)]
        # Uniforms each replicate's pass takes, one per cell drawn (but for numpy's rare
        # restarts), laid out one replicate after another; replicates with cells of numpy's
        # are drawn piece by piece (:meth:`_pieces`) and take none here.
        uniforms = [self._drawn(a, b) * ours for a, b, ours in zip(
            self.start.tolist(), self.end.tolist(), self.ours, strict=True)]
        self.u_start = np.cumsum([0] + uniforms).astype(np.int64)
        self._lo = np.where(self.ours, self.start, self.end)
        self._u_bounds = list(zip(self.u_start[:-1].tolist(), self.u_start[1:].tolist(),
                                  strict=True))
        self._theirs = [np.flatnonzero(theirs[a:b]) + a for a, b in zip(
            self.start, self.end, strict=True)]

    def _drawn(self, lo: int, hi: int) -> int:
        return int(self._drawn_to[hi] - self._drawn_to[lo])

    def draw(self, gens: Sequence[np.random.Generator]) -> np.ndarray:
        """Every replicate's counts, one after another (replicate ``k`` from ``gens[k]``).

        The same numbers as ``gens[k].binomial(n_k, p_k).ravel()`` for each ``k`` in turn,
        each generator left in the same state.
        """
        out = np.empty(len(self.n), np.int64)
        u = np.empty(int(self.u_start[-1]))
        for k, (g, ours, (a, b)) in enumerate(zip(gens, self.ours, self._u_bounds, strict=True)):
            if ours:
                g.random(out=u[a:b])
            else:
                self._pieces(g, k, out)
        undone = np.empty(len(gens), np.int64)
        if not _invert_each(self._first, self._mass, self.bound, u, self.u_start,
                            self._lo, self.end, out, undone):
            for k in np.flatnonzero(undone < self.end):  # (numpy restarted a cell: rare)
                self._invert(gens[k], int(undone[k]), int(self.end[k]), out)
        return out

    def _pieces(self, g: np.random.Generator, k: int, out: np.ndarray) -> None:
        # Replicate k in order: runs of our cells, and numpy's own cells one at a time.
        lo = int(self.start[k])
        for c in self._theirs[k].tolist() + [int(self.end[k])]:
            self._invert(g, lo, c, out)
            if c < self.end[k]:
                out[c] = g.binomial(self.n[c], self.p[c])
            lo = c + 1

    def _invert(self, g: np.random.Generator, lo: int, hi: int, out: np.ndarray) -> None:
        # Our cells lo..hi-1 from g. Each drawn cell takes a uniform at least, so drawing one
        # per cell never draws one numpy would not; a restart comes round the loop again.
        while lo < hi:
            u = g.random(self._drawn(lo, hi))
            lo, _ = _invert(self._first, self._mass, self.bound, u, 0, len(u), lo, hi, out)


def _constants(n: np.ndarray, p: np.ndarray, theirs: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell, as numpy's inversion works them out: ``q``, ``q ** n`` and the bound."""
    q, qn = np.ones(len(n)), np.ones(len(n))
    bound = np.zeros(len(n), np.int64)
    for i, (ni, pi, skip) in enumerate(zip(n.tolist(), p.tolist(), theirs.tolist(),
                                           strict=True)):
        if ni == 0 or pi == 0.0 or skip:
            continue
        q[i] = qi = 1.0 - pi
        qn[i] = math.exp(ni * math.log(qi))
        mean = ni * pi
        bound[i] = int(min(ni, mean + 10.0 * math.sqrt(mean * qi + 1)))
    return q, qn, bound
