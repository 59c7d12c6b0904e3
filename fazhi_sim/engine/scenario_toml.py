"""Scenarios written as commented TOML: what the dashboard saves and the editor writes.

The text is a scenario file like the shipped ones: each moved lever under its plan article,
Chinese and English name, 2020 level, mechanism and source, so a planner who opens it in an
editor sees what each number means. ``load_scenario(path)`` of the written text gives back
the same scenario (the same runs: equal :meth:`~Scenario.content_hash`, name and title).
Floats are written with ``repr`` so that no digit is lost on the way.
"""

from __future__ import annotations

import json
from pathlib import Path

from .measures import LEVERS
from .params import Params
from .scenario import LeverSchedule, Scenario

__all__ = ["plan_article", "lever_block", "scenario_to_toml", "save_scenario"]


def plan_article(text: str) -> str:
    """第二十三条 for an article number; section goals (``"六(一)"``) as they are written."""
    return f"第{text}条" if "(" not in text else f"第{text.replace('(', '部分(')}"


def _string(text: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes); Chinese stays readable.
    return json.dumps(text, ensure_ascii=False)


def _number(x: float) -> str:
    # repr is the shortest text that reads back to the same float (TOML takes 1e-05, inf).
    return str(x) if isinstance(x, int) else repr(float(x))


def _comment(text: str) -> str:
    return " ".join(str(text).split())  # one line, whatever the source held


def lever_block(lid: str, schedule: LeverSchedule) -> str:
    """The commented ``[levers.<id>]`` table of one lever's schedule."""
    lv = LEVERS[lid]
    lines = [
        f"\n# {plan_article(lv.article)} {_comment(lv.name_zh)} ({_comment(lv.name_en)})",
        f"# 2020 level {lv.baseline:g}; {_comment(lv.mechanism)}.",
        f"# Source: {_comment(lv.source)}.",
        f"[levers.{lid}]",
    ]
    if schedule.start is not None:
        lines.append(f"start = {schedule.start}      # the change begins in January")
    if schedule.full_by is not None:
        lines.append(f"full_by = {schedule.full_by}    # linear ramp; the target holds from "
                     "January of this year")
    lines.append(f"target = {_number(schedule.target)}")
    if schedule.end is not None:
        lines.append(f"end = {schedule.end}        # back to the 2020 level from January")
    return "\n".join(lines) + "\n"


def _params_block(params: Params) -> str:
    default = Params()
    changed = {k: v for k, v in params.model_dump().items() if v != getattr(default, k)}
    if not changed:
        return ""
    body = "".join(f"{k} = {_number(v)}   # default {_number(getattr(default, k))}\n"
                   for k, v in changed.items())
    return "\n# Mechanism parameters that differ from the defaults (fazhi_sim.Params).\n" \
           "[params]\n" + body


def scenario_to_toml(sc: Scenario, header: str | None = None) -> str:
    """The scenario as the text of a commented, valid scenario file.

    Parameters
    ----------
    sc
        The scenario.
    header
        A first comment line (for example who wrote the file and when); none if None.

    Returns
    -------
    str
        TOML text; :func:`~fazhi_sim.load_scenario` of it gives back ``sc``'s levers, years,
        region, parameters, name and title.

    Examples
    --------
    >>> from fazhi_sim import Scenario
    >>> sc = Scenario(name="more-mediators", title="增加调解员",
    ...               levers={"mediators_per_10k": {"target": 15, "full_by": 2024}})
    >>> print(scenario_to_toml(sc).splitlines()[0])
    # 增加调解员
    """
    lines = [f"# {_comment(header)}"] if header else []
    lines += [
        f"# {_comment(sc.display_title)}",
        "# Format: docs/scenarios.md. Levers not named here stay at their 2020 level.",
        f"name = {_string(sc.name)}",
    ]
    if sc.title:
        lines.append(f"title = {_string(sc.title)}")
    if sc.description:
        lines.append(f"description = {_string(sc.description)}")
    lines += [f"start_year = {sc.start_year}   # first reported year",
              f"end_year = {sc.end_year}     # last reported year (runs to 2035 work)"]
    if sc.region is not None:
        lines.append(f"region = {_string(sc.region)}")
    text = "\n".join(lines) + "\n"
    text += "".join(lever_block(lid, sc.levers[lid]) for lid in LEVERS if lid in sc.levers)
    return text + _params_block(sc.params)


def save_scenario(sc: Scenario, path: str | Path, header: str | None = None) -> Path:
    """Write ``sc`` as a commented scenario file (UTF-8).

    Parameters
    ----------
    sc : Scenario
        The scenario.
    path : str or path-like
        The ``.toml`` file to write (replaced if it exists).
    header : str, optional
        A first comment line, e.g. who wrote the file and when.

    Returns
    -------
    pathlib.Path
        The path written; :func:`~fazhi_sim.load_scenario` of it gives back ``sc``.
    """
    p = Path(path)
    p.write_text(scenario_to_toml(sc, header), encoding="utf-8")
    return p
