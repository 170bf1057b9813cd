"""Tests are guests: a home of their own for every test and every process it starts.

``make test`` used to read and rewrite the user's own
``~/.config/nnfs-gui/nnfs-gui.conf``: the real-window tests started ``main.py``
with the user's environment. Every variable that tells Qt (QSettings,
QStandardPaths) or anything else where a user's files live is pointed into a
temporary folder instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Set to the guest folder while it is in use: a child of a test can tell.
GUEST_MARK = "NNFS_GUI_TEST_GUEST"
# Where settings, data and caches go: Qt reads XDG_* on Linux, HOME elsewhere.
_PLACES = {"HOME": "home", "XDG_CONFIG_HOME": "config", "XDG_DATA_HOME": "data",
           "XDG_CACHE_HOME": "cache", "XDG_STATE_HOME": "state"}


def guest_env(root: Path) -> dict[str, str]:
    """The environment variables that put a process's home and settings under ``root``."""
    env = {name: str(root / sub) for name, sub in _PLACES.items()}
    env[GUEST_MARK] = str(root)
    (root / "home").mkdir(parents=True, exist_ok=True)  # the rest Qt makes when it writes
    return env


def point_qt_settings_at(root: Path) -> None:
    """QSettings reads XDG_CONFIG_HOME once per process; move its user paths too
    (only if this process already imported Qt: core tests stay Qt-free)."""
    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is None:
        return
    settings = qtcore.QSettings
    for fmt in (settings.Format.NativeFormat, settings.Format.IniFormat):
        settings.setPath(fmt, settings.Scope.UserScope, str(root / "config"))


def is_guest(env: dict[str, str] | os._Environ = os.environ) -> bool:
    root = env.get(GUEST_MARK)
    return bool(root) and all(env.get(name, "").startswith(root) for name in _PLACES)
