"""Which ties of a network are redrawn, and how the list of them is kept (:mod:`.ties`).

Each of a network's ties (its slots, row after row) is redrawn with chance ``p``, on its own,
and a redrawn tie then goes across the town with chance ``cross / p``. The gaps between
redrawn ties are therefore geometric, and are drawn as such: a uniform per redrawn tie, not
per tie (:func:`redrawn_slots`).

A large network keeps the ties redrawn inside villages, most of them, as a byte per gap
(:class:`GapList`) rather than a 32-bit slot each (:class:`SlotList`): at 29 ties a resident
across Shaoxing (a posterior draw of ``ties_mean``) the list is 63 million ties, 250 MB as
slots and 63 MB as gaps. A small one keeps slots, which are quicker to place and to read.
Either way the same slots come out, in order.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .tie_kernels import place_gaps, place_redrawn, read_gaps

__all__ = ["GAP_BLOCK", "BYTE_GAPS_FROM", "SlotList", "GapList", "redrawn_slots", "gap_block"]

GAP_BLOCK = 1 << 20
"""The most redrawn ties placed from one block of uniforms."""

BYTE_GAPS_FROM = 1 << 26
"""Networks of this many slots or more keep the ties redrawn inside as gaps (:class:`GapList`):
from about 12 million residents at 8 ties a resident, or 2.3 million at 29."""


def _room(expect: float) -> int:
    return int(expect + 8 * math.sqrt(max(expect, 0.0)) + 1024)


def _grown(a: np.ndarray, used: int) -> np.ndarray:
    return a if used < len(a) else np.concatenate([a, np.empty(max(1024, used // 8), a.dtype)])


class SlotList:
    """Slots taken into one array, grown only if more come than expected (never in practice)."""

    def __init__(self, expect: float, kind: type = np.intp):
        self.out = np.empty(_room(expect), dtype=kind)
        self.n = 0

    def place(self, gaps: np.ndarray, sides: np.ndarray, i: int, at: float, total: float,
              share: float, across: SlotList) -> tuple[float, int]:
        """Place redrawn ties from ``gaps[i]`` on (:func:`~.tie_kernels.place_redrawn`)."""
        at, i, self.n, across.n = place_redrawn(gaps, sides, i, at, total, share, self.out,
                                                self.n, across.out, across.n)
        return at, i

    def make_room(self) -> None:
        """Grow the array if it is full."""
        self.out = _grown(self.out, self.n)

    def slots(self) -> np.ndarray:
        """All taken so far."""
        return self.out[:self.n]

    def reader(self, most: int) -> Callable[[int], np.ndarray]:
        """``read(limit)``: the next slots below ``limit``, in order (at most ``most``)."""
        slots, at = self.slots(), 0

        def read(limit: int) -> np.ndarray:
            nonlocal at
            start, at = at, at + int(np.searchsorted(slots[at:], limit))
            return slots[start:at]

        return read


class GapList:
    """Ascending slots kept as the gap from the one before, a byte each.

    A gap of 255 or more is a byte 255 and the slot itself in ``big``
    (:func:`~.tie_kernels.place_gaps`). Both are grown only if more come than expected.
    """

    def __init__(self, expect: float, chance: float, kind: type = np.intp):
        wide = expect * (1.0 - chance) ** 255 if chance < 1.0 else 0.0  # gaps of 255 or more
        self.codes = np.empty(_room(expect), np.uint8)
        self.big = np.empty(_room(wide), kind)
        self.n = self.n_big = 0
        self.last = -1

    def place(self, gaps: np.ndarray, sides: np.ndarray, i: int, at: float, total: float,
              share: float, across: SlotList) -> tuple[float, int]:
        """Place redrawn ties from ``gaps[i]`` on (:func:`~.tie_kernels.place_gaps`)."""
        at, i, self.n, self.n_big, self.last, across.n = place_gaps(
            gaps, sides, i, at, total, share, self.codes, self.n, self.big, self.n_big,
            self.last, across.out, across.n)
        return at, i

    def make_room(self) -> None:
        """Grow a list if it is full."""
        self.codes = _grown(self.codes, self.n)
        self.big = _grown(self.big, self.n_big)

    def slots(self) -> np.ndarray:
        """Every slot, read at once."""
        return self.reader(self.n)(np.iinfo(np.int64).max).copy()

    def reader(self, most: int) -> Callable[[int], np.ndarray]:
        """``read(limit)``: the next slots below ``limit``, in order (at most ``most``).

        They share one buffer, valid until the next read.
        """
        out = np.empty(most, self.big.dtype)
        at = [0, 0, -1]  # the next byte, the next wide slot, the last slot read

        def read(limit: int) -> np.ndarray:
            k, *at[:] = read_gaps(self.codes, self.n, self.big, *at, limit, out)
            return out[:k]

        return read


def redrawn_slots(rng: np.random.Generator, total: int, p: float, cross: float
                  ) -> tuple[SlotList | GapList, np.ndarray]:
    """The slots whose tie is redrawn inside the village, and those redrawn across, ascending.

    Each gap between redrawn ties is drawn by inversion from a uniform,
    ``floor(log(1 - u) / log(1 - p))``, and a second uniform sends the tie across. Uniforms
    come from ``rng.random`` in blocks (:func:`gap_block`): a block's gaps, then its sides.
    Drawing per redrawn tie rather than per tie takes a seventh of the uniforms at ``p`` =
    0.15. The ties inside come as a list to read (``.reader``, ``.slots()``, ``.n``).
    """
    # Slots fit in 32 bits but for the largest networks: half the memory of 64-bit ones.
    kind = np.int32 if total <= np.iinfo(np.int32).max else np.intp
    inside = (GapList(total * (p - cross), p - cross, kind) if total >= BYTE_GAPS_FROM
              else SlotList(total * (p - cross), kind))
    across = SlotList(total * cross, kind)
    log_q = math.log1p(-p) if p < 1.0 else -math.inf  # (every tie when p is 1: gaps of 0)
    share = cross / p
    at = -1.0  # the last slot placed
    while at < total:
        k = gap_block(total - 1 - at, p)
        u = rng.random(2 * k)
        gaps, sides = u[:k], u[k:]
        np.subtract(1.0, gaps, out=gaps)  # (0, 1]: exact for numpy's float64 uniforms
        np.log(gaps, out=gaps)
        gaps /= log_q
        i = 0
        while i < k and at < total:
            at, i = inside.place(gaps, sides, i, at, float(total), share, across)
            inside.make_room()
            across.make_room()
    return inside, across.slots()


def gap_block(left: float, p: float) -> int:
    """Gaps drawn at once with ``left`` slots to go: enough for all, nearly always, or fewer.

    Never more than :data:`GAP_BLOCK`.
    """
    expect = left * p
    return int(min(GAP_BLOCK, expect + 6.0 * math.sqrt(expect) + 64))
