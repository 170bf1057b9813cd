"""Export and persistence in the window: pictures, data, animations and models.

``install_export_actions(window)`` is called by the main window. It adds to the
Export menu: Export… (Ctrl+E), recording start/stop and saving the recording;
and to the File menu: Open model… (Ctrl+O) and Save model… (Ctrl+S).

The window's worker thread owns the trainer. This module collects the history
and the data points from the frames the window draws (``window.frame_listeners``),
so exporting data never touches the worker. Saving a model asks the worker for a
copy of the weights (``worker.request_model``: taken between two chunks, carried by
the next frame); opening one hands the weights to the worker
(``window.start_from_model``), which starts the new run with them itself.

Every failure (no permission, full disk, bad path, a broken model file) ends as
a message box with one readable sentence; nothing is lost from the window.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, QStandardPaths, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from nnfs_gui.training.history import History
from nnfs_gui.ui.export import data as export_data
from nnfs_gui.ui.export import figures as export_figures
from nnfs_gui.ui.export.dialog import (
    EXPORT_KINDS,
    ExportDialog,
    ExportRequest,
    RecordDialog,
    animation_filter,
    run_with_progress,
)
from nnfs_gui.ui.export.headless import run_title
from nnfs_gui.ui.export.io import ExportError, describe_os_error, write_config_beside
from nnfs_gui.ui.export.recorder import Recorder, grab_side_by_side

LAST_FOLDER_KEY = "export/last_folder"
MODEL_FILTER = "nnfs-gui model (*.npz)"
MODEL_WAIT_MS = 5000  # how long to wait for the frame carrying the model's copy
RECORD_WIDTH = 800


def install_export_actions(window) -> ExportController:
    """Add the export and model actions to ``window``'s menus; returns the controller."""
    controller = ExportController(window)
    window.export_controller = controller
    return controller


