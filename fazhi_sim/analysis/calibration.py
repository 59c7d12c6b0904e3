"""Calibration: fit the assumed mechanism parameters to reported figures, and show the fit.

The targets are rows of a CSV file (the shipped one is ``data/calibration_targets.csv``):
each a reported figure with its source, a standard deviation saying how far the model may
sit from it, the model statistic that is computed the same way (:data:`STATISTICS`), and
whether it is used to fit (``use = fit``) or only to check the fit out of sample
(``use = holdout``).

:func:`calibrate` runs the baseline (every lever at its 2020 level) on a region for a few
reported years after the warm-up, ``replicates`` times per evaluation with the same seeds
at every evaluation (common random numbers, so the objective is a smooth function of the
parameters), and minimises the Gaussian distance

    D(theta) = sum over fit targets of ((model mean - value) / sd) ** 2

(minus twice a Gaussian log-likelihood with the stated sd, up to a constant) with
:func:`scipy.optimize.least_squares` (trust-region reflective) on working scales inside the
:class:`~fazhi_sim.Params` bounds: log for positive scales, logit for
probabilities, identity for utilities. Standard errors come from the Gauss-Newton
approximation of the Hessian, ``(J'J)^-1``, with ``J`` the central-difference Jacobian of
the standardised residuals at the estimate. docs/calibration.md gives the reasons and the
result.

Example::

    from fazhi_sim.analysis.calibration import calibrate
    cal = calibrate()                 # shipped targets, "town" region, 8 replicates
    print(cal.table())                # target, value, model median, band, residual
    cal.write("my_params.toml")       # refuses to overwrite an existing file
"""

from __future__ import annotations

import datetime as _dt
import math
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from tqdm.auto import tqdm

from ..engine.measures import LEVERS
from ..engine.params import CALIBRATED_FILE, Params, prior_params
from ..engine.region import Region, get_region
from .fit_targets import (
    STATISTICS,
    TARGET_COLUMNS,
    TARGETS_FILE,
    USES,
    Statistic,
    TargetsError,
    _as_targets,
    _run_counts,
    _scenario,
    check_fit,
    fit_chart,
    fit_table,
    load_targets,
    model_statistics,
    targets_hash,
)

__all__ = [
    "calibrate", "Calibration", "load_targets", "TargetsError", "CalibrationError",
    "STATISTICS", "Statistic", "DEFAULT_PARAMETERS", "TARGETS_FILE", "TARGET_COLUMNS",
    "model_statistics", "sensitivity", "fit_chart", "targets_hash", "COMPOSITES", "USES",
    "fit_table", "check_fit",
]


DEFAULT_PARAMETERS = ("claim_intercept", "asc_court", "mediation_asc_shift",
                      "mediation_success_shift")
"""Parameters fitted by default: one per informative fit target (docs/calibration.md)."""


class CalibrationError(ValueError):
    """A calibration request that cannot be carried out (bad parameter, existing file)."""


# -- Working scales -------------------------------------------------------------------------

_EPS = 1e-4


@dataclass(frozen=True)
class _Scale:
    """Map between a parameter's natural value and the working scale the optimiser sees."""

    kind: str  # "identity", "log" or "logit"
    lo: float
    hi: float

    @classmethod
    def for_field(cls, name: str) -> _Scale:
        f = Params.model_fields.get(name)
        if f is None or f.annotation is not float:
            raise CalibrationError(f"{name!r} is not a real-valued field of Params; allowed: "
                                   + ", ".join(n for n, g in Params.model_fields.items()
                                               if g.annotation is float))
        lo = hi = None
        for m in f.metadata:
            lo = getattr(m, "ge", lo)
            hi = getattr(m, "le", hi)
        lo, hi = float(lo), float(hi)
        if lo >= 0 and hi <= 1:
            return cls("logit", lo, hi)
        if lo >= 0:
            return cls("log", lo, hi)
        return cls("identity", lo, hi)

    def bounds(self) -> tuple[float, float]:
        if self.kind == "logit":
            return _logit(max(self.lo, _EPS)), _logit(min(self.hi, 1 - _EPS))
        if self.kind == "log":
            return math.log(max(self.lo, _EPS)), math.log(self.hi)
        return self.lo, self.hi

    def work(self, x: float) -> float:
        lo, hi = self.bounds()
        z = _logit(x) if self.kind == "logit" else math.log(x) if self.kind == "log" else x
        return float(np.clip(z, lo, hi))

    def natural(self, z: float) -> float:
        if self.kind == "logit":
            return 1 / (1 + math.exp(-z))
        if self.kind == "log":
            return math.exp(z)
        return float(z)

    def slope(self, z: float) -> float:
        """Derivative of the natural value by the working one (delta method)."""
        if self.kind == "logit":
            p = self.natural(z)
            return p * (1 - p)
        if self.kind == "log":
            return math.exp(z)
        return 1.0


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


