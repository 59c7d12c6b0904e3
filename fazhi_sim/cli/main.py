"""The ``fazhi-sim`` parser and entry point: dispatch, one-line errors, exit statuses."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ..engine.region import RegionError
from ..engine.scenario import ScenarioError
from ..experiments.spec import SpecError
from ..version import __version__
from . import calibrate, compare, optimize, run, sensitivity, validate
from .common import PROG, InputError, make_parents, print_error

__all__ = ["build_parser", "main", "COMMANDS"]

COMMANDS = (run, compare, validate, calibrate, sensitivity, optimize)
"""Command modules, in the order ``--help`` lists them; each has ``add_parser``."""


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of ``fazhi-sim``.

    Returns
    -------
    argparse.ArgumentParser
        The parser, with subcommands ``run``, ``compare``, ``validate``, ``calibrate``,
        ``sensitivity`` and ``optimize``; each sets ``handler``, the function that runs it.
    """
    parser = argparse.ArgumentParser(
        prog=PROG, description="Simulate dispute resolution under 法治绍兴建设规划 (2021-2025).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parents = make_parents()
    for command in COMMANDS:
        command.add_parser(sub, parents)
    return parser


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
        return args.handler(args)
    except (ScenarioError, RegionError, InputError, SpecError, OSError) as err:
        if isinstance(err, BrokenPipeError):  # e.g. `fazhi-sim run ... | head`
            return _broken_pipe()
        print_error(err)
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
