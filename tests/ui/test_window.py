"""The real window, offscreen, with the real Trainer in its training process.

The tests read the process's state from the frames it sends (``worker.latest``):
each carries the run id, the epoch, the learning rate in use and the flags; and the
window's state from its RunSession (``window.session``).
"""

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtGui import QImage

from nnfs_gui.core.files.presets import load_preset
from nnfs_gui.training.process.protocol import Frame, SetGrid
from nnfs_gui.ui import palette
from nnfs_gui.ui.main_window import MainWindow

WAIT_MS = 20_000  # generous: the machine is shared


def shown_window(qtbot, preset: str = "ch11-overfit") -> MainWindow:
    """The window of ``preset``, shown, with its first frame drawn."""
    w = MainWindow(load_preset(preset))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.frames_drawn > 0, timeout=WAIT_MS)
    return w


@pytest.fixture
def window(qtbot):
    w = shown_window(qtbot)
    yield w
    w.close()


def _latest(w):
    """The newest frame of a run the training process sent (None before the first)."""
    f = w.worker.latest
    return None if f is None or f.run_id < 0 else f


def _has(w, check) -> bool:
    """check(frame) on the newest frame, False before there is one."""
    snap = _latest(w)
    return snap is not None and check(snap)


def _step(qtbot, w, n):
    start = w.status.epoch_count
    w.toolbar.n_box.setValue(n)
    w.toolbar.step_n.trigger()
    qtbot.waitUntil(lambda: w.status.epoch_count == start + n, timeout=WAIT_MS)


def _caught_up(w):
    """The process has read every setting, is neither playing nor stepping, and the
    screen shows the epoch of its newest frame."""
    return w.worker.settled and w.status.epoch_count == _latest(w).epoch


def test_step_trains_exactly_n_epochs_and_draws_each(qtbot, window):
    window.toolbar.step.trigger()
    qtbot.waitUntil(lambda: window.status.epoch_count == 1, timeout=WAIT_MS)
    _step(qtbot, window, 40)
    qtbot.waitUntil(lambda: _caught_up(window), timeout=WAIT_MS)
    qtbot.wait(200)
    assert _latest(window).epoch == 41   # no more frames came: the process stopped at 41
    assert window.curves_view.point_count() == 41
    x, y = window.curves_view.curves["val_loss"].getData()
    assert list(x) == list(range(41)) and np.all(np.isfinite(y))
    # One epoch convention: the counters name the last history row (epochs 0..40).
    assert window.session.last_row()["epoch"] == x[-1] == 40
    assert window.toolbar.epoch_label.text().strip() == "epoch 40"
    assert window.status.epoch.text() == "epoch 40"


def test_play_then_pause(qtbot, window):
    window.toolbar.play.trigger()
    assert window.toolbar.play.text() == "Pause"
    qtbot.waitUntil(lambda: window.status.epoch_count > 100, timeout=WAIT_MS)
    assert "epochs/s" in window.status.speed.text()
    window.toolbar.play.trigger()
    assert window.toolbar.play.text() == "Play"
    qtbot.waitUntil(lambda: _caught_up(window), timeout=WAIT_MS)
    paused_at = window.status.epoch_count
    qtbot.wait(300)
    assert _latest(window).epoch == paused_at == window.status.epoch_count
    assert window.curves_view.point_count() == paused_at   # throttling dropped no rows


def test_reset_starts_a_fresh_run(qtbot, window):
    _step(qtbot, window, 20)
    old = window.run_id
    window.toolbar.reset.trigger()
    assert window.run_id == old + 1
    qtbot.waitUntil(lambda: _has(window, lambda t: t.run_id == old + 1)
                    and window.frames_drawn > 0
                    and window.status.epoch_count == 0, timeout=WAIT_MS)
    assert window.curves_view.point_count() == 0


def test_shortcuts_are_the_documented_keys(window):
    tb = window.toolbar
    keys = {a.text(): a.shortcut().toString() for a in (tb.play, tb.step, tb.reset)}
    assert keys == {"Play": "Space", "Step": "S", "Reset": "R"}


def test_learning_rate_slider_changes_the_running_optimizer(qtbot, window):
    window.toolbar.play.trigger()
    qtbot.waitUntil(lambda: window.status.epoch_count > 50, timeout=WAIT_MS)
    run = window.run_id
    slider = window.controls.controls["learning_rate"].widget
    slider.slider.setValue(slider.scale.to_position(0.01))
    wanted = window.config.learning_rate
    assert wanted == pytest.approx(0.01, rel=0.02)
    # The frame's rate is the optimizer's current one: the preset's decay (5e-7 per
    # update) moves it by well under 1% here; the old rate, 0.05, is 5x away.
    qtbot.waitUntil(lambda: _has(
        window, lambda t: t.learning_rate == pytest.approx(wanted, rel=0.01)), timeout=WAIT_MS)
    assert window.run_id == run and _latest(window).run_id == run   # no restart
    epoch = _latest(window).epoch
    assert epoch > 50                                                 # same weights go on
    qtbot.waitUntil(lambda: _latest(window).epoch > epoch + 20, timeout=WAIT_MS)
    assert window.session.history.column("epoch")[0] == 0   # one run, one history
    assert len(window.session.history) == window.session.epoch
    assert "applied to the running model" in window.statusBar().currentMessage()


