"""Run the window as ``main.py`` does: the application, the settings, the start-up
config (and a preset's own points), the pace, scripted runs and signals.

The start-up config comes from the first source that loads: --config FILE, --preset
NAME, the last session's settings, the default preset, Config defaults; each source
that does not load is named in the first status message, so the window always starts.
"""

from __future__ import annotations

import os
import signal
import sys

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from nnfs_gui.core.config import Config
from nnfs_gui.core.data.splits import DataSplit
from nnfs_gui.core.errors import bounded, short_repr
from nnfs_gui.core.files.presets import (
    DEFAULT_PRESET,
    load_preset,
    load_preset_run,
    read_preset_file,
    scan_presets,
)
from nnfs_gui.ui.main_window import MainWindow


def run_app(args) -> int:
    """Open the window (called by app.py) and run until it is closed."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("nnfs-gui")
    app.setOrganizationName("nnfs-gui")
    # X11 names untitled windows (e.g. Qt's hidden client-leader window) after the
    # display name; one that differs from the title keeps "nnfs-gui" unique to the
    # main window, which window managers and the real-window tests look for.
    app.setApplicationDisplayName("Neural Networks from Scratch")
    settings = QSettings()
    config, note = startup_config(args, settings.value("config"))
    window = MainWindow(config, settings, message=note)
    if (split := startup_points(args)) is not None:
        window.session.new_run(config, split)   # a preset saved with its own points
    # The app ends with the main window, whatever other window is still open.
    app.setQuitOnLastWindowClosed(False)
    window.closed.connect(app.quit)
    if (pace := starting_pace(args)) is not None:
        window.set_pace(pace)   # slow enough to watch; MainWindow alone: full speed
    window.show()
    if getattr(args, "compare", False):
        window.set_comparing(True)
    window.run_script(getattr(args, "play", False), getattr(args, "quit_after", None),
                      getattr(args, "screenshot", None))
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Close from the event loop, not inside whatever the main thread was doing.
        signal.signal(sig, lambda *_: QTimer.singleShot(0, window.close))
    # Let Python see signals while Qt's event loop runs.
    tick = QTimer(timeout=lambda: None)
    tick.start(200)
    code = app.exec()
    if any(s.worker.isRunning() for s in window.sessions()) or any(
            r.runner.running for r in window.lab_windows):
        # The worker's reader did not end in time (stop() kills the training process,
        # so this should not happen) and Qt aborts if a running QThread is destroyed:
        # leave at once, as promised.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    window.deleteLater()
    return code


def startup_config(args, saved_json: object = None) -> tuple[Config, str]:
    """The config to start with and a status message (empty when all went as asked).

    Order: --config FILE, --preset NAME, the last session's config, the default preset,
    Config defaults. Whatever a file or the settings hold, the window starts: each
    source that does not load is named in the message, and the next one is tried.
    ``saved_json`` is the settings value as QSettings returns it (a str, or a list
    for a hand-edited ``config=1, 2, 3``, or anything else).
    """
    notes = scan_presets()[1]
    for source, loader in _sources(args, saved_json):
        try:
            return loader(), _joined(notes)
        except Exception as e:  # noqa: BLE001 - start-up must survive any bad entry
            notes.append(f"ignored {source} ({_reason(e)})")
    notes.append("using the default settings")
    return Config(), _joined(notes)


def startup_points(args) -> DataSplit | None:
    """The points saved in the --config file or --preset the window starts with (a
    preset saved from drawn or imported data), or None (generated data, or a file that
    does not load: startup_config has then moved on to another source)."""
    try:
        if getattr(args, "config", None):
            return read_preset_file(args.config)[1]
        if getattr(args, "preset", None):
            return load_preset_run(args.preset)[1]
    except Exception:  # noqa: BLE001 - startup_config has said what it ignored
        return None
    return None


def _sources(args, saved_json):
    if getattr(args, "config", None):
        yield f"config {args.config}", lambda: Config.load(args.config)
    if getattr(args, "preset", None):
        yield f"preset {args.preset}", lambda: load_preset(args.preset)
    if saved_json is not None and saved_json != "":
        yield "the last session's settings", lambda: _saved_config(saved_json)
    yield f"preset {DEFAULT_PRESET}", lambda: load_preset(DEFAULT_PRESET)


def _saved_config(value: object) -> Config:
    if not isinstance(value, str):
        raise ValueError(f"a {type(value).__name__}, not a JSON text: {short_repr(value)}")
    return Config.from_json(value, "settings value")


def _reason(e: Exception) -> str:
    return str(e)


def _joined(notes: list[str]) -> str:
    """One status line: the notes, each bounded, the first few in full."""
    text = "; ".join(notes)
    return bounded(text[:1].upper() + text[1:], limit=600) if text else ""


# The interactive window's first pace, epochs/s: at full speed ch11-overfit's 10,000
# epochs pass in ~3 s and nobody sees its validation loss turn up. At 500/s its minimum
# (near epoch 420) comes after ~1 s and the climb fills the next ~20 s (measured: see
# the fixwindow report). The toolbar's Pace box shows it; "full speed" is one click.
WATCH_PACE = 500


def starting_pace(args) -> float | None:
    """The pace a window opened with ``args`` starts at: WATCH_PACE for a person at
    the window; full speed (None) for scripted runs (--play, --quit-after,
    --screenshot), which want their result, not a show."""
    scripted = any(getattr(args, name, None) for name in ("play", "quit_after", "screenshot"))
    return None if scripted else WATCH_PACE
