"""The report's section on where the uncertainty comes from and what would narrow it."""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from ..analysis.uncertainty_sources import EFFECT_OF_METRIC, band_split, shipped_sources
from ..experiments.ensemble import Ensemble
from .i18n import label
from .uncertainty_tables import narrowing_rows, sources_rows, split_rows

__all__ = ["uncertainty_sections", "html_table"]


def html_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain HTML table of already formatted cells."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def uncertainty_sections(ens: Ensemble, noise: Ensemble | None, region: str, year: int,
                         lang: str, sources: pd.DataFrame | None = None,
                         titles: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """Titles and HTML of the uncertainty sections (none for a noise-only ensemble).

    Parameters
    ----------
    ens
        The ensemble the report shows (``uncertainty="posterior"``).
    noise
        The same scenarios with the seed alone varying, or None (no split of the band).
    region, year
        Which change.
    lang
        ``"zh"`` or ``"en"``.
    sources
        What drives each effect (default: the shipped calibration's table).
    titles
        Scenario id to the title readers see (default: the ids).

    Returns
    -------
    list of (title, html)
    """
    if ens.uncertainty != "posterior" or len(ens.scenarios) < 2:
        return []
    out = []
    if noise is not None:
        split = band_split(ens, noise, year, region)
        split["scenario"] = split["scenario"].astype(str).map(lambda n: (titles or {}).get(n, n))
        header, rows = split_rows(split, lang)
        out.append((f"{label('uncertainty_split', lang)} ({year})",
                    f"<p>{html.escape(label('uncertainty_note', lang))}</p>"
                    + html_table(header, rows)))
    src = shipped_sources() if sources is None else sources
    for metric in EFFECT_OF_METRIC:
        name = label(metric, lang)
        header, rows = sources_rows(src, metric, lang)
        nheader, nrows = narrowing_rows(src, metric, lang)
        text = (f"<p>{html.escape(label('sources_note', lang))}</p>" + html_table(header, rows)
                + f"<h3>{html.escape(label('narrowing_title', lang).format(metric=name))}</h3>"
                + html_table(nheader, nrows))
        out.append((label("sources_title", lang).format(metric=name), text))
    return out
