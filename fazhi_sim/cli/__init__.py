"""The ``fazhi-sim`` command line: run, compare and validate scenario files.

Examples::

    fazhi-sim run plan-2025 --region town --out plan.csv
    fazhi-sim compare scenarios/baseline.toml scenarios/plan-2025.toml --region shaoxing
    fazhi-sim compare baseline plan-2025 --replicates 10 --report 报告.html
    fazhi-sim validate scenarios/*.toml scenarios/measures/*.toml

Labels are Chinese by default; ``--lang en`` switches to English. Every bad input ends the
command with exit status 2 and a single line on stderr,
``fazhi-sim: error: <file>: <field>: <what is allowed>``; a traceback means a bug.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..engine.measures import LEVERS
from ..engine.metrics import COUNT_METRICS
from ..engine.model import DisputeModel
from ..engine.region import Region, RegionError, get_region
from ..engine.scenario import Scenario, ScenarioError, load_scenario
from ..experiments.ensemble import run_ensemble
from ..experiments.executors import DaskCluster, LocalProcesses, default_jobs
from ..experiments.simulate import simulate
from ..version import __version__
from ..views.i18n import LANGS, label, region_label

__all__ = ["main", "build_parser", "KEY_METRICS"]

PROG = "fazhi-sim"
DEFAULT_REGION = "shaoxing"

KEY_METRICS = (
    "lawsuits_per_10k", "petitions", "petitions_per_10k", "repeat_petitions",
    "defaulters_per_10k", "disputes", "resolved_village_share", "resolved_town_share",
    "resolved_county_share", "handoffs_per_dispute", "mediation_success_rate",
    "prefiling_diversion_share", "median_months_to_resolution",
)
"""Metrics shown in the printed tables and written by ``compare --out``."""

_COMPARE_COLUMNS = ["scenario", "year", "region", "metric", "value", "q10", "q90", "change",
                    "change_q10", "change_q90", "change_pct"]


class InputError(Exception):
    """A bad command-line value; formatted like :class:`ScenarioError` (file, field, allowed)."""

    def __init__(self, source: str, field: str, message: str):
        super().__init__(f"{source}: {field}: {message}")


# -- Checking inputs ------------------------------------------------------------------------


def _seed(text: str, source: str) -> int:
    # Checked here rather than by argparse's type=int, whose error takes two lines (usage too).
    if not re.fullmatch(r"[0-9]+", text.strip()):
        raise InputError(source, "--seed", f"{text!r} is not allowed; give a whole number, 0 or "
                         "more")
    return int(text)


def _region(arg: str | None, loaded: list[tuple[str, Scenario]]) -> Region:
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


def _out_path(arg: str | None, flag: str = "--out", ext: str = "csv") -> Path | None:
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


def _write_csv(df: pd.DataFrame, path: Path, lang: str) -> None:
    try:
        # utf-8-sig: Excel on Chinese Windows reads a BOM-less file as GBK and garbles it.
        df.to_csv(path, index=False, encoding="utf-8-sig")
    except OSError as err:
        raise InputError(str(path), "--out", f"cannot write ({err.strerror or err}); give a "
                         ".csv path you may write to") from None
    print(f"{label('written', lang)}: {path}")


def _write_report(ens: Any, path: Path, region: Region, year: int, lang: str) -> None:
    from ..views.report import write_report  # imports Altair: only when a report is asked for

    try:
        write_report(ens, path, region=region.id, year=year, lang=lang)
    except OSError as err:
        raise InputError(str(path), "--report", f"cannot write ({err.strerror or err}); give "
                         "a .html path you may write to") from None
    print(f"{label('written', lang)}: {path}")


def _common_year(arg: str | None, loaded: list[tuple[str, Scenario]]) -> int:
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


def _unique_names(loaded: list[tuple[str, Scenario]]) -> list[str]:
    # Two files may share a name (or one file may be given twice); rows must stay apart.
    names: list[str] = []
    for _, sc in loaded:
        name, k = sc.name, 2
        while name in names:
            name, k = f"{sc.name}#{k}", k + 1
        names.append(name)
    return names


# -- Running --------------------------------------------------------------------------------


def _run_frames(sc: Scenario, region: Region, seed: int, monthly: bool
                ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Yearly results, and monthly ones too when asked, from a single run."""
    if not monthly:
        return simulate(sc, region=region, seed=seed), None
    # The printed table is yearly; simulate() would need a second full run for it.
    model = DisputeModel(sc, region=region, seed=seed).run()
    frame = model.tally.frame
    return (frame(model.region, sc.start_year, model.warmup, monthly=False),
            frame(model.region, sc.start_year, model.warmup, monthly=True))


