"""Ensembles: replicates of several scenarios, with bands, paired differences and targets.

Replicate ``k`` of every scenario runs with seed ``seed + k``; every random draw a lever does
not touch is keyed by that seed (streams.py), so the paired difference of two scenarios in one
replicate is the levers' effect with most of the noise cancelled (common random numbers).
Every run builds the same model (:class:`~fazhi_sim.ModelSpec`, ``model=``), so a researcher's
subclass runs on process pools and Dask exactly as the shipped model does.
"""

from __future__ import annotations

import contextlib
import numbers
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, as_completed
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from ..engine.region import Region, get_region
from ..engine.scenario import Scenario
from .batches import plan_tasks, run_task
from .ensemble_result import QUANTILES, SHIPPED_MODEL, TARGET_METRICS, Ensemble, bands
from .executors import LocalProcesses, Serial, default_jobs
from .posterior import UNCERTAINTIES, draw_for, load_posterior, with_draw
from .simulate import COUNTER_PREFIX, as_scenario
from .spec import ModelSpec, as_spec
from .store import RunStore, StoreWarning

__all__ = ["run_ensemble", "Ensemble", "RunStore", "QUANTILES", "MAX_REPLICATES", "bands",
           "SHIPPED_MODEL", "TARGET_METRICS"]

MAX_REPLICATES = 10_000
"""Most replicates per scenario one call runs (larger studies run in parts, by seed)."""



def _named(scenarios: Iterable | Mapping) -> dict[str, Scenario]:
    if isinstance(scenarios, Mapping):
        items = [(str(k), as_scenario(v)) for k, v in scenarios.items()]
    else:
        if isinstance(scenarios, str | os.PathLike | Scenario):
            scenarios = [scenarios]
        items = [(sc.name, sc) for sc in (as_scenario(s) for s in scenarios)]
    names = [n for n, _ in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"scenario names must differ; repeated: {', '.join(dupes)} "
                         "(pass a dict of name -> scenario to rename)")
    return dict(items)


