"""Smooth decision regions: the probability grid upsampled to the pixels it covers.

The grid (e.g. 150 x 150) is far coarser than the screen or an export, and drawn
cell by cell its class boundaries show as stairs of the cell size (4-5 px on
screen, 8 px in a 1600 px export). Here the class log-probabilities are interpolated
bilinearly to the device pixels first, then coloured; where two classes meet, the
colour blends over about one pixel by the margin between the top two (an
antialiased edge, in "hard regions" too).

``RegionsItem`` paints the regions at whatever resolution its painter has: on
screen the widget's pixels, in a PNG export the export's (pyqtgraph's exporters
paint the scene at their own scale), so no size ever shows stairs.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QTimer
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget

from nnfs_gui.ui import palette

MAX_SIDE = 4096      # px: larger paints (huge exports) are drawn at this size, scaled
PROB_FLOOR = 1e-7    # as the loss clips predictions: log(0) would be -inf
CACHE_SIZES = 2      # the screen's size and one export size stay painted
# A draft (a cursor move: the epochs change faster than the eye reads detail) is painted
# on screen at a quarter of the pixels (~6 ms instead of ~25 ms for 550x550), then
# sharpened once no new draft came for DRAFT_SETTLE_MS. Exports always paint in full.
DRAFT_SCALE = 2
DRAFT_SETTLE_MS = 150


def _axis_weights(n_grid: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For output pixel centres spread over the grid's span: lower index, upper index,
    weight of the upper one. Grid value i sits at i / (n_grid - 1) of the extent
    (the trainer's linspace includes both ends)."""
    pos = (np.arange(n_out, dtype=np.float32) + 0.5) / n_out * (n_grid - 1)
    lo = np.clip(np.floor(pos).astype(np.intp), 0, max(n_grid - 2, 0))
    hi = np.minimum(lo + 1, n_grid - 1)
    return lo, hi, (pos - lo).astype(np.float32)


def upsample(probs: np.ndarray, height: int, width: int) -> np.ndarray:
    """(h, w, k) grid -> (k, height, width) float32 planes, bilinear, row 0 = lowest y.

    Class planes, not pixels of k values: every later step then works on
    contiguous planes, about twice as fast as on an (h, w, k) array.
    """
    planes = np.ascontiguousarray(np.moveaxis(np.asarray(probs, np.float32), -1, 0))
    c0, c1, tx = _axis_weights(planes.shape[2], width)
    r0, r1, ty = _axis_weights(planes.shape[1], height)
    # Columns first, on the few grid rows (a gather along the last axis is slow),
    # then rows, which are gathered as whole contiguous rows.
    cols = np.take(planes, c0, axis=2)
    cols += (np.take(planes, c1, axis=2) - cols) * tx                    # (k, h, width)
    out = cols[:, r0]
    out += (cols[:, r1] - out) * ty[None, :, None]
    return out