def test_changing_the_data_set_starts_a_new_run(qtbot, window):
    window.toolbar.play.trigger()
    qtbot.waitUntil(lambda: window.status.epoch_count > 50, timeout=WAIT_MS)
    old = window.run_id
    window.controls.controls["dataset"].widget.setCurrentText("moons")
    assert window.run_id == old + 1
    assert "new run" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: _has(window, lambda t: t.run_id == old + 1), timeout=WAIT_MS)
    moons = window.worker.latest   # the new run's data came with its first frame
    window.toolbar.play.trigger()
    qtbot.waitUntil(lambda: _caught_up(window), timeout=WAIT_MS)
    assert _latest(window).run_id == old + 1
    assert window.curves_view.point_count() == _latest(window).epoch
    x = window.decision_view._points.x_train
    assert moons.run_id == old + 1 and x.shape == (300, 2)
    span = x.max(axis=0) - x.min(axis=0)
    assert span[0] > 1.5 * span[1]   # two moons lie wide; the spiral's arms fill a square


def test_frames_of_an_old_run_are_ignored(qtbot, window):
    _step(qtbot, window, 5)
    from nnfs_gui.training.run.history import COLUMNS

    stale = Frame(run_id=window.run_id - 1, epoch=999,
                  rows={k: np.arange(999.0) for k in COLUMNS})
    window.session._on_frame(stale)
    assert window.curves_view.point_count() == 5 and window.status.epoch_count == 5
    assert len(window.session.history) == 5


def _rgb(image: QImage) -> np.ndarray:
    img = image.convertToFormat(QImage.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return a[:, : img.width() * 4].reshape(img.height(), img.width(), 4)[..., 2::-1]


def class_share(rgb: np.ndarray, n_classes: int) -> np.ndarray:
    """(n_classes,) share of pixels tinted in each palette colour's direction from white."""
    away = 255.0 - rgb.reshape(-1, 3).astype(float)
    tinted = np.linalg.norm(away, axis=1) > 20
    hues = np.array([255.0 - np.array(palette.class_color(c)) for c in range(n_classes)])
    cos = away[tinted] @ (hues / np.linalg.norm(hues, axis=1, keepdims=True)).T
    cos /= np.linalg.norm(away[tinted], axis=1, keepdims=True)
    best = cos.argmax(axis=1)[cos.max(axis=1) > 0.995]
    return np.bincount(best, minlength=n_classes) / len(away)


def test_regions_are_painted_in_the_palette_after_training(qtbot, window):
    _step(qtbot, window, 300)
    qtbot.waitUntil(lambda: _caught_up(window), timeout=WAIT_MS)
    image = window.decision_view.image_rgb()
    assert image.shape == (150, 150, 3)            # the fine grid once paused
    assert np.all(class_share(image, 3) > 0.15)   # each class owns a large region
    shown = _rgb(window.decision_view.graphics.grab().toImage())
    assert np.all(class_share(shown, 3) > 0.08)   # and it reaches the screen


def test_closing_mid_run_stops_the_worker(qtbot, window):
    window.toolbar.play.trigger()
    qtbot.waitUntil(lambda: window.status.epoch_count > 20, timeout=WAIT_MS)
    window.close()
    assert window.worker.isFinished()


def test_divergence_pauses_with_a_visible_message(qtbot):
    config = load_preset("ch11-overfit").replace(
        optimizer="sgd", learning_rate=10.0, init="he", hidden=(512, 512), loss="mse")
    w = MainWindow(config)
    qtbot.addWidget(w)
    w.show()
    w.toolbar.play.trigger()
    qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=WAIT_MS)
    assert "diverged" in w.banner.text() and "learning rate" in w.banner.text()
    qtbot.waitUntil(lambda: _caught_up(w), timeout=WAIT_MS)
    assert w.toolbar.play.text() == "Play" and _latest(w).diverged
    w.toolbar.reset.trigger()
    assert not w.banner.isVisible()
    w.close()


