"""The lab as a new user meets it: results windows inside a 1366x768 screen with
their bottom bar, a sweep's run opened as A saying what it set, the learning curve
shown before it runs, readable ticks and numbers."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QDialogButtonBox

from nnfs_gui.training.lab.sweep import parse_sweep
from nnfs_gui.ui import screen
from nnfs_gui.ui.lab.curve import readable_ticks
from nnfs_gui.ui.lab.menu import learning_curve_sweep, open_run
from nnfs_gui.ui.lab.results_window import ResultsWindow
from nnfs_gui.ui.lab.runner import SweepRunner
from nnfs_gui.ui.lab.table import ResultsTable
from tests.ui.test_window import shown_window

AREA = QRect(0, 24, 1366, 744)   # 1366x768 less a 24 px panel at the top
# 36 runs: a 6x6 grid of pictures, the tallest a two-setting sweep makes
TALL = {"base": "ch11-overfit", "vary": {"width": [8, 16, 32, 64, 128, 256]},
        "seeds": [0, 1, 2, 3, 4, 5], "epochs": 300}


@pytest.fixture
def window(qtbot):
    w = shown_window(qtbot)
    yield w
    for results in w.lab_windows:
        results.close()
    w.close()


@pytest.mark.parametrize("spec", [TALL, {**TALL, "vary": {"width": [4, 8]}, "seeds": [0]}],
                         ids=["36-runs", "2-runs"])
def test_a_results_window_and_its_bottom_bar_lie_inside_a_1366x768_screen(
        qtbot, monkeypatch, spec):
    monkeypatch.setattr(screen, "available_area", lambda *_: AREA)
    results = ResultsWindow(SweepRunner(parse_sweep(spec)))
    qtbot.addWidget(results)
    results.show()
    qtbot.waitExposed(results)
    qtbot.wait(50)   # keep_on_screen, once the frame is known
    outer = results.frameGeometry()
    assert AREA.contains(outer), (outer, AREA)
    assert outer.width() >= 1000 and outer.height() >= 0.9 * AREA.height()  # not shrunk
    inside = results.rect()
    for widget in (results.progress, results.cancel_button, results.open_a, results.open_b,
                   results.table):
        assert widget.isVisible()
        top_left = widget.mapTo(results, QPoint(0, 0))
        assert inside.contains(QRect(top_left, widget.size())), widget
    assert results.table.height() >= 3 * results.table.verticalHeader().defaultSectionSize()


def test_open_as_model_a_shows_custom_and_says_what_it_set(qtbot, window):
    assert window.toolbar.presets.currentData() == "ch11-overfit"
    run = parse_sweep({"base": "ch11-overfit", "vary": {"width": [8, 16]},
                       "seeds": [0, 1], "epochs": 300}).runs()[3]   # the table's 4th row
    assert run.values == {"width": 16} and run.seed == 1
    open_run(window, SimpleNamespace(index=run.index, values=run.values, seed=run.seed,
                                     config=run.config), "A")
    assert window.config.epochs == 300 and window.config.hidden == (16,)
    assert window.toolbar.presets.currentText() == "(custom)"
    message = window.statusBar().currentMessage()
    assert message.startswith("Opened run 4 of the sweep as model A: width 16, seed 1, "
                              "epoch limit 300"), message
    assert "patience" not in message   # the same as before: not named


def test_learning_curve_opens_the_dialog_filled_in_with_the_panels_epochs(qtbot, window):
    window.learning_curve_action.trigger()
    assert window.lab_windows == []   # nothing runs before the user says so
    dialog = window.sweep_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "Learning curve"
    assert dialog.field1.currentText() == "samples"
    assert dialog.values1.text() == "25, 50, 100, 200, 400, 800"
    assert dialog.epochs.value() == window.config.epochs == 10_000
    dialog.epochs.setValue(20)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: bool(window.lab_windows), timeout=5000)
    results = window.lab_windows[-1]
    assert results.windowTitle() == "Learning curve"
    assert results.sweep == parse_sweep({**learning_curve_sweep(window.config).to_dict(),
                                         "epochs": 20})
    results.cancel()


def test_tick_labels_too_close_to_the_last_written_are_left_out():
    ticks = readable_ticks([25, 50, 100, 200, 400, 800], ["25", "50", "100", "200", "400",
                                                          "800"])
    assert ticks[0] == (25.0, "25") and ticks[1] == (50.0, "")   # 25 and 50: not "2550"
    assert [label for _, label in ticks[2:]] == ["100", "200", "400", "800"]


def test_the_table_writes_epochs_and_epochs_per_second_with_separators(qtbot):
    table = ResultsTable(["width"])
    qtbot.addWidget(table)
    table.add(SimpleNamespace(index=0, values={"width": 16}, seed=0, best_epoch=12_000,
                              best_val_loss=0.5, final_val_loss=0.6, final_val_acc=0.7,
                              final_train_loss=0.4, final_train_acc=0.8,
                              verdict="generalizing", verdict_text="", epochs_per_s=8663.4))
    texts = [table.item(0, c).text() for c in range(table.columnCount())]
    assert texts == ["16", "0", "12,000", "0.5000", "0.6000", "0.700", "0.4000", "0.800",
                     "generalizing", "8,663"]
