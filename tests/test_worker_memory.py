"""Worker processes reuse the memory they free (glibc), so repeated runs do not fault it in."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fazhi_sim.experiments.executors import LocalProcesses, keep_freed_memory

MB, TIMES = 40, 5
PAGES = MB * 2**20 // 4096


def refaults(keep: bool) -> int:
    """Page faults of allocating and filling a 40 MB array five more times after a first."""
    import resource

    import numpy as np

    from fazhi_sim.experiments.executors import keep_freed_memory

    if keep:
        keep_freed_memory()
    np.ones(MB * 2**17)  # 40 MB of float64, written and freed

    def faults() -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt

    before = faults()
    for _ in range(TIMES):
        a = np.ones(MB * 2**17)
        del a
    return faults() - before


def _in_fresh_process(keep: bool) -> int:
    code = f"import sys; sys.path.insert(0, {str(__file__.rsplit('/', 1)[0])!r}); " \
           f"import test_worker_memory as t; print(t.refaults({keep}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    return int(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module", autouse=True)
def _glibc():
    if not sys.platform.startswith("linux") or not keep_freed_memory():
        pytest.skip("the C library is not glibc")


def test_without_it_every_large_array_is_faulted_in_afresh() -> None:
    # The premise: at glibc's defaults a 40 MB block is mapped anew each time.
    assert _in_fresh_process(keep=False) >= 0.9 * TIMES * PAGES


def test_kept_memory_is_reused_without_page_faults() -> None:
    assert _in_fresh_process(keep=True) <= 0.05 * TIMES * PAGES


def test_fazhi_sims_worker_processes_keep_it() -> None:
    with LocalProcesses(jobs=2) as ex:
        faults = ex.submit(refaults, False).result(timeout=120)
    assert faults <= 0.05 * TIMES * PAGES
