"""Where sweep runs execute: local worker processes (default) or a Dask cluster.

Both sit behind one small interface, so the window, the headless command and the
bench drive them the same way::

    executor.submit(tasks, patience)   # tasks: lists of RunSpec (sweep.plan_batches)
    for batch in executor.as_completed(): ...   # list[RunResult] per finished task
    executor.cancel()                  # stop now; no worker process is left running
    executor.close()
    executor.results                   # every RunResult received so far

Each task is one `sweep_runs.run_batch` call, so a run's numbers depend only on its
config and seed: the same function, the same arithmetic, wherever it runs.

Local: a `multiprocessing.Pool` of spawned processes, one per core by default
(spawn, not fork: a GUI parent's threads and Qt state must not be forked). Pool, not
concurrent.futures, because `Pool.terminate()` ends busy workers at once. Workers get
OPENBLAS_NUM_THREADS=1: on 2 cores two BLAS threads per process collapse under load
(DESIGN.md). Dask: `dask.distributed.Client(address)`; workers need nnfs_gui
importable; dask's nanny already sets OPENBLAS_NUM_THREADS=1 in the workers it spawns.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import time
from collections.abc import Callable, Iterator

from nnfs_gui.training.sweep_runs import RunResult, run_batch

WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_CANCELLED = object()


class LocalExecutor:
    """A pool of spawned worker processes (n_workers: default one per core)."""

    def __init__(self, n_workers: int | None = None) -> None:
        self.n_workers = max(1, n_workers or os.cpu_count() or 1)
        self.results: list[RunResult] = []
        self._pool = None
        self._queue: queue.Queue = queue.Queue()
        self._pending = 0

    def submit(self, tasks: list[list], patience: int | None = None) -> None:
        if self._pool is None:
            with _environment(WORKER_ENV):  # the pool starts its workers here
                self._pool = multiprocessing.get_context("spawn").Pool(self.n_workers)
        for task in tasks:
            self._pool.apply_async(run_batch, (task, patience), callback=self._queue.put,
                                   error_callback=self._queue.put)
            self._pending += 1

    def as_completed(self) -> Iterator[list[RunResult]]:
        while self._pending:
            item = self._queue.get()
            if item is _CANCELLED:
                return
            self._pending -= 1
            if isinstance(item, BaseException):
                raise item
            self.results.extend(item)
            yield item

    def cancel(self) -> None:
        """Terminate the workers now (busy ones too) and wait for them to exit."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        self._pending = 0
        self._queue.put(_CANCELLED)

    def close(self) -> None:
        if self._pool is None:
            return
        if self._pending:
            self.cancel()
            return
        self._pool.close()
        self._pool.join()
        self._pool = None


class DaskExecutor:
    """The same interface on a Dask distributed cluster.

    address: a scheduler address ("tcp://HOST:PORT") or a LocalCluster; or pass an
    existing `client` (then close() leaves it open).
    """

    def __init__(self, address=None, client=None) -> None:
        try:
            from dask.distributed import Client
        except ImportError:  # an optional extra: say how to get it, not a traceback
            raise RuntimeError("a Dask scheduler needs dask[distributed]: pip install "
                               "'nnfs-gui[cluster]' (or leave the address empty for "
                               "local worker processes)") from None

        self._own_client = client is None
        self.client = client if client is not None else Client(address)
        workers = self.client.scheduler_info().get("workers", {})
        self.n_workers = max(1, sum(w.get("nthreads", 1) for w in workers.values()))
        self.results: list[RunResult] = []
        self._futures: list = []

    def submit(self, tasks: list[list], patience: int | None = None) -> None:
        self._futures += [self.client.submit(run_batch, task, patience, pure=False)
                          for task in tasks]

    def as_completed(self) -> Iterator[list[RunResult]]:
        from dask.distributed import as_completed

        for future in as_completed(self._futures):
            if future.cancelled():
                continue
            batch = future.result()
            self.results.extend(batch)
            yield batch

    def cancel(self) -> None:
        if self._futures:
            self.client.cancel(self._futures)
        self._futures = []

    def close(self) -> None:
        self.cancel()
        if self._own_client:
            self.client.close()


def make_executor(scheduler: str | None = None, n_workers: int | None = None):
    """Local processes by default; a DaskExecutor when given a scheduler address."""
    return DaskExecutor(scheduler) if scheduler else LocalExecutor(n_workers)


def run_all(executor, sweep, progress: Callable | None = None,
            max_batch: int | None = None) -> list[RunResult]:
    """Submit every run of `sweep`, collect results as they finish, sorted by index.

    progress(done, total, seconds_left) after each finished task; seconds_left is
    None until the first task is done (it assumes the runs left cost what the done
    ones cost on average).
    """
    from nnfs_gui.training.sweep import plan_batches

    runs = sweep.runs()
    executor.submit(plan_batches(runs, executor.n_workers, max_batch), sweep.patience)
    start, done, total = time.perf_counter(), 0, len(runs)
    if progress:
        progress(0, total, None)
    for batch in executor.as_completed():
        done += len(batch)
        if progress:
            elapsed = time.perf_counter() - start
            progress(done, total, elapsed / done * (total - done))
    return sorted(executor.results, key=lambda r: r.index)


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    """Set environment variables for child processes started inside the block."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
