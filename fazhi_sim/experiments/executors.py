"""Where ensemble runs execute: in this process, in local processes, or on a Dask cluster.

Every backend is a context manager that yields a ``concurrent.futures.Executor`` (the one
small interface the ensemble needs: ``submit``), as EMA Workbench's evaluators do::

    with LocalProcesses(jobs=4) as ex:
        ens = run_ensemble(["baseline", "plan-2025"], replicates=50, executor=ex)

    from dask.distributed import Client           # pip install "fazhi-sim[cluster]"
    with Client("tcp://scheduler:8786") as client:
        ens = run_ensemble(..., executor=client.get_executor())

    with DaskCluster("tcp://scheduler:8786") as ex:   # the same, by address
        ens = run_ensemble(..., executor=ex)

Local processes are started with the "spawn" method through their own context, so a notebook
user's global multiprocessing settings are never changed and nothing forked from a kernel
with live threads can hang.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

__all__ = ["Serial", "LocalProcesses", "DaskCluster", "default_jobs"]


def default_jobs() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Serial(Executor):
    """Runs each task at once in this process (no pickling, easy to debug)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn`` now and return a finished future."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future, as executors do
            future.set_exception(exc)
        return future

    def __enter__(self) -> Serial:
        return self


class LocalProcesses:
    """A pool of local worker processes, as a context manager.

    Parameters
    ----------
    jobs
        Worker processes; all cores if None.
    """

    def __init__(self, jobs: int | None = None):
        self.jobs = jobs or default_jobs()
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Executor:
        if self.jobs <= 1:
            return Serial()
        ctx = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx)
        return self._pool

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskCluster:
    """A Dask distributed cluster, as a context manager yielding its executor.

    Parameters
    ----------
    address
        Scheduler address (``"tcp://host:8786"``). None starts a ``LocalCluster`` on this
        machine with ``jobs`` single-threaded workers (the model holds the GIL).
    jobs
        Workers for a local cluster.
    """

    def __init__(self, address: str | None = None, jobs: int | None = None):
        self.address = address
        self.jobs = jobs or default_jobs()
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> Executor:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as err:  # pragma: no cover - depends on the install
            raise ImportError(
                'Dask is not installed: pip install "fazhi-sim[cluster]"') from err
        if self.address is None:
            import dask

            # Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536, which hands the
            # model's large arrays back to the OS after every run and costs page faults on
            # the next; runs here allocate the same sizes again and again, so keep them.
            trim = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 2**30}
            with dask.config.set(trim):
                self._cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1,
                                             processes=True, dashboard_address=None)
            self._client = Client(self._cluster)
        else:
            self._client = Client(self.address)
        return self._client.get_executor()

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None
