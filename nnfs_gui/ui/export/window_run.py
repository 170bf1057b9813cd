"""The exports' one reader of the window's run (model A, and B's curves while comparing).

Everything ui/export takes from the main window goes through :class:`WindowRun`: the
run's config, history, points, the regions on show, its model, its checkpoints, and
the status line. Nothing else in ui/export names a window member, so pointing the
exports at another owner of the run's state is a change of this file only.

Two requests are answered later, by the training process, never waited for:
``request_model(callback)`` calls back with a SavedModel, or with None when the run
changed or its process ended first; ``ask_epoch(epoch,
answer)`` answers with the EpochView of ``epoch`` (the run at that epoch, from its
checkpoints); ``lost`` says when pending answers will not come.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from nnfs_gui.core.files.serialization import SavedModel
from nnfs_gui.ui.export.frames import RunPicture, ViewLook
from nnfs_gui.ui.owndata.source import export_stem, own_data_words


class WindowRun(QObject):
    """Reads and requests of the window's run, for the exports."""

    lost = Signal(str)   # the run changed or its training process ended: why, in words

    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window
        self._answer: tuple[int, Callable] | None = None   # (epoch asked, answer)
        self._cursor_was: tuple[int | None] | None = None  # the cursor's epoch, while asking
        s = window.session
        s.run_started.connect(lambda _: self.lost.emit("a new run started"))
        s.died.connect(lambda _: self.lost.emit("its training process ended"))
        s.epoch_shown.connect(self._on_epoch_view)

    # -- what the run is --------------------------------------------------------------
    @property
    def config(self):
        return self.w.session.config

    @property
    def history(self):
        """The run's History (the session's, no copy)."""
        return self.w.session.history

    @property
    def points(self):
        """The run's RunPoints, or None before its data came."""
        return self.w.session.points

    @property
    def data_words(self) -> str:
        """"imported from moons.csv", "drawn points", or "" for generated data."""
        return own_data_words(self.w.session)

    @property
    def stem(self) -> str:
        """A default file-name stem for its exports."""
        return export_stem(self.w)

    @property
    def settings(self):
        return self.w.settings

    def span(self) -> tuple[int, int] | None:
        """(first, last) epoch with a history row, or None before the first row."""
        epochs = self.history.column("epoch")
        return (int(epochs[0]), int(epochs[-1])) if len(epochs) else None

    def picture(self) -> RunPicture | None:
        """The run as the window shows it: the regions of the epoch on show (the newest,
        or the epoch cursor's) and the curves up to that epoch; None before its data."""
        s, w = self.w.session, self.w
        if s.points is None:
            return None
        grid, extent, val_pred, epoch = s.latest_grid, s.extent, s.val_pred, None
        if (span := self.span()) is not None:
            epoch = span[1]
        view = s.epoch_view
        if not w.epoch_cursor.live and view is not None and view.asked == w.epoch_cursor.epoch:
            grid, extent, val_pred, epoch = view.grid, view.extent, view.val_pred, \
                view.epoch_found
        b = w.compare.session.history if w.compare is not None else None
        return RunPicture(config=s.config, points=s.points, history=s.history, grid=grid,
                          extent=extent, val_pred=val_pred, epoch=epoch, b_history=b,
                          look=self._look())

    def _look(self) -> ViewLook:
        d, c = self.w.decision_view, self.w.curves_view
        return ViewLook(show_mode=d.show_mode, hard=d.hard_box.isChecked(),
                        log_loss=c.log_box.isChecked(), smooth=c.smooth_box.isChecked(),
                        x_label=d.plot.getAxis("bottom").labelText or "x1",
                        y_label=d.plot.getAxis("left").labelText or "x2")

    # -- answers from the training process ------------------------------------------------
    def request_model(self, callback: Callable[[SavedModel | None], None]) -> None:
        """``callback(saved)`` once: a copy of the run's model (weights, optimizer state,
        epoch, its own points), or None if the run changed or its process died before
        answering (the session drops a pending request then)."""
        self.w.session.request_model(callback)

    def ask_epoch(self, epoch: int, answer: Callable[[object], None]) -> None:
        """``answer(view)`` with the EpochView of ``epoch`` once it comes (one request
        at a time; the window's own cursor may ask meanwhile: then it is asked again).
        Until ``forget_epoch``, the window's views follow training live: a cursor left on
        an earlier epoch would draw every answer too (a recording took 2.8x as long)."""
        cursor = self.w.epoch_cursor
        if self._cursor_was is None:
            self._cursor_was = (cursor.epoch,)
            if not cursor.live:
                cursor.go_live()
        self._answer = (int(epoch), answer)
        self.w.session.show_epoch(epoch)

    def forget_epoch(self) -> None:
        """No answer wanted any more; the cursor goes back to the epoch it showed."""
        self._answer = None
        was, self._cursor_was = self._cursor_was, None
        if was is not None and was[0] is not None:
            self.w.epoch_cursor.move_to(was[0])

    def _on_epoch_view(self, view) -> None:
        if self._answer is None:
            return
        epoch, answer = self._answer
        if view.asked != epoch:   # the cursor's request overtook ours: ask once more
            self.w.session.show_epoch(epoch)
            return
        self._answer = None
        answer(view)

    # -- the window ------------------------------------------------------------------------
    def start_from(self, saved: SavedModel, shown: Callable[[bool, object], None]) -> None:
        """Continue ``saved`` in a new run (on its own points, if saved with it); once its
        first frame is drawn, ``shown(finished, scaler)`` (said after the window's own
        handler, so an "epoch limit" line of the window does not hide the caller's)."""
        s = self.w.session
        self.w.start_from(saved)
        run_id = s.run_id

        def first_frame() -> None:
            if s.points is None or s.points.run_id != run_id:
                return
            s.state_changed.disconnect(first_frame)
            shown(s.finished, s.scaler)

        s.state_changed.connect(first_frame)

    def tell(self, text: str, ms: int = 10000) -> None:
        """A line on the status bar."""
        self.w.status.message(text, ms)
