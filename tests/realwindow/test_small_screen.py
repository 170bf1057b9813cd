"""On a 1366x768 screen the whole window is on screen: its edges, its status bar,
even when the settings remember a larger window at a place now off screen."""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.realwindow.test_smoke import _image_array, close_and_wait
from tests.xvfb import _find_window, start_xvfb

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1366, 768
# What a session on a bigger screen saved: larger than this screen, and placed so
# that most of it would be off screen.
SAVED = "[window]\nsize=@Size(1800 1000)\npos=@Point(900 500)\n"


@pytest.fixture(scope="module")
def small_screen():
    server = start_xvfb(f"{WIDTH}x{HEIGHT}x24")
    yield server
    server.stop()


def window_rect(display: str, title: str = "nnfs-gui", timeout: float = 20.0):
    """(x, y, width, height) on the root window of the top-level window ``title``."""
    from Xlib import display as xdisplay

    d = xdisplay.Display(display)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            win = _find_window(d.screen().root, title)
            if win is not None and win.get_attributes().map_state == 2:  # viewable
                geo = win.get_geometry()
                at = win.translate_coords(d.screen().root, 0, 0)
                return -at.x, -at.y, geo.width, geo.height
            time.sleep(0.2)
        return None
    finally:
        d.close()


def _app(server, tmp_path, settings: str | None):
    config = tmp_path / "config"
    if settings is not None:
        (config / "nnfs-gui").mkdir(parents=True)
        (config / "nnfs-gui" / "nnfs-gui.conf").write_text(settings)
    env = server.env(XDG_CONFIG_HOME=str(config), OPENBLAS_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--preset",
                             "ch11-overfit"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("settings", [None, SAVED], ids=["first-start", "saved-larger"])
def test_the_whole_window_is_on_a_1366x768_screen(small_screen, tmp_path, settings):
    proc = _app(small_screen, tmp_path, settings)
    try:
        rect = window_rect(small_screen.display)
        assert rect is not None, proc.communicate(timeout=10)
        time.sleep(2.0)   # painted, and any move after the first show done
        x, y, w, h = window_rect(small_screen.display)
        assert x >= 0 and y >= 0 and x + w <= WIDTH and y + h <= HEIGHT, (x, y, w, h)
        assert w >= 0.8 * WIDTH and h >= 0.8 * HEIGHT   # fitted, not shrunk to nothing
        shot = _image_array(small_screen.grab(tmp_path / "screen.png"))
        # The status bar is the window's bottom strip: painted (not the black of an
        # empty Xvfb screen), with text in it (more than one colour).
        status = shot[y + h - 20:y + h - 4, x + 4:x + w - 4].reshape(-1, 3)
        assert np.mean(status.sum(axis=1) > 60) > 0.9
        assert len(np.unique(status, axis=0)) > 4
        _, err, _ = close_and_wait(small_screen.display, proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_compare_mode_fits_a_1366x768_screen(small_screen, tmp_path):
    """Model B beside A (--compare, as key C): the window stays on the screen, right
    edge (epoch box, replay, legends, the x-axis's end) included."""
    config = tmp_path / "config"
    env = small_screen.env(XDG_CONFIG_HOME=str(config), OPENBLAS_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--preset",
                             "ch11-overfit", "--compare"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert window_rect(small_screen.display) is not None, proc.communicate(timeout=10)
        time.sleep(4.0)   # B's pane built, both training, any move after it done
        x, y, w, h = window_rect(small_screen.display)
        assert x >= 0 and y >= 0 and x + w <= WIDTH and y + h <= HEIGHT, (x, y, w, h)
        assert w >= 0.8 * WIDTH
        shot = _image_array(small_screen.grab(tmp_path / "compare.png"))
        # The window's right edge is painted (a widget background, not Xvfb's black).
        right = shot[y + 60:y + h - 60, x + w - 6:x + w - 1].reshape(-1, 3)
        assert np.mean(right.sum(axis=1) > 60) > 0.9
        _, err, _ = close_and_wait(small_screen.display, proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
