"""The validation curve: training and validation loss against the varied setting.

Drawn from training/sweep_summary.py: mean over seeds with the spread as error
bars; a log x axis is drawn as log10 positions labelled with the values.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from nnfs_gui.training.lab.summary import METRICS, CurveSummary

METRIC_COLORS = {"final_train_loss": (0, 114, 178), "final_val_loss": (213, 94, 0),
                 "best_val_loss": (0, 158, 115)}
GROUP_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine,
                Qt.PenStyle.DashDotLine)
SYMBOLS = ("o", "s", "t", "d")
# A tick's label is left out when it would sit closer than this share of the axis
# to the last one written (the point and its grid line stay): labels never run
# together ("2550"), whatever values a sweep has.
MIN_LABEL_GAP = 0.06


def readable_ticks(positions, labels: list[str], gap: float = MIN_LABEL_GAP) -> list:
    """[(position, label)] with labels too close to the previous written one blank."""
    pos = [float(p) for p in positions]
    span = (max(pos) - min(pos)) if pos else 0.0
    ticks, last = [], None
    for p, label in sorted(zip(pos, labels, strict=True)):
        if last is None or span == 0 or p - last >= gap * span:
            ticks.append((p, label))
            last = p
        else:
            ticks.append((p, ""))
    return ticks


class ValidationCurve(QWidget):
    """show(summary) draws it anew (the window calls it as results arrive)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.plot: pg.PlotItem = self.graphics.addPlot()
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("left", "loss")
        self.legend = self.plot.addLegend(offset=(-10, 10))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self.lines: list[pg.PlotDataItem] = []

    def show_summary(self, summary: CurveSummary) -> None:
        self.plot.clear()
        self.legend.clear()
        self.lines = []
        groups = list(dict.fromkeys(s.group for s in summary.series))
        for s in summary.series:
            self._draw(s, groups.index(s.group), summary.log_x)
        self._axis(summary)

    def _draw(self, series, group: int, log_x: bool) -> None:
        x = np.log10(series.x) if log_x else series.x
        color = METRIC_COLORS[series.metric]
        pen = pg.mkPen(color, width=2, style=GROUP_STYLES[group % len(GROUP_STYLES)])
        name = METRICS[series.metric] + (f", {series.group}" if series.group else "")
        line = pg.PlotDataItem(x, series.mean, pen=pen, symbol=SYMBOLS[group % len(SYMBOLS)],
                               symbolSize=7, symbolBrush=color, symbolPen=None, name=name)
        bars = pg.ErrorBarItem(x=x, y=series.mean, top=series.hi - series.mean,
                               bottom=series.mean - series.lo, beam=0,
                               pen=pg.mkPen(color, width=1))
        self.plot.addItem(bars)
        self.plot.addItem(line)
        self.lines.append(line)

    def _axis(self, summary: CurveSummary) -> None:
        pos = np.log10(summary.positions) if summary.log_x else summary.positions
        ticks = readable_ticks(pos, summary.labels) if summary.numeric else \
            list(zip(pos.tolist(), summary.labels, strict=True))
        self.plot.getAxis("bottom").setTicks([ticks])
        scale = " (log scale)" if summary.log_x else ""
        self.plot.setLabel("bottom", summary.field + scale)
        if len(pos):
            pad = 0.5 if not summary.numeric else 0.05 * max(np.ptp(pos), 1e-9)
            self.plot.setXRange(pos.min() - pad, pos.max() + pad, padding=0)
