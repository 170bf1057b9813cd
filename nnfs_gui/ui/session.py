"""RunSession: one model as the window sees it (A, and B while comparing).

A session owns its training process (``worker.py``), the run id, the config, the
one History of the run on the GUI side, the run's points and scaler, the newest
regions and the flags of the newest frame. It decides once whether a change of
settings applies live or starts a new run, sends one typed message
(``training/protocol.py``), and tells whoever listens what came back:

- ``run_started(points)``: a new run's data arrived (its history starts empty);
- ``rows_added(rows)``: history rows were appended to ``history``;
- ``regions_changed()``: a new decision grid (``latest_grid``, ``val_pred``);
- ``state_changed()``: epoch, playing, finished or diverged may have changed;
- ``epoch_shown(view)``: an EpochView answering ``show_epoch`` (the run as it was
  at an earlier epoch, from its checkpoints);
- ``died(text)``: the training process ended unasked; ``error(text)``: a run
  could not start or a change could not apply.

Views, the status bar, the compare pane and export read the session; none keeps
a copy of the history. A frame is acknowledged after every listener has drawn it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

from nnfs_gui.core.config import Config
from nnfs_gui.core.data.splits import DataSplit
from nnfs_gui.core.files.serialization import SavedModel
from nnfs_gui.training.process import protocol as p
from nnfs_gui.training.run.history import History
from nnfs_gui.ui.worker import TrainingWorker

# Settings that make points: changing one sets imported or drawn points aside.
GENERATOR_FIELDS = ("dataset", "classes", "samples", "noise")


class RunSession(QObject):
    """One model's run, as the window sees it; drive it with the methods below."""

    run_started = Signal(object)   # RunPoints
    rows_added = Signal(object)    # {column: (k,) array}, already in ``history``
    regions_changed = Signal()
    state_changed = Signal()
    epoch_shown = Signal(object)   # EpochView
    died = Signal(str)
    error = Signal(str)

    def __init__(self, name: str, config: Config, grid_size: int = 150,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.config = config
        self.grid_size = grid_size
        self.pace: float | None = None
        self.live_regions = True           # the window draws this run's newest regions
        self._request_id = 0               # the last RequestModel or ShowEpoch id sent
        self._view_request: int | None = None   # the id of the ShowEpoch in flight
        self._view_wanted: int | None = None   # the newest epoch asked meanwhile
        # RequestModel id -> (the run asked about, its callback); answered or dropped
        self._requests: dict[int, tuple[int, Callable]] = {}
        self.run_id = 0
        self.split: DataSplit | None = None   # the points this run was given, if any
        self._forget_run()
        self._handlers = {p.RunPoints: self._on_points, p.Frame: self._on_frame,
                          p.ModelState: self._on_model, p.EpochView: self._on_epoch_view}
        self.worker = TrainingWorker()
        self.worker.received.connect(self._on_message)
        self.worker.died.connect(self._on_died)
        self.worker.send(p.SetGrid(grid_size))
        self.worker.start()

    def _forget_run(self) -> None:
        self.history = History()
        self.points: p.RunPoints | None = None
        self.scaler = None
        self.latest_grid: np.ndarray | None = None
        self.extent: tuple[float, float, float, float] | None = None
        self.val_pred: np.ndarray | None = None
        self.learning_rate = 0.0
        self.epoch = 0
        self.train_seconds = 0.0
        self.finished = False
        self.diverged = ""          # the divergence message, "" while training is sound
        self.frames_drawn = 0
        self.clock = 0.0            # the process's clock at the newest frame
        self.epoch_view: p.EpochView | None = None

    # -- commands ------------------------------------------------------------------
    def apply(self, config: Config) -> bool:
        """Take ``config``: live fields go to the running model, a changed restart field
        starts a new run. Decided here, once. Returns True when a new run started."""
        changed = self.config.restart_fields_changed(config)
        restart = bool(changed) or self.run_id == 0
        if self.split is not None and set(changed) & set(GENERATOR_FIELDS):
            self.split = None   # a new generator setting means generated data again
        self.config = config
        if restart:
            self.new_run(split=self.split)
        else:
            self.worker.send(p.ApplyLive(self.run_id, config))
        return restart

    def new_run(self, config: Config | None = None, split: DataSplit | None = None) -> None:
        """A new run (of ``config`` if given) from fresh weights; on ``split`` if given
        (else the config's own data). Frames of older runs are ignored from now on."""
        self._start(p.StartRun(self._next_run_id(), config or self.config, split))

    def start_from(self, saved, split: DataSplit | None = None) -> None:
        """A new run that continues a saved model (core.serialization.SavedModel:
        weights, optimizer state, epoch), paused on its first frame; on ``split``
        if given (drawn points: the model goes on learning on the new data)."""
        self.pause()
        self._start(p.StartRun(self._next_run_id(), saved.config, split, saved))

    def _next_run_id(self) -> int:
        self.run_id += 1
        return self.run_id

    def _start(self, message: p.StartRun) -> None:
        self.config, self.split = message.config, message.split
        self.worker.send(message)
        self._drop_model_requests()   # they asked about the run that just ended

    def _next_request_id(self) -> int:
        self._request_id += 1
        return self._request_id

    def play(self) -> None:
        self.worker.send(p.Play())

    def pause(self) -> None:
        self.worker.send(p.Pause())

    def step(self, n: int = 1) -> None:
        """Train ``n`` epochs, then stop (a Play under way ends first)."""
        self.pause()
        self.worker.send(p.Step(int(n)))

    def set_grid_size(self, size: int) -> None:
        self.grid_size = size
        self.worker.send(p.SetGrid(size))

    def restore_best(self) -> None:
        """The best validation epoch's weights back into the model (early stopping)."""
        self.worker.send(p.RestoreBest())

    def set_pace(self, epochs_per_second: float | None) -> None:
        """Train at most this many epochs a second while playing (None: full speed)."""
        self.pace = epochs_per_second
        self.worker.send(p.SetPace(epochs_per_second))

    def set_live_regions(self, on: bool) -> None:
        """Whether the window draws the newest regions. Off (the cursor shows an earlier
        epoch), frames come without a grid, so the process answers ``show_epoch`` sooner;
        back on, a frame with fresh regions follows at once."""
        if on != self.live_regions:
            self.live_regions = on
            self.worker.send(p.SetLiveRegions(on))

    def show_epoch(self, epoch: int) -> None:
        """Ask for the run as it was at ``epoch`` (``epoch_shown`` answers). One request
        is in flight at a time; asked meanwhile, only the newest epoch is sent next."""
        self._view_wanted = int(epoch)
        if self._view_request is None:
            self._send_view_request()

    def _send_view_request(self) -> None:
        epoch, self._view_wanted, self._view_request = self._view_wanted, None, None
        if epoch is None or self.points is None:
            return
        self._view_request = self._next_request_id()
        self.worker.send(p.ShowEpoch(self.run_id, epoch, self.grid_size, self._view_request))

    def set_pause_at(self, epoch: int | None) -> None:
        self.worker.send(p.SetPauseAt(epoch))

    def request_model(self, callback: Callable[[SavedModel | None], None]) -> None:
        """``callback(saved)`` with a copy of the current run's model (weights, optimizer
        state, epoch and the points the run was given) once it comes; ``callback(None)``
        when there is no run, or a new run or the process's death comes first."""
        request_id = self._next_request_id()
        self._requests[request_id] = (self.run_id, callback)
        self.worker.send(p.RequestModel(request_id))

    def _drop_model_requests(self) -> None:
        requests, self._requests = self._requests, {}
        for _, callback in requests.values():
            callback(None)

    def stop(self, timeout_ms: int = 900) -> bool:
        return self.worker.stop(timeout_ms)

    # -- reading -------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        """As last set here, or as the process said once it had read that setting."""
        return self.worker.playing

    @property
    def settled(self) -> bool:
        """No more training until told, and the newest frame is drawn."""
        latest = self.worker.latest
        return self.worker.settled and latest.run_id == self.run_id and \
            self.epoch == latest.epoch

    def last_row(self) -> dict[str, float] | None:
        return self.history.last()

    # -- what comes back -------------------------------------------------------------
    def _on_message(self, message) -> None:
        self._handlers[type(message)](message)

    def _on_points(self, points: p.RunPoints) -> None:
        if points.run_id != self.run_id:
            return
        self._forget_run()
        self.points, self.scaler = points, points.scaler
        self.extent, self.epoch = points.extent, points.start_epoch
        self.run_started.emit(points)

    def _on_frame(self, frame: p.Frame) -> None:
        try:
            if frame.error and frame.run_id == self.run_id:   # an older run's is moot
                self.error.emit(frame.error)
            if self.points is not None and frame.run_id == self.points.run_id == self.run_id:
                self._take_frame(frame)
            self.state_changed.emit()
        finally:
            self.worker.acknowledge_when_painted()

    def _take_frame(self, frame: p.Frame) -> None:
        rows = frame.rows
        self.epoch, self.learning_rate = frame.epoch, frame.learning_rate
        self.train_seconds, self.finished = frame.train_seconds, frame.finished
        self.clock = frame.clock
        self.diverged = (frame.message or "Training diverged: paused.") if frame.diverged else ""
        self.frames_drawn += 1
        if len(rows.get("epoch", ())):
            self.history.extend(rows)
            self.rows_added.emit(rows)
        if frame.grid is not None:
            self.latest_grid, self.extent, self.val_pred = frame.grid, frame.extent, \
                frame.val_pred
            self.regions_changed.emit()

    def _on_model(self, state: p.ModelState) -> None:
        asked = self._requests.pop(state.request_id, None)
        if asked is not None:   # else dropped already
            run_id, callback = asked
            callback(state.saved if state.run_id == run_id else None)

    def _on_epoch_view(self, view: p.EpochView) -> None:
        if view.request_id != self._view_request:
            return   # not the answer this session waits for
        if view.run_id == self.run_id and view.grid is not None and self.points is not None:
            self.epoch_view = view
            self.epoch_shown.emit(view)
        self._send_view_request()

    def _on_died(self, text: str) -> None:
        self._view_request = None
        self._drop_model_requests()
        self.died.emit(text)
        self.state_changed.emit()
