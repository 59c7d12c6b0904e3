"""The files a Bayesian calibration writes, and the fit it reports.

``fazhi-sim calibrate --bayes`` writes, into one folder (the package's ``data/`` for the
shipped calibration):

* ``posterior_draws.csv``: the draws every ensemble runs (:mod:`fazhi_sim.experiments.posterior`);
* ``posterior_summary.csv``: per parameter, prior and posterior quantiles, shrinkage, ESS;
* ``posterior_fit.csv``: every target against the posterior predictive, fit and holdout;
* ``posterior_sources.csv``: what drives each headline effect's variance;
* ``posterior.toml``: how it was made (command, date, design, sampler, targets' hash);
* ``calibration_design.parquet``: the design the emulators were fitted to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from .bayes import Posterior
from .emulator import Emulator, from_scale, to_scale

__all__ = ["predictive_fit", "write_posterior", "FILES"]

FILES = ("posterior_draws.csv", "posterior_summary.csv", "posterior_fit.csv",
         "posterior_sources.csv", "posterior.toml", "calibration_design.parquet")


def predictive_fit(emulator: Emulator, draws: pd.DataFrame, targets: pd.DataFrame
                   ) -> pd.DataFrame:
    """Each target against what the posterior predicts for its statistic.

    Parameters
    ----------
    emulator
        Emulates every target's statistic.
    draws
        Posterior draws.
    targets
        Level and response targets (:func:`~fazhi_sim.analysis.bayes.load_all_targets`).

    Returns
    -------
    pandas.DataFrame
        ``id``, ``use``, ``value``, ``sd``, the predictive ``median``, ``q10`` and ``q90``
        of the model's expected statistic over the draws, and ``z``: the target's distance
        from the median in units of the combined sd (target sd and the posterior spread,
        on the statistic's emulation scale).
    """
    u = emulator.priors.cdf(draws[emulator.inputs].to_numpy(dtype=float))
    rows = []
    for _i, t in targets.iterrows():
        scale = emulator.scales[t.model_metric]
        mean, _sd = emulator.predict(u, t.model_metric)
        q = np.quantile(mean, [0.1, 0.5, 0.9])
        sd_t = abs(float(to_scale(t.value + t.sd / 2, scale) - to_scale(t.value - t.sd / 2, scale)))
        z = (float(to_scale(t.value, scale)) - q[1]) / np.hypot(sd_t, np.std(mean))
        nat = from_scale(q, scale)
        rows.append((t.id, t.use, t.kind, t.value, t.sd, nat[1], nat[0], nat[2], z))
    return pd.DataFrame(rows, columns=["id", "use", "kind", "value", "sd", "median", "q10",
                                       "q90", "z"])


def _toml_value(v: object) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, float):
        return repr(round(v, 6))
    return str(v)


def write_posterior(folder: str | Path, post: Posterior, fit: pd.DataFrame,
                    sources: pd.DataFrame, design: pd.DataFrame, provenance: dict) -> list[Path]:
    """Write every file of :data:`FILES` into ``folder``; the paths written.

    Parameters
    ----------
    folder
        Where (created if missing).
    post, fit, sources, design
        What :func:`~fazhi_sim.analysis.bayes.calibrate_bayes`, :func:`predictive_fit`,
        :func:`~fazhi_sim.analysis.uncertainty_sources.effect_sources` and
        :func:`~fazhi_sim.analysis.bayes_design.run_design` returned.
    provenance
        Command, targets' hash and anything else to record (strings, numbers, lists).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f for f in FILES]
    post.draws.to_csv(paths[0], float_format="%.6g")
    post.summary.to_csv(paths[1], index=False, float_format="%.6g")
    fit.to_csv(paths[2], index=False, float_format="%.6g")
    sources.to_csv(paths[3], index=False, float_format="%.6g")
    design.to_parquet(paths[5])
    info = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **provenance,
            **post.info, "calibrated": post.calibrated, "draws": len(post.draws),
            "draws_sha256": hashlib.sha256(paths[0].read_bytes()).hexdigest()}
    lines = ["# Bayesian calibration of fazhi_sim (docs/calibration.md); written by",
             "# fazhi-sim calibrate --bayes. The draws are in posterior_draws.csv.", "",
             "[provenance]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in info.items()]
    paths[4].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths
