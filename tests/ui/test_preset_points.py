"""Issue 13: a preset saved while the run is on its own (drawn) points keeps them; loading
it in the window or headless (--config) trains on exactly those points, and a preset
with broken points is one line, never a traceback."""

import csv
import json

import numpy as np
import pytest

from nnfs_gui.core.config import Config, ConfigError
from nnfs_gui.core.files import presets
from nnfs_gui.core.files.presets import read_preset_file
from nnfs_gui.ui.run import startup_points
from tests.training.test_headless import one_line_error, run_cli
from tests.ui.test_draw_mode import run_on
from tests.ui.test_window import shown_window


@pytest.fixture
def drawn_window(qtbot, tmp_path, monkeypatch):
    """The window on drawn points; user presets go to tmp_path/presets."""
    monkeypatch.setattr(presets, "user_presets_dir", lambda: tmp_path / "presets")
    w = shown_window(qtbot, "ch11-overfit")
    w.draw_mode.set_active(True)
    w.draw_mode.add(0.1, 0.2)          # an outlier of class 0 among the spiral
    w.draw_mode.set_label(1)
    w.draw_mode.add(-0.3, 0.45)
    drawn = w.draw_mode.points()
    run_on(qtbot, w, drawn)
    yield w, drawn
    w.close()


def test_a_preset_saved_while_drawing_keeps_the_points_and_loads_onto_them(qtbot,
                                                                           drawn_window):
    w, drawn = drawn_window
    w.save_preset("my-drawing")
    path = presets.scan_presets()[0]["my-drawing"]
    saved = json.loads(path.read_text())["points"]
    assert saved["source"] == "drawn" and len(saved["y_train"]) == len(drawn.y_train)
    w.load_preset("ch11-overfit")               # away to the spiral...
    qtbot.waitUntil(lambda: w.session.split is None, timeout=5000)
    w.load_preset("my-drawing")                 # ...and back: a run on the drawn points
    run_on(qtbot, w, drawn)
    for key in ("x_train", "y_train", "x_val", "y_val"):
        np.testing.assert_array_equal(getattr(w.session.split, key), getattr(drawn, key))
    assert w.session.split.source == "drawn"


def test_headless_config_trains_on_the_presets_points(qtbot, drawn_window, tmp_path):
    w, drawn = drawn_window
    path = presets.save_preset(w.config, "cli", w.session.split)
    out = tmp_path / "out"
    result = run_cli("--config", str(path), "--epochs", "5", "--out", str(out),
                     "--export", "dataset")
    assert result.returncode == 0, result.stderr
    with open(out / "dataset.csv") as f:
        rows = list(csv.DictReader(f))
    for part, x, y in (("train", drawn.x_train, drawn.y_train),
                       ("val", drawn.x_val, drawn.y_val)):
        got = [r for r in rows if r["split"] == part]
        np.testing.assert_allclose([[float(r["x"]), float(r["y"])] for r in got], x,
                                   rtol=1e-6)
        assert [int(r["label"]) for r in got] == y.tolist()


def _preset_with(tmp_path, **points):
    good = {"source": "drawn", "strategy": "holdout", "x_train": [[0.1, 0.2], [0.3, 0.4]],
            "y_train": [0, 1], "x_val": [[0.0, 0.5]], "y_val": [2]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps({**Config(classes=3).to_dict(), "points": {**good, **points}}))
    return path


def test_a_good_points_value_reads_back_as_a_split(tmp_path):
    config, split = read_preset_file(_preset_with(tmp_path))
    assert config.classes == 3 and split.source == "drawn"
    np.testing.assert_array_equal(split.x_val, np.array([[0.0, 0.5]], np.float32))
    assert Config.load(_preset_with(tmp_path)) == config   # settings alone still load


@pytest.mark.parametrize("points, words", [
    ({"x_train": [[0.1, "a"], [0.3, 0.4]]}, "x_train[0]"),
    ({"x_train": [[0.1, 0.2, 0.3], [0.3, 0.4]]}, "two finite numbers"),
    ({"x_train": [[1e39, 0.2], [0.3, 0.4]]}, "x_train[0]"),
    ({"y_val": [3]}, "y_val[0]: expected a class 0..2"),
    ({"y_train": [0, True]}, "y_train[1]"),
    ({"y_train": [0]}, "2 points but y_train 1"),
    ({"x_train": [], "y_train": []}, "x_train: 0 points"),
    ({"x_train": [[0.0, 0.0]] * 50_001, "y_train": [0] * 50_001}, "50,001 points"),
    ({"strategy": "sideways"}, "strategy"),
    ({"extra": 1}, "unknown key"),
])
def test_broken_points_are_one_config_error_line(tmp_path, points, words):
    with pytest.raises(ConfigError) as e:
        read_preset_file(_preset_with(tmp_path, **points))
    assert words in str(e.value) and "points" in str(e.value) and "\n" not in str(e.value)


def test_headless_broken_points_is_one_line_exit_2(tmp_path):
    path = _preset_with(tmp_path, y_train=[0, 7])
    line = one_line_error(run_cli("--config", str(path), "--epochs", "5"))
    assert str(path) in line and "y_train[1]" in line


def test_a_preset_with_broken_points_is_left_out_of_the_list(tmp_path, monkeypatch):
    monkeypatch.setattr(presets, "user_presets_dir", lambda: tmp_path)
    _preset_with(tmp_path, y_val=[9])
    names, notes = presets.scan_presets()
    assert "p" not in names and any("y_val[0]" in n for n in notes)


def test_the_window_started_with_such_a_preset_trains_on_its_points(qtbot, drawn_window):
    """`main.py --preset NAME` / `--config FILE` (run_app): the preset's own points."""
    from argparse import Namespace

    w, drawn = drawn_window
    path = presets.save_preset(w.config, "startup", w.session.split)
    for args in (Namespace(preset="startup", config=None),
                 Namespace(preset=None, config=str(path))):
        split = startup_points(args)
        np.testing.assert_array_equal(split.x_train, drawn.x_train)
        assert split.source == "drawn"
    assert startup_points(Namespace(preset="ch11-overfit", config=None)) is None
    assert startup_points(Namespace(preset="no-such", config=None)) is None
