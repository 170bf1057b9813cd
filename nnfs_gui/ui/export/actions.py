"""Export and persistence in the window: pictures, data, animations and models.

``install_export_actions(window)`` is called by the main window. It adds to the
Export menu: Export… (Ctrl+E), Record animation (start/stop), Record the run so far,
Save recording; and to the File menu: Open model… (Ctrl+O) and Save model… (Ctrl+S).

The run is read through one adapter (window_run.py). Pictures are drawn by frames.py
from the run, as headless draws them. Nothing here waits: saving a model asks for a
copy of it and writes it when the copy comes (``model_saved``); a recording fetches
its frames one by one from the run's checkpoints (jobs.RecordingJob, ``recorded``);
an animation is written in a thread (``recording_saved``).

Every failure (no permission, full disk, bad path, a broken model file, a run that
changed before it answered) ends as a message box with one readable sentence;
nothing is lost from the window.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from nnfs_gui.core.files.formats import FORMATS, ExportRequest, ExportSource, picture_names
from nnfs_gui.core.files.saving import ExportError, describe_os_error, write_config_beside
from nnfs_gui.core.formatting import count, epoch_text
from nnfs_gui.ui.export.animation import write_animation
from nnfs_gui.ui.export.dialog import (
    DEFAULT_FPS,
    DEFAULT_SECONDS,
    ExportDialog,
    RecordDialog,
    animation_filter,
)
from nnfs_gui.ui.export.frames import FigureViews, Recording, frame_epochs
from nnfs_gui.ui.export.jobs import BackgroundWrite, RecordingJob
from nnfs_gui.ui.export.window_run import WindowRun

LAST_FOLDER_KEY = "export/last_folder"
MODEL_FILTER = FORMATS["model"].file_filter
NOT_SAVED = ("The model was not saved: {why} before the training process handed over a "
             "copy of it. Save again.")


def install_export_actions(window) -> ExportController:
    """Add the export and model actions to ``window``'s menus; returns the controller."""
    controller = ExportController(window)
    window.export_controller = controller
    return controller


