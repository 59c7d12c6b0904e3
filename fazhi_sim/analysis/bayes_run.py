"""The whole Bayesian calibration in one call: design, emulators, posterior, fit, sources."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..experiments.priors import Priors, load_priors
from .bayes import Posterior, calibrate_bayes, load_all_targets
from .bayes_design import EFFECTS, run_design
from .bayes_io import predictive_fit, write_posterior
from .emulator import Emulator, fit_emulator, screen_inputs
from .uncertainty_sources import effect_sources

__all__ = ["BayesResult", "run_bayes"]


@dataclass
class BayesResult:
    """Everything :func:`run_bayes` made; :meth:`write` saves it."""

    posterior: Posterior
    emulator: Emulator
    fit: pd.DataFrame
    sources: pd.DataFrame
    design: pd.DataFrame
    provenance: dict

    def write(self, folder: str | os.PathLike) -> list[Path]:
        """Write the calibration's files (:data:`~fazhi_sim.analysis.bayes_io.FILES`)."""
        return write_posterior(folder, self.posterior, self.fit, self.sources, self.design,
                               self.provenance)

    def report(self) -> str:
        """A plain-text account: what the data pinned down, and the fit in and out of sample."""
        s = self.posterior.summary
        cal = s[s.calibrated].sort_values("shrinkage", ascending=False)
        lines = [f"Bayesian calibration: {len(self.design)} design runs, "
                 f"{len(self.posterior.draws)} posterior draws; "
                 f"{len(s) - len(cal)} parameters keep their priors.", "",
                 "calibrated  prior 5-95%  ->  posterior 5-95%  (narrowed by, ESS)"]
        for _i, r in cal.iterrows():
            lines.append(f"  {r.param:<26} {r.prior_5:9.4g} to {r.prior_95:<9.4g} -> "
                         f"{r.post_5:9.4g} to {r.post_95:<9.4g} ({r.shrinkage:4.0%}, "
                         f"{r.ess:5.0f})")
        lines += ["", "target                                     use      value   "
                  "posterior median [10%, 90%]      z"]
        for _i, r in self.fit.iterrows():
            lines.append(f"  {r.id:<40} {r.use:<7} {r.value:8.4g}  {r['median']:8.4g} "
                         f"[{r.q10:.4g}, {r.q90:.4g}]  {r.z:+5.2f}")
        return "\n".join(lines)


def run_bayes(priors: Priors | str | None = None, levels: str | None = None,
              responses: str | None = None, n: int = 1200, seed: int = 1,
              region: str = "town", store: str | os.PathLike | None = None,
              jobs: int | None = None, draws: int = 400, inputs: int = 10,
              steps: int = 4000, model: Any = None, progress: bool = True) -> BayesResult:
    """Run the design, fit the emulators, sample the posterior and report the fit.

    Parameters
    ----------
    priors
        Priors or a priors CSV (the shipped ``data/priors.csv`` if None).
    levels, responses
        Target files (the shipped ones if None).
    n, seed, region, store, jobs, model, progress
        The design (:func:`~fazhi_sim.analysis.bayes_design.run_design`); ``store`` makes it
        resumable.
    draws, inputs, steps
        Posterior draws to keep, parameters to calibrate, MCMC steps
        (:func:`~fazhi_sim.analysis.bayes.calibrate_bayes`).

    Returns
    -------
    BayesResult
    """
    pri = priors if isinstance(priors, Priors) else load_priors(priors)
    targets = load_all_targets(levels, responses)
    design = run_design(pri, n=n, seed=seed, region=region, store=store, jobs=jobs,
                        model=model, progress=progress)
    post, emu = calibrate_bayes(design, pri, targets, inputs=inputs, draws=draws,
                                steps=steps, seed=seed, progress=progress)
    fit = predictive_fit(emu, post.draws, targets)
    # The effects' own emulator reads the parameters that move the effects most, whether
    # the data inform them or not (those keep their priors in the draws).
    effects = fit_emulator(design, pri, screen_inputs(design, pri, list(EFFECTS), inputs),
                           list(EFFECTS), seed=seed)
    sources = effect_sources(effects, post.draws, seed=seed)
    digest = hashlib.sha256(targets.to_csv(index=False).encode("utf-8")).hexdigest()
    prov = {"design_points": n, "design_seed": seed, "region": region,
            "targets_sha256": digest, "priors_source": pri.source}
    return BayesResult(post, emu, fit, sources, design, prov)