def _whole_region(df: pd.DataFrame, region: Region) -> pd.DataFrame:
    return df[df["region"] == region.id]


# -- Printing -------------------------------------------------------------------------------


def _width(text: str) -> int:
    # Chinese characters take two terminal columns; str.ljust would misalign the table.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(r[j]) for r in [header, *rows]) for j in range(len(header))]

    def line(cells: list[str]) -> str:
        out = [cells[0] + " " * (widths[0] - _width(cells[0]))]
        out += [" " * (w - _width(c)) + c for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def _fmt(metric: str, value: float) -> str:
    if not np.isfinite(value):
        return "-"
    if metric.endswith(("_share", "_rate")):
        return f"{value:.1%}"
    return f"{value:,.0f}" if metric in COUNT_METRICS else f"{value:,.2f}"


def _fmt_change(metric: str, change: float, pct: float) -> tuple[str, str]:
    if not np.isfinite(change):
        return "-", "-"
    if metric.endswith(("_share", "_rate")):
        text = f"{100 * change:+.1f}pp"  # percentage points: a change of a share
    else:
        text = f"{change:+,.0f}" if metric in COUNT_METRICS else f"{change:+,.2f}"
    return text, (f"{pct:+.1f}%" if np.isfinite(pct) else "-")


def _title(scenario: str, region: Region, seed: int, lang: str) -> str:
    return (f"{label('scenario', lang)}: {scenario}   {label('region', lang)}: "
            f"{region_label(region.id, lang)}   {label('seed', lang)}: {seed}")


# -- Commands -------------------------------------------------------------------------------


def _cmd_run(args: argparse.Namespace) -> int:
    sc = load_scenario(args.scenario)
    seed = _seed(args.seed, args.scenario)
    region = _region(args.region, [(args.scenario, sc)])
    out = _out_path(args.out)
    yearly, monthly = _run_frames(sc, region, seed, args.freq == "month")
    wide = _whole_region(yearly, region).pivot(index="metric", columns="year", values="value")
    years = list(wide.columns)
    rows = [[label(m, args.lang)] + [_fmt(m, wide.at[m, y]) if m in wide.index else "-"
                                     for y in years] for m in KEY_METRICS]
    print(_title(sc.name, region, seed, args.lang))
    print(_table([label("metric", args.lang)] + [str(y) for y in years], rows))
    if out is not None:
        _write_csv(monthly if monthly is not None else yearly, out, args.lang)
    return 0


def _count(text: str | None, source: str, flag: str, default: int | None) -> int | None:
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]+", text.strip()) or int(text) < 1:
        raise InputError(source, flag, f"{text!r} is not allowed; give a whole number, 1 or more")
    return int(text)


def _executor(args: argparse.Namespace, n_tasks: int) -> Any:
    if args.scheduler:
        return DaskCluster(args.scheduler)
    jobs = _count(args.jobs, args.scenarios[0], "--jobs", None)
    return LocalProcesses(min(jobs or default_jobs(), n_tasks))


def _band(metric: str, row: pd.Series, prefix: str, n: int, change: bool) -> str:
    fmt = (lambda v: _fmt_change(metric, v, np.nan)[0]) if change else (lambda v: _fmt(metric, v))
    text = fmt(row[f"{prefix}median"])
    if n > 1 and np.isfinite(row[f"{prefix}median"]):
        text += f" [{fmt(row[f'{prefix}q10'])}, {fmt(row[f'{prefix}q90'])}]"
    return text


