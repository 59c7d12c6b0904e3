"""Random streams: one seeded generator per process, and per-dispute counter-based draws.

Common random numbers make a scenario comparison measure the lever, not the noise. Two devices
give them:

* Each process that draws in bulk (the population, the villages' coverage order, disputes
  arising) has its own ``numpy.random.Generator`` spawned from the run seed, so a lever that
  changes how often one process draws does not shift the others.
* Every decision about a dispute (claiming, channel choice, settlement, relapse, ...) uses a
  uniform computed from (run key, dispute id, counter, purpose) by the SplitMix64 mixing
  function, where the counter is the number of steps the dispute has taken (the month, for
  draws tied to the calendar). The same dispute meets the same luck at its k-th step in
  every scenario however many draws other disputes made and however long it queued, which
  a sequential generator cannot offer.

A batch of replicates (:class:`~fazhi_sim.DisputeModel` with several seeds) holds one set of
streams per seed: each replicate's generators and key are exactly those of its own run, so a
replicate run in a batch draws bit for bit what it draws alone.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from enum import IntEnum

import numpy as np

from .kernels import (
    keyed_uniform_columns,
    keyed_uniforms,
    keyed_uniforms_at,
    keyed_uniforms_at_purposes,
)

__all__ = ["Streams", "Purpose"]

class Purpose(IntEnum):
    """What a per-dispute draw decides; each purpose has its own independent stream.

    Parameters
    ----------
    *values : int
        Look a purpose up by its number, e.g. ``Purpose(5)`` is ``Purpose.SUCCESS``.
    """

    THIN = 1
    CLAIM = 2
    CHOICE = 3  # one per option: CHOICE * 16 + option
    ADVICE = 4
    SUCCESS = 5
    RELAPSE = 6
    LEAVE = 7
    OUTCOME = 8
    PERFORM = 9
    ROUTE = 10
    REPEAT = 11
    DOOR = 12
    FILTER = 13
    EXIT = 14
    DIVERT = 15
    HANDLING = 16  # one per layer: HANDLING * 16 + index in handling.HANDLING_LAYERS
    REFUSE = 17
    STALL = 18


class Streams:
    """The random streams of one run, or of each replicate in a batch.

    Parameters
    ----------
    seed
        The run seed, or one seed per replicate of a batch. Equal seeds give identical runs.

    Attributes
    ----------
    seeds : tuple of int
        One seed per replicate.
    keys : ndarray of uint64
        Each replicate's key for the per-dispute draws.
    """

    PROCESSES = ("population", "villages", "arising")
    LATER = ("ties",)

    def __init__(self, seed: int | Sequence[int]):
        seeds = (seed,) if isinstance(seed, int | np.integer) else tuple(seed)
        self.seeds = tuple(int(s) for s in seeds)
        self.seed = self.seeds[0]
        self.replicates: list[dict[str, np.random.Generator]] = []
        keys = []
        for s in self.seeds:
            generators, key = self._spawn(s)
            self.replicates.append(generators)
            keys.append(key)
        self.keys = np.array(keys, dtype=np.uint64)
        self.key = self.keys[0]

    @classmethod
    def _spawn(cls, seed: int) -> tuple[dict[str, np.random.Generator], np.uint64]:
        seq = np.random.SeedSequence(seed)
        children = seq.spawn(len(cls.PROCESSES) + 1)
        generators = {name: np.random.default_rng(child)
                      for name, child in zip(cls.PROCESSES, children, strict=False)}
        key = np.uint64(children[-1].generate_state(1, np.uint64)[0])
        # Later processes take the children after the key's, so adding one moves no earlier
        # stream (a run without it draws exactly as before).
        for i, name in enumerate(cls.LATER, start=len(cls.PROCESSES) + 1):
            generators[name] = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
        return generators, key

    @property
    def generators(self) -> dict[str, np.random.Generator]:
        """The generators of a single run (see :meth:`each` for a batch)."""
        return self.replicates[0] if len(self.replicates) == 1 else self._batch_error()

    def _batch_error(self) -> dict:
        raise ValueError(f"a batch of {len(self.seeds)} replicates has one generator per "
                         "replicate: use streams.each(process)")

    def __getitem__(self, process: str) -> np.random.Generator:
        return self.generators[process]

    def each(self, process: str) -> list[np.random.Generator]:
        """The generator of ``process`` for each replicate, in replicate order.

        Parameters
        ----------
        process : str
            One of :attr:`PROCESSES` or :attr:`LATER` (``"population"``, ``"ties"``, ...).

        Returns
        -------
        list of numpy.random.Generator
            One per replicate.
        """
        return [g[process] for g in self.replicates]

    def uniform(self, ids: np.ndarray, counter: int | np.ndarray, purpose: int,
                rep: np.ndarray | None = None) -> np.ndarray:
        """One uniform in (0, 1) per dispute id, fixed by (seed, id, counter, purpose).

        Parameters
        ----------
        ids : ndarray of int
            Dispute ids, shape (n,).
        counter : int or ndarray of int
            The month, or per dispute the number of steps it has taken, shape (n,): keyed by
            steps, a dispute delayed in one scenario still meets the same luck at its next step.
        purpose : int
            A :class:`Purpose` (or ``Purpose.CHOICE * 16 + option`` and the like).
        rep : ndarray of int, optional
            Each id's replicate in a batch, shape (n,); None: replicate 0.

        Returns
        -------
        ndarray of float64
            Shape (n,), in the open interval (0, 1).
        """
        if len(ids) == 0:
            return np.empty(0)
        return keyed_uniforms(_ids(ids), _counters(counter), np.uint64(purpose), self.keys,
                              _reps(rep))

    def uniform_at(self, pos: np.ndarray, ids: np.ndarray, counters: np.ndarray,
                   purpose: int, reps: np.ndarray | None = None) -> np.ndarray:
        """:meth:`uniform` of ``ids[pos]`` with counters ``counters[pos]`` (reps ``reps[pos]``).

        The same numbers as ``uniform(ids[pos], counters[pos], purpose, reps[pos])``,
        without gathering the columns first (draws over a dispute pool's positions).

        Parameters
        ----------
        pos : ndarray of int
            Positions (rows) in the pool's columns, shape (n,).
        ids, counters : ndarray of int
            The pool's dispute ids and step counters, shape (pool size,).
        purpose : int
            A :class:`Purpose`.
        reps : ndarray of int, optional
            The pool's replicate column, shape (pool size,); None: replicate 0.

        Returns
        -------
        ndarray of float64
            Shape (n,), in (0, 1).
        """
        if len(pos) == 0:
            return np.empty(0)
        out = np.empty(len(pos))
        keyed_uniforms_at(pos, ids, counters, np.uint64(purpose), self.keys, _reps(reps), out)
        return out

    def uniforms_at(self, pos: np.ndarray, ids: np.ndarray, counters: np.ndarray,
                    purposes: np.ndarray, reps: np.ndarray | None = None) -> np.ndarray:
        """:meth:`uniform_at` for each of ``purposes``, one row per purpose.

        Parameters
        ----------
        pos, ids, counters, reps
            As for :meth:`uniform_at`.
        purposes : ndarray of uint64
            Purposes, shape (k,).

        Returns
        -------
        ndarray of float64
            Shape (k, n): row ``j`` is ``uniform_at(pos, ids, counters, purposes[j], reps)``.
        """
        return keyed_uniforms_at_purposes(pos, ids, counters, purposes, self.keys, _reps(reps))

    def gumbel(self, ids: np.ndarray, counter: int | np.ndarray, n_options: int,
               rep: np.ndarray | None = None) -> np.ndarray:
        """Gumbel noise of shape (len(ids), n_options) for a logit choice.

        Column ``k`` uses purpose ``CHOICE * 16 + k``; all columns are drawn in one pass.

        Parameters
        ----------
        ids : ndarray of int
            Dispute ids, shape (n,).
        counter : int or ndarray of int
            As for :meth:`uniform`.
        n_options : int
            Number of options (columns).
        rep : ndarray of int, optional
            Each id's replicate in a batch, shape (n,).

        Returns
        -------
        ndarray of float64
            Standard Gumbel draws, shape (n, n_options).
        """
        if len(ids) == 0:
            return np.empty((0, n_options))
        u = keyed_uniform_columns(_ids(ids), _counters(counter),
                                  np.uint64(Purpose.CHOICE * 16), n_options, self.keys,
                                  _reps(rep))
        # Drawn option by option (each column a contiguous row): the logs run on whole rows,
        # in place (the same numbers as -log(-log(u)), no temporaries).
        for ufunc in (np.log, np.negative, np.log, np.negative):
            ufunc(u, out=u)
        return u.T


_NO_REPS = np.zeros(0, dtype=np.int16)


def _ids(ids: np.ndarray) -> np.ndarray:
    return ids if ids.dtype == np.int64 else ids.astype(np.int64)


def _counters(counter: int | np.ndarray) -> np.ndarray:
    # Counters enter the hash as 64-bit integers (a warm-up month is negative and wraps).
    if isinstance(counter, np.ndarray):
        return counter if counter.ndim == 1 else counter.reshape(-1)
    return _one_counter(int(counter))


@functools.lru_cache(maxsize=1024)
def _one_counter(counter: int) -> np.ndarray:
    # The same few months come back draw after draw: one array each (never written to).
    return np.full(1, counter, dtype=np.int64)


def _reps(rep: np.ndarray | None) -> np.ndarray:
    # Replicates as int16, the pool's type: one compiled version of each kernel, not several.
    return _NO_REPS if rep is None else rep.astype(np.int16, copy=False)
