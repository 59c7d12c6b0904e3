"""Compiled kernels for the keyed random draws (numba).

Every decision about a dispute draws a uniform from a SplitMix64 hash of (replicate key, id,
counter, purpose) (:mod:`fazhi_sim.engine.streams`). In numpy the hash is some twenty array
operations, each paying a fixed call cost that dwarfs its work on the few hundred disputes a
town decides in a month; compiled, it is one call. The arithmetic is the same 64-bit integer
arithmetic as the numpy formulation, so every uniform is bit for bit what it was.

Numba compiles on first use and keeps the machine code in its cache (``cache=True``), so only
the first run on a machine pays for compiling.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["keyed_uniforms", "keyed_uniforms_at", "keyed_uniforms_at_purposes",
           "keyed_uniform_columns"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_SCALE = 1.0 / 9007199254740992.0


@numba.njit(cache=True, nogil=True, inline="always")
def _mix(x):  # noqa: ANN001, ANN202 -- numba infers the uint64 types
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


@numba.njit(cache=True, nogil=True, inline="always")
def _uniform(key, ident, counter, purpose):  # noqa: ANN001, ANN202
    # The salt is SplitMix64 of (counter, purpose) under the key; the draw, of the id under it.
    c = (np.uint64(counter) + np.uint64(4096)) * np.uint64(1024)
    salt = _mix((c + purpose) * _GOLDEN + key)
    x = _mix(np.uint64(ident) * _GOLDEN + salt)
    return (np.float64(x >> np.uint64(11)) + 0.5) * _SCALE


@numba.njit(cache=True, nogil=True)
def keyed_uniforms(ids: np.ndarray, counters: np.ndarray, purpose: np.uint64,
                   keys: np.ndarray, reps: np.ndarray) -> np.ndarray:
    """One uniform in (0, 1) per id.

    ``counters`` has one entry per id or a single entry for all; ``reps`` picks each id's
    replicate key from ``keys``, or is empty when every id uses ``keys[0]``.
    """
    n = ids.shape[0]
    out = np.empty(n)
    one_counter = counters.shape[0] == 1
    one_key = reps.shape[0] == 0
    for i in range(n):
        key = keys[0] if one_key else keys[reps[i]]
        counter = counters[0] if one_counter else counters[i]
        out[i] = _uniform(key, ids[i], counter, purpose)
    return out


@numba.njit(cache=True, nogil=True)
def keyed_uniforms_at(pos: np.ndarray, ids: np.ndarray, counters: np.ndarray,
                      purpose: np.uint64, keys: np.ndarray, reps: np.ndarray,
                      out: np.ndarray) -> None:
    """As :func:`keyed_uniforms` for ``ids[pos]``, ``counters[pos]`` (and ``reps[pos]``).

    Reading the columns at ``pos`` inside the loop saves the three gathers a draw over pool
    positions would otherwise make first; the uniforms go to ``out`` (one per position),
    which costs less than handing back a new array.
    """
    one_key = reps.shape[0] == 0
    for i in range(pos.shape[0]):
        j = pos[i]
        key = keys[0] if one_key else keys[reps[j]]
        out[i] = _uniform(key, ids[j], counters[j], purpose)


@numba.njit(cache=True, nogil=True)
def keyed_uniforms_at_purposes(pos: np.ndarray, ids: np.ndarray, counters: np.ndarray,
                               purposes: np.ndarray, keys: np.ndarray, reps: np.ndarray
                               ) -> np.ndarray:
    """:func:`keyed_uniforms_at` for several purposes at once: row ``k`` is ``purposes[k]``."""
    n = pos.shape[0]
    out = np.empty((purposes.shape[0], n))
    one_key = reps.shape[0] == 0
    for i in range(n):
        j = pos[i]
        key = keys[0] if one_key else keys[reps[j]]
        for k in range(purposes.shape[0]):
            out[k, i] = _uniform(key, ids[j], counters[j], purposes[k])
    return out


@numba.njit(cache=True, nogil=True)
def keyed_uniform_columns(ids: np.ndarray, counters: np.ndarray, first_purpose: np.uint64,
                          n_columns: int, keys: np.ndarray, reps: np.ndarray) -> np.ndarray:
    """Uniforms of shape (columns, ids); row ``k`` uses purpose ``first_purpose + k``."""
    n = ids.shape[0]
    out = np.empty((n_columns, n))
    one_counter = counters.shape[0] == 1
    one_key = reps.shape[0] == 0
    for i in range(n):
        key = keys[0] if one_key else keys[reps[i]]
        counter = counters[0] if one_counter else counters[i]
        for k in range(n_columns):
            out[k, i] = _uniform(key, ids[i], counter, first_purpose + np.uint64(k))
    return out