def _cmd_compare(args: argparse.Namespace) -> int:
    loaded = [(src, load_scenario(src)) for src in args.scenarios]
    seed = _seed(args.seed, args.scenarios[0])
    reps = _count(args.replicates, args.scenarios[0], "--replicates", 1)
    region = _region(args.region, loaded)
    out = _out_path(args.out)
    report = _out_path(args.report, "--report", "html")
    year = _common_year(args.year, loaded)
    names = _unique_names(loaded)
    n_tasks = reps * len(names)
    with _executor(args, n_tasks) as ex:
        ens = run_ensemble({n: sc for n, (_, sc) in zip(names, loaded, strict=True)},
                           replicates=reps, region=region, executor=ex, seed=seed,
                           store=args.store, progress=sys.stderr.isatty())
    tidy = _compare_tidy(ens, region.id, year)
    lang = args.lang
    header, rows = _compare_rows(tidy, names, reps, lang)
    print(_title(" / ".join(names), region, seed, lang) + f"   {label('year', lang)}: {year}"
          + (f"   {label('replicates', lang)}: {reps}" if reps > 1 else ""))
    if reps > 1:
        print(label("band_note", lang))
    print(_table(header, rows))
    _print_targets(ens, loaded, region, year, lang)
    if out is not None:
        _write_csv(tidy, out, lang)
    if report is not None:
        _write_report(ens, report, region, year, lang)
    return 0


def _compare_tidy(ens: Any, region_id: str, year: int) -> pd.DataFrame:
    """The comparison ``--out`` writes (also used by the HTML report)."""
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
    return tidy[_COMPARE_COLUMNS]


def _compare_rows(tidy: pd.DataFrame, names: list[str], reps: int, lang: str
                  ) -> tuple[list[str], list[list[str]]]:
    """Header and formatted rows of the comparison table (also used by the HTML report)."""
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
            row.append(_band(m, rec, "", reps, change=False))
            if k > 0:
                row.append(_band(m, rec, "change_", reps, change=True))
                row.append(_fmt_change(m, rec["change_median"], rec["change_pct"])[1])
        rows.append(row)
    return header, rows


def _print_targets(ens: Any, loaded: list[tuple[str, Scenario]], region: Region, year: int,
                   lang: str) -> None:
    first = max(sc.start_year for _, sc in loaded)
    if year - first < 1:
        return
    header, rows = _target_rows(ens, first, year, region.id, lang)
    print()
    print(f"{label('targets', lang)} ({first}-{year})")
    print(_table(header, rows))


def _target_rows(ens: Any, first: int, year: int, region_id: str, lang: str
                 ) -> tuple[list[str], list[list[str]]]:
    """Header and formatted rows of the plan-target table (also used by the HTML report)."""
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


def _cmd_validate(args: argparse.Namespace) -> int:
    _seed(args.seed, args.scenarios[0])
    status = 0
    for src in args.scenarios:
        try:
            sc = load_scenario(src)
            if args.region is not None:
                _region(args.region, [(src, sc)])
        except (ScenarioError, InputError, OSError) as err:
            # Unlike run and compare, go on: one report covers every file.
            _error(err)
            status = 2
            continue
        print(f"ok  {src}  {sc.name}  {len(sc.levers)} {label('levers', args.lang)}  "
              f"{sc.start_year}-{sc.end_year}")
    return status


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from ..analysis import calibration as cal  # imports scipy: only for this command

    source = args.targets or f"fazhi_sim/{cal.TARGETS_FILE}"
    try:
        targets = cal.load_targets(args.targets)
    except cal.TargetsError as err:
        raise InputError(err.source, err.field, err.message) from None
    if not (targets["use"] == "fit").any():
        raise InputError(source, "use", "no target has use = fit; mark at least one row fit")
    seed = _seed(args.seed, source)
    reps = _count(args.replicates, source, "--replicates", 8)
    try:
        region = get_region(args.region or "town")
    except RegionError as err:
        raise InputError(source, "--region", str(err)) from None
    names = [n.strip() for n in (args.parameters or ",".join(cal.DEFAULT_PARAMETERS)).split(",")
             if n.strip()]
    try:
        cal._knobs(names)
    except cal.CalibrationError as err:
        raise InputError("(command line)", "--parameters", str(err)) from None
    out = _out_path(args.out, "--out", "toml")
    if out is not None and out.exists() and not args.force:
        # A re-calibration never replaces a parameter set (the shipped one above all) silently.
        raise InputError(args.out, "--out", "the file exists; give a new file name, or add "
                         "--force to overwrite it")
    chart = _out_path(args.chart, "--chart", "html")
    command = (f"fazhi-sim calibrate --targets {source} --region {region.id} "
               f"--replicates {reps} --seed {seed}"
               + (f" --parameters {','.join(names)}" if args.parameters else "")
               + (f" --out {args.out}" if args.out else "")
               + (" --force" if args.force else ""))
    result = cal.calibrate(targets, parameters=names, region=region, replicates=reps,
                           seed=seed, progress=sys.stderr.isatty())
    print(result.report())
    if out is not None:
        result.write(out, force=args.force, command=command)
        print(f"written: {out}")
    if chart is not None:
        result.chart().save(str(chart))
        print(f"written: {chart}")
    return 0


