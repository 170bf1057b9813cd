"""Draw mode on the real window: clicks on the decision view add and remove points,
undo and redo walk back and forth, and the next run trains on exactly the drawn
points (the session's points equal them)."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from nnfs_gui.core.data.tabular import load_data
from tests.ui.test_window import WAIT_MS, shown_window


@pytest.fixture
def window(qtbot):
    w = shown_window(qtbot, "ch11-overfit")
    w.draw_mode.set_active(True)
    yield w
    w.close()


def click_at(qtbot, view, x, y, button=Qt.MouseButton.LeftButton,
             modifier=Qt.KeyboardModifier.NoModifier):
    """A real mouse click on the view's pixel for data point (x, y)."""
    box = view.plot.getViewBox()
    scene = box.mapViewToScene(QPointF(x, y))
    pixel = view.graphics.mapFromScene(scene)
    qtbot.mouseClick(view.graphics.viewport(), button, modifier, QPoint(pixel.x(), pixel.y()))


def run_on(qtbot, w, split):
    """Wait until A's session runs on ``split`` and a frame of it was drawn."""
    def there():
        p = w.session.points
        return p is not None and len(p.y_train) == len(split.y_train) and \
            np.array_equal(p.x_train, split.x_train) and \
            np.array_equal(p.x_val, split.x_val) and w.session.frames_drawn > 0
    qtbot.waitUntil(there, timeout=WAIT_MS)


def test_click_adds_a_point_of_the_chosen_class_and_the_next_run_trains_on_it(qtbot, window):
    w, view = window, window.decision_view
    before = w.session.points.split()
    x0, x1, y0, y1 = w.session.extent
    qtbot.keyClick(w, Qt.Key.Key_2)   # class 1
    assert w.draw_mode.label == 1
    click_at(qtbot, view, (x0 + x1) / 2, (y0 + y1) / 2)
    drawn = w.draw_mode.points()
    assert len(drawn.y_train) == len(before.y_train) + 1
    assert drawn.y_train[-1] == 1
    np.testing.assert_allclose(drawn.x_train[-1], [(x0 + x1) / 2, (y0 + y1) / 2],
                               atol=0.02 * (x1 - x0))
    run_on(qtbot, w, drawn)
    # the frames come from a run on these points: it trains (the epoch advances)
    w.step(3)
    qtbot.waitUntil(lambda: w.session.epoch == 3, timeout=WAIT_MS)
    np.testing.assert_array_equal(w.session.points.y_train, drawn.y_train)


def test_right_click_and_ctrl_click_remove_the_nearest_point_undo_and_redo(qtbot, window):
    w, view = window, window.decision_view
    start = w.session.points.split()
    target = start.x_train[5]
    click_at(qtbot, view, *(target + 0.001), button=Qt.MouseButton.RightButton)
    removed = w.draw_mode.points()
    assert len(removed.x_train) == len(start.x_train) - 1
    assert not any(np.array_equal(p, target) for p in removed.x_train)
    run_on(qtbot, w, removed)
    # the validation point farthest from every training point: nearest to a click on it
    gaps = np.hypot(*(start.x_val[:, None, :] - removed.x_train[None, :, :]).T).min(axis=0)
    v = start.x_val[int(np.argmax(gaps))]
    click_at(qtbot, view, *v, modifier=Qt.KeyboardModifier.ControlModifier)
    assert len(w.draw_mode.points().x_val) == len(start.x_val) - 1
    w.draw_mode.undo()
    w.draw_mode.undo()
    run_on(qtbot, w, start)   # back to the preset's own points, trained on
    w.draw_mode.redo()
    run_on(qtbot, w, removed)


def test_validation_target_clear_and_a_preview_until_trainable(qtbot, window):
    w, view = window, window.decision_view
    w.draw_mode.clear()
    assert len(w.draw_mode.points().x_train) == 0
    x0, x1, y0, y1 = w.session.extent
    spots = [(0.25, 0.25, 0, "train"), (0.75, 0.75, 1, "train"), (0.5, 0.6, 1, "val")]
    for fx, fy, label, target in spots:
        w.draw_mode.set_label(label)
        w.draw_mode.set_target(target)
        click_at(qtbot, view, x0 + fx * (x1 - x0), y0 + fy * (y1 - y0))
    drawn = w.draw_mode.points()
    assert drawn.y_train.tolist() == [0, 1] and drawn.y_val.tolist() == [1]
    run_on(qtbot, w, drawn)


def test_drawn_points_save_as_csv_that_the_importer_reads_back(qtbot, window, tmp_path):
    w = window
    w.draw_mode.add(0.1, 0.2)
    paths = w.draw_mode.save_csv(tmp_path / "mine.csv")
    back = load_data(paths[0], val_path=paths[1])
    drawn = w.draw_mode.points()
    np.testing.assert_array_equal(back.x_train, drawn.x_train)
    np.testing.assert_array_equal(back.x_val, drawn.x_val)
    np.testing.assert_array_equal(back.y_train, drawn.y_train)


def test_continue_keeps_the_weights_and_goes_on_from_the_epoch(qtbot, window):
    w = window
    w.step(30)
    qtbot.waitUntil(lambda: w.session.epoch == 30 and w.session.settled, timeout=WAIT_MS)
    w.draw_mode.mode_box.setCurrentIndex(1)   # Continue on change
    w.draw_mode.set_label(0)
    w.draw_mode.add(0.0, 0.0)
    drawn = w.draw_mode.points()
    run_on(qtbot, w, drawn)
    assert w.session.points.start_epoch == 30   # the run continues, not from epoch 0
