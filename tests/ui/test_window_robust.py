"""The window under heavy settings, after a divergence, and opening bad model files
(issue 14). Times are printed for the report, never asserted."""

from __future__ import annotations

import time
import zipfile

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.presets import load_preset
from nnfs_gui.core.files.serialization import save_model
from nnfs_gui.core.net.model import Model
from nnfs_gui.ui.main_window import MainWindow
from tests.core.test_model_files import config_changed, npy_header, zipped
from tests.training.test_robust_training import DIVERGING

WAIT_MS = 60_000
SMALL = Config(name="small", samples=40, hidden=(16,), epochs=100_000)
# The fuzzing run's heavy settings: 440,000 training rows through 4x512 hidden units,
# one epoch takes tens of seconds on this machine.
HEAVY = load_preset("ch11-overfit").replace(samples=5000, classes=8, augment_copies=10,
                                            hidden=(512, 512, 512, 512))


def open_window(qtbot, config):
    w = MainWindow(config)
    qtbot.addWidget(w)
    w.show()
    errors: list[str] = []
    w.export_controller.show_error = errors.append  # no modal box in tests
    w.export_errors = errors
    return w


def frame_after_last_message(w):
    """The newest frame reflects every message sent (it carries their seq)."""
    f = w.worker.latest
    return f is not None and f.run_id == w.run_id and f.seq == w.worker._seq


def test_pause_cuts_a_heavy_epoch_short(qtbot):
    start = time.perf_counter()
    w = open_window(qtbot, HEAVY)
    qtbot.waitUntil(lambda: w.frames_drawn > 0, timeout=WAIT_MS)
    print(f"\nfirst frame after {time.perf_counter() - start:.2f} s")
    w.set_playing(True)
    qtbot.wait(3000)            # well inside the first epoch
    assert w.session.epoch == 0
    paused_at = time.perf_counter()
    w.set_playing(False)
    qtbot.waitUntil(lambda: frame_after_last_message(w) and not w.worker.latest.playing,
                    timeout=WAIT_MS)
    print(f"pause took effect after {time.perf_counter() - paused_at:.2f} s")
    # The epoch under way was cut short (an epoch takes tens of seconds): no row, and
    # nothing trains on while paused.
    assert w.session.epoch == 0 and len(w.session.history) == 0
    qtbot.wait(1500)
    assert w.worker.latest.epoch == 0 and w.worker.latest.train_seconds > 0
    w.close()


def test_play_after_a_divergence_trains_on_and_the_banner_goes(qtbot):
    w = open_window(qtbot, DIVERGING)
    qtbot.waitUntil(lambda: w.frames_drawn > 0, timeout=WAIT_MS)
    w.set_playing(True)
    qtbot.waitUntil(lambda: bool(w.session.diverged) and w.banner.isVisible(),
                    timeout=WAIT_MS)
    assert "Try a lower learning rate" in w.banner.text()
    stopped_at = w.session.epoch
    w.apply_config(w.config.replace(learning_rate=0.01))
    w.set_playing(True)
    qtbot.waitUntil(lambda: w.session.epoch > stopped_at + 20, timeout=WAIT_MS)
    assert not w.session.diverged and not w.banner.isVisible()
    w.close()


@pytest.fixture
def small_window(qtbot):
    w = open_window(qtbot, SMALL)
    qtbot.waitUntil(lambda: w.frames_drawn > 0, timeout=WAIT_MS)
    w.set_playing(True)
    qtbot.waitUntil(lambda: w.session.epoch > 10, timeout=WAIT_MS)
    yield w
    w.close()


def saved_members(tmp_path, config) -> dict[str, bytes]:
    model = Model.from_config(config, 2, config.classes, np.random.default_rng(0))
    path = save_model(tmp_path / "ok.npz", model, config, epoch=3)
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


BAD_FILES = {
    # a header declaring 10^12 values (3.6 TiB if allocated)
    "bomb": lambda m: zipped({**m, "param_0.npy": npy_header("<f4", (10**6, 10**6))}),
    # its settings say 4 classes, its weights have 3 outputs
    "mismatched": lambda m: zipped(config_changed(m, classes=4)),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_model_file_is_one_message_and_the_run_goes_on(qtbot, small_window, tmp_path,
                                                             kind):
    w = small_window
    path = tmp_path / f"{kind}.npz"
    path.write_bytes(BAD_FILES[kind](saved_members(tmp_path, SMALL)))
    run_id, epoch = w.run_id, w.session.epoch
    assert not w.export_controller.open_model(path)
    qtbot.wait(500)
    assert len(w.export_errors) == 1 and f"{kind}.npz" in w.export_errors[0]
    assert not w.banner.isVisible() and "Opened" not in w.status.bar.currentMessage()
    assert w.run_id == run_id and w.worker.playing
    qtbot.waitUntil(lambda: w.session.epoch > epoch, timeout=WAIT_MS)   # still training


def test_a_model_of_other_settings_opens_with_its_own(qtbot, small_window, tmp_path):
    w = small_window
    other = SMALL.replace(classes=4, hidden=(8,))
    path = save_model(tmp_path / "four.npz", Model.from_config(
        other, 2, 4, np.random.default_rng(0)), other, epoch=3)
    run_id = w.run_id
    assert w.export_controller.open_model(path)
    qtbot.waitUntil(lambda: "Opened four.npz" in w.status.bar.currentMessage(),
                    timeout=WAIT_MS)
    assert "with its own settings (classes 4, hidden 8)" in w.status.bar.currentMessage()
    assert w.run_id == run_id + 1 and w.config == other
    assert not w.banner.isVisible() and not w.export_errors
