"""The validation curve of a sweep as numbers: loss against the varied setting.

Qt-free, so the window, the headless pictures and the tests read one summary.
x is the first varied field; with a second varied field each of its values is a
group of its own (one set of lines per value). Over seeds each point is the mean,
with the lowest and highest run as its spread.

Numeric x values are placed at their value (log scale when they span a decade or
more, as samples 25..800, widths 4..512 or L2 strengths 1e-5..1e-2 do: on a linear
axis 25 and 50 sit 3% of the width apart and their labels run together); others (hidden layer
lists such as "64-64") at positions 0, 1, 2, ... with the values as tick labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

METRICS = {  # RunResult attribute -> legend label
    "final_train_loss": "training loss (final)",
    "final_val_loss": "validation loss (final)",
    "best_val_loss": "validation loss (best)",
}
LOG_SPAN = 10.0  # max / min of positive x values from which the axis is logarithmic


@dataclass(frozen=True)
class Series:
    """One line: mean over seeds at each x, with the spread (lo, hi); shapes (n,)."""

    metric: str
    group: str
    x: np.ndarray
    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


@dataclass(frozen=True)
class CurveSummary:
    field: str
    positions: np.ndarray        # (n,) where each x value sits on the axis
    labels: list[str]            # (n,) the x values as written in the table
    log_x: bool
    numeric: bool
    series: list[Series]


def x_label(value: Any) -> str:
    if isinstance(value, tuple):
        return "-".join(str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def summarize(results: Sequence, varied: Sequence[str], x_values: Sequence | None = None
              ) -> CurveSummary:
    """The curve of `results` (RunResults, any order, any subset of the sweep).

    x_values: every value of the first varied field in the sweep's order (default:
    those present in results), so a partly done sweep keeps its axis.
    """
    field = varied[0]
    xs = list(x_values) if x_values is not None else _unique(r.values[field] for r in results)
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in xs)
    positive = numeric and all(v > 0 for v in xs)
    log_x = bool(positive and len(xs) > 1 and max(xs) / min(xs) >= LOG_SPAN)
    positions = np.array(xs, float) if numeric else np.arange(len(xs), dtype=float)
    groups = _unique(r.values[varied[1]] for r in results) if len(varied) > 1 else [None]
    series = []
    for group in groups:
        members = [r for r in results if group is None or r.values[varied[1]] == group]
        name = "" if group is None else f"{varied[1]} = {x_label(group)}"
        for metric in METRICS:
            line = _series(members, field, xs, positions, metric, name)
            if line is not None:
                series.append(line)
    return CurveSummary(field, positions, [x_label(v) for v in xs], log_x, numeric, series)


def _series(results, field, xs, positions, metric, group) -> Series | None:
    """Mean and spread of `metric` at each x that has finite values."""
    keep, mean, lo, hi = [], [], [], []
    for i, value in enumerate(xs):
        ys = np.array([getattr(r, metric) for r in results if r.values[field] == value], float)
        ys = ys[np.isfinite(ys)]
        if len(ys):
            keep.append(positions[i])
            mean.append(ys.mean())
            lo.append(ys.min())
            hi.append(ys.max())
    if not keep:
        return None
    return Series(metric, group, *(np.array(a, float) for a in (keep, mean, lo, hi)))


def _unique(values) -> list:
    out: list = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def format_seconds(seconds: float) -> str:
    """'42 s', '3 min 05 s', '1 h 02 min': time left, as progress lines show it."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
