"""What every ``fazhi-sim`` command shares: checked inputs, shared options, output, errors.

Every check raises :class:`InputError`, whose message reads like a :class:`ScenarioError`'s
(``<file>: <field>: <what is allowed>``), so a bad input always ends in the same one line.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..engine.region import (
    Region,
    RegionError,
    RegionFileError,
    get_region,
    load_region,
    region_names,
)
from ..engine.scenario import Scenario
from ..experiments.ensemble import MAX_REPLICATES
from ..experiments.executors import default_jobs
from ..experiments.spec import ModelSpec, load_spec
from ..views.i18n import LANGS, label, region_label
from ..views.table_files import TABLE_EXTENSIONS, write_table_csv, write_workbook
from .language import error_prefix, translated_error

__all__ = [
    "PROG", "DEFAULT_REGION", "COMMAND_LINE", "InputError", "Parents",
    "make_parents", "add_region", "parse_seed", "parse_count", "parse_jobs", "parse_replicates",
    "parse_number", "store_dir", "split_names",
    "scenario_region", "named_region", "common_year", "outcome_year", "unique_names",
    "out_path", "place", "places", "table_path", "write_tables", "model_spec", "title",
    "print_error",
]

PROG = "fazhi-sim"
DEFAULT_REGION = "shaoxing"
COMMAND_LINE = "(command line)"
"""Where an input came from when no file holds it, in place of a file name in errors."""

_OUTCOME_YEAR = 2025
_LAST_YEAR = 2035
_MAX_SEED = 2**63 - 1


class InputError(Exception):
    """A bad command-line value; formatted like :class:`ScenarioError` (file, field, allowed)."""

    def __init__(self, source: str, field: str, message: str):
        self.source, self.field, self.message = source, field, message
        super().__init__(f"{source}: {field}: {message}")

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt from its parts: the default, InputError(text), fails when unpickled.
        return (type(self), (self.source, self.field, self.message))


# -- Options shared by several commands ------------------------------------------------------


@dataclass(frozen=True)
class Parents:
    """Parent parsers, each declaring once an option several commands share.

    A command lists the ones it takes in ``add_parser(..., parents=[...])``.
    """

    seed: argparse.ArgumentParser
    lang: argparse.ArgumentParser
    jobs: argparse.ArgumentParser
    model: argparse.ArgumentParser
    ui: str = "en"
    """Language of help and errors (see :func:`fazhi_sim.cli.language.ui_lang`)."""

    def say(self, key: str, **values: object) -> str:
        """The help text ``key`` in :attr:`ui`, its ``{fields}`` filled from ``values``."""
        text = label(key, self.ui)
        return text.format(**values) if values else text


def make_parents(ui: str = "en") -> Parents:
    """The parent parsers of ``--seed``, ``--lang``, ``--jobs`` and ``--model``."""
    def parent(flag: str, key: str, **kwargs: object) -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(add_help=False)
        parser.add_argument(flag, help=label(key, ui), **kwargs)
        return parser

    # --seed is checked by parse_seed rather than by argparse's type=int, whose error takes
    # two lines.
    return Parents(seed=parent("--seed", "h_seed", default="1"),
                   lang=parent("--lang", "h_lang", choices=LANGS, default="zh"),
                   jobs=parent("--jobs", "h_jobs", metavar="N"),
                   model=parent("--model", "h_model", metavar="MODULE:NAME"), ui=ui)


def add_region(parser: argparse.ArgumentParser, default_key: str, parents: Parents) -> None:
    """Add ``--region`` and ``--region-file``; ``default_key`` says what runs without."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--region", help=parents.say("h_region",
                                                    default=parents.say(default_key)))
    group.add_argument("--region-file", metavar="FILE.csv", help=parents.say("h_region_file"))


# -- Checking inputs ------------------------------------------------------------------------


def parse_seed(text: str, source: str) -> int:
    """``--seed`` as a whole number, 0 to 2⁶³-1."""
    digits = text.strip()
    # Length first: int() of a pasted 10,000-digit number would fail with a traceback.
    if (not re.fullmatch(r"[0-9]+", digits) or len(digits.lstrip("0")) > 19
            or int(digits) > _MAX_SEED):
        raise InputError(source, "--seed", f"{_shown(text)} is not allowed; give a whole number "
                         f"from 0 to {_MAX_SEED:,}")
    return int(digits)


def parse_count(text: str | None, source: str, flag: str, default: int | None,
                maximum: int | None = None, why: str = "") -> int | None:
    """A count option (``--replicates``, ``--jobs``, ...) as a whole number, 1 to ``maximum``.

    ``why`` says, after the allowed range, why there is a maximum.
    """
    if text is None:
        return default
    digits = text.strip()
    whole = re.fullmatch(r"[0-9]+", digits) is not None
    # Length first: int() of a pasted 10,000-digit number would fail with a traceback.
    value = int(digits) if whole and len(digits.lstrip("0")) <= 18 else None
    allowed = (f"give a whole number from 1 to {maximum:,}" + (f" ({why})" if why else "")
               if maximum is not None else "give a whole number, 1 or more")
    if whole and (value is None or (maximum is not None and value > maximum)):
        raise InputError(source, flag, f"{_shown(text)} is too large; {allowed}")
    if value is None or value < 1:
        raise InputError(source, flag, f"{_shown(text)} is not allowed; {allowed}")
    return value


