"""Tests are guests: no test, and no process a test starts, reads or writes the
user's home or settings (``make test`` used to rewrite ~/.config/nnfs-gui)."""

import os
import pwd
import subprocess
import sys
from pathlib import Path

from tests.guest import GUEST_MARK, is_guest
from tests.xvfb import XServer

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = Path("nnfs-gui") / "nnfs-gui.conf"


def run_window_briefly(env: dict[str, str]) -> None:
    """The app as the tests run it: a window that trains to epoch 1, then closes
    (and, as on every close, saves its settings)."""
    env = {**env, "QT_QPA_PLATFORM": "offscreen", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--play", "--quit-after",
                           "1"], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


def test_this_process_is_a_guest(guest_home):
    from PySide6.QtCore import QSettings, QStandardPaths

    real_home = pwd.getpwuid(os.getuid()).pw_dir
    assert is_guest() and os.environ[GUEST_MARK] == str(guest_home)
    assert Path.home() == guest_home / "home" and str(Path.home()) != real_home
    settings = QSettings("nnfs-gui", "nnfs-gui")
    assert settings.fileName() == str(guest_home / "config" / SETTINGS)
    data = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    assert data == str(guest_home / "data")


def test_the_app_run_as_the_tests_run_it_leaves_an_empty_home_empty(tmp_path, guest_home):
    home = tmp_path / "home"
    home.mkdir()
    run_window_briefly({**os.environ, "HOME": str(home)})
    assert list(home.iterdir()) == []
    # It did save its settings: in the test's own settings folder.
    assert (guest_home / "config" / SETTINGS).is_file()


def test_without_the_guest_folders_the_same_run_writes_into_home(tmp_path):
    """The check above can fail: with only HOME set, the settings land in it."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    run_window_briefly({**env, "HOME": str(home)})
    assert (home / ".config" / SETTINGS).is_file()


def test_processes_on_the_test_x_screen_are_guests_inside_and_outside_pytest(monkeypatch):
    server = XServer(":99", proc=None)   # env() needs no running server
    env = server.env()
    assert is_guest(env) and env["HOME"] == os.environ["HOME"]
    monkeypatch.delenv(GUEST_MARK)   # as scripts/make_screenshot.py calls it
    monkeypatch.setenv("HOME", pwd.getpwuid(os.getuid()).pw_dir)
    env = server.env(XDG_CONFIG_HOME="/somewhere/else")
    assert env["HOME"] != os.environ["HOME"] and env["XDG_DATA_HOME"].startswith(
        env[GUEST_MARK]) and env["XDG_CONFIG_HOME"] == "/somewhere/else"
    server.stop_guest()
