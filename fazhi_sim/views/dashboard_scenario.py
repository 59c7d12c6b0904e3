"""The dashboard's setting as a scenario: what it runs, saves and loads.

A mixin of :class:`~fazhi_sim.views.dashboard.Dashboard`, kept in its own file so that the
scenario side of the dashboard (the same lever paths as scenario files) reads as one piece.
It expects the dashboard's ``state`` (a Scenario), ``year`` and ``region`` controls and its
``load`` method.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine.scenario import Scenario, baseline, load_scenario
from ..engine.scenario_toml import save_scenario, scenario_to_toml
from .dashboard_state import with_horizon
from .i18n import label

__all__ = ["ScenarioState"]


class ScenarioState:
    """What the dashboard runs, as a scenario; writing it and setting it from a file."""

    state: Scenario
    year: Any
    region: Any

    def to_scenario(self) -> Scenario:
        """The current setting as a scenario, with the chosen region and last year.

        Returns
        -------
        Scenario
            Its levers have the paths a scenario file gives them (start, full_by, target,
            end); :meth:`save_scenario` writes it and loading that file gives the same runs.
        """
        return with_horizon(self.state, int(self.year.value)).model_copy(
            update={"region": self.region.value})

    def scenario(self) -> Scenario:
        """The scenario the dashboard runs.

        Returns
        -------
        Scenario
            :meth:`to_scenario` without its region (the region control chooses it).
        """
        return with_horizon(self.state, int(self.year.value))

    def save_scenario(self, path: str | Path) -> Path:
        """Write the current setting as a commented scenario file.

        Parameters
        ----------
        path : str or path-like
            The ``.toml`` file to write.

        Returns
        -------
        pathlib.Path
            The path written.
        """
        return save_scenario(self.to_scenario(), path, header=label("dash_saved_header", "zh"))

    def scenario_toml(self) -> str:
        """The text :meth:`save_scenario` writes.

        Returns
        -------
        str
            A commented, valid scenario file.
        """
        return scenario_to_toml(self.to_scenario(), header=label("dash_saved_header", "zh"))

    def set_levels(self, which: str) -> None:
        """Load the baseline or the plan as it is.

        Parameters
        ----------
        which : {"baseline", "plan"}
            ``"baseline"``: every lever at its 2020 level; otherwise ``plan-2025.toml``.
        """
        if which == "baseline":
            sc = baseline(self.state.start_year, int(self.year.value)).model_copy(
                update={"params": self.state.params})
        else:
            sc = load_scenario("plan-2025")
        self.load(sc.model_copy(update={"region": None}))
