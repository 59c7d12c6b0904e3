"""What an institution sees of the cases it takes up.

:class:`Cases` holds the columns; the engine's :class:`PoolCases` reads each from the dispute
pool when first asked.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Cases", "PoolCases"]


@dataclass
class Cases:
    """What an institution sees of the n cases it takes up: arrays of shape (n,).

    Built by the engine from its dispute pool and by the reference model with :meth:`of`.

    Parameters
    ----------
    kind, trust, advised, stage : ndarray
        Dispute type (int, index into :data:`~fazhi_sim.engine.disputes.TYPES`); the
        claimant's trust in people's mediation (float in [0, 1]); whether the claimant was
        advised (bool); highest :class:`~fazhi_sim.Layer` already failed (int, -1 if new).
    village : ndarray of int, optional
        The village each dispute arose in (the town and county follow from the region).
    """

    kind: np.ndarray
    trust: np.ndarray
    advised: np.ndarray
    stage: np.ndarray
    village: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.kind)

    @classmethod
    def of(cls, disputes: Sequence[Any]) -> Cases:
        """Cases from the reference model's ``Dispute`` objects, one row each, in order.

        Parameters
        ----------
        disputes : sequence
            Objects with ``kind``, ``advised``, ``stage``, ``village`` and ``claimant.trust``.
        """
        return cls(kind=np.array([d.kind for d in disputes], dtype=np.int64),
                   trust=np.array([d.claimant.trust for d in disputes], dtype=float),
                   advised=np.array([d.advised for d in disputes], dtype=bool),
                   stage=np.array([d.stage for d in disputes], dtype=np.int64),
                   village=np.array([d.village for d in disputes], dtype=np.int64))


class PoolCases(Cases):
    """:class:`Cases` over pool positions, each column read from the pool when first asked.

    Most institution formulas use none of the columns (a rate for every case) or one, so
    reading all five for every formula would be most of their cost.
    """

    def __init__(self, model: Any, pos: np.ndarray):  # no dataclass fields until asked
        self._model, self._pos = model, pos

    def __len__(self) -> int:
        return len(self._pos)

    @functools.cached_property
    def kind(self) -> np.ndarray:  # type: ignore[override]
        """Dispute type of each case."""
        return self._model.pool.kind[self._pos]

    @functools.cached_property
    def trust(self) -> np.ndarray:  # type: ignore[override]
        """The claimant's trust in people's mediation."""
        m = self._model
        return m.residents.trust[m.pool.claimant[self._pos]]

    @functools.cached_property
    def advised(self) -> np.ndarray:  # type: ignore[override]
        """Whether the claimant was advised."""
        return self._model.pool.advised[self._pos]

    @functools.cached_property
    def stage(self) -> np.ndarray:  # type: ignore[override]
        """Highest layer each case already failed at."""
        return self._model.pool.stage[self._pos]

    @functools.cached_property
    def village(self) -> np.ndarray:  # type: ignore[override]
        """The village each case arose in."""
        return self._model.pool.village[self._pos]
