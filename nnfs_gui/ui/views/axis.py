"""The loss axis: a range from robust statistics of what is drawn, and clean log ticks.

Adam's spikes (a loss of 2, or 7.5 after a high learning rate, for one epoch)
used to set the top of the loss axis and flatten the curves the book draws
(Fig 11.03). The top now comes from a high quantile of the drawn points in view,
with headroom; what rises above it is still drawn, runs off the top, and gets a
small mark there. In log mode the ticks are decades with 2 and 5 between them
when there is room, never pyqtgraph's crowded 1..9 ("1" over "0.9").
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg

TOP_QUANTILE = 0.97   # of the drawn points in view: spikes are a few of thousands
HEADROOM = 1.15       # above that quantile
LOG_HEADROOM = 1.3    # the same on a log axis (a factor)
LOG_FLOOR = 1e-12     # lowest loss a log axis shows
MIN_LABEL_GAP_PX = 18  # labelled log ticks at least this far apart (9 pt text is ~14 px)
NICE_LOG_STEPS = ((1,), (1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9))  # mantissas per level


def visible_values(series: Iterable[tuple[np.ndarray, np.ndarray]],
                   x_range: tuple[float, float]) -> np.ndarray:
    """Finite y values of ``series`` ((x, y) pairs) whose x lies in ``x_range``."""
    parts = []
    for x, y in series:
        if x is None or len(x) == 0:
            continue
        x, y = np.asarray(x, float), np.asarray(y, float)
        inside = (x >= x_range[0]) & (x <= x_range[1]) & np.isfinite(y)
        parts.append(y[inside])
    return np.concatenate(parts) if parts else np.empty(0)


def robust_top(values: np.ndarray, quantile: float = TOP_QUANTILE,
               headroom: float = HEADROOM) -> float | None:
    """A top for the axis: the ``quantile`` of ``values`` times ``headroom``
    (None when there is nothing to show)."""
    if len(values) == 0:
        return None
    top = float(np.quantile(values, quantile)) * headroom
    return top if top > 0 else None


def log_range(values: np.ndarray) -> tuple[float, float] | None:
    """(lo, hi) in log10 units for positive ``values``: from the smallest to the robust
    top, each with a little room, or None if none is positive."""
    positive = values[values > LOG_FLOOR]
    top = robust_top(positive, headroom=LOG_HEADROOM)
    if top is None:
        return None
    lo = float(np.min(positive)) / LOG_HEADROOM
    lo_log, hi_log = np.log10(lo), np.log10(max(top, lo * 10 ** 0.3))
    return float(lo_log), float(hi_log)


def clip_marks(series: Iterable[tuple[np.ndarray, np.ndarray]], x_range: tuple[float, float],
               top: float, bins: int = 200) -> np.ndarray:
    """(n,) x positions where a drawn curve runs above ``top`` within ``x_range``, at
    most one per 1/``bins`` of the range, so a run of spikes makes a row of marks."""
    xs = []
    for x, y in series:
        if x is None or len(x) == 0:
            continue
        x, y = np.asarray(x, float), np.asarray(y, float)
        above = (y > top) & (x >= x_range[0]) & (x <= x_range[1])
        xs.append(x[above])
    if not xs or not sum(len(a) for a in xs):
        return np.empty(0)
    x = np.concatenate(xs)
    width = max(x_range[1] - x_range[0], 1e-12) / bins
    _, first = np.unique(np.floor((x - x_range[0]) / width), return_index=True)
    return np.sort(x[first])


# -- log ticks ------------------------------------------------------------------------
def log_ticks(lo: float, hi: float, size_px: float,
              min_gap_px: float = MIN_LABEL_GAP_PX) -> list[float]:
    """Tick positions (log10 units) in [lo, hi] for an axis ``size_px`` long: the finest
    of decades / 1-2-5 / 1..9 whose labels stay ``min_gap_px`` apart; when even
    decades crowd, every 2nd, 5th, 10th ... decade."""
    lo, hi = sorted((lo, hi))
    px_per_decade = size_px / max(hi - lo, 1e-12)
    best: list[float] = []
    for mantissas in NICE_LOG_STEPS:
        ticks = _ticks_with(mantissas, lo, hi)
        gaps = np.diff(ticks) * px_per_decade
        if len(ticks) > 1 and gaps.min() < min_gap_px:
            break
        best = ticks
        if len(ticks) >= 3:
            # Enough labels already; finer steps only when the range is under a decade.
            break
    if not best:
        best = _sparse_decades(lo, hi, px_per_decade, min_gap_px)
    return best


def _ticks_with(mantissas: tuple[int, ...], lo: float, hi: float) -> list[float]:
    values = [d + np.log10(m) for d in range(int(np.floor(lo)), int(np.ceil(hi)) + 1)
              for m in mantissas]
    return [v for v in values if lo - 1e-9 <= v <= hi + 1e-9]


def _sparse_decades(lo: float, hi: float, px_per_decade: float,
                    min_gap_px: float) -> list[float]:
    for every in (1, 2, 5, 10, 20, 50, 100):
        if every * px_per_decade >= min_gap_px:
            first = int(np.ceil(lo / every)) * every
            return [float(d) for d in range(first, int(np.floor(hi)) + 1, every)]
    return []


def log_label(v: float) -> str:
    """'0.05', '1', '20', '1e-5', '2e6': a power of ten times 1..9, written plainly."""
    exponent = int(np.floor(v + 1e-9))
    mantissa = int(round(10 ** (v - exponent)))
    if mantissa == 10:
        exponent, mantissa = exponent + 1, 1
    if -4 <= exponent <= 4:
        return f"{mantissa * 10.0 ** exponent:.{max(0, -exponent)}f}"
    return f"{mantissa}e{exponent}"


class LossAxis(pg.AxisItem):
    """A left axis whose log mode labels only decades and 2/5 steps that fit."""

    def tickValues(self, minVal, maxVal, size):
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)
        return [(1.0, log_ticks(minVal, maxVal, size))]

    def logTickStrings(self, values, scale, spacing):
        return [log_label(v) for v in values]
