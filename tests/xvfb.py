"""A private Xvfb server for real-window tests, and a way to grab its screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.guest import guest_env, is_guest

SCREEN = "1600x1000x24"


class XServer:
    def __init__(self, display: str, proc: subprocess.Popen):
        self.display = display
        self.proc = proc
        self._guest: Path | None = None

    def env(self, **extra: str) -> dict[str, str]:
        """The environment for a process on this screen: the caller's, made a guest
        (its own HOME and settings) unless it already is one, then ``extra``."""
        env = dict(os.environ)
        env.pop("QT_QPA_PLATFORM", None)
        env.pop("WAYLAND_DISPLAY", None)
        env["DISPLAY"] = self.display
        if not is_guest(env):   # used outside pytest (scripts/make_screenshot.py)
            env.update(guest_env(self._own_guest()))
        env.update(extra)
        return env

    def _own_guest(self) -> Path:
        if self._guest is None:
            self._guest = Path(tempfile.mkdtemp(prefix="nnfs-gui-xvfb-"))
        return self._guest

    def grab(self, path: Path) -> Path:
        """Save the whole X screen as PNG (a separate Qt process reads the root window)."""
        code = (
            "import sys\n"
            "from PySide6.QtGui import QGuiApplication\n"
            "app = QGuiApplication([])\n"
            "ok = app.primaryScreen().grabWindow(0).save(sys.argv[1])\n"
            "sys.exit(0 if ok else 1)\n"
        )
        subprocess.run([sys.executable, "-c", code, str(path)], env=self.env(), check=True,
                       timeout=30)
        return path

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.stop_guest()

    def stop_guest(self) -> None:
        """Remove the home this server made for callers outside pytest, if any."""
        if self._guest is not None:
            shutil.rmtree(self._guest, ignore_errors=True)
            self._guest = None


def start_xvfb(screen: str = SCREEN) -> XServer:
    """A new Xvfb server on a free display, of ``screen`` size ("WIDTHxHEIGHTxDEPTH")."""
    exe = shutil.which("Xvfb")
    if exe is None:
        raise RuntimeError("Xvfb is not installed: run `make sysdeps` (apt-get install xvfb)")
    for n in range(90 + os.getpid() % 50, 400):
        if Path(f"/tmp/.X{n}-lock").exists():
            continue
        proc = subprocess.Popen([exe, f":{n}", "-screen", "0", screen, "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                return XServer(f":{n}", proc)
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        proc.kill()
    raise RuntimeError("could not start Xvfb")


def close_window(display: str, title: str, timeout: float = 10.0) -> bool:
    """Ask the top-level window named ``title`` to close, as a window manager's close
    button does (a WM_DELETE_WINDOW client message). False if no such window appeared."""
    from Xlib import X, protocol
    from Xlib import display as xdisplay

    d = xdisplay.Display(display)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            win = _find_window(d.screen().root, title)
            if win is not None:
                atom = d.intern_atom
                event = protocol.event.ClientMessage(
                    window=win, client_type=atom("WM_PROTOCOLS"),
                    data=(32, [atom("WM_DELETE_WINDOW"), X.CurrentTime, 0, 0, 0]))
                win.send_event(event)
                d.flush()
                return True
            time.sleep(0.2)
        return False
    finally:
        d.close()


def _find_window(win, title: str):
    try:
        name = win.get_wm_name()
    except Exception:
        name = None
    if isinstance(name, str) and name.startswith(title):
        return win
    for child in win.query_tree().children:
        found = _find_window(child, title)
        if found is not None:
            return found
    return None