def _names(values: Sequence[str] | None) -> list[str]:
    # Accept both `--levers a b` and `--levers a,b`.
    return [n.strip() for v in values or [] for n in v.split(",") if n.strip()]


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from ..analysis.sensitivity import (  # imports SALib: only for this command
        factor_ranges,
        sensitivity,
    )

    src = "(command line)"
    seed = _seed(args.seed, src)
    try:
        region = get_region(args.region or "town")
    except RegionError as err:
        raise InputError(src, "--region", str(err)) from None
    trajectories = _count(args.trajectories, src, "--trajectories", 10)
    samples = _count(args.samples, src, "--samples", 64)
    reps = _count(args.replicates, src, "--replicates", 1)
    jobs = _count(args.jobs, src, "--jobs", None)
    year = 2025 if args.year is None else _common_year(args.year, [(src, Scenario(end_year=2035))])
    if args.method == "sobol" and samples & (samples - 1):
        raise InputError(src, "--samples", f"{samples} is not allowed; give a power of two "
                         "(8, 16, 32, 64, ...)")
    factors = _names(args.levers) + _names(args.params)
    if not factors:
        factors = list(LEVERS)
    try:
        factor_ranges(factors)
    except ValueError as err:
        raise InputError(src, "--levers/--params", str(err)) from None
    n_runs_hint = trajectories if args.method == "morris" else samples
    with LocalProcesses(min(jobs or default_jobs(), n_runs_hint * (len(factors) + 2))) as ex:
        rank = sensitivity(factors, method=args.method, region=region, year=year,
                           trajectories=trajectories, samples=samples, replicates=reps,
                           executor=ex, progress=sys.stderr.isatty(), seed=seed)
    lang = args.lang
    morris = args.method == "morris"
    size = f"{trajectories} trajectories" if morris else f"{samples} base samples"
    print(f"{args.method}: {size}, {rank.attrs['n_runs']} runs   {label('region', lang)}: "
          f"{region_label(region.id, lang)}   {label('year', lang)}: {year}   "
          f"{label('seed', lang)}: {seed}")
    print("± 95% 置信区间" if lang == "zh" else "±: 95% confidence")
    metrics = list(dict.fromkeys(rank.metric))
    header = ["因素" if lang == "zh" else "Factor", "范围" if lang == "zh" else "Range"]
    cols = (("mu_star", "μ*"), ("sigma", "σ")) if morris else (("ST", "ST"), ("S1", "S1"))
    for m in metrics:
        header += [f"{label(m, lang)} {c}" for _, c in cols]
    order = rank[rank.metric == metrics[0]].factor.tolist()
    cell = rank.set_index(["metric", "factor"])
    rows = []
    for f in order:  # most influential on the first metric first
        r0 = cell.loc[(metrics[0], f)]
        row = [label(f, lang), f"{r0.low:g}-{r0.high:g}"]
        for m in metrics:
            r = cell.loc[(m, f)]
            for key, _ in cols:
                conf = r.get(f"{key}_conf", np.nan)
                text = f"{r[key]:,.3g}"
                row.append(text + (f" ±{conf:,.2g}" if np.isfinite(conf) else ""))
        rows.append(row)
    print(_table(header, rows))
    return 0


def _number(text: str | None, source: str, flag: str) -> float | None:
    if text is None:
        return None
    clean = text.strip().replace(",", "").replace("_", "")
    if not re.fullmatch(r"[0-9]+(\.[0-9]*)?", clean):
        raise InputError(source, flag, f"{text!r} is not allowed; give a number, 0 or more")
    return float(clean)


