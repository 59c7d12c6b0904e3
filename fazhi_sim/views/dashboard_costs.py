"""The dashboard's costs tab: cost per avoided lawsuit and petition, and a budget's best mix.

The cost-effectiveness table divides the setting's yearly cost above the 2020 baseline
(:func:`~fazhi_sim.analysis.costs.annual_cost`) by the lawsuits and petitions it avoids in
the last year, paired replicate by replicate against the baseline, from the runs the
dashboard has already made (:func:`~fazhi_sim.analysis.costs.cost_effectiveness`). The
optimizer (:func:`~fazhi_sim.analysis.optimize.optimize_budget`) runs hundreds of
simulations: it starts on a button, runs in a thread on the dashboard's worker processes,
counts its finished runs in a progress bar and leaves the sliders usable meanwhile.
"""

from __future__ import annotations

import html
import threading
import time
from concurrent.futures import Executor, Future
from typing import Any

import ipywidgets as w
import numpy as np

from ..analysis.costs import cost_effectiveness
from ..analysis.optimize import BudgetResult, optimize_budget
from ..engine.measures import LEVERS
from ..experiments.ensemble import Ensemble
from .i18n import label

__all__ = ["CostsPanel", "CountingExecutor", "SEARCH"]

SEARCH = {"replicates": 3, "samples": 12, "refine_rounds": 1, "refine_size": 6}
"""The optimizer's effort from the dashboard: a quick search (the CLI does a fuller one)."""


class Cancelled(RuntimeError):
    """The search was stopped (the dashboard closed)."""


class CountingExecutor(Executor):
    """An executor that hands work to another and counts what has finished."""

    def __init__(self, inner: Any, on_done: Any = None):
        self.inner, self.on_done = inner, on_done
        self.done = 0
        self.cancelled = False
        self._lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        """Hand ``fn(*args, **kwargs)`` on; refused once the search was cancelled."""
        if self.cancelled:
            raise Cancelled("the budget search was stopped")
        fut = self.inner.submit(fn, *args, **kwargs)
        fut.add_done_callback(self._finished)
        return fut

    def _finished(self, _fut: Future) -> None:
        with self._lock:
            self.done += 1
        if self.on_done is not None:
            self.on_done(self.done)


def _yuan(x: float) -> str:
    return f"{x:,.0f}" if np.isfinite(x) else "—"


