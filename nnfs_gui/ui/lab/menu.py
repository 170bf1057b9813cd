"""The lab's place in the main window: Tools > Sweep…, Learning curve, and opening a
sweep's run as model A or B.

`install_lab(window)` is the one call the window makes. Results windows are kept
on `window.lab_windows` (newest last) so tests and the user can find them.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

from nnfs_gui.core.config import Config
from nnfs_gui.training.sweep import SweepSpec, parse_sweep
from nnfs_gui.ui.lab.dialog import SweepDialog
from nnfs_gui.ui.lab.results_window import ResultsWindow
from nnfs_gui.ui.lab.runner import SweepRunner

LEARNING_CURVE_SAMPLES = (25, 50, 100, 200, 400, 800)


def install_lab(w) -> None:
    w.lab_windows = []
    w.tools_menu = w.menuBar().addMenu("&Tools")
    sweep = QAction("Sweep…", w)
    sweep.setShortcut(QKeySequence("Ctrl+Shift+W"))
    sweep.setToolTip("Train many runs of the current settings, varying one or two of "
                     "them, and compare how each generalizes (ch. 11).")
    sweep.triggered.connect(lambda: open_sweep_dialog(w))
    curve = QAction("Learning curve (more data)", w)
    curve.setToolTip("One click: the current settings trained on 25 to 800 samples per "
                     "class; watch the training/validation gap close (ch. 13).")
    curve.triggered.connect(lambda: start_sweep(w, learning_curve_sweep(w.config),
                                                title="Learning curve"))
    restore = QAction("Restore best weights", w)
    restore.setToolTip("Put back the weights of the epoch with the lowest validation "
                       "loss (early stopping, ch. 11; set Patience to stop there).")
    restore.triggered.connect(lambda: restore_best(w))
    w.tools_menu.addAction(sweep)
    w.tools_menu.addAction(curve)
    w.tools_menu.addSeparator()
    w.tools_menu.addAction(restore)
    w.sweep_action, w.learning_curve_action, w.restore_best_action = sweep, curve, restore


def restore_best(w) -> None:
    for session in w.sessions():
        session.restore_best()
    w.status.message("Restored the weights of the best validation epoch.")


def open_sweep_dialog(w) -> SweepDialog:
    dialog = SweepDialog(w.config, w)
    dialog.accepted.connect(lambda: start_sweep(w, dialog.sweep(), dialog.scheduler_address()))
    dialog.open()
    w.sweep_dialog = dialog
    return dialog


def learning_curve_sweep(config: Config) -> SweepSpec:
    return parse_sweep({"base": config.to_dict(), "vary": {"samples": list(LEARNING_CURVE_SAMPLES)},
                        "seeds": [config.seed, config.seed + 1], "epochs": config.epochs})


def start_sweep(w, sweep: SweepSpec, scheduler: str | None = None,
                title: str = "Sweep results", n_workers: int | None = None) -> ResultsWindow:
    runner = SweepRunner(sweep, scheduler, n_workers)
    window = ResultsWindow(runner, title)
    window.open_requested.connect(lambda result, which: open_run(w, result, which))
    w.lab_windows.append(window)
    window.show()
    runner.start()
    return window


def open_run(w, result, which: str) -> None:
    """A sweep's run in the main window: as A (controls and a new run) or as B."""
    config = result.config
    if which == "A":
        w.controls.set_config(config)
        w.banner.hide()
        w.session.new_run(config)
        w.status.message(f"Model A: the sweep's run {result.index} (seed {result.seed}), "
                         f"a new run.")
    else:
        w.set_comparing(True)
        w.compare.set_config(config)
        w.status.message(f"Model B: the sweep's run {result.index} (seed {result.seed}), "
                         f"on A's data.")
    w.raise_()
    w.activateWindow()
