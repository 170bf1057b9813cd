"""The decision view: regions coloured by predicted class, with the data points on top.

Training points are drawn dimmed under the validation points, which carry a dark
outline (the book's Fig 11.02); validation points the model gets wrong get a red
ring. The regions are painted from the snapshot's probabilities at the pixels
they cover (regions.py), one data unit the same length on both axes, and a key
under the plot names the marks (marks.py).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from nnfs_gui.training.process.protocol import RunPoints
from nnfs_gui.ui import palette
from nnfs_gui.ui.views.curves_view import cache_axes
from nnfs_gui.ui.views.flow import FlowLayout
from nnfs_gui.ui.views.marks import PointsKey, marker_style
from nnfs_gui.ui.views.regions import RegionsItem

SHOW_MODES = ("train", "val", "both")
TRAIN_ALPHA_ALONE = 230   # training points at full strength when shown alone
TRAIN_ALPHA_DIMMED = 80   # and dimmed under the validation points


class DecisionView(QWidget):
    """Regions, points, a show-which-points control and a hard-regions toggle."""

    interacting = Signal()   # the user pans or zooms: the window asks for a coarse grid
    data_clicked = Signal(float, float, object)  # x, y in data units, the click (draw mode)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.plot: pg.PlotItem = self.graphics.addPlot()
        self._setup_plot()
        self.image = RegionsItem()
        self.train_points = pg.ScatterPlotItem(pen=None)
        self.val_points = pg.ScatterPlotItem()
        self.mistakes = pg.ScatterPlotItem(brush=None)
        self.key = PointsKey()
        self.graphics.addItem(self.key, row=1, col=0)
        self.graphics.installEventFilter(self)
        for item in (self.image, self.train_points, self.val_points, self.mistakes):
            self.plot.addItem(item)
        self.image.setZValue(-10)
        self._points: RunPoints | None = None
        self.drawing = False   # draw mode: a fixed frame, training points at full strength
        self._probs: np.ndarray | None = None
        self._val_pred: np.ndarray | None = None
        self.hard_box, self.show_buttons = self._build_toggles()
        self._layout(self._toggle_row())
        self.plot.getViewBox().sigRangeChangedManually.connect(lambda *_: self.interacting.emit())
        self.graphics.scene().sigMouseClicked.connect(self._on_scene_click)

    # -- construction --------------------------------------------------------------
    def _setup_plot(self) -> None:
        self.plot.setLabel("bottom", "x1")
        self.plot.setLabel("left", "x2")
        self.plot.showGrid(x=False, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        # True shape: one data unit is as long on x as on y (the extent stays in view;
        # the ViewBox widens the other axis). Exports scale the scene uniformly.
        self.plot.getViewBox().setAspectLocked(True, ratio=1.0)
        self.plot.getViewBox().disableAutoRange()
        cache_axes(self.plot)

    def _build_toggles(self) -> tuple[QCheckBox, dict[str, QRadioButton]]:
        hard = QCheckBox("Hard regions")
        hard.setToolTip("Colour each region by the predicted class only, without shading "
                        "by confidence.")
        hard.toggled.connect(lambda *_: self._repaint())
        labels = {"train": "Training", "val": "Validation", "both": "Both"}
        tips = {"train": "Show the training points only.",
                "val": "Show the validation points only (ch. 11: out-of-sample data).",
                "both": "Training points dimmed, validation points outlined on top "
                        "(ch. 11, Fig 11.02)."}
        group = QButtonGroup(self)
        buttons = {}
        for mode in SHOW_MODES:
            b = QRadioButton(labels[mode])
            b.setToolTip(tips[mode])
            group.addButton(b)
            b.toggled.connect(self._refresh_points)
            buttons[mode] = b
        buttons["both"].setChecked(True)
        return hard, buttons

    def _toggle_row(self) -> FlowLayout:
        # Wraps when narrow: two panes side by side fit a 1366 px screen (flow.py).
        row = FlowLayout()
        for mode in SHOW_MODES:
            row.addWidget(self.show_buttons[mode])
        row.add_right(self.hard_box)
        return row

    def _layout(self, row: FlowLayout) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.graphics, 1)
        box.addLayout(row)

    # -- public API ------------------------------------------------------------------
    @property
    def show_mode(self) -> str:
        return next(m for m, b in self.show_buttons.items() if b.isChecked())

    def set_show_mode(self, mode: str) -> None:
        self.show_buttons[mode].setChecked(True)

    def reset(self, points: RunPoints | None = None) -> None:
        """Forget the regions; show a new run's points and frame its extent (while
        drawing, the frame stays unless a point falls outside it: the next click lands
        where the user aims)."""
        self._points = points
        self._probs = None
        self._val_pred = None
        self.image.clear()
        self.mistakes.clear()
        self._refresh_points()
        if points is not None and not (self.drawing and self._in_view(points)):
            self._frame(points.extent)

    def set_drawing(self, on: bool) -> None:
        """Draw mode (ui/draw_mode.py): keep the frame, show every point at full
        strength (a point just drawn must be easy to see)."""
        self.drawing = bool(on)
        self._refresh_points()

    def update_snapshot(self, snapshot, val_pred: np.ndarray | None = None) -> None:
        """Paint ``snapshot.grid`` over ``snapshot.extent`` (see ``show_regions``)."""
        self.show_regions(snapshot.grid, snapshot.extent, val_pred)

    def show_regions(self, grid: np.ndarray | None, extent,
                     val_pred: np.ndarray | None = None, draft: bool = False) -> None:
        """Paint ``grid`` (size, size, n_classes) over ``extent`` (raw units); ``val_pred``
        (m,) marks the validation mistakes; a ``draft`` (a cursor move) is painted
        coarser first (``RegionsItem``)."""
        if grid is not None:
            self._probs = grid
            self._extent = extent
            self._repaint(draft)
        if val_pred is not None and not np.array_equal(val_pred, self._val_pred):
            self._val_pred = val_pred
            self._refresh_mistakes()

    def image_rgb(self) -> np.ndarray | None:
        """(h, w, 3) uint8 of the regions at the grid's resolution, row 0 = lowest y
        (the screen shows them interpolated to its pixels: ``self.image.last_rgb``)."""
        if self._probs is None:
            return None
        return palette.paint_regions(self._probs, hard=self.hard_box.isChecked())

    def eventFilter(self, watched, event) -> bool:
        """Refit the key's columns before the graphics view lays out its scene, so a
        key wider than the new width never holds the plot out of view."""
        if watched is self.graphics and event.type() == QEvent.Type.Resize:
            self.key.fit_width(event.size().width())
        return False

    def _on_scene_click(self, event) -> None:
        """A click inside the plot area, in data units (ui/draw_mode.py listens)."""
        box = self.plot.getViewBox()
        if box.sceneBoundingRect().contains(event.scenePos()):
            at = box.mapSceneToView(event.scenePos())
            self.data_clicked.emit(at.x(), at.y(), event)

    # -- drawing ---------------------------------------------------------------------
    def _repaint(self, draft: bool = False) -> None:
        if self._probs is None:
            return
        self.image.set_grid(self._probs, self._extent, self.hard_box.isChecked(), draft)

    def _frame(self, extent: tuple[float, float, float, float]) -> None:
        x0, x1, y0, y1 = extent
        self.plot.getViewBox().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _in_view(self, points: RunPoints) -> bool:
        (x0, x1), (y0, y1) = self.plot.getViewBox().viewRange()
        xy = np.vstack([points.x_train, points.x_val])
        return bool(np.all((xy[:, 0] >= x0) & (xy[:, 0] <= x1) &
                           (xy[:, 1] >= y0) & (xy[:, 1] <= y1)))

    def _refresh_points(self) -> None:
        p = self._points
        if p is None:
            self.train_points.clear()
            self.val_points.clear()
            return
        mode = self.show_mode
        self.key.show_classes(p.n_classes)
        style = self._marker_style()
        alpha = TRAIN_ALPHA_DIMMED if mode == "both" and not self.drawing else TRAIN_ALPHA_ALONE
        self.train_points.setSize(style.size)
        self._set_scatter(self.train_points, p.x_train, p.y_train, alpha, None,
                          visible=mode != "val")
        outline = pg.mkPen(palette.OUTLINE, width=style.outline)
        self.val_points.setSize(style.val_size)
        self._set_scatter(self.val_points, p.x_val, p.y_val, 255, outline,
                          visible=mode != "train")
        self.mistakes.setSize(style.ring_size)
        self.mistakes.setPen(pg.mkPen(*palette.MISTAKE, style.ring_alpha, width=style.ring_width))
        self._refresh_mistakes()

    def _marker_style(self):
        """Marks sized for the points on show (smaller when there are many)."""
        p, mode = self._points, self.show_mode
        shown = (len(p.y_train) if mode != "val" else 0) + (len(p.y_val) if mode != "train" else 0)
        return marker_style(shown)

    @staticmethod
    def _set_scatter(item, x, y, alpha, pen, visible: bool) -> None:
        brushes = np.empty(8, dtype=object)   # one brush per class, picked by label
        brushes[:] = [pg.mkBrush(*palette.class_color(c), alpha) for c in range(8)]
        item.setData(pos=x, brush=brushes[np.asarray(y) % 8],
                     pen=pen if pen is not None else pg.mkPen(None))
        item.setVisible(visible)

    def _refresh_mistakes(self) -> None:
        p, pred = self._points, self._val_pred
        if p is None or pred is None or len(pred) != len(p.y_val):
            self.mistakes.clear()
            return
        wrong = pred != p.y_val
        self.mistakes.setData(pos=p.x_val[wrong])
        self.mistakes.setVisible(self.show_mode != "train")

    def mistake_count(self) -> int:
        return int(self.mistakes.data.shape[0]) if self.mistakes.isVisible() else 0
