"""Engine benchmarks (``make bench``): wall time and peak memory, one table, one run.

Every case runs in a fresh interpreter, so its peak RSS is its own, after one warm-up run in
that interpreter (imports, compiled kernels) so the time is the work, not the start-up:

* the 50,000-resident town, 10 replicates: one at a time on one core, and as one batch, in
  turn in one interpreter (five of each, the fastest of each kept), so that the machine's
  changes of speed, which on a shared virtual machine are as large as a third, fall on both
  alike; both again in a process set up as fazhi-sim's workers are (which keep the memory
  they free, ``keep_freed_memory``), where ensembles and the dashboard run their batches;
* the dashboard's slider move (town, 10 replicates, its worker processes warm);
* Zhuji (诸暨, 1.2 million), an ensemble of 20 replicates on every core;
* all of Shaoxing once;
* a bare numpy floor for the town batch and for Shaoxing: the same months, grievances, claims
  and channel choices as the run, each drawn and tallied with the fewest array operations
  (no institutions, no learning), timed in the same interpreter;
* the per-agent reference model against the engine at 100,000 residents, in one
  interpreter: the engine runs once before the reference and once after every six of the
  reference's months (13 runs), each as ``simulate`` runs it (no monthly Mesa reporters,
  which the reference has not); the ratio is the reference's time over the engine's mean,
  both taken over the same minute, and is also given against the engine's fastest run.

Targets (issue: batching): the town batch <= 0.3 s and >= 4x faster than serial; the slider
median <= 0.5 s; reference / engine >= 100x at 100k. The city ensemble (100 replicates x 2
scenarios) is ``make bench-ensemble``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CASE = r"""
import gc, json, os, resource, statistics, sys, time
# fazhi_sim before numpy, as its command line and workers have it: importing it turns numpy's
# huge pages off (docs/performance.md), which numpy reads once, at its own import.
import fazhi_sim as fs
import numpy as np
from fazhi_sim.engine.region import Region
sys.path.insert(0, sys.argv[3])
from bench_floor import floor_seconds

kind, name = sys.argv[1], sys.argv[2]
if kind.endswith("-worker"):  # a process set up as fazhi-sim's worker processes are
    from fazhi_sim.experiments.executors import keep_freed_memory
    keep_freed_memory()
    kind = kind.removesuffix("-worker")
plan = fs.load_scenario("plan-2025")


def region_of(name):
    if name != "100k":
        return fs.get_region(name)
    n = 40
    return Region("r100k", "十万人区", "100k region", ("r100k",), ("十万人区",),
                  np.zeros(1, np.int32), np.zeros(n, np.int32), np.zeros(n, np.int32),
                  np.full(n, 2_500, np.int64))


def timed(fn, repeat=3, warm=None):
    (warm or fn)()  # warm-up: imports, compiled kernels, caches
    gc.collect()  # a model is a cycle of objects: free the last before the next
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        gc.collect()
    return min(times), out


def in_turn(*fns, repeat=5):
    # One after the other, `repeat` rounds: the fastest of each.
    for fn in fns:
        fn()
    gc.collect()
    times = [[] for _ in fns]
    for _ in range(repeat):
        for fn, kept in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            kept.append(time.perf_counter() - t0)
            gc.collect()
    return [min(t) for t in times]


def warm_town():
    fs.simulate(plan, region="town", seed=99)


region = region_of(name)
out = {"population": region.population}
if kind in ("pair", "single", "reference"):
    # One core, as the targets are stated: the ties' drawing thread shares it.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
if kind == "pair":
    def serial():
        return [fs.simulate(plan, region=region, seed=s, counters=True) for s in range(1, 11)]
    def batch():
        return fs.simulate_batch(plan, region=region, seeds=range(1, 11), counters=True)
    out["serial"], out["wall"] = in_turn(serial, batch)
    m = fs.DisputeModel(plan, region=region, seed=list(range(1, 11))).run()
    out["floor"] = floor_seconds(plan, region, m.tally.counts, m.n_months, replicates=10)
elif kind == "single":
    def one():
        m = fs.DisputeModel(plan, region=region, seed=1).run()
        m.tally.frame(m.region, plan.start_year, m.warmup)
        return m.tally.counts, m.n_months
    out["wall"], (counts, months) = timed(one, repeat=1, warm=warm_town)
    out["floor"] = floor_seconds(plan, region, counts, months)
