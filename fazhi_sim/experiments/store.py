"""RunStore: a folder of finished runs, so an interrupted sweep resumes where it stopped."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from ..engine.scenario import Scenario
from .spec import ModelSpec, as_spec

__all__ = ["RunStore"]


class RunStore:
    """A folder of finished runs, one Parquet file per (scenario content, region, seed).

    Runs of any model other than the shipped one are keyed by the model too (a digest of
    :attr:`ModelSpec.label <fazhi_sim.ModelSpec.label>` in the file name), so a researcher's
    model never reads back the shipped model's runs or the other way round; the shipped
    model's files keep the name ``<content hash>_<region>_<seed>.parquet`` they always had,
    so stores written before models could be swapped still resume.

    Files are written to a temporary name and renamed into place, so a run killed half-way
    leaves no file that could be read as finished.

    Parameters
    ----------
    path
        The folder (created if missing).
    model
        The model whose runs this store holds: anything :func:`~fazhi_sim.as_spec` accepts;
        the shipped model if None.
    """

    def __init__(self, path: str | os.PathLike, model: Any = None):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.spec: ModelSpec = as_spec(model)

    def file(self, scenario: Scenario, region_id: str, seed: int) -> Path:
        """Where this run's result lives."""
        stem = f"{scenario.content_hash()}_{region_id}_{seed}"
        if not self.spec.default:
            # A label holds ':' and '<locals>', which not every file system takes.
            digest = hashlib.sha256(self.spec.label.encode()).hexdigest()[:16]
            stem = f"{stem}_model-{digest}"
        return self.path / f"{stem}.parquet"

    def load(self, scenario: Scenario, region_id: str, seed: int) -> pd.DataFrame | None:
        """The stored result, or None if the run has not finished."""
        f = self.file(scenario, region_id, seed)
        return pd.read_parquet(f) if f.exists() else None

    def save(self, scenario: Scenario, region_id: str, seed: int, df: pd.DataFrame) -> None:
        """Write one finished run (atomically)."""
        target = self.file(scenario, region_id, seed)
        tmp = target.with_name(f".tmp-{uuid.uuid4().hex}-{target.name}")
        df.to_parquet(tmp, index=False)
        os.replace(tmp, target)
