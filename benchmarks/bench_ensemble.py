"""Ensemble benchmarks (``make bench-ensemble``): sweeps by execution backend, and the city.

* 100 replicates x 2 scenarios of one county on one process, two processes and a two-worker
  Dask LocalCluster. Targets (issue: ensembles): >= 1.8x faster with 2 jobs than with 1;
  Dask within 20% of the process pool.
* ``--city``: 100 replicates x 2 scenarios of all of Shaoxing on two processes, with the
  memory of the whole process tree (parent and workers together) sampled as it runs.
  Targets (issue: batching): <= 4 minutes on 2 cores within 3 GB.

Memory is the peak over the run of the process tree's sum of RSS, and of PSS (Linux): RSS
counts each shared page (numba's LLVM, numpy's and pandas' libraries: some 200 MB a
process) once in every process that maps it, PSS shares it out among them, so the sum of PSS
is the memory the tree takes from the machine.

Not part of the tests.
"""

from __future__ import annotations

import argparse
import threading
import time

import psutil

import fazhi_sim as fs


def timed(label: str, make_executor, replicates: int, region: str) -> float:
    """Run the sweep on one backend and print its wall time and peak tree memory."""
    with TreeMemory() as mem:
        t0 = time.perf_counter()
        with make_executor() as ex:
            fs.run_ensemble(["baseline", "plan-2025"], replicates=replicates, region=region,
                            executor=ex, progress=False)
        wall = time.perf_counter() - t0
    pss = f" (PSS {mem.peak_pss_mb:.0f} MB)" if mem.peak_pss_mb else ""
    print(f"{label:<32}{wall:>9.1f} s{mem.peak_mb:>9.0f} MB{pss}")
    return wall


class TreeMemory:
    """Peak memory of this process and all its children (RSS, and PSS where the system
    tells it), each summed over the processes, sampled every 0.2 s."""

    def __init__(self, every: float = 0.2):
        self.every, self.peak_mb, self.peak_pss_mb = every, 0.0, 0.0
        self._stop = threading.Event()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            rss = pss = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    info = p.memory_full_info()
                except psutil.Error:  # a worker that just exited
                    continue
                rss += info.rss
                pss += getattr(info, "pss", 0)  # Linux only
            self.peak_mb = max(self.peak_mb, rss / 2**20)
            self.peak_pss_mb = max(self.peak_pss_mb, pss / 2**20)
            self._stop.wait(self.every)

    def __enter__(self) -> TreeMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    """Print wall times and peak memory per backend (or for the city with --city)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--replicates", type=int, default=100)
    ap.add_argument("--region", default="xinchang")
    ap.add_argument("--city", action="store_true",
                    help="100 x 2 runs of all of Shaoxing on 2 processes (about 4 minutes)")
    a = ap.parse_args()
    if a.city:
        print(f"{2 * a.replicates} runs of shaoxing (baseline and plan-2025) on 2 processes")
        wall = timed("2 jobs (process pool)", lambda: fs.LocalProcesses(jobs=2),
                     a.replicates, "shaoxing")
        print(f"target: <= 240 s within 3 GB (PSS); took {wall:.0f} s")
        return
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
