"""Reading a region file: one CSV row per county with its residents, towns and villages.

The format (``docs/regions.md``)::

    region,region_zh,region_en,county,county_zh,population,towns,villages
    mycity,某市,My city,east,东区,420000,9,160

``county``, ``population``, ``towns`` and ``villages`` are required; ``region`` (the id
results carry, default the file name), ``region_zh``, ``region_en`` and ``county_zh`` are
optional; any other column (a source, a note) is kept out of the model and may document the
figures. The shipped Shaoxing data is such a file (``data/regions/shaoxing.csv``).

Every problem is a :class:`RegionError` of one line, ``<file>:<line>: <column>: <what is
allowed>``, the line counted as a spreadsheet shows it (the header is line 1).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RegionError", "RegionFileError", "CountyRow", "RegionRows", "REQUIRED", "OPTIONAL",
           "MIN_VILLAGE", "MAX_POPULATION", "read_region_text", "read_region_file"]

REQUIRED = ("county", "population", "towns", "villages")
"""Columns every region file has."""

OPTIONAL = ("region", "region_zh", "region_en", "county_zh")
"""Columns a region file may have; other columns are ignored."""

MIN_VILLAGE = 50
"""Fewest residents of a synthetic village (the layout gives each at least this many)."""

MAX_POPULATION = 50_000_000
"""Most residents of a region: one agent per resident must fit in memory."""

_MAX_COUNTIES = 500
_WHOLE = re.compile(r"[0-9][0-9,_]*")


class RegionError(ValueError):
    """A region name that is not known, or a region file that cannot be used (one line)."""


class RegionFileError(RegionError):
    """A region file that cannot be used; the message starts ``<file>:<line>: <column>:``."""


@dataclass(frozen=True)
class CountyRow:
    """One county of a region file."""

    id: str
    name_zh: str
    population: int
    towns: int
    villages: int


@dataclass(frozen=True)
class RegionRows:
    """A region file, checked: its id, names and counties in file order."""

    id: str
    name_zh: str
    name_en: str
    counties: tuple[CountyRow, ...]


def read_region_file(path: str | Path) -> RegionRows:
    """Read and check the region file at ``path`` (UTF-8, with or without BOM, or GB18030).

    Raises
    ------
    RegionError
        If the file cannot be read or a row is not allowed; one line naming file, line and
        column.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise RegionFileError(f"{path}: (file): {err.strerror or err}; give a region .csv file "
                          "(docs/regions.md)") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Chinese Windows saves "CSV" in the system code page.
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise RegionFileError(f"{path}: (file): not text; save the region as CSV (UTF-8)") \
                from None
    return read_region_text(text, str(path), path.stem)


def read_region_text(text: str, source: str, default_id: str) -> RegionRows:
    """Check the text of a region file; ``source`` names it in errors."""
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise RegionFileError(f"{source}:1: (header): the file is empty; the first line names the "
                          f"columns, at least {', '.join(REQUIRED)}")
    header = [h.strip().lstrip("\ufeff").lower() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RegionFileError(f"{source}:1: (header): missing column {', '.join(missing)}; "
                              f"required: {', '.join(REQUIRED)}; optional: "
                              f"{', '.join(OPTIONAL)}")
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    if not body:
        raise RegionFileError(f"{source}:2: county: no counties; give one row per county")
    if len(body) > _MAX_COUNTIES:
        raise RegionFileError(f"{source}:{body[_MAX_COUNTIES][0]}: county: more than "
                          f"{_MAX_COUNTIES} counties; allowed up to {_MAX_COUNTIES}")
    records = [(n, dict(zip(header, (c.strip() for c in r), strict=False))) for n, r in body]
    counties = tuple(_county(source, n, rec) for n, rec in records)
    _check_unique(source, records)
    total = sum(c.population for c in counties)
    if total > MAX_POPULATION:
        raise RegionFileError(f"{source}:2: population: {total:,} residents in all; allowed up to "
                          f"{MAX_POPULATION:,} (one simulated agent per resident)")
    rid = _same_in_every_row(source, records, "region") or default_id
    name_zh = _same_in_every_row(source, records, "region_zh") or rid
    name_en = _same_in_every_row(source, records, "region_en") or rid
    return RegionRows(rid, name_zh, name_en, counties)


def _county(source: str, line: int, rec: dict[str, str]) -> CountyRow:
    cid = rec.get("county", "")
    if not cid:
        raise RegionFileError(f"{source}:{line}: county: empty; give the county's id, e.g. east")
    pop = _whole(source, line, rec, "population", 1)
    towns = _whole(source, line, rec, "towns", 1)
    villages = _whole(source, line, rec, "villages", towns)
    if pop < MIN_VILLAGE * villages:
        raise RegionFileError(f"{source}:{line}: population: {pop:,} is too few for {villages:,} "
                          f"villages; allowed at least {MIN_VILLAGE} residents a village "
                          f"({MIN_VILLAGE * villages:,})")
    return CountyRow(cid, rec.get("county_zh") or cid, pop, towns, villages)


def _whole(source: str, line: int, rec: dict[str, str], col: str, least: int) -> int:
    text = rec.get(col, "")
    allowed = f"give a whole number, {least} or more"
    if col == "villages":
        allowed += f" (at least one a town: {least})"
    if col == "population":
        allowed += ", without units (122.92万 is 1229200)"
    if not _WHOLE.fullmatch(text) or len(text) > 15:
        shown = repr(text[:30]) if text else "empty"
        raise RegionFileError(f"{source}:{line}: {col}: {shown} is not allowed; {allowed}")
    value = int(text.replace(",", "").replace("_", ""))
    if value < least:
        raise RegionFileError(f"{source}:{line}: {col}: {value} is not allowed; {allowed}")
    return value


def _check_unique(source: str, records: list[tuple[int, dict[str, str]]]) -> None:
    seen: dict[str, int] = {}
    for line, rec in records:
        cid = rec["county"]
        if cid in seen:
            raise RegionFileError(f"{source}:{line}: county: {cid!r} is on line {seen[cid]} too; "
                              "each county once")
        seen[cid] = line


def _same_in_every_row(source: str, records: list[tuple[int, dict[str, str]]],
                       col: str) -> str:
    values = [(line, rec.get(col, "")) for line, rec in records]
    first = values[0][1]
    for line, value in values[1:]:
        if value != first:
            raise RegionFileError(f"{source}:{line}: {col}: {value!r} differs from {first!r} on "
                              f"line {values[0][0]}; the whole file is one region")
    return first
