"""Errors about scenarios: one line naming the file (and line), the field and what is allowed.

Kept apart from scenario.py so that every message about a bad value is shaped in one place:
values quoted short and safe (:func:`quoted`), field paths readable (:func:`field_path`), and
unknown names answered with the nearest known one (:func:`unknown`).
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Sequence
from typing import Any

__all__ = ["ScenarioError", "quoted", "field_path", "unknown", "ECHO_MAX"]

ECHO_MAX = 80
"""Longest quote of a bad value in an error message, so the message stays one short line."""
_REPR = reprlib.Repr(maxlevel=2, maxstring=ECHO_MAX, maxother=ECHO_MAX, maxlist=4, maxdict=4)


def quoted(value: Any) -> str:
    """``value`` as error messages quote it: control characters escaped, at most 80 characters.

    A file may hold a 50 MB string or a number of a million digits; an error line must
    stay one short line whatever it quotes.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"a number of about {int(value.bit_length() * 0.30103)} digits"  # str() refuses
    text = repr(value[:ECHO_MAX]) if isinstance(value, str) else _REPR.repr(value)
    too_long = len(text) > ECHO_MAX or (isinstance(value, str) and len(value) > ECHO_MAX)
    return text[:ECHO_MAX - 1] + "…" if too_long else text


def _key(part: Any) -> str:
    # A key from the file becomes part of the field path: quote it only when it needs it.
    if isinstance(part, str) and part.isprintable() and 0 < len(part) <= 40:
        return part
    return str(part) if isinstance(part, int) else quoted(part)


def field_path(*loc: Any) -> str:
    """A field's dotted path (``levers.online_court.target``), odd keys quoted and shortened."""
    return ".".join(_key(p) for p in loc)


def unknown(what: str, name: Any, allowed: Sequence[str], listed: str | None = None) -> str:
    """The message for an unknown name: a near spelling if there is one, and what is allowed."""
    near = (difflib.get_close_matches(name, list(allowed), n=1)
            if isinstance(name, str) and len(name) <= 64 else [])
    hint = f"did you mean {near[0]}? " if near else ""
    if listed is None:
        listed = (f"one of the {len(allowed)} ids of fazhi_sim.LEVERS (docs/model.md), e.g. "
                  + ", ".join(list(allowed)[:2]))
    return f"unknown {what}; {hint}allowed: {listed}"


class ScenarioError(ValueError):
    """A scenario that cannot be used: one line, file (and ``line`` there), field, allowed.

    Parameters
    ----------
    source : str
        The file (or ``"Scenario(...)"`` for one built in Python).
    field : str
        The field's dotted path, e.g. ``levers.county_centre.target``.
    message : str
        What is wrong and what is allowed.
    line : int, optional
        The line of the file the field is on, where it can be found.
    """

    def __init__(self, source: str, field: str, message: str, line: int | None = None):
        self.source, self.field, self.message, self.line = source, field, message, line
        where = source if line is None else f"{source}:{line}"
        super().__init__(f"{where}: {field}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Process pools pickle errors back to the parent; the default would call
        # ScenarioError(text) and fail there, leaving mesa.batch_run waiting forever.
        return (type(self), (self.source, self.field, self.message, self.line))