class CostsPanel:
    """Cost-effectiveness of the setting and the budget optimizer, as a tab."""

    def __init__(self, dash: Any):
        self.dash = dash
        self.table = w.HTML()
        self.budget = w.BoundedFloatText(value=100.0, min=0.0, max=1e7, step=10.0,
                                         style={"description_width": "initial"})
        self.button = w.Button(icon="search", button_style="primary",
                               layout=w.Layout(width="auto"))
        self.progress = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="60%"))
        self.message = w.HTML()
        self.apply_button = w.Button(icon="check", layout=w.Layout(display="none",
                                                                    width="auto"))
        self.result: BudgetResult | None = None
        self.thread: threading.Thread | None = None
        self._counter: CountingExecutor | None = None
        self.button.on_click(lambda _: self.optimize())
        self.apply_button.on_click(lambda _: self.use_result())
        self.widget = w.VBox([self.table, w.HBox([self.budget, self.button],
                                                 layout=w.Layout(flex_flow="row wrap")),
                              self.progress, self.message, self.apply_button])

    def relabel(self, lang: str) -> None:
        """Words in ``lang``."""
        self.budget.description = label("dash_budget", lang)
        self.button.description = label("dash_optimize", lang)
        self.apply_button.description = label("dash_optimize_apply", lang)
        if self.result is not None:
            self._show_result(self.result, 0.0)

    # -- cost per avoided case
    def update(self, ensemble: Ensemble) -> None:
        """Cost per avoided lawsuit and petition of the setting in the last year."""
        lang, year = self.dash.lang.value, int(self.dash.year.value)
        ce = cost_effectiveness(ensemble, baseline="baseline", year=year)
        ce = ce[ce.scenario == "scenario"]
        head = label("dash_costs_head", lang).split("|")
        body = []
        for row in ce.itertuples():
            per = row.yuan_per_avoided
            if row.cost_yuan <= 0:
                per_text = label("dash_costs_free", lang)
            elif not row.avoided_median > 0:
                per_text = label("dash_costs_none", lang)
            else:
                per_text = (f"{_yuan(per)} [{_yuan(row.yuan_per_avoided_q10)}, "
                            f"{_yuan(row.yuan_per_avoided_q90)}]")
            body.append([label(f"dash_costs_{row.outcome}", lang), _yuan(row.cost_yuan),
                         f"{row.avoided_median:,.1f} [{row.avoided_q10:,.1f}, "
                         f"{row.avoided_q90:,.1f}]", per_text])
        self.table.value = _table(label("dash_costs_title", lang).format(year=year), head,
                                  body)

    # -- the budget optimizer
    def optimize(self) -> threading.Thread:
        """Start the search for the budget in the box; returns its thread (already running)."""
        if self.thread is not None and self.thread.is_alive():
            return self.thread
        lang = self.dash.lang.value
        self.result = None
        self.apply_button.layout.display = "none"
        self.progress.value = 0
        self.progress.max = _expected_runs()
        self.message.value = label("dash_optimize_running", lang).format(done=0)

        def step(done: int) -> None:
            self.progress.value = min(done, self.progress.max)
            self.message.value = label("dash_optimize_running", lang).format(done=done)

        self._counter = CountingExecutor(self.dash.workers(), step)
        self.thread = threading.Thread(target=self._search, args=(self._counter,),
                                       daemon=True)
        self.thread.start()
        return self.thread

    def _search(self, executor: CountingExecutor) -> None:
        t0 = time.perf_counter()
        try:
            res = optimize_budget(float(self.budget.value) * 1e4, region=self.dash.region.value,
                                  year=int(self.dash.year.value), executor=executor,
                                  progress=False, model=self.dash.spec,
                                  uncertainty=self.dash.uncertainty, **SEARCH)
        except Cancelled:
            return
        except Exception as err:  # noqa: BLE001 - shown to the user as one line
            self.message.value = label("dash_optimize_failed", self.dash.lang.value).format(
                error=html.escape(str(err).splitlines()[0] if str(err) else type(err).__name__))
            return
        self.result = res
        self.progress.value = self.progress.max
        self._show_result(res, time.perf_counter() - t0)

    def _show_result(self, res: BudgetResult, seconds: float) -> None:
        lang = self.dash.lang.value
        rows = [label("dash_optimize_row", lang).format(
            lever=label(lid, lang), level=f"{v:.2f}", base=f"{LEVERS[lid].baseline:g}")
            for lid, v in res.mix.items() if abs(v - LEVERS[lid].baseline) > 1e-9]
        head = label("dash_optimize_done", lang).format(budget=f"{res.budget_yuan / 1e4:,.0f}",
                                                        s=seconds)
        cost = label("dash_optimize_cost", lang).format(yuan=f"{res.cost['yuan'] / 1e4:,.1f}",
                                                        objective=res.objective)
        self.message.value = (f"<p>{html.escape(head)}</p><ul>"
                              + "".join(f"<li>{html.escape(r)}</li>" for r in rows)
                              + f"</ul><p>{html.escape(cost)}</p>")
        self.apply_button.layout.display = "inline-flex"

    def use_result(self) -> None:
        """Make the optimizer's mix the dashboard's setting (step changes from 2021)."""
        if self.result is None:
            return
        sc = self.result.scenario("dashboard-optimised").model_copy(update={
            "title": label("dash_optimized_title", "zh")})
        self.dash.load(sc)

    def cancel(self) -> None:
        """Stop a running search at its next simulation."""
        if self._counter is not None:
            self._counter.cancelled = True


def _expected_runs() -> int:
    """Simulations the dashboard's search runs (its candidates times replicates)."""
    candidates = SEARCH["samples"] + len(LEVERS) + 1 + SEARCH["refine_rounds"] * SEARCH[
        "refine_size"] + 3
    return candidates * SEARCH["replicates"]


def _table(title: str, head: list[str], body: list[list[str]]) -> str:
    cells = "".join(f"<th style='text-align:left;padding:4px 10px'>{html.escape(h)}</th>"
                    for h in head)
    rows = "".join("<tr>" + "".join(f"<td style='padding:4px 10px'>{html.escape(c)}</td>"
                                    for c in r) + "</tr>" for r in body)
    return (f"<h3>{html.escape(title)}</h3><table style='font-size:16px;border-collapse:"
            f"collapse'><tr>{cells}</tr>{rows}</table>")