class ExportController(QObject):
    """Menu actions and the state they need (history, points, recording)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.history = History()
        self.points = None  # RunPoints of the current run
        self._memory_settings: dict[str, str] = {}
        self.recorder = Recorder(self._grab_recording, self)
        self.recorder.stopped.connect(self._recording_stopped)
        self.record_view = "dashboard"
        window.frame_listeners.append(self._on_frame)
        self._build_actions()

    # -- menus ---------------------------------------------------------------------
    def _build_actions(self) -> None:
        w = self.window
        self.export_action = self._action("Export…", "Ctrl+E", self.export_dialog,
                                          "Save a picture (PNG, SVG, PDF) or the data (CSV, "
                                          "JSON) of the current run.")
        self.record_action = self._action("Record animation…", None, self.toggle_recording,
                                          "Grab frames of the views while training, for an "
                                          "animated GIF (the book's Anim 11.03).")
        self.record_action.setCheckable(True)
        self.save_recording_action = self._action("Save recording…", None, self.save_recording,
                                                  "Write the recorded frames as an animation.")
        self.save_recording_action.setEnabled(False)
        for a in (self.export_action, self.record_action, self.save_recording_action):
            w.export_menu.addAction(a)
        self.open_model_action = self._action("Open model…", QKeySequence.StandardKey.Open,
                                              self.open_model, "Load a saved model: inspect "
                                              "it, or train on from its weights.")
        self.save_model_action = self._action("Save model…", QKeySequence.StandardKey.Save,
                                              self.save_model, "Save the weights, settings and "
                                              "scaler of the current run (.npz).")
        first = w.file_menu.actions()[0] if w.file_menu.actions() else None
        w.file_menu.insertActions(first, [self.open_model_action, self.save_model_action])
        if first is not None:
            w.file_menu.insertSeparator(first)

    def _action(self, text: str, shortcut, slot: Callable, tip: str) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda *_: slot())
        return action

    # -- state from the frames the window draws ---------------------------------------
    def _on_frame(self, frame) -> None:
        if frame.points is not None:  # the first frame of a new run
            self.history = History()
            self.points = frame.points
        rows = frame.snapshot.history
        if len(rows.get("epoch", ())):
            self.history.extend(rows)

    def targets(self, view: str) -> list:
        w = self.window
        return {"decision": [w.decision_view], "curves": [w.curves_view],
                "dashboard": [w.decision_view, w.curves_view]}[view]

    # -- exports -------------------------------------------------------------------------
    def export(self, request: ExportRequest) -> list[Path]:
        """Carry out one export; returns the files written (ExportError on failure)."""
        path = EXPORTERS[request.kind](self, request)
        written = [path]
        if EXPORT_KINDS[request.kind].picture:
            written.append(write_config_beside(path, self.window.config))
        self.remember_folder(path.parent)
        return written

    def export_dialog(self) -> None:
        dialog = ExportDialog(self.last_folder(), self.window.config.name, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        request = dialog.request()
        written = self.guarded(lambda: self.export(request))
        if written:
            self.tell(f"Saved {', '.join(str(p) for p in written)}")

    # -- recording ---------------------------------------------------------------------
    def _grab_recording(self):
        return grab_side_by_side(self.targets(self.record_view), RECORD_WIDTH)

    def toggle_recording(self) -> None:
        if self.recorder.is_recording:
            self.recorder.stop()
            return
        dialog = RecordDialog(self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            self.record_action.setChecked(False)
            return
        fps, seconds, view = dialog.values()
        self.start_recording(fps, seconds, view)

    def start_recording(self, fps: float, seconds: float, view: str = "dashboard") -> None:
        self.record_view = view
        if self.guarded(lambda: self.recorder.start(fps, seconds) or True):
            self.record_action.setChecked(True)
            self.record_action.setText("Stop recording")
            self.tell(f"Recording at {fps:g} frames/s, at most {seconds:g} s. Press Play.")

    def _recording_stopped(self, reason: str) -> None:
        self.record_action.setChecked(False)
        self.record_action.setText("Record animation…")
        self.save_recording_action.setEnabled(bool(self.recorder.frames))
        why = "the length limit was reached" if reason == "limit" else "stopped"
        self.tell(f"Recording {why}: {len(self.recorder.frames)} frames. "
                  "Export > Save recording… writes them.")

    def save_recording(self, path: str | Path | None = None) -> Path | None:
        self.recorder.stop()
        if path is None:
            name = str(self.last_folder() / f"{self.window.config.name}-training.gif")
            path, _ = QFileDialog.getSaveFileName(self.window, "Save recording", name,
                                                  animation_filter())
            if not path:
                return None
        written = self.guarded(lambda: run_with_progress(
            self.window, "Writing the animation…", lambda p: self.recorder.export(path, p)))
        if written:
            write_config_beside(written, self.window.config)
            self.remember_folder(written.parent)
            self.tell(f"Saved {written} ({len(self.recorder.frames)} frames)")
        return written

    # -- models ----------------------------------------------------------------------------
    def save_model(self, path: str | Path | None = None) -> Path | None:
        """Save the running model (weights, config, scaler), as the worker copied it
        between two chunks; training goes on meanwhile."""
        path = path or self._ask_path("Save model", f"{self.window.config.name}.npz", save=True)
        if not path:
            return None
        return self.guarded(lambda: _save_model(self._model_copy(), path))

    def _model_copy(self):
        """The current run's ModelState, from the worker's next frame."""
        w = self.window
        w.worker.request_model()
        run_id, seen = w.run_id, []
        self._wait_for_frame(lambda f: f.run_id == run_id and f.model_state is not None
                             and not seen.append(f.model_state), MODEL_WAIT_MS)
        if not seen:
            raise ExportError("No model yet: the run has not started (see the banner).")
        return seen[0]

    def open_model(self, path: str | Path | None = None) -> bool:
        """Load a model: a new run of its settings starts from its weights (paused)."""
        path = path or self._ask_path("Open model", "", save=False)
        if not path:
            return False
        from nnfs_gui.core.serialization import ModelFileError, load_model

        try:
            model, config, scaler = load_model(path)
        except ModelFileError as e:
            self.show_error(str(e))
            return False
        w = self.window
        w.start_from_model(config, model.get_params())
        self.remember_folder(Path(path).parent)
        self._tell_when_loaded(Path(path).name, w.run_id, scaler)
        return True

    def _tell_when_loaded(self, name: str, run_id: int, saved_scaler) -> None:
        """Once the loaded run's first frame is drawn, say so (and if its scaler differs)."""
        listeners = self.window.frame_listeners

        def listener(frame) -> None:
            if frame.run_id != run_id or frame.points is None:
                return
            listeners.remove(listener)
            self.tell(f"Loaded {name}: the regions show its weights. Play trains on from "
                      f"them (fresh optimizer state).{_scaler_note(frame.scaler, saved_scaler)}")

        listeners.append(listener)

    def _wait_for_frame(self, accept: Callable, timeout_ms: int) -> bool:
        """Spin the event loop until the window draws a frame ``accept``s, or time out."""
        loop, seen = QEventLoop(), []

        def listener(frame) -> None:
            if accept(frame):
                seen.append(frame)
                loop.quit()

        self.window.frame_listeners.append(listener)
        QTimer.singleShot(timeout_ms, loop.quit)
        try:
            loop.exec()
        finally:
            self.window.frame_listeners.remove(listener)
        return bool(seen)

    # -- folders, messages -------------------------------------------------------------------
    def _ask_path(self, title: str, name: str, save: bool) -> str:
        start = str(self.last_folder() / name)
        ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        path, _ = ask(self.window, title, start, MODEL_FILTER)
        if path and save and not path.lower().endswith(".npz"):
            path += ".npz"
        return path

    def last_folder(self) -> Path:
        settings = self.window.settings
        value = (settings.value(LAST_FOLDER_KEY) if settings is not None
                 else self._memory_settings.get(LAST_FOLDER_KEY))
        # A hand-edited settings file can hold a list or a number here: ignore it.
        if isinstance(value, str) and value and Path(value).is_dir():
            return Path(value)
        home = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        return Path(home) if home and Path(home).is_dir() else Path.home()

    def remember_folder(self, folder: Path) -> None:
        if self.window.settings is not None:
            self.window.settings.setValue(LAST_FOLDER_KEY, str(folder))
        else:
            self._memory_settings[LAST_FOLDER_KEY] = str(folder)

    def guarded(self, work: Callable):
        """``work()``, or None after showing its failure in a message box."""
        try:
            return work()
        except ExportError as e:
            self.show_error(str(e))
        except OSError as e:
            self.show_error(f"{e.filename or 'The file'}: {describe_os_error(e)}.")
        except ValueError as e:  # e.g. a model file whose network does not fit
            self.show_error(str(e))
        return None

    def show_error(self, text: str) -> None:
        QMessageBox.warning(self.window, "Export", text)

    def tell(self, text: str) -> None:
        self.window.status.message(text, 10000)


