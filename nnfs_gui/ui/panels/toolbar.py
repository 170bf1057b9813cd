"""The toolbar: preset picker, Play/Pause, Step, Step N, Reset, pace, epoch counter, Export."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QSpinBox, QToolBar, QToolButton, QWidget

from nnfs_gui.core.formatting import count, epoch_text, last_epoch

PACES = (None, 20, 50, 100, 200, 500, 1000, 5000)   # epochs/s; None: full speed


def _action(parent, text: str, key: str, tip: str) -> QAction:
    a = QAction(text, parent)
    a.setShortcut(QKeySequence(key))
    a.setToolTip(f"{tip} ({key})")
    return a


class TrainingToolbar(QToolBar):
    """Signals: preset_chosen(name); the actions are attributes for the window to connect."""

    preset_chosen = Signal(str)
    pace_chosen = Signal(object)   # epochs/s, or None for full speed

    def __init__(self, export_menu: QMenu, parent: QWidget | None = None) -> None:
        super().__init__("Training", parent)
        self.setMovable(False)
        self.presets = QComboBox()
        self.presets.setToolTip("Load a preset: a saved set of settings (assets/presets).")
        self.presets.setMinimumContentsLength(14)
        self.presets.activated.connect(
            lambda i: self.preset_chosen.emit(self.presets.itemData(i) or ""))
        self.addWidget(QLabel(" Preset "))
        self.addWidget(self.presets)
        self.addSeparator()
        self.play = _action(self, "Play", "Space", "Start or pause training")
        self.play.setCheckable(True)
        self.step = _action(self, "Step", "S", "Train one epoch")
        self.step_n = _action(self, "Step N", "Shift+S", "Train the number of epochs beside")
        self.reset = _action(self, "Reset", "R", "Start a new run with fresh weights")
        self.n_box = QSpinBox()
        self.n_box.setRange(1, 1_000_000)
        self.n_box.setValue(100)
        self.n_box.setToolTip("Epochs trained by Step N.")
        for a in (self.play, self.step, self.step_n):
            self.addAction(a)
        self.addWidget(self.n_box)
        self.addAction(self.reset)
        self.addSeparator()
        self.pace = QComboBox()
        for eps in PACES:
            self.pace.addItem("full speed" if eps is None else f"{eps:,} epochs/s", eps)
        self.pace.setToolTip("Pace: train at most this many epochs a second, slow enough "
                             "to watch the validation loss turn up (ch. 11), or full speed.")
        self.pace.activated.connect(lambda i: self.pace_chosen.emit(self.pace.itemData(i)))
        self.addWidget(QLabel(" Pace "))
        self.addWidget(self.pace)
        self.addSeparator()
        self.epoch_label = QLabel(f" {epoch_text(0)} ")
        self.epoch_label.setToolTip("The last epoch trained in this run (numbered as in "
                                    "history.csv).")
        self.addWidget(self.epoch_label)
        self.addSeparator()
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setToolTip("Export figures and data (PNG, SVG, CSV, ...)")
        self.export_button.setMenu(export_menu)
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.addWidget(self.export_button)

    def set_presets(self, names: list[str], current: str | None) -> None:
        self.presets.blockSignals(True)
        self.presets.clear()
        self.presets.addItem("(custom)", "")
        for n in names:
            self.presets.addItem(n, n)
        i = self.presets.findData(current) if current else 0
        self.presets.setCurrentIndex(max(i, 0))
        self.presets.blockSignals(False)

    def show_preset(self, name: str) -> None:
        self.presets.blockSignals(True)
        self.presets.setCurrentIndex(max(self.presets.findData(name), 0))
        self.presets.blockSignals(False)

    def show_pace(self, eps: float | None) -> None:
        self.pace.blockSignals(True)
        i = self.pace.findData(eps)
        if i < 0:
            self.pace.addItem(f"{eps:,g} epochs/s", eps)
            i = self.pace.count() - 1
        self.pace.setCurrentIndex(i)
        self.pace.blockSignals(False)

    def set_playing(self, playing: bool) -> None:
        self.play.blockSignals(True)
        self.play.setChecked(playing)
        self.play.setText("Pause" if playing else "Play")
        self.play.blockSignals(False)

    def set_epoch(self, epoch: int, epoch_b: int | None = None) -> None:
        """The last epoch trained, from epochs completed (``epoch``); both models'
        while comparing (``epoch_b``). Numbers as in history.csv (ui/formatting.py)."""
        if epoch_b is None:
            self.epoch_label.setText(f" {epoch_text(epoch)} ")
        else:
            a, b = (_last(e) for e in (epoch, epoch_b))
            self.epoch_label.setText(f" epoch A {a} · B {b} ")


def _last(epochs_done: int) -> str:
    last = last_epoch(epochs_done)
    return "–" if last is None else count(last)
