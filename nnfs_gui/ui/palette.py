"""One colour-blind-safe palette for classes, used alike in regions, points and legends.

The eight colours are Okabe & Ito's (2008) set, reordered so the first three
(the spiral's classes) are the most distinct, and with their black replaced by a
dark grey so validation outlines stay visible on it.
"""

from __future__ import annotations

import numpy as np

# (8, 3) uint8, class c is row c % 8.
CLASS_COLORS = np.array([
    (0, 114, 178),    # blue
    (230, 159, 0),    # orange
    (0, 158, 115),    # bluish green
    (204, 121, 167),  # reddish purple
    (86, 180, 233),   # sky blue
    (213, 94, 0),     # vermillion
    (240, 228, 66),   # yellow
    (90, 90, 90),     # dark grey (Okabe-Ito black, lightened)
], dtype=np.uint8)

OUTLINE = (20, 20, 20)          # dark outline of validation points
MISTAKE = (220, 0, 0)           # ring around misclassified validation points
BACKGROUND = (255, 255, 255)

# How strongly a region shows its class colour over the white background:
# from MIN_TINT at chance confidence to MAX_TINT at certainty. Light enough that
# the points on top stay readable.
MIN_TINT = 0.12
MAX_TINT = 0.62
HARD_TINT = 0.5


def class_color(c: int) -> tuple[int, int, int]:
    """RGB of class ``c``."""
    r, g, b = CLASS_COLORS[c % len(CLASS_COLORS)]
    return int(r), int(g), int(b)


def paint_regions(probs: np.ndarray, hard: bool = False) -> np.ndarray:
    """Colour a probability grid by predicted class, shaded by confidence.

    probs: (h, w, k) float, rows over y, columns over x, each row summing to 1.
    hard: colour by argmax only, with no confidence shading.
    Returns (h, w, 3) uint8 RGB.
    """
    probs = np.asarray(probs, dtype=np.float32)
    k = probs.shape[-1]
    winner, best = _winner(probs)
    tint = np.full(winner.shape, HARD_TINT, np.float32) if hard else confidence_tint(best, k)
    colors = class_colors_f32(k)[winner]                       # (h, w, 3)
    white = np.float32(255.0)
    rgb = white + (colors - white) * tint[..., None]       # blend towards the class colour
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)


def _winner(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(h, w) index and value of the largest class probability (first on ties).

    One pass per class: numpy's argmax/max over a short last axis are ~5x slower.
    """
    best = probs[..., 0].copy()
    winner = np.zeros(best.shape, np.intp)
    for c in range(1, probs.shape[-1]):
        p = probs[..., c]
        better = p > best
        winner[better] = c
        np.maximum(best, p, out=best)
    return winner, best


def confidence_tint(best: np.ndarray, k: int) -> np.ndarray:
    """(h, w) float32 in [MIN_TINT, MAX_TINT]: confidence above chance, rescaled."""
    chance = np.float32(1.0 / max(k, 2))
    conf = (best - chance) / (np.float32(1.0) - chance)
    conf = np.clip(conf, 0.0, 1.0)
    return np.float32(MIN_TINT) + np.float32(MAX_TINT - MIN_TINT) * conf


def class_colors_f32(k: int) -> np.ndarray:
    """(k, 3) float32 class colours (cycling past eight)."""
    return CLASS_COLORS[np.arange(k) % len(CLASS_COLORS)].astype(np.float32)


def region_color(c: int, confidence: float = 1.0) -> tuple[int, int, int]:
    """The RGB a region of class ``c`` gets at a confidence in [0, 1] above chance."""
    tint = MIN_TINT + (MAX_TINT - MIN_TINT) * confidence
    return tuple(int(255 + (v - 255) * tint + 0.5) for v in class_color(c))
