"""``fazhi-sim uncertainty``: what the data pin down, what drives each effect, what to measure."""

from __future__ import annotations

import argparse
from typing import Any

from ..analysis.uncertainty_sources import EFFECT_OF_METRIC, shipped_sources
from ..experiments.posterior import posterior_summary
from ..views.i18n import label, param_label
from ..views.tables import text_table
from ..views.uncertainty_tables import narrowing_rows, sources_rows
from .common import Parents

__all__ = ["add_parser", "handle"]


def add_parser(subparsers: Any, parents: Parents) -> None:
    """Register ``uncertainty`` on ``subparsers`` (from ``add_subparsers``)."""
    cmd = subparsers.add_parser(
        "uncertainty", parents=[parents.lang],
        help=parents.say("h_uncertainty"))
    cmd.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the posterior summary and, per headline effect, its sources and what to measure."""
    lang = args.lang
    summary = posterior_summary()
    cal = summary[summary.calibrated].sort_values("shrinkage", ascending=False)
    header = [label("parameter", lang), label("prior_range", lang),
              label("posterior_range", lang), label("narrowed", lang)]
    rows = [[param_label(r.param, lang), f"{r.prior_5:.3g} – {r.prior_95:.3g}",
             f"{r.post_5:.3g} – {r.post_95:.3g}", f"{r.shrinkage:.0%}"]
            for r in cal.itertuples()]
    print(label("pinned_title", lang).format(n=len(cal), rest=len(summary) - len(cal)))
    print(text_table(header, rows))
    sources = shipped_sources()
    for metric in EFFECT_OF_METRIC:
        name = label(metric, lang)
        print()
        print(label("sources_title", lang).format(metric=name))
        print(text_table(*sources_rows(sources, metric, lang)))
        print(label("narrowing_title", lang).format(metric=name))
        print(text_table(*narrowing_rows(sources, metric, lang)))
    print()
    print(label("sources_note", lang))
    return 0
