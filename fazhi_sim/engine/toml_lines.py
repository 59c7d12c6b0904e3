"""Where a key sits in a TOML text: the line number a scenario error points to.

tomllib returns plain dicts without positions, so the line is found again by a small scan
of the text: table headers (``[levers.online_court]``) and ``key = value`` lines, dotted or
quoted keys included. A value spread over several lines (a multi-line string or array) may
hide a key from the scan; then the line is left out rather than guessed.
"""

from __future__ import annotations

import re

__all__ = ["key_line", "syntax_line", "printable"]

_PART = r'(?:[A-Za-z0-9_-]+|"[^"\n]*"|\'[^\'\n]*\')'
_KEYS = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_KEYS})\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^\s*({_KEYS})\s*=")
_PARTS = re.compile(_PART)
_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def _split(keys: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _PARTS.findall(keys))


def key_line(text: str, field: str) -> int | None:
    """The 1-based line of ``field`` (a dotted path such as ``levers.online_court.target``).

    The line that sets the field itself, else the nearest line above it in the path (the
    lever's table, or ``online_court = 0.9`` giving only the target); None if no line does.
    """
    want = tuple(field.split("."))
    table: tuple[str, ...] = ()
    best, best_len = None, 0
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _split(header.group(1))
            path = table
        else:
            assign = _ASSIGN.match(line)
            if not assign:
                continue
            path = table + _split(assign.group(1))
        common = _common(path, want)
        # A line counts only if its whole path lies on the way to the field.
        if common == len(path) and common > best_len:
            best, best_len = number, common
            if common == len(want):
                break
    return best


def _common(path: tuple[str, ...], want: tuple[str, ...]) -> int:
    n = 0
    for a, b in zip(path, want, strict=False):
        if a != b:
            break
        n += 1
    return n


def syntax_line(message: str) -> int | None:
    """The line a tomllib error ``message`` names (``... (at line 3, column 9)``), if any."""
    found = _AT_LINE.search(message)
    return int(found.group(1)) if found else None


def printable(text: str) -> str:
    """A tomllib message as one short printable line.

    tomllib quotes the offending character, which may itself be a control character.
    """
    clean = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:200])
    return clean if len(text) <= 200 else clean + "…"
