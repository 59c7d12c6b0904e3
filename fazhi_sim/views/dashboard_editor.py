"""The scenario editor: the 24 measures as a form that writes a scenario file.

One row per measure, grouped as in the plan: its 2020 level, the target, the year the change
starts and the year the target is reached (a linear ramp between), and the plan article. The
form shows the dashboard's setting; "apply" makes the form the setting (the sliders follow),
and the dashboard's save button writes it as a commented TOML file. A value the scenario
rules refuse is one line under the form (measure, field, what is allowed).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..engine.measures import LEVERS
from ..engine.scenario import LeverSchedule, Scenario
from ..engine.scenario_toml import plan_article
from .dashboard_state import RAMP_UNTIL
from .i18n import label

__all__ = ["ScenarioEditor"]

_YEAR = {"min": 2015, "max": 2060, "layout": w.Layout(width="90px")}


class ScenarioEditor:
    """A form of every lever's path; edits the dashboard's state on "apply"."""

    def __init__(self, dash: Any):
        self.dash = dash
        self.intro = w.HTML()
        self.title = w.Text(layout=w.Layout(width="60%"))
        self.apply_button = w.Button(icon="check", button_style="success",
                                     layout=w.Layout(width="auto"))
        self.message = w.HTML()
        self.names: dict[str, w.HTML] = {}
        self.target: dict[str, w.BoundedFloatText] = {}
        self.start: dict[str, w.BoundedIntText] = {}
        self.full_by: dict[str, w.BoundedIntText] = {}
        rows = []
        for lid, lv in LEVERS.items():
            self.names[lid] = w.HTML(layout=w.Layout(width="34%"))
            self.target[lid] = w.BoundedFloatText(min=lv.minimum, max=lv.maximum,
                                                  step=0.01 if lv.unit == "share" else 0.1,
                                                  layout=w.Layout(width="110px"))
            self.start[lid] = w.BoundedIntText(**_YEAR)
            self.full_by[lid] = w.BoundedIntText(**_YEAR)
            rows.append(w.HBox([self.names[lid], w.HTML(f"{lv.baseline:g}",
                                                        layout=w.Layout(width="90px")),
                                self.target[lid], self.start[lid], self.full_by[lid],
                                w.HTML(plan_article(lv.article))],
                               layout=w.Layout(flex_flow="row wrap", align_items="center")))
        self.head = w.HTML()
        self.save_button = w.Button(icon="download", layout=w.Layout(width="auto"))
        self.apply_button.on_click(lambda _: self.apply())
        self.save_button.on_click(lambda _: self.save())
        self.widget = w.VBox([self.intro, self.title, self.head, *rows,
                              w.HBox([self.apply_button, self.save_button]), self.message])
        self.show(dash.state)

    def relabel(self, lang: str) -> None:
        """Words in ``lang``."""
        self.intro.value = f"<p>{label('dash_editor_intro', lang)}</p>"
        self.title.description = label("dash_editor_title", lang)
        self.apply_button.description = label("dash_editor_apply", lang)
        self.save_button.description = label("dash_save", lang)
        cells = label("dash_editor_head", lang).split("|")
        widths = ("34%", "90px", "110px", "90px", "90px", "auto")
        self.head.value = "<div style='display:flex;font-weight:bold'>" + "".join(
            f"<span style='width:{wd}'>{c}</span>" for c, wd in zip(cells, widths, strict=True)
        ) + "</div>"
        for lid in LEVERS:
            self.names[lid].value = label(lid, lang)

    def show(self, sc: Scenario) -> None:
        """Fill the form from ``sc``; levers it leaves get their 2020 level and the plan ramp."""
        self.title.value = sc.title
        for lid, lv in LEVERS.items():
            sch = sc.levers.get(lid)
            start = sch.start if sch is not None and sch.start is not None else sc.start_year
            full = (sch.full_by if sch is not None and sch.full_by is not None
                    else (start if sch is not None else max(RAMP_UNTIL, start)))
            self.target[lid].value = sch.target if sch is not None else lv.baseline
            self.start[lid].value = start
            self.full_by[lid].value = full

    def scenario(self) -> Scenario:
        """The form as a scenario (the dashboard's years and parameters).

        Raises
        ------
        ScenarioError
            For a value the scenario rules refuse.
        """
        base = self.dash.scenario()
        levers = {}
        for lid, lv in LEVERS.items():
            target = float(self.target[lid].value)
            if abs(target - lv.baseline) <= 1e-12:
                continue  # at its 2020 level: the same runs as leaving it out
            start, full = int(self.start[lid].value), int(self.full_by[lid].value)
            end = base.levers[lid].end if lid in base.levers else None
            levers[lid] = LeverSchedule(target=target, start=start,
                                        full_by=None if full == start else full, end=end)
        return base.model_copy(update={"levers": levers, "name": "dashboard-editor",
                                       "title": self.title.value.strip()})

    def apply(self) -> bool:
        """Make the form the dashboard's setting (and run it); False and why if refused."""
        try:
            sc = self.scenario()
        except ValueError as err:  # ScenarioError, or a year a schedule cannot hold
            self.message.value = label("dash_error", self.dash.lang.value).format(
                error=str(err))
            return False
        self.message.value = ""
        self.dash.load(sc)
        return True

    def save(self) -> str | None:
        """Apply the form and offer it as a scenario file to download; returns its text."""
        if not self.apply():
            return None
        text = self.dash.files.save()
        self.message.value = self.dash.files.link.value
        return text
