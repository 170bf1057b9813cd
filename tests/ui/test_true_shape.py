"""True shape: one data unit is as long on x as on y, on screen and in exports."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from nnfs_gui.ui import palette
from nnfs_gui.ui.export.figures import render_image
from nnfs_gui.ui.views.decision_view import DecisionView, RunPoints

EXTENT = (-1.2, 1.2, -1.1, 1.3)


def _view(qtbot, size):
    view = DecisionView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    x, y = np.zeros((0, 2)), np.zeros(0, int)   # regions only
    view.reset(RunPoints(x, y, x, y, 2, EXTENT))
    qtbot.wait(10)
    return view


def _pixels_per_unit(view) -> tuple[float, float]:
    vb = view.plot.getViewBox()
    origin = vb.mapViewToDevice(QPointF(0, 0))
    along_x = vb.mapViewToDevice(QPointF(1, 0)) - origin
    along_y = vb.mapViewToDevice(QPointF(0, 1)) - origin
    return float(np.hypot(along_x.x(), along_x.y())), float(np.hypot(along_y.x(), along_y.y()))


@pytest.mark.parametrize("size", [(900, 350), (350, 900), (230, 555), (480, 610)])
def test_pixels_per_data_unit_agree_on_both_axes(qtbot, size):
    view = _view(qtbot, size)
    px, py = _pixels_per_unit(view)
    assert px > 10 and py > 10
    assert abs(px / py - 1) < 0.02
    (x0, x1), (y0, y1) = view.plot.getViewBox().viewRange()   # the extent stays in view
    assert x0 <= EXTENT[0] + 1e-9 and x1 >= EXTENT[1] - 1e-9
    assert y0 <= EXTENT[2] + 1e-9 and y1 >= EXTENT[3] - 1e-9


def _disc_grid(n=60):
    """Class 0 inside radius 0.6 around the origin, class 1 outside."""
    xs = np.linspace(EXTENT[0], EXTENT[1], n)
    ys = np.linspace(EXTENT[2], EXTENT[3], n)
    gx, gy = np.meshgrid(xs, ys)
    inside = 1 / (1 + np.exp(-40 * (0.6 - np.hypot(gx, gy))))
    return np.stack([inside, 1 - inside], -1).astype(np.float32)


@pytest.mark.parametrize("size", [(900, 350), (300, 700)])
def test_a_round_region_stays_round_in_a_png_export(qtbot, size):
    from types import SimpleNamespace

    view = _view(qtbot, size)
    view.hard_box.setChecked(True)
    view.update_snapshot(SimpleNamespace(grid=_disc_grid(), extent=EXTENT))
    image = render_image(view, 1600)
    rgb = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4)[:, :image.width(), 2::-1].astype(int)
    disc = palette.paint_regions(np.array([[[1.0, 0.0]]], np.float32), hard=True)[0, 0]
    inside = np.abs(rgb - disc).sum(-1) < 12
    rows, cols = np.nonzero(inside)
    centre_row, centre_col = int(np.median(rows)), int(np.median(cols))
    width, height = inside[centre_row].sum(), inside[:, centre_col].sum()   # the diameters
    assert width > 100 and abs(width / height - 1) < 0.03
