"""The training loop behind the window: one Trainer, trained in chunks of a few ms.

It runs in a child process (``loop.main([FD])``, started by ``ui/worker.py``)
and speaks over one ``multiprocessing.connection.Connection``:

- in:  ``(seq, kind, payload)`` control messages, read between chunks. ``kind`` is
  "set" (payload: {flag: value}), "step" (n epochs), "submit" ((config, run_id,
  params or None) into a one-slot mailbox: the newest wins), "ack" (the UI has
  drawn the last frame) or "quit".
- out: ``Frame`` objects, at most ~30 a second, and only after the previous one
  was acknowledged, so a slow screen never piles up a queue: the history rows
  simply wait in the trainer until the next frame (throttling drops nothing).

Why a process and not a thread: a Python thread training while the GUI thread
paints takes turns with it at the GIL, and the window cost a third of the
training speed on this 2-core machine; a process trains on the other core.
Qt-free, like everything under ``training/``.
"""

from __future__ import annotations

import signal
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from nnfs_gui.core.config import Config

CHUNK_SECONDS = 0.005     # train this long between reads of the controls
FRAME_INTERVAL = 1 / 30   # at most ~30 frames a second
IDLE_WAIT = 0.1           # how long an idle loop sleeps between checks
GRID_BUDGET = 0.08        # while playing, decision grids may take this share of the time
# Grids come at most this often while playing (frames between carry curves only): a
# grid frame costs the UI about twice a curves-only frame (regions, points and mistakes
# repaint); 10/s still reads as smooth motion.
GRID_INTERVAL = 1 / 10


