"""Loss and accuracy over the epochs, training and validation, live (ch. 11, Fig 11.03).

The rows live in the run's one History (``training/history.py``, owned by the
window's RunSession): ``reset(history)`` binds the view to it, ``append(rows)``
draws rows just added to it. What is drawn is an incrementally peak-decimated
copy (decimate.py) of at most a few thousand points, which pyqtgraph clips to the
view and downsamples further: a frame costs the same at epoch 1,000 and 1,000,000.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from nnfs_gui.training.run.history import History
from nnfs_gui.ui import palette
from nnfs_gui.ui.views import axis
from nnfs_gui.ui.views.decimate import EMA_KEEP, PeakDecimator, ema_continue

# Series drawn: (plot, history column, legend name, colour, dashed).
TRAIN_COLOR = palette.class_color(0)
VAL_COLOR = palette.class_color(5)
SERIES = (
    ("loss", "data_loss", "training loss", TRAIN_COLOR, False),
    ("loss", "val_loss", "validation loss", VAL_COLOR, False),
    ("acc", "acc", "training accuracy", TRAIN_COLOR, False),
    ("acc", "val_acc", "validation accuracy", VAL_COLOR, False),
)
COLUMNS = ("epoch",) + tuple(s[1] for s in SERIES)
# Model B's validation curves while comparing (ui/compare.py): dashed, a third colour.
B_COLOR = palette.class_color(2)
B_SERIES = (("loss", "val_loss", "B validation loss"),
            ("acc", "val_acc", "B validation accuracy"))
NICE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
X_HEADROOM = 1.25  # the epoch axis jumps ahead by this factor when the data reach its end
LOG_SNAP = 0.1     # decades: log ranges move in these steps, so axis pixmaps stay cached
BEST_LABEL = "best val. epoch {value:,.0f}"
CLIP_MARK_COLOR = (70, 70, 70)
# Legends where the curves rarely are (pyqtgraph offsets: x > 0 from the left edge, y > 0
# from the top; negative from the right and bottom). Loss: at the top, a little right of
# the start (the loss starts high and falls within the first few percent of the run; the
# top right is where an overfitting model's validation loss climbs: ch11-overfit's ran
# through the old legend there). Accuracy: bottom right, below the learned curves. A
# light, see-through fill keeps a legend readable where a curve does cross it (a plot
# under ~400 px wide at the end of ch11-overfit), and the curve visible under it.
LOSS_LEGEND_AT = (40, 4)
ACC_LEGEND_AT = (-10, -10)
LEGEND_FILL = (255, 255, 255, 200)
LEGEND_EDGE = (200, 200, 200)
LEGEND_ROW_GAP = -6   # px between legend rows (pyqtgraph: 0): a lower box covers less


def nice_ceiling(value: float) -> float:
    """The smallest 'round' number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k) >= value."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    decade = 10.0 ** np.floor(np.log10(value))
    return float(next(s * decade for s in NICE_STEPS if s * decade >= value * (1 - 1e-12)))


