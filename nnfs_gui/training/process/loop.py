"""The training loop behind the window: one Trainer, trained in chunks of a few ms.

It runs in a child process (``loop.main([FD])``, started by ``spawn()``) and
speaks over one ``multiprocessing.connection.Connection``: in come ``(seq,
message)`` pairs, the messages of ``protocol.py``, read between chunks and
dispatched on their type, each handler through one guard; out go RunPoints,
Frames, ModelStates and EpochViews (every request is answered). A frame goes out
at most ~30 times a second and only after the previous one was acknowledged, so a
slow screen never piles up a queue: the history rows simply wait in the trainer
until the next frame (throttling drops nothing).

The loop decides nothing about settings (the window's RunSession chose, once). A
process, not a thread: a training thread takes turns with the painting GUI thread at
the GIL (a third of the training speed on 2 cores). Qt-free, like all of training/.
"""

from __future__ import annotations

import dataclasses
import math
import signal
import socket
import subprocess
import sys
import time
from multiprocessing.connection import Connection

import numpy as np

from nnfs_gui.core.errors import short_repr
from nnfs_gui.core.files.serialization import SavedModel
from nnfs_gui.training.process import protocol as p
from nnfs_gui.training.process.child import die_with_parent, python_child
from nnfs_gui.training.process.protocol import EpochView, Frame, ModelState, RunPoints
from nnfs_gui.training.run.history import COLUMNS

CHUNK_SECONDS = 0.005     # train this long between reads of the messages
FRAME_INTERVAL = 1 / 30   # at most ~30 frames a second
IDLE_WAIT = 0.1           # how long an idle loop sleeps between checks
GRID_BUDGET = 0.08        # while playing, decision grids may take this share of the time
# Grids come at most this often while playing (frames between carry curves only): a
# grid frame costs the UI about twice a curves-only frame (regions, points and mistakes
# repaint); 10/s still reads as smooth motion.
GRID_INTERVAL = 1 / 10
PAUSED_GRID = 150
# While playing the regions keep changing, so a coarser grid is enough (a 150 grid
# costs ~25 epochs of training; 80 costs a third of that); paused: the set size.
PLAYING_GRID = 80
# A paused grid may take this long (measured cost per point): heavy networks get a
# coarser one rather than a loop deaf to the window for seconds (4x512 hidden: a 150
# grid took 1.3 s, 94 takes 0.5 s).
MAX_GRID_SECONDS = 0.5
MIN_GRID = 40
# The messages that cut a long epoch short (the epoch is discarded and trained again):
# they must act within ~0.25 s. Every other one waits for the epoch's end: a live
# slider dragged over 0.15 s epochs sends an ApplyLive every 0.05 s, and with ApplyLive
# cutting too the run trained nothing (bench drag: 0 epochs in 6 s against 39 untouched).
CUT_SHORT = (p.Pause, p.StartRun, p.Quit)


# -- the pace: at most so many epochs a second, so a learner can watch -------------------
# A credit of epochs grows at ``epochs_per_second`` and each trained epoch spends one; the
# credit is capped at ``burst_seconds`` worth (at least one epoch), so a slow moment never
# turns into a burst.
UNLIMITED = 2**62   # epochs allowed at full speed


class Pace:
    """``allowed()`` epochs may be trained now; ``spend(n)`` after training them."""

    def __init__(self, burst_seconds: float) -> None:
        self.burst_seconds = burst_seconds
        self.epochs_per_second: float | None = None   # None: full speed
        self.restart()

    def set(self, epochs_per_second: float | None) -> None:
        eps = epochs_per_second
        self.epochs_per_second = None if eps is None else max(float(eps), 0.1)
        self.restart()

    def restart(self) -> None:
        """Count from now (on Play): a pause never saves up epochs for later."""
        self._credit, self._at = 1.0, time.perf_counter()

    def allowed(self) -> int:
        """Whole epochs the pace allows now (UNLIMITED at full speed)."""
        eps = self.epochs_per_second
        if eps is None:
            return UNLIMITED
        now = time.perf_counter()
        cap = max(1.0, eps * self.burst_seconds)
        self._credit = min(cap, self._credit + (now - self._at) * eps)
        self._at = now
        return int(self._credit)

    def spend(self, epochs: int) -> None:
        self._credit -= epochs

    def wait(self, longest: float) -> float:
        """Seconds until the next epoch is allowed (0 now), at most ``longest``."""
        eps = self.epochs_per_second
        if eps is None or self._credit >= 1:
            return 0.0
        return min(longest, (1.0 - self._credit) / eps)


