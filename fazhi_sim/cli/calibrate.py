"""``fazhi-sim calibrate``: fit the assumed parameters to the calibration targets."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import (
    COMMAND_LINE,
    InputError,
    Parents,
    add_region,
    model_spec,
    named_region,
    out_path,
    parse_count,
    parse_replicates,
    parse_seed,
)

__all__ = ["add_parser", "handle"]


def add_parser(subparsers: Any, parents: Parents) -> None:
    """Register ``calibrate`` and its options on ``subparsers`` (from ``add_subparsers``)."""
    calib = subparsers.add_parser(
        "calibrate", parents=[parents.seed, parents.model],
        help=parents.say("h_calibrate"))
    say = parents.say
    add_region(calib, "h_region_calibrate", parents)
    calib.add_argument("--targets", metavar="FILE.csv", help=say("h_calibrate_targets"))
    calib.add_argument("--replicates", metavar="N", help=say("h_calibrate_replicates"))
    calib.add_argument("--parameters", metavar="NAMES", help=say(
        "h_calibrate_parameters",
        default="claim_intercept,asc_court,mediation_asc_shift,mediation_success_shift"))
    calib.add_argument("--out", metavar="FILE.toml", help=say("h_calibrate_out"))
    calib.add_argument("--force", action="store_true", help=say("h_calibrate_force"))
    calib.add_argument("--chart", metavar="FILE.html", help=say("h_calibrate_chart"))
    bayes = calib.add_argument_group(say("h_calibrate_bayes_group"))
    bayes.add_argument("--bayes", action="store_true", help=say("h_calibrate_bayes"))
    bayes.add_argument("--design", metavar="N", help=say("h_calibrate_design"))
    bayes.add_argument("--draws", metavar="N", help=say("h_calibrate_draws"))
    bayes.add_argument("--store", metavar="DIR", help=say("h_calibrate_store"))
    bayes.add_argument("--priors", metavar="FILE.csv", help=say("h_calibrate_priors"))
    bayes.add_argument("--responses", metavar="FILE.csv", help=say("h_calibrate_responses"))
    calib.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Calibrate, print the fit report, write ``--out`` and ``--chart``; the exit status."""
    if args.bayes:
        return handle_bayes(args)
    from ..analysis import calibration as cal  # imports scipy: only for this command

    source = args.targets or f"fazhi_sim/{cal.TARGETS_FILE}"
    try:
        targets = cal.load_targets(args.targets)
    except cal.TargetsError as err:
        raise InputError(err.source, err.field, err.message) from None
    if not (targets["use"] == "fit").any():
        raise InputError(source, "use", "no target has use = fit; mark at least one row fit")
    seed = parse_seed(args.seed, source)
    reps = parse_replicates(args.replicates, source, 8)
    region = named_region(args.region, source, region_file=args.region_file)
    names = [n.strip() for n in (args.parameters or ",".join(cal.DEFAULT_PARAMETERS)).split(",")
             if n.strip()]
    try:
        cal.knobs_for(names)
    except cal.CalibrationError as err:
        raise InputError(COMMAND_LINE, "--parameters", str(err)) from None
    out = out_path(args.out, "--out", "toml")
    if out is not None and out.exists() and not args.force:
        # A re-calibration never replaces a parameter set (the shipped one above all) silently.
        raise InputError(args.out, "--out", "the file exists; give a new file name, or add "
                         "--force to overwrite it")
    chart = out_path(args.chart, "--chart", "html")
    spec = model_spec(args.model)
    command = (f"fazhi-sim calibrate --targets {source} --region {region.id} "
               f"--replicates {reps} --seed {seed}"
               + (f" --parameters {','.join(names)}" if args.parameters else "")
               + (f" --model {args.model}" if args.model else "")
               + (f" --out {args.out}" if args.out else "")
               + (" --force" if args.force else ""))
    result = cal.calibrate(targets, parameters=names, region=region, replicates=reps,
                           seed=seed, progress=sys.stderr.isatty(), model=spec)
    print(result.report())
    if out is not None:
        result.write(out, force=args.force, command=command)
        print(f"written: {out}")
    if chart is not None:
        from ..views.analysis_charts import fit_chart  # imports Altair: only when asked for

        fit_chart(result).save(str(chart))
        print(f"written: {chart}")
    return 0


def handle_bayes(args: argparse.Namespace) -> int:
    """``calibrate --bayes``: design, posterior, fit report; writes the files to ``--out``."""
    from ..analysis.bayes_run import run_bayes  # imports scikit-learn and emcee
    from ..analysis.fit_targets import TargetsError
    from ..experiments.priors import PriorsError, load_priors

    source = args.priors or "fazhi_sim/data/priors.csv"
    try:
        priors = load_priors(args.priors)
    except PriorsError as err:
        raise InputError(err.source, err.field, err.message) from None
    n = parse_count(args.design, COMMAND_LINE, "--design", 1200, 20_000, "")
    draws = parse_count(args.draws, COMMAND_LINE, "--draws", 400, 10_000, "")
    seed = parse_seed(args.seed, source)
    region = named_region(args.region, source, region_file=args.region_file)
    if args.out is None:
        raise InputError(COMMAND_LINE, "--out", "give a folder for the posterior files")
    try:
        result = run_bayes(priors, levels=args.targets, responses=args.responses, n=n,
                           seed=seed, region=region.id, store=args.store, draws=draws,
                           model=model_spec(args.model), progress=sys.stderr.isatty())
    except TargetsError as err:
        raise InputError(err.source, err.field, err.message) from None
    result.provenance["command"] = " ".join(["fazhi-sim", *sys.argv[1:]])
    print(result.report())
    for path in result.write(args.out):
        print(f"written: {path}")
    return 0
