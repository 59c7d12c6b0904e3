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
import math
import tomllib
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .measures import LEVERS
from .params import Params
from .region import RegionError, get_region, region_hint, region_names
from .scenario_errors import ECHO_MAX, ScenarioError, field_path, quoted, unknown
from .toml_lines import key_line, printable, syntax_line

__all__ = ["Scenario", "LeverSchedule", "ScenarioError", "load_scenario", "scenario_from_dict",
           "baseline", "quoted", "field_path", "SOURCE", "ECHO_MAX"]

YEAR_MIN, YEAR_MAX = 2015, 2060
NAME_MAX = 120
"""Longest scenario name: names head table columns and chart legends."""
FILE_MAX = 1 << 20
"""Largest scenario file in bytes; real ones are a few hundred bytes of settings."""
SOURCE = "Scenario(...)"
"""The ``source`` named in errors about a Scenario built in Python (as a file name is)."""

_TOP_FIELDS = ("name", "title", "description", "start_year", "end_year", "region", "levers",
               "params")
_LEVER_FIELDS = ("target", "start", "full_by", "end")
# Control, format (bidi overrides, zero-width), surrogate, line and paragraph separators:
# in a name they break table lines, forge output lines, or end a JavaScript string early.
_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}



def _not_bool_or_text(value: Any) -> Any:
    # pydantic's lax mode reads TOML `true` as 1 and "0.5" as 0.5; in a data file both are typos.
    if isinstance(value, bool | str):
        raise ValueError("must be a number, not " + ("true/false" if isinstance(value, bool)
                                                     else "text"))
    return value


def _plus_zero(value: float) -> float:
    # -0.0 == 0.0, but it would print as "-0" and hash apart from 0.0 (store keys).
    return value + 0.0


def _whole(value: Any) -> Any:
    value = _not_bool_or_text(value)
    # 2021.0 is a year; 2021.5 and 1e300 are not (pydantic's own words for them are obscure).
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()
                                         and abs(value) < 1e6):
        raise ValueError("must be a whole number, a year such as 2021 (an integer)")
    return value


_Number = Annotated[float, BeforeValidator(_not_bool_or_text), AfterValidator(_plus_zero)]
_Year = Annotated[int, BeforeValidator(_whole)]


