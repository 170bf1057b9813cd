"""The verdict: is the run learning, still improving, generalizing or overfitting?

One function, ``judge(history, n_classes)``, used by the status bar, the compare
captions, the exports and ``metrics.json``. It follows what chapter 11 teaches:
overfitting is the validation loss turning up from its minimum while the training
loss keeps falling. The book's rule of thumb (a train/validation gap above ~10%)
is written as a ratio ("validation loss 2.3x the training loss"); a large gap
(>= ``GAP_OVERFIT``) once the validation loss has made no new low for the lookback (10% of the run)
while the training loss fell is overfitting too. Data losses are compared (no
L1/L2 penalty), so the two are comparable.

The kinds (``Verdict.kind``, metrics.json's ``verdict.kind``, the sweep table):
"not learning yet" (too few rows, or accuracy about chance), "barely learning"
(past chance but validation accuracy still low and the validation loss no longer
falling: not praised as generalizing), "validation loss still falling",
"generalizing", "overfitting". Any epoch the text calls the lowest is
``Verdict.best_epoch``, the raw minimum the curves mark.

Adam's spikes (measured in ch11-overfit: episodes at epochs ~2,490 and ~9,650 where
both losses jump 2-4x and stay raised for ~30 epochs) would fool a rule that reads
single rows, so every value the rules use is a median over a window of epochs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np

from nnfs_gui.core.formatting import count

NOT_LEARNING = "not learning yet"
BARELY_LEARNING = "barely learning"
STILL_FALLING = "validation loss still falling"
GENERALIZING = "generalizing"
OVERFITTING = "overfitting"
KINDS = (NOT_LEARNING, BARELY_LEARNING, STILL_FALLING, GENERALIZING, OVERFITTING)

# Fewer rows than this and there is no trend to read: a median over a handful of
# epochs is one noisy number. Fresh ch11 models need ~10 epochs to move accuracy
# off chance (measured: 0.32 at epoch 0, 0.43 at epoch 10 with lr 0.05).
MIN_EPOCHS = 10

# "Near chance" = within this fraction of the way from chance (1/n_classes) to
# perfect accuracy. Measured: ch11-overfit killed by learning rate 10 (seeds 0-4,
# 400 epochs) sits at 0.347-0.387 training and 0.333-0.390 validation accuracy
# (median of the last 100 epochs), chance + <= 0.057 for 3 classes; a learning run
# (ch11-generalize, lr 0.005) is at 0.42 / 0.41 by epoch 10. 10% gives 0.400 for 3
# classes, about 2.5 standard deviations of a chance predictor's accuracy on 300
# points (sqrt(1/3 * 2/3 / 300) = 0.027).
CHANCE_MARGIN = 0.10

# Smoothing window: at least 100 epochs, because a median ignores what fills less
# than half its window and Adam's spike episodes last ~30 epochs (measured above);
# 1% of the run for long runs, so a 1,000,000-epoch run is read as ~100 windows.
# Short runs use a quarter of their length so the window never covers the whole run.
MIN_WINDOW = 100
WINDOW_FRACTION = 0.01
SHORT_RUN_FRACTION = 0.25
# Windows are evaluated at this many per window length (overlapping), which places
# the smoothed minimum within a quarter window of where it really is.
STEPS_PER_WINDOW = 4
# A window's median reads at most this many evenly spaced rows: the cost of judge()
# stays flat (~1.5 ms measured for 10,000 and for 1,000,000 rows) while a spike
# episode still covers the same share of the samples as of the window.
SAMPLES_PER_WINDOW = 250

# Overfitting needs the smoothed validation loss clearly above its smoothed minimum.
# Measured with the window above, truncating real 10,000-epoch runs every 25 epochs
# (scratch script, numbers in the report): ch11-generalize never rises more than
# 0.003; book-ch14 (L2, the book's better-generalizing model) drifts up to 0.065 late
# in its run; ch11-overfit rises 0.02 by epoch 600, 0.09 by 1,000, passes 0.10 at
# 1,050 (the book puts its chapter-11 minimum near 650-1,050) and reaches 1.16.
RISE_THRESHOLD = 0.10

# ...while the training loss is clearly lower than it was at the validation minimum.
# Measured: ch11-generalize with lr 0.05 is knocked by an Adam spike at epoch ~3,550
# from validation 0.45 / training 0.20 into a basin at 0.52 / 0.20 (rise 0.16), its
# training loss only 1.5% under its value at the minimum by epoch 5,300: no
# overfitting. ch11-overfit's training loss is 25% under it when the rise passes 0.10.
TRAIN_FALL = 0.05

# "Still falling" = the minimum lies within the last window and the smoothed
# validation loss fell by more than FALL_THRESHOLD over the lookback (the larger of
# a window and 10% of the run). Measured over that lookback: ch11-overfit falls
# 9% by epoch 100 and 3% by epoch 500; ch11-generalize 2% at 5,000 and 0.7% at
# 10,000 (a plateau: "generalizing"), book-ch14 0.3% at 2,000.
LOOKBACK_FRACTION = 0.10
FALL_THRESHOLD = 0.01

# The book's rule of thumb: a gap under ~10% is no sign of overfitting.
CLOSE_GAP = 1.10

# A gap this large (smoothed validation / training data loss), with no new validation
# low over the lookback and the training loss > TRAIN_FALL below its value at that low, is
# overfitting even while the validation loss rises less than RISE_THRESHOLD.
# Measured (scratch script over real runs, numbers in the report): ch11-generalize's
# gap never passes 1.48 in 10,000 epochs (it must not be called overfitting);
# ch11-overfit with 50 samples per class (the learning-curve sweep, 300 epochs, seed 0)
# ends at 1.9x, 7% above its smoothed minimum of epoch 145 with training loss 16%
# lower since; with 200 per class over 3,000 epochs at 1.93x, no new low for 1,500.
GAP_OVERFIT = 1.75

# "Barely learning": validation accuracy at most this fraction of the way from chance
# to perfect (3 classes: 0.50, 2 classes: 0.625), when the loss is no longer falling.
# Measured: ch11-generalize narrowed to 16 units with lr 6.3e-4 sits at 0.43-0.45
# validation accuracy and loss ~1.06 (an untrained model's ln 3 = 1.10) from epoch
# ~500 to 3,500; every learning-curve run that learned is at >= 0.60. Read from
# MIN_WINDOW rows on: a run of a few dozen epochs is young, not slow.
BARELY_MARGIN = 0.25


@dataclass(frozen=True)
class Verdict:
    """What the run is doing, in one plain sentence plus the numbers behind it.

    Attributes
    ----------
    kind : str
        One of ``KINDS``: "not learning yet", "barely learning", "validation loss
        still falling", "generalizing", "overfitting".
    text : str
        One sentence for the status bar, captions and exports.
    best_epoch : int or None
        Epoch of the lowest validation loss (raw, as ``Trainer.best_epoch``).
    rise : float or None
        Smoothed validation loss now / its smoothed minimum - 1 (>= 0).
    gap_ratio : float or None
        Smoothed validation data loss / training data loss, now.
    since_epoch : int or None
        Overfitting only: the epoch it started (the lowest raw row of the smoothed
        validation valley, or ``best_epoch`` for a large gap); may differ from
        ``best_epoch``, and the text then names both.
    """

    kind: str
    text: str
    best_epoch: int | None = None
    rise: float | None = None
    gap_ratio: float | None = None
    since_epoch: int | None = None

    def to_dict(self) -> dict:
        """Plain JSON-able dict (the ``verdict`` object of metrics.json): ``kind`` is
        one of ``KINDS`` ("barely learning" added after the first four; readers that
        know only those should treat it as "not learning yet"), ``best_epoch`` the
        raw validation minimum, ``since_epoch`` the onset of overfitting."""
        return asdict(self)


@dataclass(frozen=True)
class _Curves:
    """Finite rows of the columns the rules read, each shape (n,)."""

    epoch: np.ndarray
    train: np.ndarray
    val: np.ndarray
    acc: np.ndarray
    val_acc: np.ndarray


def judge(history: Mapping[str, np.ndarray], n_classes: int) -> Verdict:
    """Judge a run from its history.

    Parameters
    ----------
    history : Mapping[str, ndarray]
        History columns, each shape (n,): at least ``epoch``, ``data_loss``,
        ``acc``, ``val_loss`` and ``val_acc`` (a ``History``'s columns or its
        ``rows_since(0)``). Rows with a non-finite loss are ignored.
    n_classes : int
        Number of classes (>= 2); chance accuracy is ``1 / n_classes``.

    Returns
    -------
    Verdict
    """
    if n_classes < 2:
        raise ValueError(f"judge: n_classes must be >= 2, got {n_classes}")
    curves = _finite_rows(history)
    n = len(curves.epoch)
    if n < MIN_EPOCHS:
        return _just_started(n)
    window = smoothing_window(n)
    acc, val_acc = _recent(curves.acc, window), _recent(curves.val_acc, window)
    chance = 1.0 / n_classes
    if max(acc, val_acc) <= chance + CHANCE_MARGIN * (1.0 - chance):
        return _near_chance(acc, val_acc, chance)
    verdict = _judge_losses(curves, window)
    if verdict.kind == GENERALIZING and n >= MIN_WINDOW \
            and val_acc <= chance + BARELY_MARGIN * (1.0 - chance):
        return _barely_learning(verdict, curves, window, acc, val_acc, n_classes)
    return verdict


def smoothing_window(n_rows: int) -> int:
    """Epochs per median window for a run of ``n_rows`` rows (>= 1)."""
    window = max(MIN_WINDOW, int(WINDOW_FRACTION * n_rows))
    return max(1, min(window, int(SHORT_RUN_FRACTION * n_rows)))


def window_medians(values: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Medians of overlapping windows that end at the last row, stepping back.

    Parameters
    ----------
    values : ndarray, shape (n,)
    window : int, 1 <= window <= n

    Returns
    -------
    starts : ndarray of int, shape (k,)
        First row of each window, ascending; the last window ends at row n - 1.
    medians : ndarray of float, shape (k,)
    """
    step = max(1, window // STEPS_PER_WINDOW)
    starts = np.arange(len(values) - window, -1, -step)[::-1]
    stride = max(1, window // SAMPLES_PER_WINDOW)
    rows = starts[:, None] + np.arange(0, window, stride)[None, :]
    return starts, np.median(values[rows], axis=1)


def _judge_losses(c: _Curves, window: int) -> Verdict:
    starts, val_smooth = window_medians(c.val, window)
    best = int(np.argmin(val_smooth))
    lo, hi = int(starts[best]), int(starts[best]) + window
    # The valley is found on the smoothed curve; its epoch is the lowest raw row in it
    # (ch11-overfit: 420, where the window centre would say ~450).
    min_epoch = int(c.epoch[lo + int(np.argmin(c.val[lo:hi]))])
    raw_best = int(np.argmin(c.val))
    best_epoch = int(c.epoch[raw_best])
    val_now, train_now = _recent(c.val, window), _recent(c.train, window)
    rise = float(val_now / val_smooth[best] - 1.0)
    gap = float(val_now / train_now) if train_now > 0 else None
    numbers = dict(best_epoch=best_epoch, rise=rise, gap_ratio=gap)
    train_fell = train_now < (1.0 - TRAIN_FALL) * float(np.median(c.train[lo:hi]))
    if rise > RISE_THRESHOLD and train_fell:
        text = (f"Overfitting since epoch {min_epoch:,}{_lowest_clause(best_epoch, min_epoch)}"
                f": validation loss {_rise_words(rise)} its minimum while training loss "
                f"keeps falling{_gap_clause(gap)}.")
        return Verdict(OVERFITTING, text, since_epoch=min_epoch, **numbers)
    no_new_low = int(c.epoch[-1]) - best_epoch > _lookback(window, len(c.val))
    if no_new_low and gap is not None and gap >= GAP_OVERFIT:
        around = c.train[max(0, raw_best - window // 2):raw_best + window // 2 + 1]
        if train_now < (1.0 - TRAIN_FALL) * float(np.median(around)):
            text = (f"Overfitting since epoch {best_epoch:,}: validation loss "
                    f"{_times(gap)}x the training loss, no lower since then while "
                    f"training loss keeps falling.")
            return Verdict(OVERFITTING, text, since_epoch=best_epoch, **numbers)
    if not no_new_low and _still_falling(c, window, min_epoch):
        text = (f"Validation loss still falling (lowest at epoch {best_epoch:,})"
                f"{_gap_clause(gap)}.")
        return Verdict(STILL_FALLING, text, **numbers)
    return Verdict(GENERALIZING, _generalizing_text(rise, best_epoch, no_new_low, gap),
                   **numbers)


def _lowest_clause(best_epoch: int, since: int) -> str:
    """Names the raw minimum (the curves' marker) when it is not the onset epoch."""
    return "" if best_epoch == since else f" (lowest at epoch {best_epoch:,})"


def _still_falling(c: _Curves, window: int, min_epoch: int) -> bool:
    """The minimum is recent and the smoothed validation loss fell over the lookback."""
    n = len(c.val)
    lookback = _lookback(window, n)
    if int(c.epoch[-1]) - min_epoch > window:
        return False
    if window < MIN_WINDOW or n < lookback + window:
        return True  # a short run: its recent minimum is all there is to read
    before = float(np.median(c.val[n - lookback - window:n - lookback]))
    return _recent(c.val, window) < (1.0 - FALL_THRESHOLD) * before


def _lookback(window: int, n: int) -> int:
    """Epochs over which 'still falling' is read; a raw minimum further back than
    this is 'no lower since' (a 10,000-epoch run: 1,000)."""
    return max(window, int(LOOKBACK_FRACTION * n))


def _level_words(rise: float, best_epoch: int, no_new_low: bool) -> str:
    """Where the validation loss is against its minimum; 'at its minimum' only when
    the raw minimum is recent (within the lookback)."""
    if no_new_low:
        return (f"no lower since epoch {best_epoch:,} and {_rise_words(rise, at='at')} "
                f"its lowest level")
    return f"{_rise_words(rise)} its minimum (epoch {best_epoch:,})"


def _generalizing_text(rise: float, best_epoch: int, no_new_low: bool, gap) -> str:
    level = _level_words(rise, best_epoch, no_new_low)
    if rise > RISE_THRESHOLD:
        # Validation loss up but training loss not clearly down: a disturbance (an
        # Adam spike that knocked the weights into a worse basin, a learning rate
        # raised live), not the book's overfitting.
        return (f"Generalizing, but unsteady: validation loss {level}, and training "
                f"loss no lower than then{_gap_clause(gap)}.")
    return f"Generalizing: validation loss {level}{_gap_clause(gap)}."


def _barely_learning(verdict: Verdict, c: _Curves, window: int, acc: float,
                     val_acc: float, n_classes: int) -> Verdict:
    chance = 1.0 / n_classes
    far = int(c.epoch[-1]) - verdict.best_epoch > _lookback(window, len(c.val))
    level = _level_words(verdict.rise, verdict.best_epoch, far)
    untrained = math.log(n_classes)  # softmax cross-entropy of a uniform guess
    train_now = _recent(c.train, window)
    loss = (f"; training loss {train_now:.2f}, near an untrained model's {untrained:.2f}"
            if 0.8 * untrained <= train_now <= 1.2 * untrained else "")
    text = (f"Barely learning: accuracy {acc:.0%} on training and {val_acc:.0%} on "
            f"validation data (chance {chance:.0%}); validation loss {level}{loss}. "
            f"Try a higher learning rate or a wider network.")
    return Verdict(BARELY_LEARNING, text, best_epoch=verdict.best_epoch,
                   rise=verdict.rise, gap_ratio=verdict.gap_ratio)


def _rise_words(rise: float, at: str = "at") -> str:
    """'within 3% of', '35% above' or '2.2x' (never 'above' by 0%, never '1141%')."""
    if rise < 0.05:
        return f"within {max(rise, 0.0) * 100:.0f}% of" if rise >= 0.005 else at
    if rise < 0.995:  # from here on "100% above" would be "2.0 times"
        return f"{rise * 100:.0f}% above"
    return f"{_times(rise + 1.0)} times"


def _gap_clause(gap: float | None) -> str:
    """The book's secondary sign, as a ratio of validation to training data loss."""
    if gap is None or not math.isfinite(gap):
        return ""
    if gap < 1.0 / CLOSE_GAP:
        return "; validation loss below the training loss"
    if gap <= CLOSE_GAP:
        return "; validation loss close to the training loss"
    return f"; validation loss {_times(gap)}x the training loss"


def _times(ratio: float) -> str:
    return f"{ratio:.0f}" if ratio >= 10 else f"{ratio:.1f}"


def _just_started(n: int) -> Verdict:
    if n == 0:
        return Verdict(NOT_LEARNING, "Not learning yet: no epochs trained.")
    word = "epoch" if n == 1 else "epochs"
    return Verdict(NOT_LEARNING, f"Not learning yet: only {n} {word} so far.")


def _near_chance(acc: float, val_acc: float, chance: float) -> Verdict:
    return Verdict(NOT_LEARNING, f"Not learning yet: accuracy {acc:.0%} on training and "
                   f"{val_acc:.0%} on validation data, about chance ({chance:.0%}).")


def _recent(values: np.ndarray, window: int) -> float:
    return float(np.median(values[-window:]))


def _finite_rows(history: Mapping[str, np.ndarray]) -> _Curves:
    cols = {name: np.asarray(history[name], dtype=np.float64)
            for name in ("data_loss", "val_loss", "acc", "val_acc")}
    epoch = np.asarray(history["epoch"]).astype(np.int64, copy=False)
    if all(math.isfinite(column.sum()) for column in cols.values()):
        return _Curves(epoch=epoch, train=cols["data_loss"], val=cols["val_loss"],
                       acc=cols["acc"], val_acc=cols["val_acc"])  # the usual case: no copies
    keep = np.ones(len(epoch), dtype=bool)
    for column in cols.values():
        keep &= np.isfinite(column)
    epoch = epoch[keep]
    cols = {name: column[keep] for name, column in cols.items()}
    return _Curves(epoch=epoch, train=cols["data_loss"], val=cols["val_loss"],
                   acc=cols["acc"], val_acc=cols["val_acc"])


def short_verdict(verdict: Verdict) -> str:
    """A verdict (training.verdict.Verdict) in a few words for captions and titles:
    'Overfitting since epoch 420', 'Generalizing', 'Not learning yet'."""
    words = verdict.kind[:1].upper() + verdict.kind[1:]
    if verdict.since_epoch is not None:
        words += f" since epoch {count(verdict.since_epoch)}"
    return words


VERDICT_COLUMNS = ("epoch", "data_loss", "acc", "val_loss", "val_acc")


def judge_history(history, n_classes: int) -> Verdict:
    """training.verdict.judge() of a History (its columns as read-only views, no
    copies): the one verdict of the status bar, captions, exports and metrics.json."""
    return judge({name: history.column(name) for name in VERDICT_COLUMNS}, n_classes)
