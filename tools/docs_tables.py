"""Render the generated tables of docs/model.md from the code, and write them in place.

Two tables in ``docs/model.md`` are generated, never edited by hand:

* the measure (lever) table, from :data:`fazhi_sim.engine.measures.LEVERS`, between
  ``<!-- levers:begin -->`` and ``<!-- levers:end -->``;
* the parameter table, from ``fazhi_sim.engine.params.Params.model_fields``, between
  ``<!-- params:begin -->`` and ``<!-- params:end -->``.

Run it after changing ``measures.py`` or ``params.py``::

    .venv/bin/python tools/docs_tables.py           # rewrite docs/model.md
    .venv/bin/python tools/docs_tables.py --check   # exit 1 if docs/model.md is out of date

``tests/test_docs.py`` fails when the tables are out of date.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fazhi_sim.engine.measures import LEVERS, PLAN_SECTIONS, Lever
from fazhi_sim.engine.params import Params

__all__ = [
    "DOC", "TABLES", "plan_article", "source_status", "direction", "render_levers",
    "render_params", "render", "current", "replace", "update", "main",
]

DOC = Path(__file__).resolve().parent.parent / "docs" / "model.md"
"""The document whose tables are generated."""

_ARROW = {1: "↑", -1: "↓"}


def _cell(value: Any) -> str:
    """Text fit for one Markdown table cell: one line, pipes escaped."""
    text = " ".join(str(value).split())
    return text.replace("|", "\\|")


def _num(value: float | int) -> str:
    """A number as written in a scenario file (``0.45``, ``4``, ``-0.3``)."""
    return f"{value:g}"


def plan_article(article: str) -> str:
    """The plan's own citation for a lever's article.

    Parameters
    ----------
    article
        ``Lever.article``: an article number in Chinese numerals (``"二十三"``), or a
        section goal written with its section number (``"八(目标)"``).

    Returns
    -------
    str
        ``"第二十三条"`` for an article, ``"第八部分目标"`` for a section goal.

    Examples
    --------
    >>> plan_article("二十三")
    '第二十三条'
    >>> plan_article("八(目标)")
    '第八部分目标'
    """
    m = re.fullmatch(r"(.+?)\((.+)\)", article)
    if m:
        return f"第{m.group(1)}部分{m.group(2)}"
    return f"第{article}条"


def source_status(source: str) -> str:
    """Classify a lever's source text: ``assumed``, ``partly sourced`` or ``sourced``.

    Parameters
    ----------
    source
        ``Lever.source``; it begins with ``"assumed"`` when both levels are assumptions.

    Returns
    -------
    str
        ``"assumed"`` when the text begins with "assumed", ``"partly sourced"`` when it cites
        a source but calls one of the levels assumed, ``"sourced"`` otherwise.
    """
    text = source.strip().lower()
    if text.startswith("assumed"):
        return "assumed"
    if "assumed" in text:
        return "partly sourced"
    return "sourced"


def direction(moves: tuple[tuple[str, int], ...]) -> str:
    """The documented direction of effect, e.g. ``lawsuits_per_10k ↑``.

    Parameters
    ----------
    moves
        ``Lever.moves``: pairs of (metric, +1 or -1) for the lever raised, all else equal.

    Returns
    -------
    str
        The metrics with an arrow each, comma-separated; an em dash when none is documented.
    """
    if not moves:
        return "—"
    return ", ".join(f"`{metric}` {_ARROW.get(int(sign), '?')}" for metric, sign in moves)


def _source_cell(source: str) -> str:
    """The status in bold, then the source text without repeating a leading "assumed"."""
    status = source_status(source)
    text = source.strip()
    if status == "assumed":
        rest = text[len("assumed"):].strip()
        return f"**assumed**{'' if not rest or rest[0] in ';:,' else ' '}{rest}"
    return f"**{status}**: {text}"


def _lever_row(lv: Lever) -> str:
    section = PLAN_SECTIONS.get(lv.section, (lv.section, ""))[0]
    plan = _num(lv.plan_2025) + (" (plan target)" if lv.plan_target else "")
    cells = [
        f"`{lv.id}`",
        f"{lv.name_zh} ({lv.name_en})",
        f"{plan_article(lv.article)} ({lv.section}、{section})",
        _num(lv.baseline),
        plan,
        f"{_num(lv.minimum)}–{_num(lv.maximum)} ({lv.unit})",
        _source_cell(lv.source),
        lv.mechanism,
        direction(lv.moves),
    ]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def render_levers(levers: Mapping[str, Lever] | None = None) -> str:
    """The Markdown table of every lever, in catalogue order.

    Parameters
    ----------
    levers
        Levers by id; :data:`fazhi_sim.engine.measures.LEVERS` if omitted.

    Returns
    -------
    str
        The table (header, separator, one row per lever), without a trailing newline.
    """
    levers = LEVERS if levers is None else levers
    head = [
        "| lever id | 中文名称 (English) | plan article (section) | 2020 level | "
        "plan 2025 level | allowed range (unit) | source | mechanism | "
        "documented direction of effect |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    return "\n".join(head + [_lever_row(lv) for lv in levers.values()])


def _bounds(field: Any) -> tuple[Any, Any]:
    lo = hi = None
    for m in field.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    return lo, hi


def _param_source(field: Any) -> str:
    extra = field.json_schema_extra
    return str(extra.get("source", "assumed")) if isinstance(extra, dict) else "assumed"


def render_params(fields: Mapping[str, Any] | None = None) -> str:
    """The Markdown table of every mechanism parameter, in declaration order.

    Parameters
    ----------
    fields
        Pydantic field infos by name; ``Params.model_fields`` if omitted.

    Returns
    -------
    str
        The table (header, separator, one row per parameter), without a trailing newline.
    """
    fields = Params.model_fields if fields is None else fields
    rows = [
        "| parameter | default | range | meaning | source |",
        "|---|---|---|---|---|",
    ]
    for name, f in fields.items():
        lo, hi = _bounds(f)
        rng = f"{_num(lo)}–{_num(hi)}" if lo is not None and hi is not None else "—"
        source = _param_source(f)
        cells = [f"`{name}`", _num(f.default), rng, f.description or "", source]
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows)


TABLES: dict[str, Callable[[], str]] = {"levers": render_levers, "params": render_params}
"""Generated blocks by marker name: ``<!-- {name}:begin -->`` … ``<!-- {name}:end -->``."""


def render(name: str) -> str:
    """Render one generated block by its marker name (``"levers"`` or ``"params"``).

    Raises
    ------
    KeyError
        If ``name`` is not in :data:`TABLES`.
    """
    return TABLES[name]()


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- {re.escape(name)}:begin -->)(.*?)(<!-- {re.escape(name)}:end -->)", re.S
    )


def current(text: str, name: str) -> str:
    """The text now between a block's markers, without surrounding blank lines.

    Raises
    ------
    ValueError
        If the markers are missing.
    """
    m = _pattern(name).search(text)
    if m is None:
        raise ValueError(f"markers <!-- {name}:begin --> / <!-- {name}:end --> not found")
    return m.group(2).strip("\n")


def replace(text: str, name: str, body: str) -> str:
    """Put ``body`` between a block's markers, replacing what was there.

    Parameters
    ----------
    text
        The whole document.
    name
        Marker name.
    body
        New content (a blank line is kept on each side of it).

    Returns
    -------
    str
        The document with the block replaced.

    Raises
    ------
    ValueError
        If the markers are missing.
    """
    current(text, name)  # raises if missing
    return _pattern(name).sub(lambda m: f"{m.group(1)}\n{body}\n{m.group(3)}", text, count=1)


def update(text: str) -> str:
    """Replace every generated block of a document with a fresh rendering."""
    for name in TABLES:
        text = replace(text, name, render(name))
    return text


def main(argv: list[str] | None = None) -> int:
    """Command line: rewrite docs/model.md, or with ``--check`` report whether it is stale.

    Returns
    -------
    int
        Exit status: 0 when written or up to date, 1 when ``--check`` finds it out of date.
    """
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", type=Path, default=DOC, help="document (docs/model.md)")
    ap.add_argument("--check", action="store_true", help="only check; exit 1 if out of date")
    args = ap.parse_args(argv)
    text = args.path.read_text("utf-8")
    new = update(text)
    if args.check:
        stale = new != text
        if stale:
            print(f"{args.path}: generated tables are out of date; run "
                  ".venv/bin/python tools/docs_tables.py", file=sys.stderr)
        return int(stale)
    if new != text:
        args.path.write_text(new, "utf-8")
        print(f"{args.path}: tables updated")
    else:
        print(f"{args.path}: tables already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
