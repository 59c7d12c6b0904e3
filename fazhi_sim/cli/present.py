"""``fazhi-sim present NOTEBOOK``: the presenter's page, fetching nothing from outside."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path
from typing import Any

from ..views.i18n import label
from ..views.voila_page import voila_command, voila_environment
from .common import InputError, Parents

__all__ = ["add_parser", "handle"]


def add_parser(subparsers: Any, parents: Parents) -> None:
    """Register ``present`` on ``subparsers`` (from ``add_subparsers``)."""
    cmd = subparsers.add_parser("present", parents=[parents.lang],
                                help=parents.say("h_present"))
    cmd.add_argument("notebook", type=Path, help=parents.say("h_present_notebook"))
    cmd.add_argument("--port", type=int, default=8866, help=parents.say("h_present_port"))
    cmd.add_argument("--no-browser", action="store_true",
                     help=parents.say("h_present_no_browser"))
    cmd.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run Voilà on the notebook with fazhi-sim's page template until it is stopped."""
    if not args.notebook.is_file():
        raise InputError(str(args.notebook), "notebook", label("e_present_missing", args.ui))
    command = voila_command(args.notebook, args.port, browser=not args.no_browser)
    return subprocess.call(command, env=voila_environment())
