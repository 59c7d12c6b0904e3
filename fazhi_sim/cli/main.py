"""The ``fazhi-sim`` parser and entry point: dispatch, one-line errors, exit statuses.

SIGTERM (what ``timeout``, Slurm and ``docker stop`` send) ends a command as Ctrl-C does:
it unwinds, so worker processes are stopped and runs that finished are stored, and the
command exits with status 143 (130 for Ctrl-C) and one line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence

from ..engine.region import RegionError
from ..engine.scenario import ScenarioError
from ..experiments.executors import ClusterError, keep_freed_memory
from ..experiments.spec import SpecError
from ..experiments.store import StoreError
from ..version import __version__
from ..views.i18n import LANGS, label
from . import calibrate, compare, optimize, present, run, sensitivity, uncertainty, validate
from .common import PROG, InputError, make_parents, print_error
from .language import parser_class, ui_lang

__all__ = ["build_parser", "main", "COMMANDS", "Terminated"]

COMMANDS = (run, compare, validate, calibrate, uncertainty, sensitivity, optimize, present)
"""Command modules, in the order ``--help`` lists them; each has ``add_parser``."""

_ERRORS = (ScenarioError, RegionError, InputError, SpecError, StoreError, ClusterError, OSError)


class Terminated(BaseException):
    """SIGTERM arrived (a BaseException, as KeyboardInterrupt is, so nothing swallows it)."""


def build_parser(ui: str = "en") -> argparse.ArgumentParser:
    """Build the argument parser of ``fazhi-sim``.

    Parameters
    ----------
    ui
        Language of help and errors, ``"en"`` or ``"zh"``.

    Returns
    -------
    argparse.ArgumentParser
        The parser, with subcommands ``run``, ``compare``, ``validate``, ``calibrate``,
        ``uncertainty``, ``sensitivity``, ``optimize`` and ``present``; each sets
        ``handler``, the function that runs it, and ``ui``.
    """
    parser = parser_class(ui)(prog=PROG, description=label("ap_description", ui))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # Read by ui_lang from the command line, so that `fazhi-sim --lang zh --help` is Chinese;
    # each command has its own --lang for its tables.
    parser.add_argument("--lang", dest="help_lang", choices=LANGS, help=label("h_lang_ui", ui))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parents = make_parents(ui)
    for command in COMMANDS:
        command.add_parser(sub, parents)
    parser.set_defaults(ui=ui)
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
        Exit status: 0 on success, 2 for a bad input (one line on stderr), 130 after Ctrl-C,
        143 after SIGTERM. Usage errors found by argparse exit with status 2 through
        ``SystemExit``.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    ui = ui_lang(argv)
    args = build_parser(ui).parse_args(argv)
    keep_freed_memory()  # a command's runs repeat one set-up; the process is ours, not a user's
    try:
        with _sigterm_unwinds(), _one_line_warnings():
            return args.handler(args)
    except _ERRORS as err:
        if isinstance(err, BrokenPipeError):  # e.g. `fazhi-sim run ... | head`
            return _broken_pipe()
        print_error(err, ui)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted{_resume_hint(args)}", file=sys.stderr)
        return 130
    except Terminated:
        print(f"{PROG}: terminated (SIGTERM){_resume_hint(args)}", file=sys.stderr)
        return 143


def _resume_hint(args: argparse.Namespace) -> str:
    store = getattr(args, "store", None)
    return f"; finished runs are kept in {store}: run the same command to resume" if store else ""


def _raise_terminated(signum: int, frame: object) -> None:
    # Once is enough: a second SIGTERM must not cut short the shutdown of the first.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    # Only the main thread may set handlers; main() called from another thread keeps them.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before if before is not None else signal.SIG_DFL)


@contextlib.contextmanager
def _one_line_warnings() -> Iterator[None]:
    # Python shows a warning in two lines (the second the source line that raised it), which
    # means nothing to someone at the command line.
    def show(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"{PROG}: warning: {' '.join(str(message).split())}", file=file or sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def _broken_pipe() -> int:
    # Point stdout at devnull so the interpreter's final flush does not fail again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 1