COMPOSITES: dict[str, tuple[tuple[str, ...], str]] = {
    "mediation_asc_shift": (
        ("asc_village", "asc_town", "asc_county"),
        "one shift added to the constants of village, town and county mediation, keeping "
        "the hand-set differences between the layers"),
    "mediation_success_shift": (
        ("village_success", "town_success", "county_success"),
        "one shift added to the logits of the village, town and county settlement chances, "
        "keeping the hand-set differences between the layers"),
}
"""Composite calibration parameters: one number moving several Params fields together.

Used where a target cannot tell the fields apart (a count or a success rate over all three
mediation layers); each field moves on its own working scale, so it stays inside its bounds.
"""


@dataclass(frozen=True)
class _Knob:
    """One calibrated quantity: a Params field, or a shift of several (a composite)."""

    name: str
    fields: tuple[str, ...]
    scales: tuple[_Scale, ...]
    composite: bool

    @classmethod
    def get(cls, name: str) -> _Knob:
        if name in COMPOSITES:
            fields = COMPOSITES[name][0]
            return cls(name, fields, tuple(_Scale.for_field(f) for f in fields), True)
        return cls(name, (name,), (_Scale.for_field(name),), False)

    @property
    def kind(self) -> str:
        """Working scale: that of the field, or "shift on <scale>" for a composite."""
        return f"shift ({self.scales[0].kind})" if self.composite else self.scales[0].kind

    def start(self, base: Mapping[str, float]) -> float:
        """Working value at ``base`` (a composite starts at a shift of 0)."""
        return 0.0 if self.composite else self.scales[0].work(base[self.name])

    def bounds(self, base: Mapping[str, float]) -> tuple[float, float]:
        """Working bounds keeping every field inside its Params range."""
        if not self.composite:
            return self.scales[0].bounds()
        lo, hi = -math.inf, math.inf
        for f, sc in zip(self.fields, self.scales, strict=True):
            z, (zl, zh) = sc.work(base[f]), sc.bounds()
            lo, hi = max(lo, zl - z), min(hi, zh - z)
        return lo, hi

    def values(self, z: float, base: Mapping[str, float]) -> dict[str, float]:
        """Params field values at working value ``z``."""
        if not self.composite:
            return {self.name: self.scales[0].natural(z)}
        return {f: sc.natural(sc.work(base[f]) + z)
                for f, sc in zip(self.fields, self.scales, strict=True)}

    def display(self, z: float) -> float:
        """The value reported for the knob: natural for a field, the shift for a composite."""
        return float(z) if self.composite else self.scales[0].natural(z)

    def slopes(self, z: float, base: Mapping[str, float]) -> dict[str, float]:
        """Derivative of each field by the working value (delta method)."""
        if not self.composite:
            return {self.name: self.scales[0].slope(z)}
        return {f: sc.slope(sc.work(base[f]) + z)
                for f, sc in zip(self.fields, self.scales, strict=True)}


def _knobs(names: Sequence[str]) -> list[_Knob]:
    knobs = [_Knob.get(n) for n in dict.fromkeys(names)]
    seen: dict[str, str] = {}
    for k in knobs:
        for f in k.fields:
            if f in seen:
                raise CalibrationError(f"{k.name!r} and {seen[f]!r} both move {f!r}; fit one")
            seen[f] = k.name
    return knobs


