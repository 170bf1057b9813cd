"""Model B beside model A (ch. 11, Fig 11.01): the real window, two training processes."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.presets import load_preset
from nnfs_gui.training.run.verdict import (
    GENERALIZING,
    OVERFITTING,
    Verdict,
    judge_history,
    short_verdict,
)
from nnfs_gui.ui.main_window import MainWindow
from nnfs_gui.ui.panels.compare import COPY_OF_A, figures_text, partner_config
from tests.ui.test_window import class_share, shown_window

WAIT_MS = 20_000


@pytest.fixture
def window(qtbot):
    w = shown_window(qtbot)
    w.compare_action.trigger()
    qtbot.waitUntil(lambda: w.compare.session.frames_drawn > 0, timeout=WAIT_MS)
    yield w
    w.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as gone.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[-1].split()[0] != "Z"


def test_b_is_the_generalizing_partner_on_the_same_points(window):
    b = window.compare
    assert window.compare_action.isChecked() and window.a_title.isVisible()
    assert b.config.name == "ch11-generalize" and b.picker.currentText() == "ch11-generalize"
    a_points, b_points = window.decision_view._points, b.view._points
    np.testing.assert_array_equal(a_points.x_train, b_points.x_train)
    np.testing.assert_array_equal(a_points.x_val, b_points.x_val)


def test_step_and_reset_drive_both_models(qtbot, window):
    b = window.compare
    window.toolbar.n_box.setValue(300)
    window.toolbar.step_n.trigger()
    qtbot.waitUntil(lambda: window.status.epoch_count == 300 and b.epoch == 300,
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: b.session.settled and
                    b.session.worker.latest.grid is b.view._probs, timeout=WAIT_MS)
    assert b.view.image_rgb().shape == (150, 150, 3)
    assert np.all(class_share(b.view.image_rgb(), 3) > 0.15)   # B's regions, in the palette
    assert b.figures.text().startswith("epoch 299 · loss ")   # rows 0..299
    # B's caption carries the verdict of B's own history (the whole sentence in
    # its tooltip), judged by the one function the status bar uses.
    assert b.figures.toolTip() == judge_history(b.session.history, 3).text
    assert b.figures.text().endswith(short_verdict(judge_history(b.session.history, 3)))
    # B's validation curves beside A's: one point per epoch, B's own values.
    x, y = window.curves_view.b_curves["val_loss"].getData()
    assert list(x) == list(range(300)) and window.curves_view.b_point_count() == 300
    assert y[-1] == pytest.approx(b.session.last_row()["val_loss"])
    _, a_y = window.curves_view.curves["val_loss"].getData()
    assert not np.allclose(y, a_y)
    assert window.a_figures.text().startswith("epoch 299 · loss ")
    assert window.a_figures.toolTip() == window.status.verdict.full_text()
    assert window.toolbar.epoch_label.text().strip() == "epoch A 299 · B 299"
    run = b.session.run_id
    window.toolbar.reset.trigger()
    # B starts over once A's new run has its points: once, not twice.
    qtbot.waitUntil(lambda: b.session.run_id == run + 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: b.session.worker.latest.run_id == b.session.run_id
                    and b.epoch == 0, timeout=WAIT_MS)
    qtbot.wait(200)
    assert b.session.run_id == run + 1


@pytest.mark.parametrize("change", ["preset", "restart setting"])
def test_every_new_run_of_a_restarts_b(qtbot, window, change):
    """B trains on A's points and the two are compared at equal epochs: a new run of A
    (a preset, a restart setting such as the width) starts B over too."""
    b = window.compare
    window.step(200)
    qtbot.waitUntil(lambda: window.session.epoch == 200 and b.epoch == 200
                    and b.session.settled, timeout=WAIT_MS)
    a_run, b_run = window.session.run_id, b.session.run_id
    if change == "preset":
        window.load_preset("ch11-overfit")
    else:
        window.controls.set_value("hidden", (16,))
    assert window.session.run_id == a_run + 1
    qtbot.waitUntil(lambda: b.session.run_id == b_run + 1 and b.session.settled
                    and b.session.worker.latest.run_id == b.session.run_id, timeout=WAIT_MS)
    assert b.epoch == 0 and len(b.session.history) == 0
    assert window.curves_view.b_point_count() == 0


def test_a_live_change_leaves_b_running(qtbot, window):
    b = window.compare
    window.step(50)
    qtbot.waitUntil(lambda: b.epoch == 50 and b.session.settled, timeout=WAIT_MS)
    b_run = b.session.run_id
    window.controls.set_value("learning_rate", 0.02)   # live: applied to A's model
    qtbot.wait(300)
    assert b.session.run_id == b_run and b.epoch == 50


def test_play_and_pause_drive_both_models(qtbot, window):
    b = window.compare
    window.toolbar.play.trigger()
    qtbot.waitUntil(lambda: window.status.epoch_count > 200 and b.epoch > 200,
                    timeout=WAIT_MS)
    window.toolbar.play.trigger()
    # settled: the newest frame came after the pause; drawn: B shows that frame.
    qtbot.waitUntil(lambda: window.session.settled and b.session.settled, timeout=WAIT_MS)
    paused_at = b.epoch
    qtbot.wait(300)
    assert b.epoch == paused_at == b.session.worker.latest.epoch


def test_b_takes_a_copy_of_a_or_a_preset(qtbot, window):
    b = window.compare
    window.controls.set_value("learning_rate", 0.02)
    b.copy_a.click()
    assert b.config == window.config and b.picker.currentText() == COPY_OF_A
    assert "B is now a copy of A" in window.statusBar().currentMessage()
    run = b.session.run_id
    b.picker.textActivated.emit("book-ch14")
    assert b.config == load_preset("book-ch14") and b.session.run_id == run + 1
    assert "B is now book-ch14" in window.statusBar().currentMessage()
    assert b.picker.currentText() == "book-ch14"
    b.picker.textActivated.emit(COPY_OF_A)
    assert b.config == window.config and b.copied


def test_closing_b_ends_its_training_process(qtbot, window):
    pane, pid = window.compare, window.compare.session.worker.pid
    window.compare_action.trigger()
    assert window.compare is None and not window.compare_action.isChecked()
    assert not _alive(pid) and pane.session.worker.isFinished()
    assert not window.a_title.isVisible() and window.curves_view.b_curves == {}
    legend = [label.text for _, label in window.curves_view.loss_plot.legend.items]
    assert "B validation loss" not in legend and "validation loss" in legend
    window.step(5)    # A alone goes on
    qtbot.waitUntil(lambda: window.status.epoch_count == 5, timeout=WAIT_MS)


def test_closing_the_window_ends_both_processes(qtbot):
    w = MainWindow(load_preset("ch11-overfit"))
    qtbot.addWidget(w)
    w.show()
    w.set_comparing(True)
    w.set_playing(True)
    qtbot.waitUntil(lambda: w.compare.epoch > 50, timeout=WAIT_MS)
    pids = (w.worker.pid, w.compare.session.worker.pid)
    w.close()
    assert not any(_alive(p) for p in pids)


def test_without_a_partner_preset_b_starts_as_a_copy_of_a(qtbot):
    w = MainWindow(load_preset("book-ch14"))
    qtbot.addWidget(w)
    w.show()
    w.set_comparing(True)
    assert w.compare.config == w.config and w.compare.picker.currentText() == COPY_OF_A
    assert "Comparing A with B (a copy of A)" in w.statusBar().currentMessage()
    w.close()


def test_figures_text():
    row = {"data_loss": 0.1, "val_loss": 0.5, "acc": 0.97, "val_acc": 0.8}
    overfit = Verdict(OVERFITTING, "Overfitting since epoch 420: ...", since_epoch=420)
    # 1,235 epochs completed: the last row is epoch 1,234 (as in history.csv).
    assert figures_text(row, 1235, overfit) == (
        "epoch 1,234 · loss 0.100 / validation 0.500 · accuracy 0.970 / 0.800 · "
        "Overfitting since epoch 420")
    row = {"data_loss": 0.5, "val_loss": 0.52, "acc": 0.8, "val_acc": 0.8}
    assert figures_text(row, 5, Verdict(GENERALIZING, "...")).endswith("· Generalizing")
    assert figures_text(row, 5).endswith("accuracy 0.800 / 0.800")
    assert figures_text(None, 0) == "No epoch trained yet."
    assert figures_text({**row, "val_loss": math.nan}, 4) == "epoch 3: no finite loss"


def test_partner_config():
    assert partner_config(load_preset("ch11-overfit")).name == "ch11-generalize"
    assert partner_config(load_preset("ch11-generalize")).name == "ch11-overfit"
    other = load_preset("book-ch14")
    assert partner_config(other) == other


def test_after_a_reaches_its_limit_b_trains_on_to_its_own(qtbot, window):
    b = window.compare
    assert not window.apply_config(window.config.replace(epochs=40))   # a live field
    window.toolbar.play.trigger()
    qtbot.waitUntil(lambda: window.status.epoch_count == 41, timeout=WAIT_MS)   # A's limit
    qtbot.waitUntil(lambda: b.epoch > 200, timeout=WAIT_MS)     # B goes on by itself
    assert window.session.epoch == 41 and window.toolbar.play.text() == "Pause"
    window.toolbar.play.trigger()             # Pause, then Play: B resumes, A stays done
    qtbot.waitUntil(lambda: b.session.settled, timeout=WAIT_MS)
    paused_at = b.epoch
    window.toolbar.play.trigger()
    qtbot.waitUntil(lambda: b.epoch > paused_at + 100, timeout=WAIT_MS)
    assert window.session.epoch == 41


def test_b_trains_on_exactly_a_s_points_and_follows_a_to_new_data(qtbot, window):
    b = window.compare
    window.controls.set_value("dataset", "moons")
    window.controls.set_value("hidden", (8,))
    qtbot.waitUntil(lambda: window.session.points is not None
                    and window.session.points.config.dataset == "moons"
                    and window.session.points.config.hidden == (8,)
                    and b.session.points is not None
                    and b.session.points.config.dataset == "moons", timeout=WAIT_MS)
    a_points, b_points = window.session.points, b.session.points
    for k in ("x_train", "y_train", "x_val", "y_val"):
        np.testing.assert_array_equal(getattr(a_points, k), getattr(b_points, k))
    assert b_points.config.hidden == (64,) and b_points.config.learning_rate == 0.005
    assert b.config.dataset == "spiral"   # B's own choice is kept; its data is A's
    np.testing.assert_array_equal(b.view._points.x_train, a_points.x_train)


def test_a_death_notice_of_a_replaced_process_is_dropped(qtbot, window):
    w = window.worker
    w._report_death(w._generation - 1, 9)    # from before the newest process started
    assert not window.banner.isVisible()
    w._report_death(w._generation, 9)
    assert window.banner.isVisible() and "exit code 9" in window.banner.text()


def test_b_with_settings_of_its_own_is_named_in_the_picker(qtbot):
    """A config that is no preset and no copy of A (a sweep's run, a script) shows its
    own name, not "(copy of A)"."""
    from nnfs_gui.ui.panels.compare import ComparePane
    from nnfs_gui.ui.session import RunSession

    a = RunSession("A", Config(name="a", samples=30, hidden=(8,)))
    pane = ComparePane(a, Config(name="mine-l2", samples=30, hidden=(8,), l2_weight=1e-3))
    qtbot.addWidget(pane)
    try:
        assert pane.picker.currentText() == "mine-l2"
        pane.set_config(a.config, copied=True)
        assert pane.picker.currentText() == COPY_OF_A
    finally:
        pane.session.stop()
        a.stop()
