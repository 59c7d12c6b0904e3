"""Set-up that the scenarios of one replicate share: drawn once, reused while asked to.

A run's residents (their traits) and ties depend on the region, a few parameters and the
seed, not on the levers, so every scenario of replicate ``k`` draws the same ones (common
random numbers). On a city they are most of a run's set-up (about 1.5 s of 3). Inside
:func:`reuse_setup` a model takes them from the last model built with the same key, and each
generator they were drawn from is put where drawing would have left it, so every later draw
is unchanged: a reused run is bit for bit a fresh one. Outside the block nothing is kept.

The ensemble runs a seed's scenarios one after another inside the block
(:mod:`fazhi_sim.experiments.batches`).
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any

import numpy as np

__all__ = ["reuse_setup", "shared", "region_key", "recall", "remember", "remembering"]


class _Shared:
    """Values of each kind of set-up by key, with the generators' states after drawing."""

    def __init__(self) -> None:
        self.on = 0
        self.keep = 0  # blocks that asked to keep what they drew
        self.entries: dict[str, OrderedDict[Hashable, tuple[Any, list[dict], bool]]] = {}


_SHARED = _Shared()
_KEPT_PER_KIND = 2
"""Values of one kind kept between blocks (a dashboard's workers see a few seed groups)."""


def shared(kind: str, key: Hashable, rngs: Sequence[np.random.Generator],
           make: Callable[[], Any], copy: Callable[[Any], Any] | None = None) -> Any:
    """``make()``, or within :func:`reuse_setup` the value kept for the same ``kind`` and key.

    ``make`` draws only from ``rngs``, and ``key`` holds everything else it depends on (the
    generators' states before drawing are added to it). On a hit each generator is set to
    the state it had after the kept value was drawn. A value is shared as it is unless
    ``copy`` is given, which each caller then gets one of (for what runs change).
    """
    if not _SHARED.on:
        return make()
    key = (key, tuple(_state_key(g) for g in rngs))
    kept = _SHARED.entries.setdefault(kind, OrderedDict())
    hit = kept.get(key)
    if hit is not None:
        kept.move_to_end(key)
        for g, state in zip(rngs, hit[1], strict=True):
            g.bit_generator.state = state
        value = hit[0]
    else:
        value = make()
        kept[key] = (value, [g.bit_generator.state for g in rngs], _SHARED.keep > 0)
        while len(kept) > _KEPT_PER_KIND:
            kept.popitem(last=False)
    return value if copy is None else copy(value)


def recall(kind: str, key: Hashable) -> Any:
    """The value :func:`remember` kept for ``kind`` and ``key`` in a keeping block, or None.

    Only blocks that keep (``reuse_setup(keep=True)``: a small region whose runs come back)
    hold such values; elsewhere this is always None.
    """
    if not (_SHARED.on and _SHARED.keep):
        return None
    kept = _SHARED.entries.get(kind, {})
    hit = kept.get(key)
    if hit is None:
        return None
    kept.move_to_end(key)
    return hit[0]


def remember(kind: str, key: Hashable, value: Any) -> None:
    """Keep ``value`` for :func:`recall` (the last few per kind), in a keeping block only."""
    if not (_SHARED.on and _SHARED.keep):
        return
    kept = _SHARED.entries.setdefault(kind, OrderedDict())
    kept[key] = (value, [], True)
    while len(kept) > _KEPT_PER_KIND:
        kept.popitem(last=False)


def remembering() -> bool:
    """True inside a block that keeps values for :func:`recall`."""
    return bool(_SHARED.on and _SHARED.keep)


def _state_key(g: np.random.Generator) -> str:
    # Equal states draw equal numbers: the state before drawing identifies the draws.
    return repr(g.bit_generator.state)


def region_key(region: Any) -> tuple:
    """What of a region set-up depends on: its id and layout."""
    return (region.id, region.village_population.tobytes(), region.village_town.tobytes())


@contextlib.contextmanager
def reuse_setup(keep: bool = False) -> Iterator[None]:
    """Within the block, models with the same region, seeds and parameters share set-up.

    What is drawn in the block is dropped on leaving it (the ties of a city are 240 MB),
    unless ``keep``: then the next blocks may use it too (the last few per kind), as a
    dashboard's workers do for its small region, whose seeds come back on every move.
    """
    _SHARED.on += 1
    _SHARED.keep += keep
    try:
        yield
    finally:
        _SHARED.on -= 1
        _SHARED.keep -= keep
        if not _SHARED.on:
            for kept in _SHARED.entries.values():
                for key in [k for k, v in kept.items() if not v[2]]:
                    del kept[key]
