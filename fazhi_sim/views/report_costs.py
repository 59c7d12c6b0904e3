"""The report's costs: yuan per avoided lawsuit and petition, and an optimizer's best mix."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.costs import cost_effectiveness, unit_costs
from ..engine.measures import LEVERS
from ..experiments.ensemble import Ensemble
from .i18n import label
from .report_scenarios import level_text
from .report_uncertainty import html_table

__all__ = ["cost_rows", "cost_section", "mix_rows"]


def _yuan(x: float) -> str:
    if np.isnan(x):
        return "-"
    return "∞" if np.isinf(x) else f"{x:,.0f}"


def cost_rows(ce: pd.DataFrame, titles: Mapping[str, str], base: str, reps: int, lang: str
              ) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the cost table from :func:`fazhi_sim.analysis.costs.cost_effectiveness`.

    Parameters
    ----------
    ce
        Its result (one row per scenario and avoided outcome).
    titles
        Scenario id to the title readers see.
    base
        The baseline's id (left out: it costs nothing against itself).
    reps
        Replicates; with more than one, cells show the 10–90% band.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    header, rows
        Scenario, yuan a year, staff, then for lawsuits and petitions: avoided a year and
        yuan per avoided one (median [10%, 90%]).
    """
    header = [label("scenario", lang), label("cost_yuan", lang), label("cost_staff", lang)]
    for what in ("lawsuit", "petition"):
        header += [label(f"avoided_{what}", lang), label(f"per_avoided_{what}", lang)]
    rows = []
    for name in dict.fromkeys(ce["scenario"]):
        if name == base:
            continue
        mine = ce[ce["scenario"] == name].set_index("outcome")
        first = mine.iloc[0]
        row = [titles.get(name, name), _yuan(first["cost_yuan"]), f"{first['staff']:,.1f}"]
        for what in ("lawsuit", "petition"):
            r = mine.loc[what]
            avoided, per = f"{r['avoided_median']:,.0f}", _yuan(r["yuan_per_avoided"])
            if reps > 1:
                avoided += f" [{r['avoided_q10']:,.0f}, {r['avoided_q90']:,.0f}]"
                per += f" [{_yuan(r['yuan_per_avoided_q10'])}, {_yuan(r['yuan_per_avoided_q90'])}]"
            row += [avoided, per]
        rows.append(row)
    return header, rows


def mix_rows(result: Any, lang: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of an optimizer's best mix: the measures it raises above 2020.

    Parameters
    ----------
    result
        A :class:`fazhi_sim.analysis.optimize.BudgetResult`.
    lang
        ``"zh"`` or ``"en"``.
    """
    header = [label("measure_name", lang), label("level_2020", lang), label("mix_level", lang)]
    rows = [[label(lid, lang), level_text(lid, LEVERS[lid].baseline), level_text(lid, level)]
            for lid, level in result.mix.items() if level - LEVERS[lid].baseline > 1e-9]
    return header, rows or [["-", "-", "-"]]


def cost_section(ens: Ensemble, region: str, year: int, titles: Mapping[str, str], lang: str,
                 optimized: Any = None) -> tuple[str, str] | None:
    """Title and HTML of the costs section, or None when there is nothing to compare.

    Parameters
    ----------
    ens
        The report's ensemble; the first scenario is the baseline.
    region, year
        Region whose outcomes and size are costed, and the year.
    titles
        Scenario id to the title readers see.
    lang
        ``"zh"`` or ``"en"``.
    optimized
        A :class:`fazhi_sim.analysis.optimize.BudgetResult` whose best mix to show, or None.
    """
    names = list(ens.scenarios)
    if len(names) < 2 and optimized is None:
        return None
    reps = int(ens.runs["replicate"].nunique())
    costs = unit_costs()
    assumed = sum(c.status == "assumed" for c in costs.values())
    note = label("cost_note", lang).format(assumed=assumed, total=len(costs))
    text = f"<p>{html.escape(note)}</p>"
    if len(names) > 1:
        ce = cost_effectiveness(ens, baseline=names[0], region=region, year=year)
        text += html_table(*cost_rows(ce, titles, names[0], reps, lang))
        text += f"<p>{html.escape(label('cost_inf_note', lang))}</p>"
    if optimized is not None:
        c = optimized.cost
        mix = label("mix_note", lang).format(budget=optimized.budget_yuan, yuan=c["yuan"],
                                             staff=c["staff"], year=optimized.year)
        text += (f"<h3>{html.escape(label('mix_title', lang))}</h3>"
                 f"<p>{html.escape(mix)}</p>" + html_table(*mix_rows(optimized, lang)))
    return f"{label('costs_title', lang)} ({year})", text