# -- what the loop answers with: a run's points, a copy of its model, and the run as it
# was at an earlier epoch (from its checkpoints, the answer to ShowEpoch) ----------------
def run_points(trainer) -> RunPoints:
    """Read-only copies of a run's raw training and validation points."""
    s = trainer.split
    arrays = [np.array(a, copy=True) for a in (s.x_train, s.y_train, s.x_val, s.y_val)]
    return RunPoints(*arrays, n_classes=trainer.config.classes, extent=trainer.extent,
                     run_id=trainer.run_id, strategy=s.strategy, scaler=trainer.scaler,
                     start_epoch=trainer.epoch, config=trainer.config).read_only()


def saved_model(trainer, split) -> SavedModel:
    """A copy of the trainer's model as it is now (weights and optimizer state), with
    ``split``, the points its StartRun gave (None: the config's own)."""
    return SavedModel(trainer.portable_model(), trainer.config, trainer.scaler,
                      trainer.epoch, split)


def predict_val(trainer) -> np.ndarray | None:
    """(m,) predicted class of each validation point (None if the trainer has no model)."""
    model = getattr(trainer, "model", None)
    if model is None:
        return None
    return np.asarray(model.predict(trainer.x_val))


def epoch_view(trainer, m: p.ShowEpoch) -> EpochView:
    """The run at ``m.epoch``, from its checkpoint (the running model is not touched)."""
    found, model = trainer.model_at(m.epoch)
    grid = trainer.grid_probabilities(m.grid_size, model=model)
    val_pred = np.asarray(model.predict(trainer.x_val))
    i = found - trainer.start_epoch
    row = None
    if 0 <= i < len(trainer.history):
        row = {name: trainer.history.column(name)[i].item() for name in COLUMNS}
    return EpochView(run_id=trainer.run_id, request_id=m.request_id, asked=int(m.epoch),
                     epoch_found=int(found), grid=grid, extent=trainer.extent,
                     val_pred=val_pred, row=row)


def gone_view(m: p.ShowEpoch) -> EpochView:
    """The answer to a ShowEpoch of a run that is gone (or whose view failed)."""
    return EpochView(run_id=m.run_id, request_id=m.request_id, asked=int(m.epoch),
                     epoch_found=int(m.epoch), grid=None, extent=None, val_pred=None)


