"""``fazhi-sim run``: run one scenario and print its key metrics year by year."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from ..engine.region import Region
from ..engine.scenario import Scenario, load_scenario
from ..experiments.simulate import simulate
from ..experiments.spec import ModelSpec
from ..views.i18n import label
from ..views.tables import KEY_METRICS, fmt_value, text_table
from .common import (
    Parents,
    add_region,
    model_spec,
    parse_seed,
    scenario_region,
    table_path,
    title,
    write_tables,
)

__all__ = ["add_parser", "handle", "run_frames", "run_sheets"]


def add_parser(subparsers: Any, parents: Parents) -> None:
    """Register ``run`` and its options on ``subparsers`` (from ``add_subparsers``)."""
    run = subparsers.add_parser("run", parents=[parents.seed, parents.lang, parents.model],
                                help=parents.say("h_run"))
    add_region(run, "h_region_scenario", parents)
    run.add_argument("scenario", metavar="SCENARIO", help=parents.say("h_scenario"))
    run.add_argument("--out", metavar="FILE.csv|FILE.xlsx", help=parents.say(
        "h_out_table", sheets=parents.say("h_run_sheets")))
    run.add_argument("--freq", choices=("year", "month"), default="year",
                     help=parents.say("h_run_freq"))
    run.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``args.scenario``, print the table and write ``--out``; the exit status."""
    sc = load_scenario(args.scenario)
    seed = parse_seed(args.seed, args.scenario)
    region = scenario_region(args.region, [(args.scenario, sc)], args.region_file)
    out = table_path(args.out)
    spec = model_spec(args.model)
    yearly, monthly = run_frames(sc, region, seed, args.freq == "month", spec)
    whole = yearly[yearly["region"] == region.id]
    wide = whole.pivot(index="metric", columns="year", values="value")
    years = list(wide.columns)
    rows = [[label(m, args.lang)] + [fmt_value(m, wide.at[m, y]) if m in wide.index else "-"
                                     for y in years] for m in KEY_METRICS]
    print(title(sc.name, region, seed, args.lang))
    print(text_table([label("metric", args.lang)] + [str(y) for y in years], rows))
    if out is not None:
        write_tables(run_sheets(yearly, monthly, wide.loc[[m for m in KEY_METRICS
                                                             if m in wide.index]]),
                     out, args.lang, region)
    return 0


def run_frames(sc: Scenario, region: Region, seed: int, monthly: bool, spec: ModelSpec
               ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Yearly results, and monthly ones too when asked, from a single run."""
    if not monthly:
        return simulate(sc, region=region, seed=seed, model=spec), None
    # The printed table is yearly; simulate() would need a second full run for it.
    model = spec.build(sc, region=region, seed=seed).run()
    frame = model.tally.frame
    return (frame(model.region, sc.start_year, model.warmup, monthly=False),
            frame(model.region, sc.start_year, model.warmup, monthly=True))


def run_sheets(yearly: pd.DataFrame, monthly: pd.DataFrame | None, key: pd.DataFrame
               ) -> dict[str, pd.DataFrame]:
    """The tables ``--out`` writes: a CSV holds the first, a workbook all of them.

    ``key`` is the printed table, metrics by years, of the whole region.
    """
    sheets = {"sheet_monthly": monthly} if monthly is not None else {}
    sheets["sheet_yearly"] = yearly
    sheets["sheet_key_metrics"] = key.rename_axis(columns=None).reset_index()
    return sheets
