"""Chapter 13 data augmentation: transformed copies of the *training* samples.

``augment`` returns the original samples first, then ``copies`` transformed
copies of every sample (copy 1 of all samples, then copy 2, ...). Each copy of
each sample is, in this order:

1. reflected (``flip``), each reflection applied with probability 1/2 so the
   augmented set holds both orientations:

   - ``"none"``: no reflection;
   - ``"x"``: across the x axis, (x, y) -> (x, -y);
   - ``"y"``: across the y axis, (x, y) -> (-x, y);
   - ``"xy"``: both of the above, each decided independently (so a copy may
     also end up point-reflected, (x, y) -> (-x, -y));
2. rotated about the origin (0, 0) of the raw data by an angle drawn uniformly
   from [-rotation_deg, +rotation_deg] degrees;
3. jittered by Gaussian noise with standard deviation ``jitter`` per coordinate.

Augmentation works in raw data units (before any scaler), because the shapes
are centred on the origin. The book's caution applies: only variations that
could occur in reality help; a reflected spiral arm turns the other way, and
the app lets a learner see what that does to validation.
"""

from __future__ import annotations

import numpy as np

from nnfs_gui.core import config as _config

# Which coordinates a reflection negates: across the x axis y flips, and so on.
FLIP_AXES: dict[str, tuple[int, ...]] = {
    "none": (),
    "x": (1,),
    "y": (0,),
    "xy": (1, 0),
}
assert tuple(FLIP_AXES) == _config.FLIPS, "FLIP_AXES must match config.FLIPS"


def augment(x: np.ndarray, y: np.ndarray, copies: int, jitter: float, rotation_deg: float,
            flip: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Training set plus ``copies`` transformed copies of every sample.

    x: (n, 2), y: (n,). Returns x_aug ((copies + 1) * n, 2) float32 and y_aug
    ((copies + 1) * n,) with y's dtype; rows [0, n) are the originals. With
    ``copies == 0`` the inputs themselves are returned unchanged.
    """
    _check(copies, jitter, rotation_deg, flip)
    if copies == 0:
        return x, y
    base = np.tile(np.asarray(x, dtype=np.float64), (copies, 1))
    moved = _jitter(_rotate(_reflect(base, flip, rng), rotation_deg, rng), jitter, rng)
    x_aug = np.concatenate([np.asarray(x, dtype=np.float32), moved.astype(np.float32)])
    return x_aug, np.tile(np.asarray(y), copies + 1)


def _reflect(points: np.ndarray, flip: str, rng: np.random.Generator) -> np.ndarray:
    """Negate each axis of FLIP_AXES[flip] in a random half of the rows. (m, 2) -> (m, 2)."""
    out = points.copy()
    for axis in FLIP_AXES[flip]:
        chosen = rng.random(points.shape[0]) < 0.5
        out[chosen, axis] = -out[chosen, axis]
    return out


def _rotate(points: np.ndarray, rotation_deg: float, rng: np.random.Generator) -> np.ndarray:
    """Rotate each row about the origin by its own uniform angle. (m, 2) -> (m, 2)."""
    if rotation_deg == 0:
        return points
    limit = np.deg2rad(rotation_deg)
    angle = rng.uniform(-limit, limit, points.shape[0])
    cos, sin = np.cos(angle), np.sin(angle)
    px, py = points[:, 0], points[:, 1]
    return np.column_stack([cos * px - sin * py, sin * px + cos * py])


def _jitter(points: np.ndarray, jitter: float, rng: np.random.Generator) -> np.ndarray:
    """Add Gaussian noise of std ``jitter``. (m, 2) -> (m, 2)."""
    if jitter == 0:
        return points
    return points + rng.standard_normal(points.shape) * jitter


def _check(copies: int, jitter: float, rotation_deg: float, flip: str) -> None:
    if isinstance(copies, bool) or not isinstance(copies, (int, np.integer)) or copies < 0:
        raise ValueError(f"augment_copies: expected a whole number >= 0, got {copies!r}")
    if not jitter >= 0:
        raise ValueError(f"augment_jitter: expected a number >= 0, got {jitter!r}")
    if not 0 <= rotation_deg <= 180:
        raise ValueError(f"augment_rotation: {rotation_deg!r} is outside 0..180 degrees")
    if flip not in FLIP_AXES:
        raise ValueError(f"augment_flip: {flip!r} is not one of {', '.join(FLIP_AXES)}")