# -- The evaluator ------------------------------------------------------------------------


class _Evaluator:
    """Runs the ensemble for a vector of working values, with a cache."""

    def __init__(self, base: Params, knobs: Sequence[_Knob], region: Region,
                 seeds: Sequence[int], years: int, executor: Executor | None, bar: Any):
        self.base = base.model_dump()
        self.knobs = list(knobs)
        self.region, self.seeds, self.years = region, list(seeds), years
        self.executor, self.bar = executor, bar
        self.cache: dict[tuple[float, ...], pd.DataFrame] = {}
        self.evaluations = 0

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        b = [k.bounds(self.base) for k in self.knobs]
        return np.array([x[0] for x in b]), np.array([x[1] for x in b])

    def values(self, z: np.ndarray) -> dict[str, float]:
        out: dict[str, float] = {}
        for k, v in zip(self.knobs, z, strict=True):
            out.update(k.values(float(v), self.base))
        return out

    def params(self, z: np.ndarray) -> Params:
        return Params(**{**self.base, **self.values(z)})

    def runs(self, z: np.ndarray) -> pd.DataFrame:
        key = tuple(round(float(v), 12) for v in z)
        if key not in self.cache:
            sc = _scenario(self.params(z), self.years)
            if self.executor is None:
                counts = [_run_counts(sc, self.region, s) for s in self.seeds]
            else:
                futs = [self.executor.submit(_run_counts, sc, self.region, s)
                        for s in self.seeds]
                counts = [f.result() for f in futs]
            self.cache[key] = pd.DataFrame(
                [{k: st.value(c) for k, st in STATISTICS.items()} for c in counts],
                index=pd.Index(self.seeds, name="seed"))
            self.evaluations += 1
            if self.bar is not None:
                self.bar.update(1)
        return self.cache[key]

    def residuals(self, z: np.ndarray, targets: pd.DataFrame) -> np.ndarray:
        mean = self.runs(z).mean()[targets.model_metric].to_numpy(dtype=float)
        r = (mean - targets.value.to_numpy(dtype=float)) / targets.sd.to_numpy(dtype=float)
        return np.nan_to_num(r, nan=1e3)

    def jacobian(self, z: np.ndarray, targets: pd.DataFrame, step: float,
                 central: bool) -> np.ndarray:
        """Derivatives of the residuals by finite differences inside the bounds."""
        z = np.asarray(z, dtype=float)
        f0 = None if central else self.residuals(z, targets)
        cols = []
        los, his = self.bounds()
        for j in range(len(self.knobs)):
            lo, hi = los[j], his[j]
            up, down = z.copy(), z.copy()
            up[j] = min(z[j] + step, hi)
            down[j] = max(z[j] - step, lo) if central else z[j]
            if up[j] == down[j]:  # at a bound: step the other way
                down[j] = max(z[j] - step, lo)
            fu = self.residuals(up, targets)
            fd = self.residuals(down, targets) if (central or down[j] != z[j]) else f0
            cols.append((fu - fd) / (up[j] - down[j]))
        return np.column_stack(cols)


# -- Result -------------------------------------------------------------------------------


