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
with live threads can hang. They never outlive the process that started them: leaving the
``with`` block by an exception (Ctrl-C, a SIGTERM turned into one) stops them at once
instead of waiting for their runs, and each watches its parent and exits when it is gone
(SIGKILL, a crash), so no 270 MB orphans are left behind.
"""

from __future__ import annotations

import ctypes
import math
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Serial", "LocalProcesses", "DaskCluster", "ClusterError", "check_address",
           "default_jobs", "keep_freed_memory", "SCHEMES", "CONNECT_TIMEOUT"]

SCHEMES = ("tcp", "tls", "ucx", "inproc")
"""Address schemes of a Dask scheduler."""
CONNECT_TIMEOUT = 5.0
"""Seconds :class:`DaskCluster` tries to reach a scheduler (Dask's own default is 30)."""
PARENT_POLL = 0.5
"""Seconds between a worker's checks that the process that started it is still there."""
STOP_GRACE = 2.0
"""Seconds stopped workers get to exit after SIGTERM before they are killed."""
KEEP_FREED_BYTES = 1 << 26
"""Blocks up to 64 MB come from, and go back to, a worker's own heap (glibc); see
:func:`keep_freed_memory`."""


class ClusterError(Exception):
    """A Dask scheduler that cannot be used: a malformed address or one not reached."""


def default_jobs() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Serial(Executor):
    """Runs each task at once in this process (no pickling, easy to debug)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn`` now and return a finished future.

        Parameters
        ----------
        fn : callable
            The task.
        *args, **kwargs
            Its arguments.

        Returns
        -------
        concurrent.futures.Future
            Done: holding ``fn``'s result, or the exception it raised.
        """
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
        self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx,
                                         initializer=start_worker, initargs=(os.getpid(),))
        return self._pool

    def __exit__(self, exc_type: type | None, *exc: object) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if exc_type is None:
            pool.shutdown(wait=True, cancel_futures=True)
            return
        # Interrupted or failed: a run in progress may take minutes and nobody wants it.
        workers = _workers(pool)  # before shutdown(), which forgets them
        pool.shutdown(wait=False, cancel_futures=True)
        stop_processes(workers)


def _workers(pool: ProcessPoolExecutor) -> list[Any]:
    # The standard library names a pool's processes only privately (3.14 adds
    # terminate_workers()); without them an interrupted pool would finish every running run.
    return list((getattr(pool, "_processes", None) or {}).values())


def stop_processes(procs: list[Any], grace: float = STOP_GRACE) -> None:
    """SIGTERM ``procs`` (``multiprocessing`` processes), then SIGKILL any left after ``grace``."""
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + grace
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in procs:
        if p.is_alive():
            p.kill()
            p.join(1.0)


def start_worker(parent: int) -> None:
    """Pool initializer: :func:`keep_freed_memory`, and :func:`watch_parent`."""
    keep_freed_memory()
    watch_parent(parent)


def keep_freed_memory(up_to: int = KEEP_FREED_BYTES) -> bool:
    """Have this process reuse the memory it frees instead of giving it back to the system.

    glibc maps blocks above 128 kB to 32 MB (a threshold that adapts) afresh and unmaps them
    when freed, and gives the top of its heap back; the next run's arrays then fault in page
    by page, zeroed by the kernel. A worker runs the same set-up again and again, so it keeps
    blocks up to ``up_to`` bytes for the next run: a small region's every array. A city's
    largest (its ties, hundreds of MB) are still mapped afresh: kept too, they saved 3-7% of
    100 x 2 runs of Shaoxing on two workers, but the peak of the workers and their parent
    rose to 2.95-3.09 GB (2.78-2.96 GB without), against a 3 GB budget.

    Called in the worker processes fazhi-sim starts, and by the command line. Not called on
    import: a notebook's process is the user's. Does nothing but return False where the C
    library is not glibc.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl has no mallopt)
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's <malloc.h>
    return bool(mallopt(m_mmap_threshold, up_to)) and bool(mallopt(m_trim_threshold, 2 * up_to))


def watch_parent(parent: int) -> None:
    """Leave Ctrl-C to ``parent``, and exit when ``parent`` is gone.

    A worker whose parent was SIGKILLed is adopted by another process; noticing that is the
    only way it can learn that nobody will read its results.
    """
    # Ctrl-C in a terminal reaches every process of the group; the parent stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True,
                     name="fazhi-sim-parent-watch").start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os._exit(1)  # no cleanup: the results it would flush have no reader


class DaskCluster:
    """A Dask distributed cluster, as a context manager yielding its executor.

    Parameters
    ----------
    address
        Scheduler address (``"tcp://host:8786"``; checked by :func:`check_address`). None
        starts a ``LocalCluster`` on this machine with ``jobs`` single-threaded workers (the
        model holds the GIL).
    jobs
        Workers for a local cluster.
    timeout
        Seconds to try to reach the scheduler at ``address``.

    Raises
    ------
    ClusterError
        For a malformed address (at once) or a scheduler not reached within ``timeout``
        (on entering).
    """

    def __init__(self, address: str | None = None, jobs: int | None = None,
                 timeout: float = CONNECT_TIMEOUT):
        self.address = None if address is None else check_address(address)
        number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
        if not (number and 0 < timeout < math.inf):
            raise ClusterError(f"timeout must be a number of seconds above 0, not {timeout!r}")
        self.jobs = jobs or default_jobs()
        self.timeout = timeout
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
            self._client = self._connect(Client)
        return self._client.get_executor()

    def _connect(self, client: Callable[..., Any]) -> Any:
        try:
            return client(self.address, timeout=self.timeout)
        except Exception as err:  # refused, timed out, TLS or protocol trouble: all say the same
            # Dask retries a refused connection until the timeout, so most failures end in a
            # "Timed out" that would only repeat the line; others say what went wrong.
            text = " ".join(str(err).split()) or type(err).__name__
            reason = "" if "timed out" in text.lower() else f" ({text})"
            raise ClusterError(f"cannot reach the Dask scheduler at {self.address} within "
                               f"{self.timeout:g} s{reason}; check the address and that the "
                               "scheduler is running") from None

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None


def check_address(address: str) -> str:
    """A Dask scheduler address, checked before anything tries to connect to it.

    Allowed: ``tcp://``, ``tls://`` or ``ucx://`` with a host and a port, or ``inproc://...``.

    Raises
    ------
    ClusterError
        Naming what is wrong, in one line.
    """
    scheme, sep, rest = str(address).strip().partition("://")
    text = f"{scheme.lower()}{sep}{rest}"
    allowed = ("give tcp://HOST:PORT (or tls://, ucx://, inproc://), e.g. "
               "tcp://10.0.0.5:8786")
    if not sep or scheme.lower() not in SCHEMES:
        raise ClusterError(f"{address!r} is not a scheduler address; {allowed}")
    if scheme.lower() == "inproc":
        if not rest:
            raise ClusterError(f"{address!r} names no scheduler; {allowed}")
        return text
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:  # not a number, or above 65535
        port = None
    extra = parts.path not in ("", "/") or parts.query or parts.fragment
    if not parts.hostname or not port or extra:
        raise ClusterError(f"{address!r} needs a host and a port from 1 to 65535 and nothing "
                           f"more; {allowed}")
    return text
