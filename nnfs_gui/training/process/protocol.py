"""Every message between the window and its training process, one frozen dataclass each.

UI -> loop (``loop.py`` runs each through one guard: a failure, an unknown type
included, is an error frame of the current run and a pause, never a dead process):

=================  ===========================================================
StartRun           start run ``run_id`` of ``config``; on ``split`` (raw points,
                   e.g. model A's when B compares), from ``init`` (a saved
                   model: weights, optimizer state, epoch), with ``own_code``
                   (the learner's classes from that file, imported here, in
                   the training process; a failure is an error frame whose
                   text is one line, then their traceback). One slot: the
                   newest start wins, older ones never run.
ApplyLive          hand live settings (learning rate, ...) to run ``run_id`` at
                   the end of the epoch in progress (the newest wins, applied
                   once); ignored when that run is no longer the current one.
Play / Pause       train on / stop (Pause also ends a Step under way).
Step               train ``n`` more epochs, then stop.
SetGrid            decision-grid size of frames made while paused.
SetPauseAt         stop playing at this epoch (None: no such stop).
Ack                the UI has drawn the last frame: the next may come.
RequestModel       answer with a ModelState of the current run, ``request_id``
                   echoed (``saved`` None when there is no run).
ShowEpoch          answer with an EpochView of run ``run_id`` at ``epoch`` (from
                   its checkpoints), ``request_id`` echoed; grid None when that
                   run is gone. The newest request wins: one overtaken before the
                   loop got to it is answered by the newest's view, which
                   carries the newest's id.
SetPace            train at most ``epochs_per_second`` while playing (None:
                   full speed).
SetLiveRegions     whether the window shows the live regions (False while its
                   epoch cursor is away: frames then carry no grid; True asks
                   for a frame with a fresh grid).
Quit               end the process.
=================  ===========================================================

Inside a long epoch only Pause, StartRun and Quit cut it short (it is discarded and
trained again); every other message waits for the epoch's end.

loop -> UI: ``RunPoints`` (once per run, before its first frame), ``Frame``
(at most ~30/s, each only after the previous one was acknowledged; an error frame
names the run it is about), ``ModelState`` (the answer to RequestModel),
``EpochView`` (to ShowEpoch).

The window wraps each message as ``(seq, message)``; a frame carries the seq of
the last message the loop had read, so the window knows which of its settings a
frame already reflects. Qt-free, like everything under ``training/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnfs_gui.core.config import Config
from nnfs_gui.core.data.splits import DataSplit
from nnfs_gui.core.files.serialization import SavedModel
from nnfs_gui.core.learner.sandbox import OwnCode


# -- UI -> loop ------------------------------------------------------------------------
@dataclass(frozen=True)
class StartRun:
    run_id: int
    config: Config
    split: DataSplit | None = None
    init: SavedModel | None = None   # weights, optimizer state and epoch to go on from
    own_code: OwnCode | None = None  # train the learner's classes from this file


@dataclass(frozen=True)
class ApplyLive:
    run_id: int
    config: Config


@dataclass(frozen=True)
class Play:
    pass


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class Step:
    n: int


@dataclass(frozen=True)
class SetGrid:
    size: int


@dataclass(frozen=True)
class SetLiveRegions:
    on: bool


@dataclass(frozen=True)
class SetPauseAt:
    epoch: int | None


@dataclass(frozen=True)
class Ack:
    pass


@dataclass(frozen=True)
class RequestModel:
    request_id: int


@dataclass(frozen=True)
class RestoreBest:
    """Put the run's best validation epoch's weights back (early stopping), then a frame."""


@dataclass(frozen=True)
class Quit:
    pass


@dataclass(frozen=True)
class ShowEpoch:
    run_id: int
    epoch: int
    grid_size: int
    request_id: int


@dataclass(frozen=True)
class SetPace:
    epochs_per_second: float | None   # None: full speed


# -- loop -> UI ------------------------------------------------------------------------
@dataclass(frozen=True)
class RunPoints:
    """The raw data of one run (raw units, as the extent), sent before its first frame.

    x_train: (n, 2) float, y_train: (n,) int, x_val: (m, 2) float, y_val: (m,) int.
    scaler: fitted on x_train; start_epoch: the epoch the run starts at (a loaded
    model continues its count); config: the config the run was started with.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    n_classes: int
    extent: tuple[float, float, float, float]
    run_id: int = 0
    strategy: str = "fresh"
    scaler: Any = None
    start_epoch: int = 0
    config: Config | None = None

    def split(self) -> DataSplit:
        """The points as a DataSplit, to train another model on exactly them."""
        return DataSplit(self.x_train, self.y_train, self.x_val, self.y_val, self.strategy)

    def read_only(self) -> RunPoints:
        return _freeze(self, self.x_train, self.y_train, self.x_val, self.y_val)


