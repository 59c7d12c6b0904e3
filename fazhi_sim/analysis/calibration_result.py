"""The result of a calibration: estimates, the fit report and the calibrated parameter file.

:class:`Calibration` holds what :func:`~fazhi_sim.analysis.calibration.calibrate` found and
writes it out: :meth:`Calibration.report` is the plain-text fit report the command line
prints, :meth:`Calibration.to_toml` and :meth:`Calibration.write` the calibrated parameter
file with its provenance. The chart is drawn by
:func:`fazhi_sim.views.analysis_charts.fit_chart`.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.params import CALIBRATED_FILE
from ..experiments.ensemble import SHIPPED_MODEL
from .calibration_scales import CalibrationError
from .fit_targets import fit_table

__all__ = ["Calibration", "SHIPPED_MODEL"]

"""Label of the shipped model; a calibration of any other names its model in the file."""


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
    model : str
        Label of the model calibrated (:attr:`ModelSpec.label
        <fazhi_sim.experiments.spec.ModelSpec.label>`); :data:`SHIPPED_MODEL` by default.
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
    model: str = SHIPPED_MODEL
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
                 *([f"Model: {self.model}"] if self.model != SHIPPED_MODEL else []),
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
            *([f"# Model: {self.model}"] if self.model != SHIPPED_MODEL else []),
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
        if self.model != SHIPPED_MODEL:
            body.append(f"model = {_toml_str(self.model)}")
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
