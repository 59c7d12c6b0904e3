"""The calibration design: the model run at parameter sets drawn from the priors.

Each design point draws every prior parameter (a Latin hypercube over the prior quantiles),
then runs the baseline and the plan with one seed. From the two runs it keeps the level
statistics the targets name (baseline, 2021–2023, every lever at its 2020 level), the
responses (how the plan's years compare with the baseline: the litigation share's fall,
the fall in court intake) and the plan's effects in 2025. The Bayesian calibration
(:mod:`fazhi_sim.analysis.bayes`) fits emulators to these rows; the variance split
(:mod:`fazhi_sim.analysis.uncertainty_sources`) reuses them.

A design is written to a folder chunk by chunk as it runs, so an interrupted design resumes
where it stopped; the folder records what it is a design of and refuses to mix designs.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc
from tqdm.auto import tqdm

from ..engine.params import Params
from ..engine.scenario import Scenario, load_scenario
from ..experiments.executors import LocalProcesses
from ..experiments.priors import Priors
from ..experiments.spec import as_spec
from .fit_targets import STATISTICS

__all__ = ["RESPONSES", "EFFECTS", "LEVEL_YEARS", "point_statistics", "run_design",
           "DesignError", "design_points", "DESIGN_COLUMNS"]

LEVEL_YEARS = (2021, 2022, 2023)
"""Baseline years whose counters make the level statistics (every lever at its 2020 level)."""

EFFECT_YEAR = 2025
"""The year the plan's effects are measured in (the plan's last year)."""

_COUNTERS = ("grievances", "disputes", "court_arrivals", "lawsuits", "petitions",
             "mediation_concluded", "mediation_settled", "prefiling_concluded",
             "prefiling_settled", "new_defaulters")


def _share(counts: Mapping[str, float], num: str, *den: str) -> float:
    d = sum(counts[c] for c in den)
    return counts[num] / d if d > 0 else math.nan


def _litigation_share(c: Mapping[str, float]) -> float:
    return _share(c, "lawsuits", "lawsuits", "prefiling_settled")


def _ratio(plan: float, base: float) -> float:
    return plan / base if base > 0 else math.nan


RESPONSES: dict[str, tuple[str, Callable[[dict, dict], float]]] = {
    "litigation_share_ratio_2022": (
        "litigation share (filed / (filed + pre-filing settled)) in the plan's 2022 over the "
        "baseline's (2020 levels)",
        lambda y, b: _ratio(_litigation_share(y[2022]), _litigation_share(b))),
    "lawsuits_ratio_2021": (
        "lawsuits in the plan's 2021 over the baseline's yearly mean (2020 levels)",
        lambda y, b: _ratio(y[2021]["lawsuits"], b["lawsuits"])),
    "lawsuits_ratio_2023": (
        "lawsuits in the plan's 2023 over the baseline's yearly mean (2020 levels)",
        lambda y, b: _ratio(y[2023]["lawsuits"], b["lawsuits"])),
}
"""Responses a target may name: the plan's years against the baseline at 2020 levels."""

EFFECTS = {
    "effect_lawsuits_per_10k": ("lawsuits", "万人成讼率, plan vs baseline in 2025, %"),
    "effect_filings_per_10k": ("court_arrivals", "万人起诉率, plan vs baseline in 2025, %"),
    "effect_petitions": ("petitions", "信访量, plan vs baseline in 2025, %"),
}
"""Headline effects: the plan's relative change against the baseline in the same year."""

DESIGN_COLUMNS = (*STATISTICS, *RESPONSES, *EFFECTS)
"""Every statistic a design point records, besides the parameters and the seed."""


class DesignError(ValueError):
    """A design folder that holds another design; the message is one line."""


def _yearly(model: Any, years: range) -> dict[int, dict[str, float]]:
    # Counters summed per reported year, after the warm-up.
    out = {}
    w = model.warmup
    for i, y in enumerate(years):
        s = slice(w + 12 * i, w + 12 * (i + 1))
        out[y] = {c: float(model.tally.counts[c][s].sum()) for c in _COUNTERS}
    return out


def _summed(yearly: Mapping[int, Mapping[str, float]], years: tuple[int, ...]) -> dict:
    return {c: sum(yearly[y][c] for y in years) for c in _COUNTERS}


def point_statistics(values: Mapping[str, float], region: Any, seed: int,
                     model: Any = None) -> dict[str, float]:
    """Run the baseline and the plan at one parameter set and seed; every design statistic.

    Module-level, so process pools pickle it by reference.

    Parameters
    ----------
    values
        Params fields to set (the rest keep their defaults).
    region
        Region name or object.
    seed
        The seed of both runs (common random numbers: the effects are paired).
    model
        What to build (anything :func:`~fazhi_sim.experiments.spec.as_spec` takes).

    Returns
    -------
    dict
        One value per name in :data:`DESIGN_COLUMNS`.
    """
    spec = as_spec(model)
    params = Params(**{**Params().model_dump(), **{k: float(v) for k, v in values.items()}})
    runs = {}
    for name in ("baseline", "plan-2025"):
        sc: Scenario = load_scenario(name).model_copy(update={"params": params})
        m = spec.build(sc, region=region, seed=seed).run()
        runs[name] = _yearly(m, sc.years)
        people = float(m.base_region.village_population.sum())
    base, plan = runs["baseline"], runs["plan-2025"]
    levels = _summed(base, LEVEL_YEARS)
    levels["person_years"] = people * len(LEVEL_YEARS)
    out = {k: st.value(levels) for k, st in STATISTICS.items()}
    base_mean = {c: v / len(base) for c, v in _summed(base, tuple(base)).items()}
    out.update({k: f(plan, base_mean) for k, (_d, f) in RESPONSES.items()})
    for k, (counter, _d) in EFFECTS.items():
        b, p = base[EFFECT_YEAR][counter], plan[EFFECT_YEAR][counter]
        out[k] = 100.0 * (p - b) / b if b > 0 else math.nan
    return out


