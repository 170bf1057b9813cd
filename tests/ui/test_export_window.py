"""Exports from the real window: menus, files from a live run, model save and load,
recordings; nothing waits: saves and recordings end with a signal."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtGui import QKeySequence

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.formats import ExportRequest
from nnfs_gui.core.files.serialization import load_model
from nnfs_gui.training.run.history import History
from nnfs_gui.ui.export.actions import NOT_SAVED
from nnfs_gui.ui.main_window import MainWindow
from tests.ui.test_export_support import image_array

SMALL = Config(name="small", samples=40, hidden=(16,), epochs=200)


@pytest.fixture
def window(qtbot):
    w = MainWindow(SMALL)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    errors: list[str] = []
    w.export_controller.show_error = errors.append  # no modal box in tests
    w.export_errors = errors
    yield w
    w.close()


def _train_to(qtbot, window, epoch: int) -> None:
    window.session.set_pause_at(epoch)
    window.set_playing(True)
    qtbot.waitUntil(lambda: window.session.history.last() is not None
                    and window.session.history.last()["epoch"] >= epoch - 1,
                    timeout=20_000)


def _save_model(qtbot, window, path):
    """Save model as the menu does; the file written (or None) once it is."""
    controller = window.export_controller
    with qtbot.waitSignal(controller.model_saved, timeout=20_000) as saved:
        controller.save_model(path)
    return saved.args[0]


def _shortcuts(menu) -> dict[str, str]:
    return {a.text(): a.shortcut().toString() for a in menu.actions() if a.text()}


def test_menus_have_the_actions_and_distinct_shortcuts(window):
    file_keys = _shortcuts(window.file_menu)
    assert file_keys["Save model…"] == QKeySequence("Ctrl+S").toString()
    assert file_keys["Open model…"] == QKeySequence("Ctrl+O").toString()
    assert _shortcuts(window.export_menu)["Export…"] == QKeySequence("Ctrl+E").toString()
    ctrl_s = [a for a in window.findChildren(type(window.export_controller.export_action))
              if a.shortcut() == QKeySequence("Ctrl+S")]
    assert ctrl_s == [window.export_controller.save_model_action]


def test_history_and_dataset_of_a_live_run(qtbot, window, tmp_path):
    _train_to(qtbot, window, 30)
    c = window.export_controller
    [csv] = c.export(ExportRequest("history_csv", tmp_path / "h.csv"))
    back = History.from_csv(csv)
    assert len(back) == len(window.session.history) >= 30
    np.testing.assert_array_equal(back.column("epoch"), np.arange(len(back)))
    np.testing.assert_array_equal(back.column("val_loss"),
                                  window.session.history.column("val_loss"))
    [data] = c.export(ExportRequest("dataset_csv", tmp_path / "d.csv"))
    lines = data.read_text().splitlines()
    assert len(lines) == 1 + len(window.session.points.y_train) + len(window.session.points.y_val)


def test_dashboard_png_of_the_window_with_config_beside(qtbot, window, tmp_path):
    _train_to(qtbot, window, 20)
    png, config = window.export_controller.export(
        ExportRequest("png", tmp_path / "dash.png", "dashboard", 1200, "white"))
    assert config.name == "dash.config.json"
    rgba = image_array(png)
    assert rgba.shape[1] == 1200
    left = rgba[:, : rgba.shape[1] // 2, :3].reshape(-1, 3)
    assert len(np.unique(left, axis=0)) > 50  # shaded regions and points, not blank
    assert Config.load(config) == window.config
    assert window.export_controller.last_folder() == tmp_path


def test_failed_export_shows_a_message_and_keeps_the_old_file(qtbot, window, tmp_path,
                                                               monkeypatch):
    import tempfile

    target = tmp_path / "h.csv"
    target.write_text("old\n")

    def refuse(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    c = window.export_controller
    assert c.guarded(lambda: c.export(ExportRequest("history_csv", target))) is None
    assert window.export_errors and "permission denied" in window.export_errors[0]
    assert target.read_text() == "old\n"


def grid_of(model, scaler, grid, extent) -> np.ndarray:
    """The model's class probabilities over a grid of ``grid``'s size over ``extent``."""
    from nnfs_gui.training.run.trainer import grid_points

    size = grid.shape[0]
    x0, x1, y0, y1 = extent
    points = grid_points(np.linspace(x0, x1, size, dtype=np.float32),
                         np.linspace(y0, y1, size, dtype=np.float32))
    return model.predict_proba(scaler.transform(points)).reshape(grid.shape)


def test_saved_model_reloads_to_the_regions_the_training_process_drew(qtbot, window,
                                                                       tmp_path):
    _train_to(qtbot, window, 60)
    s = window.session
    qtbot.waitUntil(lambda: s.settled and s.epoch == 60, timeout=20_000)
    path = _save_model(qtbot, window, tmp_path / "m.npz")
    assert path is not None and not window.export_errors
    # Paused at epoch 60, the last frame's grid (the fine one) came from the model saved.
    model, config, scaler = load_model(path)
    assert config == window.config
    np.testing.assert_allclose(s.latest_grid, grid_of(model, scaler, s.latest_grid, s.extent),
                               atol=1e-6)


def test_open_model_shows_the_saved_regions_and_trains_on_from_them(qtbot, window, tmp_path):
    _train_to(qtbot, window, 150)
    s, c = window.session, window.export_controller
    qtbot.waitUntil(lambda: s.settled and s.epoch == 150, timeout=20_000)
    path = _save_model(qtbot, window, tmp_path / "m.npz")
    saved_loss = s.history.last()["data_loss"]
    window.session.new_run(SMALL.replace(hidden=(4,), seed=7))   # change things
    qtbot.waitUntil(lambda: s.points is not None and s.points.config.seed == 7, timeout=10_000)
    old_run = window.run_id
    assert c.open_model(path), window.export_errors
    assert window.run_id == old_run + 1 and window.config == SMALL
    qtbot.waitUntil(lambda: s.points is not None and s.points.run_id == old_run + 1
                    and s.latest_grid is not None, timeout=10_000)
    # The regions on screen are the saved model's, at once (no epoch trained), and the
    # run goes on from the saved epoch.
    assert s.epoch == 150 and len(s.history) == 0 and not window.worker.playing
    assert window.decision_view._probs is s.latest_grid
    model, _, scaler = load_model(path)
    np.testing.assert_allclose(s.latest_grid, grid_of(model, scaler, s.latest_grid, s.extent),
                               atol=1e-5)
    # Play trains on from the saved weights and optimizer state: the first epoch's loss
    # is the saved run's last one (a fresh Adam at this rate would knock it about).
    s.set_pause_at(170)
    window.set_playing(True)
    qtbot.waitUntil(lambda: window.status.epoch_count >= 170, timeout=20_000)
    losses = s.history.column("data_loss")
    assert s.history.column("epoch")[0] == 150 and len(losses) >= 20
    assert abs(losses[0] - saved_loss) < 0.1 * saved_loss
    assert losses[19] < losses[0] + 0.01                # and it keeps learning


def test_record_animation_from_start_to_stop_writes_a_gif(qtbot, window, tmp_path):
    from PIL import Image

    c = window.export_controller
    window.session.new_run(SMALL.replace(epochs=1_000_000))  # keeps changing
    qtbot.waitUntil(lambda: window.session.points is not None, timeout=20_000)
    _train_to(qtbot, window, 20)
    c.start_recording(fps=20, seconds=1.5)   # 30 frames from here to Stop
    start = c._record_from
    window.session.set_pause_at(None)
    window.set_playing(True)
    qtbot.waitUntil(lambda: window.session.epoch > start + 200, timeout=20_000)
    with qtbot.waitSignal(c.recorded, timeout=30_000) as done:
        assert c.stop_recording() is not None
    window.set_playing(False)
    n = done.args[0]
    epochs = c.recording.epochs
    assert n == len(epochs) == 30 and epochs == sorted(set(epochs))
    assert epochs[0] == start and epochs[-1] > start + 200
    assert c.save_recording_action.isEnabled()
    with qtbot.waitSignal(c.recording_saved, timeout=30_000) as saved:
        c.save_recording(tmp_path / "run.gif")
    assert saved.args == [tmp_path / "run.gif"] and not window.export_errors
    with Image.open(tmp_path / "run.gif") as gif:
        assert gif.n_frames == n
    assert Config.load(tmp_path / "run.config.json") == window.config


def test_a_recording_stops_with_a_message_when_a_new_run_starts(qtbot, window):
    _train_to(qtbot, window, 150)
    c = window.export_controller
    with qtbot.waitSignal(c.recorded, timeout=30_000) as done:
        c.record_run(2000)
        window.reset_run()
    assert done.args == [0] and c.recording is None
    assert window.export_errors == ["Nothing was recorded: a new run started."]


def test_pictures_of_two_runs_in_one_folder_keep_both_configs(qtbot, window, tmp_path):
    _train_to(qtbot, window, 10)
    c = window.export_controller
    [_, first] = c.export(ExportRequest("svg", tmp_path / "a.svg", "decision"))
    window.session.new_run(SMALL.replace(seed=5))
    qtbot.waitUntil(lambda: window.session.points is not None
                    and window.session.points.config.seed == 5, timeout=20_000)
    [_, second] = c.export(ExportRequest("png", tmp_path / "b.png", "decision", 400))
    assert Config.load(first).seed == 0 and Config.load(second).seed == 5


def test_pdf_and_svg_of_the_window(qtbot, window, tmp_path):
    import xml.etree.ElementTree as ET

    _train_to(qtbot, window, 20)
    c = window.export_controller
    [pdf, _] = c.export(ExportRequest("pdf", tmp_path / "run.pdf"))
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    [svg, _] = c.export(ExportRequest("svg", tmp_path / "curves.svg", "curves"))
    root = ET.parse(svg).getroot()
    lines = [el.get("points").split() for el in root.iter() if el.tag.endswith("polyline")]
    assert len(lines) >= 4 and sum(len(p) for p in lines) >= 4 * 20  # four curves


def test_a_broken_model_file_is_a_message_and_the_run_stays(qtbot, window, tmp_path):
    _train_to(qtbot, window, 20)
    run_id, config = window.run_id, window.config
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert not window.export_controller.open_model(bad)
    assert window.export_errors and "broken.npz" in window.export_errors[0]
    assert (window.run_id, window.config) == (run_id, config)


def test_saving_a_model_into_a_missing_folder_is_a_message(qtbot, window, tmp_path):
    _train_to(qtbot, window, 5)
    assert _save_model(qtbot, window, tmp_path / "no" / "m.npz") is None
    assert "folder does not exist" in window.export_errors[0]


def test_a_model_asked_for_as_a_new_run_starts_is_not_saved(qtbot, window, tmp_path):
    """The copy would be the new run's: none is written, and the message says why."""
    _train_to(qtbot, window, 20)
    c = window.export_controller
    with qtbot.waitSignal(c.model_saved, timeout=20_000) as saved:
        c.save_model(tmp_path / "m.npz")
        window.reset_run()
    assert saved.args == [None] and not (tmp_path / "m.npz").exists()
    assert window.export_errors == [NOT_SAVED.format(
        why="the run changed or its training process ended")]


def test_saving_while_playing_keeps_playing_and_writes_a_loadable_model(qtbot, window, tmp_path):
    window.session.new_run(SMALL.replace(epochs=1_000_000))
    window.set_playing(True)
    qtbot.waitUntil(lambda: window.status.epoch_count > 30, timeout=20_000)
    path = _save_model(qtbot, window, tmp_path / "live.npz")
    assert path is not None and not window.export_errors
    assert window.worker.playing   # the copy is taken between chunks: no pause needed
    model, config, _ = load_model(path)
    assert config.epochs == 1_000_000
    assert all(np.all(np.isfinite(p)) for p in model.get_params())
    window.set_playing(False)
