"""A self-contained HTML report of an ensemble: charts, comparison and plan-target tables.

The report is one file that opens from disk with no network: the Vega, Vega-Lite and
vega-embed JavaScript comes from vl-convert's bundle (``vl_convert.javascript_bundle``, the
same code Altair inlines with ``chart.save(..., inline=True)``) and is written once into the
page; every chart's data sit in its spec. Labels are Chinese by default.

Examples
--------
>>> ens = fazhi_sim.run_ensemble(["baseline", "plan-2025"], replicates=10)  # doctest: +SKIP
>>> write_report(ens, "报告.html")                                          # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
import os
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from ..engine.region import Region, get_region
from ..experiments.ensemble import SHIPPED_MODEL, Ensemble
from ..version import __version__
from . import charts
from .i18n import check_lang, label, region_label
from .report_costs import cost_section
from .report_sections import (
    contents_section,
    county_section,
    retitle,
    scenario_titles,
    summary_block,
    trajectory_charts,
    widen,
)
from .report_uncertainty import uncertainty_sections
from .tables import EXPLAINED, compare_rows, compare_tidy, explain_rows, target_rows

__all__ = ["write_report", "report_html"]

CHART_METRICS = ("lawsuits_per_10k", "petitions", "defaulters_per_10k",
                 "village_local_share")
"""Metrics drawn year by year (the plan's falling targets and 小事不出村)."""

_EMBED_I18N = {"zh": {"CLICK_TO_VIEW_ACTIONS": "点击查看操作", "PNG_ACTION": "另存为 PNG",
                      "SVG_ACTION": "另存为 SVG"}, "en": {}}

_STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
       "PingFang SC", SimHei, sans-serif; margin: 2em auto; max-width: 1200px;
       padding: 0 1.5em; color: #222; line-height: 1.6; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em;
     margin-top: 2em; break-after: avoid; }
