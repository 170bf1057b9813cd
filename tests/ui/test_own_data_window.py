"""A run on your own points in the real window: Save model and Open model keep the
points (not the config's spiral), the Data set box and the exports say where the points
came from, and drawing keeps the frame still with every point at full strength."""

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnfs_gui.core.data.datasets import make_dataset
from nnfs_gui.core.data.tabular import load_data
from nnfs_gui.core.files.formats import ExportRequest
from nnfs_gui.core.files.serialization import read_model
from nnfs_gui.ui.owndata.import_dialog import use_imported
from nnfs_gui.ui.owndata.source import OWN_DATA_ITEM, export_stem
from nnfs_gui.ui.views.decision_view import TRAIN_ALPHA_ALONE
from tests.ui.test_draw_mode import click_at
from tests.ui.test_window import WAIT_MS, shown_window


@pytest.fixture
def window(qtbot):
    w = shown_window(qtbot, "ch11-overfit")
    errors: list[str] = []
    w.export_controller.show_error = errors.append  # no modal box in tests
    w.export_errors = errors
    yield w
    w.close()


def import_moons(qtbot, w, path):
    x, y = make_dataset("moons", 60, 2, 0.1, np.random.default_rng(3))
    np.savetxt(path, np.column_stack([x, y]), fmt=["%.6f", "%.6f", "%d"], delimiter=",",
               header="x1,x2,label", comments="")
    use_imported(w, load_data(path))
    qtbot.waitUntil(lambda: w.session.split is not None and w.session.points is not None
                    and w.session.points.run_id == w.run_id, timeout=WAIT_MS)
    return w.session.points.split()


def dataset_box(w):
    return w.controls.controls["dataset"].widget


def test_save_and_open_keep_the_imported_points(qtbot, window, tmp_path):
    w, s = window, window.session
    moons = import_moons(qtbot, w, tmp_path / "moons.csv")
    w.step(40)
    qtbot.waitUntil(lambda: s.settled and s.epoch == 40, timeout=WAIT_MS)
    c = w.export_controller
    with qtbot.waitSignal(c.model_saved, timeout=WAIT_MS) as saved:
        c.save_model(tmp_path / "mine.npz")
    path = saved.args[0]
    assert path is not None and not w.export_errors
    assert read_model(path).split.source == "moons.csv"
    acc = s.history.last()["acc"]
    w.load_preset("ch11-overfit")   # generated spiral points again
    qtbot.waitUntil(lambda: s.split is None and s.points.run_id == w.run_id, timeout=WAIT_MS)
    assert dataset_box(w).currentText() == "spiral"
    assert c.open_model(path), w.export_errors
    qtbot.waitUntil(lambda: "Opened mine.npz" in w.status.bar.currentMessage(),
                    timeout=WAIT_MS)
    message = w.status.bar.currentMessage()
    assert "imported from moons.csv" in message and "epoch 39" in message
    for key in ("x_train", "y_train", "x_val", "y_val"):
        np.testing.assert_array_equal(getattr(s.points, key), getattr(moons, key))
    # the model fits its points as it did when saved (on a spiral it would be near chance)
    assert (s.val_pred == s.points.y_val).mean() > 0.7 and acc > 0.7
    assert dataset_box(w).currentText() == OWN_DATA_ITEM
    assert "moons.csv" in dataset_box(w).itemData(dataset_box(w).currentIndex(),
                                                  Qt.ItemDataRole.ToolTipRole)


def test_data_set_box_and_exports_name_the_imported_file(qtbot, window, tmp_path):
    w = window
    import_moons(qtbot, w, tmp_path / "moons.csv")
    box = dataset_box(w)
    i = box.findText(OWN_DATA_ITEM)
    assert box.currentIndex() == i and not box.model().item(i).isEnabled()
    assert export_stem(w) == "moons"
    qtbot.waitUntil(lambda: w.session.frames_drawn > 0, timeout=WAIT_MS)
    written = w.export_controller.export(ExportRequest("png", tmp_path / "p.png",
                                                       view="decision", width=300))
    config = json.loads(written[1].read_text())
    assert config["data"] == "imported from moons.csv"
    # choosing the config's own data set from the list goes back to generated points
    box.setCurrentText("spiral")
    box.activated.emit(box.currentIndex())
    qtbot.waitUntil(lambda: w.session.split is None and w.session.points.run_id == w.run_id,
                    timeout=WAIT_MS)
    assert box.findText(OWN_DATA_ITEM) < 0 and box.currentText() == "spiral"
    assert export_stem(w) == "ch11-overfit"


def test_drawing_keeps_the_frame_and_shows_points_at_full_strength(qtbot, window):
    w, view = window, window.decision_view
    w.draw_mode.set_active(True)
    box = view.plot.getViewBox()
    before = np.array(box.viewRange())
    (x0, x1), (y0, y1) = before
    # a point near the bottom edge, outside the run's extent but inside the view:
    # the new run's extent grows, the frame must not move
    target = ((x0 + x1) / 2, y0 + 0.04 * (y1 - y0))
    assert target[1] < w.session.extent[2]
    click_at(qtbot, view, *target)
    drawn = w.draw_mode.points()
    qtbot.waitUntil(lambda: w.session.points is not None and w.session.points.run_id ==
                    w.run_id and len(w.session.points.y_train) == len(drawn.y_train),
                    timeout=WAIT_MS)
    qtbot.wait(50)
    np.testing.assert_allclose(np.array(box.viewRange()), before, rtol=1e-6, atol=1e-9)
    brushes = view.train_points.data["brush"]
    assert all(b.color().alpha() == TRAIN_ALPHA_ALONE for b in brushes)
    w.draw_mode.set_active(False)   # out of draw mode: dimmed under validation again
    assert all(b.color().alpha() < TRAIN_ALPHA_ALONE for b in view.train_points.data["brush"])