elif kind == "reference":
    from fazhi_sim.engine.reference import ReferenceModel
    def engine():
        # As simulate() and ensembles run it, doing the reference's work: no monthly Mesa
        # reporters, which the reference does not collect (with them: about 3% slower).
        m = fs.DisputeModel(plan, region=region, seed=1)
        m.collect_reporters = False
        return m.run()
    timed(engine, repeat=1, warm=warm_town)
    # The engine runs between stretches of the reference's months (and before them), so both
    # meet the machine at the same times: a shared virtual machine's speed swings by a third
    # within a minute, and one 11-second reference run against the fastest of a few
    # 0.1-second engine runs set its average moment against the engine's best.
    engine_times = []
    def sample_engine():
        gc.collect()
        t0 = time.perf_counter()
        engine()
        engine_times.append(time.perf_counter() - t0)
        gc.collect()
    sample_engine()
    t0 = time.perf_counter()
    ref = ReferenceModel(plan, region=region, seed=1)
    spent = time.perf_counter() - t0
    while ref.running:
        t0 = time.perf_counter()
        for _ in range(6):
            if ref.running:
                ref.step()
        spent += time.perf_counter() - t0
        sample_engine()
    out["wall"] = spent
    out["engine"] = statistics.fmean(engine_times)
    out["engine_fastest"] = min(engine_times)
    out["engine_runs"] = len(engine_times)
    out["engine_times"] = [round(t, 4) for t in engine_times]
elif kind == "ensemble":
    out["wall"], _ = timed(lambda: fs.run_ensemble(["plan-2025"], replicates=20, region=region,
                                                   progress=False), repeat=1, warm=warm_town)
elif kind == "dashboard":
    from fazhi_sim.views.dashboard import Dashboard
    t0 = time.perf_counter()
    d = Dashboard("plan-2025", region=name, replicates=10)
    try:
        d.run()
        out["first"] = time.perf_counter() - t0  # from opening; the workers start after it
        d.workers_ready(timeout=60)  # a presenter's first move comes after they are up
        moves = []
        for value in (0.2, 0.5, 0.9, 0.3, 0.7, 0.4, 0.8):
            d._quiet = True
            d.sliders["petition_routing"].value = value
            d._quiet = False
            moves.append(d.run())
        out["wall"] = statistics.median(moves)
        out["max"] = max(moves)
    finally:
        d.close()
out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if kind in ("ensemble", "dashboard"):  # the workers' peak, not only the parent's
    out["rss_mb"] = max(out["rss_mb"],
                        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
print(json.dumps(out))
"""

CASES = (
    # (key, kind, region, what it measures)
    ("town", "pair", "town", "town x10, one batch"),
    ("town-worker", "pair-worker", "town", "town x10, one batch, in a worker"),
    ("dashboard", "dashboard", "town", "dashboard slider move, town x10 (median)"),
    ("zhuji-20", "ensemble", "zhuji", "Zhuji x20 ensemble (all cores)"),
    ("shaoxing", "single", "shaoxing", "all of Shaoxing x1"),
    ("reference-100k", "reference", "100k", "reference model at 100k (model only)"),
)


def run_case(kind: str, region: str) -> dict:
    """Run one case in a fresh interpreter and return what it measured."""
    here = str(__import__("pathlib").Path(__file__).resolve().parent)
    out = subprocess.run([sys.executable, "-c", CASE, kind, region, here],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def row(what: str, r: dict, wall: float, floor: bool = True) -> None:
    """One line of the table."""
    low = f"{r['floor']:>9.3f}" if floor and "floor" in r else f"{'':>9}"
    print(f"{what:<44}{r['population']:>11,}{wall:>9.3f}{low}{r['rss_mb']:>9.0f}")


def report(res: dict) -> None:
    """The ratios the targets are stated in."""
    town, worker = res["town"], res["town-worker"]
    print(f"\ntown x10: batch {town['wall']:.3f} s (target <= 0.3), "
          f"{town['serial'] / town['wall']:.1f}x faster than serial, in turn (target >= 4x)")
    print(f"town x10 in a worker: batch {worker['wall']:.3f} s, "
          f"{worker['serial'] / worker['wall']:.1f}x faster than serial")
    print(f"town x10 batch / numpy floor: {town['wall'] / town['floor']:.1f}x; "
          f"Shaoxing / floor: {res['shaoxing']['wall'] / res['shaoxing']['floor']:.1f}x")
    d = res["dashboard"]
    print(f"dashboard: slider median {d['wall']:.2f} s (target <= 0.5), max {d['max']:.2f} s, "
          f"first draw {d['first']:.2f} s (target < 4)")
    if "reference-100k" in res:
        r = res["reference-100k"]
        print(f"reference / engine at 100k residents: {r['wall'] / r['engine']:.0f}x against the "
              f"engine's mean of {r['engine_runs']} runs between the reference's months "
              f"(target >= 100x); {r['wall'] / r['engine_fastest']:.0f}x against its fastest")


def main() -> None:
    """Print the benchmark table and the ratios the targets are stated in."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--no-reference", action="store_true", help="skip the slow reference run")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    res: dict[str, dict] = {}
    print("(every case but the dashboard and Zhuji on one core)")
    print(f"{'case':<44}{'residents':>11}{'wall s':>9}{'floor s':>9}{'peak MB':>9}")
    for key, kind, region, what in CASES:
        if kind == "reference" and args.no_reference:
            continue
        r = res[key] = run_case(kind, region)
        if "serial" in r:
            row(what.replace("one batch", "one run at a time"), r, r["serial"], floor=False)
        if "engine" in r:
            row("engine at 100k (model only, mean)", r, r["engine"], floor=False)
        row(what, r, r["wall"])
    report(res)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
