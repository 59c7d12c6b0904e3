"""Scenarios: which levers move, when, and how far; loaded from commented TOML files.

A scenario file looks like this (see scenarios/ for complete, commented examples)::

    name = "plan-2025"
    start_year = 2021          # first reported year
    end_year = 2025            # last reported year (runs to 2035 work)

    [levers.mediators_per_10k]
    start = 2021               # the change begins in January of this year
    full_by = 2024             # linear ramp, full level from January of this year
    target = 4.0               # the level reached; the 2020 level applies before `start`
    # end = 2030               # optional: back to the 2020 level from January of this year

    [levers]
    legal_literacy_coverage = 1.0   # shorthand: the target from start_year on

    [params]                   # optional mechanism overrides (see Params)
    impatience = 0.2

Scenario files are data: they are parsed, never executed.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .measures import LEVERS
from .params import Params

__all__ = ["Scenario", "LeverSchedule", "ScenarioError", "load_scenario", "baseline"]

YEAR_MIN, YEAR_MAX = 2015, 2060


def _not_bool_or_text(value: Any) -> Any:
    # pydantic's lax mode reads TOML `true` as 1 and "0.5" as 0.5; in a data file both are typos.
    if isinstance(value, bool | str):
        raise ValueError("must be a number, not " + ("true/false" if isinstance(value, bool)
                                                     else "text"))
    return value


_Number = Annotated[float, BeforeValidator(_not_bool_or_text)]
_Year = Annotated[int, BeforeValidator(_not_bool_or_text)]


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message is one line: file, field, what is allowed."""

    def __init__(self, source: str, field: str, message: str):
        self.source, self.field, self.message = source, field, message
        super().__init__(f"{source}: {field}: {message}")


