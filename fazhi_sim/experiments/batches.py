"""Which runs of an ensemble travel together as one task, and how a worker runs a task.

A run's cost has a fixed part per month (a few thousand small array operations, whatever the
region's size) and a part that grows with the residents. For a town the fixed part is nearly
all of it, so an ensemble stacks several seeds of one scenario into one model pass
(:func:`~fazhi_sim.simulate_batch`) and pays it once. A city is big enough to run alone.
Either way the scenarios of the same seeds go to the same worker one after another, so they
draw the residents and their ties once (:func:`~fazhi_sim.engine.shared_setup.reuse_setup`)
and, for a small region, run the warm-up once (:mod:`~fazhi_sim.engine.warm_start`). Each
run's result is bit for bit what it is alone.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..engine.region import Region, get_region
from ..engine.shared_setup import reuse_setup
from .simulate import simulate_batch
from .spec import ModelSpec

__all__ = ["BATCH_RESIDENTS", "batch_size", "plan_tasks", "run_task", "warm_up"]

BATCH_RESIDENTS = 1_000_000
"""Most residents one batch stacks (20 towns of 50,000; a county of 1.2 million runs alone).

Above about a million residents the fixed cost per month is a small part of a run, and a
bigger batch would only cost memory.
"""

Run = tuple  # (name, scenario, region, seed, replicate index), as the ensemble lists runs


def batch_size(region: Region, runs: int, workers: int, spec: ModelSpec,
               batch: int | None = None) -> int:
    """Seeds per batch for ``runs`` runs of one scenario on ``workers`` workers.

    ``batch`` fixes it (1: no batching); by default as many as :data:`BATCH_RESIDENTS`
    allows, but no more than keeps every worker busy.
    """
    if not spec.batchable:
        return 1
    if batch is not None:
        return max(1, int(batch))
    fits = max(1, BATCH_RESIDENTS // max(region.population, 1))
    return max(1, min(fits, math.ceil(runs / max(workers, 1))))


def plan_tasks(runs: Sequence[Run], spec: ModelSpec, workers: int,
               batch: int | None = None) -> list[list[Run]]:
    """Group runs into tasks: the scenarios of a batch of seeds, or of one seed.

    Each scenario's seeds are stacked in batches. With several workers the batches of the
    same seeds of every scenario make one task, run one after another on one worker, so that
    the later ones take the set-up and the warm-up months from the first
    (:func:`~fazhi_sim.engine.shared_setup.reuse_setup`). With one worker they are tasks of
    their own, one after another (the worker keeps what the next one takes), so that each is
    stored as soon as it is done. A run too big to batch goes with the other scenarios of its
    seed.

    Parameters
    ----------
    runs
        ``(name, scenario, region, seed, replicate)`` tuples.
    spec
        The model every run builds.
    workers
        Workers that will run the tasks.
    batch
        Seeds per batch; None chooses (:func:`batch_size`), 1 turns batching off.

    Returns
    -------
    list of list
        Tasks in submission order; each run appears in exactly one.
    """
    by_scenario: dict[tuple[str, int], list[Run]] = {}
    for run in runs:
        by_scenario.setdefault((run[0], id(run[2])), []).append(run)
    stacked: dict[tuple, list[Run]] = {}
    alone: dict[tuple[int, int], list[Run]] = {}
    for group in by_scenario.values():
        size = batch_size(group[0][2], len(group), workers, spec, batch)
        if size > 1:
            for i in range(0, len(group), size):
                seeds = group[i:i + size]
                stacked.setdefault((id(seeds[0][2]), tuple(r[3] for r in seeds)),
                                   []).extend(seeds)
        else:
            for run in group:  # a seed's scenarios together, so they share its ties
                alone.setdefault((id(run[2]), run[3]), []).append(run)
    tasks = list(stacked.values())
    if workers <= 1:  # the same order, a scenario's batch at a time
        tasks = [part for task in tasks for part in _by_scenario(task)]
    return tasks + list(alone.values())


def _by_scenario(task: list[Run]) -> list[list[Run]]:
    parts: dict[str, list[Run]] = {}
    for run in task:
        parts.setdefault(run[0], []).append(run)
    return list(parts.values())


def run_task(spec: ModelSpec, task: list[tuple]) -> list[pd.DataFrame]:
    """Run one task on a worker: ``(scenario, region, seeds[, params])`` entries.

    ``params``, if given and not None, holds each seed's parameters (posterior draws), run as
    one batch (:func:`~fazhi_sim.simulate_batch`). Returns the frames in order. Module-level
    so process pools and Dask pickle it by reference.
    """
    out: list[pd.DataFrame] = []
    # A small region's set-up is kept for the worker's next tasks: a dashboard asks for the
    # same seeds on every move.
    small = all(_residents(entry[1]) * len(entry[2]) <= BATCH_RESIDENTS for entry in task)
    with reuse_setup(keep=small) if spec.batchable else contextlib.nullcontext():
        for scenario, region, seeds, *params in task:
            out += simulate_batch(scenario, region=region, seeds=seeds, model=spec,
                                  counters=True, params=params[0] if params else None)
            if not small:
                _free_models()
    return out


_FROZEN = False


def _free_models() -> None:
    # A model and its Mesa agents refer to each other, so only the cycle collector frees
    # them; a worker running city after city would otherwise keep every one (18 GB for
    # 100 x 2 runs). A full collection walks every object the imports made (0.2 s), so the
    # first one also freezes what survives it (the modules, their caches): later ones walk
    # only what runs made. Small regions leave it to the collector's own schedule.
    global _FROZEN
    gc.collect()
    if not _FROZEN:
        gc.freeze()
        _FROZEN = True



def _residents(region: str | Region) -> int:
    return get_region(region).population


def warm_up() -> int:
    """Load the engine and its compiled kernels in this process; returns its process id.

    A worker pool that will answer a slider calls this on each worker as it starts, so the
    first real run pays no imports or kernel loading.
    """
    tiny = Region("warm-up", "预热", "warm-up", ("w",), ("预热",), np.zeros(1, np.int32),
                  np.zeros(2, np.int32), np.zeros(2, np.int32), np.full(2, 200, np.int64))
    simulate_batch(None, region=tiny, seeds=(0, 1), counters=True)
    return os.getpid()
