"""The calibration objective: standardised residuals of the targets, and their derivatives.

Every evaluation runs the same seeds (common random numbers), so the residuals are a smooth
function of the parameters at the finite-difference step; results are cached by parameter
vector because the optimiser and the Jacobian revisit points.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from ..engine.params import Params
from ..engine.region import Region
from ..experiments.spec import ModelSpec, as_spec
from .calibration_scales import Knob
from .fit_targets import calibration_scenario, seed_statistics

__all__ = ["Evaluator"]


class Evaluator:
    """Runs the ensemble for a vector of working values, with a cache.

    Parameters
    ----------
    base
        Values of every Params field not moved by a knob.
    knobs
        The calibrated quantities, in the order of the working vector.
    region, seeds, years
        Where, with which seeds and for how many reported years the model runs.
    executor
        Run the replicates there (None: this process).
    bar
        A tqdm bar counting evaluations, or None.
    model
        The model to build (anything :func:`~fazhi_sim.experiments.spec.as_spec` takes).
    """

    def __init__(self, base: Params, knobs: Sequence[Knob], region: Region,
                 seeds: Sequence[int], years: int, executor: Executor | None, bar: Any,
                 model: Any = None):
        self.base = base.model_dump()
        self.knobs = list(knobs)
        self.region, self.seeds, self.years = region, list(seeds), years
        self.executor, self.bar = executor, bar
        self.spec: ModelSpec = as_spec(model)
        self.cache: dict[tuple[float, ...], pd.DataFrame] = {}
        self.evaluations = 0

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper working bounds, one per knob."""
        b = [k.bounds(self.base) for k in self.knobs]
        return np.array([x[0] for x in b]), np.array([x[1] for x in b])

    def values(self, z: np.ndarray) -> dict[str, float]:
        """The Params field values the knobs set at working vector ``z``."""
        out: dict[str, float] = {}
        for k, v in zip(self.knobs, z, strict=True):
            out.update(k.values(float(v), self.base))
        return out

    def params(self, z: np.ndarray) -> Params:
        """The full parameter set at working vector ``z``."""
        return Params(**{**self.base, **self.values(z)})

    def runs(self, z: np.ndarray) -> pd.DataFrame:
        """Every statistic per seed at ``z`` (one ensemble evaluation unless cached)."""
        key = tuple(round(float(v), 12) for v in z)
        if key not in self.cache:
            sc = calibration_scenario(self.params(z), self.years)
            self.cache[key] = seed_statistics(sc, self.region, self.seeds, self.executor,
                                              self.spec)
            self.evaluations += 1
            if self.bar is not None:
                self.bar.update(1)
        return self.cache[key]

    def residuals(self, z: np.ndarray, targets: pd.DataFrame) -> np.ndarray:
        """(ensemble mean - value) / sd per target; a statistic that is undefined counts 1000."""
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