def _shown(text: str) -> str:
    # A value echoed in an error, cut so the line stays readable whatever was pasted.
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def parse_jobs(text: str | None, source: str) -> int | None:
    """``--jobs``: 1 to four per core, since each process holds a whole model in memory."""
    return parse_count(text, source, "--jobs", None, 4 * default_jobs(),
                       f"four per core; this machine lets fazhi-sim use {default_jobs()}")


def parse_replicates(text: str | None, source: str, default: int) -> int:
    """``--replicates``: 1 to :data:`~fazhi_sim.experiments.ensemble.MAX_REPLICATES`."""
    return parse_count(text, source, "--replicates", default, MAX_REPLICATES,
                       "run a larger study in parts with different --seed")


def store_dir(arg: str | None) -> Path | None:
    """``--store``: a folder, created if missing, checked before anything runs."""
    if arg is None:
        return None
    path = Path(arg)
    if path.exists() and not path.is_dir():
        raise InputError(arg, "--store", "is a file; give a folder (created if missing)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(arg, "--store", f"cannot create the folder ({err.strerror or err}); "
                         "give a folder you may write to") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(arg, "--store", "not writable; give a folder you may write to")
    return path


def parse_number(text: str | None, source: str, flag: str) -> float | None:
    """A number, 0 or more; thousands may be grouped with ``,`` or ``_`` (``200,000``)."""
    if text is None:
        return None
    clean = text.strip().replace(",", "").replace("_", "")
    if not re.fullmatch(r"[0-9]+(\.[0-9]*)?", clean):
        raise InputError(source, flag, f"{_shown(text)} is not allowed; give a number, 0 or more")
    if not math.isfinite(float(clean)):  # 400 nines are a float's infinity
        raise InputError(source, flag, f"{_shown(text)} is too large; give a number, 0 or more")
    return float(clean)


def split_names(values: Sequence[str] | None) -> list[str]:
    """Names given as ``--levers a b`` or ``--levers a,b``."""
    return [n.strip() for v in values or [] for n in v.split(",") if n.strip()]


def scenario_region(arg: str | None, loaded: list[tuple[str, Scenario]],
                    region_file: str | None = None) -> Region:
    """The region to run scenarios on: the file's or ``--region``, else theirs, else default.

    ``region_file`` (``--region-file``) wins; the default is :data:`DEFAULT_REGION`.

    ``loaded`` holds (source, scenario) pairs; scenarios declaring different regions are an
    error without ``--region``.
    """
    if region_file is not None:
        return load_region(region_file)
    if arg is not None:
        try:
            return get_region(arg)
        except RegionError as err:
            raise InputError(loaded[0][0], "--region", str(err)) from None
    declared = [(src, get_region(sc.region)) for src, sc in loaded if sc.region is not None]
    for src, reg in declared[1:]:
        # Comparing scenarios on different regions would compare places, not measures.
        if reg.id != declared[0][1].id:
            raise InputError(src, "region", f"{reg.id!r} differs from {declared[0][1].id!r} in "
                             f"{declared[0][0]}; pass --region to compare on one region")
    return declared[0][1] if declared else get_region(DEFAULT_REGION)


def named_region(arg: str | None, source: str, default: str = "town",
                 region_file: str | None = None) -> Region:
    """``--region`` or ``--region-file`` of a command that runs no scenario file.

    ``default`` runs without either.
    """
    if region_file is not None:
        return load_region(region_file)
    try:
        return get_region(arg or default)
    except RegionError as err:
        raise InputError(source, "--region", str(err)) from None


def common_year(arg: str | None, loaded: list[tuple[str, Scenario]]) -> int:
    """``--year``, checked to lie in every scenario; default the last year they share."""
    first_src, first = max(loaded, key=lambda x: x[1].start_year)
    last_src, last = min(loaded, key=lambda x: x[1].end_year)
    lo, hi = first.start_year, last.end_year
    if lo > hi:
        raise InputError(last_src, "end_year", f"{hi} is before start_year {lo} of {first_src}; "
                         "scenarios to compare need a year in common")
    if arg is None:
        return hi
    is_year = re.fullmatch(r"[0-9]{4}", arg.strip()) is not None
    if not is_year or not lo <= int(arg) <= hi:
        # Name the file whose years leave it out, so the user knows which one to look at.
        src = next((s for s, sc in loaded if is_year and int(arg) not in sc.years), loaded[0][0])
        raise InputError(src, "--year", f"{arg!r} is not allowed; allowed {lo} to {hi} (years "
                         "common to all scenarios)")
    return int(arg)


