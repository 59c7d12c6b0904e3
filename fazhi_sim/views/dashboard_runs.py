"""The dashboard's runs: worker processes, the baseline's and the setting's runs joined.

Also :func:`later`, the debounced call on the kernel's event loop the controls schedule.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import wait as futures_wait
from typing import Any

from ..experiments.batches import warm_up
from ..experiments.ensemble import Ensemble
from ..experiments.executors import LocalProcesses, Serial

__all__ = ["SHOWN", "KEPT", "Workers", "part", "joined", "later"]

SHOWN = ("lawsuits_per_10k", "petitions")
"""Metrics charted: 万人成讼率 and 信访量."""

KEPT = ("lawsuits_per_10k", "petitions", "population", "lawsuits")
"""Metrics the dashboard's ensemble keeps: the charted ones, what the pathway split needs and
the yearly lawsuits the costs tab divides by."""


def part(ens: Ensemble, name: str) -> Ensemble:
    """The runs (and counters) of one scenario of ``ens``."""
    def rows(df: Any) -> Any:
        return None if df is None else df[df.scenario == name]

    return Ensemble(rows(ens.runs), {name: ens.scenarios[name]},
                    model_label=ens.model_label, counters=rows(ens.counters))


def joined(base: Ensemble, mine: Ensemble) -> Ensemble:
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




class Workers:
    """Worker processes kept for the dashboard's life (none with ``jobs=1``).

    They are started after the first draw, not with the page: a worker's start (imports,
    compiled kernels) takes a core for seconds, and on two cores two starting workers slowed
    the first picture, which this process draws alone, to about 4 s.
    """

    def __init__(self, jobs: int):
        self.jobs = jobs
        self._pool: LocalProcesses | None = None
        self._executor: Any = None
        self._warming: list = []

    def executor(self) -> Any:
        """The workers' executor, started on first use (this process with ``jobs=1``)."""
        if self.jobs <= 1:
            return Serial()
        if self._executor is None:
            self._pool = LocalProcesses(self.jobs)
            self._executor = self._pool.__enter__()
            # One warm-up per worker: each loads the engine in the background, so no move
            # waits for imports and compiled kernels.
            self._warming = [self._executor.submit(warm_up) for _ in range(self.jobs)]
        return self._executor

    def ready(self, timeout: float | None = 0) -> bool:
        """True once every worker has loaded the engine (waits up to ``timeout`` s)."""
        if self._warming:
            futures_wait(self._warming, timeout=timeout)
        return all(f.done() for f in self._warming)

    def ready_executor(self) -> Any:
        """The workers once started and loaded; until then this process (starts none).

        A worker takes seconds to import the engine; this process has it already, so the
        first draw runs here rather than wait (moves after it go to the workers).
        """
        if self._executor is None or not self.ready():
            return Serial()
        return self._executor

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.__exit__(None, None, None)
            self._pool = self._executor = None


def later(seconds: float, fn: Any) -> Any:
    """Call ``fn`` after ``seconds``: on the kernel's event loop if there is one (cancellable)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:  # in a kernel: schedule on its event loop
        return loop.call_later(seconds, fn)
    timer = threading.Timer(seconds, fn)
    timer.daemon = True  # a pending redraw must not keep Python from exiting
    timer.start()
    return timer
