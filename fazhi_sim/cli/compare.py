"""``fazhi-sim compare``: run scenarios with common random numbers, compare to the first."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis.uncertainty_sources import band_split
from ..engine.region import Region
from ..engine.scenario import Scenario, load_scenario
from ..experiments.ensemble import Ensemble, run_ensemble
from ..experiments.executors import (
    CONNECT_TIMEOUT,
    ClusterError,
    DaskCluster,
    LocalProcesses,
    default_jobs,
)
from ..experiments.posterior import UNCERTAINTIES
from ..views.i18n import label
from ..views.tables import (
    KEY_METRICS,
    compare_rows,
    compare_tidy,
    explain_rows,
    target_rows,
    text_table,
)
from ..views.uncertainty_tables import split_rows
from .common import (
    COMMAND_LINE,
    InputError,
    Parents,
    add_region,
    common_year,
    model_spec,
    out_path,
    parse_jobs,
    parse_number,
    parse_replicates,
    parse_seed,
    scenario_region,
    store_dir,
    table_path,
    title,
    unique_names,
    write_tables,
)

NOISE_REPLICATES = 10
"""Most replicates of the noise-only ensemble that splits a posterior band by source."""

__all__ = ["add_parser", "handle", "compare_sheets", "make_executor", "enter_executor",
           "print_targets", "print_explain", "write_report"]


def add_parser(subparsers: Any, parents: Parents) -> None:
    """Register ``compare`` and its options on ``subparsers`` (from ``add_subparsers``)."""
    compare = subparsers.add_parser(
        "compare", parents=[parents.seed, parents.lang, parents.jobs, parents.model],
        help=parents.say("h_compare"))
    say = parents.say
    add_region(compare, "h_region_scenarios", parents)
    compare.add_argument("scenarios", nargs="+", metavar="SCENARIO", help=say("h_scenario"))
    compare.add_argument("--out", metavar="FILE.csv|FILE.xlsx", help=say(
        "h_out_table", sheets=say("h_compare_sheets")))
    compare.add_argument("--year", help=say("h_compare_year"))
    compare.add_argument("--replicates", metavar="N", help=say("h_compare_replicates"))
    compare.add_argument("--store", metavar="DIR", help=say("h_compare_store"))
    compare.add_argument("--scheduler", metavar="ADDRESS", help=say("h_compare_scheduler"))
    compare.add_argument("--scheduler-timeout", metavar="SECONDS", help=say(
        "h_compare_scheduler_timeout", default=CONNECT_TIMEOUT))
    compare.add_argument("--report", metavar="FILE.html", help=say("h_compare_report"))
    compare.add_argument("--explain", action="store_true", help=say("h_compare_explain"))
    compare.add_argument("--uncertainty", choices=UNCERTAINTIES,
                         help=say("h_compare_uncertainty"))
    compare.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run and compare ``args.scenarios``, print the tables, write the files; exit status."""
    loaded = [(src, load_scenario(src)) for src in args.scenarios]
    seed = parse_seed(args.seed, args.scenarios[0])
    reps = parse_replicates(args.replicates, args.scenarios[0], 1)
    region = scenario_region(args.region, loaded, args.region_file)
    out = table_path(args.out)
    report = out_path(args.report, "--report", "html")
    year = common_year(args.year, loaded)
    spec = model_spec(args.model)
    store = store_dir(args.store)
    names = unique_names(loaded)
    uncertainty = args.uncertainty or ("posterior" if reps > 1 else "noise")
    split = uncertainty == "posterior" and reps > 1
    where = make_executor(args, reps * len(names))
    named = {n: sc for n, (_, sc) in zip(names, loaded, strict=True)}
    with contextlib.ExitStack() as stack:
        ex = enter_executor(stack, where)
        ens = run_ensemble(named, replicates=reps, region=region, executor=ex, seed=seed,
                           store=store, progress=sys.stderr.isatty(), model=spec,
                           uncertainty=uncertainty)
        # The same scenarios with the seed alone varying: how much of each band is noise.
        noise = run_ensemble(named, replicates=min(reps, NOISE_REPLICATES), region=region,
                             executor=ex, seed=seed, store=store, progress=sys.stderr.isatty(),
                             model=spec, uncertainty="noise") if split else None
    tidy = compare_tidy(ens, region.id, year)
    lang = args.lang
    header, rows = compare_rows(tidy, names, reps, lang)
    print(title(" / ".join(names), region, seed, lang) + f"   {label('year', lang)}: {year}"
          + (f"   {label('replicates', lang)}: {reps}" if reps > 1 else ""))
    if reps > 1:
        print(label("band_note", lang))
    print(text_table(header, rows))
    print_targets(ens, loaded, region, year, lang)
    if noise is not None and len(names) > 1:
        print_split(ens, noise, region, year, lang)
    if args.explain and len(names) > 1:
        print_explain(ens, region, year, reps, lang)
    if out is not None:
        write_tables(compare_sheets(ens, tidy, region), out, lang, region)
    if report is not None:
        write_report(ens, report, region, year, lang, noise)
    return 0


