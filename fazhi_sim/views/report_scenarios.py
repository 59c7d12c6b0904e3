"""The report's list of what each scenario contains: the measures it moves and how."""

from __future__ import annotations

from collections.abc import Mapping

from ..engine.measures import LEVERS
from ..engine.params import Params
from ..engine.scenario import Scenario
from ..engine.scenario_toml import plan_article
from .i18n import label

__all__ = ["level_text", "contents_rows"]


def level_text(lever_id: str, value: float) -> str:
    """A lever's level as a reader writes it: a share in percent, else the number."""
    if LEVERS[lever_id].unit == "share":
        return f"{100 * value:.0f}%" if abs(100 * value - round(100 * value)) < 1e-9 else \
            f"{100 * value:.1f}%"
    return f"{value:g}"


def _years(sc: Scenario, lever_id: str) -> str:
    sch = sc.levers[lever_id]
    start = sch.start or sc.start_year
    full = sch.full_by or start
    text = f"{start}" if full == start else f"{start}–{full}"
    if sch.end:  # the 2020 level returns from this year
        text += f" (→{sch.end})"
    return text


def contents_rows(scenarios: Mapping[str, Scenario], lang: str
                  ) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the scenario-contents table.

    Parameters
    ----------
    scenarios
        Scenario id to scenario, in report order (``Ensemble.scenarios``).
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    header : list of str
        Scenario, measure, 2020 level, target, years (start–full by), plan article.
    rows : list of list of str
        One row per scenario and measure it moves, in the order of the plan's measures; a
        scenario that moves none has one row saying that every measure stays at its 2020
        level; changed mechanism parameters are counted in a row of their own.
    """
    header = [label(k, lang) for k in ("scenario", "measure_name", "level_2020",
                                        "level_target", "ramp_years", "plan_article")]
    rows = []
    for sc in scenarios.values():
        title = sc.display_title
        moved = [lid for lid in LEVERS if lid in sc.levers]
        if not moved:
            rows.append([title, label("no_measures", lang), "", "", "", ""])
        for lid in moved:
            lv = LEVERS[lid]
            rows.append([title, label(lid, lang), level_text(lid, lv.baseline),
                         level_text(lid, sc.levers[lid].target), _years(sc, lid),
                         plan_article(lv.article) if lang == "zh" else f"art. {lv.article}"])
        default = Params()
        changed = [k for k, v in sc.params.model_dump().items() if v != getattr(default, k)]
        if changed:
            rows.append([title, label("params_changed", lang).format(n=len(changed)),
                         "", "", "", ""])
    return header, rows
