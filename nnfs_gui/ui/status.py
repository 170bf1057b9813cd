"""The status bar: speed, epoch, progress to the epoch limit, and the overfitting verdict."""

from __future__ import annotations

import math
import time

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

GAP_SIGN = 10.0   # ch. 11: a loss gap above ~10% is a sign of serious overfitting
RATE_WINDOW = 1.0  # seconds of training time averaged into the epochs/s figure
# Texts change at most this often while playing: each change re-lays out and repaints
# the status bar and toolbar, which at 30 frames/s cost more than the plots.
TEXT_INTERVAL = 0.25


def loss_gap_percent(train_loss: float, val_loss: float) -> float:
    """How far the validation loss lies above the training loss, in % of the training loss."""
    if not (math.isfinite(train_loss) and math.isfinite(val_loss)) or train_loss <= 0:
        return math.nan
    return (val_loss - train_loss) / train_loss * 100.0


def verdict(train_loss: float, val_loss: float) -> str:
    """The overfitting verdict in plain words, from the latest losses."""
    gap = loss_gap_percent(train_loss, val_loss)
    if math.isnan(gap):
        return "No verdict yet."
    if gap <= 0:
        return (f"Generalizing: validation loss is {-gap:.0f}% below the training loss.")
    if gap <= GAP_SIGN:
        return (f"Generalizing: validation loss is {gap:.0f}% above the training loss "
                f"(within the book's ~{GAP_SIGN:.0f}% sign).")
    return (f"Overfitting: validation loss is {gap:.0f}% above the training loss, past the "
            f"book's ~{GAP_SIGN:.0f}% sign (ch. 11).")


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
    return f"{rate:,.0f} epochs/s" if playing else "paused"


class TrainingStatus:
    """Permanent widgets in the window's status bar."""

    def __init__(self, bar: QStatusBar) -> None:
        self.bar = bar
        self.verdict = QLabel("No verdict yet.")
        self.verdict.setToolTip("Ch. 11: compare the training and validation loss; a gap of "
                                "more than about 10% signals serious overfitting.")
        self.speed = QLabel("0 epochs/s")
        self.speed.setToolTip("Training speed: epochs per second of the training "
                              "process's own training time.")
        self.epoch = QLabel("epoch 0")
        self.pace = QLabel("full speed")
        self.pace.setToolTip("Pace: the most epochs a second training may take "
                             "(toolbar > Pace).")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setToolTip("Progress toward the epoch limit.")
        self.progress.setFormat("%p%")
        for w in (self.verdict, self.pace, self.speed, self.epoch, self.progress):
            bar.addPermanentWidget(w)
        self.speed.setMinimumWidth(120)
        self.epoch.setMinimumWidth(110)
        self.rate = EpochRate()
        self.epoch_count = 0
        self._shown_at = 0.0
        self._shown_playing = False

    def reset(self, epoch_limit: int) -> None:
        self.rate.reset()
        self._shown_at = 0.0
        self.set_epoch(0, epoch_limit, playing=False)
        self.verdict.setText("No verdict yet.")

    def set_epoch(self, epoch: int, epoch_limit: int, playing: bool = True,
                  finished: bool = False, train_seconds: float = 0.0) -> bool:
        """Record the epoch at ``train_seconds`` (the training process's cumulative
        training time); update the texts if due (always when not playing).
        A stopped run says "paused" or "finished" where the speed was (not "0 epochs/s");
        a finished run fills the progress bar. Returns whether the texts were updated."""
        self.epoch_count = epoch
        rate = self.rate.add(epoch, train_seconds) if playing else 0.0
        if not playing:
            self.rate.reset()   # the next Play measures from its own first frame
        now = time.perf_counter()
        if playing and self._shown_playing and now - self._shown_at < TEXT_INTERVAL:
            return False
        self._shown_at, self._shown_playing = now, playing
        self.epoch.setText(f"epoch {epoch:,}")
        total = epoch_limit + 1   # epochs 0..limit, as the book's range(epochs + 1)
        self.progress.setRange(0, total)
        self.progress.setValue(total if finished else min(epoch, total))
        self.speed.setText(_speed_text(rate, playing, finished))
        return True

    def set_pace(self, eps: float | None) -> None:
        self.pace.setText("full speed" if eps is None else f"pace {eps:,g} epochs/s")

    def set_losses(self, train_loss: float, val_loss: float) -> None:
        self.verdict.setText(verdict(train_loss, val_loss))

    def message(self, text: str, ms: int = 6000) -> None:
        self.bar.showMessage(text, ms)
