"""Sections of the report a leader reads first: summary, contents, actuals, counties.

The summary, what each scenario contains, the trajectories with actual figures beside them,
and the counties side by side.

:mod:`fazhi_sim.views.report` puts them on the page; each builder returns HTML or charts.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from ..analysis.costs import cost_effectiveness
from ..analysis.uncertainty_sources import band_split, shipped_sources
from ..experiments.ensemble import Ensemble
from . import charts
from .county_charts import county_tiles, county_view
from .i18n import label
from .report_actuals import from_zero, with_actuals
from .report_costs import cost_rows
from .report_scenarios import contents_rows
from .report_uncertainty import html_table
from .summary import HEADLINE, headline_facts, summary_sentences
from .uncertainty_tables import narrowing_rows, split_rows

__all__ = ["REPORT_WIDTH", "scenario_titles", "retitle", "summary_block", "contents_section",
           "trajectory_charts", "county_section", "widen"]

REPORT_WIDTH = 960
"""Plot width of a single-panel chart in the report: the page's text width less a legend."""

TRAJECTORY_METRICS = (*HEADLINE, "prefiling_diversion_share", "mediation_success_rate")
"""Metrics drawn year by year: the headline outcomes, then two with actual figures."""


def scenario_titles(ens: Ensemble) -> dict[str, str]:
    """Scenario id to the title readers see; the ids when two titles would be the same."""
    titles = {name: sc.display_title or name for name, sc in ens.scenarios.items()}
    return titles if len(set(titles.values())) == len(titles) else {n: n for n in titles}


def retitle(df: pd.DataFrame, titles: Mapping[str, str]) -> pd.DataFrame:
    """``df`` with its scenario (and baseline) column showing titles, order kept."""
    out = df.copy()
    for col in ("scenario", "baseline"):
        if col not in out.columns:
            continue
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            cats = [titles.get(str(c), str(c)) for c in out[col].cat.categories]
            out[col] = out[col].cat.rename_categories(cats)
        else:
            out[col] = out[col].astype(str).map(lambda s: titles.get(s, s))
    return out


def summary_block(ens: Ensemble, tidy: pd.DataFrame, region: str, year: int, lang: str,
                  titles: Mapping[str, str], explained: pd.DataFrame | None,
                  noise: Ensemble | None, sized: Any = None) -> str:
    """The summary at the top of the report, as HTML (empty for a single scenario).

    ``sized`` is the region costs scale with (a :class:`~fazhi_sim.Region` for a region
    loaded from a file; by default ``region``).
    """
    names = list(ens.scenarios)
    reps = int(ens.runs["replicate"].nunique())
    diffs = ens.differences().query(f"year == {year} and region == {region!r} and "
                                    f"metric in {list(HEADLINE)}")
    facts = headline_facts(tidy, names, reps, diffs)
    if facts.empty:
        return ""
    split = narrowing = None
    if ens.uncertainty == "posterior":
        if noise is not None:
            split = split_rows(band_split(ens, noise, year, region), lang)[1]
        narrowing = narrowing_rows(shipped_sources(), "lawsuits_per_10k", lang)[1]
    first = max(sc.start_year for sc in ens.scenarios.values())
    targets = (ens.targets(first=first, last=year, region=region) if year - first >= 1
               else None)  # as the report's target table
    ce = cost_effectiveness(ens, baseline=names[0], region=sized or region, year=year)
    rows = cost_rows(ce, titles, names[0], reps, lang)[1]
    costs = {n: r for n in names for r in rows if r[0] == titles.get(n, n)}
    paras = summary_sentences(facts, titles, names[0], year, lang, explained, split, targets,
                              first, costs)
    body = "".join(f"<p class=\"lead\">{html.escape(lead)}</p><ul>"
                   + "".join(f"<li>{html.escape(p)}</li>" for p in points) + "</ul>"
                   for lead, points in paras)
    if narrowing:  # a property of the model, the same for every scenario
        body += "<p>" + html.escape(label("sum_measure", lang).format(
            metric=label("lawsuits_per_10k", lang), what=narrowing[0][1],
            by=narrowing[0][3])) + "</p>"
    return (f'<section class="summary" id="summary"><h2>{html.escape(label("sum_title", lang))}'
            f"</h2>{body}<p class=\"basis\">{html.escape(label('sum_basis', lang))}</p>"
            "</section>")


def contents_section(ens: Ensemble, lang: str) -> tuple[str, str, list]:
    """What each scenario contains: a table of the measures it moves."""
    header, rows = contents_rows(ens.scenarios, lang)
    text = (f"<p>{html.escape(label('contents_note', lang))}</p>"
            f'<div class="texttable">{html_table(header, rows)}</div>')
    return label("contents_title", lang), text, []


def widen(chart: alt.TopLevelMixin, width: int = REPORT_WIDTH, panels: int = 1
          ) -> alt.TopLevelMixin:
    """A chart drawn ``width`` wide: a single panel, or ``panels`` facet columns side by side.

    Concatenations are left as they are.
    """
    if isinstance(chart, (alt.Chart, alt.LayerChart)):
        return chart.properties(width=width)
    if isinstance(chart, alt.FacetChart) and chart.spec is not alt.Undefined:
        out = chart.copy(deep=False)
        out.spec = chart.spec.copy(deep=False)
        out.spec.width = max(200, (width - 40 * (panels - 1)) // panels)
        return out
    return chart


def trajectory_charts(summary: pd.DataFrame, region: str, lang: str) -> list:
    """Each trajectory metric the summary has: bands, counts from zero, actuals beside."""
    have = set(summary["metric"].astype(str))
    return [widen(with_actuals(from_zero(charts.trajectories(summary, m, region, lang), m),
                               m, lang))
            for m in TRAJECTORY_METRICS if m in have]


def county_section(ens: Ensemble, summary: pd.DataFrame, comp: pd.DataFrame, lang: str,
                   titles: Mapping[str, str]) -> tuple[str, str, list] | None:
    """The six counties side by side (tile map and small multiples), for a whole-city run."""
    regions = set(ens.runs["region"].astype(str))
    if not set(county_tiles()["county"]) <= regions:
        return None
    several = len(ens.scenarios) > 1
    frame = comp[comp["scenario"] != comp["baseline"]] if several else summary
    views = []
    for m in ("lawsuits_per_10k", "petitions"):
        view = county_view(retitle(frame, titles), m, lang=lang,
                           change=several, columns=3)
        views.append(view)
    first = next((t for n, t in titles.items() if n != list(ens.scenarios)[0]), "")
    note = label("counties_note" if several else "counties_note_level", lang).format(
        scenario=first)
    text = f"<p>{html.escape(note)}</p>"
    return label("counties", lang), text, views
