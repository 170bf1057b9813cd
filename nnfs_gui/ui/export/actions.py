"""Export and persistence in the window: pictures, data, animations and models.

``install_export_actions(window)`` is called by the main window. It adds to the
Export menu: Export… (Ctrl+E), recording start/stop and saving the recording;
and to the File menu: Open model… (Ctrl+O) and Save model… (Ctrl+S).

The history and the data points are those of the window's RunSession
(``window.session``: the one copy on the GUI side), so exporting data never
touches the training process. Saving a model asks the session for a copy of the
model (``session.request_model``: taken between two chunks, weights and
optimizer state); opening one continues it in a new run (``window.start_from``).

Every failure (no permission, full disk, bad path, a broken model file) ends as
a message box with one readable sentence; nothing is lost from the window.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, QStandardPaths, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from nnfs_gui.core.files.serialization import SavedModel
from nnfs_gui.core.formatting import count, epoch_text
from nnfs_gui.ui.export.dialog import (
    ExportDialog,
    RecordDialog,
    animation_filter,
    run_with_progress,
)
from nnfs_gui.ui.export.formats import (
    FORMATS,
    ExportRequest,
    ExportSource,
    picture_names,
)
from nnfs_gui.ui.export.io import ExportError, describe_os_error, write_config_beside
from nnfs_gui.ui.export.recorder import Recorder, grab_side_by_side
from nnfs_gui.ui.export.timeline_recording import record_from_timeline, recording_epochs
from nnfs_gui.ui.owndata.source import export_stem, own_data_words

LAST_FOLDER_KEY = "export/last_folder"
MODEL_FILTER = FORMATS["model"].file_filter
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
        self._memory_settings: dict[str, str] = {}
        self.recorder = Recorder(self._grab_recording, self)
        self.recorder.stopped.connect(self._recording_stopped)
        self.record_view = "dashboard"
        self._record_from = 0     # the epoch a live recording started at
        self._build_actions()

    # -- menus ---------------------------------------------------------------------
    def _build_actions(self) -> None:
        w = self.window
        self.export_action = self._action(
            "Export…", "Ctrl+E", self.export_dialog,
            f"Save a picture ({picture_names('figure')}) or the data "
            f"({picture_names('data')}) of the current run.")
        self.record_action = self._action(
            "Record animation…", None, self.toggle_recording,
            f"Grab frames of the views while training, for an animation "
            f"({picture_names('animation')}; the book's Anim 11.03).")
        self.record_action.setCheckable(True)
        self.record_run_action = self._action(
            "Record the run so far…", None, self.record_run_dialog,
            "Make an animation of the run so far from its checkpoints: each frame the "
            "regions of one epoch beside the curves up to it.")
        self.save_recording_action = self._action("Save recording…", None, self.save_recording,
                                                  "Write the recorded frames as an animation.")
        self.save_recording_action.setEnabled(False)
        for a in (self.export_action, self.record_action, self.record_run_action,
                  self.save_recording_action):
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

    # -- the run, as the window's session holds it ----------------------------------------
    @property
    def history(self):
        """The current run's History (the session's; no copy)."""
        return self.window.session.history

    @property
    def points(self):
        """The current run's RunPoints, or None before its data came."""
        return self.window.session.points

    def targets(self, view: str) -> list:
        w = self.window
        return {"decision": [w.decision_view], "curves": [w.curves_view],
                "dashboard": [w.decision_view, w.curves_view]}[view]

    def source(self) -> ExportSource:
        """The current run as the format table's writers read it."""
        return ExportSource(config=self.window.config, history=self.history,
                            points=self.points, targets=self.targets,
                            model=self._model_copy,
                            animation=lambda: (self.recorder.frames, self.recorder.fps))

    # -- exports -------------------------------------------------------------------------
    def export(self, request: ExportRequest) -> list[Path]:
        """Carry out one export; returns the files written (ExportError on failure)."""
        path = FORMATS[request.kind].write(self.source(), request)
        written = [path]
        if FORMATS[request.kind].kind == "figure":  # a picture says which run it shows
            written.append(write_config_beside(path, self.window.config, self._data_words()))
        self.remember_folder(path.parent)
        return written

    def export_dialog(self) -> None:
        dialog = ExportDialog(self.last_folder(), export_stem(self.window), self.window)
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
        self._record_from = self.window.session.epoch
        if self.guarded(lambda: self.recorder.start(fps, seconds) or True):
            self.record_action.setChecked(True)
            self.record_action.setText("Stop recording")
            self.tell(f"Recording at {fps:g} frames/s, at most {seconds:g} s. Press Play.")

    def _recording_stopped(self, reason: str) -> None:
        self.record_action.setChecked(False)
        self.record_action.setText("Record animation…")
        self._remake_from_timeline()
        self.save_recording_action.setEnabled(bool(self.recorder.frames))
        why = "the length limit was reached" if reason == "limit" else "stopped"
        self.tell(f"Recording {why}: {len(self.recorder.frames)} frames. "
                  "Export > Save recording… writes them.")

    def _remake_from_timeline(self) -> None:
        """Remake a live recording's frames from the checkpoints of the epochs it
        spanned (at least 50 frames), so regions and curves are of the same epoch."""
        first, last = self.window.epoch_cursor.span()
        if last <= first or self.window.session.points is None:
            return
        start = self._record_from if first <= self._record_from < last else first
        self.record_run(len(self.recorder.frames), start)

    def record_run(self, frames: int, first: int | None = None) -> int:
        """Record the run from ``first`` (default: its start) to its newest epoch from
        the checkpoints, ``frames`` frames (at least 50); returns the frames made."""
        lo, hi = self.window.epoch_cursor.span()
        epochs = recording_epochs(lo if first is None else first, hi, frames)
        made = self.guarded(lambda: run_with_progress(
            self.window, "Recording from the run's checkpoints…",
            lambda p: record_from_timeline(self.window, epochs, self._grab_recording, p)))
        if made:
            self.recorder.take(made)
            self.save_recording_action.setEnabled(True)
        return len(made or ())

    def record_run_dialog(self) -> None:
        dialog = RecordDialog(self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        fps, seconds, self.record_view = dialog.values()
        self.recorder.fps = fps
        n = self.record_run(round(fps * seconds))
        self.tell(f"Recorded {n} frames from the run's checkpoints. "
                  "Export > Save recording… writes them.")

    def save_recording(self, path: str | Path | None = None) -> Path | None:
        self.recorder.stop()
        if path is None:
            name = str(self.last_folder() / f"{export_stem(self.window)}-training.gif")
            path, _ = QFileDialog.getSaveFileName(self.window, "Save recording", name,
                                                  animation_filter())
            if not path:
                return None
        written = self.guarded(lambda: run_with_progress(
            self.window, "Writing the animation…", lambda p: self.recorder.export(path, p)))
        if written:
            write_config_beside(written, self.window.config, self._data_words())
            self.remember_folder(written.parent)
            self.tell(f"Saved {written} ({len(self.recorder.frames)} frames)")
        return written

    # -- models ----------------------------------------------------------------------------
    def save_model(self, path: str | Path | None = None) -> Path | None:
        """Save the running model (weights, config, scaler), as the worker copied it
        between two chunks; training goes on meanwhile."""
        path = path or self._ask_path("Save model", f"{export_stem(self.window)}.npz",
                                      save=True)
        if not path:
            return None
        request = ExportRequest("model", Path(path))
        return self.guarded(lambda: FORMATS["model"].write(self.source(), request))

    def _data_words(self) -> str:
        return own_data_words(self.window.session)

    def _model_copy(self) -> SavedModel:
        """The current run's model (weights, optimizer state, epoch and its points:
        imported or drawn ones are saved too), as the training process copied it
        between two chunks."""
        loop, seen = QEventLoop(), []
        self.window.session.request_model(lambda saved: (seen.append(saved), loop.quit()))
        QTimer.singleShot(MODEL_WAIT_MS, loop.quit)
        if not seen:
            loop.exec()
        if not seen or seen[0] is None:
            raise ExportError("No model yet: the run has not started (see the banner).")
        return seen[0]

    def open_model(self, path: str | Path | None = None) -> bool:
        """Load a model: a new run continues it from its weights and optimizer state
        (paused at its saved epoch)."""
        path = path or self._ask_path("Open model", "", save=False)
        if not path:
            return False
        from nnfs_gui.core.files.serialization import ModelFileError, read_model

        try:
            saved = read_model(path)
        except ModelFileError as e:
            self.show_error(str(e))
            return False
        w = self.window
        own = _own_settings_note(w.config, saved.config)
        w.start_from(saved)   # on the points saved with it, if any (saved.split)
        self.remember_folder(Path(path).parent)
        self._tell_when_loaded(Path(path).name, w.session, saved, own)
        return True

    def _tell_when_loaded(self, name: str, session, saved, own: str = "") -> None:
        """Once the opened run's first frame is drawn, say so: its data, its epoch,
        whether it is at its epoch limit, and if its scaler differs. (Said after the
        window's own handler, so an "epoch limit" line does not hide it.)"""
        run_id = session.run_id

        def shown() -> None:
            if session.points is None or session.points.run_id != run_id:
                return
            session.state_changed.disconnect(shown)
            self.tell(opened_text(name, own, session, saved), 20000)

        session.state_changed.connect(shown)

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

    def tell(self, text: str, ms: int = 10000) -> None:
        self.window.status.message(text, ms)


def opened_text(name: str, own: str, session, saved) -> str:
    """The status line after Open model: what was opened, on which data, and what Play
    does from there."""
    data = own_data_words(session) or f"generated {saved.config.dataset} data"
    limit = saved.config.epochs
    go_on = (f"It is at its epoch limit ({count(limit)}): raise Optimizer > Epoch limit "
             f"to train on." if session.finished or saved.epoch > limit else
             "Play trains on from them.")
    return (f"Opened {name}{own}: {epoch_text(saved.epoch)}, on {data}; the regions "
            f"show its weights (the file holds no curves: they start here). {go_on}"
            f"{_scaler_note(session.scaler, saved.scaler)}")


def _own_settings_note(current, saved) -> str:
    """" with its own settings (...)" when the model's data or network settings differ
    from the current run's: it opens as its own run, not into the current one."""
    changed = current.restart_fields_changed(saved)
    if not changed:
        return ""
    shown = ", ".join(f"{name} {_setting_text(getattr(saved, name))}" for name in changed[:4])
    more = ", ..." if len(changed) > 4 else ""
    return f" with its own settings ({shown}{more})"


def _setting_text(value) -> str:
    return "x".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _scaler_note(running, saved) -> str:
    def as_dict(scaler):
        return None if scaler is None else scaler.to_dict()

    if as_dict(running) == as_dict(saved):
        return ""
    return " Note: the saved scaler differs from the one fitted to this run's data."
