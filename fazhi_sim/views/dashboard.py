"""The what-if dashboard: one slider per plan measure, charts that answer in half a second.

``dashboard()`` returns an ipywidgets layout for JupyterLab or Voilà. Moving a control
schedules a run (debounced, so a drag makes one run, not twenty); the scenario's replicates
run on worker processes kept for the dashboard's life (the first draw runs here, then they
start), the baseline is computed once per region and horizon, and the Altair
``JupyterChart``s are updated in place. JavaScript comes from the installed vl-convert bundle
(:func:`~fazhi_sim.views.offline.offline_widgets`): no CDN, so it works on an intranet. Below
the charts, the "why did it change" panel (:mod:`.dashboard_explain`) splits the last year's
change by pathway from counters the same runs collect.

The setting is a scenario with the lever paths of a scenario file (:mod:`.dashboard_state`):
the plan button loads ``plan-2025.toml`` as ``compare`` runs it, a file can be opened and the
setting saved as one, and the editor tab (:mod:`.dashboard_editor`) sets every lever's path.
The page sizes its charts to the window and keeps their y-axes between moves
(:mod:`.dashboard_layout`); for 绍兴市 it shows the six counties (:mod:`.dashboard_counties`);
the costs tab (:mod:`.dashboard_costs`) shows cost per avoided case and a budget's best mix.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import altair as alt
import ipywidgets as w

from ..engine.measures import LEVERS, PLAN_SECTIONS
from ..engine.region import region_names
from ..engine.scenario import baseline
from ..experiments.ensemble import Ensemble, run_ensemble
from ..experiments.executors import default_jobs
from ..experiments.simulate import as_scenario
from ..experiments.spec import as_spec
from . import charts
from .dashboard_costs import CostsPanel
from .dashboard_counties import CountyPanel
from .dashboard_editor import ScenarioEditor
from .dashboard_explain import ExplainPanel
from .dashboard_files import ScenarioFiles, combined_spec, lever_tip
from .dashboard_layout import (
    CSS,
    ROOT_CLASS,
    STALE_CLASS,
    AxisDomains,
    Viewport,
    projector_config,
    sizes,
)
from .dashboard_runs import SHOWN, Workers, joined, later, part
from .dashboard_scenario import ScenarioState
from .dashboard_specs import SpecCache, with_colors, with_y_domain
from .dashboard_state import targets, with_horizon, with_target
from .i18n import label, region_label
from .offline import offline_widgets
from .time_charts import difference_data, trajectory_data

__all__ = ["dashboard", "Dashboard", "SHOWN"]

SETTING_COLOR = "#f58518"
"""The setting's colour: the second of the charts' tableau10 scheme (the baseline has the first)."""



class Dashboard(ScenarioState):
    """The dashboard's state, controls and charts.

    The state is a :class:`~fazhi_sim.Scenario` with the lever paths of a scenario file
    (:mod:`.dashboard_state`): a slider shows its lever's target and moving it keeps the
    lever's ramp; the plan button loads ``plan-2025.toml`` as it is; a scenario file can be
    opened and the state saved as one (:meth:`to_scenario`, :meth:`save_scenario`).

    Parameters
    ----------
    scenario
        The starting state (a Scenario, file or shipped name); its targets set the sliders.
    region
        Region id (``"town"`` answers fastest).
    replicates
        Runs per scenario for the bands.
    lang
        ``"zh"`` (default) or ``"en"``.
    end_year
        Last simulated year (2025 by default; up to 2035).
    jobs
        Worker processes (default: all cores; 1 runs in the kernel).
    debounce
        Seconds of quiet after the last change before a run starts.
    model
        The model every run builds: anything :func:`~fazhi_sim.as_spec` accepts (a
        :class:`~fazhi_sim.ModelSpec`, a ``DisputeModel`` or ``Behaviour`` subclass, or
        ``"package.module:Name"``); the shipped model if None. With worker processes its
        classes must live in an importable module, not the notebook.
    uncertainty
        ``"posterior"`` (default): each replicate runs a posterior draw of the parameters as
        well as its own seed, so the bands hold what the model does not know
        (:func:`~fazhi_sim.run_ensemble`); ``"noise"``: seeds only, faster (replicates of
        one setting run as one batch) but the bands are far too narrow.

    Attributes
    ----------
    state : Scenario
        The setting the controls describe (without its region; see :meth:`to_scenario`).
    ensemble : Ensemble or None
        The last runs: the baseline and the setting (scenario names ``"baseline"`` and
        ``"scenario"``).
    specs : SpecCache
        The charts' Vega-Lite specs by layout, built once each; a move swaps their data rows
        (:mod:`fazhi_sim.views.dashboard_specs`).
    last_run_seconds : float or None
        Seconds the last move took, from the run to updated charts.
    """

    def __init__(self, scenario: Any = "plan-2025", region: str = "town", replicates: int = 10,
                 lang: str = "zh", end_year: int = 2025, jobs: int | None = None,
                 debounce: float = 0.3, model: Any = None, uncertainty: str = "posterior"):
        self.start = as_scenario(scenario)
        self.state = with_horizon(self.start.model_copy(update={"region": None}), end_year)
        self.uncertainty = uncertainty
        self.spec = as_spec(model)
        self.jobs = jobs or default_jobs()
        self.debounce = debounce
        # The workers start after the first draw (Workers says why).
        self.pool = Workers(self.jobs)
        offline_widgets()
        self._baselines: dict[tuple, Ensemble] = {}
        self._timer: Any = None
        self._lock = threading.Lock()
        self.last_run_seconds: float | None = None
        self.ensemble: Ensemble | None = None
        self.viewport = Viewport()
        self.size = sizes(0, 0)
        self.specs = SpecCache(self.size.chart_width, self.size.chart_height)
        self.domains = AxisDomains()
        self._build_controls(region, replicates, end_year, lang)
        self._build_charts()
        self._relabel()
        self._resize()

    # -- building the page
    def _build_controls(self, region: str, replicates: int, end_year: int, lang: str) -> None:
        self.sliders: dict[str, w.FloatSlider] = {}
        levels = targets(self.state)
        for lid, lv in LEVERS.items():
            step = 0.01 if lv.unit == "share" else (lv.maximum - lv.minimum) / 100
            s = w.FloatSlider(value=levels[lid], min=lv.minimum, max=lv.maximum, step=step,
                              continuous_update=False,
                              readout_format=".0%" if lv.unit == "share" else ".1f",
                              style={"description_width": "48%"}, layout=w.Layout(width="98%"))
            s.observe(lambda ch, lid=lid: self._moved(lid, ch["new"]), names="value")
            self.sliders[lid] = s
        self.region = w.Dropdown(options=region_names(), value=region,
                                 layout=w.Layout(width="98%"))
        self.replicates = w.IntSlider(value=replicates, min=1, max=50, continuous_update=False,
                                      layout=w.Layout(width="98%"))
        self.year = w.IntSlider(value=end_year, min=min(2025, end_year), max=2035,
                                continuous_update=False, layout=w.Layout(width="98%"))
        self.lang = w.ToggleButtons(options=[("中文", "zh"), ("English", "en")], value=lang,
                                    style={"button_width": "auto"})
        self.baseline_button = w.Button(icon="undo", layout=w.Layout(width="auto"))
        self.plan_button = w.Button(icon="flag", button_style="info",
                                    layout=w.Layout(width="auto"))
        self.files = ScenarioFiles(self)
        self.progress = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="98%"))
        self.status = w.HTML()
        self.ramp_note = w.HTML()
        self.sections = w.Accordion()
        self.baseline_button.on_click(lambda _: self.set_levels("baseline"))
        self.plan_button.on_click(lambda _: self.set_levels("plan"))
        self.region.observe(self._region_changed, names="value")
        self.replicates.observe(self._changed, names="value")
        self.year.observe(self._horizon_changed, names="value")
        self.lang.observe(self._relabel, names="value")
        self.viewport.observe(self._window_changed, names="size")

    def _build_charts(self) -> None:
        # SVG rather than canvas: crisp on projectors, and the marks can be inspected.
        embed = {"renderer": "svg", "actions": False}
        self.charts = {m: alt.JupyterChart(alt.Chart().mark_point(), embed_options=embed)
                       for m in SHOWN}
        self.diffs = {m: alt.JupyterChart(alt.Chart().mark_point(), embed_options=embed)
                      for m in SHOWN}
        self.why = ExplainPanel(self.lang.value, embed_options=embed)
        self.counties = CountyPanel(self, embed)
        self.editor = ScenarioEditor(self)
        self.costs = CostsPanel(self)
        self.controls = w.VBox([w.HBox([self.baseline_button, self.plan_button],
                                       layout=w.Layout(flex_flow="row wrap")),
                                self.region, self.year, self.replicates, self.lang,
                                self.ramp_note, self.sections, self.files.widget,
                                self.progress, self.status])
        self.graphs = w.VBox([*(w.HBox([self.charts[m], self.diffs[m]],
                                       layout=w.Layout(flex_flow="row wrap")) for m in SHOWN),
                              self.counties.widget, self.why.widget])
        main = w.HBox([self.controls, self.graphs], layout=w.Layout(width="100%"))
        self.tabs = w.Tab([main, self.editor.widget, self.costs.widget])
        self.tabs.observe(self._tab_changed, names="selected_index")
        self.widget = w.VBox([w.HTML(CSS), self.viewport, self.tabs],
                             layout=w.Layout(width="100%"))
        self.widget.add_class(ROOT_CLASS)

    RESIZE_WAIT = (2.0, 0.5)
    """Seconds before the charts are redrawn for the window: the first time, and after."""

    def _window_changed(self, *_: Any) -> None:
        # A chart given a new spec while it still draws the last one may end up showing the
        # older (the browser draws both at once): the first redraw waits for the page's own.
        first = self._resized is None
        if self._resized is not None:
            self._resized.cancel()
        self._resized = later(self.RESIZE_WAIT[0 if first else 1], self._resize)

    _resized: Any = None

    def _resize(self, *_: Any) -> None:
        size = sizes(*self.viewport.size)
        if size == self.size and self.controls.layout.width:
            return
        self.size = size
        self.controls.layout.width = size.controls
        self.graphs.layout.width = size.graphs
        self.specs = SpecCache(size.chart_width, size.chart_height)
        self.why.resize(size.wide_width, size.chart_height)
        if self.ensemble is not None:
            with self._lock:
                self._draw()

    # -- labels
    def _relabel(self, *_: Any) -> None:
        lang = self.lang.value
        zh = lang == "zh"
        for lid, s in self.sliders.items():
            s.description = label(lid, lang)
            s.tooltip = lever_tip(lid, lang)
        groups: dict[str, list[w.Widget]] = {}
        for lid, lv in LEVERS.items():
            groups.setdefault(lv.section, []).append(self.sliders[lid])
        order = [s for s in PLAN_SECTIONS if s in groups]
        self.sections.children = [w.VBox(groups[s]) for s in order]
        for i, s in enumerate(order):
            title = PLAN_SECTIONS[s][0 if zh else 1]
            self.sections.set_title(i, f"{s}、{title}" if zh else title)
        keep, self._quiet = self.region.value, True
        try:  # new option labels would otherwise reset the chosen region
            self.region.options = [(region_label(r, lang), r) for r in region_names()]
            self.region.value = keep
        finally:
            self._quiet = False
        self.region.description = label("region", lang)
        self.year.description = label("dash_last_year", lang)
        self.replicates.description = label("replicates", lang)
        self.baseline_button.description = label("dash_baseline_button", lang)
        self.plan_button.description = label("dash_plan_button", lang)
        self.ramp_note.value = f"<small>{label('dash_ramp_note', lang)}</small>"
        for i, key in enumerate(("dash_tab_main", "dash_tab_editor", "dash_tab_costs")):
            self.tabs.set_title(i, label(key, lang))
        self.why.relabel(lang)
        for panel in (self.files, self.counties, self.editor, self.costs):
            panel.relabel(lang)
        if self.ensemble is not None:
            self._draw()

    def load(self, scenario: Any) -> None:
        """Make ``scenario`` the setting, and run it.

        Parameters
        ----------
        scenario : Scenario, str or path-like
            A Scenario, a scenario file or a shipped name; its region (if it names one) and
            last year set those controls.
        """
        sc = as_scenario(scenario)
        where = (self.region.value, self.year.value)
        with self._held():
            if sc.region is not None and sc.region in region_names():
                self.region.value = sc.region
            self.year.min = min(self.year.min, sc.end_year)
            self.year.value = max(self.year.min, min(self.year.max, sc.end_year))
            self.state = with_horizon(sc.model_copy(update={"region": None}),
                                      int(self.year.value))
            for lid, value in targets(self.state).items():
                self.sliders[lid].value = value
        if (self.region.value, self.year.value) != where:  # new axes; old charts dimmed
            self.domains.clear()
            self.graphs.add_class(STALE_CLASS)
        self.editor.show(self.state)
        self._changed()

    def _moved(self, lid: str, value: float) -> None:
        # Set quietly (a test, a benchmark, several sliders at once) still changes the state:
        # only the scheduled run is left to the caller.
        sch = self.state.levers.get(lid)
        now = sch.target if sch is not None else LEVERS[lid].baseline
        if abs(float(value) - now) <= 1e-12:
            return  # the slider shows the state already (a file was loaded)
        sc = with_target(self.state, lid, float(value))
        if not self.state.name.startswith("dashboard"):
            sc = sc.model_copy(update={
                "name": "dashboard", "title": label("dash_moved_title", "zh").format(
                    title=self.state.display_title)[:120]})
        self.state = sc
        if self.tabs.selected_index == 1:
            self.editor.show(self.state)
        self._changed()

    _quiet = False

    @contextlib.contextmanager
    def _held(self) -> Iterator[None]:
        """Controls set in here schedule no run (the caller runs once after)."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    # -- running
    def _region_changed(self, *_: Any) -> None:
        if self._quiet:
            return
        # The old region's charts would read as current under "running": dim them.
        self.graphs.add_class(STALE_CLASS)
        self.domains.clear()
        self._changed()

    def _horizon_changed(self, *_: Any) -> None:
        if self._quiet:
            return
        self.domains.clear()
        self._changed()

    def _tab_changed(self, *_: Any) -> None:
        if self.tabs.selected_index == 1:
            self.editor.show(self.state)
        if self.tabs.selected_index == 2 and self.ensemble is not None:
            self.costs.update(self.ensemble)

    def _changed(self, *_: Any) -> None:
        if self._quiet:
            return
        self.status.value = label("dash_running", self.lang.value)
        if self._timer is not None:
            self._timer.cancel()
        self._timer = later(self.debounce, self.run)

    def workers(self) -> Any:
        """The executor runs go to.

        Returns
        -------
        concurrent.futures.Executor
            The worker processes (or this process with ``jobs=1``).
        """
        return self.pool.executor()

    def workers_ready(self, timeout: float | None = 0) -> bool:
        """Whether every worker process has loaded the engine.

        Parameters
        ----------
        timeout : float or None
            Seconds to wait (None: until they have).

        Returns
        -------
        bool
            True once all have.
        """
        return self.pool.ready(timeout)

    def run(self) -> float:
        """Run the setting (and the baseline if not cached) and redraw.

        Returns
        -------
        float
            Seconds from the start of the runs to updated charts.
        """
        with self._lock:
            t0 = time.perf_counter()
            reps, region, year = int(self.replicates.value), self.region.value, self.year.value
            setting = self.scenario()
            key = (region, reps, year, setting.start_year, setting.params.model_dump_json(),
                   self.spec, self.uncertainty)
            self.progress.max, self.progress.value = 2, 0
            self.status.value = label("dash_running", self.lang.value)
            ex = self.pool.ready_executor()
            todo = {"scenario": setting}
            if key not in self._baselines:  # run with the setting: all workers busy at once
                todo = {"baseline": baseline(setting.start_year, year).model_copy(
                    update={"params": setting.params}), **todo}
            ens = run_ensemble(todo, replicates=reps, region=region, executor=ex,
                               progress=False, model=self.spec, uncertainty=self.uncertainty)
            if "baseline" in todo:
                self._baselines[key] = part(ens, "baseline")
            self.progress.value = 1
            self.ensemble = joined(self._baselines[key], part(ens, "scenario"))
            self._draw()
            # The counters came with the same runs: splitting the change needs no new run.
            self.why.update(self.ensemble, "scenario", int(year))
            if self.tabs.selected_index == 2:
                self.costs.update(self.ensemble)
            self.graphs.remove_class(STALE_CLASS)
            self.progress.value = 2
            self.last_run_seconds = time.perf_counter() - t0
            self.status.value = label("dash_seconds_taken", self.lang.value).format(
                s=self.last_run_seconds)
            self.pool.executor()  # the first picture is up: now the workers may start
            return self.last_run_seconds

    def _draw(self) -> None:
        assert self.ensemble is not None
        lang = self.lang.value
        summ = self.ensemble.summary()
        comp = self.ensemble.compare("baseline")
        names = {"baseline": label("dash_baseline", lang),
                 "scenario": label("dash_setting", lang)}
        summ["scenario"] = summ.scenario.astype(str).map(names)
        comp["scenario"] = comp.scenario.astype(str).map(names)
        comp["baseline"] = names["baseline"]
        whole = self.ensemble.whole_region()
        for m in SHOWN:
            # The synced spec is set directly: the charts are built by our own tested code,
            # and skipping Altair's schema validation saves a tenth of a second per move.
            layout = (m, lang, self.region.value, int(summ["n"].max()))
            rows = trajectory_data(summ, m, whole)
            spec = self.specs.spec(("trajectory", *layout), rows,
                                   lambda m=m: charts.trajectories(summ, m, lang=lang))
            self.charts[m].spec = self._fixed(spec, ("trajectory", m), rows)
            rows = difference_data(comp, m, whole)
            spec = self.specs.spec(("difference", *layout), rows,
                                   lambda m=m: charts.difference(comp, m, lang=lang))
            self.diffs[m].spec = self._fixed(spec, ("difference", m), rows)
        self.counties.update(self.ensemble)

    def _fixed(self, spec: dict, key: tuple, rows: Any) -> dict:
        """``spec`` in projector type with the y-axis kept for ``key`` (see AxisDomains)."""
        low, high = float(rows[["q10", "median"]].min().min()), float(
            rows[["q90", "median"]].max().max())
        if key[0] == "difference":
            low, high = min(low, 0.0), max(high, 0.0)
        domain = self.domains.domain(key, low, high, from_zero=key[0] == "trajectory")
        spec = with_y_domain(spec, domain)
        if key[0] == "difference":  # the setting's colour, as in the trajectory beside it
            spec = with_colors(spec, [SETTING_COLOR])
        return projector_config(spec, self.size)

    def view_spec(self) -> dict:
        """The four charts as they are shown, as one Vega-Lite spec.

        Returns
        -------
        dict
            The spec the PNG export renders.
        """
        return combined_spec([[self.charts[m].spec, self.diffs[m].spec] for m in SHOWN])

    def close(self) -> None:
        """Stop the worker processes (and a budget search still running in them)."""
        if self._timer is not None:
            self._timer.cancel()
        self.costs.cancel()
        self.pool.close()


def dashboard(scenario: Any = "plan-2025", region: str = "town", replicates: int = 10,
              lang: str = "zh", model: Any = None, **kwargs: Any) -> w.Widget:
    """Build the what-if dashboard and run it once.

    Parameters
    ----------
    scenario, region, replicates, lang, model, **kwargs
        See :class:`Dashboard`.

    Returns
    -------
    ipywidgets.Widget
        The layout; its ``.dashboard`` attribute is the :class:`Dashboard` behind it.

    Examples
    --------
    >>> import fazhi_sim as fs
    >>> fs.dashboard(region="town")   # doctest: +SKIP
    >>> fs.dashboard(region="town", model=fs.ModelSpec(behaviour=MyResidents))  # doctest: +SKIP
    """
    d = Dashboard(scenario, region=region, replicates=replicates, lang=lang, model=model,
                  **kwargs)
    d.run()
    d.widget.dashboard = d
    return d.widget

