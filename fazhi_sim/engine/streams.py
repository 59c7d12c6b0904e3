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
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

__all__ = ["Streams", "Purpose"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


class Purpose(IntEnum):
    """What a per-dispute draw decides; each purpose has its own independent stream."""

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


_MASK = (1 << 64) - 1
_GOLDEN_INT = 0x9E3779B97F4A7C15


def _mix_int(x: int) -> int:
    x &= _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _mix(x: np.ndarray) -> np.ndarray:
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


class Streams:
    """The random streams of one run.

    Parameters
    ----------
    seed
        The run seed. Equal seeds give identical runs.
    """

    PROCESSES = ("population", "villages", "arising")
    LATER = ("ties",)

    def __init__(self, seed: int):
        self.seed = int(seed)
        seq = np.random.SeedSequence(self.seed)
        children = seq.spawn(len(self.PROCESSES) + 1)
        self.generators = {
            name: np.random.default_rng(child)
            for name, child in zip(self.PROCESSES, children, strict=False)
        }
        self.key = np.uint64(children[-1].generate_state(1, np.uint64)[0])
        # Later processes take the children after the key's, so adding one moves no earlier
        # stream (a run without it draws exactly as before).
        for i, name in enumerate(self.LATER, start=len(self.PROCESSES) + 1):
            self.generators[name] = np.random.default_rng(
                np.random.SeedSequence(self.seed, spawn_key=(i,)))

    def __getitem__(self, process: str) -> np.random.Generator:
        return self.generators[process]

    def uniform(self, ids: np.ndarray, counter: int | np.ndarray, purpose: int) -> np.ndarray:
        """One uniform in (0, 1) per dispute id, fixed by (seed, id, counter, purpose).

        ``counter`` is the month, or per dispute the number of steps it has taken: keyed by
        steps, a dispute delayed in one scenario still meets the same luck at its next step.
        """
        if len(ids) == 0:
            return np.empty(0)
        if isinstance(counter, int | np.integer):
            salt = np.uint64(_mix_int(int(self.key) + ((int(counter) + 4096) * 1024
                                                      + int(purpose)) * _GOLDEN_INT))
        else:
            salt = self._salts(counter, np.uint64(purpose))
        return self._draw(ids.view(np.uint64) if ids.dtype == np.int64 else
                          ids.astype(np.uint64), salt)

    def _salts(self, counter: np.ndarray, purpose: np.ndarray) -> np.ndarray:
        c = (np.asarray(counter).astype(np.uint64) + np.uint64(4096)) * np.uint64(1024)
        return _mix((c + purpose) * _GOLDEN + self.key)

    @staticmethod
    def _draw(ids: np.ndarray, salt: np.ndarray | np.uint64) -> np.ndarray:
        # SplitMix64 with the state set to salt + id * golden.
        x = ids * _GOLDEN + salt
        x = _mix(x)
        return ((x >> np.uint64(11)).astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)

    def gumbel(self, ids: np.ndarray, counter: int | np.ndarray, n_options: int) -> np.ndarray:
        """Gumbel noise of shape (len(ids), n_options) for a logit choice.

        Column ``k`` uses purpose ``CHOICE * 16 + k``; all columns are drawn in one pass.
        """
        purposes = np.arange(n_options, dtype=np.uint64) + np.uint64(Purpose.CHOICE * 16)
        if len(ids) == 0:
            return np.empty((0, n_options))
        counter = np.broadcast_to(np.asarray(counter), (len(ids),))
        salt = self._salts(counter[:, None], purposes[None, :])
        u = self._draw(ids.astype(np.uint64)[:, None], salt)
        return -np.log(-np.log(u))
