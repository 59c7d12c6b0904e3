"""Disputes in flight: a column store, and the states and layers they move through.

Each month every dispute is in exactly one state. Active disputes live in :class:`DisputePool`;
when a dispute is resolved or dropped it leaves the pool and is counted, so the pool stays as
small as the number of open cases.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

__all__ = ["State", "Layer", "Option", "CentreRoute", "DisputePool", "TYPES", "LAYER_OF_STATE"]


class State(IntEnum):
    """Where a dispute is this month (the ``state`` column of the dispute pool, int8).

    Parameters
    ----------
    *values : int
        Look a state up by its number, e.g. ``State(5)`` is ``State.TRIAL``.
    """

    CHOOSING = 0  # needs a channel (new, or after a failure)
    VILLAGE = 1  # in the queue of the village mediation committee
    TOWN = 2  # town justice office / people's tribunal (Fengqiao-style)
    COUNTY = 3  # county one-stop dispute centre (矛调中心)
    PREFILING = 4  # court pre-filing mediation (诉前调解)
    TRIAL = 5  # filed first-instance case awaiting judgment
    ENFORCEMENT = 6  # unperformed judgment in enforcement (执行)
    PETITION = 7  # lodged at the petition office (信访)
    RESOLVED = 8  # terminal: settled
    DROPPED = 9  # terminal: lumped, abandoned or unresolved


class Layer(IntEnum):
    """Layers of the escalation ladder (递进式分层过滤), lowest first.

    A dispute's ``stage`` is the highest layer it has already failed at (-1 for a new claim);
    only higher layers stay open to it (:func:`~fazhi_sim.engine.behaviour.available_options`).

    Parameters
    ----------
    *values : int
        Look a layer up by its number, e.g. ``Layer(4)`` is ``Layer.COURT``.
    """

    NEGOTIATION = 0
    VILLAGE = 1
    TOWN = 2
    COUNTY = 3
    COURT = 4
    PETITION = 5


class Option(IntEnum):
    """Channels a resident can choose (columns of the utility matrix).

    Arrays with an options axis (utilities, availability, Gumbel noise, expected waits) have
    ``len(Option)`` columns in this order, so ``u[:, Option.PETITION]`` is the petition column.

    Parameters
    ----------
    *values : int
        Look an option up by its number, e.g. ``Option(6)`` is ``Option.PETITION``.
    """

    LUMP = 0
    NEGOTIATE = 1
    VILLAGE = 2
    TOWN = 3
    COUNTY = 4
    COURT = 5
    PETITION = 6


class CentreRoute(IntEnum):
    """Where the county centre's triage (分流) sends a case it takes in."""

    LEGAL = 0  # legal services desk (法律服务): advice, then a negotiation with it
    MEDIATION = 1  # joint multi-agency mediation (联合调处) in the centre's queue
    PETITION_DESK = 2  # the petition desk (信访超市), for petitions lodged at the centre
    COURT = 3  # the court's window in the centre (诉调对接)


LAYER_OF_STATE = {
    State.VILLAGE: Layer.VILLAGE, State.TOWN: Layer.TOWN, State.COUNTY: Layer.COUNTY,
    State.PREFILING: Layer.COURT, State.TRIAL: Layer.COURT, State.ENFORCEMENT: Layer.COURT,
    State.PETITION: Layer.PETITION,
}

TYPES = ("family", "neighbour", "land", "labour", "contract", "administrative")
"""Dispute types, in the order of ``data/dispute_types.csv``."""

_COLUMNS: dict[str, type] = {
    "id": np.int64,  # unique within a run; keys the dispute's random draws
    "kind": np.int8,  # index into TYPES
    "claimant": np.int64,  # resident row
    "respondent": np.int64,  # resident row (becomes a defaulter if enforcement fails)
    "village": np.int32,
    "state": np.int8,
    "stage": np.int8,  # highest Layer already failed; -1 for a new claim
    "born": np.int32,  # month the claim arose
    "queued": np.int32,  # month it joined its present queue
    "door": np.int8,  # Layer of the institution it is at now; -1 none yet
    "doors": np.int8,  # institutions entered (hand-offs = doors - 1)
    "failures": np.int8,
    "petitions": np.int16,  # times lodged as a petition
    "advised": np.bool_,  # got a legal adviser's advice
    "grievance": np.float32,
    "elapsed": np.float32,  # months waited in queues plus handling time so far
    "step": np.int16,  # moves made so far; keys the dispute's random draws
    "rep": np.int16,  # replicate in a batch (0 in a single run); picks the draws' key
}


# Columns whose new rows do not start at 0.
_DEFAULTS = {"state": State.CHOOSING, "stage": -1, "door": -1, "queued": -1}


class DisputePool:
    """Open disputes as columns. ``pool.state``, ``pool.village``, ... are numpy arrays."""

    columns = tuple(_COLUMNS)

    def __init__(self) -> None:
        for name, dtype in _COLUMNS.items():
            setattr(self, name, np.empty(0, dtype=dtype))

    def __len__(self) -> int:
        return len(self.id)

    def add(self, **values: np.ndarray | int) -> None:
        """Append disputes; columns not given start at their defaults.

        A column's value is an array of the new rows' values, or one number for all of them.
        """
        n = len(values["id"])
        for name, dtype in _COLUMNS.items():
            old, new = getattr(self, name), values.get(name)
            if new is None:
                new = _DEFAULTS.get(name, 0)
            if isinstance(new, np.ndarray):  # (unsafe: as np.asarray(new, dtype) casts)
                setattr(self, name, np.concatenate([old, new], dtype=dtype, casting="unsafe"))
                continue
            # One value for all: filled in place, not made as an array and joined.
            grown = np.empty(len(old) + n, dtype=dtype)
            grown[:len(old)] = old
            grown[len(old):] = new
            setattr(self, name, grown)

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the disputes where ``mask`` is true."""
        if mask.all():
            return
        rows = np.flatnonzero(mask)  # once, not once per column as a boolean index would
        for name in _COLUMNS:
            setattr(self, name, getattr(self, name).take(rows))

    def in_state(self, state: State) -> np.ndarray:
        """Positions of the disputes in a state."""
        return np.flatnonzero(self.state == state)
