"""How the decision view's points look, and the key that explains them.

Markers shrink as points multiply: eight-pixel dots with two-pixel rings read well
for the chapter-11 spiral (600 points) but book-ch15's 6,000 make a solid red knot
in the centre. The key sits in the view's own scene (a row under the plot), so
PNG, SVG and PDF exports carry it too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.LegendItem import ItemSample
from PySide6.QtCore import Qt

from nnfs_gui.ui import palette

FULL_SIZE_POINTS = 600    # up to this many points shown, markers keep their full size
SHRINK_POWER = 0.35       # 10x the points -> markers 0.45x as large
SMALLEST_SCALE = 0.4
KEY_TEXT = "8pt"
MAX_COLUMNS = 6
KEY_MARGIN_PX = 24        # the layout's margins around the key
NEUTRAL = palette.class_color(7)   # "any class" in the key's point samples


@dataclass(frozen=True)
class MarkerStyle:
    """Pixel sizes of the point marks for one point count."""

    size: float            # training point diameter
    val_size: float        # validation point diameter (drawn with an outline)
    outline: float         # validation outline width
    ring_size: float       # mistake ring diameter
    ring_width: float
    ring_alpha: int        # translucent when many: a cluster of mistakes stays readable


def marker_style(n_points: int) -> MarkerStyle:
    """Marks for ``n_points`` shown points: full size up to FULL_SIZE_POINTS, then
    shrinking as (FULL_SIZE_POINTS / n) ** SHRINK_POWER, never below SMALLEST_SCALE."""
    scale = float(np.clip((FULL_SIZE_POINTS / max(n_points, 1)) ** SHRINK_POWER,
                          SMALLEST_SCALE, 1.0))
    return MarkerStyle(size=8 * scale, val_size=9 * scale, outline=max(0.6, 1.5 * scale),
                       ring_size=16 * scale, ring_width=max(0.8, 2 * scale),
                       ring_alpha=int(255 * max(0.6, scale)))


class KeySample(ItemSample):
    """A key entry's symbol; unlike a curve legend's, clicking it hides nothing."""

    def mouseClickEvent(self, event) -> None:
        event.ignore()


def _sample(brush, pen, size: float = 9) -> pg.ScatterPlotItem:
    """A scatter item never added to a plot: it only gives a key entry its look."""
    return pg.ScatterPlotItem(size=size, symbol="o", brush=brush,
                              pen=pen if pen is not None else pg.mkPen(None))


def mark_samples() -> list[tuple[pg.ScatterPlotItem, str]]:
    """The point kinds of Fig 11.02: dimmed training, outlined validation, mistakes."""
    return [
        (_sample(pg.mkBrush(*NEUTRAL, 80), None), "training"),
        (_sample(pg.mkBrush(*NEUTRAL, 255), pg.mkPen(palette.OUTLINE, width=1.5)),
         "validation"),
        (_sample(None, pg.mkPen(palette.MISTAKE, width=2), size=13), "val. mistake"),
    ]


class PointsKey(pg.LegendItem):
    """Class colours and point kinds, laid out in as many columns as the width allows."""

    def __init__(self) -> None:
        super().__init__(sampleType=KeySample, labelTextSize=KEY_TEXT,
                         labelTextColor=(40, 40, 40), horSpacing=2, verSpacing=-6,
                         colCount=3)
        self._classes = -1
        self._width = 0.0
        self._samples: list = []   # keeps the sample items alive with the key

    def show_classes(self, n_classes: int) -> None:
        """Rebuild the entries for ``n_classes`` classes (no-op when unchanged)."""
        if n_classes == self._classes:
            return
        self._classes = n_classes
        self.clear()
        entries = [(_sample(pg.mkBrush(*palette.class_color(c)), None), f"class {c}")
                   for c in range(n_classes)] + mark_samples()
        self._samples = [item for item, _ in entries]
        for item, name in entries:
            self.addItem(item, name)
        self.fit_width(self._width)

    def fit_width(self, width_px: float) -> None:
        """As many columns (1 to MAX_COLUMNS) as fit in ``width_px``: a key wider than
        its view would widen the scene's layout and push the plot out of view."""
        self._width = width_px
        for columns in range(MAX_COLUMNS, 0, -1):
            self.setColumnCount(columns)
            if self.natural_width() <= width_px - KEY_MARGIN_PX:
                return

    def natural_width(self) -> float:
        """The narrowest the entries' grid can be, in scene pixels."""
        return self.layout.effectiveSizeHint(Qt.SizeHint.MinimumSize).width()