@dataclass
class Calibration:
    """Result of :func:`calibrate`.

    Attributes
    ----------
    parameters : tuple of str
        Fitted quantities: Params fields, or composites (:data:`COMPOSITES`).
    estimate, start, prior : dict
        Their fitted values, the optimiser's starting values and the hand-set priors (a
        composite is a shift: prior 0).
    se : dict
        Approximate standard errors (delta method from the working scale).
    interval : dict
        Approximate 95% intervals: estimate +/- 1.96 se on the working scale, mapped back
        (so they respect the bounds and may be asymmetric).
    scales : dict
        Working scale of each: identity, log, logit, or a shift on one of them.
    values, value_se, value_prior : dict
        The resulting Params field values (what the calibrated file holds), their standard
        errors and their priors.
    derived : tuple of str
        Fields in ``values`` that are not fitted but derived from the fit: the starting
        defaulter stock, set to the calibrated baseline's own steady state so the baseline
        starts level (its se is Monte Carlo error).
    covariance : pandas.DataFrame
        Covariance of the working-scale estimates, ``(J'J)^-1``.
    jacobian : pandas.DataFrame
        Standardised residuals of the fit targets per working unit of each parameter, at
        the estimate (central differences).
    targets : pandas.DataFrame
        The targets used (fit and holdout).
    runs : pandas.DataFrame
        Every statistic per replicate at the estimate (``report_replicates`` runs).
    distance : float
        Sum of squared standardised residuals of the fit targets (ensemble mean, fit seeds).
    region, replicates, seed, years, report_replicates
        How the model was run; replicate ``k`` used seed ``seed + k`` at every evaluation.
    evaluations, seconds, success, message
        Ensemble evaluations used, wall time, and the optimiser's status.
    date : str
        When the calibration ran (UTC, ISO 8601).
    """

    parameters: tuple[str, ...]
    estimate: dict[str, float]
    start: dict[str, float]
    prior: dict[str, float]
    se: dict[str, float]
    interval: dict[str, tuple[float, float]]
    scales: dict[str, str]
    values: dict[str, float]
    value_se: dict[str, float]
    value_prior: dict[str, float]
    derived: tuple[str, ...]
    covariance: pd.DataFrame
    jacobian: pd.DataFrame
    targets: pd.DataFrame
    runs: pd.DataFrame
    distance: float
    region: str
    replicates: int
    seed: int
    years: int
    report_replicates: int
    evaluations: int
    seconds: float
    success: bool
    message: str
    date: str = field(default_factory=lambda: _dt.datetime.now(_dt.UTC).isoformat(
        timespec="seconds"))

    # -- tables
    def table(self) -> pd.DataFrame:
        """The fit report, one row per target.

        Returns
        -------
        pandas.DataFrame
            Columns id, use, model_metric, value, sd, median, q10, q90 (model median and
            10-90% band over the report replicates), mean, residual ((median - value) / sd)
            and unit.
        """
        return fit_table(self.targets, self.runs)

    def holdout_distance(self) -> float:
        """Sum of squared standardised residuals of the holdout targets (report runs)."""
        t = self.table()
        return float((t.loc[t.use == "holdout", "residual"] ** 2).sum())

    def correlation(self) -> pd.DataFrame:
        """Correlation of the working-scale estimates."""
        c = self.covariance.to_numpy()
        d = np.sqrt(np.clip(np.diag(c), 1e-300, None))
        return pd.DataFrame(c / np.outer(d, d), index=self.covariance.index,
                            columns=self.covariance.columns)

    def parameters_table(self) -> pd.DataFrame:
        """Fitted values with uncertainty and an identifiability verdict.

        A parameter is flagged as not identified when its working-scale standard error is
        above 1 (the data leave it uncertain by a whole utility or logit unit, or a factor
        e) or its estimate correlates above 0.95 in absolute value with another's.

        Returns
        -------
        pandas.DataFrame
            Columns parameter, scale, prior, start, estimate, se, lo95, hi95, working_se,
            max_abs_corr, identified.
        """
        corr = self.correlation().abs().to_numpy().copy()
        np.fill_diagonal(corr, 0.0)
        rows = []
        for j, n in enumerate(self.parameters):
            wse = float(np.sqrt(max(self.covariance.iat[j, j], 0.0)))
            mc = float(corr[j].max()) if len(self.parameters) > 1 else 0.0
            ok = wse <= 1.0 and mc <= 0.95
            why = "yes" if ok else ("no: large se" if wse > 1.0 else "no: correlated")
            rows.append({
                "parameter": n, "scale": self.scales[n], "prior": self.prior[n],
                "start": self.start[n], "estimate": self.estimate[n], "se": self.se[n],
                "lo95": self.interval[n][0], "hi95": self.interval[n][1], "working_se": wse,
                "max_abs_corr": mc, "identified": why,
            })
        return pd.DataFrame(rows)

    def values_table(self) -> pd.DataFrame:
        """The resulting Params values: field, prior, calibrated value, se."""
        return pd.DataFrame([{"field": f, "prior": self.value_prior[f], "value": v,
                              "se": self.value_se[f],
                              "how": "derived" if f in self.derived else "fitted"}
                             for f, v in self.values.items()])

    def report(self) -> str:
        """The fit report as plain text (what ``fazhi-sim calibrate`` prints)."""
        fmt = _fmt_value
        t = self.table()
        lines = [f"Calibration on {self.region!r}: {self.replicates} replicates per "
                 f"evaluation (seeds {self.seed}-{self.seed + self.replicates - 1}), "
                 f"{self.years} reported years at 2020 lever levels; {self.evaluations} "
                 f"evaluations in {self.seconds:.0f} s; {self.message}",
                 f"Distance (sum of squared standardised residuals), fit targets: "
                 f"{self.distance:.3f} over {int((t.use == 'fit').sum())} targets and "
                 f"{len(self.parameters)} parameters; holdout: {self.holdout_distance():.2f} "
                 f"over {int((t.use == 'holdout').sum())} targets",
                 "", f"Targets (model: median and 10-90% band of {self.report_replicates} "
                 "runs; residual = (median - value) / sd)"]
        rows = [[r.id, r.use, fmt(r.value), fmt(r.median), f"{fmt(r.q10)} - {fmt(r.q90)}",
                 fmt(r.sd), f"{r.residual:+.2f}"] for r in t.itertuples()]
        lines.append(_text_table(["target", "use", "value", "model", "10-90%", "sd",
                                  "residual"], rows))
        p = self.parameters_table()
        lines += ["", "Fitted parameters (se and 95% interval: Gauss-Newton approximation)"]
        rows = [[r.parameter, r.scale, f"{r.prior:.4g}", f"{r.estimate:.4g}", f"{r.se:.3g}",
                 f"{r.lo95:.4g} - {r.hi95:.4g}", f"{r.max_abs_corr:.2f}", r.identified]
                for r in p.itertuples()]
        lines.append(_text_table(["parameter", "scale", "prior", "estimate", "se",
                                  "95% interval", "max |corr|", "identified"], rows))
        v = self.values_table()
        lines += ["", "Resulting parameter values (written to the calibrated file)"]
        rows = [[r.field, f"{r.prior:.4g}", f"{r.value:.4g}", f"{r.se:.3g}", r.how]
                for r in v.itertuples()]
        lines.append(_text_table(["field", "prior", "calibrated", "se", "how"], rows))
        return "\n".join(lines)

    # -- the parameter file
    def to_toml(self, command: str | None = None) -> str:
        """The calibrated parameter file: values, standard errors, priors and provenance."""
        src = self.targets.attrs.get("source", "?")
        sha = self.targets.attrs.get("sha256", "?")
        seeds = f"{self.seed}-{self.seed + self.replicates - 1}"
        head = [
            "# Calibrated mechanism parameters of fazhi_sim (docs/calibration.md).",
            "# fazhi_sim.engine.params makes these values the defaults of their fields, so the",
            "# baseline and every scenario start from them; a scenario's [params] overrides.",
            f"# Date (UTC): {self.date}",
            f"# Command: {command or '(Python API: fazhi_sim.calibrate)'}",
            f"# Targets: {src}, sha256 {sha}",
            f"# Region {self.region!r}, {self.replicates} replicates per evaluation, seeds "
            f"{seeds} (the same at every evaluation), {self.years} reported years after the "
            "warm-up, every lever at its 2020 level",
            "# Distance: sum over fit targets of ((model mean - value) / sd)^2 = "
            f"{self.distance:.4f}; holdout {self.holdout_distance():.3f}",
            "# Optimiser: scipy.optimize.least_squares (trf) on log/logit/identity scales; "
            f"{self.evaluations} evaluations; {self.message}",
            "",
            "[params]",
        ]
        body = [f"{f} = {_toml_float(v)}  # se {self.value_se[f]:.3g}; prior "
                f"{self.value_prior[f]:g}"
                + ("; derived: steady state of the calibrated baseline" if f in self.derived
                   else "") for f, v in self.values.items()]
        body += ["", "[standard_errors]  # of the values above (Gauss-Newton, delta method)"]
        body += [f"{f} = {_toml_float(self.value_se[f], 4)}" for f in self.values]
        body += ["", "[priors]  # the hand-set defaults these values replace"]
        body += [f"{f} = {_toml_float(self.value_prior[f])}" for f in self.values]
        body += ["", "[fitted]  # what the optimiser fitted (a *_shift moves several fields)"]
        for n in self.parameters:
            lo, hi = self.interval[n]
            body.append(f"{n} = {_toml_float(self.estimate[n])}  # se {self.se[n]:.3g}, 95% "
                        f"{lo:.4g} to {hi:.4g}")
        body += [
            "", "[provenance]",
            f"date = {_toml_str(self.date)}",
            f"command = {_toml_str(command or 'fazhi_sim.calibrate')}",
            f"targets_file = {_toml_str(src)}",
            f"targets_sha256 = {_toml_str(sha)}",
            f"region = {_toml_str(self.region)}",
            f"replicates = {self.replicates}",
            f"seeds = [{', '.join(str(self.seed + k) for k in range(self.replicates))}]",
            f"years = {self.years}",
            f"distance = {_toml_float(self.distance, 6)}",
            f"holdout_distance = {_toml_float(self.holdout_distance(), 6)}",
            f"evaluations = {self.evaluations}",
            f"fitted = [{', '.join(_toml_str(n) for n in self.parameters)}]",
            f"derived = [{', '.join(_toml_str(f) for f in self.derived)}]",
        ]
        return "\n".join(head + body) + "\n"

    def write(self, path: str | Path, force: bool = False, command: str | None = None) -> Path:
        """Write the calibrated parameter file.

        Parameters
        ----------
        path
            Where to write; an existing file is never replaced unless ``force``.
        force
            Replace an existing file (including the shipped
            ``fazhi_sim/data/calibrated_params.toml``).
        command
            The command that produced the result, recorded as provenance.

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        CalibrationError
            If the file exists and ``force`` is false.
        """
        p = Path(path)
        if p.exists() and not force:
            shipped = p.resolve() == _shipped_params_path().resolve()
            what = "is the shipped calibrated parameter set" if shipped else "exists"
            raise CalibrationError(f"{path}: --out: the file {what}; give a new file name, "
                                   "or --force to overwrite")
        p.write_text(self.to_toml(command), "utf-8")
        return p

    def chart(self) -> Any:
        """Altair chart of every target against the model (see :func:`fit_chart`)."""
        return fit_chart(self)


