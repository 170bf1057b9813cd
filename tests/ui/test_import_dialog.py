"""File > Import data on the real window: the preview offers the file's columns, an
import starts a run on the file's points, a bad file leaves the run as it was, and a
million rows load while the event loop keeps ticking."""

import time

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from nnfs_gui.core.data.datasets import make_dataset
from nnfs_gui.ui.owndata.import_dialog import ImportDialog, open_import_dialog
from tests.ui.test_window import WAIT_MS, shown_window

MAX_GAP_S = 0.200   # the bound on a pause of the event loop while loading
TRIES = 3           # a gap can be the shared machine's, not ours: a fresh load retries


@pytest.fixture
def window(qtbot):
    w = shown_window(qtbot, "ch11-overfit")
    yield w
    w.close()


def moons_file(path, samples=60):
    x, y = make_dataset("moons", samples, 2, 0.1, np.random.default_rng(3))
    names = np.array(["left", "right"])[y]
    lines = ["id,x1,x2,side"] + [f"p{i},{a!r},{b!r},{c}" for i, ((a, b), c)
                                 in enumerate(zip(x.tolist(), names, strict=True))]
    path.write_text("\n".join(lines) + "\n")
    return x, y


def test_preview_offers_columns_and_the_import_runs_on_the_files_points(qtbot, window,
                                                                         tmp_path):
    x, y = moons_file(tmp_path / "moons.csv")
    dialog = open_import_dialog(window, str(tmp_path / "moons.csv"))
    assert dialog.table.rowCount() == 20 and dialog.table.columnCount() == 4
    assert dialog.label_box.currentText() == "side"
    assert (dialog.x_box.currentText(), dialog.y_box.currentText()) == ("x1", "x2")
    # the table shows 20 rows and the text speaks of those; the file is sorted by class
    assert dialog.classes.text().startswith("label left only in the 20 rows shown; ")
    dialog.start()
    qtbot.waitUntil(lambda: window.session.points is not None and
                    window.session.points.n_classes == 2, timeout=WAIT_MS)
    p = window.session.points
    got = np.vstack([p.x_train, p.x_val])
    assert sorted(map(tuple, got.tolist())) == sorted(map(tuple, x.tolist()))
    assert window.config.classes == 2
    assert "Imported 120 points" in window.status.bar.currentMessage()
    assert "0 = left, 1 = right" in window.status.bar.currentMessage()
    assert window.decision_view.plot.getAxis("bottom").labelText == "x1"
    # Reset keeps the imported points; the next frame trains on them
    window.reset_run()
    qtbot.waitUntil(lambda: window.session.frames_drawn > 0 and
                    window.session.points.run_id == window.run_id, timeout=WAIT_MS)
    np.testing.assert_array_equal(window.session.points.x_train, p.x_train)


def test_a_bad_file_shows_one_message_and_keeps_the_run(qtbot, window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"x,y,label\n1,2,a\n3,oops,b\n")
    run_before = window.run_id
    dialog = ImportDialog(window, str(bad))
    qtbot.addWidget(dialog)
    dialog.imported.connect(lambda data: pytest.fail("a bad file must not import"))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=WAIT_MS)
    assert dialog.error.text() == f"{bad}, line 3, column 2 ('y'): expected a number, " \
                                  "found 'oops'"
    assert window.run_id == run_before
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(256)) * 40)
    dialog.path_edit.setText(str(garbage))
    dialog.show_preview()
    assert "garbage.csv" in dialog.error.text() and "\n" not in dialog.error.text()


def _million_rows(path):
    rng = np.random.default_rng(0)
    n = 1_000_000
    with open(path, "w") as f:
        f.write("a,b,label\n")
        np.savetxt(f, np.column_stack([rng.normal(size=(n, 2)).round(3),
                                       rng.integers(0, 2, n)]),
                   fmt=["%.3f", "%.3f", "%d"], delimiter=",")


def _largest_gap_while_loading(qtbot, window, path) -> tuple[float, int, object]:
    """(largest gap between 10 ms ticks, ticks, the dialog) over one import."""
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    dialog = ImportDialog(window, str(path))
    qtbot.addWidget(dialog)
    loaded = []
    dialog.imported.connect(loaded.append)
    timer.start(10)
    dialog.start()
    qtbot.waitUntil(lambda: bool(loaded or dialog.error.text()), timeout=120_000)
    timer.stop()
    assert loaded, dialog.error.text()
    gaps = np.diff(ticks)
    return float(gaps.max()), len(ticks), loaded[0]


def test_a_million_rows_load_while_the_event_loop_keeps_ticking(qtbot, window, tmp_path):
    path = tmp_path / "million.csv"
    _million_rows(path)
    results = []
    for _ in range(TRIES):
        gap, ticks, data = _largest_gap_while_loading(qtbot, window, path)
        results.append((round(gap, 3), ticks))
        print(f"largest gap {gap * 1000:.0f} ms over {ticks} ticks")
        if gap <= MAX_GAP_S:
            break
    assert data.x_train.shape == (1_000_000, 2)
    assert min(g for g, _ in results) <= MAX_GAP_S, results
    assert results[-1][1] > 20   # the loop ran all along: many ticks, not one at the end


def test_cancel_stops_the_load_and_keeps_the_run(qtbot, window, tmp_path):
    path = tmp_path / "million.csv"
    _million_rows(path)
    run_before = window.run_id
    dialog = ImportDialog(window, str(path))
    qtbot.addWidget(dialog)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.bar.value() >= 5, timeout=WAIT_MS)
    dialog.cancel()
    qtbot.waitUntil(lambda: dialog.error.text() == "Import cancelled.", timeout=WAIT_MS)
    assert dialog.bar.value() < 100 and window.run_id == run_before
    assert dialog.import_button.isEnabled()


def test_closing_the_dialog_while_loading_ends_the_load(qtbot, window, tmp_path):
    path = tmp_path / "million.csv"
    _million_rows(path)
    dialog = ImportDialog(window, str(path))
    qtbot.addWidget(dialog)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.bar.value() >= 5, timeout=WAIT_MS)
    dialog.reject()   # Escape or the title bar's close
    assert not dialog.worker.isRunning()


def test_classes_text_speaks_of_the_rows_shown():
    from nnfs_gui.ui.owndata.import_dialog import classes_text

    assert classes_text(["0"] * 20, 20).startswith("label 0 only in the 20 rows shown;")
    assert classes_text(["b", " a", "b", ""], 4).startswith("labels a, b in the 4 rows")
    assert classes_text(["10", "9", "2"], 3).startswith("labels 2, 9, 10 in")
    assert classes_text([str(i) for i in range(12)], 12).startswith(
        "labels 0, 1, 2, 3, 4, 5, 6, 7, ... in")
    assert classes_text(["", " "], 2) == ""
