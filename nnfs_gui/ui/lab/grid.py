"""Small decision-region pictures, one per run of a sweep, in the table's order.

One pyqtgraph scene holds every picture (one PlotItem each, the app's RegionsItem
painting the regions), so the grid exports as one image through figures.py.
Slots are laid out when the sweep starts and filled as runs finish; a click on a
picture emits `clicked(run index)`.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from nnfs_gui.ui import palette
from nnfs_gui.ui.lab.pictures import RunPicture
from nnfs_gui.ui.views.regions import RegionsItem

POINT_SIZE = 3
TITLE_SIZE = "8pt"
CELL_PX = 150  # a picture's side on screen


def columns_for(n_runs: int, n_seeds: int) -> int:
    """About square, in whole rows of seeds (a setting's seeds side by side)."""
    cols = max(1, math.ceil(math.sqrt(n_runs)))
    if n_seeds > 1 and n_runs % n_seeds == 0:
        cols = min(n_runs, math.ceil(cols / n_seeds) * n_seeds)
    return cols


class RegionGrid(QWidget):
    clicked = Signal(int)  # the run's index in the sweep

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.scene().sigMouseClicked.connect(self._on_click)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self.plots: dict[int, pg.PlotItem] = {}
        self.filled: set[int] = set()

    def reset(self, titles: dict[int, str], n_cols: int) -> None:
        """One empty slot per run (index -> title), row by row in index order."""
        self.graphics.clear()
        self.plots, self.filled = {}, set()
        for k, (index, title) in enumerate(sorted(titles.items())):
            plot = self.graphics.addPlot(row=k // n_cols, col=k % n_cols)
            plot.setTitle(title, size=TITLE_SIZE)
            plot.hideAxis("left")
            plot.hideAxis("bottom")
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.getViewBox().setAspectLocked(True)
            self.plots[index] = plot
        rows = math.ceil(len(titles) / max(n_cols, 1))
        # Pictures shrink (to a third of CELL_PX in a tall grid) before the window
        # grows past a small screen.
        self.graphics.setMinimumSize(min(n_cols, 6) * CELL_PX // 2, min(rows, 4) * CELL_PX // 2)

    def show_run(self, index: int, picture: RunPicture) -> None:
        plot = self.plots[index]
        regions = RegionsItem()
        regions.set_grid(picture.grid, picture.extent, hard=False)
        regions.setZValue(-10)
        plot.addItem(regions)
        p = picture.points
        for x, y, pen in ((p.x_train, p.y_train, None),
                          (p.x_val, p.y_val, pg.mkPen(palette.OUTLINE, width=0.6))):
            brushes = [pg.mkBrush(*palette.class_color(int(c)), 220) for c in np.asarray(y)]
            plot.addItem(pg.ScatterPlotItem(pos=x, size=POINT_SIZE, brush=brushes,
                                            pen=pen if pen is not None else pg.mkPen(None)))
        x0, x1, y0, y1 = picture.extent
        plot.getViewBox().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.filled.add(index)

    def _on_click(self, event) -> None:
        for index, plot in self.plots.items():
            if plot.sceneBoundingRect().contains(event.scenePos()):
                self.clicked.emit(index)
                return
