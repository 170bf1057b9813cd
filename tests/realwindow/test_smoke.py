"""`python main.py` opens a real window on an X screen and exits cleanly when closed."""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from tests.xvfb import close_window

ROOT = Path(__file__).resolve().parents[2]


def _image_array(path: Path) -> np.ndarray:
    img = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    ptr = img.constBits()
    return np.frombuffer(ptr, np.uint8).reshape(img.height(), img.bytesPerLine())[
        :, : img.width() * 4].reshape(img.height(), img.width(), 4)[..., :3].copy()


def close_and_wait(display: str, proc: subprocess.Popen, patience: float = 5.0) -> tuple:
    """Close the window as a window manager would; (stdout, stderr, requests sent).

    Under Xvfb without a window manager, a WM_DELETE_WINDOW message is now and then
    dropped before it reaches Qt's event system (seen in ~20% of runs, with the
    placeholder window of the first commit as well; no Close event arrives), while a
    second one closes the window at once: so one more request after ``patience`` s.
    """
    assert close_window(display, "nnfs-gui"), "no window titled nnfs-gui"
    try:
        return (*proc.communicate(timeout=patience), 1)
    except subprocess.TimeoutExpired:
        assert close_window(display, "nnfs-gui"), "the window vanished but did not exit"
        return (*proc.communicate(timeout=10), 2)


def test_window_opens_and_closes(xserver, tmp_path):
    before = _image_array(xserver.grab(tmp_path / "before.png"))
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py")], env=xserver.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3.0)
        assert proc.poll() is None, proc.communicate()
        shot = _image_array(xserver.grab(tmp_path / "window.png"))
        # An empty Xvfb screen is one flat colour; the window adds many.
        assert len(np.unique(before.reshape(-1, 3), axis=0)) <= 2
        changed = np.any(shot != before, axis=2).mean()
        assert changed > 0.2, f"only {changed:.1%} of the screen changed"
        out, err, _ = close_and_wait(xserver.display, proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_no_display_is_a_clear_error():
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "no display" in out.stderr and "--headless" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_help_and_version():
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "--help"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "--headless" in out.stdout and "--preset" in out.stdout
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "--version"],
                         capture_output=True, text=True, timeout=60)
    from nnfs_gui import __version__
    assert out.stdout.strip() == f"nnfs-gui {__version__}"
