"""The ``fazhi-sim`` command line: run, compare and validate scenario files.

Examples::

    fazhi-sim run plan-2025 --region town --out plan.csv
    fazhi-sim compare scenarios/baseline.toml scenarios/plan-2025.toml --region shaoxing
    fazhi-sim compare baseline plan-2025 --replicates 10 --report 报告.html
    fazhi-sim validate scenarios/*.toml scenarios/measures/*.toml
    fazhi-sim run baseline --model mypackage.models:spec

Labels are Chinese by default; ``--lang en`` switches to English. Every bad input ends the
command with exit status 2 and a single line on stderr,
``fazhi-sim: error: <file>: <field>: <what is allowed>``; a traceback means a bug.

One module per command (:mod:`.run`, :mod:`.compare`, :mod:`.validate`, :mod:`.calibrate`,
:mod:`.sensitivity`, :mod:`.optimize`), each registering its own subcommand; :mod:`.common`
holds the checks and options they share, :mod:`.main` the parser and the entry point.
"""

from ..views.tables import KEY_METRICS
from .main import build_parser, main

__all__ = ["main", "build_parser", "KEY_METRICS"]