def cache_axes(plot: pg.PlotItem) -> None:
    """Paint the axes from a cached pixmap until their range changes: redrawing the tick
    labels costs ~2.5 ms per axis, more than everything else in a frame."""
    for name in ("left", "bottom"):
        plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def feed_drawn(drawn: dict, last_smooth: dict, x: np.ndarray,
               history: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Append new rows to the raw and smoothed decimators of each column in
    ``last_smooth`` (``drawn[column, smoothed]``), continuing each moving average;
    returns the smoothed new rows."""
    smoothed = {}
    for k in last_smooth:
        smooth = ema_continue(np.asarray(history[k], float), last_smooth[k])
        last_smooth[k] = float(smooth[-1])
        drawn[k, False].append(x, history[k])
        drawn[k, True].append(x, smooth)
        smoothed[k] = smooth
    return smoothed


def loss_top(rows: dict[str, np.ndarray]) -> float:
    """Highest finite training or validation loss among ``rows`` (0 if none)."""
    losses = np.concatenate([rows["data_loss"], rows["val_loss"]])
    return float(np.max(losses, initial=0, where=np.isfinite(losses)))


class CurvesView(QWidget):
    """Loss plot above accuracy plot, sharing the epoch axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.loss_plot: pg.PlotItem = self.graphics.addPlot(
            row=0, col=0, axisItems={"left": axis.LossAxis(orientation="left")})
        self.acc_plot: pg.PlotItem = self.graphics.addPlot(row=1, col=0)
        self.acc_plot.setXLink(self.loss_plot)
        self._setup_plots()
        self.curves = self._make_curves()
        self.best_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(
            (60, 60, 60), width=1, style=Qt.PenStyle.DashLine), label=BEST_LABEL,
            labelOpts={"position": 0.06, "color": (50, 50, 50), "fill": (255, 255, 255, 210),
                       "anchors": [(0, 0.5), (1, 0.5)]})
        self.best_line.setVisible(False)   # label near the bottom: clear of the legend
        # The label skips updates while hidden: refresh its text when the line shows.
        self.best_line.visibleChanged.connect(self.best_line.label.valueChanged)
        self.loss_plot.addItem(self.best_line)
        # Where a curve runs off the top of the loss axis: small triangles at the top.
        self.clip_marks = pg.PlotDataItem(pen=None, symbol="t1", symbolSize=7,
                                          symbolPen=None, symbolBrush=CLIP_MARK_COLOR)
        self.loss_plot.addItem(self.clip_marks)
        self.loss_plot.getViewBox().sigRangeChanged.connect(self._mark_clipped)
        self.readout = QLabel(" ")
        self.readout.setToolTip("Epoch and values under the mouse.")
        # Wrapped: a long read-out must not widen the window (compare mode at 1366 px).
        self.readout.setWordWrap(True)
        self.log_box, self.smooth_box, self.follow_box = self._build_toggles()
        self._layout()
        self._hover = pg.SignalProxy(self.graphics.scene().sigMouseMoved, rateLimit=30,
                                     slot=self._on_hover)
        self.b_curves: dict[str, pg.PlotDataItem] = {}   # while comparing
        self._log_span: tuple[float, float] | None = None   # the loss axis's, in log mode
        self.reset_b()
        self.reset()

    # -- construction ------------------------------------------------------------------
    def _setup_plots(self) -> None:
        self.loss_plot.setLabel("left", "loss")
        self.acc_plot.setLabel("left", "accuracy")
        self.acc_plot.setLabel("bottom", "epoch")
        self.acc_plot.setYRange(0, 1, padding=0.02)
        # Losses of 0.001-0.7 read as they are, not as "loss (x0.001)" 1-700; epochs
        # likewise ("10000", not "10 (x1000)").
        for plot in (self.loss_plot, self.acc_plot):
            for side in ("left", "bottom"):
                plot.getAxis(side).setSIPrefixEnableRanges(())   # never scale
        for plot, corner in ((self.loss_plot, LOSS_LEGEND_AT), (self.acc_plot, ACC_LEGEND_AT)):
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.addLegend(offset=corner, brush=LEGEND_FILL, pen=LEGEND_EDGE,
                           verSpacing=LEGEND_ROW_GAP)
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.getViewBox().disableAutoRange()
            plot.getViewBox().sigRangeChangedManually.connect(self._stop_following)
            cache_axes(plot)
        self.acc_plot.getViewBox().setMouseEnabled(y=False)

    def _make_curves(self) -> dict[str, pg.PlotDataItem]:
        plots = {"loss": self.loss_plot, "acc": self.acc_plot}
        curves = {}
        for plot, column, name, color, _ in SERIES:
            # Width-1 pens take Qt's fast line path: wider ones cost ~1.5 ms per curve
            # and frame, the largest part of a frame.
            curves[column] = plots[plot].plot(name=name, pen=pg.mkPen(color, width=1))
        return curves

    def _build_toggles(self) -> tuple[QCheckBox, QCheckBox]:
        log = QCheckBox("Log loss")
        log.setToolTip("Show the loss on a logarithmic axis (shows the late, small changes).")
        log.toggled.connect(self._set_log)
        smooth = QCheckBox("Smooth")
        smooth.setToolTip(f"Show an exponential moving average (keep {EMA_KEEP}) of each "
                          "curve: useful with mini-batches, whose curves are noisy.")
        smooth.toggled.connect(self._redraw)
        smooth.toggled.connect(self._redraw_b)
        smooth.toggled.connect(lambda _: self._refit_loss())
        follow = QCheckBox("Follow")
        follow.setChecked(True)
        follow.setToolTip("Keep all epochs in view as they come in (off once you zoom or pan).")
        follow.toggled.connect(self._restart_following)
        return log, smooth, follow

    def _layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.log_box)
        row.addWidget(self.smooth_box)
        row.addWidget(self.follow_box)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.graphics, 1)
        box.addWidget(self.readout)
        box.addLayout(row)

    # -- public API ----------------------------------------------------------------------
    def reset(self, history: History | None = None) -> None:
        """Start over with a new run's ``history`` (its owner appends to it; empty if
        not given): the view reads its columns and keeps no copy."""
        self.history = History() if history is None else history
        # What is drawn: peak-decimated copies of the raw and the smoothed series.
        self._drawn = {(k, smooth): PeakDecimator() for k in COLUMNS[1:]
                       for smooth in (False, True)}
        self._last_smooth: dict[str, float | None] = {k: None for k in COLUMNS[1:]}
        self.best_epoch: int | None = None
        self._best_val = np.inf
        self.best_line.setVisible(False)
        self.readout.setText(" ")    # the old run's numbers under the mouse are gone
        self.follow_box.blockSignals(True)
        self.follow_box.setChecked(True)   # a new run is followed, whatever was zoomed
        self.follow_box.blockSignals(False)
        self._redraw()
        self._fit_again()

    def append(self, history: dict[str, np.ndarray]) -> None:
        """Draw history rows just appended to the bound History (columns as in
        ``history.COLUMNS``)."""
        if len(history.get("epoch", ())) == 0:
            return
        smoothed = self._append_drawn(history)
        self._track_best(history["epoch"], history["val_loss"])
        self._redraw()
        self._follow(float(history["epoch"][-1]), loss_top(smoothed))

    def point_count(self) -> int:
        return len(self.history)

    # -- model B (compare) ------------------------------------------------------------------
    def show_b(self, on: bool) -> None:
        """Add (or remove) B's dashed validation curves; they start empty."""
        plots = {"loss": self.loss_plot, "acc": self.acc_plot}
        for plot, column, name in B_SERIES:
            if on and column not in self.b_curves:
                pen = pg.mkPen(B_COLOR, width=1, style=Qt.PenStyle.DashLine)
                self.b_curves[column] = plots[plot].plot(name=name, pen=pen)
            elif not on and column in self.b_curves:
                plots[plot].removeItem(self.b_curves.pop(column))
        self.reset_b()

    def reset_b(self) -> None:
        """Forget B's points (B started a new run)."""
        self._b_drawn = {(k, smooth): PeakDecimator() for _, k, _ in B_SERIES
                         for smooth in (False, True)}
        self._b_last_smooth: dict[str, float | None] = {k: None for _, k, _ in B_SERIES}
        self._redraw_b()
        if hasattr(self, "history"):   # (not while being built: reset() comes next)
            self._fit_again()

    def append_b(self, history: dict[str, np.ndarray]) -> None:
        """Add B's history rows (the trainer's columns) to its validation curves."""
        if not self.b_curves or len(history.get("epoch", ())) == 0:
            return
        x = history["epoch"]
        feed_drawn(self._b_drawn, self._b_last_smooth, x, history)
        self._redraw_b()
        top = self._b_last_smooth["val_loss"]
        self._follow(float(x[-1]), top if top is not None and np.isfinite(top) else 0.0)

    def b_point_count(self) -> int:
        return len(self._b_drawn["val_loss", False].display()[0])

    def _redraw_b(self) -> None:
        smooth = self.smooth_box.isChecked()
        for column, curve in self.b_curves.items():
            curve.setData(*self._b_drawn[column, smooth].display())

    # -- internals -----------------------------------------------------------------------
    def _append_drawn(self, history: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Feed the decimators; returns the smoothed new rows."""
        return feed_drawn(self._drawn, self._last_smooth, history["epoch"], history)

    def _track_best(self, epochs: np.ndarray, val_loss: np.ndarray) -> None:
        finite = np.where(np.isfinite(val_loss), val_loss, np.inf)
        i = int(np.argmin(finite))
        if finite[i] < self._best_val:
            self._best_val = float(finite[i])
            self.best_epoch = int(epochs[i])
            self.best_line.setPos(self.best_epoch)
            self.best_line.setVisible(True)

    def _redraw(self) -> None:
        smooth = self.smooth_box.isChecked()
        for column, curve in self.curves.items():
            curve.setData(*self._drawn[column, smooth].display())

    def _follow(self, last_epoch: float, top: float | None = None) -> None:
        """Widen the epoch axis in steps, not every frame, so its cached pixmap stays
        valid, and fit the loss axis to what is drawn (``_refit_loss``). ``top`` is
        ignored: the loss range comes from the drawn curves, not from the new rows."""
        if self.follow_box.isChecked():
            if last_epoch > self._x_hi or self._x_hi == 0:
                self._x_hi = nice_ceiling(max(last_epoch, 10) * X_HEADROOM)
                self.loss_plot.setXRange(0, self._x_hi, padding=0)
            self._refit_loss()
        self._mark_clipped()

    def _loss_series(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(x, y) of every loss curve as drawn (raw or smoothed), A's and B's."""
        items = [self.curves["data_loss"], self.curves["val_loss"]]
        items += [c for k, c in self.b_curves.items() if k == "val_loss"]
        return [(c.xData, c.yData) for c in items]

    def _refit_loss(self) -> None:
        """Loss range from the drawn curves in view without their spikes (axis.py):
        a spike runs off the top (and is marked) instead of flattening the curves."""
        if not self.follow_box.isChecked():
            return
        x_range = tuple(self.loss_plot.getViewBox().viewRange()[0])
        curves = axis.visible_curves(self._loss_series(), x_range)
        if self.log_box.isChecked():
            self._fit_log(curves)
            return
        top = axis.robust_top(curves)
        if top is not None and nice_ceiling(top) != self._loss_hi:
            self._loss_hi = nice_ceiling(top)
            self.loss_plot.setYRange(0, self._loss_hi, padding=0)

    def _fit_log(self, curves: list[np.ndarray]) -> None:
        span = axis.log_range(curves, snap=LOG_SNAP)
        if span is not None and span != self._log_span:
            self._log_span = span
            self.loss_plot.setYRange(*span, padding=0)

    def _mark_clipped(self, *_) -> None:
        """A triangle at the top wherever a drawn loss curve runs above the view."""
        view_range = self.loss_plot.getViewBox().viewRange()
        self.clip_marks.setData(*axis.clip_mark_points(
            self._loss_series(), view_range, self.log_box.isChecked()))

    def _stop_following(self, *_):
        self.follow_box.setChecked(False)

    def _restart_following(self, on: bool) -> None:
        if on:
            self._fit_again()

    def _fit_again(self) -> None:
        """Epoch and loss ranges from what is drawn now, as if it had just come in (after
        a reset, or once B's curves went): nothing of an older run's or B's range stays.
        With nothing drawn, the empty ranges of a new run; the spike marks follow."""
        self._x_hi = self._loss_hi = 0.0
        self._log_span = None
        last = [float(c.xData[-1]) for c in (self.curves["data_loss"], *self.b_curves.values())
                if c.xData is not None and len(c.xData)]
        if not last:
            self.loss_plot.setXRange(0, nice_ceiling(10 * X_HEADROOM), padding=0)
            self.loss_plot.setYRange(*((-1, 0) if self.log_box.isChecked() else (0, 1)),
                                     padding=0)
        elif self.follow_box.isChecked():
            self._follow(max(last))
        self._mark_clipped()

    def _set_log(self, on: bool) -> None:
        """Log axis or linear: both ranges come from the drawn curves (_refit_loss)."""
        self.loss_plot.setLogMode(y=on)
        self._loss_hi, self._log_span = 0.0, None
        self._refit_loss()
        self._mark_clipped()

    def _on_hover(self, event) -> None:
        pos = event[0]
        if len(self.history) == 0 or not self.loss_plot.sceneBoundingRect().united(
                self.acc_plot.sceneBoundingRect()).contains(pos):
            return
        epoch = self.loss_plot.getViewBox().mapSceneToView(pos).x()
        self.readout.setText(self.readout_at(epoch))

    def readout_at(self, epoch: float) -> str:
        """Text for the row nearest to ``epoch``."""
        epochs = self.history.column("epoch")
        right = int(np.searchsorted(epochs, epoch))
        near = [j for j in (right - 1, right) if 0 <= j < len(epochs)]
        i = min(near, key=lambda j: abs(epochs[j] - epoch))
        c = {k: self.history.column(k)[i] for k in COLUMNS}
        return (f"epoch {int(c['epoch']):,}:  loss {c['data_loss']:.4f} (val {c['val_loss']:.4f})"
                f"   accuracy {c['acc']:.3f} (val {c['val_acc']:.3f})")
