"""How far a learner's array is from the app's, and in words what differs.

The measure is normwise: the largest absolute difference over the largest absolute
expected value, so a gradient whose large entries match but whose near-zero entries
differ in the last bits passes, and one scaled by a factor or with a different sign
does not. Between the app's book-mode engine and a file with the book's arithmetic
the differences are exactly 0; writing ``inputs @ weights`` instead of ``np.dot``
(float32 products instead of float64 ones rounded) gives about 1e-7.
"""

from __future__ import annotations

import math

import numpy as np

TOLERANCE = 1e-4   # largest relative difference that passes
# Elements whose expected value is at least this share of the largest one are used to
# read a factor (tiny ones are all rounding).
FACTOR_FLOOR = 1e-3


def relative_difference(got, expected) -> float:
    """max|got - expected| / max|expected|; 0 when equal; inf when the shapes differ,
    ``got`` holds NaN or inf where ``expected`` is finite, or only ``expected`` is 0."""
    g, e = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        return math.inf
    if g.size == 0:
        return 0.0
    if np.any(~np.isfinite(g) & np.isfinite(e)):
        return math.inf
    diff = float(np.max(np.abs(g - e)))
    if diff == 0:
        return 0.0
    scale = float(np.max(np.abs(e)))
    return diff / scale if scale > 0 else math.inf


def what_differs(got, expected, inputs=None, proportional=None) -> str:
    """One line: the shape, NaN/inf, a flipped sign, a factor, a difference
    proportional to ``proportional`` = (name, array, {strength name: value}), and
    which elements differ (for an activation with ``inputs``: where those were <= 0
    or > 0, when the differing elements all lie on one side)."""
    g, e = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        return f"shape {g.shape}, expected {e.shape}"
    broken = ~np.isfinite(g) & np.isfinite(e)
    if broken.any():
        return (f"{int(broken.sum()):,} of {g.size:,} values are NaN or inf "
                f"(first at {_index(broken)}); expected finite values")
    if g.ndim == 0:
        return f"yours {float(g):.7g}, expected {float(e):.7g}" + _factor(g, e, "; ")
    shape_of_it = _sign(g, e) or _proportional(g - e, proportional) or _factor(g, e)
    elements = _elements(g, e, inputs)
    return f"{shape_of_it}; {elements}" if shape_of_it else elements


def _index(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _sign(g: np.ndarray, e: np.ndarray) -> str:
    if np.any(e) and relative_difference(-g, e) <= TOLERANCE:
        return "the sign is flipped (yours = -expected)"
    return ""


def _factor(g: np.ndarray, e: np.ndarray, lead: str = "") -> str:
    """"about 0.9 x expected" when every sizeable element has about that ratio, or
    "mostly about 3.07 x expected" when the middle half does (Adam without its bias
    correction: about sqrt(1 - beta2) / (1 - beta1) = 3.16 where epsilon is small)."""
    scale = np.max(np.abs(e))
    used = np.abs(e) >= FACTOR_FLOOR * scale
    if scale == 0 or not used.any():
        return ""
    ratios = g[used] / e[used]
    low, middle, high = (float(v) for v in np.percentile(ratios, [25, 50, 75]))
    if middle == 0 or abs(middle - 1) <= TOLERANCE or max(middle - low, high - middle) > \
            0.1 * abs(middle):
        return ""
    spread = f"{ratios.min():.3g} to {ratios.max():.3g}"
    if np.max(np.abs(ratios - middle)) <= 0.1 * abs(middle):
        return f"{lead}about {middle:.4g} x expected (yours / expected: {spread})"
    return (f"{lead}mostly about {middle:.4g} x expected (yours / expected: half of them "
            f"{low:.3g} to {high:.3g}, all {spread})")


def _proportional(diff: np.ndarray, proportional) -> str:
    """"yours - expected = -0.0005 x weights (-1 x weight_regularizer_l2)"."""
    if proportional is None:
        return ""
    name, ref, strengths = proportional
    ref = np.asarray(ref, dtype=np.float64)
    norm = float(np.sum(ref * ref))
    if ref.shape != diff.shape or norm == 0:
        return ""
    c = float(np.sum(diff * ref)) / norm
    if c == 0 or np.max(np.abs(diff - c * ref)) > 0.01 * np.max(np.abs(diff)):
        return ""
    known = [f"{c / v:.3g} x {k}" for k, v in strengths.items() if v]
    return f"yours - expected = {c:.3g} x {name}" + (f" ({', '.join(known)})" if known else "")


def _elements(g: np.ndarray, e: np.ndarray, inputs) -> str:
    scale = float(np.max(np.abs(e))) or 1.0
    bad = np.abs(g - e) > TOLERANCE * scale
    if not bad.any():
        bad = g != e
    first = _index(bad)
    text = (f"{int(bad.sum()):,} of {g.size:,} elements differ, first at {first}: "
            f"yours {g[first]:.7g}, expected {e[first]:.7g}")
    if inputs is not None and np.shape(inputs) == g.shape:
        side = np.asarray(inputs)[bad]
        if np.all(side <= 0):
            text += "; all where the input was <= 0"
        elif np.all(side > 0):
            text += "; all where the input was > 0"
    return text
