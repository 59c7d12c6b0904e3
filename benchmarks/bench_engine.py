"""Engine benchmarks: wall time and peak RSS per region, and the reference model's slowdown.

Run with ``make bench`` (not part of the test suite). Each case runs in a fresh process so
peak RSS is the case's own. Targets (issue: engine): all of Shaoxing <= 3 s and <= 1 GB;
the 50k town <= 0.2 s; engine >= 100x faster than the reference at 100k residents.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CASE = r"""
import json, resource, sys, time
import numpy as np
import fazhi_sim as fs
from fazhi_sim.engine.region import Region
kind, name, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
scenario = fs.load_scenario("plan-2025")
if name == "100k":
    n_vil = 40
    region = Region("r100k", "十万人区", "100k region", ("r100k",), ("十万人区",),
                    np.zeros(1, np.int32), np.zeros(n_vil, np.int32), np.zeros(n_vil, np.int32),
                    np.full(n_vil, 2_500, np.int64))
else:
    region = fs.get_region(name)
t0 = time.perf_counter()
if kind == "engine":
    fs.simulate(scenario, region=region, seed=seed)
elif kind == "engine-run":  # the model alone, as the reference is timed
    fs.DisputeModel(scenario, region=region, seed=seed).run()
else:
    from fazhi_sim.engine.reference import ReferenceModel
    ReferenceModel(scenario, region=region, seed=seed).run()
wall = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall": wall, "rss_mb": rss, "population": region.population}))
"""


def run_case(kind: str, region: str, seed: int) -> dict:
    """Run one case in a fresh interpreter and return its timing."""
    out = subprocess.run([sys.executable, "-c", CASE, kind, region, str(seed)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Print the benchmark table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5, help="runs per case (best is reported)")
    ap.add_argument("--no-reference", action="store_true", help="skip the slow reference run")
    args = ap.parse_args()
    cases = [("engine", "shaoxing"), ("engine", "zhuji"), ("engine", "town"),
             ("engine", "100k"), ("engine-run", "100k")]
    if not args.no_reference:
        cases.append(("reference", "100k"))
    results = {}
    print(f"{'case':<22}{'residents':>11}{'best wall s':>13}{'peak RSS MB':>13}")
    for kind, region in cases:
        reps = 1 if kind == "reference" else args.repeat
        runs = [run_case(kind, region, seed) for seed in range(1, reps + 1)]
        best = min(r["wall"] for r in runs)
        rss = max(r["rss_mb"] for r in runs)
        results[(kind, region)] = best
        print(f"{kind + ' ' + region:<22}{runs[0]['population']:>11,}{best:>13.3f}{rss:>13.0f}")
    if ("reference", "100k") in results:
        ratio = results[("reference", "100k")] / results[("engine-run", "100k")]
        print(f"reference / engine at 100k residents (model runs alone): {ratio:.0f}x")
    print("(plan-2025 scenario, 2021-2025 monthly plus warm-up; one replicate per run; "
          "'engine' includes the tidy DataFrame, 'engine-run' and 'reference' the model only)")


if __name__ == "__main__":
    main()
