"""The app (run_app, as main.py starts it) with a long sweep running in a results
window: for the tests that close it (tests/ui/test_lab_close.py) and look at it on a
small screen (tests/realwindow/test_lab_small_screen.py).

    python tests/lab_app.py [learning-curve]

Prints "sweep started" once the results window is shown. The sweep's runs train for
hours (epoch limit 400,000), so its worker processes are busy until cancelled;
``learning-curve``: the learning curve of the preset at 300 epochs (done in ~a minute).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnfs_gui.app import build_parser  # noqa: E402
from nnfs_gui.training.lab.sweep import parse_sweep  # noqa: E402
from nnfs_gui.ui.lab.menu import learning_curve_sweep, start_sweep  # noqa: E402
from nnfs_gui.ui.main_window import MainWindow  # noqa: E402
from nnfs_gui.ui.run import run_app  # noqa: E402

LONG = {"base": "ch11-overfit", "vary": {"width": [8, 16, 32, 64, 128, 256]},
        "seeds": [0, 1, 2, 3, 4, 5], "epochs": 400_000}


def start(app: QApplication, learning_curve: bool) -> None:
    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
    if learning_curve:
        sweep = learning_curve_sweep(window.config.replace(epochs=300))
        start_sweep(window, sweep, title="Learning curve", n_workers=2)
    else:
        start_sweep(window, parse_sweep(LONG), n_workers=2)
    print("sweep started", flush=True)


if __name__ == "__main__":
    app = QApplication(sys.argv[:1])
    QTimer.singleShot(500, lambda: start(app, sys.argv[1:] == ["learning-curve"]))
    sys.exit(run_app(build_parser().parse_args(["--preset", "ch11-overfit"])))