.meta { color: #555; font-size: 0.95em; }
.note { background: #f6f6f1; border-left: 4px solid #b0a060; padding: 0.6em 1em; }
.note p { margin: 0.4em 0; }
.summary { background: #f1f5fa; border-left: 4px solid #3a6ea5; padding: 0.2em 1.2em 0.6em;
           font-size: 1.08em; }
.summary h2 { margin-top: 0.6em; border: none; }
.summary .lead { font-weight: bold; margin: 0.6em 0 0.2em; }
.summary .basis { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.92em; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; }
th { background: #f0f0f0; }
td { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td:first-child, .texttable td { text-align: left; }
.charts { display: block; }
.chart { width: 100%; margin: 1em 0; break-inside: avoid; page-break-inside: avoid; }
.chart .vega-embed { display: block; max-width: 100%; }
.chart svg { max-width: 100%; height: auto; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  .vega-embed details, .vega-actions { display: none !important; }
  .vega-embed.has-actions { padding-right: 0 !important; }
  td { white-space: normal; }
  table { max-width: 100%; font-size: 0.85em; }
  tr, .summary, .note { break-inside: avoid; }
}
"""


_READABLE = {
    "axis": {"labelFontSize": 13, "titleFontSize": 14},
    "legend": {"labelFontSize": 13, "titleFontSize": 13, "labelLimit": 420},
    "header": {"labelFontSize": 14},
    "title": {"fontSize": 18, "subtitleFontSize": 13},
}
"""Font sizes of the report's charts (pixels, before scaling to the page)."""


@cache
def _vega_js() -> str:
    """Vega, Vega-Lite and vega-embed in one script that defines ``window.vegaEmbed``."""
    import vl_convert

    # The Vega-Lite version that Altair writes specs for, e.g. "v6_4".
    version = "_".join(alt.SCHEMA_VERSION.split(".")[:2])
    try:
        js = vl_convert.javascript_bundle(vl_version=version)
    except ValueError:
        js = vl_convert.javascript_bundle()
    if "</script" in js.lower():  # would end the <script> element early
        raise RuntimeError("the vl-convert JavaScript bundle cannot be inlined")
    return js


def _spec(chart: alt.TopLevelMixin) -> str:
    spec = chart.to_dict()
    spec.pop("$schema", None)  # a URL; the embed call names the mode instead
    # Larger type than in a notebook: a full-width chart is scaled down by about 0.6 to fit
    # an A4 page, and the labels must stay readable there.
    config = spec.setdefault("config", {})
    for key, value in _READABLE.items():
        config[key] = {**config.get(key, {}), **value}
    return _inline_json(spec)


def _inline_json(value: object) -> str:
    """``value`` as JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # "</" would end the script; U+2028/U+2029 end a JavaScript string in older browsers,
    # so a scenario name holding one blanked every chart of the page.
    return (text.replace("</", "<\\/").replace("<!--", "<\\!--")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _place(region: str, lang: str) -> str:
    try:
        return region_label(region, lang)
    except ValueError:
        return region


def _resolve(ens: Ensemble, region: str | None, year: int | None) -> tuple[str, int]:
    regions = list(dict.fromkeys(ens.runs["region"].astype(str)))
    if region is None:
        region = ens.whole_region()
    elif region not in regions:
        try:
            region = get_region(region).id
        except ValueError:
            pass
    if region not in regions:
        raise ValueError(f"no results for region {region!r}; regions: {', '.join(regions)}")
    # The last year every scenario reports.
    last = int(ens.runs.groupby("scenario", observed=True)["year"].max().min())
    first = int(ens.runs["year"].min())
    if year is None:
        year = last
    if not first <= int(year) <= last:
        raise ValueError(f"no results for year {year} in every scenario; allowed {first} to "
                         f"{last}")
    return region, int(year)


def report_html(ensemble: Ensemble, region: str | Region | None = None, year: int | None = None,
                lang: str = "zh", noise: Ensemble | None = None, optimized: Any = None
                ) -> str:
    """The report as one HTML string (see :func:`write_report`).

    Parameters
    ----------
    ensemble
        Results of :func:`fazhi_sim.run_ensemble`; the first scenario is the baseline.
    region
        Region of the tables and charts (an id, or the :class:`~fazhi_sim.Region` itself,
        which a region loaded from a file must be: costs scale with its size); default the
        whole region.
    year
        Year of the tables, pyramid and flows; default the last year common to all
        scenarios. Targets are checked from the latest start year to this year.
    lang
        ``"zh"`` (default) or ``"en"``.
    noise
        The same scenarios run with ``uncertainty="noise"``: the report then splits each
        band into parameters and noise.
    optimized
        A :class:`fazhi_sim.analysis.optimize.BudgetResult` (``optimize_budget``): the costs
        section then shows its best mix.

    Returns
    -------
    str
        A complete HTML document with its JavaScript inline.
    """
    check_lang(lang)
    ens = ensemble
    given = region if isinstance(region, Region) else None
    region, year = _resolve(ens, given.id if given else region, year)
    sized = given if given is not None and given.id == region else region
    names = list(ens.scenarios)
    titles = scenario_titles(ens)
    reps = int(ens.runs["replicate"].nunique())
    summary, comp = retitle(ens.summary(), titles), retitle(ens.compare(), titles)
    first = max(sc.start_year for sc in ens.scenarios.values())
    explained = (ens.explain(year=year, region=region)
                 if len(names) > 1 and ens.counters is not None else None)

    tidy = compare_tidy(ens, region, year)
    header, rows = compare_rows(tidy, names, reps, lang)
    sections: list[tuple[str, str, list[alt.TopLevelMixin]]] = [
        contents_section(ens, lang),
        (label("comparison", lang), f"<p>{html.escape(label('band_note', lang))}</p>"
         + _table(_titled(header, titles), rows), []),
    ]
    if year - first >= 1:
        theader, trows = target_rows(ens, first, year, region, lang)
        targets = retitle(ens.targets(first=first, last=year, region=region), titles)
        sections.append((f"{label('targets', lang)} ({first}-{year})",
                         _table(_titled(theader, titles), trows),
                         [charts.targets_table(targets, lang)]))
    if (costs := cost_section(ens, sized, year, titles, lang, optimized)) is not None:
        sections.append((*costs, []))
    if explained is not None:
        sections.append(_explain_section(retitle(explained, titles), year, reps, lang))
    sections += [(t, text, []) for t, text in
                 uncertainty_sections(ens, noise, region, year, lang, titles=titles)]
    sections.append((label("trajectories", lang),
                     f"<p>{html.escape(label('actuals_note', lang))}</p>",
                     trajectory_charts(summary, region, lang)))
    if len(names) > 1:
        sections.append((label("differences", lang), "",
                         [widen(charts.difference(comp, m, region, lang))
                          for m in CHART_METRICS]))
    sections.append((label("structure", lang), "",
                     [widen(charts.pyramid(summary, year=year, lang=lang, region=region),
                            panels=len(names)),
                      widen(charts.flows(summary, year=year, lang=lang, region=region))]))
    if (counties := county_section(ens, ens.summary(), ens.compare(), lang, titles)):
        sections.append(counties)
    elif ens.runs["region"].nunique() > 2:  # counties besides the whole region
        sections.append((label("counties", lang), "",
                         [charts.counties(summary, m, lang) for m in CHART_METRICS[:2]]))
    lead = summary_block(ens, tidy, region, year, lang, titles, explained, noise, sized=sized)

    specs: dict[str, str] = {}
    body = []
    for title, text, chart_list in sections:
        divs = []
        for chart in chart_list:
            key = f"chart-{len(specs) + 1}"
            specs[key] = _spec(chart)
            divs.append(f'<div class="chart" id="{key}"></div>')
        body.append(f"<h2>{html.escape(title)}</h2>\n{text}\n"
                    + (f'<div class="charts">{"".join(divs)}</div>' if divs else ""))

    notes = ["report_note", "report_note_bands", "report_note_metrics"]
    if ens.uncertainty == "noise" and reps > 1:
        notes.insert(2, "report_note_noise")
    note = "".join(f"<p>{html.escape(label(k, lang))}</p>" for k in notes)
    meta = _meta(ens, [titles[n] for n in names], region, year, reps, lang)
    options = {"mode": "vega-lite", "renderer": "svg", "i18n": _EMBED_I18N[lang],
               "actions": {"export": True, "source": False, "compiler": False,
                           "editor": False}}
    embeds = ",\n".join(f'"{key}": {spec}' for key, spec in specs.items())
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(label('report_title', lang))}</title>
<style>{_STYLE}</style>
<script type="text/javascript">
{_vega_js()}
</script>
</head>
<body>
<h1>{html.escape(label('report_title', lang))}</h1>
<p class="meta">{meta}</p>
{lead}
<div class="note"><strong>{html.escape(label('about', lang))}</strong>{note}</div>
{chr(10).join(body)}
<script type="text/javascript">
const specs = {{
{embeds}
}};
const options = {_inline_json(options)};
for (const [id, spec] of Object.entries(specs)) {{
  vegaEmbed("#" + id, spec, options).catch((err) => {{
    document.getElementById(id).textContent = String(err);
  }});
}}
</script>
</body>
</html>
"""


def _explain_section(explained: pd.DataFrame, year: int, reps: int, lang: str
                     ) -> tuple[str, str, list[alt.TopLevelMixin]]:
    """The "why did it change" table and, per scenario, bars of 万人成讼率's pathways."""
    header, rows = explain_rows(explained, reps, lang)
    text = f"<p>{html.escape(label('explain_note', lang))}</p>" + _table(header, rows)
    bars = [widen(charts.explain_chart(explained, m, name, lang))
            for name in dict.fromkeys(explained.scenario) for m in EXPLAINED[:1]]
    return f"{label('explain', lang)} ({year})", text, bars


def _titled(header: list[str], titles: dict[str, str]) -> list[str]:
    """A table header with scenario ids replaced by their titles."""
    return [titles.get(h, h) for h in header]


def write_report(ensemble: Ensemble, path: str | os.PathLike,
                 region: str | Region | None = None,
                 year: int | None = None, lang: str = "zh", noise: Ensemble | None = None,
                 optimized: Any = None) -> Path:
    """Write a self-contained HTML report of ``ensemble`` to ``path``.

    The page holds, in order: a summary in sentences built from the comparison table (what
    falls, by how much, how sure, what drives it; :mod:`fazhi_sim.views.summary`); what the
    numbers mean (partly calibrated, partly assumed parameters); what each scenario contains
    (measures, 2020 level, target, years, plan article); the comparison table of
    :data:`fazhi_sim.views.tables.KEY_METRICS` (median [10%, 90%] per scenario and the paired
    change from the first scenario, as ``fazhi-sim compare`` prints it); the plan-target
    table and chart; costs per avoided lawsuit and petition (and an optimizer's best mix);
    why the change happened and where its band comes from; year-by-year charts with bands
    and actual figures (``data/actuals.csv``), paired differences, the dispute pyramid,
    where disputes are resolved and, for the whole city, the six counties as a tile map and
    small multiples. Scenarios appear by their titles. Charts span the text width and the
    page prints on A4. It opens from a file without network access (about 1 MB, almost all
    of it the Vega JavaScript).

    Parameters
    ----------
    ensemble
        Results of :func:`fazhi_sim.run_ensemble`; the first scenario is the baseline.
    path
        The ``.html`` file to write (UTF-8).
    region
        Region of the tables and charts: an id, or the :class:`~fazhi_sim.Region` (needed
        for a region loaded from a file); default the whole region.
    year
        Year of the tables, pyramid and flows; default the last year common to all
        scenarios.
    lang
        ``"zh"`` (default) or ``"en"``.
    noise, optimized
        As :func:`report_html`.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    text = report_html(ensemble, region=region, year=year, lang=lang, noise=noise,
                       optimized=optimized)
    out = Path(path)
    out.write_text(text, encoding="utf-8")
    return out


def _meta(ens: Ensemble, names: list[str], region: str, year: int, reps: int, lang: str) -> str:
    """The line under the title: what was run, by which model and version, and when."""
    seeds = sorted(int(s) for s in ens.runs["seed"].unique())
    model = [] if ens.model_label == SHIPPED_MODEL else [
        f"{label('model', lang)}: {ens.model_label}"]
    return " &nbsp; ".join(html.escape(x) for x in [
        f"{label('scenario', lang)}: {' / '.join(names)}",
        f"{label('baseline', lang)}: {names[0]}",
        f"{label('region', lang)}: {_place(region, lang)}",
        f"{label('year', lang)}: {year}",
        f"{label('replicates', lang)}: {reps}",
        f"{label('seed', lang)}: {seeds[0]}" + (f"-{seeds[-1]}" if len(seeds) > 1 else ""),
        f"fazhi-sim {__version__}",
        f"{label('generated', lang)}: {datetime.now():%Y-%m-%d %H:%M}",
        *model,
    ])
