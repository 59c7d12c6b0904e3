"""Warm-up months run once for runs that differ only after them.

Every run starts with ``warmup_months`` of the levels before the scenario's first year, so
that queues, trust and reputations are settled before anything is reported. Runs of one
region, seeds and parameters whose warm-up levels agree (a dashboard's moves, the scenarios of
one seed) therefore run identical warm-ups. Inside ``reuse_setup(keep=True)`` the first such
run keeps a copy of its state at the end of the warm-up, and the next one starts from a copy
of that instead of running the months again; it then runs its own months as usual, so every
result is bit for bit that of a fresh run (``tests/test_warm_start.py``).

Only the state a run changes is copied. Mesa's own attributes (its clock, its agents, which
hold no state of their own in this model) stay the new run's; its clock is moved on by the
warm-up months without running them.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Collection, Hashable, Mapping
from typing import Any

import mesa

from .shared_setup import recall, region_key, remember, remembering

__all__ = ["warm_key", "keep_warm_up", "resume_warm_up"]

_KIND = "warm-up"


class _Model:
    # Stands for the model inside a kept copy (its behaviour's ``model``, bound methods).
    pass


_MODEL = _Model()


@functools.cache
def _mesa_keys() -> frozenset[str]:
    return frozenset(vars(mesa.Model(rng=0)))


def warm_key(model: Any, levels: Mapping[str, Any]) -> Hashable | None:
    """What a run's warm-up depends on; None outside a keeping block or before the warm-up.

    ``levels``: each lever's level by month, the warm-up's months first (arrays).
    """
    if not remembering() or model.month != -model.warmup or model.warmup <= 0:
        return None
    months = model.warmup
    return (type(model), type(model.behaviour), tuple(sorted(
        (role, cls) for role, cls in model.institution_classes.items())),
        region_key(model.base_region), tuple(model.seeds), model.warmup, model.n_months,
        model.first_year, model.collect_reporters,
        tuple(p.model_dump_json() for p in model.each_params),
        tuple((k, v[:months].tobytes()) for k, v in levels.items()))


def keep_warm_up(model: Any, key: Hashable, skip: Collection[str]) -> None:
    """Keep a copy of ``model``'s state, at the end of its warm-up, under ``key``.

    ``skip``: attributes not copied, which the next run brings itself (its scenario, and
    set-up that equal keys make equal and no month changes).
    """
    skip = _mesa_keys() | frozenset(skip)
    state = {k: v for k, v in vars(model).items() if k not in skip}
    remember(_KIND, key, copy.deepcopy(state, {id(model): _MODEL}))


def resume_warm_up(model: Any, key: Hashable) -> bool:
    """Give ``model`` the kept state after its warm-up, if any; True if it was given.

    ``model`` then runs on from the first reported month; the months of the warm-up it did
    not run are counted by :attr:`clock_only` steps that only move Mesa's clock.
    """
    kept = recall(_KIND, key)
    if kept is None:
        return False
    vars(model).update(copy.deepcopy(kept, {id(_MODEL): model}))
    model.clock_only = model.warmup
    return True
