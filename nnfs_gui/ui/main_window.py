"""The live training window: controls left, decision regions centre, curves right.

This file only wires the pieces together: the worker (worker.py; training runs
in a child process), the views (decision_view.py, curves_view.py), the control
panel (controls.py), the toolbar (toolbar.py) and the status bar (status.py).
"""

from __future__ import annotations

import os
import signal
import sys

from PySide6.QtCore import QPoint, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nnfs_gui.core.config import Config, spec
from nnfs_gui.training.loop import Frame
from nnfs_gui.ui import presets
from nnfs_gui.ui.compare import ComparePane, figures_text, partner_config
from nnfs_gui.ui.controls import ControlPanel
from nnfs_gui.ui.status import TrainingStatus
from nnfs_gui.ui.toolbar import TrainingToolbar
from nnfs_gui.ui.views.curves_view import CurvesView
from nnfs_gui.ui.views.decision_view import DecisionView
from nnfs_gui.ui.worker import TrainingWorker

FINE_GRID = 150     # decision-grid size when the user is idle
COARSE_GRID = 60    # while a slider or the view is being dragged
FINE_AFTER_MS = 400  # back to the fine grid this long after the last drag
BANNER_STYLE = "background:#fde2e1; color:#7a1b16; padding:6px; border:1px solid #e0a09c;"


