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

The parts live in their own modules and are re-exported here: the targets and statistics in
:mod:`~fazhi_sim.analysis.fit_targets`, the working scales in
:mod:`~fazhi_sim.analysis.calibration_scales`, the objective in
:mod:`~fazhi_sim.analysis.calibration_evaluator` and the result in
:mod:`~fazhi_sim.analysis.calibration_result`.

Example::

    from fazhi_sim.analysis.calibration import calibrate
    cal = calibrate()                 # shipped targets, "town" region, 8 replicates
    print(cal.table())                # target, value, model median, band, residual
    cal.write("my_params.toml")       # refuses to overwrite an existing file
    calibrate(model=MyModel)          # a DisputeModel or Behaviour subclass, or a ModelSpec
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from tqdm.auto import tqdm

from ..engine.measures import LEVERS
from ..engine.params import Params, prior_params
from ..engine.region import Region, get_region
from ..experiments.spec import as_spec
from .calibration_evaluator import Evaluator
from .calibration_result import Calibration
from .calibration_scales import COMPOSITES, CalibrationError, Knob, knobs_for
from .fit_targets import (
    STATISTICS,
    TARGET_COLUMNS,
    TARGETS_FILE,
    USES,
    Statistic,
    TargetsError,
    as_targets,
    check_fit,
    fit_table,
    load_targets,
    model_statistics,
    targets_hash,
)

__all__ = [
    "calibrate", "Calibration", "load_targets", "TargetsError", "CalibrationError",
    "STATISTICS", "Statistic", "DEFAULT_PARAMETERS", "TARGETS_FILE", "TARGET_COLUMNS",
    "model_statistics", "sensitivity", "targets_hash", "COMPOSITES", "USES",
    "fit_table", "check_fit", "knobs_for",
]


DEFAULT_PARAMETERS = ("claim_intercept", "asc_court", "mediation_asc_shift",
                      "mediation_success_shift")
"""Parameters fitted by default: one per informative fit target (docs/calibration.md)."""


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
    model: Any = None,
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
    model
        The model to calibrate: anything :func:`~fazhi_sim.experiments.spec.as_spec`
        accepts (a ``ModelSpec``, a ``DisputeModel`` or ``Behaviour`` subclass,
        ``"package.module:Name"``); default the shipped model. With an executor, its
        classes must live in an importable module.

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
    tg = as_targets(targets)
    fit = tg[tg.use == "fit"].reset_index(drop=True)
    if fit.empty:
        raise CalibrationError("the targets have no row with use = fit")
    names = list(dict.fromkeys(parameters))
    if not names:
        raise CalibrationError("give at least one parameter to fit")
    if replicates < 1 or report_replicates < 1:
        raise CalibrationError("replicates must be at least 1")
    knobs = knobs_for(names)
    base = base if base is not None else prior_params()
    reg = get_region(region)
    spec = as_spec(model)
    bdict = base.model_dump()
    z0 = _start_values(knobs, bdict, start)

    bar = tqdm(desc="calibrating", unit="eval", disable=not progress)
    try:
        ev = Evaluator(base, knobs, reg, [seed + k for k in range(replicates)], years,
                       executor, bar, spec)
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
        report_ev = Evaluator(base, knobs, reg, [seed + k for k in range(report_replicates)],
                              years, executor, bar, spec)
        runs = report_ev.runs(z)
    finally:
        bar.close()

    cov = np.linalg.pinv(jac.T @ jac)
    est, se, interval, values, value_se = _uncertainty(knobs, z, cov, lo, hi, bdict)
    derived: tuple[str, ...] = ()
    if steady_state and "initial_defaulters_per_10k" not in values:
        stock, stock_se = _steady_state_defaulters(ev.params(z), runs)
        values["initial_defaulters_per_10k"] = stock
        value_se["initial_defaulters_per_10k"] = stock_se
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
        message=str(res.message), model=spec.label,
    )


def _start_values(knobs: Sequence[Knob], base: Mapping[str, float],
                  start: Mapping[str, float] | None) -> np.ndarray:
    # Working values; a composite's start is given as its shift, a field's as its value.
    z0 = np.array([k.start(base) for k in knobs])
    if start:
        unknown = set(start) - {k.name for k in knobs}
        if unknown:
            raise CalibrationError(f"start values for parameters not fitted: {sorted(unknown)}")
        for j, k in enumerate(knobs):
            if k.name in start:
                v = float(start[k.name])
                z0[j] = v if k.composite else k.scales[0].work(v)
    return z0


def _uncertainty(knobs: Sequence[Knob], z: np.ndarray, cov: np.ndarray, lo: np.ndarray,
                 hi: np.ndarray, base: Mapping[str, float]
                 ) -> tuple[dict[str, float], dict[str, float],
                            dict[str, tuple[float, float]], dict[str, float],
                            dict[str, float]]:
    # Estimates, se, 95% intervals, field values and their se: the working-scale se mapped
    # back by the delta method; the intervals are mapped whole, so they respect the bounds.
    wse = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    est, se, interval, values, value_se = {}, {}, {}, {}, {}
    for j, k in enumerate(knobs):
        zj = float(z[j])
        est[k.name] = k.display(zj)
        slope = 1.0 if k.composite else k.scales[0].slope(zj)
        se[k.name] = abs(slope) * float(wse[j])
        interval[k.name] = (k.display(max(zj - 1.96 * wse[j], lo[j])),
                            k.display(min(zj + 1.96 * wse[j], hi[j])))
        values.update(k.values(zj, base))
        for f, sl in k.slopes(zj, base).items():
            value_se[f] = abs(sl) * float(wse[j])
    return est, se, interval, values, value_se


def _steady_state_defaulters(params: Params, runs: pd.DataFrame) -> tuple[float, float]:
    # Listings per month x (1 - exit) / exit: the stock at which exits match listings, so a
    # baseline started there stays level. Its se is the Monte Carlo error of the report runs.
    out = min(1.0, params.defaulter_exit
              + params.credit_exit * LEVERS["credit_enforcement"].baseline)
    stock = runs["new_defaulters_per_10k"] / 12 * (1 - out) / max(out, 1e-9)
    se = float(stock.std(ddof=1) / math.sqrt(len(stock))) if len(stock) > 1 else math.nan
    return float(stock.mean()), se


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
    model: Any = None,
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
    region, replicates, seed, years, step, progress, model
        As in :func:`calibrate`.

    Returns
    -------
    pandas.DataFrame
        Rows: target ids (with a ``use`` column); columns: parameters.
    """
    tg = as_targets(targets)
    knobs = knobs_for(parameters)
    at = at if at is not None else Params()
    bar = tqdm(desc="sensitivity", unit="eval", disable=not progress)
    try:
        ev = Evaluator(at, knobs, get_region(region), [seed + k for k in range(replicates)],
                       years, None, bar, model)
        z = np.array([k.start(ev.base) for k in knobs])
        jac = ev.jacobian(z, tg, step, central=True)
    finally:
        bar.close()
    out = pd.DataFrame(jac, index=pd.Index(tg.id, name="target"),
                       columns=[k.name for k in knobs])
    out.insert(0, "use", tg.use.to_numpy())
    return out
