"""The lab's place in the main window: Tools > Sweep…, Learning curve, and opening a
sweep's run as model A or B.

`install_lab(window)` is the one call the window makes. Results windows are kept
on `window.lab_windows` (newest last) so tests and the user can find them.
"""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtGui import QAction, QKeySequence

from nnfs_gui.core.config import Config, spec
from nnfs_gui.core.formatting import count, typed
from nnfs_gui.training.lab.summary import x_label
from nnfs_gui.training.lab.sweep import SweepSpec, parse_sweep
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
    curve = QAction("Learning curve (more data)…", w)
    curve.setToolTip("The current settings trained on 25 to 800 samples per class, two "
                     "seeds; watch the training/validation gap close (ch. 13).")
    curve.triggered.connect(lambda: open_learning_curve_dialog(w))
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


def open_sweep_dialog(w, vary: tuple[str, str] | None = None,
                      title: str = "Sweep") -> SweepDialog:
    if getattr(w, "sweep_dialog", None) is not None:
        w.sweep_dialog.close()
    dialog = SweepDialog(w.config, w, vary, title)
    results_title = "Sweep results" if title == "Sweep" else title
    dialog.accepted.connect(lambda: start_sweep(w, dialog.sweep(), dialog.scheduler_address(),
                                                title=results_title))
    dialog.open()
    w.sweep_dialog = dialog
    return dialog


def open_learning_curve_dialog(w) -> SweepDialog:
    """The sweep dialog filled in as learning_curve_sweep: samples 25..800, two seeds,
    the current settings' own epoch limit. Shown, not started: a dozen runs of
    thousands of epochs are minutes of both cores, so the user sees them first (and
    can cut the epochs or the sizes)."""
    samples = ", ".join(str(n) for n in LEARNING_CURVE_SAMPLES)
    return open_sweep_dialog(w, ("samples", samples), "Learning curve")


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


def close_lab(w) -> None:
    """Close the sweep dialog and every results window, cancelling their sweeps (no
    worker process is left). The main window calls this as it closes."""
    dialog = getattr(w, "sweep_dialog", None)
    if dialog is not None:
        dialog.close()
    for window in list(getattr(w, "lab_windows", ())):
        window.close()   # ResultsWindow.closeEvent cancels a running sweep


def run_settings(result, current: Config) -> str:
    """What opening ``result`` sets: its varied values, its seed and epoch limit, and
    any other setting that differs from ``current`` (e.g. patience), as typed."""
    parts = [f"{name} {x_label(value)}" for name, value in result.values.items()]
    parts += [f"seed {result.seed}", f"epoch limit {count(result.config.epochs)}"]
    shown = {"seed", "epochs", "name", *result.values}
    if {"width", "depth"} & set(result.values):
        shown.add("hidden")   # width 16 is hidden (16,): said once
    for f in fields(Config):
        if f.name not in shown:
            value = getattr(result.config, f.name)
            if value != getattr(current, f.name):
                text = "off" if value is None else typed(value)
                parts.append(f"{spec(f.name).label.lower()} {text}")
    return ", ".join(parts)


def open_run(w, result, which: str) -> None:
    """A sweep's run in the main window: as A (controls and a new run) or as B. Runs
    are counted from 1, as the table and the grid list them."""
    config = result.config
    if which == "A":
        what = run_settings(result, w.config)
        w.controls.set_config(config)
        w.toolbar.show_preset("")   # the sweep's settings are no preset's
        w.banner.hide()
        w.session.new_run(config)
        w.status.message(f"Opened run {result.index + 1} of the sweep as model A: {what}; "
                         f"a new run.")
    else:
        w.set_comparing(True)
        what = run_settings(result, w.compare.config)
        w.compare.set_config(config)
        w.status.message(f"Opened run {result.index + 1} of the sweep as model B: {what}; "
                         f"on A's data.")
    w.raise_()
    w.activateWindow()
