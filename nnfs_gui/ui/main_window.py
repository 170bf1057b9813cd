"""The live training window: controls left, decision regions centre, curves right.

The window holds model A's RunSession (``session.py``; training runs in a child
process) and, while comparing, the compare pane with B's. A change reads one way:
a control -> ``session.apply`` (live or new run, decided there) -> a protocol
message -> the training loop -> the trainer; frames come back the other way and
the session's signals feed the views, the status bar and the toolbar. The
widgets are built in ``window_layout.py``.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtWidgets import QInputDialog, QMainWindow

from nnfs_gui.core.config import Config, spec
from nnfs_gui.core.files import presets
from nnfs_gui.core.formatting import count, setting_text
from nnfs_gui.ui.cursor_control import CursorController
from nnfs_gui.ui.lab.menu import close_lab, install_lab
from nnfs_gui.ui.owndata.draw_mode import install_draw_mode
from nnfs_gui.ui.owndata.import_dialog import install_import_action
from nnfs_gui.ui.panels.compare import ComparePane, figures_text, n_classes, partner_config
from nnfs_gui.ui.screen import keep_on_screen, restore_geometry
from nnfs_gui.ui.session import RunSession
from nnfs_gui.ui.window_layout import build_body, build_menus, fill_presets, install_exports

FINE_GRID = 150     # decision-grid size when the user is idle
COARSE_GRID = 60    # while a slider or the view is being dragged
FINE_AFTER_MS = 400  # back to the fine grid this long after the last drag
SLOW_EPOCH_SECONDS = 2.0  # the status bar says how long an epoch takes from this on


class MainWindow(QMainWindow):
    """The window. ``session`` is model A's; ``compare`` B's pane while comparing.
    ``decision_view``, ``curves_view``, ``file_menu`` and ``export_menu`` are public so
    exports (ui/export/) can add their actions. ``closed`` is emitted once the window
    has closed (its sweeps cancelled, its training processes ended): the app ends."""

    closed = Signal()

    def __init__(self, config: Config | None = None, settings: QSettings | None = None,
                 message: str = "") -> None:
        super().__init__()
        self.setWindowTitle("nnfs-gui")
        self.settings = settings
        self.quit_after: int | None = None
        self.screenshot_path: str | None = None
        self.compare: ComparePane | None = None
        self._divergence_shown = ""   # the banner's text while it shows a divergence
        self._epoch_clock = None      # (run id, epoch, training seconds) of the last frame
        self.session = RunSession("A", config or Config(), FINE_GRID, self)
        build_menus(self)
        build_body(self)
        self.epoch_cursor = CursorController(self)
        self._connect()
        self._subscribe(self.session)
        self._coarse_timer = QTimer(self, singleShot=True, interval=FINE_AFTER_MS)
        self._coarse_timer.timeout.connect(lambda: self._each("set_grid_size", FINE_GRID))
        install_exports(self)
        install_import_action(self)
        self.draw_mode = install_draw_mode(self)
        install_lab(self)
        restore_geometry(self, settings)   # fitted to the screen (screen.py)
        self.session.new_run()
        if message:
            self.status.message(message, 10000)

    # -- what the window reads from A's session ------------------------------------
    @property
    def config(self) -> Config:
        return self.session.config

    @property
    def run_id(self) -> int:
        return self.session.run_id

    @property
    def worker(self):
        return self.session.worker

    @property
    def frames_drawn(self) -> int:
        return self.session.frames_drawn

    def sessions(self) -> list[RunSession]:
        """A's session, and B's while comparing."""
        return [self.session] + ([self.compare.session] if self.compare else [])

    def _each(self, method: str, *args) -> None:
        for s in self.sessions():
            getattr(s, method)(*args)

    # -- wiring ----------------------------------------------------------------------
    def _connect(self) -> None:
        tb = self.toolbar
        tb.play.toggled.connect(self.set_playing)
        tb.step.triggered.connect(lambda: self.step(1))
        tb.step_n.triggered.connect(lambda: self.step(tb.n_box.value()))
        tb.reset.triggered.connect(self.reset_run)
        tb.preset_chosen.connect(self.load_preset)
        tb.pace_chosen.connect(self.set_pace)
        self.compare_action.toggled.connect(self.set_comparing)
        self.controls.edited.connect(self._on_edited)
        self.controls.rejected.connect(lambda text: self.status.message(text))
        self.controls.dragging.connect(lambda on: on and self._coarse_for_a_while())
        self.decision_view.interacting.connect(self._coarse_for_a_while)

    def _subscribe(self, a: RunSession) -> None:
        a.run_started.connect(self._on_run_started)
        a.rows_added.connect(self.curves_view.append)
        # Live regions only while the epoch cursor follows training (cursor_control.py).
        a.regions_changed.connect(lambda: self.epoch_cursor.live and
                                  self.decision_view.show_regions(a.latest_grid, a.extent,
                                                                  a.val_pred))
        a.epoch_shown.connect(lambda view: self.epoch_cursor.shown(view, a))
        a.state_changed.connect(self._show_state)
        a.error.connect(self.show_banner)
        a.died.connect(self.show_banner)

    # -- commands ------------------------------------------------------------------------
    def set_playing(self, playing: bool) -> None:
        """Play or pause both models; each stops by itself at its own epoch limit."""
        self._each("play" if playing else "pause")
        self.toolbar.set_playing(playing)

    def set_pace(self, epochs_per_second: float | None) -> None:
        """Train at most this many epochs a second (None: full speed), both models."""
        self._each("set_pace", epochs_per_second)
        self.toolbar.show_pace(epochs_per_second)
        self.status.set_pace(epochs_per_second)

    def step(self, n: int) -> None:
        self._each("step", n)
        self.toolbar.set_playing(False)

    def reset_run(self) -> None:
        self.new_run()    # B restarts with A's new run (ComparePane._a_started)
        self.status.message("Reset: a new run with fresh weights.")

    def new_run(self) -> None:
        """Start a new run of the current config; frames of older runs are ignored."""
        self.banner.hide()
        self.session.new_run(split=self.session.split)   # imported or drawn points stay

    def start_from(self, saved) -> None:
        """Continue a saved model (core.serialization.SavedModel): its settings in the
        panel, its weights and optimizer state in a new run, paused at its epoch."""
        self.toolbar.set_playing(False)
        self.controls.set_config(saved.config)
        self.toolbar.show_preset("")
        self.banner.hide()
        self.session.start_from(saved, split=saved.split)   # its own points, if saved

    def apply_config(self, config: Config) -> bool:
        """Hand ``config`` to A's session (it decides live or restart); True: a new run."""
        self.banner.hide()
        return self.session.apply(config)

    def load_preset(self, name: str) -> None:
        if not name:
            return
        try:
            config, split = presets.load_preset_run(name)   # split: its own points or None
        except (KeyError, ValueError) as e:
            self.status.message(f"Preset {name} could not be loaded: {e}")
            return
        self.controls.set_config(config)
        self.toolbar.show_preset(name)
        self.banner.hide()
        self.session.new_run(config, split)   # a new run even if only live fields differ
        self.status.message(f"Loaded preset {name}: a new run.")

    def save_preset_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "Save preset", "Preset name:",
                                        text=self.config.name)
        if ok and name.strip():
            self.save_preset(name.strip())

    def save_preset(self, name: str) -> None:
        try:
            path = presets.save_preset(self.config, name, self.session.split)
        except (OSError, ValueError) as e:
            self.status.message(f"Could not save the preset: {e}")
            return
        self.session.apply(self.config.replace(name=name))
        self.controls.config = self.config
        fill_presets(self)
        self.status.message(f"Saved preset {name} to {path}")

    def set_comparing(self, on: bool) -> None:
        """Show model B beside A (ch. 11, Fig 11.01), or close it and end its training."""
        self.compare_action.setChecked(on)
        if on and self.compare is None:
            self._open_compare()
        elif not on and self.compare is not None:
            self._close_compare()
        # B's pane needs room: if the window grew past the screen, pull it back in.
        QTimer.singleShot(0, lambda: keep_on_screen(self))

    def _open_compare(self) -> None:
        b = partner_config(self.config)
        pane = ComparePane(self.session, b, copied=b is self.config)
        pane.copy_a.clicked.connect(lambda: pane.set_config(self.config, copied=True))
        pane.changed.connect(lambda: self.status.message(
            f"B is now {pane.label}: a new run, from epoch 0."))
        self.curves_view.show_b(True)
        pane.session.run_started.connect(self.curves_view.reset_b)
        pane.session.rows_added.connect(self.curves_view.append_b)
        pane.session.state_changed.connect(self._show_state)
        pane.session.epoch_shown.connect(lambda view: self.epoch_cursor.shown(view, pane.session))
        pane.session.set_pace(self.session.pace)
        self.views_split.addWidget(pane)
        width = max(2, self.views_split.width())
        self.views_split.setSizes([width // 2, width - width // 2])
        self.compare = pane
        self.a_title.setMinimumHeight(pane.picker.sizeHint().height())
        self.a_title.show()
        self.a_figures.show()
        self._show_state()
        if self.session.playing:
            pane.session.play()
        self.status.message(f"Comparing A with B ({pane.label}); B starts at epoch 0.")

    def _close_compare(self) -> None:
        pane, self.compare = self.compare, None
        pane.stop()
        self.curves_view.show_b(False)
        pane.hide()
        pane.deleteLater()
        self.a_title.hide()
        self.a_figures.hide()
        self._show_state()

    # -- events --------------------------------------------------------------------------
    def _on_edited(self, config: Config, field: str) -> None:
        self.toolbar.show_preset("")
        own_data = self.session.split is not None
        restarted = self.apply_config(config)
        label, value = spec(field).label, setting_text(field, getattr(config, field))
        how = "a restart setting: started a new run" if restarted else \
            "applied to the running model"
        if own_data and self.session.split is None:
            how += " on generated data (the imported or drawn points are set aside)"
        self.status.message(f"{label} = {value}: {how}.")

    def _coarse_for_a_while(self) -> None:
        if not self._coarse_timer.isActive():
            self._each("set_grid_size", COARSE_GRID)
        self._coarse_timer.start()

    def _on_run_started(self, points) -> None:
        self.decision_view.reset(points)
        self.curves_view.reset(self.session.history)
        self.epoch_cursor.go_live()
        self.status.reset(self.session.config.epochs)

    def _show_state(self) -> None:
        """Toolbar, status bar, A's figures and the banner, from the sessions."""
        a, b = self.session, self.compare.session if self.compare else None
        self.toolbar.set_playing(any(s.playing for s in self.sessions()))
        if a.diverged:
            self.show_banner(a.diverged)
            self._divergence_shown = a.diverged
        elif self._divergence_shown and self.banner.text() == self._divergence_shown:
            self.banner.hide()    # Play trained on from the restored weights
            self._divergence_shown = ""
        self._tell_slow_epochs(a)
        self._show_progress(a, b)
        self.epoch_cursor.refresh()
        if self.compare is not None and self.epoch_cursor.live:
            verdict = self.status.steady.current
            self.a_figures.setText(figures_text(a.last_row(), a.epoch, verdict))
            self.a_figures.setToolTip("" if verdict is None else verdict.text)
        self._check_script_end(a.epoch)

    def _tell_slow_epochs(self, a: RunSession) -> None:
        """Say so when one epoch takes seconds (from the frames' training time, so the
        learner knows why the curves move slowly and that the controls still act)."""
        now = (a.run_id, a.epoch, a.train_seconds)
        last, self._epoch_clock = self._epoch_clock, now
        if last is None or last[0] != now[0] or now[1] <= last[1]:
            return
        per_epoch = (now[2] - last[2]) / (now[1] - last[1])
        if per_epoch >= SLOW_EPOCH_SECONDS:
            self.status.message(
                f"One epoch takes {per_epoch:.0f} s with these settings (fewer samples, "
                f"augment copies or hidden units are faster); Pause and Reset still act "
                f"at once.", 20000)

    def _show_progress(self, a: RunSession, b: RunSession | None) -> None:
        limit = a.config.epochs
        # Paced, training takes a sliver of the time: the pace shows on the process's clock.
        seconds = a.train_seconds if a.pace is None else a.clock
        if not self.status.set_epoch(a.epoch, limit, a.playing, a.finished, seconds):
            return
        self.toolbar.set_epoch(a.epoch, None if b is None else b.epoch)
        self.status.show_verdict(a.history, n_classes(a), a.playing)
        if a.finished and not a.playing:
            self.status.message(f"Reached the epoch limit ({count(limit)}). Raise it in "
                                "Optimizer > Epoch limit to go on, or Reset.")

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()
        self.status.message(text, 15000)

    # -- scripted runs (--quit-after, --screenshot) ---------------------------------------
    def run_script(self, play: bool, quit_after: int | None, screenshot: str | None) -> None:
        self.quit_after, self.screenshot_path = quit_after, screenshot
        if quit_after is not None:   # epoch N is the last one trained: N + 1 completed
            self._each("set_pause_at", quit_after + 1)
        if play:
            self.set_playing(True)

    def _check_script_end(self, epoch: int) -> None:
        if self.quit_after is None or epoch <= self.quit_after:
            return
        self.quit_after = None
        QTimer.singleShot(400, self._end_script)

    def _end_script(self, waited: int = 0) -> None:
        b = self.compare
        if b is not None and not b.session.settled and waited < 600:
            # B trains in its own process and may be behind A: shoot when both are there.
            QTimer.singleShot(100, lambda: self._end_script(waited + 1))
            return
        if self.screenshot_path:
            if not self.grab().save(self.screenshot_path):
                print(f"nnfs-gui: could not write {self.screenshot_path}", file=sys.stderr)
        self.close()

    # -- settings and closing ------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        # The frame is known only now: pull the window back if the frame sticks out.
        QTimer.singleShot(0, lambda: keep_on_screen(self))

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # The lab's windows have no parent (they are windows of their own): closed
        # here, their sweeps cancelled and worker processes ended (ui/lab/menu.py).
        close_lab(self)
        # Both processes are told at once, then awaited: the window closes within ~1 s.
        workers = [s.worker for s in self.sessions()]
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
        self.closed.emit()

