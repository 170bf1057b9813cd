"""The training thread: owns one Trainer, trains in chunks of a few ms, sends frames.

A busy thread runs no queued slots, so the UI does not call into the worker
through signals. It sets flags and drops the newest (config, run id) into a
one-slot mailbox (newest wins); the worker reads both between chunks. Loading a
saved model goes through the same mailbox (the worker starts the run and sets the
weights itself), and saving one asks the worker for a copy of the weights, which
the next frame carries: the GUI thread never touches the trainer. The worker
answers with at most ~30 frames a second (one signal emit each), and waits for
the UI to acknowledge a frame before sending the next, so a slow screen never
piles up a queue: the history rows simply wait in the trainer until the next
frame (throttling drops nothing).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QThread, Signal

from nnfs_gui.core.config import Config
from nnfs_gui.ui.decision_view import RunPoints

CHUNK_SECONDS = 0.005     # train this long between mailbox reads
FRAME_INTERVAL = 1 / 30   # at most ~30 frames a second
IDLE_WAIT = 0.1           # how long an idle worker sleeps between checks
GRID_BUDGET = 0.08        # while playing, decision grids may take this share of the time
# Grids come at most this often while playing (frames between carry curves only): a
# grid frame costs the UI about twice a curves-only frame (regions, points and mistakes
# repaint), time the worker spends waiting; 10/s still reads as smooth motion.
GRID_INTERVAL = 1 / 10
# After sending a frame the worker waits (GIL released) until the UI has drawn it, at
# most this long: two threads taking turns at the GIL each run several times slower
# than one thread alone, so letting the UI paint undisturbed costs training least.
UI_TURN = 0.02


@dataclass(frozen=True)
class ModelState:
    """A copy of a run's model, taken by the worker between chunks, for saving.

    Has what ``serialization.save_model`` reads from a model (``get_params()``,
    ``n_inputs``, ``n_classes``), plus the run's config, scaler and epoch.
    params: copies of the model's parameters, in ``get_params()`` order.
    """

    run_id: int
    epoch: int
    config: Config
    scaler: object
    params: tuple[np.ndarray, ...]
    n_inputs: int
    n_classes: int

    def get_params(self) -> list[np.ndarray]:
        return [p.copy() for p in self.params]


@dataclass(frozen=True)
class Frame:
    """What the UI receives: a snapshot plus what the views need besides it.

    points: set on the first frame of a run (the raw data of the new run).
    val_pred: (m,) predicted class of each validation point, at snapshot time (sent
        with the grid only).
    playing: whether the worker is still playing after this frame (divergence, the
        epoch limit and ``pause_at`` pause it).
    error: a message when a run could not start or a change could not apply.
    model_state: a copy of the model, in the frame that answers ``request_model``.
    scaler: the run's fitted scaler, on the first frame of a run (with ``points``).
    """

    run_id: int
    snapshot: object | None = None
    points: RunPoints | None = None
    val_pred: np.ndarray | None = None
    playing: bool = False
    error: str = ""
    model_state: ModelState | None = None
    scaler: object | None = None


class _Controls:
    """Flags and the one-slot mailbox, shared by both threads under one lock."""

    def __init__(self) -> None:
        self.wake = threading.Condition()
        self.playing = False
        self.steps = 0
        self.quit = False
        self.grid_size = 150
        # While playing the regions keep changing, so a coarser grid is enough (a 150
        # grid costs ~25 epochs of training; 80 costs a third of that); paused: fine.
        self.playing_grid_size = 80
        self.pause_at: int | None = None
        self.want_frame = False
        self.want_model = False        # the next frame carries a ModelState
        self.frame_in_flight = False
        # (config, run id, params to start from or None)
        self.mailbox: tuple[Config, int, list | None] | None = None


class TrainingWorker(QThread):
    """Runs the trainer; control it with the methods below from the GUI thread."""

    frame_ready = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._c = _Controls()
        self.trainer = None          # touched only by the worker thread while it runs
        self._chunk_epochs = 1
        self._last_frame = 0.0
        self._new_run_points: RunPoints | None = None
        self._error = ""
        self._grid_seconds = 0.002   # measured cost of one decision grid
        self._last_grid = 0.0
        self._sent_at = 0.0

    # -- the UI's side -------------------------------------------------------------
    def submit(self, config: Config, run_id: int) -> None:
        """Newest config wins: a new run id starts a new run, else applies live."""
        self._set(mailbox=(config, run_id, None), want_frame=True)

    def submit_model(self, config: Config, run_id: int, params: list[np.ndarray]) -> None:
        """Start run ``run_id`` of ``config`` from the weights ``params`` (a loaded
        model, fresh optimizer state) and send its first frame, paused."""
        params = [np.array(p, copy=True) for p in params]
        self._set(mailbox=(config, run_id, params), want_frame=True, playing=False, steps=0)

    def request_model(self) -> None:
        """Ask for a copy of the model: the next frame carries it as ``model_state``."""
        self._set(want_model=True, want_frame=True)

    def play(self) -> None:
        self._set(playing=True)

    def pause(self) -> None:
        self._set(playing=False, steps=0, want_frame=True)

    def step(self, n: int = 1) -> None:
        with self._c.wake:
            self._c.steps += n
            self._c.wake.notify()

    def set_grid_size(self, size: int) -> None:
        self._set(grid_size=size, want_frame=True)

    def set_pause_at(self, epoch: int | None) -> None:
        self._set(pause_at=epoch)

    def request_frame(self) -> None:
        self._set(want_frame=True)

    def acknowledge(self) -> None:
        """The UI has drawn the last frame: the next may be sent."""
        self._set(frame_in_flight=False)

    def stop(self, timeout_ms: int = 1000) -> bool:
        """Ask the thread to end and wait for it; True when it ended in time."""
        self._set(quit=True)
        return self.wait(timeout_ms)

    @property
    def playing(self) -> bool:
        return self._c.playing

    def _set(self, **flags) -> None:
        with self._c.wake:
            for name, value in flags.items():
                setattr(self._c, name, value)
            self._c.wake.notify()

    # -- the worker's side -----------------------------------------------------------
    def run(self) -> None:
        while not self._c.quit:
            self._give_ui_its_turn()
            self._read_mailbox()
            trained = self._train_chunk() if self._has_work() else 0
            self._maybe_send(trained)
            with self._c.wake:
                if self._idle():
                    self._c.wake.wait(IDLE_WAIT)

    def _give_ui_its_turn(self) -> None:
        with self._c.wake:
            left = self._sent_at + UI_TURN - time.perf_counter()
            if self._c.frame_in_flight and left > 0 and self._c.mailbox is None:
                self._c.wake.wait(left)

    def _idle(self) -> bool:
        """Nothing to do until the UI sets a flag (called under the lock)."""
        c = self._c
        frame_pending = (c.want_frame or self._error) and not c.frame_in_flight
        return not (self._has_work() or c.mailbox is not None or c.quit or frame_pending)

    def _has_work(self) -> bool:
        t = self.trainer
        return t is not None and (self._c.playing or self._c.steps > 0)

    def _read_mailbox(self) -> None:
        with self._c.wake:
            item, self._c.mailbox = self._c.mailbox, None
        if item is None:
            return
        config, run_id, params = item
        try:
            if params is not None:
                self._start_run(config, run_id)
                self.trainer.model.set_params(params)
            elif self.trainer is None or run_id != self.trainer.run_id:
                self._start_run(config, run_id)
            elif config != self.trainer.config:
                self.trainer.apply_live(config)
        except Exception as e:  # noqa: BLE001 - any failure becomes a message, not a crash
            self._error = f"{type(e).__name__}: {e}" if not str(e) else str(e)
            self._set(playing=False, steps=0, want_frame=True)

    def _start_run(self, config: Config, run_id: int) -> None:
        from nnfs_gui.training.trainer import Trainer

        self.trainer = None
        trainer = Trainer(config, run_id=run_id)
        self.trainer = trainer
        self._new_run_points = run_points(trainer)
        self._chunk_epochs = 1

    def _train_chunk(self) -> int:
        t = self.trainer
        n = self._chunk_size(t.epoch)
        start = time.perf_counter()
        done = t.train(n)
        self._adapt_chunk(done, time.perf_counter() - start)
        with self._c.wake:
            self._c.steps = max(0, self._c.steps - done)
            stop_here = (t.finished or t.diverged or done < n
                         or (self._c.pause_at is not None and t.epoch >= self._c.pause_at))
            if stop_here:
                self._c.playing, self._c.steps = False, 0
            if stop_here or (done and self._c.steps == 0 and not self._c.playing):
                self._c.want_frame = True   # a step ended or the run stopped: show it
        return done

    def _chunk_size(self, epoch: int) -> int:
        n = self._chunk_epochs
        if not self._c.playing:
            n = min(n, self._c.steps)
        if self._c.pause_at is not None and epoch < self._c.pause_at:
            n = min(n, self._c.pause_at - epoch)
        return max(1, n)

    def _adapt_chunk(self, done: int, seconds: float) -> None:
        if done == 0 or seconds <= 0:
            return
        per_epoch = seconds / done
        target = max(1, int(CHUNK_SECONDS / per_epoch))
        self._chunk_epochs = max(1, (self._chunk_epochs + target) // 2)

    def _maybe_send(self, trained: int) -> None:
        now = time.perf_counter()
        c = self._c
        due = (trained and now - self._last_frame >= FRAME_INTERVAL) or c.want_frame
        if not due or c.frame_in_flight or (self.trainer is None and not self._error):
            return
        with c.wake:
            c.want_frame = False
            c.frame_in_flight = True
        self._last_frame = now
        frame = self._make_frame()
        self._sent_at = time.perf_counter()
        self.frame_ready.emit(frame)

    def _grid_size_now(self) -> int | None:
        """The grid to send: none while playing if grids would take more than their share
        of the time (frames still carry the history rows), coarser while playing."""
        c = self._c
        if not c.playing:
            return c.grid_size
        wait = max(GRID_INTERVAL, self._grid_seconds / GRID_BUDGET)
        if time.perf_counter() - self._last_grid < wait:
            return None
        return min(c.grid_size, c.playing_grid_size)

    def _make_frame(self) -> Frame:
        t, error = self.trainer, self._error
        self._error = ""
        if t is None:
            return Frame(run_id=-1, error=error)
        size = self._grid_size_now()
        start = time.perf_counter()
        snap = t.snapshot(grid_size=size)
        if size:
            self._last_grid = time.perf_counter()
            self._grid_seconds = 0.7 * self._grid_seconds + 0.3 * (self._last_grid - start)
        points, self._new_run_points = self._new_run_points, None
        # Mistakes are marked together with the regions they are read against.
        val_pred = predict_val(t) if snap.grid is not None else None
        with self._c.wake:
            want_model, self._c.want_model = self._c.want_model, False
        return Frame(run_id=t.run_id, snapshot=snap, points=points,
                     val_pred=val_pred, playing=self._c.playing, error=error,
                     model_state=model_state(t) if want_model else None,
                     scaler=t.scaler if points is not None else None)


def run_points(trainer) -> RunPoints:
    """Read-only copies of a run's raw training and validation points."""
    s = trainer.split
    arrays = [np.array(a, copy=True) for a in (s.x_train, s.y_train, s.x_val, s.y_val)]
    for a in arrays:
        a.flags.writeable = False
    return RunPoints(*arrays, n_classes=trainer.config.classes, extent=trainer.extent)


def model_state(trainer) -> ModelState:
    """A copy of the trainer's model as it is now (call on the worker thread)."""
    m = trainer.model
    params = tuple(m.get_params())   # copies
    for p in params:
        p.flags.writeable = False
    return ModelState(run_id=trainer.run_id, epoch=trainer.epoch, config=trainer.config,
                      scaler=trainer.scaler, params=params, n_inputs=m.n_inputs,
                      n_classes=m.n_classes)


def predict_val(trainer) -> np.ndarray | None:
    """(m,) predicted class of each validation point (None if the trainer has no model)."""
    model = getattr(trainer, "model", None)
    if model is None:
        return None
    return np.asarray(model.predict(trainer.x_val))