class MainWindow(QMainWindow):
    """The window. ``decision_view``, ``curves_view``, ``file_menu`` and ``export_menu``
    are public so exports (ui/export/) can add their actions."""

    def __init__(self, config: Config | None = None, settings: QSettings | None = None,
                 message: str = "") -> None:
        super().__init__()
        self.setWindowTitle("nnfs-gui")
        self.config = config or Config()
        self.settings = settings
        self.run_id = 0
        self.quit_after: int | None = None
        self.screenshot_path: str | None = None
        self.frames_drawn = 0
        self.frame_listeners: list = []   # callables(frame), run after a frame is drawn
        self._build_menus()
        self._build_body()
        self._connect()
        self._coarse_timer = QTimer(self, singleShot=True, interval=FINE_AFTER_MS)
        self._coarse_timer.timeout.connect(lambda: self.worker.set_grid_size(FINE_GRID))
        self._install_exports()
        self._restore_geometry()
        self.worker = TrainingWorker()
        self.worker.frame_ready.connect(self._on_frame)
        self.worker.set_grid_size(FINE_GRID)
        self.worker.start()
        self.new_run()
        if message:
            self.status.message(message, 10000)

    # -- construction --------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.presets_menu = bar.addMenu("&Presets")
        self.export_menu = bar.addMenu("&Export")
        save = QAction("Save current as preset…", self)
        # Ctrl+S is Save model (ui/export/); two actions on one key fire neither.
        save.setShortcut(QKeySequence("Ctrl+Shift+S"))
        save.setToolTip("Save the current settings as a preset of your own.")
        save.triggered.connect(self.save_preset_dialog)
        quit_ = QAction("Quit", self)
        quit_.setShortcut(QKeySequence.StandardKey.Quit)
        quit_.triggered.connect(self.close)
        self.file_menu.addAction(save)
        self.file_menu.addSeparator()
        self.file_menu.addAction(quit_)
        self.view_menu = bar.addMenu("&View")
        self.compare_action = QAction("Compare with model B", self)
        self.compare_action.setCheckable(True)
        self.compare_action.setShortcut(QKeySequence("C"))
        self.compare_action.setToolTip(
            "Train a second model beside this one and show both decision regions side "
            "by side (ch. 11, Fig 11.01): Play, Step and Reset drive both. (C)")
        self.compare_action.toggled.connect(self.set_comparing)
        self.view_menu.addAction(self.compare_action)
        self.toolbar = TrainingToolbar(self.export_menu, self)
        self.addToolBar(self.toolbar)
        self.toolbar.insertAction(self.toolbar.reset, self.compare_action)
        self._fill_presets()

    def _build_body(self) -> None:
        self.controls = ControlPanel(self.config)
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(330)
        self.decision_view = DecisionView()
        self.curves_view = CurvesView()
        self.banner = QLabel()
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.a_title = QLabel("<b>A</b>: the settings on the left; solid curves on the right")
        self.a_title.hide()
        self.a_figures = QLabel()    # A's figures in B's format, while comparing
        self.a_figures.setWordWrap(True)
        self.a_figures.hide()
        self._a_row: dict | None = None
        a_side = QWidget()
        a_box = QVBoxLayout(a_side)
        a_box.setContentsMargins(0, 0, 0, 0)
        a_box.addWidget(self.a_title)
        a_box.addWidget(self.decision_view, 1)
        a_box.addWidget(self.a_figures)
        self.views_split = QSplitter(Qt.Orientation.Horizontal)
        self.views_split.addWidget(a_side)
        self.compare = None   # the ComparePane of model B while comparing
        centre = QWidget()
        box = QVBoxLayout(centre)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.banner)
        box.addWidget(self.views_split, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        for w, stretch in ((scroll, 0), (centre, 3), (self.curves_view, 2)):
            split.addWidget(w)
            split.setStretchFactor(split.count() - 1, stretch)
        split.setSizes([340, 620, 440])
        self.setCentralWidget(split)
        self.status = TrainingStatus(self.statusBar())
        self.resize(1400, 860)

    def _connect(self) -> None:
        tb = self.toolbar
        tb.play.toggled.connect(self.set_playing)
        tb.step.triggered.connect(lambda: self.step(1))
        tb.step_n.triggered.connect(lambda: self.step(tb.n_box.value()))
        tb.reset.triggered.connect(self.reset_run)
        tb.preset_chosen.connect(self.load_preset)
        self.controls.edited.connect(self._on_edited)
        self.controls.rejected.connect(lambda text: self.status.message(text))
        self.controls.dragging.connect(lambda on: on and self._coarse_for_a_while())
        self.decision_view.interacting.connect(self._coarse_for_a_while)

    def _fill_presets(self) -> None:
        names = list(presets.preset_paths())
        self.toolbar.set_presets(names, self.config.name)
        self.presets_menu.clear()
        for name in names:
            self.presets_menu.addAction(name, lambda n=name: self.load_preset(n))

    def _install_exports(self) -> None:
        try:
            from nnfs_gui.ui.export import install_export_actions
        except ImportError:
            placeholder = self.export_menu.addAction("Export is not available in this build")
            placeholder.setEnabled(False)
            return
        try:
            install_export_actions(self)
        except Exception as e:  # noqa: BLE001 - the window must open even if exports break
            self.export_menu.addAction(f"Export failed to load: {e}").setEnabled(False)

    # -- commands ------------------------------------------------------------------------
    def set_playing(self, playing: bool) -> None:
        (self.worker.play if playing else self.worker.pause)()
        if self.compare is not None:
            self.compare.set_playing(playing)
        self.toolbar.set_playing(playing)

    def step(self, n: int) -> None:
        self.set_playing(False)
        self.worker.step(n)
        if self.compare is not None:
            self.compare.step(n)

    def reset_run(self) -> None:
        self.new_run()
        if self.compare is not None:
            self.compare.new_run()
        self.status.message("Reset: a new run with fresh weights.")

    def set_comparing(self, on: bool) -> None:
        """Show model B beside A (ch. 11, Fig 11.01), or close it and end its training."""
        self.compare_action.setChecked(on)
        if on and self.compare is None:
            b = partner_config(self.config)
            pane = ComparePane(b, copied=b is self.config)
            pane.copy_a.clicked.connect(lambda: pane.set_config(self.config, copied=True))
            pane.changed.connect(lambda: self.status.message(
                f"B is now {pane.label}: a new run, from epoch 0."))
            self.curves_view.show_b(True)
            pane.run_started.connect(self.curves_view.reset_b)
            pane.new_rows.connect(self.curves_view.append_b)
            self.views_split.addWidget(pane)
            width = max(2, self.views_split.width())
            self.views_split.setSizes([width // 2, width - width // 2])
            self.compare = pane
            self.a_title.setMinimumHeight(pane.picker.sizeHint().height())
            self.a_title.show()
            self.a_figures.setText(figures_text(self._a_row, self.status.epoch_count))
            self.a_figures.show()
            if self.worker.playing:
                pane.set_playing(True)
            self.status.message(f"Comparing A with B ({pane.label}); B starts at epoch 0.")
        elif not on and self.compare is not None:
            pane, self.compare = self.compare, None
            pane.stop()
            self.curves_view.show_b(False)
            pane.hide()
            pane.deleteLater()
            self.a_title.hide()
            self.a_figures.hide()

    def new_run(self) -> None:
        """Start a new run of the current config; frames of older runs are ignored."""
        self.run_id += 1
        self.banner.hide()
        self.worker.submit(self.config, self.run_id)

    def start_from_model(self, config: Config, params: list) -> None:
        """A new run of ``config`` whose weights are ``params`` (a loaded model), paused:
        its first frame shows the loaded model; Play trains on with a fresh optimizer."""
        self.toolbar.set_playing(False)
        self.controls.set_config(config)
        self.toolbar.show_preset("")
        self.config = config
        self.run_id += 1
        self.banner.hide()
        self.worker.submit_model(config, self.run_id, params)

    def apply_config(self, config: Config, restart: bool) -> None:
        self.config = config
        if restart:
            self.new_run()
        else:
            self.worker.submit(config, self.run_id)

    def load_preset(self, name: str) -> None:
        if not name:
            return
        try:
            config = presets.load_preset(name)
        except (KeyError, ValueError) as e:
            self.status.message(f"Preset {name} could not be loaded: {e}")
            return
        self.controls.set_config(config)
        self.toolbar.show_preset(name)
        self.apply_config(config, restart=True)
        self.status.message(f"Loaded preset {name}: a new run.")

    def save_preset_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "Save preset", "Preset name:",
                                        text=self.config.name)
        if ok and name.strip():
            self.save_preset(name.strip())

    def save_preset(self, name: str) -> None:
        try:
            path = presets.save_preset(self.config, name)
        except (OSError, ValueError) as e:
            self.status.message(f"Could not save the preset: {e}")
            return
        self.config = self.config.replace(name=name)
        self.controls.config = self.config
        self._fill_presets()
        self.status.message(f"Saved preset {name} to {path}")

    # -- events --------------------------------------------------------------------------
    def _on_edited(self, config: Config, field: str) -> None:
        live = spec(field).live
        self.toolbar.show_preset("")
        self.apply_config(config, restart=not live)
        label, value = spec(field).label, getattr(config, field)
        how = "applied to the running model" if live else "a restart setting: started a new run"
        self.status.message(f"{label} = {value}: {how}.")

    def _coarse_for_a_while(self) -> None:
        if not self._coarse_timer.isActive():
            self.worker.set_grid_size(COARSE_GRID)
        self._coarse_timer.start()

    def _on_frame(self, frame: Frame) -> None:
        try:
            self._show_frame(frame)
        except Exception as e:  # noqa: BLE001 - a drawing failure is a message, not a crash
            self.status.message(f"Could not draw the run: {e}")
        finally:
            self.worker.acknowledge_when_painted()

    def _show_frame(self, frame: Frame) -> None:
        if frame.error:
            self.show_banner(frame.error)
        # The worker's flag, not the frame's: a frame sent just before a click is stale.
        self.toolbar.set_playing(self.worker.playing)
        if self.compare is not None and not self.worker.playing and self.compare.worker.playing:
            self.compare.set_playing(False)   # A stopped by itself (limit, NaN, error)
        snap = frame.snapshot
        if snap is None or frame.run_id != self.run_id:
            return
        if frame.points is not None:
            self.decision_view.reset(frame.points)
            self.curves_view.reset()
            self.status.reset(self.config.epochs)
        self.curves_view.append(snap.history)
        self.decision_view.update_snapshot(snap, frame.val_pred)
        self._show_a_figures(snap, frame.points is not None)
        self._show_progress(snap, frame.playing)
        self.frames_drawn += 1
        for listener in self.frame_listeners:
            listener(frame)
        if snap.diverged:
            self.show_banner(snap.message or "Training diverged: paused.")
        self._check_script_end(snap.epoch)

    def _show_a_figures(self, snap, new_run: bool) -> None:
        if new_run:
            self._a_row = None
        if len(snap.history["epoch"]):
            self._a_row = {k: float(v[-1]) for k, v in snap.history.items()}
        if self.compare is not None:
            self.a_figures.setText(figures_text(self._a_row, snap.epoch))

    def _show_progress(self, snap, playing: bool) -> None:
        if not self.status.set_epoch(snap.epoch, self.config.epochs, playing, snap.finished):
            return
        self.toolbar.set_epoch(snap.epoch)
        data = self.curves_view.history_arrays()
        if len(data["epoch"]):
            self.status.set_losses(float(data["data_loss"][-1]), float(data["val_loss"][-1]))
        if snap.finished and not playing:
            self.status.message(f"Reached the epoch limit ({self.config.epochs:,}). Raise "
                                "it in Optimizer > Epoch limit to go on, or Reset.")

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()
        self.status.message(text, 15000)

    # -- scripted runs (--quit-after, --screenshot) ---------------------------------------
    def run_script(self, play: bool, quit_after: int | None, screenshot: str | None) -> None:
        self.quit_after, self.screenshot_path = quit_after, screenshot
        if quit_after is not None:
            self.worker.set_pause_at(quit_after)
            if self.compare is not None:
                self.compare.worker.set_pause_at(quit_after)
        if play:
            self.set_playing(True)

    def _check_script_end(self, epoch: int) -> None:
        if self.quit_after is None or epoch < self.quit_after:
            return
        self.quit_after = None
        QTimer.singleShot(400, self._end_script)

    def _end_script(self, waited: int = 0) -> None:
        b = self.compare
        if b is not None and not b.worker.settled and waited < 600:
            # B trains in its own process and may be behind A: shoot when both are there.
            QTimer.singleShot(100, lambda: self._end_script(waited + 1))
            return
        if self.screenshot_path:
            if not self.grab().save(self.screenshot_path):
                print(f"nnfs-gui: could not write {self.screenshot_path}", file=sys.stderr)
        self.close()

    # -- settings and closing ------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        """Size and position of the last session (plain values, not Qt's geometry blob)."""
        if self.settings is None:
            return
        size, pos = self.settings.value("window/size"), self.settings.value("window/pos")
        if isinstance(size, QSize) and size.isValid():
            self.resize(size)
        if isinstance(pos, QPoint):
            self.move(pos)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # Both processes are told at once, then awaited: the window closes within ~1 s.
        workers = [self.worker] + ([self.compare.worker] if self.compare is not None else [])
        for w in workers:
            w.request_stop()
        for w in workers:
            w.stop(900 // len(workers))
        if self.settings is not None:
            self.settings.setValue("window/size", self.size())
            self.settings.setValue("window/pos", self.pos())
            self.settings.setValue("config", self.config.to_json())
            self.settings.sync()
        event.accept()


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
    window.show()
    if getattr(args, "compare", False):
        window.set_comparing(True)
    window.run_script(getattr(args, "play", False), getattr(args, "quit_after", None),
                      getattr(args, "screenshot", None))
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Close from the event loop, not inside whatever the main thread was doing.
        signal.signal(sig, lambda *_: QTimer.singleShot(0, window.close))
    # Let Python see signals while Qt's event loop runs.
    tick = QTimer()
    tick.timeout.connect(lambda: None)
    tick.start(200)
    code = app.exec()
    workers = [window.worker] + ([window.compare.worker] if window.compare else [])
    if any(w.isRunning() for w in workers):
        # The worker's reader did not end in time (stop() kills the training process,
        # so this should not happen) and Qt aborts if a running QThread is destroyed:
        # leave at once, as promised.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    window.deleteLater()
    return code
