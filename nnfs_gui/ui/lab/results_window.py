"""The results of a sweep, filling in while runs finish (issue 12).

The validation curve and the grid of decision pictures side by side above the
sortable table; a progress bar with runs done and time left, Cancel, and "Open as
model A / B" for the selected run (a click on a picture selects its row).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nnfs_gui.training.lab.summary import format_seconds, summarize
from nnfs_gui.ui.lab.curve import ValidationCurve
from nnfs_gui.ui.lab.grid import RegionGrid, columns_for
from nnfs_gui.ui.lab.pictures import run_picture, run_title
from nnfs_gui.ui.lab.runner import SweepRunner
from nnfs_gui.ui.lab.table import ResultsTable
from nnfs_gui.ui.screen import fit_to_screen, keep_on_screen

# Wanted on screens with room; cut to the available area (ui/screen.py) elsewhere,
# so the bottom bar (progress, Cancel, Open as model A/B) is always on screen.
WINDOW_SIZE = QSize(1200, 800)
TABLE_MIN_ROWS = 3   # the table shrinks to this many rows (then scrolls), never less


def format_left(seconds: float | None) -> str:
    return "" if seconds is None else f", about {format_seconds(seconds)} left"


class ResultsWindow(QMainWindow):
    open_requested = Signal(object, str)  # RunResult, "A" or "B"

    def __init__(self, runner: SweepRunner, title: str = "Sweep results", parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.runner, self.sweep = runner, runner.sweep
        self.varied = list(self.sweep.vary)
        self.by_index: dict = {}
        self._build()
        runner.results_arrived.connect(self.add_results)
        runner.progress.connect(self.show_progress)
        runner.failed.connect(lambda m: self.status.setText(f"Sweep failed: {m}"))
        runner.finished.connect(self._finished)
        runs = self.sweep.runs()
        self.grid.reset({r.index: run_title(r, self.varied) for r in runs},
                        columns_for(len(runs), len(self.sweep.seeds)))
        fit_to_screen(self, WINDOW_SIZE)

    def _build(self) -> None:
        self.curve, self.grid = ValidationCurve(), RegionGrid()
        self.table = ResultsTable(self.varied)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.curve)
        top.addWidget(self.grid)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(top)
        body.addWidget(self.table)
        body.setSizes([500, 300])
        body.setChildrenCollapsible(False)
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setMinimumHeight(header + TABLE_MIN_ROWS
                                    * self.table.verticalHeader().defaultSectionSize())
        self.progress = QProgressBar()
        self.status = QLabel("Starting the workers…")
        self.cancel_button = QPushButton("Cancel")
        self.open_a = QPushButton("Open as model A")
        self.open_b = QPushButton("Open as model B")
        for button in (self.open_a, self.open_b):
            button.setEnabled(False)
        row = QHBoxLayout()
        for w in (self.progress, self.status, self.cancel_button, self.open_a, self.open_b):
            row.addWidget(w)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(body)
        layout.addLayout(row)
        self.setCentralWidget(central)
        self.cancel_button.clicked.connect(self.cancel)
        self.open_a.clicked.connect(lambda: self._open("A"))
        self.open_b.clicked.connect(lambda: self._open("B"))
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.cellDoubleClicked.connect(lambda *_: self._open("A"))
        self.grid.clicked.connect(self.table.select_index)

    # -- filling in ------------------------------------------------------------------
    def add_results(self, batch: list) -> None:
        for result in batch:
            self.by_index[result.index] = result
            self.table.add(result)
            self.grid.show_run(result.index, run_picture(result))
        first = self.varied[0]
        self.curve.show_summary(summarize(list(self.by_index.values()), self.varied,
                                          self.sweep.vary[first]))

    def show_progress(self, done: int, total: int, left) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.setFormat(f"{done}/{total} runs")
        self.status.setText(f"{done} of {total} runs done{format_left(left)}")

    def _finished(self, cancelled: bool) -> None:
        self.cancel_button.setEnabled(False)
        done, total = len(self.by_index), len(self.sweep.runs())
        if cancelled:
            self.status.setText(f"Cancelled: {done} of {total} runs kept")
        elif done == total:
            self.status.setText(f"Done: {total} runs")

    def cancel(self) -> None:
        """Terminate the workers now; the finished runs stay in the table."""
        self.runner.cancel()
        self._finished(True)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        # The frame is known only now: pull the window back if the frame sticks out.
        QTimer.singleShot(0, lambda: keep_on_screen(self))

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.runner.running:
            self.runner.cancel()
        super().closeEvent(event)

    # -- opening a run in the main window ---------------------------------------------
    def _selection_changed(self) -> None:
        ok = self.table.selected_index() is not None
        self.open_a.setEnabled(ok)
        self.open_b.setEnabled(ok)

    def _open(self, which: str) -> None:
        index = self.table.selected_index()
        if index is not None:
            self.open_requested.emit(self.by_index[index], which)

    def best_result(self):
        """The run of lowest best validation loss (None before any finished)."""
        finite = [r for r in self.by_index.values() if math.isfinite(r.best_val_loss)]
        return min(finite, key=lambda r: r.best_val_loss, default=None)
