"""Calibration targets, the model statistics compared with them, and the fit report.

The targets are rows of a CSV file (the shipped one is ``data/calibration_targets.csv``):
each a reported figure with its source, a standard deviation saying how far the model may
sit from it, the model statistic that is computed the same way (:data:`STATISTICS`), and
whether it is used to fit (``use = fit``) or only to check the fit out of sample
(``use = holdout``). :func:`check_fit` shows how well a parameter set meets them without
fitting anything; :mod:`fazhi_sim.analysis.calibration` does the fitting.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ..engine.params import Params
from ..engine.region import Region, get_region
from ..engine.scenario import Scenario
from ..experiments.spec import as_spec

__all__ = [
    "load_targets", "TargetsError", "STATISTICS", "Statistic", "TARGETS_FILE",
    "TARGET_COLUMNS", "USES", "model_statistics", "targets_hash", "fit_table", "check_fit",
    "as_targets", "calibration_scenario", "run_counts", "seed_statistics",
]


TARGETS_FILE = "data/calibration_targets.csv"
"""The shipped calibration targets, inside the package."""

TARGET_COLUMNS = ("id", "value", "unit", "year", "scope", "definition", "source",
                  "model_metric", "sd", "sd_basis", "use")
"""Columns every targets file must have (others are allowed and kept)."""

USES = ("fit", "holdout")


@dataclass(frozen=True)
class Statistic:
    """A model quantity comparable with a reported figure: a ratio of summed counters.

    Attributes
    ----------
    numerator : tuple of str
        Tally counters summed over the reported years.
    denominator : tuple of str, or None
        Counters summed for the denominator; None means per 10,000 residents per year.
    description : str
        What it counts, for documentation and reports.
    """

    numerator: tuple[str, ...]
    denominator: tuple[str, ...] | None
    description: str

    def value(self, counts: Mapping[str, float]) -> float:
        """The statistic from summed counters (``person_years`` for per-resident rates)."""
        num = sum(counts[c] for c in self.numerator)
        if self.denominator is None:
            return num / counts["person_years"] * 1e4
        den = sum(counts[c] for c in self.denominator)
        return num / den if den > 0 else math.nan


STATISTICS: dict[str, Statistic] = {
    "lawsuits_per_10k": Statistic(
        ("lawsuits",), None,
        "万人成讼率: first-instance civil and administrative cases accepted per 10,000 "
        "residents a year; pre-filing settlements and refused abusive filings are not cases"),
    "filings_per_10k": Statistic(
        ("court_arrivals",), None,
        "disputes brought to court (filed or sent to pre-filing mediation) per 10,000 a year"),
    "mediation_cases_per_10k": Statistic(
        ("mediation_concluded",), None,
        "cases concluded by village, town and county people's mediation per 10,000 a year "
        "(court pre-filing mediation not included)"),
    "mediation_success_rate": Statistic(
        ("mediation_settled",), ("mediation_concluded",),
        "share of village, town and county mediation cases settled (before relapse)"),
    "prefiling_mediation_success_rate": Statistic(
        ("prefiling_settled",), ("prefiling_concluded",),
        "share of court pre-filing mediations settled (before relapse)"),
    "prefiling_diversion_share": Statistic(
        ("prefiling_settled",), ("court_arrivals",),
        "pre-filing settlements as a share of disputes reaching court"),
    "litigation_share": Statistic(
        ("lawsuits",), ("lawsuits", "prefiling_settled"),
        "cases filed as a share of disputes reaching court, counted as the SPC does: "
        "filed / (filed + settled by pre-filing mediation)"),
    "claims_per_grievance": Statistic(
        ("disputes",), ("grievances",), "grievances voiced as claims (disputes), per grievance"),
    "lawsuits_per_grievance": Statistic(
        ("lawsuits",), ("grievances",), "cases filed in court per grievance"),
    "petitions_per_10k": Statistic(
        ("petitions",), None, "petitions lodged (件次) per 10,000 residents a year"),
    "new_defaulters_per_10k": Statistic(
        ("new_defaulters",), None, "listings as defaulters (失信) per 10,000 residents a year"),
}
"""Model statistics a target's ``model_metric`` may name."""

