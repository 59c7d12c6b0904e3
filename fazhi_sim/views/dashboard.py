"""The what-if dashboard: one slider per plan measure, charts that answer in half a second.

``dashboard()`` returns an ipywidgets layout for JupyterLab or Voilà. Moving a control
schedules a run (debounced, so a drag makes one run, not twenty); the scenario's replicates
run on worker processes kept for the dashboard's life (the first draw runs here while they
start), the baseline is computed once per region and horizon, and the Altair
``JupyterChart``s are updated in place. JavaScript comes from the installed vl-convert bundle
(:func:`~fazhi_sim.views.offline.offline_widgets`): no CDN, so it works on an intranet. Below
the charts, the "why did it change" panel (:mod:`.dashboard_explain`) splits the last year's
change by pathway from counters the same runs collect.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import wait as futures_wait
from typing import Any

import altair as alt
import ipywidgets as w

from ..engine.measures import LEVERS, PLAN_SECTIONS
from ..engine.region import region_names
from ..engine.scenario import LeverSchedule, Scenario
from ..experiments.batches import warm_up
from ..experiments.ensemble import Ensemble, run_ensemble
from ..experiments.executors import LocalProcesses, Serial, default_jobs
from ..experiments.simulate import as_scenario
from ..experiments.spec import as_spec
from . import charts
from .dashboard_explain import ExplainPanel
from .dashboard_specs import SpecCache
from .i18n import label, region_label
from .offline import offline_widgets
from .time_charts import difference_data, trajectory_data

__all__ = ["dashboard", "Dashboard"]

SHOWN = ("lawsuits_per_10k", "petitions")
"""Metrics charted: 万人成讼率 and 信访量."""

KEPT = (*SHOWN, "population")
"""Metrics the dashboard's ensemble keeps: the charted ones and what the pathway split needs."""


def _current_level(sc: Scenario, lever_id: str, year: int) -> float:
    import numpy as np

    return float(sc.lever_values(np.array([float(year)]))[lever_id][0])


