"""Text tables shared by the ``fazhi-sim`` command line and the HTML report.

The comparison and plan-target tables are built here once, as lists of formatted cells, so
``fazhi-sim compare`` prints and :mod:`fazhi_sim.views.report` shows the very same cells.

Examples
--------
>>> print(text_table(["指标", "2025"], [["信访量", fmt_value("petitions", 1234.0)]]))
指标     2025
------  -----
信访量  1,234
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from ..engine.metrics import COUNT_METRICS, is_share
from ..experiments.ensemble import Ensemble
from ..experiments.explain import PATHWAYS
from .i18n import label

__all__ = [
    "KEY_METRICS", "COMPARE_COLUMNS", "display_name", "display_width", "text_table", "fmt_value",
    "fmt_change",
    "fmt_band", "compare_tidy", "compare_rows", "target_rows", "EXPLAINED", "explain_rows",
]

EXPLAINED = ("lawsuits_per_10k", "filings_per_10k", "petitions")
"""Outcomes of the "why did it change" table, in column order."""

KEY_METRICS = (
    # 万人起诉率 beside 万人成讼率 and 小事不出村: filings can stay up while lawsuits fall.
    "lawsuits_per_10k", "filings_per_10k", "village_local_share", "petitions",
    "petitions_per_10k", "repeat_petitions", "defaulters_per_10k", "disputes",
    "town_local_share", "county_local_share", "village_share_of_resolved",
    "handoffs_per_dispute", "mediation_success_rate", "prefiling_diversion_share",
    "median_months_to_resolution", "p90_months_to_resolution",
)
"""Metrics shown in the printed tables and written by ``compare --out``."""

COMPARE_COLUMNS = ["scenario", "year", "region", "metric", "value", "q10", "q90", "change",
                   "change_q10", "change_q90", "change_pct"]
"""Columns of the comparison ``fazhi-sim compare --out`` writes, in order."""

_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}  # control, format and line/paragraph separators


def display_name(text: str) -> str:
    r"""``text`` with control and invisible characters shown as escapes (``\n``, ``\u2028``).

    Scenario files cannot name a scenario so (the check rejects it), but a name given in
    Python, e.g. a key of the dict passed to :func:`fazhi_sim.run_ensemble`, is not checked:
    a newline there would break a table line or print a forged line of its own.

    Parameters
    ----------
    text
        Any text.

    Returns
    -------
    str
        ``text`` unchanged when it holds none, else with each as Python writes it in a repr.

    Examples
    --------
    >>> display_name("plan\nfazhi-sim: error: x")
    'plan\\nfazhi-sim: error: x'
    """
    if text.isprintable():  # the usual case: nothing to do
        return text
    # Not every non-printable: U+3000, the ideographic space, is ordinary in Chinese names.
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in _HIDDEN else c for c in text)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes.

    Parameters
    ----------
    text
        Any text.

    Returns
    -------
    int
        The width, counting wide (e.g. Chinese) characters as two columns.
    """
    # Chinese characters take two terminal columns; str.ljust would misalign the table.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned.

    Parameters
    ----------
    header
        Column titles.
    rows
        Rows of cells, each as long as ``header``.

    Returns
    -------
    str
        Header, a rule of dashes and the rows, one per line, with no trailing spaces.
    """
    header, rows = [display_name(h) for h in header], [[display_name(c) for c in r] for r in rows]
    widths = [max(display_width(r[j]) for r in [header, *rows]) for j in range(len(header))]

    def line(cells: list[str]) -> str:
        out = [cells[0] + " " * (widths[0] - display_width(cells[0]))]
        out += [" " * (w - display_width(c)) + c
                for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def fmt_value(metric: str, value: float) -> str:
    """A metric's value as the tables show it.

    Parameters
    ----------
    metric
        Metric id; shares and rates show as percentages, counts with no decimals.
    value
        The value.

    Returns
    -------
    str
        E.g. ``"12.5%"``, ``"1,234"`` or ``"3.14"``; ``"-"`` for a missing value.
    """
    if not np.isfinite(value):
        return "-"
    if is_share(metric):
        return f"{value:.1%}"
    return f"{value:,.0f}" if metric in COUNT_METRICS else f"{value:,.2f}"


def fmt_change(metric: str, change: float, pct: float) -> tuple[str, str]:
    """A change of a metric and its relative change as the tables show them.

    Parameters
    ----------
    metric
        Metric id; a change of a share or rate shows in percentage points.
    change
        The change.
    pct
        The change in percent of the baseline value.

    Returns
    -------
    tuple of str
        The signed change (e.g. ``"+1.5pp"``, ``"-120"``) and the signed percentage
        (e.g. ``"-3.2%"``); ``"-"`` for a missing value.
    """
    if not np.isfinite(change):
        return "-", "-"
    if is_share(metric):
        text = f"{100 * change:+.1f}pp"  # percentage points: a change of a share
    else:
        text = f"{change:+,.0f}" if metric in COUNT_METRICS else f"{change:+,.2f}"
    return text, (f"{pct:+.1f}%" if np.isfinite(pct) else "-")


def fmt_band(metric: str, row: pd.Series, prefix: str, n: int, change: bool) -> str:
    """A median with its 10-90% band, e.g. ``"1,234 [1,200, 1,270]"``.

    Parameters
    ----------
    metric
        Metric id, for the number format.
    row
        Holds ``<prefix>median``, ``<prefix>q10`` and ``<prefix>q90``.
    prefix
        ``""`` for values, ``"change_"`` for changes.
    n
        Replicates; with one, the band is left out.
    change
        Format as a change (signed, percentage points for shares).

    Returns
    -------
    str
        The formatted cell.
    """
    def fmt(v: float) -> str:
        return fmt_change(metric, v, np.nan)[0] if change else fmt_value(metric, v)

    text = fmt(row[f"{prefix}median"])
    if n > 1 and np.isfinite(row[f"{prefix}median"]):
        text += f" [{fmt(row[f'{prefix}q10'])}, {fmt(row[f'{prefix}q90'])}]"
    return text


def compare_tidy(ens: Ensemble, region_id: str, year: int) -> pd.DataFrame:
    """The comparison of :data:`KEY_METRICS` in one year, as ``compare --out`` writes it.

    Parameters
    ----------
    ens
        Results of :func:`fazhi_sim.run_ensemble`; the first scenario is the baseline.
    region_id
        Region compared.
    year
        Year compared.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARE_COLUMNS`: the median value with its 10-90% band, and the
        paired change from the first scenario with its band and its median in percent;
        rows by scenario, then metric in the order of :data:`KEY_METRICS`.
    """
    names = list(ens.scenarios)
    keys = ["scenario", "year", "region", "metric"]
    pick = f"year == {year} and region == {region_id!r} and metric in {list(KEY_METRICS)}"
    summ = ens.summary().query(pick)[keys + ["q10", "median", "q90"]]
    comp = ens.compare(names[0]).query(pick)[keys + ["q10", "median", "q90", "pct_median"]]
    comp.columns = keys + ["change_q10", "change_median", "change_q90", "change_pct"]
    tidy = summ.merge(comp, on=keys).rename(columns={"median": "value",
                                                     "change_median": "change"})
    order = {m: i for i, m in enumerate(KEY_METRICS)}
    tidy = tidy.sort_values(["scenario", "metric"], key=lambda c: c.map(order)
                            if c.name == "metric" else c).reset_index(drop=True)
    tidy["scenario"] = tidy["scenario"].astype(str)
    return tidy[COMPARE_COLUMNS]


def compare_rows(tidy: pd.DataFrame, names: list[str], reps: int, lang: str
                 ) -> tuple[list[str], list[list[str]]]:
    """Header and formatted rows of the comparison table.

    Parameters
    ----------
    tidy
        The comparison from :func:`compare_tidy`.
    names
        Scenario names in column order; the first is the baseline.
    reps
        Replicates per scenario; with more than one, cells show the 10-90% band.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    header : list of str
        Metric, the baseline, then each scenario with its change and change in percent.
    rows : list of list of str
        One row per metric of :data:`KEY_METRICS`.
    """
    header = [label("metric", lang), names[0]]
    for name in names[1:]:
        header += [name, label("change", lang), label("change_pct", lang)]
    rows = []
    cell = tidy.rename(columns={"value": "median", "change": "change_median"}).set_index(
        ["scenario", "metric"])
    for m in KEY_METRICS:
        row = [label(m, lang)]
        for k, name in enumerate(names):
            if (name, m) not in cell.index:
                row += ["-"] if k == 0 else ["-", "-", "-"]
                continue
            rec = cell.loc[(name, m)]
            row.append(fmt_band(m, rec, "", reps, change=False))
            if k > 0:
                row.append(fmt_band(m, rec, "change_", reps, change=True))
                row.append(fmt_change(m, rec["change_median"], rec["change_pct"])[1])
        rows.append(row)
    return header, rows


def target_rows(ens: Ensemble, first: int, year: int, region_id: str, lang: str
                ) -> tuple[list[str], list[list[str]]]:
    """Header and formatted rows of the plan-target table.

    Parameters
    ----------
    ens
        Results of :func:`fazhi_sim.run_ensemble`.
    first, year
        First and last year the targets are checked over.
    region_id
        Region checked.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    header : list of str
        Target, then one column per scenario.
    rows : list of list of str
        One row per target: yes or no for a coverage target, else the share of replicates
        that meet it.
    """
    t = ens.targets(first=first, last=year, region=region_id)
    names = list(ens.scenarios)
    rows = []
    for target in dict.fromkeys(t["target"]):
        mine = t[t["target"] == target].set_index("scenario")
        kind = mine["kind"].iloc[0]
        cells = [f"{label(target, lang)} ({label(kind, lang)})"]
        for name in names:
            p = mine.at[name, "probability"]
            if kind == "coverage":
                cells.append(label("yes", lang) if p >= 1 else label("no", lang))
            else:
                cells.append("-" if not np.isfinite(p) else f"{p:.0%}")
        rows.append(cells)
    return [label("target", lang), *names], rows


def explain_rows(explained: pd.DataFrame, reps: int, lang: str
                 ) -> tuple[list[str], list[list[str]]]:
    """Header and formatted rows of the "why did it change" table.

    Parameters
    ----------
    explained
        :meth:`Ensemble.explain <fazhi_sim.Ensemble.explain>` for one year and region.
    reps
        Replicates per scenario; with more than one, cells show the 10-90% band.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    header : list of str
        Scenario, pathway, then per outcome its change and the pathway's share of it.
    rows : list of list of str
        One row per scenario and pathway, the total last.
    """
    header = [label("scenario", lang), label("pathway", lang)]
    for m in EXPLAINED:
        header += [f"{label(m, lang)} {label('change', lang)}", label("share_of_change", lang)]
    cell = explained.set_index(["scenario", "pathway", "outcome"])
    rows = []
    pathways = [p for p in (*PATHWAYS, "total") if p in set(explained.pathway)]
    for name, pathway in ((n, p) for n in dict.fromkeys(explained.scenario) for p in pathways):
        row = [name, label(f"path_{pathway}", lang)]
        for m in EXPLAINED:
            row += _explain_cells(cell, (name, pathway, m), reps)
        rows.append(row)
    return header, rows


def _explain_cells(cell: pd.DataFrame, key: tuple, reps: int) -> list[str]:
    if key not in cell.index:
        return ["-", "-"]
    rec = cell.loc[key]
    digits = 0 if key[2] in COUNT_METRICS else 2
    text = f"{rec['median']:+,.{digits}f}"
    if reps > 1:
        text += f" [{rec['q10']:+,.{digits}f}, {rec['q90']:+,.{digits}f}]"
    share = rec["share_of_total"]
    return [text, "-" if not np.isfinite(share) else f"{share + 0.0:.0%}".replace("-0%", "0%")]