class LeverSchedule(BaseModel):
    """How one lever moves: from its 2020 level to ``target``, ramped, optionally ended."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target: _Number
    start: _Year | None = Field(None, description="year the change begins (default: start_year)")
    full_by: _Year | None = Field(None, description="year from which the target holds")
    end: _Year | None = Field(None, description="year from which the 2020 level returns")


class Scenario(BaseModel):
    """A named set of lever schedules and mechanism overrides over a horizon of years."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "scenario"
    description: str = ""
    start_year: _Year = 2021
    end_year: _Year = 2025
    region: str | None = None
    levers: dict[str, LeverSchedule] = Field(default_factory=dict)
    params: Params = Field(default_factory=Params)

    @property
    def years(self) -> list[int]:
        """Reported years."""
        return list(range(self.start_year, self.end_year + 1))

    def schedule(self, lever_id: str) -> LeverSchedule | None:
        """The schedule of one lever, or None when it stays at its 2020 level."""
        return self.levers.get(lever_id)

    def lever_values(self, months: np.ndarray) -> dict[str, np.ndarray]:
        """Level of every lever at each month.

        Parameters
        ----------
        months
            Months as fractional years (``2021.0`` is January 2021).

        Returns
        -------
        dict
            Lever id to an array of levels, one per month.
        """
        out = {}
        for lid, lev in LEVERS.items():
            values = np.full(len(months), lev.baseline, dtype=float)
            sch = self.levers.get(lid)
            if sch is not None:
                start = sch.start if sch.start is not None else self.start_year
                full = sch.full_by if sch.full_by is not None else start
                frac = (
                    (months >= start).astype(float)
                    if full <= start
                    else np.clip((months - start) / (full - start), 0.0, 1.0)
                )
                # Rounding can land an ulp off the target (0.3 + 1.0 * (t - 0.3) != t): hold
                # the target itself once the ramp is done, and keep the ramp on its segment.
                values = np.where(frac >= 1.0, sch.target, np.clip(
                    lev.baseline + frac * (sch.target - lev.baseline),
                    min(lev.baseline, sch.target), max(lev.baseline, sch.target)))
                if sch.end is not None:
                    values = np.where(months >= sch.end, lev.baseline, values)
            out[lid] = values
        return out

    def content_hash(self) -> str:
        """A stable hash of everything that changes results (not the name or description)."""
        body = self.model_dump(mode="json", exclude={"name", "description"})
        text = json.dumps(body, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_levers(self, **targets: float) -> Scenario:
        """A copy with some levers set to a level from ``start_year`` on (a step change)."""
        levers = dict(self.levers)
        for lid, value in targets.items():
            levers[lid] = LeverSchedule(target=value)
        return _validated(
            {**self.model_dump(exclude={"levers", "params"}), "levers": levers,
             "params": self.params}, "<scenario>",
        )


def _fail(source: str, err: ValidationError) -> ScenarioError:
    errors = err.errors()
    # An unknown key explains a "Field required" next to it (a typo), so report it first.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = ".".join(str(x) for x in first["loc"]) or "(top level)"
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = "unknown field"
        if first["loc"][:1] == ("params",):
            msg += "; allowed: see fazhi_sim.Params (e.g. impatience, village_success)"
        elif first["loc"][:1] == ("levers",):
            msg += "; allowed: target, start, full_by, end"
        else:
            msg += "; allowed: name, description, start_year, end_year, region, levers, params"
    elif "input" in first and not isinstance(first["input"], dict):
        msg += f" (got {first['input']!r})"
    return ScenarioError(source, loc, msg)


def _check_levers(source: str, sc: Scenario) -> None:
    if not (YEAR_MIN <= sc.start_year <= YEAR_MAX):
        raise ScenarioError(source, "start_year", f"{sc.start_year} is impossible; allowed "
                            f"{YEAR_MIN}-{YEAR_MAX}")
    if not (sc.start_year <= sc.end_year <= YEAR_MAX):
        raise ScenarioError(source, "end_year", f"{sc.end_year} is impossible; allowed "
                            f"{sc.start_year} (start_year) to {YEAR_MAX}")
    for lid, sch in sc.levers.items():
        lev = LEVERS.get(lid)
        if lev is None:
            raise ScenarioError(source, f"levers.{lid}", "unknown lever; allowed: "
                                + ", ".join(LEVERS))
        field = f"levers.{lid}"
        if not (lev.minimum <= sch.target <= lev.maximum) or not np.isfinite(sch.target):
            raise ScenarioError(source, f"{field}.target", f"{sch.target} is out of range; "
                                f"allowed {lev.minimum:g} to {lev.maximum:g} ({lev.unit})")
        start = sch.start if sch.start is not None else sc.start_year
        for key in ("start", "full_by", "end"):
            year = getattr(sch, key)
            if year is not None and not (YEAR_MIN <= year <= YEAR_MAX):
                raise ScenarioError(source, f"{field}.{key}", f"{year} is impossible; allowed "
                                    f"{YEAR_MIN}-{YEAR_MAX}")
        if sch.full_by is not None and sch.full_by < start:
            raise ScenarioError(source, f"{field}.full_by", f"{sch.full_by} is before start "
                                f"{start}; allowed {start} or later")
        if sch.end is not None and sch.end <= start:
            raise ScenarioError(source, f"{field}.end", f"{sch.end} is not after start {start};"
                                f" allowed {start + 1} or later")


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    levers = data.get("levers")
    if isinstance(levers, dict):
        data = {**data, "levers": {
            k: ({"target": v} if isinstance(v, int | float) and not isinstance(v, bool) else v)
            for k, v in levers.items()
        }}
    return data


def _validated(data: dict[str, Any], source: str) -> Scenario:
    try:
        sc = Scenario.model_validate(_normalise(data))
    except ValidationError as err:
        raise _fail(source, err) from None
    _check_levers(source, sc)
    if sc.region is not None:
        from .region import RegionError, get_region

        try:
            get_region(sc.region)
        except RegionError as err:
            raise ScenarioError(source, "region", str(err)) from None
    return sc


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path
        A TOML file (see the module docstring for the format), or the name of a shipped
        scenario such as ``"baseline"`` or ``"plan-2025"``.

    Raises
    ------
    ScenarioError
        For a missing file, malformed TOML, an unknown lever or field, a value out of range
        or an impossible year; the message names the file, the field and what is allowed.
    """
    p = Path(path)
    if not p.exists() and not p.suffix:
        shipped = Path(__file__).parent.parent / "scenarios" / f"{p}.toml"
        if shipped.exists():
            p = shipped
    source = str(path)
    if not p.is_file():
        raise ScenarioError(source, "(file)", "no such file; give the path of a .toml scenario")
    try:
        data = tomllib.loads(p.read_text("utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(source, "(syntax)", f"malformed TOML: {err}") from None
    except UnicodeDecodeError:
        raise ScenarioError(source, "(file)", "not UTF-8 text; save the file as UTF-8") from None
    data.setdefault("name", p.stem)
    return _validated(data, source)


def scenario_from_dict(data: dict[str, Any], source: str = "<dict>") -> Scenario:
    """Validate a scenario given as a dict (same rules and errors as a file)."""
    return _validated(dict(data), source)


def baseline(start_year: int = 2021, end_year: int = 2025) -> Scenario:
    """The baseline: every lever held at its 2020 level."""
    return Scenario(name="baseline", start_year=start_year, end_year=end_year)
