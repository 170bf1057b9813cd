"""Placeholder window: replaced by the live training window (issue 4)."""

from __future__ import annotations

import signal
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("nnfs-gui")
        self.setCentralWidget(QLabel("nnfs-gui"))
        self.resize(1280, 800)


def run_app(args) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("nnfs-gui")
    window = MainWindow()
    window.show()
    signal.signal(signal.SIGTERM, lambda *_: window.close())
    # Let Python see signals while Qt's event loop runs.
    tick = QTimer()
    tick.timeout.connect(lambda: None)
    tick.start(200)
    return app.exec()
