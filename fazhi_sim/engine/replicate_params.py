"""Parameters per replicate: a batch whose replicates run different parameter sets.

An ensemble with posterior draws gives each replicate its own :class:`Params`. A batch still
runs them as one model pass: a field that differs between replicates is read, for the rows a
step works on (residents, disputes, units), as an array with each row's replicate's value,
and a field they share stays the plain number it is in a single run.

Every value must come out bit for bit as in the replicate's own run, so two things are
done as a run alone does them:

* what a run works out from parameters alone in scalar arithmetic (a logit, a lognormal's
  shape) is worked out per replicate with the same scalar code, then spread over the rows
  (:func:`by_replicate`);
* numpy computes a Python float with a float32 array in float32, but a float64 array with
  it in float64: :func:`weak` casts a per-row parameter array as the float would be cast.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .logits import logit
from .params import Params

__all__ = ["BATCH_SHARED", "ReplicateParams", "RowParams", "by_replicate", "logit_of",
           "at_most_one", "per_case", "weak"]

_FIELDS = frozenset(Params.model_fields)  # (read once: pydantic builds it on each access)

BATCH_SHARED = ("literacy_per_village",)
"""Fields besides the whole-number ones that a batch's replicates must share (rounded to a
count of residents per village, it shapes the batch's set-up)."""


class ReplicateParams:
    """Each replicate's parameters, for a batch whose replicates differ in some of them.

    Parameters
    ----------
    each
        One :class:`Params` per replicate, in replicate order.

    Raises
    ------
    ValueError
        If the replicates differ in a whole-number field (months of warm-up, the fatigue
        cap, tie weights) or one of :data:`BATCH_SHARED`: those shape the batch itself.
    """

    def __init__(self, each: Sequence[Params]):
        self.each = tuple(each)
        self.first = self.each[0]
        fields = Params.model_fields
        differ = [name for name in fields
                  if any(getattr(p, name) != getattr(self.first, name) for p in self.each)]
        whole = [name for name in differ
                 if fields[name].annotation is not float or name in BATCH_SHARED]
        if whole:
            raise ValueError(f"replicates of one batch must share {', '.join(whole)}; "
                             "run them in separate batches")
        self.table = {name: np.array([getattr(p, name) for p in self.each]) for name in differ}
        self._scalar: dict[Callable, np.ndarray] = {}

    @property
    def varies(self) -> bool:
        """True if any field differs between replicates."""
        return bool(self.table)

    def at(self, rep: np.ndarray | None) -> RowParams:
        """The parameters of rows whose replicates are ``rep`` (None: no rows, shared only)."""
        return RowParams(self, rep)

    def per_replicate(self, fn: Callable[[Params], Any]) -> np.ndarray:
        """``fn(params)`` for each replicate, as an array (kept per ``fn``)."""
        values = self._scalar.get(fn)
        if values is None:
            values = self._scalar[fn] = np.array([fn(p) for p in self.each])
        return values


class RowParams:
    """:class:`Params` for the rows of one step: a field the replicates differ in is an array.

    Read outside a step (no rows), a field that differs raises ``AttributeError`` naming it,
    so no rule silently takes one replicate's value for all. Only fields are offered (no
    ``model_dump``: the replicates have no one set of parameters).
    """

    def __init__(self, batch: ReplicateParams, rep: np.ndarray | None):
        self._batch, self._rep = batch, rep

    def __getattr__(self, name: str) -> Any:
        if name not in _FIELDS:  # fields only
            raise AttributeError(name)
        column = self._batch.table.get(name)
        if column is None:
            value = getattr(self._batch.first, name)
        elif self._rep is None:
            raise AttributeError(f"{name} differs between the replicates of this batch; read "
                                 "it within model.rows(replicates)")
        else:
            value = column.take(self._rep)
        self.__dict__[name] = value  # later reads in the step are plain attribute reads
        return value

    def of(self, fn: Callable[[Params], Any]) -> np.ndarray:
        """``fn(params)`` of each row's replicate."""
        if self._rep is None:
            raise AttributeError("no rows: read it within model.rows(replicates)")
        return self._batch.per_replicate(fn)[self._rep]

    def columns_of(self, fn: Callable[[Params], Any]) -> tuple[np.ndarray, ...]:
        """Each value of the tuple ``fn(params)`` returns, of each row's replicate."""
        if self._rep is None:
            raise AttributeError("no rows: read it within model.rows(replicates)")
        table = self._batch.per_replicate(fn)
        return tuple(table[:, i].take(self._rep) for i in range(table.shape[1]))


def by_replicate(params: Params | RowParams, fn: Callable[[Params], Any]) -> Any:
    """``fn(params)``: in a batch of differing replicates, each row's replicate's value.

    For what a run works out from parameters in scalar arithmetic (``logit(p.x)``): each
    replicate's value comes from the same scalar code as in its own run.
    """
    return params.of(fn) if isinstance(params, RowParams) else fn(params)


def weak(value: Any, like: np.ndarray) -> Any:
    """``value`` (a parameter, or one per row) as numpy would meet it with the array ``like``.

    A Python float meets a float32 array in float32; an array of parameters per row is cast
    the same way, so the arithmetic is that of a single run. Anything else is returned as is.
    """
    if (isinstance(value, np.ndarray) and like.dtype.kind == "f"
            and like.dtype.itemsize < value.dtype.itemsize):
        return value.astype(like.dtype)
    return value


def logit_of(params: Params | RowParams, name: str) -> Any:
    """``logit(params.<name>)``, each replicate's from its own value (see :func:`by_replicate`)."""
    return by_replicate(params, _logit_field(name))


@functools.cache
def _logit_field(name: str) -> Callable[[Params], float]:
    # One function per field, so a batch keeps its values per replicate once.
    def of(params: Params) -> float:
        return logit(getattr(params, name))
    return of


def per_case(n: int, value: Any) -> np.ndarray:
    """``np.full(n, value)``: one number for every case, or a value per row (in a batch)."""
    if type(value) is float or type(value) is np.float64:
        # The usual case, a plain number: twice as fast as np.full, called ~50 times a month.
        out = np.empty(n)
        out.fill(value)
        return out
    return np.full(n, value)


def at_most_one(x: Any) -> Any:
    """``min(1.0, x)``, for a number or an array of them (one per row)."""
    if type(x) is float:  # (np.ndim's own call is most of the cost for a number)
        return min(1.0, x)
    return min(1.0, x) if np.ndim(x) == 0 else np.minimum(1.0, x)
