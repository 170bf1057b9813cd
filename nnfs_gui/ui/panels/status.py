"""The status bar: messages, the verdict, speed, epoch and progress to the epoch limit.

Messages (``message``) use the status bar's own message area, which Qt lays out
left of the permanent widgets and over the normal ones: the verdict is a normal
widget, so a message hides it for its few seconds instead of sharing a line
with it (the two used to cut each other: "... Optimizer > Epoc|Overfitting").
The verdict is elided to the room it has; its tooltip holds the whole sentence.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QStatusBar

from nnfs_gui.core.formatting import epoch_text
from nnfs_gui.training.run.history import History
from nnfs_gui.training.run.verdict import Verdict, judge_history

RATE_WINDOW = 1.0  # seconds of training time averaged into the epochs/s figure
# Texts change at most this often while playing: each change re-lays out and repaints
# the status bar and toolbar, which at 30 frames/s cost more than the plots.
TEXT_INTERVAL = 0.25
# judge() costs ~1.5-15 ms (1,000,000 rows); once a second keeps the verdict steady
# to read while training, and costs nothing worth measuring.
VERDICT_INTERVAL = 1.0
NO_VERDICT = "No verdict yet: press Play or Step to train a few epochs."
# A run opened at or past its epoch limit has no rows and cannot train on: say how.
NO_VERDICT_AT_LIMIT = ("No verdict yet: no epochs trained in this run, and the epoch "
                       "limit is reached: raise Optimizer > Epoch limit, then Play to "
                       "continue training.")
VERDICT_TIP = ("Ch. 11: a model overfits when its validation loss turns up from its "
               "minimum while the training loss keeps falling; a validation loss well "
               "above the training loss (the book: more than ~10%) is a second sign.")


# Below this many rows a verdict is judged afresh at every frame (cheap: judge costs
# well under a millisecond there) and shown at once.
YOUNG_ROWS = 100


class SteadyVerdict:
    """``judge()`` of a growing history, held steady while training runs.

    While playing it judges at most every ``interval`` seconds, and a change of kind
    shows only once two judgements in a row agree (a run on the edge between two
    kinds would otherwise flicker). Paused or finished, it judges at once.
    """

    def __init__(self, interval: float = VERDICT_INTERVAL,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.interval, self.clock = interval, clock
        self.reset()

    def reset(self) -> None:
        self.current: Verdict | None = None
        self._candidate: str | None = None
        self._judged_at = -float("inf")
        self._rows = 0          # history rows behind self.current
        self._judged_rows: tuple[int, int] | None = None   # (history, rows) last judged

    def update(self, history: History, n_classes: int, playing: bool) -> Verdict | None:
        """The verdict to show now (None while the history is empty).

        A verdict of a young run (fewer than YOUNG_ROWS rows: "only 1 epoch so far")
        is replaced at every frame, without the hold: at 500 epochs/s the validation
        minimum comes within a second, and the first judgement must not outlive it."""
        if len(history) == 0:
            self.reset()
            return None
        now, young = self.clock(), self._rows < YOUNG_ROWS
        if playing and not young and now - self._judged_at < self.interval:
            return self.current
        if not playing and (id(history), len(history)) == self._judged_rows:
            return self.current   # nothing new (B's frames redraw A's status bar)
        self._judged_rows = (id(history), len(history))
        self._judged_at = now
        new = judge_history(history, n_classes)
        if not playing or young or self.current is None or new.kind == self.current.kind \
                or new.kind == self._candidate:
            self.current, self._candidate, self._rows = new, None, len(history)
        else:
            self._candidate = new.kind   # shown if the next judgement agrees
        return self.current


class EpochRate:
    """Epochs per second of training time, over the last second of it.

    The times are the training process's own cumulative training seconds, carried
    by each frame: the one definition of epochs/s, in the window and headless."""

    def __init__(self) -> None:
        self._points: list[tuple[float, int]] = []

    def reset(self) -> None:
        self._points.clear()

    def add(self, epoch: int, now: float) -> float:
        self._points.append((now, epoch))
        while len(self._points) > 2 and now - self._points[0][0] > RATE_WINDOW:
            self._points.pop(0)
        (t0, e0), (t1, e1) = self._points[0], self._points[-1]
        return (e1 - e0) / (t1 - t0) if t1 > t0 else 0.0


def _speed_text(rate: float, playing: bool, finished: bool) -> str:
    if finished:
        return "finished"
    # "measured": beside the pace's "pace 200 epochs/s", what training really reaches.
    return f"measured {rate:,.0f} epochs/s" if playing else "paused"


class ElidedLabel(QLabel):
    """A one-line label that elides its text to its width ("…"), full text in the
    tooltip; it takes the room the status bar has left, never more."""

    def __init__(self, text: str = "", tip: str = "") -> None:
        super().__init__()
        self._full, self._tip = "", tip
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(80)
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(f"{text}\n\n{self._tip}" if self._tip else text)
        self._elide()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight,
                                              max(0, self.width()))
        super().setText(shown)


class TrainingStatus:
    """The window's status bar: the verdict (a normal widget, hidden by messages),
    then the permanent speed, epoch and progress widgets at the right."""

    def __init__(self, bar: QStatusBar) -> None:
        self.bar = bar
        self.verdict = ElidedLabel(NO_VERDICT, VERDICT_TIP)
        self.speed = QLabel("paused")
        self.speed.setToolTip("Measured training speed: epochs per second of the "
                              "training process's own training time (at most the pace).")
        self.epoch = QLabel(epoch_text(0))
        self.epoch.setToolTip("The last epoch trained: the number of the newest history "
                              "row (as the book prints, and as in history.csv).")
        self.pace = QLabel("full speed")
        self.pace.setToolTip("Pace: the most epochs a second training may take "
                             "(toolbar > Pace).")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(120)
        self.progress.setToolTip("Progress toward the epoch limit.")
        self.progress.setFormat("%p%")
        bar.addWidget(self.verdict, 1)
        for w in (self.pace, self.speed, self.epoch, self.progress):
            bar.addPermanentWidget(w)
        self.speed.setMinimumWidth(110)
        self.epoch.setMinimumWidth(110)
        self.rate = EpochRate()
        self.steady = SteadyVerdict()
        self.epoch_count = 0   # epochs completed (the newest row is epoch_count - 1)
        self.epoch_limit = 0
        self._shown_at = 0.0
        self._shown_playing = False

    def reset(self, epoch_limit: int) -> None:
        self.rate.reset()
        self.steady.reset()
        self._shown_at = 0.0
        self.set_epoch(0, epoch_limit, playing=False)
        self.verdict.set_full_text(NO_VERDICT)

    def set_epoch(self, epoch: int, epoch_limit: int, playing: bool = True,
                  finished: bool = False, train_seconds: float = 0.0) -> bool:
        """Record ``epoch`` epochs completed at ``train_seconds`` (the training
        process's cumulative training time); update the texts if due (always when
        not playing). The text names the last epoch trained (``epoch - 1``, the
        newest history row). A stopped run says "paused" or "finished" where the
        speed was; a finished run fills the progress bar. Returns whether the texts
        were updated."""
        self.epoch_count, self.epoch_limit = epoch, epoch_limit
        rate = self.rate.add(epoch, train_seconds) if playing else 0.0
        if not playing:
            self.rate.reset()   # the next Play measures from its own first frame
        now = time.perf_counter()
        if playing and self._shown_playing and now - self._shown_at < TEXT_INTERVAL:
            return False
        self._shown_at, self._shown_playing = now, playing
        self.epoch.setText(epoch_text(epoch))
        total = epoch_limit + 1   # epochs 0..limit, as the book's range(epochs + 1)
        self.progress.setRange(0, total)
        self.progress.setValue(total if finished else min(epoch, total))
        self.speed.setText(_speed_text(rate, playing, finished))
        return True

    def set_pace(self, eps: float | None) -> None:
        self.pace.setText("full speed" if eps is None else f"pace {eps:,g} epochs/s")

    def show_verdict(self, history: History, n_classes: int, playing: bool) -> None:
        """The verdict of ``history`` (judged at most once a second while playing)."""
        verdict = self.steady.update(history, n_classes, playing)
        self.verdict.set_full_text(self.no_verdict_text() if verdict is None
                                   else verdict.text)

    def no_verdict_text(self) -> str:
        """What to do when there is nothing to judge: train, or (limit reached, as
        after opening a model saved at its limit) raise the epoch limit first."""
        at_limit = self.epoch_count > 0 and self.epoch_count > self.epoch_limit
        return NO_VERDICT_AT_LIMIT if at_limit else NO_VERDICT

    def message(self, text: str, ms: int = 6000) -> None:
        """A message in the status bar's own area; the verdict returns after ``ms``."""
        self.bar.showMessage(text, ms)