@dataclass(frozen=True)
class RunPoints:
    """The raw data points of one run (raw units, as the extent).

    x_train: (n, 2) float, y_train: (n,) int, x_val: (m, 2) float, y_val: (m,) int.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    n_classes: int
    extent: tuple[float, float, float, float]


@dataclass(frozen=True)
class ModelState:
    """A copy of a run's model, taken between chunks, for saving.

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
    playing: whether the loop is still playing after this frame (divergence, the
        epoch limit and ``pause_at`` pause it).
    error: a message when a run could not start or a change could not apply.
    model_state: a copy of the model, in the frame that answers a model request.
    scaler: the run's fitted scaler, on the first frame of a run (with ``points``).
    seq: the last control message the loop had read when it made this frame.
    steps: epochs still to step (0 when no Step is under way).
    seconds: the loop's cumulative seconds {"train", "make frame", "idle"} (benchmarks).
    """

    run_id: int
    snapshot: object | None = None
    points: RunPoints | None = None
    val_pred: np.ndarray | None = None
    playing: bool = False
    error: str = ""
    model_state: ModelState | None = None
    scaler: object | None = None
    seq: int = 0
    steps: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def read_only(self) -> Frame:
        """The same frame with every array read-only (unpickled arrays are writable)."""
        arrays = [self.val_pred]
        if self.snapshot is not None:
            arrays += [self.snapshot.grid, *self.snapshot.history.values()]
        if self.points is not None:
            p = self.points
            arrays += [p.x_train, p.y_train, p.x_val, p.y_val]
        if self.model_state is not None:
            arrays += list(self.model_state.params)
        for a in arrays:
            if isinstance(a, np.ndarray):
                a.flags.writeable = False
        return self


class Controls:
    """What the UI has asked for, as read from its messages."""

    def __init__(self) -> None:
        self.seq = 0
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

    def handle(self, message) -> None:
        seq, kind, payload = message
        self.seq = max(self.seq, seq)
        if kind == "set":
            for name, value in payload.items():
                if not hasattr(self, name) or name in ("seq", "mailbox", "quit"):
                    raise ValueError(f"unknown control {name!r}")
                setattr(self, name, value)
        elif kind == "step":
            self.steps += int(payload)
        elif kind == "submit":
            self.mailbox = payload
            self.want_frame = True
        elif kind == "ack":
            self.frame_in_flight = False
        elif kind == "quit":
            self.quit = True
        else:
            raise ValueError(f"unknown message {kind!r}")


class TrainingLoop:
    """Owns the trainer; ``run(conn)`` until a "quit" message or the UI goes away."""

    def __init__(self, send) -> None:
        self.send = send                # callable(Frame)
        self.c = Controls()
        self.trainer = None
        self.seconds = {"train": 0.0, "make frame": 0.0, "idle": 0.0}
        self._chunk_epochs = 1
        self._last_frame = 0.0
        self._new_run_points: RunPoints | None = None
        self._error = ""
        self._grid_seconds = 0.002   # measured cost of one decision grid
        self._last_grid = 0.0

    def run(self, conn) -> None:
        """Train and answer until told to quit; returns when the other end closes."""
        try:
            while not self.c.quit:
                self.read_messages(conn, IDLE_WAIT if self.idle() else 0.0)
                self.tick()
        except (EOFError, OSError):
            pass   # the window is gone: nothing left to train for

    def read_messages(self, conn, wait: float) -> None:
        start = time.perf_counter()
        ready = conn.poll(wait)
        self.seconds["idle"] += time.perf_counter() - start
        while ready:
            self.c.handle(conn.recv())
            ready = conn.poll(0)

    def tick(self) -> None:
        """One round: the mailbox, a chunk of training, maybe a frame."""
        self._read_mailbox()
        trained = self._train_chunk() if self._has_work() else 0
        self._maybe_send(trained)

    def idle(self) -> bool:
        """Nothing to do until a message comes."""
        c = self.c
        return not (self._has_work() or c.mailbox is not None or c.quit
                    or self._frame_pending())

    def _frame_pending(self) -> bool:
        c = self.c
        return bool((c.want_frame or self._error) and not c.frame_in_flight)

    def _has_work(self) -> bool:
        return self.trainer is not None and (self.c.playing or self.c.steps > 0)

    def _read_mailbox(self) -> None:
        item, self.c.mailbox = self.c.mailbox, None
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
            self.c.playing, self.c.steps, self.c.want_frame = False, 0, True

    def _start_run(self, config: Config, run_id: int) -> None:
        from nnfs_gui.training.trainer import Trainer

        self.trainer = None
        self.trainer = Trainer(config, run_id=run_id)
        self._new_run_points = run_points(self.trainer)
        self._chunk_epochs = 1

    def _train_chunk(self) -> int:
        t, c = self.trainer, self.c
        n = self._chunk_size(t.epoch)
        start = time.perf_counter()
        done = t.train(n)
        seconds = time.perf_counter() - start
        self.seconds["train"] += seconds
        self._adapt_chunk(done, seconds)
        c.steps = max(0, c.steps - done)
        stop_here = (t.finished or t.diverged or done < n
                     or (c.pause_at is not None and t.epoch >= c.pause_at))
        if stop_here:
            c.playing, c.steps = False, 0
        if stop_here or (done and c.steps == 0 and not c.playing):
            c.want_frame = True   # a step ended or the run stopped: show it
        return done

    def _chunk_size(self, epoch: int) -> int:
        n = self._chunk_epochs
        if not self.c.playing:
            n = min(n, self.c.steps)
        if self.c.pause_at is not None and epoch < self.c.pause_at:
            n = min(n, self.c.pause_at - epoch)
        return max(1, n)

    def _adapt_chunk(self, done: int, seconds: float) -> None:
        if done == 0 or seconds <= 0:
            return
        per_epoch = seconds / done
        target = max(1, int(CHUNK_SECONDS / per_epoch))
        self._chunk_epochs = max(1, (self._chunk_epochs + target) // 2)

    def _maybe_send(self, trained: int) -> None:
        now = time.perf_counter()
        c = self.c
        due = (trained and now - self._last_frame >= FRAME_INTERVAL) or c.want_frame
        if not due or c.frame_in_flight or (self.trainer is None and not self._error):
            return
        c.want_frame = False
        c.frame_in_flight = True
        self._last_frame = now
        frame = self._make_frame()
        self.seconds["make frame"] += time.perf_counter() - now
        self.send(frame)

    def _grid_size_now(self) -> int | None:
        """The grid to send: none while playing if grids would take more than their share
        of the time (frames still carry the history rows), coarser while playing."""
        c = self.c
        if not c.playing:
            return c.grid_size
        wait = max(GRID_INTERVAL, self._grid_seconds / GRID_BUDGET)
        if time.perf_counter() - self._last_grid < wait:
            return None
        return min(c.grid_size, c.playing_grid_size)

    def _make_frame(self) -> Frame:
        t, error, c = self.trainer, self._error, self.c
        self._error = ""
        if t is None:
            return Frame(run_id=-1, error=error, seq=c.seq)
        size = self._grid_size_now()
        start = time.perf_counter()
        snap = t.snapshot(grid_size=size)
        if size:
            self._last_grid = time.perf_counter()
            self._grid_seconds = 0.7 * self._grid_seconds + 0.3 * (self._last_grid - start)
        points, self._new_run_points = self._new_run_points, None
        # Mistakes are marked together with the regions they are read against.
        val_pred = predict_val(t) if snap.grid is not None else None
        want_model, c.want_model = c.want_model, False
        return Frame(run_id=t.run_id, snapshot=snap, points=points,
                     val_pred=val_pred, playing=c.playing, error=error,
                     model_state=model_state(t) if want_model else None,
                     scaler=t.scaler if points is not None else None,
                     seq=c.seq, steps=c.steps, seconds=dict(self.seconds))


def run_points(trainer) -> RunPoints:
    """Read-only copies of a run's raw training and validation points."""
    s = trainer.split
    arrays = [np.array(a, copy=True) for a in (s.x_train, s.y_train, s.x_val, s.y_val)]
    for a in arrays:
        a.flags.writeable = False
    return RunPoints(*arrays, n_classes=trainer.config.classes, extent=trainer.extent)


def model_state(trainer) -> ModelState:
    """A copy of the trainer's model as it is now."""
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


def main(argv: list[str] | None = None) -> int:
    """The child process's entry: ``argv == [FD]``, FD a connected socket.

    Called by import (``python -c "...loop.main()"``), never as ``python -m``: the
    classes a frame is made of must be this module's, not ``__main__``'s."""
    from multiprocessing.connection import Connection

    argv = sys.argv[1:] if argv is None else argv
    # Ctrl+C in a terminal reaches the whole process group; the window decides when
    # this process ends (it sends "quit", or its end of the socket closes).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(int(argv[0]))
    loop = TrainingLoop(conn.send)
    loop.run(conn)
    conn.close()
    return 0

