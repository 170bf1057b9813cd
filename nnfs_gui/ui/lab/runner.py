"""Drive a sweep's executor from a QThread; results reach the GUI thread by signals.

The runs themselves execute in the executor's worker processes (or on a Dask
cluster), never here: the thread only waits on `as_completed`, so the window
stays responsive. `cancel()` (GUI thread) terminates the workers, which ends the
thread's loop; the results received so far stay in `results`.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QThread, Signal

from nnfs_gui.training.lab.executors import make_executor
from nnfs_gui.training.lab.sweep import SweepSpec, plan_batches


class _Loop(QThread):
    batch_done = Signal(object, int, int, object)  # results, done, total, seconds_left
    failed = Signal(str)

    def __init__(self, sweep: SweepSpec, scheduler: str | None, n_workers: int | None) -> None:
        super().__init__()
        self.sweep, self.scheduler, self.n_workers = sweep, scheduler, n_workers
        self.executor = None
        self.cancelled = False

    def run(self) -> None:
        try:
            self.executor = make_executor(self.scheduler, self.n_workers)
            if self.cancelled:
                return
            runs = self.sweep.runs()
            self.executor.submit(plan_batches(runs, self.executor.n_workers),
                                 self.sweep.patience)
            start, done = time.perf_counter(), 0
            for batch in self.executor.as_completed():
                done += len(batch)
                left = (time.perf_counter() - start) / done * (len(runs) - done)
                self.batch_done.emit(batch, done, len(runs), left)
        except Exception as e:  # noqa: BLE001 - shown in the results window, one line
            if not self.cancelled:
                self.failed.emit(" ".join(str(e).split()) or type(e).__name__)
        finally:
            if self.executor is not None:
                self.executor.close()


class SweepRunner(QObject):
    """One sweep. Signals: results_arrived(list[RunResult]), progress(done, total,
    seconds_left), finished(cancelled: bool), failed(message)."""

    results_arrived = Signal(object)
    progress = Signal(int, int, object)
    finished = Signal(bool)
    failed = Signal(str)

    def __init__(self, sweep: SweepSpec, scheduler: str | None = None,
                 n_workers: int | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sweep = sweep
        self.results: list = []
        self._loop = _Loop(sweep, scheduler or None, n_workers)
        self._loop.batch_done.connect(self._on_batch)
        self._loop.failed.connect(self.failed)
        self._loop.finished.connect(lambda: self.finished.emit(self._loop.cancelled))

    def start(self) -> None:
        self.progress.emit(0, len(self.sweep.runs()), None)
        self._loop.start()

    @property
    def running(self) -> bool:
        return self._loop.isRunning()

    def cancel(self, wait_ms: int = 10_000) -> None:
        """Stop now: the workers are terminated (no process left), results kept."""
        self._loop.cancelled = True
        executor = self._loop.executor
        if executor is not None:
            executor.cancel()
        self._loop.wait(wait_ms)

    def _on_batch(self, batch: list, done: int, total: int, left: float) -> None:
        self.results.extend(batch)
        self.results_arrived.emit(batch)
        self.progress.emit(done, total, left)