def test_settings_remember_the_config_and_fall_back_quietly(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from nnfs_gui.ui.run import startup_config

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(load_preset("ch11-overfit"), settings)
    qtbot.addWidget(w)
    w.controls.set_value("learning_rate", 0.02)
    w.close()
    saved = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    args = SimpleNamespace(config=None, preset=None)
    config, note = startup_config(args, saved.value("config"))
    assert config.learning_rate == 0.02 and note == ""
    assert saved.value("window/size") is not None
    config, note = startup_config(args, "{not json")
    assert config.name == "ch11-overfit" and "last session" in note


def test_grid_is_coarse_while_dragging_and_fine_when_idle(qtbot, window):
    sizes = []
    window.session.regions_changed.connect(
        lambda: sizes.append(window.session.latest_grid.shape[0]))
    slider = window.controls.controls["noise"].widget.slider
    slider.sliderPressed.emit()
    assert window.worker._sticky[SetGrid] == SetGrid(60)
    _step(qtbot, window, 1)
    qtbot.waitUntil(lambda: sizes and sizes[-1] == 150, timeout=WAIT_MS)
    assert 60 in sizes                       # drawn coarse while the slider was held
    assert window.decision_view.image_rgb().shape[:2] == (150, 150)


def test_a_run_that_cannot_start_is_a_message_not_a_crash(qtbot, window):
    # Config validation leaves no settings the Trainer rejects, so the process's error
    # frame (tests/training/test_loop.py makes one) is handed to the window directly.
    session = window.session
    session._on_frame(Frame(run_id=session.run_id - 1, error="an older run's"))
    assert not window.banner.isVisible()     # that run is gone: no banner over this one
    session._on_frame(Frame(run_id=session.run_id, error="seed 13 is unlucky"))
    assert window.banner.isVisible() and window.banner.text() == "seed 13 is unlucky"
    window.controls.set_value("seed", 1)
    assert not window.banner.isVisible()
    qtbot.waitUntil(lambda: _has(window, lambda t: t.run_id == window.run_id), timeout=WAIT_MS)
    _step(qtbot, window, 3)


def test_a_training_process_that_dies_is_a_message_and_reset_starts_a_new_one(qtbot, window):
    import os
    import signal

    window.toolbar.play.trigger()
    qtbot.waitUntil(lambda: window.status.epoch_count > 20, timeout=WAIT_MS)
    old_pid = window.worker.pid
    os.kill(old_pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=WAIT_MS)
    assert "stopped unexpectedly" in window.banner.text()
    assert window.toolbar.play.text() == "Play"
    window.toolbar.reset.trigger()
    assert window.worker.pid != old_pid
    qtbot.waitUntil(lambda: _has(window, lambda t: t.run_id == window.run_id)
                    and window.status.epoch_count == 0, timeout=WAIT_MS)
    _step(qtbot, window, 3)
    assert _latest(window).run_id == window.run_id


def test_every_shortcut_of_the_window_belongs_to_one_action(window):
    from collections import Counter

    from PySide6.QtGui import QAction

    keys = Counter(key.toString() for action in window.findChildren(QAction)
                   for key in action.shortcuts() if not key.isEmpty())
    assert keys["Ctrl+S"] == 1 and keys["Ctrl+Shift+S"] == 1   # Save model; save preset
    assert [key for key, n in keys.items() if n > 1] == []
    saves = {a.text(): a.shortcut().toString() for a in window.file_menu.actions()}
    assert saves["Save current as preset…"] == "Ctrl+Shift+S"


def test_status_says_paused_then_finished_with_a_full_progress_bar(qtbot, window):
    _step(qtbot, window, 5)
    assert window.status.speed.text() == "paused"
    assert not window.apply_config(window.config.replace(epochs=30))   # a live field
    window.toolbar.play.trigger()
    qtbot.waitUntil(lambda: _has(window, lambda t: t.finished) and _caught_up(window),
                    timeout=WAIT_MS)
    assert window.status.epoch_count == 31   # epochs 0..30
    assert window.status.speed.text() == "finished"
    bar = window.status.progress
    assert bar.value() == bar.maximum() == 31 and bar.text() == "100%"


def test_a_width_change_says_layers_x_neurons(qtbot, window):
    window.controls.set_value("hidden", (16,))
    assert window.statusBar().currentMessage().startswith(
        "Hidden layers = 1 x 16: a restart setting")


def test_the_interactive_window_starts_at_a_watchable_pace(qtbot, window):
    """`make run` (run_app) starts at WATCH_PACE, shown in the Pace box; scripted runs
    and a MainWindow built directly (tests, benches) train at full speed."""
    from argparse import Namespace

    from nnfs_gui.ui.run import WATCH_PACE, starting_pace

    assert starting_pace(Namespace(play=False, quit_after=None, screenshot=None)) == WATCH_PACE
    assert starting_pace(Namespace()) == WATCH_PACE
    for scripted in ({"play": True}, {"quit_after": 200}, {"screenshot": "x.png"}):
        assert starting_pace(Namespace(**scripted)) is None
    assert 100 <= WATCH_PACE <= 1000
    assert window.session.pace is None and window.toolbar.pace.currentText() == "full speed"
    window.set_pace(starting_pace(Namespace()))   # what run_app does
    assert window.session.pace == WATCH_PACE
    assert window.toolbar.pace.currentText() == f"{WATCH_PACE:,} epochs/s"
    assert window.status.pace.text() == f"pace {WATCH_PACE:,} epochs/s"
