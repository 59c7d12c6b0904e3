"""Signals: SIGTERM, Ctrl-C or SIGKILL of ``compare --jobs N`` leaves no process behind.

``timeout``, Slurm and ``docker stop`` send SIGTERM, then SIGKILL; each worker holds a whole
model (~270 MB), so a worker left running with no parent is memory lost until a reboot.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import fazhi_sim as fs

psutil = pytest.importorskip("psutil")

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

COMMAND = [sys.executable, "-m", "fazhi_sim", "compare", "baseline", "plan-2025", "--region",
           "town", "--replicates", "40", "--jobs", "2"]


def stored(store: Path) -> list[Path]:
    # pathlib's glob also matches the hidden temporary files of runs being written.
    return [p for p in store.glob("*.parquet") if not p.name.startswith(".")]


def alive(procs: list) -> list:
    # A zombie has exited; it only waits for whoever adopted it to read its status.
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def is_worker(p) -> bool:
    try:
        return "--multiprocessing-fork" in p.cmdline()
    except psutil.Error:
        return False


def is_tracker(p) -> bool:
    try:
        return "resource_tracker" in " ".join(p.cmdline())
    except psutil.Error:
        return False


def start_compare(store: Path) -> tuple[subprocess.Popen, list]:
    """Start the command; once both workers are running runs, it and its children."""
    proc = subprocess.Popen([*COMMAND, "--store", str(store)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        children = parent.children(recursive=True)
        workers = [p for p in children if is_worker(p)]
        if len(workers) >= 2 and len(stored(store) if store.exists() else []) >= 2:
            return proc, children
        time.sleep(0.02)
    proc.kill()
    pytest.fail(f"the workers never got going (exit status {proc.poll()})")


def wait_gone(procs: list, limit: float) -> float:
    """Seconds until every process in ``procs`` has exited; fails after ``limit``."""
    started = time.monotonic()
    while alive(procs) and time.monotonic() - started < limit + 5:
        time.sleep(0.02)
    took = time.monotonic() - started
    left = [" ".join(p.cmdline()) for p in alive(procs)]
    for p in alive(procs):
        p.kill()
    assert not left and took <= limit, f"still running after {took:.1f} s: {left}"
    return took


@pytest.mark.parametrize("sig, status, word", [(signal.SIGTERM, 143, "terminated (SIGTERM)"),
                                               (signal.SIGINT, 130, "interrupted")])
def test_sigterm_and_ctrl_c_stop_every_worker(tmp_path, sig, status, word):
    store = tmp_path / "runs"
    proc, children = start_compare(store)
    assert any(is_tracker(p) for p in children)
    proc.send_signal(sig)
    # The workers go at once; multiprocessing's resource tracker reads its pipe until every
    # process holding it has exited, the command included, so it is waited for after that.
    took = wait_gone([p for p in children if not is_tracker(p)], 5.0)
    assert proc.wait(10) == status
    wait_gone(children, 5.0)
    err = proc.stderr.read()
    assert err.splitlines() == [f"fazhi-sim: {word}; finished runs are kept in {store}: run "
                                "the same command to resume"], err
    print(f"{sig.name}: every child gone {took:.2f} s after the signal")
    done = stored(store)
    assert 2 <= len(done) < 80
    assert not list(store.glob(".tmp-*"))  # no half-written run left behind
    # Batches finish in any order, so ask for a seed that is on disk rather than replicate 0.
    # Files are named <scenario hash>_<region>_<seed>_code-<digest>.parquet.
    seed = int(done[0].name.split("_code-")[0].rsplit("_", 1)[1])
    on_disk = sum(f"_town_{seed}_code-" in p.name for p in done)
    again = fs.run_ensemble(["baseline", "plan-2025"], replicates=1, region="town", store=store,
                            seed=seed, executor=fs.Serial(), progress=False)
    assert again.loaded == on_disk >= 1  # what finished reads back


def test_sigkill_of_the_parent_leaves_no_orphan(tmp_path):
    proc, children = start_compare(tmp_path / "runs")
    assert sum(is_worker(p) for p in children) >= 2 and any(is_tracker(p) for p in children)
    proc.kill()
    proc.wait(10)
    took = wait_gone(children, 10.0)
    print(f"SIGKILL: every child gone {took:.2f} s after the signal")


def test_pool_left_by_an_exception_stops_its_workers_at_once():
    with pytest.raises(RuntimeError), fs.LocalProcesses(jobs=2) as ex:
        for _ in range(4):
            ex.submit(time.sleep, 60)
        workers: list = []
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = [p for p in psutil.Process().children() if is_worker(p)]
            time.sleep(0.05)
        time.sleep(1.0)  # long enough to be asleep in a run
        assert len(alive(workers)) == 2
        started = time.monotonic()
        raise RuntimeError("a run failed")
    assert time.monotonic() - started < 5  # not the 60 s a worker sleeps
    wait_gone(workers, 5.0)