def _cmd_optimize(args: argparse.Namespace) -> int:
    from ..analysis.optimize import optimize_budget

    src = "(command line)"
    budget = _number(args.budget, src, "--budget")
    staff = _number(args.staff, src, "--staff")
    seed = _seed(args.seed, src)
    try:
        region = get_region(args.region or "town")
    except RegionError as err:
        raise InputError(src, "--region", str(err)) from None
    reps = _count(args.replicates, src, "--replicates", 5)
    samples = _count(args.samples, src, "--samples", 48)
    jobs = _count(args.jobs, src, "--jobs", None)
    year = 2025 if args.year is None else _common_year(args.year, [(src, Scenario(end_year=2035))])
    quantile = _number(args.quantile, src, "--quantile") if args.quantile else 0.9
    if not 0 <= quantile <= 1:
        raise InputError(src, "--quantile", f"{args.quantile!r} is not allowed; give 0 to 1")
    levers = _names(args.levers) or None
    unknown = [lid for lid in levers or [] if lid not in LEVERS]
    if unknown:
        raise InputError(src, "--levers", f"unknown lever {unknown[0]!r}; allowed: "
                         + ", ".join(LEVERS))
    with LocalProcesses(jobs or default_jobs()) as ex:
        res = optimize_budget(budget, staff_limit=staff, levers=levers, region=region,
                              quantile=quantile, year=year, replicates=reps, samples=samples,
                              executor=ex, progress=sys.stderr.isatty(), seed=seed)
    lang = args.lang
    zh = lang == "zh"
    q = f"{round(100 * quantile)}%"
    objective = " + ".join(f"{w:g}×{label(m, lang)}" for m, w in res.weights.items())
    print(f"{'预算' if zh else 'Budget'}: {budget:,.0f} {'元/年' if zh else 'yuan a year'}"
          + (f"   {'编制上限' if zh else 'staff limit'}: {staff:g}" if staff is not None else "")
          + f"   {label('region', lang)}: {region_label(region.id, lang)}   "
          f"{label('year', lang)}: {year}   {label('replicates', lang)}: {reps}")
    print(("目标(越低越好,取各次重复的 " if zh else "Objective (lower is better, at the ")
          + q + (" 分位): " if zh else " quantile across replicates): ") + objective)
    rows = []
    for lid in res.levers:
        lv = LEVERS[lid]
        level = res.mix[lid]
        if level - lv.baseline <= 1e-9:
            continue
        rows.append([label(lid, lang), f"{lv.baseline:g}", f"{level:.3g}"])
    head = ["措施" if zh else "Lever", "2020", "方案" if zh else "Mix"]
    print()
    print(_table(head, rows or [["-", "-", "-"]]))
    print(f"{'年成本' if zh else 'Cost a year'}: {res.cost['yuan']:,.0f} "
          f"{'元' if zh else 'yuan'}   {'新增编制' if zh else 'staff'}: {res.cost['staff']:.1f}"
          + ("   (单位成本均为假设值)" if zh and res.cost["assumed_share"] >= 1 else
             "   (unit costs are assumed)" if res.cost["assumed_share"] >= 1 else ""))
    out = res.outcomes.set_index(["scenario", "metric"])
    names = {"baseline": "基准" if zh else "baseline", "best": "方案" if zh else "mix",
             "plan_scaled": "按规划结构同额投入" if zh else "plan-shaped, same cost"}
    header = [label("metric", lang)] + [names[n] for n in names]
    rows = []
    for m in [*res.weights, "objective"]:
        cells = [label(m, lang) if m != "objective" else ("目标值" if zh else "Objective")]
        for n in names:
            r = out.loc[(n, m)]
            cells.append(f"{r['median']:,.2f} [{r.q10:,.2f}, {r.q90:,.2f}]")
        rows.append(cells)
    print()
    print(label("band_note", lang))
    print(_table(header, rows))
    c = res.comparison
    print()
    print((f"同样的钱按规划结构投入(规划变化量乘以 {c['factor']:.2f}):目标值({q} 分位)"
           f" {c['objective']:,.2f},本方案 {c['best_objective']:,.2f},好 {c['gain']:,.2f};"
           f"配对差中位数 {c['gain_median']:,.2f} [{c['gain_q10']:,.2f}, {c['gain_q90']:,.2f}]")
          if zh else
          (f"The same money spent the plan's way (its changes times {c['factor']:.2f}): "
           f"objective at {q} {c['objective']:,.2f}, this mix {c['best_objective']:,.2f}, "
           f"better by {c['gain']:,.2f}; paired median {c['gain_median']:,.2f} "
           f"[{c['gain_q10']:,.2f}, {c['gain_q90']:,.2f}]"))
    print((f"候选方案 {len(res.candidates)} 个(超预算未模拟 {res.rejected} 个),"
           f"帕累托前沿 {len(res.pareto)} 个") if zh else
          (f"{len(res.candidates)} candidates ({res.rejected} over the limits, not simulated),"
           f" {len(res.pareto)} on the Pareto front"))
    # The front itself: what each extra yuan buys, cheapest first.
    front = [[f"{r.yuan:,.0f}", f"{r.staff:,.1f}", f"{r.objective:,.2f}"]
             for r in res.pareto.itertuples()]
    print()
    print(_table(["年成本(元)", "新增编制", f"目标值({q} 分位)"] if zh else
                 ["Yuan a year", "Staff", f"Objective (at {q})"], front))
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": _cmd_run, "compare": _cmd_compare, "validate": _cmd_validate,
    "calibrate": _cmd_calibrate, "sensitivity": _cmd_sensitivity,
    "optimize": _cmd_optimize,
}


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of ``fazhi-sim``.

    Returns
    -------
    argparse.ArgumentParser
        The parser, with subcommands ``run``, ``compare`` and ``validate``.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--region", help="shaoxing, a county (zhuji or 诸暨) or town (50,000 "
                        "residents, fast); default: the scenario's region, else shaoxing")
    common.add_argument("--seed", default="1", help="run seed, a whole number 0 or more "
                        "(default 1); the same seed gives the same result")
    common.add_argument("--lang", choices=LANGS, default="zh",
                        help="label language: zh (中文, default) or en")
    scenario_help = "a scenario .toml file, or a shipped name such as plan-2025"

    parser = argparse.ArgumentParser(
        prog=PROG, description="Simulate dispute resolution under 法治绍兴建设规划 (2021-2025).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", parents=[common], help="run one scenario and print key metrics")
    run.add_argument("scenario", metavar="SCENARIO", help=scenario_help)
    run.add_argument("--out", metavar="FILE.csv", help="write every result as tidy CSV")
    run.add_argument("--freq", choices=("year", "month"), default="year",
                     help="rows of the CSV: one per year (default) or per month")

    compare = sub.add_parser("compare", parents=[common],
                             help="run scenarios with one seed and compare them to the first")
    compare.add_argument("scenarios", nargs="+", metavar="SCENARIO", help=scenario_help)
    compare.add_argument("--out", metavar="FILE.csv", help="write the comparison as tidy CSV")
    compare.add_argument("--year", help="year compared (default: the last year common to all)")
    compare.add_argument("--replicates", metavar="N", help="runs per scenario (default 1); with "
                         "more, tables show the median and the 10-90%% band, and changes are "
                         "paired (common random numbers)")
    compare.add_argument("--jobs", metavar="N", help="local worker processes (default: all "
                         "cores)")
    compare.add_argument("--store", metavar="DIR", help="write each finished run to DIR; a "
                         "repeated command reads them back and runs only what is missing")
    compare.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. "
                         "tcp://10.0.0.5:8786 (needs the [cluster] extra)")
    compare.add_argument("--report", metavar="FILE.html", help="also write a self-contained "
                         "HTML report (charts and tables, labels in --lang; opens offline)")

    validate = sub.add_parser("validate", parents=[common], help="check scenario files")
    validate.add_argument("scenarios", nargs="+", metavar="SCENARIO", help=scenario_help)

    calib = sub.add_parser("calibrate", help="fit the assumed parameters to the calibration "
                           "targets and print the fit (docs/calibration.md)")
    calib.add_argument("--targets", metavar="FILE.csv", help="calibration targets (default: "
                       "the shipped fazhi_sim/data/calibration_targets.csv)")
    calib.add_argument("--region", help="region the model runs on (default town: 50,000 "
                       "residents, a few minutes)")
    calib.add_argument("--replicates", metavar="N", help="runs per evaluation, the same seeds "
                       "at every evaluation (default 8)")
    calib.add_argument("--seed", default="1", help="seed of replicate 0 (default 1)")
    calib.add_argument("--parameters", metavar="NAMES", help="comma-separated Params fields "
                       "or composites to fit (default: "
                       "claim_intercept,asc_court,mediation_asc_shift,mediation_success_shift)")
    calib.add_argument("--out", metavar="FILE.toml", help="write the calibrated parameter set "
                       "to a new file (an existing file is kept unless --force)")
    calib.add_argument("--force", action="store_true", help="let --out overwrite a file")
    calib.add_argument("--chart", metavar="FILE.html", help="also write the fit chart")

    sens = sub.add_parser("sensitivity", help="rank levers and parameters by their effect on "
                          "the outcomes (Morris or Sobol; SALib)")
    sens.add_argument("--method", choices=("morris", "sobol"), default="morris",
                      help="morris (screening, default) or sobol (first and total order)")
    sens.add_argument("--region", help="region the model runs on (default town: 50,000 "
                      "residents, fast)")
    sens.add_argument("--levers", nargs="+", metavar="LEVER", help="levers varied over their "
                      "full range (default: all levers, unless --params is given)")
    sens.add_argument("--params", nargs="+", metavar="PARAM", help="mechanism parameters "
                      "varied over their value ±50%% (Params fields)")
    sens.add_argument("--trajectories", metavar="N", help="Morris trajectories (default 10)")
    sens.add_argument("--samples", metavar="N", help="Sobol base samples, a power of two "
                      "(default 64)")
    sens.add_argument("--year", help="year of the outcomes (default 2025)")
    sens.add_argument("--replicates", metavar="N", help="runs per sample, averaged (default 1)")
    sens.add_argument("--jobs", metavar="N", help="local worker processes (default: all cores)")
    sens.add_argument("--seed", default="1", help="seed of replicate 0 (default 1)")
    sens.add_argument("--lang", choices=LANGS, default="zh",
                      help="label language: zh (中文, default) or en")

    opt = sub.add_parser("optimize", help="the lever mix that does most for a yearly budget "
                         "(judged at a pessimistic quantile), against the plan's own mix")
    opt.add_argument("--budget", required=True, metavar="YUAN", help="yuan a year above the "
                     "2020 baseline (unit costs: fazhi_sim/data/unit_costs.csv)")
    opt.add_argument("--staff", metavar="N", help="limit on extra full-time staff")
    opt.add_argument("--region", help="region the model runs on and whose size scales the "
                     "costs (default town: 50,000 residents)")
    opt.add_argument("--levers", nargs="+", metavar="LEVER", help="levers the mix may raise "
                     "(default: all)")
    opt.add_argument("--replicates", metavar="N", help="runs per candidate (default 5)")
    opt.add_argument("--samples", metavar="N", help="random candidates (default 48)")
    opt.add_argument("--quantile", metavar="Q", help="quantile across replicates the "
                     "objective is judged at (default 0.9, pessimistic)")
    opt.add_argument("--year", help="outcome and cost year (default 2025)")
    opt.add_argument("--jobs", metavar="N", help="local worker processes (default: all cores)")
    opt.add_argument("--seed", default="1", help="seed of replicate 0 (default 1)")
    opt.add_argument("--lang", choices=LANGS, default="zh",
                     help="label language: zh (中文, default) or en")
    return parser


def _error(err: BaseException) -> None:
    if isinstance(err, OSError):
        text = f"{err.filename or '(file)'}: (file): {err.strerror or err}"
    elif isinstance(err, RegionError):
        text = f"(command line): --region: {err}"
    else:
        text = str(err)
    # One line whatever the message holds, so scripts can parse it.
    print(f"{PROG}: error: {' '.join(text.split())}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``fazhi-sim`` command line.

    Parameters
    ----------
    argv
        Arguments without the program name; ``sys.argv[1:]`` if None.

    Returns
    -------
    int
        Exit status: 0 on success, 2 for a bad input (one line on stderr). Usage errors
        found by argparse exit with status 2 through ``SystemExit``.
    """
    args = build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except (ScenarioError, RegionError, InputError, OSError) as err:
        if isinstance(err, BrokenPipeError):  # e.g. `fazhi-sim run ... | head`
            return _broken_pipe()
        _error(err)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _broken_pipe() -> int:
    # Point stdout at devnull so the interpreter's final flush does not fail again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 1