class LeverSchedule(BaseModel):
    """How one lever moves: from its 2020 level to ``target``, ramped, optionally ended.

    Parameters
    ----------
    target : float
        The level reached, within the lever's range (:data:`~fazhi_sim.LEVERS`).
    start : int, optional
        Year the change begins, in January (default: the scenario's ``start_year``).
    full_by : int, optional
        Year from which the target holds; the level ramps linearly from ``start`` (default:
        ``start``, a step).
    end : int, optional
        Year from which the 2020 level returns (default: never).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    target: _Number
    start: _Year | None = Field(None, description="year the change begins (default: start_year)")
    full_by: _Year | None = Field(None, description="year from which the target holds")
    end: _Year | None = Field(None, description="year from which the 2020 level returns")


class Scenario(BaseModel):
    """A named set of lever schedules and mechanism overrides over a horizon of years.

    Building one checks it as :func:`load_scenario` checks a file (same rules, same
    messages, source :data:`SOURCE`), and so does :meth:`model_copy` with ``update``.

    Parameters
    ----------
    name : str
        The id in results and tables (one line of visible text, at most 120 characters).
    title : str
        The name readers see in reports and the dashboard (Chinese); ``name`` if empty.
    description : str
        One line shown with the scenario.
    start_year, end_year : int
        First and last reported year (2015–2060); runs warm up before ``start_year``.
    region : str, optional
        Region to simulate when the caller names none.
    levers : dict of str to LeverSchedule
        The levers that move, by id; a number is short for ``{"target": number}``.
    params : Params
        Mechanism parameters (the calibrated defaults unless overridden).

    Raises
    ------
    ScenarioError
        For an unknown lever or field, a value out of range, an impossible year, a bad
        parameter, an unknown region or a name that is empty, too long or holds control
        characters.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "scenario"
    title: str = Field("", description="the name shown to readers (Chinese), e.g. "
                       "规划情景(2025年目标); the id ``name`` if empty")
    description: str = ""
    start_year: _Year = 2021
    end_year: _Year = 2025
    region: str | None = None
    levers: dict[str, LeverSchedule] = Field(default_factory=dict)
    params: Params = Field(default_factory=Params)

    def __init__(self, /, **data: Any) -> None:
        # pydantic's own error is many lines; and model_validate() calls this __init__ too,
        # so every way of building a Scenario goes through these checks.
        try:
            super().__init__(**data)
        except ValidationError as err:
            raise _fail(SOURCE, err) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Scenario:  # type: ignore[override]
        """Check ``obj`` as :class:`Scenario` does; a :class:`ScenarioError` if it is wrong."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as err:  # __init__'s ScenarioError, wrapped by pydantic
            raise _fail(SOURCE, err) from None

    @field_validator("levers", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # `lever = 0.5` in a [levers] table is short for `target = 0.5` from start_year.
        if not isinstance(value, dict):
            return value
        return {k: {"target": v} if isinstance(v, int | float) and not isinstance(v, bool)
                else v for k, v in value.items()}

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        problem = next(_problems(self), None)
        if problem is not None:
            field, detail = problem
            raise PydanticCustomError("scenario", "{detail}", {"field": field, "detail": detail})
        return self

    @property
    def years(self) -> list[int]:
        """Reported years."""
        return list(range(self.start_year, self.end_year + 1))

    @property
    def display_title(self) -> str:
        """The title readers see: ``title``, or the id ``name`` when there is none."""
        return self.title or self.name

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
        """A stable hash of all that changes results (not name, title or description)."""
        body = self.model_dump(mode="json", exclude={"name", "title", "description"})
        text = json.dumps(body, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False
                   ) -> Scenario:
        """A copy; with ``update``, a new scenario checked like any other (pydantic skips it)."""
        if not update:
            return super().model_copy(deep=deep)
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        return type(self)(**{**fields, **update})

    def with_levers(self, **targets: float) -> Scenario:
        """A copy with some levers set to a level from ``start_year`` on (a step change)."""
        levers: dict[str, Any] = dict(self.levers)
        levers.update({lid: {"target": value} for lid, value in targets.items()})
        return self.model_copy(update={"levers": levers})


# -- Checks beyond the field types ----------------------------------------------------------


def _problems(sc: Scenario) -> Iterator[tuple[str, str]]:
    """Every (field, message) wrong with ``sc``, lazily: the caller takes the first."""
    yield from _name_problems(sc.name)
    yield from _name_problems(sc.title, "title", empty_ok=True)
    yield from _year_problems(sc.start_year, sc.end_year)
    for lid, sch in sc.levers.items():
        yield from _lever_problems(lid, sch, sc.start_year)
    yield from _region_problems(sc.region)


def _name_problems(name: str, field: str = "name", empty_ok: bool = False
                   ) -> Iterator[tuple[str, str]]:
    if not name.strip():
        if not empty_ok or name:
            yield field, f"empty; give the scenario a {field}"
    elif len(name) > NAME_MAX:
        yield field, f"{len(name):,} characters long; allowed at most {NAME_MAX}"
    else:
        bad = next((c for c in name if unicodedata.category(c) in _HIDDEN), None)
        if bad is not None:
            yield field, (f"holds the control or invisible character U+{ord(bad):04X} in "
                          f"{quoted(name)}; allowed: one line of visible text")


def _year_problems(start_year: int, end_year: int) -> Iterator[tuple[str, str]]:
    if not YEAR_MIN <= start_year <= YEAR_MAX:
        yield "start_year", f"{quoted(start_year)} is impossible; allowed {YEAR_MIN}-{YEAR_MAX}"
    elif not start_year <= end_year <= YEAR_MAX:
        yield "end_year", (f"{quoted(end_year)} is impossible; allowed {start_year} "
                           f"(start_year) to {YEAR_MAX}")


def _lever_problems(lid: str, sch: LeverSchedule, start_year: int
                    ) -> Iterator[tuple[str, str]]:
    lev = LEVERS.get(lid)
    if lev is None:
        yield field_path("levers", lid), unknown("lever", lid, LEVERS)
        return
    field = field_path("levers", lid)
    if not (lev.minimum <= sch.target <= lev.maximum):  # False for NaN too
        # 80 for a share is 80%: say what was meant rather than only the range.
        pct = (f"; did you mean {sch.target / 100:g}? write 1 for 100%"
               if lev.unit == "share" and 1 < sch.target <= 100 else "")
        yield f"{field}.target", (f"{quoted(sch.target)} is out of range; allowed "
                                  f"{lev.minimum:g} to {lev.maximum:g} ({lev.unit}){pct}")
    for key in ("start", "full_by", "end"):
        year = getattr(sch, key)
        if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
            yield f"{field}.{key}", f"{quoted(year)} is impossible; allowed {YEAR_MIN}-{YEAR_MAX}"
    yield from _ramp_problems(field, sch, sch.start if sch.start is not None else start_year)


def _ramp_problems(field: str, sch: LeverSchedule, start: int) -> Iterator[tuple[str, str]]:
    if sch.full_by is not None and sch.full_by < start:
        yield f"{field}.full_by", (f"{sch.full_by} is before start {start}; allowed {start} "
                                   "or later")
    if sch.end is not None and sch.end <= start:
        yield f"{field}.end", f"{sch.end} is not after start {start}; allowed {start + 1} or later"
    # An end before full_by means the target is never reached: end and full_by swapped?
    if sch.end is not None and sch.full_by is not None and sch.end <= sch.full_by:
        yield f"{field}.end", (f"{sch.end} is not after full_by {sch.full_by}, so the target is "
                               f"never reached; allowed {sch.full_by + 1} or later")


def _region_problems(region: str | None) -> Iterator[tuple[str, str]]:
    if region is None:
        return
    try:
        get_region(region)
    except RegionError:
        # Not RegionError's own text: that quotes the name whole, whatever its length.
        yield "region", (f"unknown region {quoted(region)}; {region_hint(str(region))}allowed: "
                         f"{', '.join(region_names())} (or a county's Chinese name, e.g. 诸暨)")


# -- From pydantic's errors to one line ------------------------------------------------------


def _fail(source: str, err: ValidationError) -> ScenarioError:
    errors = err.errors()
    # An unknown key explains a "Field required" next to it (a typo), so report it first.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    if first["type"] == "scenario":  # from Scenario._consistent, which names its field
        return ScenarioError(source, first["ctx"]["field"], first["ctx"]["detail"])
    inner = first.get("ctx", {}).get("error")
    if isinstance(inner, ScenarioError):  # raised by Scenario.__init__ under model_validate
        return ScenarioError(source, inner.field, inner.message)
    loc = first["loc"]
    field = field_path(*loc) or "(top level)"
    if first["type"] == "extra_forbidden":
        return ScenarioError(source, field, _unknown_field(loc))
    msg = first["msg"].removeprefix("Value error, ")
    if "input" in first:
        got = first["input"]
        msg += " (got a table)" if isinstance(got, dict) else f" (got {quoted(got)})"
    return ScenarioError(source, field, msg)


def _unknown_field(loc: tuple[Any, ...]) -> str:
    if loc[:1] == ("params",):
        return unknown("field", loc[-1], list(Params.model_fields),
                        "see fazhi_sim.Params (e.g. impatience, village_success)")
    if loc[:1] == ("levers",):
        return unknown("field", loc[-1], _LEVER_FIELDS, ", ".join(_LEVER_FIELDS))
    return unknown("field", loc[-1], _TOP_FIELDS, ", ".join(_TOP_FIELDS))


def _validated(data: dict[str, Any], source: str) -> Scenario:
    # One path for files, dicts and Python: Scenario(...) checks, and the error names `source`.
    odd = next((k for k in data if not isinstance(k, str)), None)
    if odd is not None:
        raise ScenarioError(source, quoted(odd), unknown("field", odd, _TOP_FIELDS,
                                                          ", ".join(_TOP_FIELDS)))
    try:
        return Scenario(**data)
    except ScenarioError as err:
        raise ScenarioError(source, err.field, err.message) from None


# -- Files -----------------------------------------------------------------------------------


def _locate(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists() and not p.suffix:
        shipped = Path(__file__).parent.parent / "scenarios" / f"{p}.toml"
        if shipped.exists():
            return shipped
    return p


def _read_text(p: Path, source: str) -> str:
    if p.is_dir():
        raise ScenarioError(source, "(file)", "is a folder; give the path of a .toml scenario")
    if not p.is_file():
        raise ScenarioError(source, "(file)", "no such file; give the path of a .toml scenario")
    with p.open("rb") as f:
        raw = f.read(FILE_MAX + 1)
    if len(raw) > FILE_MAX:
        raise ScenarioError(source, "(file)", f"larger than {FILE_MAX >> 20} MB; allowed: a "
                            "scenario of a few lines of settings")
    try:
        return raw.decode("utf-8-sig")  # Windows Notepad starts UTF-8 files with a BOM
    except UnicodeDecodeError as err:
        raise ScenarioError(source, "(file)", f"not UTF-8 text (byte {raw[err.start]:#04x} at "
                            f"offset {err.start}); save the file as UTF-8") from None


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(source, "(syntax)", f"malformed TOML: {printable(str(err))}",
                            syntax_line(str(err))) from None
    except RecursionError:
        raise ScenarioError(source, "(syntax)", "arrays or tables nested too deeply; allowed: "
                            "[levers.<id>] tables of numbers (docs/scenarios.md)") from None
    except ValueError:  # an integer of thousands of digits, beyond int()'s limit
        raise ScenarioError(source, "(syntax)", "a number too long to read; allowed: numbers "
                            "of a few digits") from None
    if not data:
        raise ScenarioError(source, "(file)", "no settings (empty, or only comments); a "
                            'scenario sets at least name = "..." (levers left out stay at '
                            "their 2020 level)")
    return data


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path
        A TOML file (see the module docstring for the format), or the name of a shipped
        scenario such as ``"baseline"`` or ``"plan-2025"``. A UTF-8 byte-order mark is
        allowed.

    Returns
    -------
    Scenario
        The validated scenario; its ``name`` is the file's name when the file sets none.

    Raises
    ------
    ScenarioError
        For a missing, empty, oversized or non-UTF-8 file, malformed TOML, an unknown lever
        or field, a value out of range or an impossible year; the message is one line that
        names the file, the field and what is allowed.
    """
    p = _locate(path)
    source = str(path)
    text = _read_text(p, source)
    data = _parse(text, source)
    data.setdefault("name", p.stem)
    try:
        return _validated(data, source)
    except ScenarioError as err:  # name the line too: tomllib keeps no positions
        raise ScenarioError(source, err.field, err.message, key_line(text, err.field)
                            ) from None


def scenario_from_dict(data: dict[str, Any], source: str = "<dict>") -> Scenario:
    """Validate a scenario given as a dict (same rules and errors as a file)."""
    return _validated(dict(data), source)


def baseline(start_year: int = 2021, end_year: int = 2025) -> Scenario:
    """The baseline: every lever held at its 2020 level.

    Parameters
    ----------
    start_year, end_year : int
        First and last reported year.

    Returns
    -------
    Scenario
        A scenario named ``"baseline"`` that moves no lever.
    """
    return Scenario(name="baseline", start_year=start_year, end_year=end_year)
