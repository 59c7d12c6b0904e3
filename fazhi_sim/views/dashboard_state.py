"""The dashboard's state as a scenario: the same lever paths as a scenario file.

The dashboard holds a :class:`~fazhi_sim.Scenario` and its sliders show each lever's
*target* (the level its ramp reaches). Moving a slider changes that target and keeps the
lever's ramp (start, full_by, end) as the file gave it; a lever moved away from its 2020
level that had no ramp gets the plan's: from ``start_year`` to the 2025 level by January
:data:`RAMP_UNTIL`. A lever set back to its 2020 level is dropped (a schedule whose target is
the 2020 level runs exactly as none). So the plan button, a loaded file and a saved file all
run the lever paths a scenario file describes, and save → load gives the same runs.
"""

from __future__ import annotations

import base64
import html
import tempfile
from pathlib import Path

from ..engine.measures import LEVERS
from ..engine.scenario import LeverSchedule, Scenario, ScenarioError, load_scenario

__all__ = ["RAMP_UNTIL", "targets", "with_target", "with_horizon", "from_upload",
           "download_link", "UPLOAD_MAX"]

RAMP_UNTIL = 2025
"""Year from which a newly moved lever holds its target (the plan's horizon)."""

UPLOAD_MAX = 1 << 20
"""Largest scenario file the dashboard opens, as :func:`~fazhi_sim.load_scenario` allows."""


def targets(sc: Scenario) -> dict[str, float]:
    """Each lever's slider value: its target, or its 2020 level when the scenario leaves it."""
    return {lid: float(sc.levers[lid].target) if lid in sc.levers else lv.baseline
            for lid, lv in LEVERS.items()}


def with_target(sc: Scenario, lid: str, value: float) -> Scenario:
    """``sc`` with lever ``lid`` aimed at ``value``, its ramp kept (or the plan's if new)."""
    levers = dict(sc.levers)
    if abs(value - LEVERS[lid].baseline) <= 1e-12:
        levers.pop(lid, None)
    elif lid in levers:
        levers[lid] = levers[lid].model_copy(update={"target": float(value)})
    else:
        full = max(RAMP_UNTIL, sc.start_year)
        levers[lid] = LeverSchedule(target=float(value), start=sc.start_year,
                                    full_by=full if full > sc.start_year else None)
    return sc.model_copy(update={"levers": levers})


def with_horizon(sc: Scenario, end_year: int) -> Scenario:
    """``sc`` reported to ``end_year`` (the dashboard's last-year slider)."""
    return sc if sc.end_year == end_year else sc.model_copy(update={"end_year": int(end_year)})


def from_upload(name: str, content: bytes) -> Scenario:
    """The scenario in an uploaded file, checked as :func:`~fazhi_sim.load_scenario` checks it.

    Raises
    ------
    ScenarioError
        One line naming the file (its own name, not a temporary path), field and what is
        allowed.
    """
    shown = Path(name).name or "scenario.toml"
    if len(content) > UPLOAD_MAX:
        raise ScenarioError(shown, "file", f"{len(content):,} bytes; a scenario file is at "
                            f"most {UPLOAD_MAX:,}")
    if not shown.endswith(".toml"):
        raise ScenarioError(shown, "file", "not a .toml scenario file")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / shown
        path.write_bytes(bytes(content))
        try:
            return load_scenario(path)
        except ScenarioError as err:  # the user knows the file by its name, not our copy
            raise ScenarioError(shown, err.field, err.message) from None


def download_link(content: bytes, filename: str, mime: str, text: str) -> str:
    """An HTML link that downloads ``content`` as ``filename`` (no server round trip)."""
    data = base64.b64encode(content).decode("ascii")
    return (f'<a class="fz-download" download="{html.escape(filename)}" '
            f'href="data:{mime};base64,{data}">{html.escape(text)}</a>')