_FLOWS = ("grievances", "disputes", "court_arrivals", "lawsuits", "petitions",
          "mediation_concluded", "mediation_settled", "prefiling_concluded",
          "prefiling_settled", "new_defaulters")


class TargetsError(ValueError):
    """A targets file that cannot be used; the message is one line: file, field, allowed."""

    def __init__(self, source: str, field: str, message: str):
        self.source, self.field, self.message = source, field, message
        super().__init__(f"{source}: {field}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its parts: the default, TargetsError(text), fails in a process pool.
        return (type(self), (self.source, self.field, self.message))


# -- Targets ------------------------------------------------------------------------------


def _shipped_targets(name: str = TARGETS_FILE) -> tuple[str, bytes]:
    res = resources.files("fazhi_sim").joinpath(name)
    return f"fazhi_sim/{name}", res.read_bytes()


def targets_hash(data: bytes) -> str:
    """SHA-256 (hex) of a targets file's bytes, as recorded in the calibrated file."""
    return hashlib.sha256(data).hexdigest()


def load_targets(path: str | Path | None = None, metrics: Collection[str] | None = None,
                 shipped: str = TARGETS_FILE) -> pd.DataFrame:
    """Read and check a targets file.

    Parameters
    ----------
    path
        A CSV file with the columns in :data:`TARGET_COLUMNS`; the shipped file if None.
    metrics
        The ``model_metric`` names allowed (default: :data:`STATISTICS`).
    shipped
        The package's file read when ``path`` is None.

    Returns
    -------
    pandas.DataFrame
        One row per target; ``value`` and ``sd`` as floats. ``attrs`` holds ``source`` (the
        file) and ``sha256`` (of its bytes).

    Raises
    ------
    TargetsError
        For a missing or unreadable file, a missing column, an empty or repeated id, a value
        or sd that is not a number (sd must be above 0), an unknown ``model_metric`` or a
        ``use`` other than fit/holdout; the message names the file, the field and what is
        allowed.
    """
    if path is None:
        source, data = _shipped_targets(shipped)
    else:
        source = str(path)
        p = Path(path)
        if not p.is_file():
            raise TargetsError(source, "(file)", "no such file; give the path of a targets .csv")
        data = p.read_bytes()
    return _parse_targets(data, source, STATISTICS if metrics is None else metrics)


def _parse_targets(data: bytes, source: str,
                   metrics: Collection[str] = STATISTICS) -> pd.DataFrame:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TargetsError(source, "(file)", "not UTF-8 text; save the file as UTF-8") from None
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                         skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise TargetsError(source, "(syntax)", "malformed CSV: "
                           + " ".join(str(err).split())) from None
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in TARGET_COLUMNS if c not in df.columns]
    if missing:
        raise TargetsError(source, missing[0], "missing column; required: "
                           + ", ".join(TARGET_COLUMNS))
    if df.empty:
        raise TargetsError(source, "(rows)", "no targets; give at least one row")
    df = df.map(str.strip)
    seen: set[str] = set()
    for i, row in df.iterrows():
        where = f"row {int(i) + 2}"  # the header is line 1
        tid = row["id"]
        if not tid:
            raise TargetsError(source, f"{where}: id", "empty; give each target an id")
        if tid in seen:
            raise TargetsError(source, f"{where}: id", f"{tid!r} repeated; ids must differ")
        seen.add(tid)
        where = f"{where} ({tid})"
        for col in ("value", "sd"):
            try:
                x = float(row[col])
            except ValueError:
                x = math.nan
            if not math.isfinite(x) or (col == "sd" and x <= 0):
                allowed = "a number above 0" if col == "sd" else "a number"
                raise TargetsError(source, f"{where}: {col}",
                                   f"{row[col]!r} is not allowed; give {allowed}")
        if row["model_metric"] not in metrics:
            raise TargetsError(source, f"{where}: model_metric",
                               f"unknown {row['model_metric']!r}; allowed: "
                               + ", ".join(metrics))
        if row["use"] not in USES:
            raise TargetsError(source, f"{where}: use",
                               f"{row['use']!r} is not allowed; allowed: fit, holdout")
        if not re.fullmatch(r"\d{4}(\s*[-–]\s*\d{2,4})?", row["year"]):
            raise TargetsError(source, f"{where}: year",
                               f"{row['year']!r} is not allowed; give a year (2020) or a span "
                               "(2019-2023 or 1980-81)")
    df["value"] = df["value"].astype(float)
    df["sd"] = df["sd"].astype(float)
    df.attrs["source"] = source
    df.attrs["sha256"] = targets_hash(data)
    return df


