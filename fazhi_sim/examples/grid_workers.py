"""网格员 (grid workers): a new kind of agent who takes fresh disputes to village mediation.

Shaoxing runs its 全科网格 (full-service grids) with 4,000+ grids and 20,000+ grid workers (as
reported). A worker walks a beat of households; where a household has a fresh dispute, the
worker may spot it and bring it to the village mediation committee (村人民调解委员会) before the
claimant has chosen a channel, so fewer disputes go straight to court, the town or the
petition office.

This file is the worked example of docs/extending.md; it runs wherever a model does, e.g.
``fazhi-sim compare baseline plan-2025 --model fazhi_sim.examples.grid_workers:spec``. It adds
and changes nothing in the shipped model:

* :class:`GridWorkerParams`: the example's own numbers, each with bounds and a source;
* :class:`GridWorker`: one ``mesa.Agent`` per worker, whose beat is a block of its village's
  residents. Who spots what is decided for every worker at once (:meth:`GridWorker.rounds`,
  a class method over arrays like the institutions' formulas: 20,000 workers each touching
  numpy every month would cost more than the rest of the model); each worker's ``step``,
  driven through Mesa's AgentSet, books its month;
* :class:`GridWorkerModel`: the :class:`~fazhi_sim.DisputeModel` subclass that lays out the
  beats and, every month, sends the workers on their rounds between claims arising and claims
  choosing a channel;
* :data:`spec`: the :class:`~fazhi_sim.experiments.spec.ModelSpec` that names it.

With ``level = 0`` there are no workers and every run equals the shipped model's, draw for
draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from fazhi_sim.engine.disputes import TYPES, State
from fazhi_sim.engine.model import DisputeModel
from fazhi_sim.engine.population import Residents
from fazhi_sim.engine.reporters import model_reporters
from fazhi_sim.experiments.spec import ModelSpec

__all__ = ["GridWorkerParams", "GridWorker", "GridWorkerModel", "Beats", "Rounds",
           "GRID_SPOT", "spec"]

GRID_SPOT = 101
"""Purpose number of the spotting draw (``model.draw(pos, GRID_SPOT)``).

No engine draw uses it (:class:`~fazhi_sim.engine.streams.Purpose` stops at 18, the channel
noise uses 48-54), so adding grid workers leaves every other draw as it was, and replicate
``k`` of two scenarios still meets the same luck (common random numbers).
"""

_ADMIN = TYPES.index("administrative")


def _field(default: float, lo: float, hi: float, doc: str, source: str = "assumed") -> Any:
    return Field(default, ge=lo, le=hi, description=doc, json_schema_extra={"source": source})


class GridWorkerParams(BaseModel):
    """The grid workers' numbers: default, bounds and source of each (``description``).

    ``GridWorkerParams.model_fields["spot_share"].json_schema_extra["source"]`` gives the
    source; :meth:`sources` all of them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    level: float = _field(
        1.0, 0.0, 1.0, "share of the full grid-worker establishment on its beats (0: none, "
        "the shipped model; 1: full strength); scales the number of workers",
        "lever: set by the user")
    workers_per_10k: float = _field(
        37.7, 0.0, 200.0, "grid workers per 10,000 residents at full strength",
        "derived: 20,000+ 网格员 / about 5.3 million residents (Shaoxing, as reported); a "
        "floor, as both are '+' figures")
    monthly_visits: float = _field(
        40.0, 0.0, 500.0, "households one worker visits a month (入户走访), about two a "
        "working day")
    household_size: float = _field(
        2.35, 1.0, 6.0, "residents per household (turns a beat's residents into households)",
        "Zhejiang 2020 census: 2.35 persons per family household (provincial figure; "
        "Shaoxing's own not checked)")
    spot_share: float = _field(
        0.5, 0.0, 1.0, "chance a worker visiting a household with a fresh dispute spots it "
        "and the claimant agrees to take it to village mediation")

    @classmethod
    def sources(cls) -> dict[str, str]:
        """Field name to its source ("assumed" where nothing is cited)."""
        return {name: f.json_schema_extra["source"] for name, f in cls.model_fields.items()}


