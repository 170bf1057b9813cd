"""The generalization lab in the real window: a sweep from its dialog, results filling
in, a run opened as model B, cancel leaving no worker behind, the learning curve."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from nnfs_gui.training.lab.sweep import parse_sweep
from nnfs_gui.ui.lab.dialog import parse_values
from nnfs_gui.ui.lab.menu import learning_curve_sweep, start_sweep
from tests.ui.test_window import shown_window

WAIT_MS = 60_000


@pytest.fixture
def window(qtbot):
    w = shown_window(qtbot)
    yield w
    for results in w.lab_windows:
        results.close()
    w.close()


def test_sweep_from_the_dialog_fills_the_results_and_opens_a_row_as_b(qtbot, window):
    window.sweep_action.trigger()
    dialog = window.sweep_dialog
    dialog.field1.setCurrentText("width")
    dialog.values1.setText("4, 32")
    dialog.seeds.setText("0, 1")
    dialog.epochs.setValue(200)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: bool(window.lab_windows), timeout=5000)
    results = window.lab_windows[-1]
    qtbot.waitUntil(lambda: results.table.rowCount() == 4, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not results.runner.running, timeout=WAIT_MS)
    assert results.progress.value() == 4 and results.status.text() == "Done: 4 runs"
    assert {results.table.item(r, 0).text() for r in range(4)} == {"4", "32"}
    assert results.grid.filled == {0, 1, 2, 3}
    assert results.table.indices_in_order() == [0, 1, 2, 3]  # the grid's order
    column = 3  # width, seed, best epoch, then best validation loss
    results.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    best = [results.by_index[i].best_val_loss for i in results.table.indices_in_order()]
    assert best == sorted(best)
    assert len(results.curve.lines) == 3  # training final, validation final and best
    # a click on run 3's picture selects its row; Open as model B trains that config
    results.grid.clicked.emit(3)
    assert results.table.selected_index() == 3
    results.open_b.click()
    assert window.compare is not None
    run = results.by_index[3]
    assert window.compare.config == run.config
    qtbot.waitUntil(lambda: window.compare.session.frames_drawn > 0, timeout=WAIT_MS)
    assert window.compare.session.config.hidden == (32,)


def test_a_bad_value_is_named_in_the_dialog_and_nothing_runs(qtbot, window):
    window.sweep_action.trigger()
    dialog = window.sweep_dialog
    dialog.field1.setCurrentText("learning_rate")
    dialog.values1.setText("0.01, -3")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and "learning_rate" in dialog.error.text()
    assert window.lab_windows == []


def test_cancel_keeps_finished_runs_and_leaves_no_worker(qtbot, window):
    psutil = pytest.importorskip("psutil")
    me = psutil.Process()
    sweep = parse_sweep({"base": "ch11-overfit", "vary": {"epochs": [5, 400_000]},
                         "seeds": [0]})
    results = start_sweep(window, sweep, n_workers=2)
    qtbot.waitUntil(lambda: results.table.rowCount() == 1, timeout=WAIT_MS)
    workers = [p for p in me.children(recursive=True)
               if "spawn_main" in " ".join(p.cmdline())]
    assert workers
    results.cancel_button.click()
    assert not results.runner.running
    qtbot.waitUntil(lambda: not any(p.is_running() and p.status() != "zombie"
                                    for p in workers), timeout=10_000)
    assert results.table.rowCount() == 1 and "Cancelled: 1 of 2" in results.status.text()


def test_learning_curve_varies_samples_from_the_current_settings(window):
    sweep = learning_curve_sweep(window.config)
    assert sweep.vary == {"samples": (25, 50, 100, 200, 400, 800)}
    assert sweep.base == window.config and len(sweep.seeds) == 2


def test_values_are_read_as_the_field_reads_them():
    assert parse_values("width", "4, 16") == [4, 16]
    assert parse_values("hidden", "16, 64-64") == [[16], [64, 64]]
    assert parse_values("l2_weight", "0, 5e-4") == [0.0, 5e-4]
