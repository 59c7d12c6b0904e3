"""Write the regression baseline: ``python tests/baselines/make_baselines.py``.

Run it only for a deliberate change of results, and say in CHANGELOG.md what moved and why.
The runs are the ones :mod:`tests.test_baselines` repeats: the town and 新昌 (xinchang), the
baseline and plan-2025 scenarios, seeds 1-3, every metric of every year, written with 17
significant digits so that a float reads back exactly.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import fazhi_sim as fs

HERE = Path(__file__).parent
REGIONS = ("town", "xinchang")
SCENARIOS = ("baseline", "plan-2025")
SEEDS = (1, 2, 3)


def baseline_path(region: str) -> Path:
    """The baseline file of one region."""
    return HERE / f"{region}.csv"


def runs(region: str) -> pd.DataFrame:
    """Every fixed run of one region as one tidy frame."""
    frames = []
    for scenario in SCENARIOS:
        for seed in SEEDS:
            df = fs.simulate(scenario, region=region, seed=seed)
            frames.append(df.assign(scenario=scenario, seed=seed))
    cols = ["scenario", "seed", "year", "region", "metric", "value"]
    return pd.concat(frames, ignore_index=True)[cols]


def main() -> None:
    """Write one CSV per region."""
    for region in REGIONS:
        runs(region).to_csv(baseline_path(region), index=False, float_format="%.17g")
        print(f"wrote {baseline_path(region)}")


if __name__ == "__main__":
    main()
