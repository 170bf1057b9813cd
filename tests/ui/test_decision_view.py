"""The decision view: which points show, dimming, mistakes, and the painted regions."""

from types import SimpleNamespace

import numpy as np

from nnfs_gui.ui import palette
from nnfs_gui.ui.views.decision_view import TRAIN_ALPHA_DIMMED, DecisionView, RunPoints


def _view(qtbot):
    view = DecisionView()
    qtbot.addWidget(view)
    x = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]])
    y = np.array([0, 1, 2])
    view.reset(RunPoints(x, y, x + 0.1, y, 3, (-1.0, 3.0, -1.0, 2.0)))
    return view


def _brush_alpha(item):
    return {b.color().alpha() for b in item.data["brush"]}


def test_show_modes_pick_the_point_sets(qtbot):
    view = _view(qtbot)
    assert view.train_points.isVisible() and view.val_points.isVisible()
    assert _brush_alpha(view.train_points) == {TRAIN_ALPHA_DIMMED}   # dimmed under val
    assert _brush_alpha(view.val_points) == {255}
    view.set_show_mode("train")
    assert view.train_points.isVisible() and not view.val_points.isVisible()
    assert _brush_alpha(view.train_points) == {230}                 # full when alone
    view.set_show_mode("val")
    assert not view.train_points.isVisible() and view.val_points.isVisible()


def test_mistakes_are_ringed_and_regions_fill_the_extent(qtbot):
    view = _view(qtbot)
    probs = np.zeros((4, 5, 3), np.float32)
    probs[..., 1] = 1.0
    snap = SimpleNamespace(grid=probs, extent=(-1.0, 3.0, -1.0, 2.0))
    view.update_snapshot(snap, val_pred=np.array([0, 0, 2]))
    assert view.mistake_count() == 1
    np.testing.assert_allclose(view.mistakes.data["x"], [1.1])
    rgb = view.image_rgb()
    assert rgb.shape == (4, 5, 3) and tuple(rgb[0, 0]) == palette.region_color(1, 1.0)
    rect = view.image.mapRectToParent(view.image.boundingRect())
    assert (rect.left(), rect.right(), rect.top(), rect.bottom()) == (-1.0, 3.0, -1.0, 2.0)
    view.hard_box.setChecked(True)
    assert tuple(view.image_rgb()[0, 0]) != palette.region_color(1, 1.0)
