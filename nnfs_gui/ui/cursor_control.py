"""The epoch cursor: one cursor takes A's (and B's) decision view back to any epoch.

The cursor is ``None`` while following training live (the views show each frame's
regions) or an epoch. Moved by the scrubber, a drag of the line on the curves, the
keys (, . one epoch; < > a tenth of the run; B best validation epoch; L live; P
replay) or Replay, it asks every session for that epoch (``RunSession.show_epoch``:
the training process recomputes the regions from the checkpoint of that epoch, the
running model untouched) and shows the answers (``epoch_shown``) in the decision
views, with the epoch's figures and whether the checkpoint was exact.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence

from nnfs_gui.core.formatting import count, epoch_text
from nnfs_gui.ui.panels.compare import figures_text
from nnfs_gui.ui.views.cursor import CursorLines

REPLAY_TICK_MS = 33        # the cursor moves ~30 times a second during a replay
PAGE_SHARE = 0.10          # < and > move the cursor by this share of the run
KEYS = ((",", -1), (".", 1), ("<", -PAGE_SHARE), (">", PAGE_SHARE))


class CursorController(QObject):
    """Owns the cursor's epoch; the window's sessions and views are read, never kept."""

    moved = Signal(object)    # the epoch shown, or None when live

    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window
        self.epoch: int | None = None
        self.bar = window.cursor_bar
        plots = (window.curves_view.loss_plot, window.curves_view.acc_plot)
        self.lines = CursorLines(plots)
        self.lines.dragged.connect(lambda x: self.move_to(round(x)))
        self.bar.epoch_asked.connect(self.move_to)
        self.bar.best_asked.connect(self.go_to_best)
        self.bar.live_asked.connect(self.go_live)
        self.bar.replay_toggled.connect(self.set_replaying)
        self._replay = QTimer(self, interval=REPLAY_TICK_MS)
        self._replay.timeout.connect(self._replay_tick)
        self._replay_pos = 0.0
        self._replay_at = 0.0
        self._install_keys()

    def _install_keys(self) -> None:
        self.actions = []
        for key, step in KEYS:
            self._key(key, lambda s=step: self.step(s))
        self._key("B", self.go_to_best)
        self._key("L", self.go_live)
        self._key("P", lambda: self.set_replaying(not self._replay.isActive()))

    def _key(self, key: str, slot) -> None:
        action = QAction(self.w)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda *_: slot())
        self.w.addAction(action)
        self.actions.append(action)

    # -- reading -----------------------------------------------------------------------
    @property
    def live(self) -> bool:
        return self.epoch is None

    def span(self) -> tuple[int, int]:
        """(first, last) epoch with a history row in A's run (B may lag behind)."""
        a = self.w.session
        first = a.points.start_epoch if a.points is not None else 0
        return first, max(first, a.epoch - 1)

    # -- moving --------------------------------------------------------------------------
    def move_to(self, epoch: int) -> None:
        """Show ``epoch`` (clamped to the run) in every decision view."""
        lo, hi = self.span()
        epoch = int(min(max(epoch, lo), hi))
        self.epoch = epoch
        self.bar.set_range(lo, hi)
        self.bar.set_epoch(epoch)
        self.lines.show_at(epoch)
        for s in self.w.sessions():
            s.set_live_regions(False)
            if s.points is not None:
                s.show_epoch(min(epoch, max(s.epoch - 1, 0)))
        self._set_following(False)
        self.moved.emit(epoch)

    def step(self, amount: float) -> None:
        """Move by ``amount`` epochs (a float below 1: that share of the run)."""
        lo, hi = self.span()
        n = amount if abs(amount) >= 1 else np.sign(amount) * max(1, round(abs(amount) * (hi - lo)))
        start = hi if self.epoch is None else self.epoch
        self.move_to(int(start + n))

    def go_to_best(self) -> None:
        """The epoch of the lowest validation loss in A's history."""
        h = self.w.session.history
        val = np.where(np.isfinite(h.column("val_loss")), h.column("val_loss"), np.inf)
        if len(val):
            self.move_to(int(h.column("epoch")[int(np.argmin(val))]))

    def go_live(self) -> None:
        """Follow training again: the newest regions of every session."""
        self.set_replaying(False)
        self.epoch = None
        self.lines.show_at(None)
        self._set_following(True)
        for s in self.w.sessions():
            s.set_live_regions(True)   # a frame with fresh regions follows
        self.w.decision_view.show_regions(*_live(self.w.session))
        if self.w.compare is not None:
            self.w.compare.view.show_regions(*_live(self.w.compare.session))
        self.refresh()
        self.moved.emit(None)

    def _set_following(self, on: bool) -> None:
        if self.w.compare is not None:
            self.w.compare.live_regions = on
            if on:
                self.w.compare.cursor_text = None

    # -- replay ----------------------------------------------------------------------------
    def set_replaying(self, on: bool) -> None:
        """Move the cursor through the recorded run at the bar's pace, from the cursor
        (from the start when live or at the end)."""
        self.bar.set_replaying(on)
        if not on:
            self._replay.stop()
            return
        lo, hi = self.span()
        start = self.epoch if self.epoch is not None and self.epoch < hi else lo
        self._replay_pos, self._replay_at = float(start), time.perf_counter()
        self.move_to(start)
        self._replay.start()

    def _replay_tick(self) -> None:
        now = time.perf_counter()
        self._replay_pos += (now - self._replay_at) * self.bar.replay_pace.value()
        self._replay_at = now
        hi = self.span()[1]
        self.move_to(int(self._replay_pos))
        if self._replay_pos >= hi:
            self.set_replaying(False)

    # -- what comes back ----------------------------------------------------------------------
    def shown(self, view, session) -> None:
        """A session's EpochView arrived: draw it if the cursor is still away from live."""
        a = session is self.w.session
        if self.epoch is None or not (a or self.w.compare is not None):
            return   # live again, or B's answer arrived after compare closed
        target = self.w.decision_view if a else self.w.compare.view
        target.show_regions(view.grid, view.extent, view.val_pred, draft=True)
        if a:
            self.refresh()
            if self.w.compare is not None:
                self.w.a_figures.setText(row_text(view))
        elif self.w.compare is not None:
            self.w.compare.cursor_text = _checkpoint_note(view) + row_text(view)
            self.w.compare.figures.setText(self.w.compare.cursor_text)

    def refresh(self) -> None:
        """Range of the scrubber and the caption, after a frame or a move."""
        lo, hi = self.span()
        self.bar.set_range(lo, hi)
        a = self.w.session
        if self.epoch is None:
            self.bar.set_epoch(hi)
            self.bar.caption.setText(f"following training (live), {epoch_text(a.epoch)}")
            return
        view = a.epoch_view
        if view is None or view.asked != self.epoch:
            return
        self.bar.caption.setText(caption(view, a.epoch) + "\n" + row_text(view))


def _live(session):
    return session.latest_grid, session.extent, session.val_pred


def _checkpoint_note(view) -> str:
    return "" if view.exact else f"(nearest checkpoint {count(view.epoch_found)}) "


def row_text(view) -> str:
    """The figures of the row the view's regions belong to (row e: epochs done e + 1)."""
    return figures_text(view.row, view.epoch_found + 1)


def caption(view, epochs_done: int) -> str:
    """What the views show: 'showing epoch 420 (checkpoint), training at epoch 3,119'."""
    which = "checkpoint" if view.exact else f"nearest checkpoint: epoch {count(view.epoch_found)}"
    return f"showing epoch {count(view.asked)} ({which}), training at {epoch_text(epochs_done)}"