def as_targets(targets: str | Path | pd.DataFrame | None) -> pd.DataFrame:
    """Targets from a file, a DataFrame or None (the shipped file), checked alike.

    Parameters
    ----------
    targets
        A targets CSV file, a DataFrame with the columns :data:`TARGET_COLUMNS`, or None for
        the shipped ``data/calibration_targets.csv``.

    Returns
    -------
    pandas.DataFrame
        As :func:`load_targets` returns it; a DataFrame keeps the ``sha256`` of the file it
        was read from, if it has one.

    Raises
    ------
    TargetsError
        For a target that :func:`load_targets` would refuse.
    """
    if not isinstance(targets, pd.DataFrame):
        return load_targets(targets)
    # A DataFrame gets the same checks as a file (through its CSV text).
    source = str(targets.attrs.get("source", "<DataFrame>"))
    cols = [c for c in targets.columns if c not in ("value", "sd")]
    text = targets.astype({c: str for c in cols}).to_csv(index=False).encode("utf-8")
    df = _parse_targets(text, source)
    if "sha256" in targets.attrs:  # keep the hash of the file it was read from
        df.attrs["sha256"] = targets.attrs["sha256"]
    return df


# -- Running the model ----------------------------------------------------------------------


def calibration_scenario(params: Params, years: int) -> Scenario:
    """The scenario every calibration statistic is computed on.

    The baseline (every lever at its 2020 level) with ``params``, reporting ``years`` years
    from 2021, after the warm-up.
    """
    return Scenario(name="calibration", start_year=2021, end_year=2020 + years, params=params)


def run_counts(scenario: Scenario, region: str | Region, seed: int,
               model: Any = None) -> dict[str, float]:
    """One run's counters summed over the reported years, for :meth:`Statistic.value`.

    Module-level, so process pools can pickle it by reference.

    Parameters
    ----------
    scenario
        What to run (:func:`calibration_scenario`).
    region
        Region name or object.
    seed
        Run seed.
    model
        The model to build: anything :func:`~fazhi_sim.experiments.spec.as_spec` accepts
        (default: the shipped :class:`~fazhi_sim.DisputeModel`).

    Returns
    -------
    dict
        Each flow counter's sum after the warm-up, and ``person_years``.
    """
    run = as_spec(model).build(scenario, region=region, seed=seed).run()
    w = run.warmup
    out = {c: float(run.tally.counts[c][w:].sum()) for c in _FLOWS}
    out["person_years"] = float(run.region.village_population.sum()) * len(scenario.years)
    return out