@dataclass(frozen=True)
class Frame:
    """What the UI draws; immutable, every array read-only once received.

    rows: the history rows since the previous frame, one (k,) array per column of
        ``history.COLUMNS`` (throttling drops nothing: the rows add up to the run).
    grid: (size, size, n_classes) float32 probabilities over ``extent`` (raw units),
        row 0 = lowest y; None in frames that carry curves only.
    val_pred: (m,) predicted class of each validation point, sent with the grid.
    playing: whether the loop still plays after this frame (it pauses itself at the
        epoch limit, at ``pause_at`` and on divergence).
    error: why run ``run_id`` could not start, or a change or request for it failed
        (the frame of a run that could not start has no rows, grid or epoch).
    train_seconds: the process's cumulative training time: the one source of epochs/s.
    seq: the last message the loop had read; steps: epochs still to step.
    seconds: the loop's cumulative {"train", "make frame", "idle"} (benchmarks).
    """

    run_id: int
    epoch: int = 0
    rows: dict[str, np.ndarray] = field(default_factory=dict)
    grid: np.ndarray | None = None
    extent: tuple[float, float, float, float] = (0.0, 1.0, 0.0, 1.0)
    val_pred: np.ndarray | None = None
    learning_rate: float = 0.0
    diverged: bool = False
    finished: bool = False
    playing: bool = False
    message: str = ""
    error: str = ""
    train_seconds: float = 0.0
    seq: int = 0
    steps: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    clock: float = 0.0   # the process's monotonic clock (s) when the frame was made

    def read_only(self) -> Frame:
        return _freeze(self, self.grid, self.val_pred, *self.rows.values())


@dataclass(frozen=True)
class ModelState:
    """The answer to RequestModel ``request_id``: run ``run_id``'s model as it was
    between two epochs or chunks, a deep copy (weights and optimizer state) with its
    config, scaler, epoch and the points its StartRun gave (``saved.split``); None
    when no run exists (none started, or its start failed) or it could not be copied.
    """

    run_id: int
    request_id: int
    saved: SavedModel | None

    def read_only(self) -> ModelState:
        return self


@dataclass(frozen=True)
class EpochView:
    """The answer to ShowEpoch ``request_id``: run ``run_id`` as it was at epoch
    ``asked``, from the checkpoint nearest it.

    epoch_found: the checkpoint's epoch (== asked unless thinned away, or the
        newest weights when ``asked`` lies beyond the last epoch trained).
    grid, extent, val_pred: as in a Frame, computed from the checkpoint's weights;
        all None when run ``run_id`` is gone (a newer run started, or none runs).
    row: the history row of ``epoch_found`` ({column: float}), None when that epoch
        has no row yet (the weights the next epoch starts from).
    """

    run_id: int
    request_id: int
    asked: int
    epoch_found: int
    grid: np.ndarray | None
    extent: tuple[float, float, float, float] | None
    val_pred: np.ndarray | None
    row: dict[str, float] | None = None

    @property
    def exact(self) -> bool:
        return self.asked == self.epoch_found

    def read_only(self) -> EpochView:
        return _freeze(self, self.grid, self.val_pred)


def _freeze(message, *arrays):
    """``message``, its arrays made read-only (unpickled arrays are writable)."""
    for a in arrays:
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
    return message
