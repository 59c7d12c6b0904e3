"""Regression baseline: fixed runs must reproduce tests/baselines/*.csv exactly.

A deliberate change of results regenerates the files (tests/baselines/make_baselines.py) in
the same commit, with a line in CHANGELOG.md saying what moved and why.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

_spec = importlib.util.spec_from_file_location(
    "make_baselines", Path(__file__).parent / "baselines" / "make_baselines.py")
make_baselines = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_baselines)


@pytest.mark.parametrize("region", make_baselines.REGIONS)
def test_runs_match_baseline_exactly(region):
    want = pd.read_csv(make_baselines.baseline_path(region), dtype={"region": str})
    got = make_baselines.runs(region)
    keys = ["scenario", "seed", "year", "region", "metric"]
    assert list(got[keys].astype(str).itertuples(index=False)) == list(
        want[keys].astype(str).itertuples(index=False)), "runs, years or metrics differ"
    diff = np.flatnonzero(~np.isclose(got["value"].to_numpy(), want["value"].to_numpy(),
                                      rtol=0, atol=0, equal_nan=True))
    assert len(diff) == 0, (
        f"{len(diff)} values differ from the baseline, first: "
        f"{got.iloc[diff[0]][keys].to_dict()} {got['value'].iloc[diff[0]]!r} "
        f"!= {want['value'].iloc[diff[0]]!r}")
