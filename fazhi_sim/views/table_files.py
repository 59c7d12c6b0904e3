"""Result tables written to files: CSV for scripts, an Excel workbook for planners.

Both round each number by what it measures, so a planner never sees ``0.2738461538``:
counts to whole numbers, rates per 10,000 residents and cases per person to one decimal,
small ratios (hand-offs per dispute, months) to two, shares to 0.1% (three decimals of the
fraction), percentages to one decimal. The CSV keeps its machine-readable columns and ids;
the workbook has one sheet per table, headers and metric names in the chosen language,
shares formatted as percentages, a frozen header row and columns wide enough to read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.metrics import COUNT_METRICS, is_share
from .i18n import label, region_label
from .tables import display_width

__all__ = ["TABLE_EXTENSIONS", "round_table", "write_table_csv", "write_workbook",
           "column_label", "sheet_label"]

TABLE_EXTENSIONS = ("csv", "xlsx")
"""File extensions a table may be written as, the first the default."""

_SHARE_DECIMALS = 3  # of the fraction: 0.1 percentage point
_RATE_DECIMALS = 1
_RATIO_DECIMALS = 2  # hand-offs per dispute, months: one decimal would hide real changes
_PCT_DECIMALS = 1
_MAX_WIDTH = 40  # characters; longer cells wrap the eye anyway
_COLUMN_KEYS = {
    "value": "col_value", "month": "col_month", "median": "median", "mean": "mean",
    "q10": "q10", "q90": "q90", "n": "col_n", "change": "change", "change_q10": "col_change_q10",
    "change_q90": "col_change_q90", "change_pct": "change_pct", "scenario": "scenario",
    "year": "year", "region": "region", "metric": "metric",
}
_ID_COLUMNS = ("scenario", "year", "month", "region", "metric", "replicate", "n")


def _is_pct(column: object) -> bool:
    # Percent of the baseline (change_pct, pct_median): already in percent.
    return "pct" in str(column)


def _decimals(metric: str) -> int:
    if metric in COUNT_METRICS:
        return 0
    if is_share(metric):
        return _SHARE_DECIMALS
    return _RATE_DECIMALS if metric.endswith("_per_10k") or "cases_per" in metric \
        else _RATIO_DECIMALS


def round_table(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with each number rounded by what it measures.

    Parameters
    ----------
    df
        A result table with a ``metric`` column; every other numeric column except the
        id columns (year, month, ...) holds values in the metric's unit, or percentages if
        its name contains ``pct``.

    Returns
    -------
    pandas.DataFrame
        Counts whole, shares to 0.001 (0.1%), rates and percentages to one decimal, small
        ratios to two.
    """
    out = df.copy()
    value_cols = [c for c in out.columns if c not in _ID_COLUMNS
                  and pd.api.types.is_float_dtype(out[c])]
    if "metric" not in out.columns:
        return out
    places = out["metric"].map(_decimals).to_numpy()
    for col in value_cols:
        if _is_pct(col):
            out[col] = out[col].round(_PCT_DECIMALS)
            continue
        values = out[col].to_numpy(dtype=float)
        # np.round takes one number of places; rows differ, so round each group.
        rounded = values.copy()
        for p in np.unique(places):
            rows = places == p
            rounded[rows] = np.round(values[rows], int(p))
        out[col] = rounded + 0.0  # -0.0 shows as "-0" in a spreadsheet
    return out


def write_table_csv(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` rounded as UTF-8 CSV with a BOM; raises OSError if it cannot."""
    # utf-8-sig: Excel on Chinese Windows reads a BOM-less file as GBK and garbles it.
    round_table(df).to_csv(path, index=False, encoding="utf-8-sig")


def column_label(column: object, lang: str) -> str:
    """The header of a column in ``lang`` (a year column stays a year)."""
    key = _COLUMN_KEYS.get(str(column))
    return label(key, lang) if key else str(column)


def sheet_label(key: str, lang: str) -> str:
    """A sheet name: the label of ``key``, cut to Excel's 31 characters, no ``[]:*?/`` etc."""
    name = label(key, lang)
    for bad in "[]:*?/\\":
        name = name.replace(bad, " ")
    return name[:31]


def write_workbook(sheets: Mapping[str, pd.DataFrame], path: Path, lang: str,
                   places: Mapping[str, str] | None = None) -> None:
    """Write an Excel workbook, one sheet per table; raises OSError if it cannot.

    Parameters
    ----------
    sheets
        Sheet key (a display word, see :func:`sheet_label`) to a result table with a
        ``metric`` column, in sheet order.
    path
        The ``.xlsx`` file.
    lang
        Language of the sheet names, headers, metric and region names.
    places
        Region id to the name to show, for regions that are not shipped (a region file's
        counties and whole); shipped regions are named by
        :func:`fazhi_sim.views.i18n.region_label`.
    """
    from openpyxl import Workbook  # only when a workbook is asked for

    book = Workbook()
    book.remove(book.active)
    for key, df in sheets.items():
        _fill_sheet(book.create_sheet(sheet_label(key, lang)), round_table(df), lang,
                    places or {})
    book.save(path)


def _fill_sheet(ws, df: pd.DataFrame, lang: str, places: Mapping[str, str]) -> None:
    ws.append([column_label(c, lang) for c in df.columns])
    formats = [_number_format(df, c) for c in df.columns]
    for row in df.itertuples(index=False):
        ws.append([_cell(col, v, lang, places) for col, v in zip(df.columns, row,
                                                                 strict=True)])
    for j, fmt in enumerate(formats, start=1):
        if fmt is not None:
            for i, f in enumerate(fmt, start=2):
                ws.cell(row=i, column=j).number_format = f
    ws.freeze_panes = "A2"
    _set_widths(ws)


def _cell(column: object, value: object, lang: str, places: Mapping[str, str]) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None  # an empty cell: Excel has no NaN
    if column == "metric":
        return label(str(value), lang)
    if column == "region":
        if str(value) in places:
            return places[str(value)]
        try:
            return region_label(str(value), lang)
        except ValueError:  # a region loaded from a file: its id is its name
            return str(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _number_format(df: pd.DataFrame, column: object) -> list[str] | None:
    if column in _ID_COLUMNS or not pd.api.types.is_float_dtype(df[column]):
        return None
    if _is_pct(column):
        return ["0.0"] * len(df)
    return ["0.0%" if is_share(m) else "#,##0." + "0" * _decimals(m) if _decimals(m) else "#,##0"
            for m in df["metric"]]


def _set_widths(ws) -> None:
    from openpyxl.utils import get_column_letter

    for j, column in enumerate(ws.iter_cols(values_only=True), start=1):
        widest = max(display_width(_shown(v)) for v in column)
        ws.column_dimensions[get_column_letter(j)].width = min(widest + 2, _MAX_WIDTH)


def _shown(value: object) -> str:
    if value is None:
        return ""
    return f"{value:,.1f}" if isinstance(value, float) else str(value)
