"""Smooth regions: boundaries follow the model, not the grid's cells, at any size."""

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QRectF

from nnfs_gui.ui import palette
from nnfs_gui.ui.views.decision_view import DecisionView, RunPoints
from nnfs_gui.ui.views.regions import paint_smooth, upsample

EXTENT = (-1.0, 1.0, -1.0, 1.0)
SLOPE, OFFSET = 0.3, 0.1          # the true boundary: y = 0.3 x + 0.1


def _line_grid(n=20, sharpness=60.0):
    """Two classes split by a straight line, sampled like the trainer's grid (linspace)."""
    xs = np.linspace(EXTENT[0], EXTENT[1], n)
    gx, gy = np.meshgrid(xs, np.linspace(EXTENT[2], EXTENT[3], n))
    above = 1 / (1 + np.exp(-sharpness * (gy - SLOPE * gx - OFFSET)))
    return np.stack([1 - above, above], -1).astype(np.float32)


def _boundary_rows(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column: sub-pixel row where the colour crosses halfway between the two
    classes' hard colours, and how many pixels lie strictly between them."""
    c0, c1 = (palette.paint_regions(np.eye(2, dtype=np.float32)[None], hard=True)[0]
              .astype(float))
    axis = c1 - c0
    t = ((rgb.astype(float) - c0) @ axis) / (axis @ axis)      # 0 = class 0, 1 = class 1
    crossing = (t < 0.5).sum(axis=0) - 0.5 + 0.0               # class 0 below the line
    between = ((t > 0.1) & (t < 0.9)).sum(axis=0)
    return crossing, between


def _straightness(crossing: np.ndarray) -> float:
    cols = np.arange(len(crossing))
    fit = np.polyval(np.polyfit(cols, crossing, 1), cols)
    return float(np.abs(crossing - fit).max())


def test_a_straight_boundary_is_drawn_straight_not_in_cell_stairs():
    rgb = paint_smooth(_line_grid(), 400, 400, hard=True)     # 20 px per grid cell
    crossing, between = _boundary_rows(rgb)
    assert _straightness(crossing) < 1.0         # nearest-neighbour cells: ~ +-6 px stairs
    assert between.max() <= 3                    # antialiased over a pixel or two
    assert between.mean() >= 0.5                 # ... not a hard aliased edge


def test_the_old_cell_drawing_fails_the_same_check():
    cells = palette.paint_regions(_line_grid(), hard=True)
    rgb = np.repeat(np.repeat(cells, 20, axis=0), 20, axis=1)
    crossing, _ = _boundary_rows(rgb)
    assert _straightness(crossing) > 4


def test_certain_regions_keep_the_palette_colours():
    probs = np.zeros((5, 5, 3), np.float32)
    probs[..., 2] = 1
    for hard in (False, True):
        rgb = paint_smooth(probs, 30, 40, hard)
        assert rgb.shape == (30, 40, 3)
        expected = palette.paint_regions(probs[:1, :1], hard)[0, 0]
        assert np.all(rgb == expected)


def test_upsampling_hits_the_grid_values_and_interpolates_between():
    grid = np.arange(3, dtype=np.float32).reshape(1, 3, 1).repeat(2, axis=0)  # 0, 1, 2 in x
    fine = upsample(grid, 2, 201)[0, 0]
    assert fine[100] == pytest.approx(1.0, abs=0.01)
    assert np.all(np.diff(fine) >= 0) and fine[0] < 0.02 and fine[-1] > 1.98


def test_the_screen_shows_the_boundary_smooth(qtbot):
    view = DecisionView()
    qtbot.addWidget(view)
    view.resize(520, 600)
    view.show()
    qtbot.waitExposed(view)
    none = np.zeros((0, 2))
    view.reset(RunPoints(none, np.zeros(0, int), none, np.zeros(0, int), 2, EXTENT))
    view.hard_box.setChecked(True)
    view.update_snapshot(SimpleNamespace(grid=_line_grid(), extent=EXTENT))
    image = view.graphics.grab().toImage()
    rgb = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4)[:, :image.width(), 2::-1]
    x_lo, x_hi, y_lo, y_hi = EXTENT
    rect = view.plot.getViewBox().mapViewToDevice(
        QRectF(x_lo, y_lo, x_hi - x_lo, y_hi - y_lo)).boundingRect()
    x0, x1 = int(rect.left()) + 6, int(rect.right()) - 6     # inside the image's edges
    y0, y1 = int(rect.top()) + 6, int(rect.bottom()) - 6
    assert x1 - x0 > 300                          # a 20-cell grid: > 15 px per cell
    crossing, between = _boundary_rows(rgb[y0:y1, x0:x1][::-1])   # rows upwards
    assert _straightness(crossing) < 1.5
    assert between.max() <= 4