def _save_model(state, path) -> Path:
    """Write a worker's ModelState (it has what save_model reads from a model)."""
    from nnfs_gui.core.serialization import save_model
    from nnfs_gui.ui.export.io import save_file

    return save_file(path, lambda p: save_model(p, state, state.config, state.scaler))


def _scaler_note(running, saved) -> str:
    def as_dict(scaler):
        return None if scaler is None else scaler.to_dict()

    if as_dict(running) == as_dict(saved):
        return ""
    return " Note: the saved scaler differs from the one fitted to this run's data."


def _export_png(c: ExportController, r: ExportRequest) -> Path:
    return export_figures.export_png(c.targets(r.view), r.path, r.width, r.background,
                                     c.window.config.to_json())


def _export_svg(c: ExportController, r: ExportRequest) -> Path:
    return export_figures.export_svg(c.targets(r.view), r.path, r.background)


def _export_pdf(c: ExportController, r: ExportRequest) -> Path:
    return export_figures.export_pdf(c.targets("dashboard"), r.path,
                                     run_title(c.window.config, c.history))


def _export_dataset(c: ExportController, r: ExportRequest) -> Path:
    if c.points is None:
        raise ExportError("No data yet: the run has not started.")
    return export_data.export_dataset_csv(c.points, r.path)


EXPORTERS: dict[str, Callable[[ExportController, ExportRequest], Path]] = {
    "png": _export_png,
    "svg": _export_svg,
    "pdf": _export_pdf,
    "history_csv": lambda c, r: export_data.export_history_csv(c.history, r.path),
    "history_json": lambda c, r: export_data.export_history_json(c.history, r.path,
                                                                 c.window.config),
    "dataset_csv": _export_dataset,
}
