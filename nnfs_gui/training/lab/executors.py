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
import logging
import multiprocessing
import os
import queue
import re
import socket
import struct
import time
from collections.abc import Callable, Iterator

from nnfs_gui.training.lab.runs import RunResult, run_batch

WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_CANCELLED = object()
# Seconds to reach a scheduler and read its greeting; said in --help and the dialog.
CONNECT_TIMEOUT = 10.0
# tcp:// only: the greeting check below reads Dask's plain TCP framing (tls://, ucx://
# and the rest need extra packages or certificates this app does not configure).
SCHEDULER_ADDRESS = re.compile(r"^tcp://(?P<host>[^\s:/\[\]]+|\[[0-9a-fA-F:.]+\])"
                               r"(:(?P<port>\d{1,5}))?/?$")
DEFAULT_PORT = 8786
# A Dask scheduler greets every new connection with one small message: an 8-byte total
# length, then an 8-byte frame count and the frames (a msgpack map of its versions).
GREETING_MAX_BYTES = 1 << 20


class ClusterError(Exception):
    """One line: the scheduler address is unusable, unreachable, not a Dask scheduler,
    or the scheduler was lost during a sweep."""


def check_scheduler_address(address: str) -> tuple[str, int]:
    """(host, port) of a ``tcp://HOST[:PORT]`` address; ClusterError otherwise."""
    match = SCHEDULER_ADDRESS.match(address.strip())
    if match is None:
        scheme = address.split("://", 1)[0] if "://" in address else ""
        why = (f"the {scheme}:// scheme is not supported; " if scheme and scheme != "tcp"
               else "")
        raise ClusterError(f"scheduler {address!r}: {why}expected tcp://HOST:PORT "
                           f"(for example tcp://127.0.0.1:{DEFAULT_PORT})")
    port = int(match["port"] or DEFAULT_PORT)
    if not 0 < port < 65536:
        raise ClusterError(f"scheduler {address!r}: port {port} is not 1-65535")
    return match["host"].strip("[]"), port


def probe_scheduler(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Connect and read the greeting a Dask scheduler sends first; ClusterError when
    nothing listens, nothing answers within ``timeout`` seconds, or the answer is not
    Dask's (an HTTP server, say). Dask's own client would wait on a silent peer past its
    connect timeout, and read a web server's reply as a frame length of exabytes."""
    host, port = check_scheduler_address(address)
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            head = _read_exactly(sock, 16, deadline)
    except TimeoutError:
        raise ClusterError(f"scheduler {address}: no answer within {timeout:g} s "
                           f"(is a Dask scheduler listening there?)") from None
    except OSError as e:
        raise ClusterError(f"scheduler {address}: cannot connect "
                           f"({e.strerror or type(e).__name__})") from None
    total, frames = struct.unpack("<QQ", head) if len(head) == 16 else (0, 0)
    if not (16 <= total + 8 <= GREETING_MAX_BYTES and 1 <= frames <= 64):
        raise ClusterError(f"scheduler {address}: something answers there, but not a "
                           f"Dask scheduler")


def _read_exactly(sock: socket.socket, n: int, deadline: float) -> bytes:
    data = b""
    while len(data) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        sock.settimeout(left)
        chunk = sock.recv(n - len(data))
        if not chunk:
            break   # closed: whatever came is judged by the caller
        data += chunk
    return data


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

    address: a scheduler address ("tcp://HOST:PORT", checked and probed first) or a
    LocalCluster; or pass an existing `client` (then close() leaves it open). Every
    failure to reach the scheduler, or its loss during a sweep, is a ClusterError.
    """

    def __init__(self, address=None, client=None, timeout: float = CONNECT_TIMEOUT) -> None:
        try:
            from dask.distributed import Client
        except ImportError:  # an optional extra: say how to get it, not a traceback
            raise ClusterError("a Dask scheduler needs dask[distributed]: pip install "
                               "'nnfs-gui[cluster]' (or leave the address empty for "
                               "local worker processes)") from None
        # distributed logs the lost connections and retries it handles; the app says
        # in one line what they mean for the sweep instead.
        _quiet_logger("distributed")
        self.address = address if isinstance(address, str) else "the cluster"
        if isinstance(address, str):
            probe_scheduler(address, timeout)
        self._own_client = client is None
        try:
            self.client = client if client is not None else \
                Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise ClusterError(f"scheduler {self.address}: cannot connect "
                               f"({_first_line(e)})") from None
        workers = self.client.scheduler_info().get("workers", {})
        self.n_workers = max(1, sum(w.get("nthreads", 1) for w in workers.values()))
        self.results: list[RunResult] = []
        self._futures: list = []
        self._cancelled = False

    def submit(self, tasks: list[list], patience: int | None = None) -> None:
        self._futures += [self.client.submit(run_batch, task, patience, pure=False)
                          for task in tasks]

    def as_completed(self) -> Iterator[list[RunResult]]:
        """Finished batches; ClusterError when the scheduler is lost (its futures are
        cancelled under us) before every batch came back."""
        from dask.distributed import as_completed

        for future in as_completed(self._futures, loop=self.client.loop):
            if future.cancelled() or future.status == "cancelled":
                if self._cancelled:
                    continue
                raise ClusterError(f"lost the scheduler at {self.address}")
            try:
                batch = future.result()
            except (OSError, TimeoutError) as e:
                raise ClusterError(f"lost the scheduler at {self.address} "
                                   f"({_first_line(e)})") from None
            self.results.extend(batch)
            yield batch

    def cancel(self) -> None:
        self._cancelled = True
        if self._futures:
            with contextlib.suppress(Exception):   # a lost scheduler cannot be told
                self.client.cancel(self._futures)
        self._futures = []

    def close(self) -> None:
        self.cancel()
        if self._own_client:
            with contextlib.suppress(Exception):
                self.client.close(timeout=2)


def _quiet_logger(name: str) -> None:
    """Records of ``name`` and its children below CRITICAL are dropped: its children set
    levels of their own and propagate to its handlers, so the handlers are quieted too."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.CRITICAL)
    for handler in logger.handlers:
        handler.setLevel(logging.CRITICAL)


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def make_executor(scheduler: str | None = None, n_workers: int | None = None,
                  timeout: float = CONNECT_TIMEOUT):
    """Local processes by default; a DaskExecutor when given a scheduler address
    (ClusterError if it cannot be used within ``timeout`` seconds)."""
    return DaskExecutor(scheduler, timeout=timeout) if scheduler else LocalExecutor(n_workers)


def run_all(executor, sweep, progress: Callable | None = None,
            max_batch: int | None = None) -> list[RunResult]:
    """Submit every run of `sweep`, collect results as they finish, sorted by index.

    progress(done, total, seconds_left) after each finished task; seconds_left is
    None until the first task is done (it assumes the runs left cost what the done
    ones cost on average).
    """
    from nnfs_gui.training.lab.sweep import plan_batches

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
