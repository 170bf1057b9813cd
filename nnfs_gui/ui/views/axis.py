"""The loss axis: a range from robust statistics of what is drawn, and clean log ticks.

Adam's spikes (a loss of 2, or 7.5 after a high learning rate, for one epoch)
used to set the top of the loss axis and flatten the curves the book draws
(Fig 11.03). The top now comes from the drawn curves in view through a running
median (which drops spikes but keeps the curve's start), with headroom; what
rises above it is still drawn, runs off the top, and gets a small mark there.
In log mode the ticks are decades with 2 and 5 between them when there is room,
never pyqtgraph's crowded 1..9 ("1" over "0.9").
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg

MEDIAN_SHARE = 100    # running-median window: 1/100 of the drawn points in view,
MEDIAN_MIN, MEDIAN_MAX = 5, 61   # within these (peak decimation keeps ~4,000 points)
HEADROOM = 1.12       # above the highest smoothed point
LOG_HEADROOM = 1.3    # the same on a log axis (a factor)
LOG_FLOOR = 1e-12     # lowest loss a log axis shows
MIN_LABEL_GAP_PX = 18  # labelled log ticks at least this far apart (9 pt text is ~14 px)
NICE_LOG_STEPS = ((1,), (1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9))  # mantissas per level


def visible_curves(series: Iterable[tuple[np.ndarray, np.ndarray]],
                   x_range: tuple[float, float]) -> list[np.ndarray]:
    """The finite y values of each (x, y) pair in ``series`` whose x is in ``x_range``."""
    curves = []
    for x, y in series:
        if x is None or len(x) == 0:
            continue
        x, y = np.asarray(x, float), np.asarray(y, float)
        inside = (x >= x_range[0]) & (x <= x_range[1]) & np.isfinite(y)
        if inside.any():
            curves.append(y[inside])
    return curves


def running_median(y: np.ndarray) -> np.ndarray:
    """``y`` through a running median about 1/MEDIAN_SHARE of its length wide (odd,
    MEDIAN_MIN..MEDIAN_MAX points): spikes shorter than half of it vanish, the
    curve's shape (its start included) stays."""
    width = int(np.clip(len(y) // MEDIAN_SHARE, MEDIAN_MIN, MEDIAN_MAX)) | 1
    if len(y) < width:
        return np.array([np.median(y)])
    half = width // 2
    padded = np.pad(y, half, mode="edge")
    return np.median(np.lib.stride_tricks.sliding_window_view(padded, width), axis=1)


def robust_top(curves: list[np.ndarray], headroom: float = HEADROOM) -> float | None:
    """A top for the axis: the highest point of the curves' running medians, times
    ``headroom`` (None when there is nothing to show)."""
    if not curves:
        return None
    top = max(float(running_median(y).max()) for y in curves) * headroom
    return top if top > 0 else None


def log_range(curves: list[np.ndarray], snap: float = 0.0) -> tuple[float, float] | None:
    """(lo, hi) in log10 units: from the lowest to the highest point of the curves'
    running medians, each with a little room and widened to multiples of ``snap``
    decades if given (so the range, and the axis's cached pixmap, change rarely);
    None if nothing is positive."""
    positive = [y[y > LOG_FLOOR] for y in curves]
    positive = [y for y in positive if len(y)]
    top = robust_top(positive, headroom=LOG_HEADROOM)
    if top is None:
        return None
    lo = min(float(running_median(y).min()) for y in positive) / LOG_HEADROOM
    lo_log, hi_log = np.log10(lo), np.log10(max(top, lo * 10 ** 0.3))
    if snap:
        lo_log, hi_log = np.floor(lo_log / snap) * snap, np.ceil(hi_log / snap) * snap
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


def clip_mark_points(series: Iterable[tuple[np.ndarray, np.ndarray]], view_range,
                     log: bool) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) data of the marks for curves running above the top of ``view_range``
    ([[x0, x1], [y0, y1]], log10 units on a log axis): just inside the top edge."""
    (x0, x1), (y0, y1) = view_range
    xs = clip_marks(series, (x0, x1), 10.0 ** y1 if log else y1)
    mark_y = y1 - 0.025 * (y1 - y0)
    return xs, np.full(len(xs), 10.0 ** mark_y if log else mark_y)


# -- log ticks ------------------------------------------------------------------------
def log_ticks(lo: float, hi: float, size_px: float,
              min_gap_px: float = MIN_LABEL_GAP_PX) -> list[float]:
    """Tick positions (log10 units) in [lo, hi] for an axis ``size_px`` long: the finest
    of decades / 1-2-5 / 1..9 whose labels stay ``min_gap_px`` apart; when even
    decades crowd, every 2nd, 5th, 10th ... decade; on a range too narrow for two
    of those, round linear steps."""
    lo, hi = sorted((lo, hi))
    px_per_decade = size_px / max(hi - lo, 1e-12)
    best: list[float] = []
    for level, mantissas in enumerate(NICE_LOG_STEPS):
        ticks = _ticks_with(mantissas, lo, hi)
        if len(ticks) > 1 and np.diff(ticks).min() * px_per_decade < min_gap_px:
            if level == 0:            # even the decades crowd
                return _sparse_decades(lo, hi, px_per_decade, min_gap_px)
            break
        best = ticks
        if len(ticks) >= 3:
            break          # enough labels: finer steps only on ranges under a decade
    if len(best) < 2:
        return _linear_steps(lo, hi, px_per_decade, min_gap_px) or best
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


def _linear_steps(lo: float, hi: float, px_per_decade: float,
                  min_gap_px: float) -> list[float]:
    """Round values (1, 2, 2.5, 5 x 10^k apart) in [10^lo, 10^hi] as log10 positions,
    the finest whose labels keep their distance."""
    a, b = 10.0 ** lo, 10.0 ** hi
    for exponent in range(int(np.floor(np.log10(b - a))) - 2, int(np.ceil(np.log10(b))) + 1):
        for m in (1.0, 2.0, 2.5, 5.0):
            step = m * 10.0 ** exponent
            values = np.arange(np.ceil(a / step) * step, b + step * 1e-9, step)
            ticks = np.log10(values[values > 0])
            if len(ticks) >= 2 and np.diff(ticks).min() * px_per_decade >= min_gap_px:
                return ticks.tolist()
    return []


def log_label(v: float) -> str:
    """The loss 10**v written plainly: '0.05', '1', '20', '1.2', '1e-5', '2e6'."""
    text = f"{10.0 ** v:.3g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


class LossAxis(pg.AxisItem):
    """A left axis whose log mode labels only decades and 2/5 steps that fit."""

    def tickValues(self, minVal, maxVal, size):
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)
        return [(1.0, log_ticks(minVal, maxVal, size))]

    def logTickStrings(self, values, scale, spacing):
        return [log_label(v) for v in values]
