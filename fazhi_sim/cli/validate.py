"""``fazhi-sim validate``: check scenario files without running them."""

from __future__ import annotations

import argparse
from typing import Any

from ..engine.region import RegionError
from ..engine.scenario import ScenarioError, load_scenario
from ..views.i18n import label
from .common import (
    InputError,
    Parents,
    add_region,
    parse_seed,
    print_error,
    scenario_region,
)

__all__ = ["add_parser", "handle"]


def add_parser(subparsers: Any, parents: Parents) -> None:
    """Register ``validate`` and its options on ``subparsers`` (from ``add_subparsers``)."""
    validate = subparsers.add_parser("validate", parents=[parents.seed, parents.lang],
                                     help=parents.say("h_validate"))
    add_region(validate, "h_region_scenario", parents)
    validate.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                          help=parents.say("h_scenario"))
    validate.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Check every file of ``args.scenarios``, one line each; exit status 2 if any is bad."""
    parse_seed(args.seed, args.scenarios[0])
    status = 0
    if args.region_file is not None:
        try:
            scenario_region(None, [], args.region_file)
        except RegionError as err:
            print_error(err, args.ui)
            status = 2
    for src in args.scenarios:
        try:
            sc = load_scenario(src)
            if args.region is not None:
                scenario_region(args.region, [(src, sc)])
        except (ScenarioError, InputError, OSError) as err:
            # Unlike run and compare, go on: one report covers every file.
            print_error(err, args.ui)
            status = 2
            continue
        print(f"ok  {src}  {sc.name}  {len(sc.levers)} {label('levers', args.lang)}  "
              f"{sc.start_year}-{sc.end_year}")
    return status
