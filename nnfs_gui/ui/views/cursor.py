"""The epoch cursor's widgets: a line on both curves plots and a scrubber under them.

``CursorLines`` puts one draggable vertical line on the loss plot and one on the
accuracy plot (they move together); ``CursorBar`` holds the scrubber (slider and
epoch box), Go to best, Live, Replay with its pace, and the caption saying what the
decision views show. Neither decides anything: ``ui/cursor_control.py`` listens to
their signals and moves them.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnfs_gui.ui.views.flow import FlowLayout

CURSOR_COLOR = (200, 30, 120)
REPLAY_PACE = 200          # epochs/s a replay plays at unless told otherwise


class CursorLines(pg.QtCore.QObject):
    """A movable vertical line on each of ``plots``; ``dragged(epoch)`` while dragged."""

    dragged = Signal(float)

    def __init__(self, plots) -> None:
        super().__init__()
        self.lines = []
        for plot in plots:
            line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen(CURSOR_COLOR, width=2),
                                   hoverPen=pg.mkPen(CURSOR_COLOR, width=4))
            line.setZValue(20)
            line.setVisible(False)
            line.sigDragged.connect(lambda ln: self.dragged.emit(float(ln.value())))
            plot.addItem(line, ignoreBounds=True)
            self.lines.append(line)

    def show_at(self, epoch: int | None) -> None:
        """The lines at ``epoch``; hidden for None (following training live)."""
        for line in self.lines:
            line.setVisible(epoch is not None)
            if epoch is not None and line.value() != epoch:
                line.blockSignals(True)
                line.setValue(epoch)
                line.blockSignals(False)


class CursorBar(QWidget):
    """Scrubber, buttons and caption. Signals carry what the user asked for."""

    epoch_asked = Signal(int)
    best_asked = Signal()
    live_asked = Signal()
    replay_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Epoch cursor: drag to show the decision regions, mistakes "
                               "and figures of an earlier epoch (keys , . one epoch, "
                               "< > a tenth of the run; Home/End on the slider).")
        self.spin = QSpinBox()
        self.spin.setGroupSeparatorShown(True)
        self.spin.setToolTip("The epoch the cursor shows.")
        self.best = QPushButton("Best")
        self.best.setToolTip("Go to the epoch of the lowest validation loss (B).")
        self.live = QPushButton("Live")
        self.live.setToolTip("Follow training again: the views show the newest epoch (L).")
        self.replay = QPushButton("Replay")
        self.replay.setCheckable(True)
        self.replay.setToolTip("Play the recorded run back from the cursor at the pace "
                               "beside (P).")
        self.replay_pace = QSpinBox()
        self.replay_pace.setRange(1, 1_000_000)
        self.replay_pace.setValue(REPLAY_PACE)
        self.replay_pace.setSuffix(" epochs/s")
        self.replay_pace.setGroupSeparatorShown(True)
        self.replay_pace.setToolTip("How fast Replay moves the cursor.")
        self.caption = QLabel("following training (live)")
        self.caption.setWordWrap(True)
        # Two lines always (live: one line of text): the buttons above stay where the
        # user clicked them when the cursor leaves live and the caption grows.
        self.caption.setMinimumHeight(2 * self.caption.fontMetrics().lineSpacing() + 2)
        self._layout()
        self.slider.valueChanged.connect(self._user_moved)
        self.spin.valueChanged.connect(self._user_moved)
        self.best.clicked.connect(self.best_asked.emit)
        self.live.clicked.connect(self.live_asked.emit)
        self.replay.toggled.connect(self.replay_toggled.emit)

    def _layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(QLabel("epoch"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.spin)
        buttons = FlowLayout()   # wraps when the curves' column is narrow (compare mode)
        for w in (self.best, self.live, self.replay, self.replay_pace):
            buttons.addWidget(w)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(row)
        box.addLayout(buttons)
        box.addWidget(self.caption)

    def _user_moved(self, value: int) -> None:
        self.epoch_asked.emit(int(value))

    def set_range(self, lo: int, hi: int) -> None:
        """Epochs the cursor can reach; a page is a tenth of them."""
        for w in (self.slider, self.spin):
            w.blockSignals(True)
            w.setRange(lo, max(lo, hi))
            w.blockSignals(False)
        self.slider.setPageStep(max(1, (hi - lo) // 10))

    def set_epoch(self, epoch: int) -> None:
        for w in (self.slider, self.spin):
            w.blockSignals(True)
            w.setValue(epoch)
            w.blockSignals(False)

    def set_replaying(self, on: bool) -> None:
        self.replay.blockSignals(True)
        self.replay.setChecked(on)
        self.replay.setText("Stop replay" if on else "Replay")
        self.replay.blockSignals(False)
