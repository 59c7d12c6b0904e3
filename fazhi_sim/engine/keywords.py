"""Keyword arguments of :class:`~fazhi_sim.DisputeModel`: scenario, seed and overrides.

``mesa.batch_run`` and the EMA Workbench pass a model's inputs as keyword arguments; these
helpers turn them into a validated :class:`~fazhi_sim.Scenario` and a run seed with the same
rules and messages as a scenario file (docs/interop.md).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .measures import LEVERS
from .params import Params
from .scenario import (
    Scenario,
    ScenarioError,
    baseline,
    field_path,
    load_scenario,
    scenario_from_dict,
)

__all__ = ["KEYWORD_SOURCE", "resolve_scenario", "apply_keywords", "run_seed", "batch_seeds"]

KEYWORD_SOURCE = "DisputeModel keywords"
"""The ``source`` named in errors about keyword arguments (as a file name is for files)."""

_TOP_LEVEL = ("start_year", "end_year")


def resolve_scenario(scenario: Scenario | str | Path | None) -> Scenario:
    """A Scenario from a Scenario, a scenario file, a shipped name, or None (the baseline)."""
    if scenario is None:
        return baseline()
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str | Path):
        return load_scenario(scenario)
    raise TypeError(f"scenario must be a Scenario, a file path or a shipped scenario's name, "
                    f"not {type(scenario).__name__}")


def _plain(value: Any) -> Any:
    # batch_run users pass numpy ranges (np.linspace) and EMA passes numpy scalars: give the
    # validators plain Python numbers so they apply exactly the rules a scenario file meets.
    return value.item() if isinstance(value, np.generic) else value


def apply_keywords(scenario: Scenario, keywords: Mapping[str, Any]) -> Scenario:
    """Apply lever levels and parameter values given as keyword arguments to a scenario.

    Parameters
    ----------
    scenario
        The scenario to start from.
    keywords
        Lever ids (a step change to that level from the scenario's ``start_year``, replacing
        any schedule the scenario had for the lever), :class:`~fazhi_sim.Params` fields
        (mechanism parameters), ``start_year`` or ``end_year``.

    Returns
    -------
    Scenario
        ``scenario`` itself when ``keywords`` is empty, else a validated copy.

    Raises
    ------
    ScenarioError
        For an unknown name (the message lists the allowed ones) or a value out of range
        (never clipped): the same rules and messages as a scenario file, with the source
        ``"DisputeModel keywords"``.
    """
    if not keywords:
        return scenario
    unknown = [k for k in keywords
               if k not in LEVERS and k not in Params.model_fields and k not in _TOP_LEVEL]
    if unknown:
        raise ScenarioError(KEYWORD_SOURCE, field_path(unknown[0]), _unknown_message(unknown[0]))
    data = scenario.model_dump(exclude={"levers", "params"})
    data.update({k: _plain(v) for k, v in keywords.items() if k in _TOP_LEVEL})
    levers: dict[str, Any] = {k: s.model_dump(exclude_none=True)
                              for k, s in scenario.levers.items()}
    levers.update({k: {"target": _plain(v)} for k, v in keywords.items() if k in LEVERS})
    params = scenario.params.model_dump()
    params.update({k: _plain(v) for k, v in keywords.items() if k in Params.model_fields})
    return scenario_from_dict({**data, "levers": levers, "params": params}, KEYWORD_SOURCE)


def _unknown_message(name: str) -> str:
    known = [*_TOP_LEVEL, *LEVERS, *Params.model_fields]
    near = difflib.get_close_matches(name, known, n=1) if len(name) <= 64 else []
    # The hint goes last here: "unknown keyword; allowed: ..." is what scripts match on.
    hint = f"; did you mean {near[0]}?" if near else ""
    return (f"unknown keyword; allowed: scenario, region, seed, rng, institutions, "
            f"{', '.join(_TOP_LEVEL)}; a lever ({', '.join(LEVERS)}); or a mechanism "
            f"parameter ({', '.join(Params.model_fields)}){hint}")


def run_seed(seed: int | None, rng: Any = None) -> int:
    """The run seed from ``seed`` or Mesa's ``rng`` keyword (``batch_run`` passes either).

    Parameters
    ----------
    seed
        The run seed; ``None`` draws a fresh one from the operating system, as Mesa does for
        ``rng=None`` (``batch_run(..., iterations=n)`` passes ``None``).
    rng
        Mesa's name for the seed: an integer, or None. It takes the place of ``seed`` when
        ``seed`` is left at its default 0.

    Returns
    -------
    int
        A non-negative seed for :class:`~fazhi_sim.engine.streams.Streams`.
    """
    if rng is not None:
        if seed not in (0, None) and seed != rng:
            raise ValueError(f"give either seed ({seed}) or rng ({rng}), not both")
        seed = rng
    if seed is None:
        return int(np.random.SeedSequence().entropy % (1 << 63))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed/rng must be an integer or None, not {type(seed).__name__}; "
                        "the model draws from its own counter-based streams")
    return int(seed)


def batch_seeds(seed: int | Sequence[int] | None, rng: Any = None) -> tuple[int, ...]:
    """The seeds of a run (one) or of a batch of replicates (several).

    ``seed`` is as for :func:`run_seed`, or a sequence of integers, one per replicate of a
    batch.
    """
    if isinstance(seed, Sequence | np.ndarray) and not isinstance(seed, str | bytes):
        if rng is not None:
            raise ValueError("give a batch's seeds as seed=[...], not with rng")
        seeds = tuple(run_seed(s) for s in seed)
        if not seeds:
            raise ValueError("a batch needs at least one seed")
        return seeds
    return (run_seed(seed, rng),)
