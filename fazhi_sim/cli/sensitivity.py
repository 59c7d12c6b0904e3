"""``fazhi-sim sensitivity``: rank levers and parameters by their effect (Morris or Sobol)."""

from __future__ import annotations

import argparse
import difflib
import sys
from typing import Any

import numpy as np
import pandas as pd

from ..engine.measures import LEVERS
from ..engine.params import Params
from ..experiments.executors import LocalProcesses, default_jobs
from ..views.i18n import label
from ..views.tables import text_table
from .common import (
    COMMAND_LINE,
    InputError,
    Parents,
    add_region,
    model_spec,
    named_region,
    outcome_year,
    parse_count,
    parse_jobs,
    parse_replicates,
    parse_seed,
    place,
    split_names,
)

__all__ = ["add_parser", "handle", "checked_factors", "ranking_table", "MAX_TRAJECTORIES",
           "MAX_SAMPLES"]

MAX_TRAJECTORIES = 1_000
"""Most Morris trajectories: each is (factors + 1) scenarios, so 1,000 is already 25,000."""
MAX_SAMPLES = 8_192
"""Most Sobol base samples (a power of two): each is (factors + 2) scenarios."""


def add_parser(subparsers: Any, parents: Parents) -> None:
    """Register ``sensitivity`` and its options on ``subparsers`` (from ``add_subparsers``)."""
    sens = subparsers.add_parser(
        "sensitivity", parents=[parents.seed, parents.lang, parents.jobs, parents.model],
        help=parents.say("h_sensitivity"))
    say = parents.say
    add_region(sens, "h_region_town", parents)
    sens.add_argument("--method", choices=("morris", "sobol"), default="morris",
                      help=say("h_sensitivity_method"))
    sens.add_argument("--levers", nargs="+", metavar="LEVER", help=say("h_sensitivity_levers"))
    sens.add_argument("--params", nargs="+", metavar="PARAM", help=say("h_sensitivity_params"))
    sens.add_argument("--trajectories", metavar="N", help=say("h_sensitivity_trajectories",
                                                              most=MAX_TRAJECTORIES))
    sens.add_argument("--samples", metavar="N", help=say("h_sensitivity_samples",
                                                         most=MAX_SAMPLES))
    sens.add_argument("--year", help=say("h_year_outcome"))
    sens.add_argument("--replicates", metavar="N", help=say("h_sensitivity_replicates"))
    sens.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the sensitivity analysis and print the ranking; the exit status."""
    from ..analysis.sensitivity import (  # imports SALib: only for this command
        factor_ranges,
        sensitivity,
    )

    src = COMMAND_LINE
    seed = parse_seed(args.seed, src)
    region = named_region(args.region, src, region_file=args.region_file)
    trajectories = parse_count(args.trajectories, src, "--trajectories", 10, MAX_TRAJECTORIES)
    if trajectories < 2:  # Morris compares trajectories: one says nothing about spread
        raise InputError(src, "--trajectories", f"{trajectories} is not allowed; give a whole "
                         f"number from 2 to {MAX_TRAJECTORIES:,}")
    samples = parse_count(args.samples, src, "--samples", 64, MAX_SAMPLES)
    reps = parse_replicates(args.replicates, src, 1)
    jobs = parse_jobs(args.jobs, src)
    year = outcome_year(args.year, src)
    if args.method == "sobol" and samples & (samples - 1):
        raise InputError(src, "--samples", f"{samples} is not allowed; give a power of two "
                         "(8, 16, 32, 64, ...)")
    factors = checked_factors(args.levers, args.params)
    try:
        factor_ranges(factors)
    except ValueError as err:
        raise InputError(src, "--levers/--params", str(err)) from None
    spec = model_spec(args.model)
    n_runs_hint = trajectories if args.method == "morris" else samples
    with LocalProcesses(min(jobs or default_jobs(), n_runs_hint * (len(factors) + 2))) as ex:
        rank = sensitivity(factors, method=args.method, region=region, year=year,
                           trajectories=trajectories, samples=samples, replicates=reps,
                           executor=ex, progress=sys.stderr.isatty(), seed=seed, model=spec)
    lang = args.lang
    size = (f"{trajectories} trajectories" if args.method == "morris"
            else f"{samples} base samples")
    print(f"{args.method}: {size}, {rank.attrs['n_runs']} runs   {label('region', lang)}: "
          f"{place(region, lang)}   {label('year', lang)}: {year}   "
          f"{label('seed', lang)}: {seed}")
    print("± 95% 置信区间" if lang == "zh" else "±: 95% confidence")
    print(text_table(*ranking_table(rank, args.method == "morris", lang)))
    return 0


def checked_factors(levers: list[str] | None, params: list[str] | None) -> list[str]:
    """``--levers`` and ``--params``, each name checked to be one; every lever if neither."""
    lever_names, param_names = split_names(levers), split_names(params)
    for name in lever_names:
        if name not in LEVERS:
            raise InputError(COMMAND_LINE, "--levers", f"unknown lever {name!r}; allowed: "
                             + ", ".join(LEVERS) + _also_param(name))
    for name in param_names:
        if name not in Params.model_fields:
            close = difflib.get_close_matches(name, list(Params.model_fields), n=3)
            hint = (f" ({name} is a lever: give it to --levers)" if name in LEVERS else
                    f" such as {', '.join(close)}" if close else " (listed in docs/model.md)")
            raise InputError(COMMAND_LINE, "--params", f"unknown parameter {name!r}; allowed: "
                             "a Params field" + hint)
    return lever_names + param_names or list(LEVERS)


def _also_param(name: str) -> str:
    # The two lists are easy to mix up; say where the name does belong.
    return f" ({name} is a parameter: give it to --params)" if name in Params.model_fields else ""


def ranking_table(rank: pd.DataFrame, morris: bool, lang: str
                  ) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the ranking: factors, most influential on the first metric first.

    Parameters
    ----------
    rank
        The result of :func:`fazhi_sim.analysis.sensitivity.sensitivity`.
    morris
        Columns μ* and σ (Morris) rather than ST and S1 (Sobol).
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    header : list of str
        Factor, its range, then the indices of each metric.
    rows : list of list of str
        One row per factor; an index with a confidence interval shows it as ``±``.
    """
    metrics = list(dict.fromkeys(rank.metric))
    header = ["因素" if lang == "zh" else "Factor", "范围" if lang == "zh" else "Range"]
    cols = (("mu_star", "μ*"), ("sigma", "σ")) if morris else (("ST", "ST"), ("S1", "S1"))
    for m in metrics:
        header += [f"{label(m, lang)} {c}" for _, c in cols]
    order = rank[rank.metric == metrics[0]].factor.tolist()
    cell = rank.set_index(["metric", "factor"])
    rows = []
    for f in order:
        r0 = cell.loc[(metrics[0], f)]
        row = [label(f, lang), f"{r0.low:g}-{r0.high:g}"]
        for m in metrics:
            r = cell.loc[(m, f)]
            for key, _ in cols:
                conf = r.get(f"{key}_conf", np.nan)
                text = f"{r[key]:,.3g}"
                row.append(text + (f" ±{conf:,.2g}" if np.isfinite(conf) else ""))
        rows.append(row)
    return header, rows
