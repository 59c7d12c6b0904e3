"""Ensemble benchmarks: 100 replicates x 2 scenarios of one county, by execution backend.

Targets (issue: ensembles): >= 1.8x faster with 2 jobs than with 1; a Dask LocalCluster
within 20% of the process pool. Run with ``make bench-ensemble``; not part of the tests.
"""

from __future__ import annotations

import argparse
import time

import fazhi_sim as fs


def timed(label: str, make_executor, replicates: int, region: str) -> float:
    """Run the sweep on one backend and print its wall time."""
    t0 = time.perf_counter()
    with make_executor() as ex:
        fs.run_ensemble(["baseline", "plan-2025"], replicates=replicates, region=region,
                        executor=ex, progress=False)
    wall = time.perf_counter() - t0
    print(f"{label:<28}{wall:>9.1f} s")
    return wall


def main() -> None:
    """Print wall times for serial, 2 processes and a 2-worker Dask LocalCluster."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--replicates", type=int, default=100)
    ap.add_argument("--region", default="xinchang")
    a = ap.parse_args()
    n = 2 * a.replicates
    print(f"{n} runs of {a.region} (baseline and plan-2025, {a.replicates} replicates each)")
    one = timed("1 job (in process)", lambda: fs.LocalProcesses(jobs=1), a.replicates, a.region)
    two = timed("2 jobs (process pool)", lambda: fs.LocalProcesses(jobs=2), a.replicates,
                a.region)
    dask = timed("Dask LocalCluster, 2 workers", lambda: fs.DaskCluster(jobs=2), a.replicates,
                 a.region)
    print(f"speed-up 2 jobs / 1 job: {one / two:.2f}x (target >= 1.8x)")
    print(f"Dask / process pool: {dask / two:.2f} (target <= 1.20)")


if __name__ == "__main__":
    main()