def _shipped_params_path() -> Path:
    return Path(str(resources.files("fazhi_sim").joinpath(CALIBRATED_FILE)))


def _toml_float(x: float, digits: int = 6) -> str:
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return repr(float(f"{x:.{digits}g}"))


def _toml_str(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fmt_value(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    if abs(x) >= 10:
        return f"{x:,.1f}"
    return f"{x:.3f}"


def _text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]

    def line(cells: list[str]) -> str:
        out = [cells[0].ljust(widths[0])] + [c.rjust(w) for c, w in
                                             zip(cells[1:], widths[1:], strict=True)]
        return "  ".join(out).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


# -- Calibration ----------------------------------------------------------------------------


def calibrate(
    targets: str | Path | pd.DataFrame | None = None,
    parameters: Sequence[str] = DEFAULT_PARAMETERS,
    region: str | Region = "town",
    replicates: int = 8,
    seed: int = 1,
    years: int = 3,
    base: Params | None = None,
    start: Mapping[str, float] | None = None,
    step: float = 0.1,
    max_iterations: int = 25,
    report_replicates: int = 20,
    steady_state: bool = True,
    executor: Executor | None = None,
    progress: bool = True,
) -> Calibration:
    """Fit mechanism parameters to the fit targets; check the holdout targets.

    Parameters
    ----------
    targets
        A targets CSV file or DataFrame (columns :data:`TARGET_COLUMNS`); the shipped
        ``data/calibration_targets.csv`` if None.
    parameters
        Params fields to fit (real-valued). The default set is the one the shipped targets
        identify (docs/calibration.md).
    region
        Region the model runs on (``"town"``: 50,000 residents, fast).
    replicates, seed
        Runs per evaluation; replicate ``k`` uses seed ``seed + k`` at every evaluation
        (common random numbers).
    years
        Reported years per run after the warm-up; the model statistic is the ratio of sums
        over them (every lever at its 2020 level).
    base
        Values of the parameters not fitted (default: :func:`~fazhi_sim.engine.params.prior_params`,
        every calibrated field at its hand-set prior, so a calibration never depends on the
        shipped calibrated file).
    start
        Starting values (default: the fitted parameters' values in ``base``).
    step
        Finite-difference step on the working scale (log, logit or utility units). Under
        common random numbers the residuals are smooth at this scale but not below it.
    max_iterations
        Limit on the optimiser's function evaluations (each one ensemble).
    report_replicates
        Runs at the estimate for the report's median and 10-90% band (seeds ``seed`` on).
    steady_state
        Also set ``initial_defaulters_per_10k`` to the defaulter stock the calibrated
        baseline settles at (listings per month x (1 - exit) / exit, from the report runs),
        so the baseline starts level as that parameter promises.
    executor
        Run replicates there (e.g. ``LocalProcesses``); default: this process.
    progress
        Show a progress bar (tqdm), counting ensemble evaluations.

    Returns
    -------
    Calibration
        Estimates with standard errors, the fit report and the calibrated file's text.

    Raises
    ------
    TargetsError
        For a bad targets file.
    CalibrationError
        For an unknown or non-real parameter, too few replicates, or no fit target.
    """
    t0 = time.perf_counter()
    tg = _as_targets(targets)
    fit = tg[tg.use == "fit"].reset_index(drop=True)
    if fit.empty:
        raise CalibrationError("the targets have no row with use = fit")
    names = list(dict.fromkeys(parameters))
    if not names:
        raise CalibrationError("give at least one parameter to fit")
    if replicates < 1 or report_replicates < 1:
        raise CalibrationError("replicates must be at least 1")
    knobs = _knobs(names)
    base = base if base is not None else prior_params()
    reg = get_region(region)
    bdict = base.model_dump()
    z0 = np.array([k.start(bdict) for k in knobs])
    if start:
        unknown = set(start) - set(names)
        if unknown:
            raise CalibrationError(f"start values for parameters not fitted: {sorted(unknown)}")
        for j, k in enumerate(knobs):
            if k.name in start:
                v = float(start[k.name])
                z0[j] = v if k.composite else k.scales[0].work(v)

    bar = tqdm(desc="calibrating", unit="eval", disable=not progress)
    try:
        ev = _Evaluator(base, knobs, reg, [seed + k for k in range(replicates)], years,
                        executor, bar)
        lo, hi = ev.bounds()
        # least_squares needs a start strictly inside the bounds.
        z0 = np.clip(z0, lo + 1e-9 * (hi - lo), hi - 1e-9 * (hi - lo))
        res = least_squares(
            lambda z: ev.residuals(z, fit), z0,
            jac=lambda z: ev.jacobian(z, fit, step, central=False),
            bounds=(lo, hi), method="trf", x_scale=1.0, ftol=1e-4, xtol=1e-4, gtol=1e-6,
            max_nfev=max_iterations,
        )
        z = res.x
        jac = ev.jacobian(z, fit, step, central=True)
        r = ev.residuals(z, fit)
        report_ev = _Evaluator(base, knobs, reg, [seed + k for k in range(report_replicates)],
                               years, executor, bar)
        runs = report_ev.runs(z)
    finally:
        bar.close()

    cov = np.linalg.pinv(jac.T @ jac)
    wse = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    est, se, interval, values, value_se = {}, {}, {}, {}, {}
    for j, k in enumerate(knobs):
        zj = float(z[j])
        est[k.name] = k.display(zj)
        slope = 1.0 if k.composite else k.scales[0].slope(zj)
        se[k.name] = abs(slope) * float(wse[j])
        interval[k.name] = (k.display(max(zj - 1.96 * wse[j], lo[j])),
                            k.display(min(zj + 1.96 * wse[j], hi[j])))
        values.update(k.values(zj, bdict))
        for f, sl in k.slopes(zj, bdict).items():
            value_se[f] = abs(sl) * float(wse[j])
    derived: tuple[str, ...] = ()
    if steady_state and "initial_defaulters_per_10k" not in values:
        p_hat = ev.params(z)
        out = min(1.0, p_hat.defaulter_exit
                  + p_hat.credit_exit * LEVERS["credit_enforcement"].baseline)
        stock = runs["new_defaulters_per_10k"] / 12 * (1 - out) / max(out, 1e-9)
        values["initial_defaulters_per_10k"] = float(stock.mean())
        value_se["initial_defaulters_per_10k"] = (
            float(stock.std(ddof=1) / math.sqrt(len(stock))) if len(stock) > 1 else math.nan)
        derived = ("initial_defaulters_per_10k",)
    prior = prior_params()
    return Calibration(
        parameters=tuple(k.name for k in knobs), estimate=est,
        start={k.name: k.display(float(v)) for k, v in zip(knobs, z0, strict=True)},
        prior={k.name: 0.0 if k.composite else float(getattr(prior, k.name)) for k in knobs},
        se=se, interval=interval, scales={k.name: k.kind for k in knobs},
        values=values, value_se=value_se, derived=derived,
        value_prior={f: float(getattr(prior, f)) for f in values},
        covariance=pd.DataFrame(cov, index=names, columns=names),
        jacobian=pd.DataFrame(jac, index=list(fit.id), columns=names),
        targets=tg, runs=runs, distance=float(np.sum(r ** 2)), region=reg.id,
        replicates=replicates, seed=seed, years=years, report_replicates=report_replicates,
        evaluations=ev.evaluations + report_ev.evaluations,
        seconds=time.perf_counter() - t0, success=bool(res.success),
        message=str(res.message),
    )


def sensitivity(
    parameters: Sequence[str],
    targets: str | Path | pd.DataFrame | None = None,
    at: Params | None = None,
    region: str | Region = "town",
    replicates: int = 8,
    seed: int = 1,
    years: int = 3,
    step: float = 0.1,
    progress: bool = True,
) -> pd.DataFrame:
    """How every target responds to each parameter: the identifiability check.

    Central differences of the standardised residuals (model mean - value) / sd per unit of
    each parameter's working scale (log, logit or utility units), under common random
    numbers. Two parameters whose columns are nearly proportional cannot both be fitted to
    these targets; a column near zero means the targets do not inform the parameter.

    Parameters
    ----------
    parameters
        Real-valued Params fields.
    targets
        Targets file or DataFrame (default: the shipped one); fit and holdout rows.
    at
        Where to take the derivatives (default: ``Params()``, the calibrated defaults).
    region, replicates, seed, years, step, progress
        As in :func:`calibrate`.

    Returns
    -------
    pandas.DataFrame
        Rows: target ids (with a ``use`` column); columns: parameters.
    """
    tg = _as_targets(targets)
    knobs = _knobs(parameters)
    at = at if at is not None else Params()
    bar = tqdm(desc="sensitivity", unit="eval", disable=not progress)
    try:
        ev = _Evaluator(at, knobs, get_region(region), [seed + k for k in range(replicates)],
                        years, None, bar)
        z = np.array([k.start(ev.base) for k in knobs])
        jac = ev.jacobian(z, tg, step, central=True)
    finally:
        bar.close()
    out = pd.DataFrame(jac, index=pd.Index(tg.id, name="target"),
                       columns=[k.name for k in knobs])
    out.insert(0, "use", tg.use.to_numpy())
    return out
