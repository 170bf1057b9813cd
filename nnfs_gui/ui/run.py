"""Run the window as ``main.py`` does: the application, the settings, the start-up
config (and a preset's own points), the pace, scripted runs and signals."""

from __future__ import annotations

import os
import signal
import sys

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from nnfs_gui.ui import presets
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
    config, note = presets.startup_config(args, settings.value("config"))
    window = MainWindow(config, settings, message=note)
    if (split := presets.startup_points(args)) is not None:
        window.session.new_run(config, split)   # a preset saved with its own points
    # The app ends with the main window, whatever other window is still open.
    app.setQuitOnLastWindowClosed(False)
    window.closed.connect(app.quit)
    if (pace := presets.starting_pace(args)) is not None:
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