def run_ensemble(
    scenarios: Sequence | Mapping,
    replicates: int = 10,
    region: str | Region | None = None,
    executor: Executor | None = None,
    store: str | os.PathLike | None = None,
    progress: bool = True,
    seed: int = 0,
    jobs: int | None = None,
    model: Any = None,
    batch: int | None = None,
    uncertainty: str = "posterior",
    posterior: str | os.PathLike | pd.DataFrame | None = None,
) -> Ensemble:
    """Run every scenario ``replicates`` times and collect the results.

    Parameters
    ----------
    scenarios
        Scenarios, scenario files or shipped names (``"baseline"``), or a dict of
        name -> scenario. Names must differ.
    replicates
        Runs per scenario, 1 to :data:`MAX_REPLICATES` (else ``ValueError``); replicate ``k``
        uses seed ``seed + k`` in every scenario.
    region
        Region for every run (default: each scenario's own, else ``"town"``).
    executor
        Any ``concurrent.futures.Executor`` (e.g. ``dask.distributed.Client.get_executor()``).
        By default, local processes on all cores (``jobs``), or this process for one job.
    store
        A folder: each finished run is written there at once and runs already there are read,
        so an interrupted sweep resumes where it stopped (finished runs are stored first).
    progress
        Show a progress bar (terminal or notebook).
    seed
        Seed of replicate 0.
    jobs
        Local processes when no executor is given (default: all cores).
    model
        The model every run builds: a :class:`~fazhi_sim.ModelSpec`, a
        :class:`~fazhi_sim.DisputeModel` or :class:`~fazhi_sim.Behaviour` subclass, or
        ``"package.module:Name"``; the shipped model if None. Its classes must live in an
        importable module for process pools (Dask also takes classes from a notebook).
    batch
        Seeds of one scenario stacked into one model pass (:func:`~fazhi_sim.simulate_batch`);
        None chooses (:func:`~fazhi_sim.experiments.batches.batch_size`); 1 runs each seed
        alone. Results are the same either way, bit for bit.
    uncertainty
        ``"posterior"`` (default): replicate ``k`` runs posterior draw ``(seed + k) mod n``
        of the mechanism parameters as well as seed ``seed + k``, the same pair in every
        scenario, so bands hold what the model does not know about its parameters and paired
        differences stay paired; a scenario's own ``[params]`` keep their values.
        ``"noise"``: every replicate runs the scenario's parameters; bands are simulation
        noise only. Anything else is a ``ValueError``.
    posterior
        Draws to use (a file or a table like
        :func:`~fazhi_sim.experiments.posterior.load_posterior`); the shipped ones if None.

    Returns
    -------
    Ensemble
        Per-run results and their summaries; ``model_label`` names the model.

    Examples
    --------
    >>> import fazhi_sim as fs
    >>> b = fs.baseline(end_year=2021)    # one year; more 诉前调解 against the baseline:
    >>> two = {"base": b, "more": b.with_levers(pre_filing_mediation_share=0.9)}
    >>> ens = fs.run_ensemble(two, 3, "town", uncertainty="noise", jobs=1, progress=False)
    >>> s = ens.summary().set_index(["scenario", "metric"]).loc[("more", "lawsuits_per_10k")]
    >>> int(s.n), bool(s.q10 <= s["median"] <= s.q90)    # 万人成讼率: median in its band
    (3, True)
    >>> c = ens.compare().set_index(["scenario", "metric"])["median"]    # against "base"
    >>> float(c["base", "lawsuits_per_10k"]), bool(c["more", "lawsuits_per_10k"] < 0)
    (0.0, True)
    """
    _check_replicates(replicates)
    draws = _draws(uncertainty, posterior)
    spec = as_spec(model)
    named = _named(scenarios)
    tasks = []
    for name, sc in named.items():
        reg = get_region(region or sc.region or "town")
        tasks += [(name, sc if draws is None else with_draw(sc, draw_for(draws, seed + k)),
                   reg, seed + k, k) for k in range(replicates)]
    rstore = RunStore(store, model=spec) if store is not None else None
    runs, todo = _stored(tasks, rstore)
    loaded = len(runs)
    if todo and rstore is not None:
        _note_foreign(rstore)
    bar = tqdm(total=len(tasks), initial=loaded, desc="fazhi-sim runs", disable=not progress,
               unit="run")
    try:
        if todo:
            stacked = named if spec.default else None  # draws batched with the shipped model
            _execute(todo, spec, _executor(executor, jobs, len(todo)), rstore, runs, bar, batch,
                     stacked)
    finally:
        bar.close()
    tidy, counters = _split_counters(_tidy(tasks, runs, list(named)))
    return Ensemble(tidy, named, computed=len(todo), loaded=loaded, model_label=spec.label,
                    counters=counters, uncertainty=uncertainty)


def _draws(uncertainty: str, posterior: Any) -> pd.DataFrame | None:
    if uncertainty not in UNCERTAINTIES:
        raise ValueError(f"uncertainty must be one of {', '.join(UNCERTAINTIES)}, not "
                         f"{uncertainty!r}")
    if uncertainty == "noise":
        return None
    return posterior if isinstance(posterior, pd.DataFrame) else load_posterior(posterior)


def _tidy(tasks: list, runs: dict, names: list[str]) -> pd.DataFrame:
    frames = []
    for name, _sc, _reg, s, k in tasks:
        df = runs[(name, k)].copy()
        df.insert(0, "scenario", name)
        df.insert(1, "replicate", k)
        df.insert(2, "seed", s)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out["scenario"] = pd.Categorical(out.scenario, categories=names)
    return out