def seed_statistics(scenario: Scenario, region: str | Region, seeds: Sequence[int],
                    executor: Executor | None = None, model: Any = None) -> pd.DataFrame:
    """Every statistic in :data:`STATISTICS` for one run per seed.

    Parameters
    ----------
    scenario
        What to run (:func:`calibration_scenario`).
    region
        Region name or object.
    seeds
        One run per seed.
    executor
        Run them there (default: in this process, one after another).
    model
        The model to build (see :func:`run_counts`).

    Returns
    -------
    pandas.DataFrame
        One row per run (index: seed), one column per statistic.
    """
    spec = as_spec(model)
    seeds = list(seeds)
    if executor is None:
        counts = [run_counts(scenario, region, s, spec) for s in seeds]
    else:
        futs = [executor.submit(run_counts, scenario, region, s, spec) for s in seeds]
        counts = [f.result() for f in futs]
    rows = [{k: st.value(c) for k, st in STATISTICS.items()} for c in counts]
    return pd.DataFrame(rows, index=pd.Index(seeds, name="seed"))


def model_statistics(
    params: Params | None = None,
    region: str | Region = "town",
    replicates: int = 8,
    seed: int = 1,
    years: int = 3,
    executor: Executor | None = None,
    model: Any = None,
) -> pd.DataFrame:
    """Every statistic in :data:`STATISTICS`, per replicate, for one parameter set.

    Parameters
    ----------
    params
        Mechanism parameters (default: ``Params()``, the calibrated defaults).
    region
        Region name or object.
    replicates, seed
        Replicate ``k`` runs with seed ``seed + k``.
    years
        Reported years after the warm-up (every lever at its 2020 level).
    executor
        Run the replicates there (default: in this process, one after another).
    model
        The model to build: anything :func:`~fazhi_sim.experiments.spec.as_spec` accepts
        (a :class:`~fazhi_sim.experiments.spec.ModelSpec`, a ``DisputeModel`` or
        ``Behaviour`` subclass, ``"package.module:Name"``); default the shipped model.

    Returns
    -------
    pandas.DataFrame
        One row per replicate (index: seed), one column per statistic.
    """
    sc = calibration_scenario(params if params is not None else Params(), years)
    return seed_statistics(sc, get_region(region), [seed + k for k in range(replicates)],
                           executor, as_spec(model))


# -- Fit report -------------------------------------------------------------------------------


def fit_table(targets: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Target against model, one row per target.

    Parameters
    ----------
    targets
        Calibration targets (:func:`load_targets`).
    runs
        Statistics per replicate (:func:`model_statistics`).

    Returns
    -------
    pandas.DataFrame
        Columns id, use, model_metric, value, sd, median, q10, q90 (model median and 10-90%
        band over the replicates), mean, residual ((median - value) / sd) and unit.
    """
    rows = []
    for _, t in targets.iterrows():
        x = runs[t.model_metric]
        med = float(x.median())
        rows.append({
            "id": t.id, "use": t.use, "model_metric": t.model_metric,
            "value": t.value, "sd": t.sd, "median": med,
            "q10": float(x.quantile(0.1)), "q90": float(x.quantile(0.9)),
            "mean": float(x.mean()), "residual": (med - t.value) / t.sd, "unit": t.unit,
        })
    return pd.DataFrame(rows)


def check_fit(params: Params | None = None, targets: str | Path | pd.DataFrame | None = None,
              region: str | Region = "town", replicates: int = 8, seed: int = 1,
              years: int = 3, model: Any = None) -> pd.DataFrame:
    """How well a parameter set (default: the shipped calibrated one) meets the targets.

    Runs the model at 2020 lever levels without fitting anything, so it takes seconds
    rather than the minute a calibration takes; pass the table to
    :func:`fazhi_sim.views.analysis_charts.fit_chart` to see it.

    Parameters
    ----------
    params
        Mechanism parameters (default ``Params()``, the calibrated defaults).
    targets
        Targets file or table (default: the shipped ``calibration_targets.csv``).
    region, replicates, seed, years, model
        As in :func:`model_statistics`.

    Returns
    -------
    pandas.DataFrame
        The fit report (see :func:`fit_table`).
    """
    runs = model_statistics(params, region=region, replicates=replicates, seed=seed,
                            years=years, model=model)
    return fit_table(as_targets(targets), runs)
