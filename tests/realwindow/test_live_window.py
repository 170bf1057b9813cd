"""The real app under Xvfb: a scripted run's screenshot shows regions, points and curves;
closing the window or SIGTERM mid-run ends the process cleanly."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from nnfs_gui.ui import palette
from tests.realwindow.test_smoke import _image_array, close_and_wait


def _rgb(path: Path) -> np.ndarray:
    """(h, w, 3) uint8 RGB of a PNG (_image_array gives the bytes of Qt's RGB32: B, G, R)."""
    return _image_array(path)[..., ::-1]

ROOT = Path(__file__).resolve().parents[2]
CLASSES = 3


def _app(xserver, tmp_path, *args):
    env = xserver.env(XDG_CONFIG_HOME=str(tmp_path / "config"), OPENBLAS_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def tint_along_class(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel: the palette class whose hue it has (-1: none, e.g. white, grey, black)
    and how far from white towards that class colour it is (0 white, 1 the full colour).

    rgb: (h, w, 3) uint8. Returns ((h, w) int, (h, w) float).
    """
    away = 255.0 - rgb.astype(float)
    hues = np.array([255.0 - np.array(palette.class_color(c)) for c in range(CLASSES)])
    norm = np.linalg.norm(away, axis=-1)
    cos = (away @ hues.T) / (np.maximum(norm, 1e-9)[..., None] * np.linalg.norm(hues, axis=1))
    cls = np.where((cos.max(-1) > 0.995) & (norm > 15), cos.argmax(-1), -1)
    tint = np.take_along_axis(away @ hues.T / (hues * hues).sum(1),
                              np.maximum(cls, 0)[..., None], axis=-1)[..., 0]
    return cls, tint


def test_scripted_run_screenshot_shows_the_book_figures(xserver, tmp_path):
    shot = tmp_path / "shot.png"
    proc = _app(xserver, tmp_path, "--preset", "ch11-overfit", "--play", "--quit-after",
                "3000", "--screenshot", str(shot))
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    rgb = _rgb(shot)
    h, w, _ = rgb.shape
    cls, tint = tint_along_class(rgb)
    centre = (slice(0, h), slice(int(0.25 * w), int(0.68 * w)))
    c_cls, c_tint = cls[centre], tint[centre]
    area = c_cls.size
    for c in range(CLASSES):
        region = (c_cls == c) & (c_tint < palette.MAX_TINT + 0.03)
        assert region.sum() > 0.05 * area, f"class {c}: regions cover {region.mean():.1%}"
        # Validation points: the full class colour; training points: dimmed, so deeper
        # than any region but well short of the full colour.
        val_px = ((c_cls == c) & (c_tint > 0.93)).sum()
        train_px = ((c_cls == c) & (c_tint > 0.66) & (c_tint < 0.85)).sum()
        assert val_px > 300 and train_px > 150, (c, val_px, train_px)
    right = rgb[:, int(0.72 * w):]
    for name, color in (("training", palette.class_color(0)), ("validation",
                                                                palette.class_color(5))):
        line = np.all(np.abs(right.astype(int) - color) < 40, axis=-1).sum()
        assert line > 500, f"{name} curves: {line} pixels"


def test_closing_mid_run_exits_at_once(xserver, tmp_path):
    proc = _app(xserver, tmp_path, "--preset", "ch11-overfit", "--play")
    try:
        time.sleep(4.0)
        assert proc.poll() is None, proc.communicate()
        requested = time.monotonic()
        out, err, requests = close_and_wait(xserver.display, proc, patience=3.0)
        # Measured from the request that arrived (see close_and_wait on dropped ones).
        took = time.monotonic() - requested - (3.0 if requests == 2 else 0.0)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err, err
    # The design bound is one second (the worker stops between chunks of a few ms);
    # the margin is for a loaded, shared machine.
    assert took < 3.0, f"exit took {took:.2f} s after the close request"


def test_sigterm_mid_run_exits_cleanly(xserver, tmp_path):
    proc = _app(xserver, tmp_path, "--preset", "ch11-overfit", "--play")
    try:
        time.sleep(4.0)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err, err