def _split_counters(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    # The raw counter rows travel with each run (so a store keeps them) but are no metrics.
    is_count = df.metric.str.startswith(COUNTER_PREFIX).to_numpy(dtype=bool)
    if not is_count.any():
        return df, None
    counters = df[is_count].reset_index(drop=True)
    counters["metric"] = counters.metric.str.removeprefix(COUNTER_PREFIX)
    return df[~is_count].reset_index(drop=True), counters


def _check_replicates(replicates: Any) -> None:
    # Checked before the task list is built: a typo of a few zeros would fill the memory.
    whole = isinstance(replicates, numbers.Integral) and not isinstance(replicates, bool)
    if not whole or not 1 <= replicates <= MAX_REPLICATES:
        raise ValueError(f"replicates must be a whole number from 1 to {MAX_REPLICATES:,}, not "
                         f"{replicates!r}; run a larger study in parts with different seeds")


def _stored(tasks: list, rstore: RunStore | None
            ) -> tuple[dict[tuple[str, int], pd.DataFrame], list]:
    # Runs already in the store, and the tasks still to run.
    runs, todo = {}, []
    for name, sc, reg, s, k in tasks:
        done = rstore.load(sc, reg.id, s) if rstore else None
        if done is not None:
            runs[(name, k)] = done
        else:
            todo.append((name, sc, reg, s, k))
    return runs, todo


def _note_foreign(rstore: RunStore) -> None:
    n = rstore.foreign()
    if n:  # says why a store that holds runs resumes none of them
        warnings.warn(f"{rstore.path}: store holds {n:,} run{'s' * (n != 1)} made by another "
                      "version of fazhi-sim or its engine; they are kept but not reused",
                      StoreWarning, stacklevel=3)


def _execute(todo: list, spec: ModelSpec, where: _executor, rstore: RunStore | None,
             runs: dict, bar: Any, batch: int | None,
             stacked: dict[str, Scenario] | None = None) -> None:
    pending: dict = {}

    def harvest(fut: Future) -> None:
        task = pending.pop(fut)
        frames = fut.result()
        for (name, sc, reg, s, k), df in zip(task, frames, strict=True):
            if rstore:  # at once, so an interrupted sweep keeps every finished run
                rstore.save(sc, reg.id, s, df)
            runs[(name, k)] = df
        bar.update(len(task))

    try:
        with where as ex:
            for task in plan_tasks(todo, spec, where.workers, batch):
                fut = ex.submit(run_task, spec, _payload(task, stacked))
                pending[fut] = task
                if fut.done():  # an in-process executor has finished: save before the next run
                    harvest(fut)
            for fut in as_completed(list(pending)):
                harvest(fut)
    except BaseException:
        _wind_down(pending, harvest if rstore else None)
        raise


def _payload(task: list, stacked: dict[str, Scenario] | None = None) -> list[tuple]:
    # One (scenario, region, seeds, params) entry per scenario in the task, seeds in
    # replicate order. With ``stacked`` (the scenarios by name), the replicates of a scenario
    # at their own posterior draws share an entry, ``params`` holding each one's parameters,
    # and run as one batch; otherwise each draw is a scenario of its own (params None).
    entries: list[tuple] = []
    for name, sc, reg, s, _k in task:
        base = sc if stacked is None else stacked[name]
        own = None if sc is base else sc.params
        if entries and entries[-1][0] is base:
            last = entries[-1]
            entries[-1] = (base, last[1], (*last[2], s),
                           None if last[3] is None else (*last[3], own))
        else:
            entries.append((base, _portable(reg), (s,), None if own is None else (own,)))
    return entries


def _wind_down(pending: dict, harvest: Any) -> None:
    # Interrupted (SIGTERM, Ctrl-C) or one run failed: stop queued runs on an executor the
    # caller keeps, and store the runs that did finish so that a resume skips them.
    for fut in list(pending):
        fut.cancel()
        if harvest is None or not fut.done() or fut.cancelled() or fut.exception() is not None:
            continue
        with contextlib.suppress(Exception):  # e.g. a full disk: the original error matters
            harvest(fut)


def _portable(region: Region) -> str | Region:
    # Shipped regions travel by name (a few bytes), made-up ones whole.
    try:
        return region.id if get_region(region.id) is not None else region
    except ValueError:
        return region


class _executor:
    def __init__(self, executor: Executor | None, jobs: int | None, n_tasks: int):
        self.given = executor
        self.workers = _workers_of(executor) if executor is not None else min(
            jobs or os.cpu_count() or 1, n_tasks)
        self.local = None if executor is not None else LocalProcesses(self.workers)

    def __enter__(self) -> Executor:
        return self.given if self.local is None else self.local.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self.local is not None:
            self.local.__exit__(*exc)


def _workers_of(executor: Executor) -> int:
    # Batches are split so each worker gets one; an executor handed in does not say how many
    # workers it has, so count on one per local core (or pass batch= to choose).
    return 1 if isinstance(executor, Serial) else default_jobs()