class TrainingLoop:
    """Owns the trainer; ``run(conn)`` until a Quit message or the UI goes away."""

    def __init__(self, send) -> None:
        self.send = send                # callable(message to the UI)
        self.trainer = None
        self.run_id = 0                 # the current run: the last start taken (even failed)
        self.split = None               # the points its StartRun gave (None: its own)
        self.seq = 0                    # the last message read
        self.playing = False
        self.steps = 0
        self.quit = False
        self.grid_size = PAUSED_GRID
        self.live_regions = True   # False: the window shows an earlier epoch, no grids
        self.pause_at: int | None = None
        self.want_frame = False
        self.live: p.ApplyLive | None = None        # applied between epochs; newest wins
        self.model_requests: list[p.RequestModel] = []   # each answered, in order
        self.want_view: p.ShowEpoch | None = None   # the newest request wins
        self.pace = Pace(burst_seconds=FRAME_INTERVAL)   # epochs/s while playing
        self.frame_in_flight = False
        self.mailbox: p.StartRun | None = None   # one slot: the newest start wins
        self.seconds = {"train": 0.0, "make frame": 0.0, "idle": 0.0}
        self._chunk_epochs = 1
        self._last_frame = 0.0
        self._error = ""                # about run ``run_id``; the next frame carries it
        self._grid_seconds = 0.002   # measured cost of one decision grid
        self._grid_point_seconds = 0.0   # ... per grid point
        self._last_grid = 0.0
        self._conn = None
        self._deferred: list[tuple[int, object]] = []   # read during an epoch
        self._fresh_run = False      # a run started and its first frame is not out yet
        self._val_pred_key = None    # (run id, epoch) of _val_pred
        self._val_pred = None
        self._handlers = {
            p.StartRun: self._on_start, p.ApplyLive: self._on_apply_live,
            p.Play: self._on_play, p.Pause: self._on_pause, p.Step: self._on_step,
            p.SetGrid: self._on_set_grid, p.SetPauseAt: self._on_set_pause_at,
            p.Ack: self._on_ack, p.RequestModel: self._on_request_model,
            p.Quit: self._on_quit, p.RestoreBest: self._on_restore_best,
            p.ShowEpoch: self._on_show_epoch, p.SetPace: self._on_set_pace,
            p.SetLiveRegions: self._on_set_live_regions,
        }

    # -- messages ------------------------------------------------------------------
    def handle(self, envelope: tuple[int, object]) -> None:
        """One ``(seq, message)`` from the window."""
        seq, message = envelope
        self.seq = max(self.seq, seq)
        self.dispatch(message)

    def dispatch(self, message) -> None:
        """The handler of ``message``'s type, guarded (an unknown type is an error)."""
        handler = self._handlers.get(type(message), self._on_unknown)
        self._guarded(lambda: handler(message))

    def _on_unknown(self, m) -> None:
        raise TypeError(f"unknown message {short_repr(m)}")

    def _on_start(self, m: p.StartRun) -> None:
        self.mailbox = m
        self.want_frame = True

    def _on_apply_live(self, m: p.ApplyLive) -> None:
        if self.mailbox is not None and self.mailbox.run_id == m.run_id:
            self.mailbox = dataclasses.replace(self.mailbox, config=m.config)
        else:
            self.live = m   # applied by the next tick, after the epoch in progress

    def _apply_live(self) -> None:
        m, self.live = self.live, None
        if m is not None and self.trainer is not None and self.trainer.run_id == m.run_id:
            # Paused, a frame shows the change; playing, the next one will (a dragged
            # slider asking for one each would push frames past ~30/s).
            self.want_frame |= not self._has_work()
            self._guarded(lambda: self.trainer.apply_live(m.config))
        # else: a change for a run that is gone; its successor has its own config

    def _on_play(self, m: p.Play) -> None:
        if not self.playing:
            self.pace.restart()
        self.playing = True
        self._resume_if_diverged()

    def _resume_if_diverged(self) -> None:
        """Play after a divergence trains on from the restored weights (fresh optimizer
        state, the settings as they are now); the next frame clears the banner."""
        if self.trainer is not None and self.trainer.diverged:
            self.want_frame = True
            self.trainer.resume_after_divergence()

    def _on_pause(self, m: p.Pause) -> None:
        self.playing, self.steps, self.want_frame = False, 0, True

    def _on_step(self, m: p.Step) -> None:
        self.steps += int(m.n)
        self._resume_if_diverged()

    def _on_set_grid(self, m: p.SetGrid) -> None:
        self.grid_size, self.want_frame = int(m.size), True

    def _on_set_live_regions(self, m: p.SetLiveRegions) -> None:
        self.want_frame |= m.on and not self.live_regions   # back to live: fresh regions
        self.live_regions = bool(m.on)

    def _on_set_pause_at(self, m: p.SetPauseAt) -> None:
        self.pause_at = m.epoch

    def _on_ack(self, m: p.Ack) -> None:
        self.frame_in_flight = False

    def _on_request_model(self, m: p.RequestModel) -> None:
        self.model_requests.append(m)

    def _on_restore_best(self, m: p.RestoreBest) -> None:
        if self.trainer is not None:
            self.want_frame, self._val_pred_key = True, None   # new weights, same epoch
            self.trainer.restore_best()

    def _on_quit(self, m: p.Quit) -> None:
        self.quit = True

    def _on_show_epoch(self, m: p.ShowEpoch) -> None:
        self.want_view = m

    def _on_set_pace(self, m: p.SetPace) -> None:
        self.pace.set(m.epochs_per_second)

    def _guarded(self, work):
        """``work()``'s result; a failure becomes an error frame of the current run and
        a pause (None), never a dead process."""
        try:
            return work()
        except Exception as e:  # noqa: BLE001 - any failure becomes a message
            self._error = str(e) or type(e).__name__
            self.playing, self.steps, self.want_frame = False, 0, True
            return None

    # -- the loop ------------------------------------------------------------------
    def run(self, conn) -> None:
        """Train and answer until told to quit; returns when the other end closes."""
        self._conn = conn
        try:
            while not self.quit:
                self.handle_deferred()
                self.read_messages(conn, IDLE_WAIT if self.idle() else self.pace_wait())
                if not self.quit:   # a Quit just read ends the loop before more training
                    self.tick()
        except (EOFError, OSError):
            pass   # the window is gone: nothing left to train for

    def should_stop(self) -> bool:
        """Asked by the trainer between the chunks of a long epoch: read what came (it
        is handled after the epoch) and stop for a message of CUT_SHORT."""
        conn = self._conn
        while conn is not None and conn.poll(0):
            self._deferred.append(conn.recv())
        return any(isinstance(m, CUT_SHORT) for _, m in self._deferred)

    def handle_deferred(self) -> None:
        deferred, self._deferred = self._deferred, []
        for envelope in deferred:
            self.handle(envelope)

    def read_messages(self, conn, wait: float) -> None:
        start = time.perf_counter()
        ready = conn.poll(wait)
        self.seconds["idle"] += time.perf_counter() - start
        while ready:
            self.handle(conn.recv())
            ready = conn.poll(0)

    def tick(self) -> None:
        """One round: the mailbox, a live change, the answers, a chunk of training, a
        frame."""
        self._read_mailbox()
        self._apply_live()
        self._answer_model_requests()
        self._answer_view_request()
        # A new run's first frame goes out before its first (maybe long) epoch.
        first_frame_due = self._fresh_run and self.trainer is not None
        trained = 0
        if self._has_work() and not first_frame_due:
            trained = self._guarded(self._train_chunk) or 0
        self._maybe_send(trained)

    def idle(self) -> bool:
        """Nothing to do until a message comes."""
        return not (self._has_work() or self.mailbox is not None or self.quit
                    or self._frame_pending() or self.live is not None
                    or self.model_requests or self.want_view is not None)

    def _frame_pending(self) -> bool:
        return bool((self.want_frame or self._error) and not self.frame_in_flight)

    def _has_work(self) -> bool:
        return self.trainer is not None and (self.playing or self.steps > 0)

    def _read_mailbox(self) -> None:
        start, self.mailbox = self.mailbox, None
        if start is not None:
            # The old run ends even if the new one cannot start; its error is moot.
            self.trainer, self.split, self._error = None, start.split, ""
            self.run_id = start.run_id
            self._guarded(lambda: self._start_run(start))

    def _start_run(self, m: p.StartRun) -> None:
        from nnfs_gui.training.run.trainer import Trainer

        self.trainer = Trainer(m.config, run_id=m.run_id, split=m.split, init=m.init,
                               own_code=m.own_code)
        self._chunk_epochs = 1
        self._fresh_run = self.want_frame = True
        self.send(run_points(self.trainer))

    def _answer_model_requests(self) -> None:
        """Each RequestModel: a copy of the current run's model, None without one."""
        requests, self.model_requests = self.model_requests, []
        for m in requests:
            saved = None
            if self.trainer is not None:
                saved = self._guarded(lambda: saved_model(self.trainer, self.split))
            self.send(ModelState(run_id=self.run_id, request_id=m.request_id, saved=saved))

    def pace_wait(self) -> float:
        """Seconds to wait for the pace before the next epoch (0: train now)."""
        return self.pace.wait(IDLE_WAIT) if self.playing else 0.0

    def _answer_view_request(self) -> None:
        """The newest ShowEpoch: its run's view, or a view without a grid (run gone)."""
        m, self.want_view = self.want_view, None
        if m is None:
            return
        view = None
        if self.trainer is not None and m.run_id == self.trainer.run_id:
            view = self._guarded(lambda: epoch_view(self.trainer, m))
        self.send(view or gone_view(m))

    def _train_chunk(self) -> int:
        t = self.trainer
        n = min(self._chunk_size(t.epoch), self.pace.allowed() if self.playing else UNLIMITED)
        if n < 1:
            return 0   # the pace allows no epoch yet
        start = time.perf_counter()
        done = t.train(n, should_stop=self.should_stop)
        seconds = time.perf_counter() - start
        self.seconds["train"] += seconds
        self.pace.spend(done)
        self._adapt_chunk(done, seconds)
        self.steps = max(0, self.steps - done)
        stop_here = (t.finished or t.diverged or (done < n and not t.interrupted)
                     or (self.pause_at is not None and t.epoch >= self.pause_at))
        if stop_here:
            self.playing, self.steps = False, 0
        if stop_here or (done and self.steps == 0 and not self.playing):
            self.want_frame = True   # a step ended or the run stopped: show it
        return done

    def _chunk_size(self, epoch: int) -> int:
        n = self._chunk_epochs
        if not self.playing:
            n = min(n, self.steps)
        if self.pause_at is not None and epoch < self.pause_at:
            n = min(n, self.pause_at - epoch)
        return max(1, n)

    def _adapt_chunk(self, done: int, seconds: float) -> None:
        if done == 0 or seconds <= 0:
            return
        per_epoch = seconds / done
        target = max(1, int(CHUNK_SECONDS / per_epoch))
        self._chunk_epochs = max(1, (self._chunk_epochs + target) // 2)

    # -- frames --------------------------------------------------------------------
    def _maybe_send(self, trained: int) -> None:
        now = time.perf_counter()
        due = (trained and now - self._last_frame >= FRAME_INTERVAL) or self.want_frame
        if not due or self.frame_in_flight or (self.trainer is None and not self._error):
            return
        self.want_frame = self._fresh_run = False
        self.frame_in_flight = True
        self._last_frame = now
        frame = self._make_frame()
        self.seconds["make frame"] += time.perf_counter() - now
        self.send(frame)

    def _grid_size_now(self) -> int | None:
        """The grid to send: none while playing if grids would take more than their share
        of the time (frames still carry the history rows), coarser while playing; none
        while nobody draws them (they would only delay the ShowEpoch answers)."""
        if not (self.live_regions or self._fresh_run):
            return None
        if not self.playing or self._fresh_run:
            return self._affordable_grid(PLAYING_GRID if self._fresh_run else self.grid_size)
        wait = max(GRID_INTERVAL, self._grid_seconds / GRID_BUDGET)
        if time.perf_counter() - self._last_grid < wait:
            return None
        return self._affordable_grid(min(self.grid_size, PLAYING_GRID))

    def _affordable_grid(self, size: int) -> int:
        """size, or a coarser grid if the measured cost says it would take more than
        MAX_GRID_SECONDS."""
        if self._grid_point_seconds <= 0:
            return size
        most = int(math.sqrt(MAX_GRID_SECONDS / self._grid_point_seconds))
        return min(size, max(MIN_GRID, most))

    def _make_frame(self) -> Frame:
        t, error = self.trainer, self._error
        self._error = ""
        common = {"playing": self.playing, "error": error, "seq": self.seq,
                  "steps": self.steps, "seconds": dict(self.seconds),
                  "train_seconds": self.seconds["train"], "clock": time.perf_counter()}
        if t is None:
            return Frame(run_id=self.run_id, **common)   # a start failed: its error
        size = self._grid_size_now()
        start = time.perf_counter()
        snap = t.snapshot(grid_size=size)
        if size:
            self._last_grid = time.perf_counter()
            seconds = self._last_grid - start
            self._grid_seconds = 0.7 * self._grid_seconds + 0.3 * seconds
            self._grid_point_seconds = seconds / (size * size)
        # Mistakes are marked together with the regions they are read against.
        val_pred = self._val_predictions(t) if snap.grid is not None else None
        return Frame(run_id=t.run_id, epoch=snap.epoch, rows=snap.history, grid=snap.grid,
                     extent=snap.extent, val_pred=val_pred,
                     learning_rate=snap.learning_rate, diverged=snap.diverged,
                     finished=snap.finished, message=snap.message, **common)

    def _val_predictions(self, t) -> np.ndarray | None:
        """predict_val(t), computed once per run and epoch (a heavy network takes
        seconds for 40,000 validation points; paused frames reuse it)."""
        key = (t.run_id, t.epoch, id(t), t.diverged)   # a divergence restores weights
        if key != self._val_pred_key:
            self._val_pred, self._val_pred_key = predict_val(t), key
        return self._val_pred


def spawn() -> tuple[subprocess.Popen, Connection]:
    """Start the training process; returns it and our end of its socket."""
    ours, theirs = socket.socketpair()
    with theirs:
        proc = subprocess.Popen(
            python_child(__name__, str(theirs.fileno())), pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            # Its own session: Ctrl+C in a terminal reaches the window only, which
            # ends the process through the socket.
            start_new_session=True)
    return proc, Connection(ours.detach())


def main(argv: list[str] | None = None) -> int:
    """The child process's entry: ``argv == [FD]``, FD a connected socket.

    Called by import (child.python_child), never as ``python -m``: the classes a
    frame is made of must be this module's, not ``__main__``'s."""
    argv = sys.argv[1:] if argv is None else argv
    die_with_parent()
    # Ctrl+C in a terminal reaches the whole process group; the window decides when
    # this process ends (it sends "quit", or its end of the socket closes).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(int(argv[0]))
    loop = TrainingLoop(conn.send)
    loop.run(conn)
    conn.close()
    return 0