class Dashboard:
    """The dashboard's state, controls and charts.

    Parameters
    ----------
    scenario
        Starting lever levels (a Scenario, file or shipped name); its levels at
        ``end_year`` set the sliders.
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
        self.uncertainty = uncertainty
        self.spec = as_spec(model)
        self.jobs = jobs or default_jobs()
        self.debounce = debounce
        self._pool: LocalProcesses | None = None
        self._executor: Any = None
        self._warming: list = []
        # The workers start first and load the engine while this process builds the page.
        self._get_executor()
        offline_widgets()
        self._baselines: dict[tuple, Ensemble] = {}
        self._timer: Any = None
        self._lock = threading.Lock()
        self.last_run_seconds: float | None = None
        self.ensemble: Ensemble | None = None
        self.specs = SpecCache(300, 180)

        self.sliders: dict[str, w.FloatSlider] = {}
        for lid, lv in LEVERS.items():
            step = 0.01 if lv.unit == "share" else (lv.maximum - lv.minimum) / 100
            s = w.FloatSlider(value=_current_level(self.start, lid, end_year), min=lv.minimum,
                              max=lv.maximum, step=step, continuous_update=False,
                              readout_format=".0%" if lv.unit == "share" else ".1f",
                              style={"description_width": "initial"},
                              layout=w.Layout(width="98%"))
            self.sliders[lid] = s
        self.region = w.Dropdown(options=region_names(), value=region)
        self.replicates = w.IntSlider(value=replicates, min=1, max=50, continuous_update=False)
        self.year = w.IntSlider(value=end_year, min=2025, max=2035, continuous_update=False)
        self.lang = w.ToggleButtons(options=[("中文", "zh"), ("English", "en")], value=lang)
        self.baseline_button = w.Button(icon="undo")
        self.plan_button = w.Button(icon="flag", button_style="info")
        self.progress = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="98%"))
        self.status = w.HTML()
        self.sections = w.Accordion()
        # SVG rather than canvas: crisp on projectors, and the marks can be inspected.
        embed = {"renderer": "svg", "actions": False}
        self.charts = {m: alt.JupyterChart(alt.Chart().mark_point(), embed_options=embed)
                       for m in SHOWN}
        self.diffs = {m: alt.JupyterChart(alt.Chart().mark_point(), embed_options=embed)
                      for m in SHOWN}
        self.why = ExplainPanel(lang, embed_options=embed)

        self.baseline_button.on_click(lambda _: self.set_levels("baseline"))
        self.plan_button.on_click(lambda _: self.set_levels("plan"))
        for control in (*self.sliders.values(), self.region, self.replicates, self.year):
            control.observe(self._changed, names="value")
        self.lang.observe(self._relabel, names="value")
        self._relabel()
        controls = w.VBox([self.baseline_button, self.plan_button, self.region, self.year,
                           self.replicates, self.lang, self.sections, self.progress,
                           self.status], layout=w.Layout(width="36%"))
        graphs = w.VBox([*(w.HBox([self.charts[m], self.diffs[m]]) for m in SHOWN),
                         self.why.widget], layout=w.Layout(width="64%"))
        self.widget = w.HBox([controls, graphs])

    # -- labels
    def _relabel(self, *_: Any) -> None:
        lang = self.lang.value
        zh = lang == "zh"
        for lid, s in self.sliders.items():
            lv = LEVERS[lid]
            s.description = lv.name_zh if zh else lv.name_en
            art = f"第{lv.article}条" if "(" not in lv.article else f"第{lv.article}"
            s.tooltip = (f"{art}: {lv.mechanism}" if zh else
                         f"Plan article {lv.article}: {lv.mechanism}")
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
        self.why.relabel(lang)
        if self.ensemble is not None:
            self._draw()

    # -- scenario from the controls
    def scenario(self) -> Scenario:
        """The scenario the controls describe: each lever at its slider level from 2021."""
        levers = {lid: LeverSchedule(target=float(s.value)) for lid, s in self.sliders.items()
                  if abs(s.value - LEVERS[lid].baseline) > 1e-12}
        return Scenario(name="dashboard", start_year=2021, end_year=int(self.year.value),
                        levers=levers, params=self.start.params)

    def set_levels(self, which: str) -> None:
        """Set every slider to the 2020 level (``"baseline"``) or the plan's 2025 level."""
        with self.widget.hold_sync() if hasattr(self.widget, "hold_sync") else _null():
            self._quiet = True
            try:
                for lid, s in self.sliders.items():
                    lv = LEVERS[lid]
                    s.value = lv.baseline if which == "baseline" else lv.plan_2025
            finally:
                self._quiet = False
        self._changed()

    _quiet = False

    # -- running
    def _changed(self, *_: Any) -> None:
        if self._quiet:
            return
        self.status.value = "…"
        if self._timer is not None:
            self._timer.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:  # in a kernel: schedule on its event loop
            self._timer = loop.call_later(self.debounce, self.run)
        else:
            self._timer = threading.Timer(self.debounce, self.run)
            self._timer.start()

    def _get_executor(self) -> Any:
        if self.jobs <= 1:
            return Serial()
        if self._executor is None:
            self._pool = LocalProcesses(self.jobs)
            self._executor = self._pool.__enter__()
            # One warm-up per worker: each starts now and loads the engine in the background,
            # so the first draw does not wait for imports and compiled kernels.
            self._warming = [self._executor.submit(warm_up) for _ in range(self.jobs)]
        return self._executor

    def workers_ready(self, timeout: float | None = 0) -> bool:
        """True once every worker process has loaded the engine (waits up to ``timeout`` s)."""
        if self._warming:
            futures_wait(self._warming, timeout=timeout)
        return all(f.done() for f in self._warming)

    def _ready_executor(self) -> Any:
        """The workers once they have loaded the engine; until then this process.

        A worker takes seconds to import the engine; this process has it already, so the
        first draw runs here rather than wait (moves after it go to the workers).
        """
        ex = self._get_executor()
        return ex if self.workers_ready() else Serial()

    def run(self) -> float:
        """Run the scenario (and the baseline if not cached) and redraw; returns seconds."""
        with self._lock:
            t0 = time.perf_counter()
            reps, region, year = int(self.replicates.value), self.region.value, self.year.value
            key = (region, reps, year, self.start.params.model_dump_json(), self.spec,
                   self.uncertainty)
            self.progress.max, self.progress.value = 2, 0
            self.status.value = label("dash_running", self.lang.value)
            ex = self._ready_executor()
            todo = {"scenario": self.scenario()}
            if key not in self._baselines:  # run with the setting: all workers busy at once
                todo = {"baseline": Scenario(name="baseline", end_year=year,
                                             params=self.start.params), **todo}
            ens = run_ensemble(todo, replicates=reps, region=region, executor=ex,
                               progress=False, model=self.spec, uncertainty=self.uncertainty)
            if "baseline" in todo:
                self._baselines[key] = _part(ens, "baseline")
            self.progress.value = 1
            self.ensemble = _joined(self._baselines[key], _part(ens, "scenario"))
            self._draw()
            # The counters came with the same runs: splitting the change needs no new run.
            self.why.update(self.ensemble, "scenario", int(year))
            self.progress.value = 2
            self.last_run_seconds = time.perf_counter() - t0
            self.status.value = label("dash_seconds", self.lang.value).format(
                s=self.last_run_seconds)
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
        for m in SHOWN:
            # The synced spec is set directly: the charts are built by our own tested code,
            # and skipping Altair's schema validation saves a tenth of a second per move.
            layout = (m, lang, self.region.value, int(summ["n"].max()))
            self.charts[m].spec = self.specs.spec(
                ("trajectory", *layout), trajectory_data(summ, m),
                lambda m=m: charts.trajectories(summ, m, lang=lang))
            self.diffs[m].spec = self.specs.spec(
                ("difference", *layout), difference_data(comp, m),
                lambda m=m: charts.difference(comp, m, lang=lang))

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.__exit__(None, None, None)
            self._pool = self._executor = None


def _part(ens: Ensemble, name: str) -> Ensemble:
    """The runs (and counters) of one scenario of ``ens``."""
    def rows(df: Any) -> Any:
        return None if df is None else df[df.scenario == name]

    return Ensemble(rows(ens.runs), {name: ens.scenarios[name]},
                    model_label=ens.model_label, counters=rows(ens.counters))


def _joined(base: Ensemble, mine: Ensemble) -> Ensemble:
    """The baseline's and the setting's runs as one ensemble, with their counters."""
    import pandas as pd

    def both(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
        out = pd.concat([a, b], ignore_index=True)
        out["scenario"] = pd.Categorical(out.scenario.astype(str),
                                         categories=["baseline", "scenario"])
        return out

    # Only the metrics kept: summarising all 22 would cost a third of a second.
    runs = both(base.runs[base.runs.metric.isin(KEPT)], mine.runs[mine.runs.metric.isin(KEPT)])
    counters = (both(base.counters, mine.counters)
                if base.counters is not None and mine.counters is not None else None)
    scenarios = {"baseline": base.scenarios["baseline"], "scenario": mine.scenarios["scenario"]}
    return Ensemble(runs, scenarios, model_label=mine.model_label, counters=counters)


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


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

