"""Tables of where the uncertainty comes from, shared by the command line and the report."""

from __future__ import annotations

import pandas as pd

from ..analysis.uncertainty_sources import EFFECT_OF_METRIC, narrowing
from .i18n import label, measure_hint, param_label

__all__ = ["split_rows", "sources_rows", "narrowing_rows"]


def split_rows(split: pd.DataFrame, lang: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a band split (:func:`~fazhi_sim.analysis.uncertainty_sources.band_split`).

    Parameters
    ----------
    split
        One row per scenario and metric.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    header, rows
        Scenario, metric, the band's width with parameters and noise, with noise alone, and
        the shares of its variance from each.
    """
    header = [label("scenario", lang), label("metric", lang), label("band_width", lang),
              label("noise_width", lang), label("parameter_share", lang),
              label("noise_share", lang)]
    rows = [[r.scenario, label(r.metric, lang), f"{r.width:.1f}", f"{r.noise_width:.1f}",
             _share(r.parameter_share), _share(r.noise_share)] for r in split.itertuples()]
    return header, rows


def _share(x: float) -> str:
    # A share that rounds to 0% or 100% but is not quite that says so.
    if 0 < x < 0.005:
        return "<1%"
    if 0.995 <= x < 1:
        return ">99%"
    return f"{x:.0%}"


def sources_rows(sources: pd.DataFrame, metric: str, lang: str, top: int = 6
                 ) -> tuple[list[str], list[list[str]]]:
    """The parameters behind a headline effect's parameter uncertainty, largest first.

    Parameters
    ----------
    sources
        :func:`~fazhi_sim.analysis.uncertainty_sources.effect_sources` (or the shipped table).
    metric
        An ensemble metric with an effect in
        :data:`~fazhi_sim.analysis.uncertainty_sources.EFFECT_OF_METRIC`.
    lang
        ``"zh"`` or ``"en"``.
    top
        Parameters listed before the rest is summed.

    Returns
    -------
    header, rows
        Source, its share of the effect's variance.
    """
    s = sources[sources.effect == EFFECT_OF_METRIC[metric]]
    named = s[s.source != "other"].sort_values("share", ascending=False)
    rest = 1.0 - named.head(top).share.sum()
    rows = [[param_label(r.source, lang), f"{r.share:.0%}"] for r in named.head(top).itertuples()]
    rows.append([label("other_sources", lang), f"{rest:.0%}"])
    return [label("source", lang), label("share_of_variance", lang)], rows


def narrowing_rows(sources: pd.DataFrame, metric: str, lang: str, top: int = 5
                   ) -> tuple[list[str], list[list[str]]]:
    """"To narrow this, measure X": the measurements that would narrow the band most.

    Parameters
    ----------
    sources
        As :func:`sources_rows`.
    metric
        As :func:`sources_rows`.
    lang
        ``"zh"`` or ``"en"``.
    top
        How many.

    Returns
    -------
    header, rows
        Rank, what to measure, the parameter, how much narrower the band would be.
    """
    best = narrowing(sources, EFFECT_OF_METRIC[metric], top)
    rows = [[str(i + 1), measure_hint(r.source, lang), param_label(r.source, lang),
             f"{r.sd_cut:.0%}"] for i, r in enumerate(best.itertuples())]
    return [label("rank", lang), label("measure_what", lang), label("parameter", lang),
            label("narrower_by", lang)], rows
