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


def _labels(view):
    return [label.text for _, label in view.key.items]


def test_the_key_names_classes_and_marks_and_is_in_the_exported_scene(qtbot):
    from nnfs_gui.ui.export.figures import render_image

    view = _view(qtbot)
    view.resize(480, 610)
    view.show()
    qtbot.waitExposed(view)
    assert _labels(view) == ["class 0", "class 1", "class 2", "training", "validation",
                             "val. mistake"]
    assert view.key.scene() is view.graphics.scene()
    # No mistakes are shown, so red in the export can only be the key's ring sample.
    image = render_image(view, 960)
    rgb = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4)[:, :image.width(), 2::-1].astype(int)
    red = (rgb[..., 0] > 180) & (rgb[..., 1] < 80) & (rgb[..., 2] < 80)
    assert view.mistake_count() == 0 and red.sum() > 10
    assert np.nonzero(red)[0].min() > 0.75 * image.height()   # under the plot


def test_the_key_fits_a_narrow_pane(qtbot):
    view = _view(qtbot)
    view.resize(330, 555)
    view.show()
    qtbot.waitExposed(view)
    plot = view.plot.sceneBoundingRect()
    assert plot.right() <= view.graphics.width() and view.key.columnCount <= 3


def test_markers_shrink_when_points_multiply(qtbot):
    view = DecisionView()
    qtbot.addWidget(view)
    sizes = {}
    for n in (300, 3000):
        x = np.random.default_rng(0).normal(size=(n, 2))
        y = np.arange(n) % 3
        view.reset(RunPoints(x, y, x, y, 3, (-3.0, 3.0, -3.0, 3.0)))
        no_grid = SimpleNamespace(grid=None, extent=None)
        view.update_snapshot(no_grid, val_pred=(y + 1) % 3)  # all wrong
        sizes[n] = (view.train_points.opts["size"], view.mistakes.opts["size"],
                    view.mistakes.opts["pen"].widthF(), view.mistakes.opts["pen"].color().alpha())
    small, large = sizes[300], sizes[3000]
    assert small[:3] == (8, 16, 2)                   # the book's spiral keeps its marks
    assert large[0] <= 0.6 * small[0] and large[1] <= 0.6 * small[1]
    assert large[2] < small[2] and large[3] < small[3] == 255   # thinner, lighter rings



def test_the_toggle_row_wraps_instead_of_widening_the_view(qtbot):
    """Two decision views side by side (compare) must fit a 1366 px screen: the row of
    Training / Validation / Both / Hard regions wraps rather than set a minimum width."""
    from nnfs_gui.ui.views.decision_view import DecisionView

    view = DecisionView()
    qtbot.addWidget(view)
    one_line = sum(b.sizeHint().width() for b in (*view.show_buttons.values(), view.hard_box))
    assert view.minimumSizeHint().width() < 0.75 * one_line
    view.resize(one_line // 2 + 80, 500)
    view.show()
    qtbot.waitExposed(view)
    buttons = [*view.show_buttons.values(), view.hard_box]
    assert all(view.rect().contains(b.geometry()) for b in buttons)   # none cut off
    assert view.hard_box.y() > view.show_buttons["train"].y()         # on a second line
    view.resize(one_line + 200, 500)
    qtbot.wait(20)
    assert view.hard_box.y() == view.show_buttons["train"].y()        # one line when wide
    assert view.hard_box.geometry().right() > view.width() - 20      # at the right end
