"""Model B beside the window's model A: the book's Fig 11.01, live.

The compare pane trains a second config in a training process of its own and
shows its decision regions, over the same kind of points, with one line of
figures (losses, accuracies, the overfitting verdict). Play, Pause, Step and
Reset of the window drive both models, so they stay at the same epoch when they
train at the same speed. B's settings come from a preset, or from a copy of A's
current settings ("Copy A"): tune A, copy it, change one thing in A, compare.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from nnfs_gui.core.config import Config
from nnfs_gui.ui import presets
from nnfs_gui.ui.status import verdict
from nnfs_gui.ui.views.decision_view import DecisionView
from nnfs_gui.ui.worker import TrainingWorker

PAIRS = {"ch11-overfit": "ch11-generalize", "ch11-generalize": "ch11-overfit"}
COPY_OF_A = "(copy of A)"


def partner_config(config: Config) -> Config:
    """B's settings when comparing starts: a preset's partner (ch. 11's overfitting
    run against its generalizing variant, and back), else a copy of A."""
    name = PAIRS.get(config.name)
    if name in presets.preset_paths():
        try:
            return presets.load_preset(name)
        except (KeyError, ValueError):
            pass
    return config


def figures_text(row: dict | None, epoch: int) -> str:
    """One line: epoch, losses, accuracies and the verdict of the newest history row."""
    if row is None:
        return "No epoch trained yet."
    train, val = row["data_loss"], row["val_loss"]
    short = verdict(train, val).split(":")[0]
    if not (math.isfinite(train) and math.isfinite(val)):
        return f"epoch {epoch:,}: no finite loss"
    return (f"epoch {epoch:,} · loss {train:.3f} / validation {val:.3f} · "
            f"accuracy {row['acc']:.3f} / {row['val_acc']:.3f} · {short}")


class ComparePane(QWidget):
    """B's title, preset picker, decision view and figures; owns B's worker."""

    changed = Signal()          # B got a new config (a status message is due)
    run_started = Signal()      # B's first frame of a new run (its curves restart)
    new_rows = Signal(object)   # B's history rows of a drawn frame (for the curves)

    def __init__(self, config: Config, copied: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.copied = copied    # B's config is a copy of A's (not a preset as such)
        self.run_id = 0
        self.epoch = 0
        self.frames_drawn = 0
        self.last_row: dict | None = None
        self.copy_a = QPushButton("Copy A")
        self.copy_a.setToolTip("Make B a copy of A's current settings: then change one "
                               "thing in A and compare.")
        self.picker = QComboBox()
        self.picker.setToolTip("B's settings: a preset, or a copy of A.")
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.view = DecisionView()
        self._build()
        self._fill_picker()
        self.picker.textActivated.connect(self._picked)
        self.worker = TrainingWorker()
        self.worker.frame_ready.connect(self._on_frame)
        self.worker.set_grid_size(150)
        self.worker.start()
        self.new_run()

    def _build(self) -> None:
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>B</b>"))
        head.addWidget(self.picker, 1)
        head.addWidget(self.copy_a)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(head)
        box.addWidget(self.view, 1)
        box.addWidget(self.figures)

    def _fill_picker(self) -> None:
        self.picker.clear()
        self.picker.addItems([COPY_OF_A, *presets.preset_paths()])
        self._show_name()

    def _show_name(self) -> None:
        i = -1 if self.copied else self.picker.findText(self.config.name)
        self.picker.setCurrentIndex(i if i > 0 else 0)

    @property
    def label(self) -> str:
        """What B is, in words: a preset's name or "a copy of A"."""
        return "a copy of A" if self.copied else self.config.name

    # -- commands (the window calls these with A's) ---------------------------------------
    def set_config(self, config: Config, copied: bool = False) -> None:
        """Train ``config`` as B, from fresh weights; ``copied``: it is a copy of A's."""
        self.config, self.copied = config, copied
        self._show_name()
        self.new_run()
        self.changed.emit()

    def new_run(self) -> None:
        self.run_id += 1
        self.worker.submit(self.config, self.run_id)

    def set_playing(self, playing: bool) -> None:
        (self.worker.play if playing else self.worker.pause)()

    def step(self, n: int) -> None:
        self.worker.pause()
        self.worker.step(n)

    def stop(self) -> None:
        self.worker.stop(900)

    def _picked(self, name: str) -> None:
        if name == COPY_OF_A:
            self.copy_a.click()
            return
        try:
            self.set_config(presets.load_preset(name))
        except (KeyError, ValueError) as e:
            self.figures.setText(f"Preset {name} could not be loaded: {e}")

    # -- frames ------------------------------------------------------------------------------
    def _on_frame(self, frame) -> None:
        try:
            self._show_frame(frame)
        finally:
            self.worker.acknowledge_when_painted()

    def _show_frame(self, frame) -> None:
        if frame.error:
            self.figures.setText(f"B: {frame.error}")
        snap = frame.snapshot
        if snap is None or frame.run_id != self.run_id:
            return
        if frame.points is not None:
            self.view.reset(frame.points)
            self.last_row = None
            self.run_started.emit()
        self.view.update_snapshot(snap, frame.val_pred)
        self.new_rows.emit(snap.history)
        if len(snap.history["epoch"]):
            self.last_row = {k: float(v[-1]) for k, v in snap.history.items()}
        self.epoch = snap.epoch
        self.frames_drawn += 1
        text = figures_text(self.last_row, snap.epoch)
        if snap.diverged:
            text = snap.message or "B diverged: paused."
        self.figures.setText(text)