@dataclass
class Beats:
    """Every worker's beat as columns; row ``k`` is the worker with ``index == k``.

    Attributes
    ----------
    first, size : ndarray of int64
        First resident row of the beat and residents on it (resident rows are sorted by
        village, so a beat is a block of them).
    village : ndarray of int32
        Village of the beat.
    reach : ndarray of float
        Share of the beat's households the worker visits a month.
    """

    first: np.ndarray
    size: np.ndarray
    village: np.ndarray
    reach: np.ndarray

    def __len__(self) -> int:
        return len(self.first)

    @classmethod
    def lay_out(cls, residents: Residents, params: GridWorkerParams) -> Beats:
        """Split each village's residents among its workers in near-equal blocks."""
        pop = residents.village_size
        per_resident = params.workers_per_10k * params.level / 1e4
        workers = np.minimum(np.rint(pop * per_resident).astype(np.int64), pop)
        village = np.repeat(np.arange(len(pop), dtype=np.int32), workers)
        k = np.arange(len(village)) - np.repeat(np.cumsum(workers) - workers, workers)
        n, start = workers[village], residents.village_start[village]
        first = start + (k * pop[village]) // np.maximum(n, 1)
        size = start + ((k + 1) * pop[village]) // np.maximum(n, 1) - first
        households = np.maximum(size / params.household_size, 1e-9)
        reach = np.minimum(1.0, params.monthly_visits / households)
        return cls(first=first, size=size, village=village, reach=reach)

    def worker_of(self, resident: np.ndarray, village: np.ndarray) -> np.ndarray:
        """Index of the worker whose beat holds each resident; -1 where the village has none."""
        if len(self) == 0:
            return np.full(len(resident), -1, dtype=np.int64)
        w = np.searchsorted(self.first, resident, side="right") - 1
        # Beats tile their village from its first resident, so the last beat starting at or
        # before the resident holds them unless that beat is another village's.
        ok = (w >= 0) & (self.village[np.maximum(w, 0)] == village)
        return np.where(ok, w, -1)


@dataclass
class Rounds:
    """One month's rounds: what every worker spotted and referred.

    Attributes
    ----------
    pos : ndarray
        Pool positions of the fresh disputes the workers could meet.
    spotted, referred : ndarray of bool
        Per dispute at ``pos``: spotted by its worker; of those, taken to the committee.
    spotted_by_worker, referred_by_worker : list of int
        The same, counted per worker (plain ints: each worker's ``step`` reads one).
    """

    pos: np.ndarray
    spotted: np.ndarray
    referred: np.ndarray
    spotted_by_worker: list[int]
    referred_by_worker: list[int]

    @classmethod
    def none(cls, n_workers: int) -> Rounds:
        """No rounds yet (before the first month)."""
        empty = np.zeros(0, dtype=bool)
        return cls(np.zeros(0, dtype=np.int64), empty, empty, [0] * n_workers,
                   [0] * n_workers)