def _top_two(planes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(h, w) indices and values of the largest and second largest of (k, h, w) planes."""
    first = planes[0].copy()
    second = np.full(first.shape, -1.0, np.float32)
    i1 = np.zeros(first.shape, np.int8)
    i2 = np.zeros(first.shape, np.int8)
    for c in range(1, planes.shape[0]):
        p = planes[c]
        beats_first = p > first
        beats_second = ~beats_first & (p > second)
        np.copyto(i2, i1, where=beats_first)
        i2[beats_second] = c
        np.copyto(second, first, where=beats_first)
        np.copyto(second, p, where=beats_second)
        i1[beats_first] = c
        np.maximum(first, p, out=first)
    return i1, first, i2, second


def _edge_share(margin: np.ndarray) -> np.ndarray:
    """(h, w) weight of the winning class's colour: 1 away from a boundary, 0.5 on it.

    The margin (best - second probability) falls to 0 at a boundary; divided by
    its change per pixel it is the distance to the boundary in pixels. Forward and
    backward differences are both taken so the pixel pair straddling the boundary
    (where the margin's V has its bottom) still sees the slope.
    """
    slope_sq = np.zeros_like(margin)
    for axis in (0, 1):
        m = np.moveaxis(margin, axis, 0)           # views: the same code for rows, columns
        d = np.abs(m[1:] - m[:-1])
        step = np.empty_like(m)
        step[0], step[-1] = d[0], d[-1]
        np.maximum(d[1:], d[:-1], out=step[1:-1])
        np.moveaxis(slope_sq, axis, 0)[...] += step * step
    np.sqrt(slope_sq, out=slope_sq)
    slope_sq += np.float32(1e-12)
    share = margin / slope_sq
    share += np.float32(0.5)
    return np.clip(share, np.float32(0.5), np.float32(1.0), out=share)


def _best_probability(logs: np.ndarray, log_best: np.ndarray) -> np.ndarray:
    """(h, w) softmax of the interpolated log-probabilities at the winner:
    1 / sum_c exp(log p_c - log p_best)."""
    total = np.zeros_like(log_best)
    for plane in logs:
        total += np.exp(plane - log_best)
    return np.float32(1.0) / total


def paint_smooth(probs: np.ndarray, height: int, width: int, hard: bool = False) -> np.ndarray:
    """(height, width, 3) uint8 RGB of the (h, w, k) grid's regions, row 0 = lowest y.

    Soft: the class colour shaded by confidence (palette.paint_regions' rule);
    hard: flat class colours. Both blend the two leading classes at boundaries.
    """
    # Log-probabilities are interpolated, not probabilities: near a boundary
    # log(p1 / p2) is the logit difference, linear in the input for each of a ReLU
    # network's pieces, so bilinear interpolation puts the boundary where the
    # model does (probabilities saturate, and would put it on the cells' corners).
    logs = upsample(np.log(np.maximum(probs, np.float32(PROB_FLOOR))), height, width)
    k = logs.shape[0]
    i1, log_best, i2, log_second = _top_two(logs)
    share = _edge_share(log_best - log_second)
    best = _best_probability(logs, log_best)
    tint = np.full(best.shape, palette.HARD_TINT, np.float32) if hard \
        else palette.confidence_tint(best, k)
    colors = palette.class_colors_f32(k)
    out = np.empty((height, width, 3), np.uint8)
    for ch in range(3):
        winner, runner_up = np.take(colors[:, ch], i1), np.take(colors[:, ch], i2)
        winner -= runner_up
        winner *= share
        winner += runner_up - np.float32(255.0)        # the mixed colour, minus white
        winner *= tint
        winner += np.float32(255.5)                    # back from white, rounded
        out[..., ch] = winner                          # in [0, 255] by construction
    return out


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """(h, w, 3) uint8 -> a QImage (a copy), row for row.

    Row 0 (lowest y) stays QImage row 0: drawn into the extent's rect, it lands
    at y0, which the ViewBox's flipped y axis shows at the bottom."""
    rgb = np.ascontiguousarray(rgb)
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class RegionsItem(pg.GraphicsObject):
    """The regions of a probability grid over an extent, painted at device resolution."""

    def __init__(self) -> None:
        super().__init__()
        self._probs: np.ndarray | None = None
        self._rect = QRectF()
        self._hard = False
        self._painted: dict[tuple[int, int], QImage] = {}
        self.last_rgb: np.ndarray | None = None   # the last paint, for tests and checks
        self.draft = False
        self._settle = QTimer(self, singleShot=True, interval=DRAFT_SETTLE_MS)
        self._settle.timeout.connect(self.sharpen)

    def set_grid(self, probs: np.ndarray, extent, hard: bool, draft: bool = False) -> None:
        """Show ``probs`` (h, w, k) over ``extent`` (x0, x1, y0, y1); a ``draft`` is
        painted on screen at DRAFT_SCALE times fewer pixels a side until it settles."""
        x0, x1, y0, y1 = extent
        rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self._probs, self._hard, self.draft = probs, hard, draft
        self._painted.clear()
        if draft:
            self._settle.start()
        self.update()

    def sharpen(self) -> None:
        """Paint a draft at full resolution now."""
        if self.draft:
            self.draft = False
            self.update()

    def set_hard(self, hard: bool) -> None:
        if hard != self._hard:
            self._hard = hard
            self._painted.clear()
            self.update()

    def clear(self) -> None:
        self._probs = None
        self._painted.clear()
        self.last_rgb = None
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(self._rect)

    def paint(self, painter, *_) -> None:
        if self._probs is None or self._rect.isEmpty():
            return
        size = self._device_size(painter)
        if self.draft and isinstance(painter.device(), QWidget):
            size = (max(1, size[0] // DRAFT_SCALE), max(1, size[1] // DRAFT_SCALE))
        image = self._painted.get(size)
        if image is None:
            self.last_rgb = paint_smooth(self._probs, size[1], size[0], self._hard)
            image = rgb_to_qimage(self.last_rgb)
            if len(self._painted) >= CACHE_SIZES:
                self._painted.pop(next(iter(self._painted)))
            self._painted[size] = image
        # Painted at (about) device size: a smooth transform only absorbs the rounding.
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(self._rect, image)

    def _device_size(self, painter) -> tuple[int, int]:
        """(width, height) in device pixels that the extent covers with this painter."""
        box = painter.deviceTransform().mapRect(self._rect)
        w = int(np.clip(np.ceil(abs(box.width())), 1, MAX_SIDE))
        h = int(np.clip(np.ceil(abs(box.height())), 1, MAX_SIDE))
        return w, h