def compare_sheets(ens: Ensemble, tidy: pd.DataFrame, region: Region
                   ) -> dict[str, pd.DataFrame]:
    """The tables ``--out`` writes: a CSV holds the first (``tidy``), a workbook all three.

    The yearly sheets hold every year of the key metrics in the whole region: values
    (median, 10% and 90%) and paired changes from the first scenario.
    """
    pick = f"region == {region.id!r} and metric in {list(KEY_METRICS)}"
    keys = ["scenario", "year", "region", "metric"]
    yearly = ens.summary().query(pick)[keys + ["median", "q10", "q90"]]
    changes = ens.compare(ens.baseline_name).query(pick)
    changes = changes[keys + ["median", "q10", "q90", "pct_median"]].rename(columns={
        "median": "change", "q10": "change_q10", "q90": "change_q90",
        "pct_median": "change_pct"})
    return {"sheet_comparison": tidy, "sheet_yearly": _in_order(yearly, ens),
            "sheet_changes": _in_order(changes, ens)}


def _in_order(df: pd.DataFrame, ens: Ensemble) -> pd.DataFrame:
    # As the printed table reads: scenario by scenario, key metrics in order, then years.
    rank = {**{n: i for i, n in enumerate(ens.scenarios)},
            **{m: i for i, m in enumerate(KEY_METRICS)}}
    return df.sort_values(["scenario", "metric", "year"], key=lambda c: c.map(rank)
                          if c.name != "year" else c, kind="stable").reset_index(drop=True)


def print_split(ens: Ensemble, noise: Ensemble, region: Region, year: int, lang: str) -> None:
    """Print how much of each change's band comes from the parameters and from noise."""
    header, rows = split_rows(band_split(ens, noise, year, region.id), lang)
    print()
    print(f"{label('uncertainty_split', lang)} ({year})   {label('uncertainty_note', lang)}")
    print(text_table(header, rows))


def make_executor(args: argparse.Namespace, n_tasks: int) -> Any:
    """Where to run: ``--scheduler``'s Dask cluster, else ``--jobs`` local processes.

    Every option is checked here, before anything connects or starts.
    """
    jobs = parse_jobs(args.jobs, args.scenarios[0])
    timeout = parse_number(args.scheduler_timeout, COMMAND_LINE, "--scheduler-timeout")
    if timeout is not None and not 0 < timeout <= 600:
        raise InputError(COMMAND_LINE, "--scheduler-timeout", f"{args.scheduler_timeout!r} is "
                         "not allowed; give seconds above 0, at most 600")
    if args.scheduler is None:
        return LocalProcesses(min(jobs or default_jobs(), n_tasks))
    try:
        return DaskCluster(args.scheduler, timeout=timeout or CONNECT_TIMEOUT)
    except ClusterError as err:
        raise InputError(COMMAND_LINE, "--scheduler", str(err)) from None


def enter_executor(stack: contextlib.ExitStack, where: Any) -> Any:
    """Enter ``where`` on ``stack``; a cluster not reached or not installed is one line."""
    try:
        return stack.enter_context(where)
    except (ClusterError, ImportError) as err:
        raise InputError(COMMAND_LINE, "--scheduler", str(err)) from None


def print_targets(ens: Ensemble, loaded: list[tuple[str, Scenario]], region: Region,
                  year: int, lang: str) -> None:
    """Print the plan-target table, if the compared years span more than one."""
    first = max(sc.start_year for _, sc in loaded)
    if year - first < 1:
        return
    header, rows = target_rows(ens, first, year, region.id, lang)
    print()
    print(f"{label('targets', lang)} ({first}-{year})")
    print(text_table(header, rows))


def print_explain(ens: Ensemble, region: Region, year: int, reps: int, lang: str) -> None:
    """Print the "why did it change" table of ``--explain``."""
    header, rows = explain_rows(ens.explain(year=year, region=region.id), reps, lang)
    print()
    print(f"{label('explain', lang)} ({year})   {label('explain_note', lang)}")
    print(text_table(header, rows))


def write_report(ens: Ensemble, path: Path, region: Region, year: int, lang: str,
                 noise: Ensemble | None = None, optimized: Any = None) -> None:
    """Write the HTML report of ``--report`` and say where."""
    from ..views.report import write_report as write  # imports Altair: only when asked for

    try:
        write(ens, path, region=region, year=year, lang=lang, noise=noise, optimized=optimized)
    except OSError as err:
        raise InputError(str(path), "--report", f"cannot write ({err.strerror or err}); give "
                         "a .html path you may write to") from None
    print(f"{label('written', lang)}: {path}")