class GridWorker(mesa.Agent):
    """网格员: a grid worker who walks a beat of households in one village.

    Attributes
    ----------
    index : int
        Row of this worker in ``model.beats``.
    village : int
        Village of the beat.
    grid : range
        Resident rows on the beat.
    monthly_visits : float
        Households visited a month (the worker's capacity).
    spotted : int
        Fresh disputes spotted so far.
    referred : int
        Of those, disputes taken to the village mediation committee so far.
    """

    label_zh, label_en = "网格员", "Grid worker"

    def __init__(self, model: GridWorkerModel, index: int):
        super().__init__(model)
        beats = model.beats
        self.index = index
        self.village = int(beats.village[index])
        first = int(beats.first[index])
        self.grid = range(first, first + int(beats.size[index]))
        self.monthly_visits = model.grid_params.monthly_visits
        self.spotted = 0
        self.referred = 0

    @property
    def reach(self) -> float:
        """Share of the beat's households visited a month."""
        return float(self.model.beats.reach[self.index])

    @classmethod
    def rounds(cls, model: GridWorkerModel, pos: np.ndarray) -> Rounds:
        """Every worker's rounds at once, over the fresh disputes at pool positions ``pos``.

        A dispute is spotted with chance (share of its beat's households visited this month)
        x ``spot_share``. A spotted dispute is referred unless it is administrative (people's
        mediation takes disputes among residents, 民间纠纷: 人民调解法 art. 2) or its village
        has no working committee this month (the same test that closes the village option
        to residents).
        """
        p, pool, beats = model.grid_params, model.pool, model.beats
        village = pool.village[pos]
        worker = beats.worker_of(pool.claimant[pos], village)
        # worker -1 (no beat) reads the last beat's reach; the np.where below discards it.
        reach = beats.reach[worker] if len(beats) else np.zeros(len(pos))
        chance = np.where(worker >= 0, reach * p.spot_share, 0.0)
        spotted = model.draw(pos, GRID_SPOT) < chance
        referable = (pool.kind[pos] != _ADMIN) & (model.capacity[State.VILLAGE][village] > 0)
        referred = spotted & referable
        n = len(beats)
        return Rounds(pos=pos, spotted=spotted, referred=referred,
                      spotted_by_worker=np.bincount(worker[spotted], minlength=n).tolist(),
                      referred_by_worker=np.bincount(worker[referred], minlength=n).tolist())

    def step(self) -> None:
        """Book this month's rounds (decided for all workers at once by :meth:`rounds`).

        A per-worker rule cheap enough for plain Python (a worker who tires, or who returns
        to a household) belongs here.
        """
        found = self.model.rounds
        self.spotted += found.spotted_by_worker[self.index]
        self.referred += found.referred_by_worker[self.index]


def _grid_spotted(model: GridWorkerModel) -> int:
    return int(model.rounds.spotted.sum())


def _grid_referred(model: GridWorkerModel) -> int:
    return int(model.rounds.referred.sum())


class GridWorkerModel(DisputeModel):
    """The dispute-flow model with 网格员 who refer fresh disputes to village mediation.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`~fazhi_sim.DisputeModel`.
    grid
        The grid workers' numbers, a :class:`GridWorkerParams` or a mapping of its fields
        (default: the class attribute :attr:`grid_params`). For ensembles, which build the
        model from its class alone, subclass and set ``grid_params`` instead.

    Attributes
    ----------
    beats : Beats
        Every worker's beat, as columns.
    rounds : Rounds
        The latest month's rounds.
    datacollector : mesa.DataCollector
        The shipped reporters plus ``grid_spotted`` and ``grid_referred`` (this month).
    """

    grid_params: GridWorkerParams = GridWorkerParams()
    """The grid workers' numbers unless ``grid=`` is given."""

    def __init__(self, *args: Any, grid: GridWorkerParams | Mapping[str, float] | None = None,
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        if grid is not None:
            self.grid_params = (grid if isinstance(grid, GridWorkerParams)
                                else GridWorkerParams(**grid))
        self.beats = Beats.lay_out(self.residents, self.grid_params)
        for k in range(len(self.beats)):
            GridWorker(self, k)
        self.rounds = Rounds.none(len(self.beats))
        self.datacollector = mesa.DataCollector(model_reporters={
            **model_reporters(), "grid_spotted": _grid_spotted, "grid_referred": _grid_referred})

    def arise(self) -> None:
        """Claims arise as in the shipped model; then the grid workers make their rounds."""
        super().arise()
        pool = self.pool
        fresh = pool.in_state(State.CHOOSING)
        # Only this month's claims: a dispute that already failed somewhere is past the stage
        # at which a neighbour's word sends it to the village.
        fresh = fresh[pool.born[fresh] == self.month]
        self.rounds = GridWorker.rounds(self, fresh)
        self.refer(fresh[self.rounds.referred])
        workers = self.agents_by_type.get(GridWorker)
        if workers:
            workers.do("step")

    def refer(self, pos: np.ndarray) -> None:
        """Queue the disputes at ``pos`` at their village committee, in place of a choice."""
        # The referral is the dispute's move this month, counted as a choice would be, so its
        # later draws line up with a dispute that chose the village itself.
        self.pool.step[pos] += 1
        self.enter(pos, State.VILLAGE)

    @property
    def grid_workers(self) -> int:
        """Grid workers in the model."""
        return len(self.beats)


spec = ModelSpec(model=GridWorkerModel)
"""The grid-worker model at full strength: ``--model fazhi_sim.examples.grid_workers:spec``."""