def design_points(priors: Priors, n: int, seed: int) -> pd.DataFrame:
    """``n`` parameter sets: a Latin hypercube over the priors' quantiles.

    Parameters
    ----------
    priors
        What varies and how.
    n
        Number of points.
    seed
        Seeds the hypercube; point ``i`` runs the model with seed ``seed + i``.

    Returns
    -------
    pandas.DataFrame
        Index ``point``; a ``seed`` column and one column per prior parameter.
    """
    u = qmc.LatinHypercube(d=len(priors.names), seed=seed).random(n)
    df = pd.DataFrame(priors.ppf(u), columns=list(priors.names))
    df.insert(0, "seed", seed + np.arange(n))
    df.index.name = "point"
    return df


def _identity(priors: Priors, n: int, seed: int, region: str, model_label: str) -> dict:
    table = priors.table.to_csv(index=False).encode("utf-8")
    return {"n": n, "seed": seed, "region": region, "model": model_label,
            "priors_sha256": hashlib.sha256(table).hexdigest()}


def _open_store(store: Path, identity: dict) -> dict[int, pd.DataFrame]:
    store.mkdir(parents=True, exist_ok=True)
    meta = store / "design.json"
    if meta.exists():
        held = json.loads(meta.read_text(encoding="utf-8"))
        if held != identity:
            diff = ", ".join(k for k in identity if held.get(k) != identity[k])
            raise DesignError(f"{store}: holds another design (differs in {diff}); give an "
                              "empty folder or the same settings")
    else:
        meta.write_text(json.dumps(identity, indent=1), encoding="utf-8")
    done = {}
    for f in sorted(store.glob("chunk-*.parquet")):
        done[int(f.stem.split("-")[1])] = pd.read_parquet(f)
    return done


def _save_chunk(store: Path, start: int, df: pd.DataFrame) -> None:
    target = store / f"chunk-{start:06d}.parquet"
    tmp = store / f".tmp-{uuid.uuid4().hex}.parquet"
    try:
        df.to_parquet(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _run_chunk(points: pd.DataFrame, region: Any, spec: Any) -> pd.DataFrame:
    rows = [point_statistics(r.drop("seed").to_dict(), region, int(r.seed), spec)
            for _i, r in points.iterrows()]
    return pd.concat([points, pd.DataFrame(rows, index=points.index)], axis=1)


def run_design(priors: Priors, n: int = 600, seed: int = 1, region: str = "town",
               store: str | os.PathLike | None = None, jobs: int | None = None,
               executor: Executor | None = None, model: Any = None, chunk: int = 10,
               progress: bool = True) -> pd.DataFrame:
    """Run the model at ``n`` prior draws (baseline and plan each); one row per point.

    Parameters
    ----------
    priors
        The parameters that vary (:func:`~fazhi_sim.experiments.priors.load_priors`).
    n
        Design points.
    seed
        Seeds the hypercube and the runs (point ``i`` uses seed ``seed + i``).
    region
        Where the runs are made.
    store
        A folder: finished chunks are written there at once and read back on a rerun.
    jobs, executor
        Where the chunks run (default: local processes on all cores).
    model
        What to build (anything :func:`~fazhi_sim.experiments.spec.as_spec` takes).
    chunk
        Points per task and per stored file.
    progress
        Show a progress bar.

    Returns
    -------
    pandas.DataFrame
        Index ``point``: the seed, every prior parameter and every :data:`DESIGN_COLUMNS`.
    """
    spec = as_spec(model)
    points = design_points(priors, n, seed)
    done = {} if store is None else _open_store(
        Path(store), _identity(priors, n, seed, region, spec.label))
    starts = [s for s in range(0, n, chunk) if s not in done]
    bar = tqdm(total=n, initial=n - sum(min(chunk, n - s) for s in starts),
               desc="calibration design", unit="point", disable=not progress)
    try:
        with (executor and _Keep(executor)) or LocalProcesses(jobs) as ex:
            futs = {ex.submit(_run_chunk, points.iloc[s:s + chunk], region, spec): s
                    for s in starts}
            for fut in as_completed(futs):
                s = futs[fut]
                done[s] = fut.result()
                if store is not None:
                    _save_chunk(Path(store), s, done[s])
                bar.update(len(done[s]))
    finally:
        bar.close()
    return pd.concat([done[s] for s in sorted(done)]).sort_index()


class _Keep:
    # The caller's executor as a context manager that leaves it open.
    def __init__(self, ex: Executor):
        self.ex = ex

    def __enter__(self) -> Executor:
        return self.ex

    def __exit__(self, *exc: object) -> None:
        return None