def outcome_year(arg: str | None, source: str) -> int:
    """``--year`` of a command that runs no scenario file (default 2025)."""
    if arg is None:
        return _OUTCOME_YEAR
    return common_year(arg, [(source, Scenario(end_year=_LAST_YEAR))])


def unique_names(loaded: list[tuple[str, Scenario]]) -> list[str]:
    """Scenario names, with ``#2``, ``#3`` ... added to repeats."""
    # Two files may share a name (or one file may be given twice); rows must stay apart.
    names: list[str] = []
    for _, sc in loaded:
        name, k = sc.name, 2
        while name in names:
            name, k = f"{sc.name}#{k}", k + 1
        names.append(name)
    return names


def out_path(arg: str | None, flag: str = "--out", ext: str = "csv") -> Path | None:
    """An output file, checked to be writable before anything runs."""
    # Checked before running, so a typo in --out does not cost a long simulation.
    if arg is None:
        return None
    path = Path(arg)
    folder = path.parent
    if path.is_dir():
        raise InputError(arg, flag, f"is a folder; give a file name such as results.{ext}")
    if not folder.is_dir():
        raise InputError(arg, flag, f"folder {str(folder)!r} does not exist; give a .{ext} path "
                         "in an existing folder")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(arg, flag, f"not writable; give a .{ext} path you may write to")
    return path


def model_spec(arg: str | None) -> ModelSpec:
    """``--model`` as a :class:`ModelSpec`; the shipped model without it.

    Raises :class:`~fazhi_sim.experiments.spec.SpecError` (one line) for a bad target.
    """
    return ModelSpec() if arg is None else load_spec(arg)


# -- Output ---------------------------------------------------------------------------------


def table_path(arg: str | None, flag: str = "--out") -> Path | None:
    """An output table file, ``.csv`` or ``.xlsx``, checked before anything runs."""
    if arg is None:
        return None
    ext = Path(arg).suffix.lower().lstrip(".")
    if ext not in TABLE_EXTENSIONS:
        allowed = ", ".join(f".{e}" for e in TABLE_EXTENSIONS)
        shown = f".{ext}" if ext else "no extension"
        raise InputError(arg, flag, f"{shown} is not a table format; allowed: {allowed} "
                         "(.xlsx: an Excel workbook)")
    return out_path(arg, flag, ext)


def write_tables(sheets: dict[str, pd.DataFrame], path: Path, lang: str,
                 region: Region | None = None) -> None:
    """Write result tables to ``path`` and say where.

    A ``.xlsx`` file gets every table, one sheet each (keys name the sheets), with the
    names of ``region`` and its counties; a ``.csv`` file gets the first, the one the
    command's ``--out`` has always written.
    """
    try:
        if path.suffix.lower() == ".xlsx":
            write_workbook(sheets, path, lang, places(region, lang) if region else None)
        else:
            write_table_csv(next(iter(sheets.values())), path)
    except OSError as err:
        raise InputError(str(path), "--out", f"cannot write ({err.strerror or err}); give a "
                         f"{path.suffix or '.csv'} path you may write to") from None
    print(f"{label('written', lang)}: {path}")


def title(scenario: str, region: Region, seed: int, lang: str) -> str:
    """The line above a table: scenario, region and seed."""
    return (f"{label('scenario', lang)}: {scenario}   {label('region', lang)}: "
            f"{place(region, lang)}   {label('seed', lang)}: {seed}")


def places(region: Region, lang: str) -> dict[str, str]:
    """Region and county ids to their names in ``lang`` for a region from a file, else {}."""
    if region.id in region_names():
        return {}  # shipped: region_label names it and its counties
    counties = (region.county_names_zh if lang == "zh" else region.county_ids)
    return {**dict(zip(region.county_ids, counties, strict=True)),
            region.id: place(region, lang)}


def place(region: Region, lang: str) -> str:
    """A region's name in ``lang``; a region from a file shows the names it gives."""
    try:
        return region_label(region.id, lang)
    except ValueError:  # not a shipped region
        return region.name_zh if lang == "zh" else region.name_en


def print_error(err: BaseException, ui: str = "en") -> None:
    """Print ``err`` to stderr as ``fazhi-sim: error: ...`` on one line, in ``ui``."""
    if isinstance(err, OSError) and err.filename:
        text = f"{err.filename}: (file): {err.strerror or err}"
    elif isinstance(err, OSError):  # no file to name: "(file): (file):" would say nothing
        text = f"{COMMAND_LINE}: (system): {err.strerror or err}"
    elif isinstance(err, RegionError) and not isinstance(err, RegionFileError):
        text = f"{COMMAND_LINE}: --region: {err}"
    else:
        text = str(err)
    # One line whatever the message holds, so scripts can parse it.
    print(error_prefix(ui) + translated_error(" ".join(text.split()), ui), file=sys.stderr)
