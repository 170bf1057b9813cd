"""The window's long exports, carried on by signals: nothing waits in a nested event loop.

:class:`RecordingJob` makes a Recording (frames.py) from the run's checkpoints: it asks
the training process for one frame's epoch (``WindowRun.ask_epoch``), draws the answer,
and asks for the next from the event loop, so the window keeps training and painting
in between. :class:`BackgroundWrite` writes a file that needs no Qt (an animation from
its frames) in a thread. Both show a non-modal progress dialog whose Cancel ends them
(a modal one would run the event loop inside every ``setValue``), and end with one
signal: ``finished(result, why)``, ``why`` empty on success.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from nnfs_gui.core.files.saving import ExportCancelled, ExportError, describe_os_error
from nnfs_gui.ui.export.frames import Recording

ANSWER_WAIT_MS = 30_000   # an EpochView waits for the epoch in progress (a heavy run: s)
POLL_MS = 50              # how often a background write's progress is shown


def progress_dialog(label: str, total: int, parent: QWidget | None) -> QProgressDialog:
    dialog = QProgressDialog(label, "Cancel", 0, max(total, 1), parent)
    dialog.setWindowModality(Qt.WindowModality.NonModal)
    dialog.setMinimumDuration(400)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)
    return dialog


class RecordingJob(QObject):
    """Fetches and draws the frames of ``recording`` from the window's run ``run``
    (a WindowRun); ``finished(recording, "")``, or ``(None, why)`` when cancelled, when
    the run changed or when the training process did not answer."""

    finished = Signal(object, str)

    def __init__(self, run, recording: Recording, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.run, self.recording, self._over = run, recording, False
        self.dialog = progress_dialog("Recording from the run's checkpoints…",
                                      recording.total, parent)
        self.dialog.canceled.connect(lambda: self._end("cancelled"))
        self._watchdog = QTimer(self, singleShot=True, interval=ANSWER_WAIT_MS)
        self._watchdog.timeout.connect(
            lambda: self._end("the training process did not answer in time"))
        run.lost.connect(self._lost)

    def start(self) -> None:
        self._next()

    def _next(self) -> None:
        if self._over:
            return
        epoch = self.recording.next_epoch()
        if epoch is None:
            self._end("")
            return
        self._watchdog.start()
        self.run.ask_epoch(epoch, self._draw)

    def _draw(self, view) -> None:
        if self._over:
            return
        self._watchdog.stop()
        try:
            self.recording.add(view)
        except (ExportError, ValueError) as e:
            self._end(str(e))
            return
        self.dialog.setValue(min(len(self.recording.epochs), self.recording.total))
        QTimer.singleShot(0, self._next)   # the window's own events come in between

    def _lost(self, why: str) -> None:
        self._end(why)

    def _end(self, why: str) -> None:
        if self._over:
            return
        self._over = True
        self._watchdog.stop()
        self.run.lost.disconnect(self._lost)
        self.run.forget_epoch()
        self.dialog.canceled.disconnect()
        self.dialog.close()
        self.dialog.deleteLater()
        self.recording.close()
        self.finished.emit(None if why else self.recording, why)


class BackgroundWrite(QObject):
    """``work(progress)`` in a thread (it must touch no Qt object); ``finished(path, "")``
    or ``(None, why)``; ``why`` is "cancelled" after Cancel."""

    finished = Signal(object, str)

    def __init__(self, label: str, work: Callable[[Callable[[int, int], bool]], object],
                 parent: QWidget | None) -> None:
        super().__init__(parent)
        self._work, self._done, self._cancel = work, (0, 1), threading.Event()
        self._result: object = None
        self._why = ""
        self.dialog = progress_dialog(label, 100, parent)
        self.dialog.canceled.connect(self._cancel.set)
        self._thread = threading.Thread(target=self._run, name="export-write", daemon=True)
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._check)

    def start(self) -> None:
        self._thread.start()
        self._poll.start()

    def _progress(self, done: int, total: int) -> bool:
        self._done = (done, total)   # one tuple: read whole by the GUI thread
        return not self._cancel.is_set()

    def _run(self) -> None:
        try:
            self._result = self._work(self._progress)
        except ExportCancelled:
            self._why = "cancelled"
        except ExportError as e:
            self._why = str(e)
        except OSError as e:
            self._why = f"{e.filename or 'The file'}: {describe_os_error(e)}."

    def _check(self) -> None:
        done, total = self._done
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(min(done, total))
        if self._thread.is_alive():
            return
        self._poll.stop()
        self.dialog.canceled.disconnect()
        self.dialog.close()
        self.dialog.deleteLater()
        self.finished.emit(None if self._why else self._result, self._why)