class ExportController(QObject):
    """Menu actions and what they need: the run (``run``), the last recording."""

    model_saved = Signal(object)       # the model file written, or None
    recorded = Signal(int)             # frames of a new recording (0: none made)
    recording_saved = Signal(object)   # the animation file written, or None

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.run = WindowRun(window)
        self._memory_settings: dict[str, str] = {}
        self.recording: Recording | None = None   # the last one made (its frames)
        self._record_from: int | None = None      # a live recording's first epoch
        self._record_values = (DEFAULT_FPS, DEFAULT_SECONDS, "dashboard")  # the dialog's
        self.job: QObject | None = None           # the job under way
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
            f"Record from now until Stop: an animation ({picture_names('animation')}; "
            "the book's Anim 11.03) from the run's checkpoints.")
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

    # -- pictures and data ----------------------------------------------------------------
    def export(self, request: ExportRequest) -> list[Path]:
        """Carry out one export; returns the files written (ExportError on failure).
        A picture shows the run as the window does (frames.FigureViews) and gets its
        configuration beside it, ``NAME.config.json``."""
        fmt = FORMATS[request.kind]
        if fmt.kind != "figure":
            written = [fmt.write(self._source(), request)]
        else:
            written = [self._picture(fmt, request)]
            written.append(write_config_beside(written[0], self.run.config,
                                               self.run.data_words))
        self.remember_folder(written[0].parent)
        return written

    def _source(self, **pictures) -> ExportSource:
        return ExportSource(config=self.run.config, history=self.run.history,
                            points=self.run.points, **pictures)

    def _picture(self, fmt, request: ExportRequest) -> Path:
        picture = self.run.picture()
        if picture is None:
            raise ExportError("No picture yet: the run has not started (see the banner).")
        views = FigureViews(picture.look)
        try:
            views.still(picture)
            source = self._source(targets=views.targets, title=views.title(picture.epoch))
            return fmt.write(source, request)
        finally:
            views.close()

    def export_dialog(self) -> None:
        dialog = ExportDialog(self.last_folder(), self.run.stem, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._export_chosen(dialog.request()))
        dialog.open()

    def _export_chosen(self, request: ExportRequest) -> None:
        written = self.guarded(lambda: self.export(request))
        if written:
            self.tell(f"Saved {', '.join(str(p) for p in written)}")

    # -- recordings -------------------------------------------------------------------------
    def toggle_recording(self) -> None:
        """Record animation: from now (start) until Stop, frames from the checkpoints."""
        if self._record_from is not None:
            self.stop_recording()
            return
        self.record_action.setChecked(False)
        self._ask_record_values(lambda: self.start_recording(*self._record_values))

    def _ask_record_values(self, then: Callable[[], None]) -> None:
        dialog = RecordDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen() -> None:
            self._record_values = dialog.values()
            then()

        dialog.accepted.connect(chosen)
        dialog.open()

    def start_recording(self, fps: float, seconds: float, view: str = "dashboard") -> None:
        """Mark the run's newest epoch; Stop makes fps x seconds frames from there on."""
        self._record_values = (fps, seconds, view)
        span = self.run.span()
        self._record_from = span[1] if span else 0
        self.record_action.setChecked(True)
        self.record_action.setText("Stop recording")
        self.tell(f"Recording from epoch {count(self._record_from)}: train (Play), then "
                  "Export > Stop recording makes the frames from the run's checkpoints.")

    def stop_recording(self) -> RecordingJob | None:
        first, self._record_from = self._record_from, None
        self.record_action.setChecked(False)
        self.record_action.setText("Record animation…")
        span = self.run.span()
        if first is None or span is None or span[1] <= first:
            self.tell("Nothing recorded: no epoch was trained while recording.")
            return None
        fps, seconds, view = self._record_values
        return self.record_run(round(fps * seconds), first)

    def record_run_dialog(self) -> None:
        self._ask_record_values(lambda: self.record_run(
            round(self._record_values[0] * self._record_values[1])))

    def record_run(self, frames: int, first: int | None = None) -> RecordingJob | None:
        """Start recording ``frames`` frames from epoch ``first`` (default: the run's
        first) to the newest; ``recorded`` tells when they are made."""
        span, picture = self.run.span(), self.run.picture()
        if span is None or picture is None or self.job is not None:
            self.tell("Nothing to record yet: train the run first." if self.job is None
                      else "A recording or a save is under way.")
            return None
        fps, _, view = self._record_values
        epochs = frame_epochs(span[0] if first is None else first, span[1], frames)
        job = RecordingJob(self.run, Recording(picture, epochs, fps, view), self.window)
        job.finished.connect(self._recorded)
        self.job = job
        job.start()
        return job

    def _recorded(self, recording: Recording | None, why: str) -> None:
        self.job = None
        if recording is None:
            if why != "cancelled":
                self.show_error(f"Nothing was recorded: {why}.")
            self.recorded.emit(0)
            return
        self.recording = recording
        self.save_recording_action.setEnabled(True)
        self.tell(f"Recorded {len(recording.frames)} frames, epochs "
                  f"{count(recording.epochs[0])}-{count(recording.epochs[-1])}, from the "
                  "run's checkpoints. Export > Save recording… writes them.")
        self.recorded.emit(len(recording.frames))

    def save_recording(self, path: str | Path | None = None) -> BackgroundWrite | None:
        """Write the last recording (GIF or MP4 by the suffix) in the background;
        ``recording_saved`` tells when it is written."""
        if self.recording is None or self.job is not None:
            self.show_error("Nothing recorded yet: Export > Record the run so far makes "
                            "the frames." if self.job is None else
                            "A recording or a save is under way.")
            return None
        if path is None:
            name = str(self.last_folder() / f"{self.run.stem}-training.gif")
            path, _ = QFileDialog.getSaveFileName(self.window, "Save recording", name,
                                                  animation_filter())
            if not path:
                return None
        frames, fps = self.recording.frames, self.recording.fps
        job = BackgroundWrite("Writing the animation…",
                              lambda progress: write_animation(frames, path, fps, progress),
                              self.window)
        job.finished.connect(self._recording_written)
        self.job = job
        job.start()
        return job

    def _recording_written(self, path: Path | None, why: str) -> None:
        self.job = None
        if path is None:
            if why != "cancelled":
                self.show_error(why)
        elif self.guarded(lambda: write_config_beside(path, self.run.config,
                                                      self.run.data_words)):
            self.remember_folder(path.parent)
            self.tell(f"Saved {path} ({len(self.recording.frames)} frames)")
        self.recording_saved.emit(path)

    # -- models ----------------------------------------------------------------------------
    def save_model(self, path: str | Path | None = None) -> None:
        """Ask for a copy of the running model (weights, optimizer state, its points:
        taken between two chunks, training goes on) and write it when it comes;
        ``model_saved`` tells the file, or None."""
        path = path or self._ask_path("Save model", f"{self.run.stem}.npz", save=True)
        if not path:
            return
        self.run.request_model(lambda saved: self._write_model(saved, Path(path)))

    def _write_model(self, saved, path: Path) -> None:
        if saved is None:
            self.show_error(NOT_SAVED.format(why="the run changed or its training "
                                                 "process ended"))
            self.model_saved.emit(None)
            return
        source = ExportSource(config=saved.config, model=lambda: saved)
        written = self.guarded(lambda: FORMATS["model"].write(source,
                                                              ExportRequest("model", path)))
        if written:
            self.remember_folder(written.parent)
            self.tell(f"Saved the model at {epoch_text(saved.epoch)} to {written}")
        self.model_saved.emit(written)

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
        own = _own_settings_note(self.run.config, saved.config)
        name = Path(path).name
        self.run.start_from(saved, lambda finished, scaler: self.tell(
            opened_text(name, own, self.run.data_words, finished, scaler, saved), 20000))
        self.remember_folder(Path(path).parent)
        return True

    # -- folders, messages -------------------------------------------------------------------
    def _ask_path(self, title: str, name: str, save: bool) -> str:
        start = str(self.last_folder() / name)
        ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        path, _ = ask(self.window, title, start, MODEL_FILTER)
        if path and save and not path.lower().endswith(".npz"):
            path += ".npz"
        return path

    def last_folder(self) -> Path:
        settings = self.run.settings
        value = (settings.value(LAST_FOLDER_KEY) if settings is not None
                 else self._memory_settings.get(LAST_FOLDER_KEY))
        # A hand-edited settings file can hold a list or a number here: ignore it.
        if isinstance(value, str) and value and Path(value).is_dir():
            return Path(value)
        home = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        return Path(home) if home and Path(home).is_dir() else Path.home()

    def remember_folder(self, folder: Path) -> None:
        if self.run.settings is not None:
            self.run.settings.setValue(LAST_FOLDER_KEY, str(folder))
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
        self.run.tell(text, ms)


def opened_text(name: str, own: str, data_words: str, finished: bool, scaler,
                saved) -> str:
    """The status line after Open model: what was opened, on which data, and what Play
    does from there."""
    data = data_words or f"generated {saved.config.dataset} data"
    limit = saved.config.epochs
    go_on = (f"It is at its epoch limit ({count(limit)}): raise Optimizer > Epoch limit "
             f"to train on." if finished or saved.epoch > limit else
             "Play trains on from them.")
    return (f"Opened {name}{own}: {epoch_text(saved.epoch)}, on {data}; the regions "
            f"show its weights (the file holds no curves: they start here). {go_on}"
            f"{_scaler_note(scaler, saved.scaler)}")


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
