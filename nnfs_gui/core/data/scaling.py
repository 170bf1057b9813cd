"""Chapter 13 input scalers, fitted on the training data only.

Every scaler is one affine map per feature, ``x' = (x - center) / scale``:

=============  ==================================  ======================
kind           center, scale                       training data maps to
=============  ==================================  ======================
``none``       0, 1                                unchanged
``maxabs``     0, max |x|                          [-1, 1]
``minmax_sym`` (min + max) / 2, (max - min) / 2    [-1, 1]
``minmax01``   min, max - min                      [0, 1]
``standard``   mean, std                           mean 0, std 1
=============  ==================================  ======================

A feature with no spread (constant, or all zeros for maxabs) would divide by
zero; its scale becomes 1 instead, so no NaN or infinity appears (a constant
feature maps to 0 under minmax_sym, minmax01 and standard).

The book's rule: fit on the training data, then apply the *same* scaler to
validation data, test data and predictions, and save it with the model
(``to_dict`` / ``Scaler.from_dict``, JSON-safe).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnfs_gui.core import config as _config

# Below this a feature's spread counts as zero (float32 data has ~7 digits).
_MIN_SCALE = 1e-12


class Scaler:
    """Affine per-feature map x' = (x - center) / scale; build with ``fit`` or
    ``from_dict``. ``center`` and ``scale`` are read-only (n_features,) float64."""

    kind = "none"

    def __init__(self, center: np.ndarray, scale: np.ndarray) -> None:
        self.center_ = _frozen(center)
        self.scale_ = _frozen(np.where(np.abs(scale) > _MIN_SCALE, scale, 1.0))

    @classmethod
    def fit(cls, x_train: np.ndarray) -> Scaler:
        """Learn center and scale from ``x_train`` (n, n_features)."""
        x = _as_2d(x_train)
        return cls(*cls._center_and_scale(x))

    @staticmethod
    def _center_and_scale(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(x.shape[1]), np.ones(x.shape[1])

    def transform(self, x: np.ndarray) -> np.ndarray:
        """(n, n_features) raw -> (n, n_features) float32 scaled."""
        return ((np.asarray(x, dtype=np.float64) - self.center_) / self.scale_).astype(
            np.float32)

    def inverse_transform(self, x: np.ndarray) -> np.ndarray:
        """(n, n_features) scaled -> (n, n_features) float32 raw."""
        return (np.asarray(x, dtype=np.float64) * self.scale_ + self.center_).astype(
            np.float32)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description: kind plus center and scale as lists of floats."""
        return {"kind": self.kind, "center": [float(v) for v in self.center_],
                "scale": [float(v) for v in self.scale_]}

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Scaler:
        """Rebuild the scaler ``to_dict`` described (of the right subclass)."""
        kind = d.get("kind") if isinstance(d, dict) else None
        if kind not in SCALERS:
            raise ValueError(f"scaler kind: {kind!r} is not one of {', '.join(SCALERS)}")
        center, scale = _vector(d, "center"), _vector(d, "scale")
        if center.shape != scale.shape:
            raise ValueError(f"scaler: center has {center.size} values, scale {scale.size}")
        return SCALERS[kind](center, scale)

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and np.array_equal(self.center_, other.center_)
                and np.array_equal(self.scale_, other.scale_))

    __hash__ = None  # mutable-looking numpy state; equality only

    def __repr__(self) -> str:
        return f"{type(self).__name__}(center={self.center_.tolist()}, " \
               f"scale={self.scale_.tolist()})"


class NoScaler(Scaler):
    """Leaves the data as it is."""

    kind = "none"


class MaxAbsScaler(Scaler):
    """Divides each feature by its largest |x|: the book's choice for ch. 13."""

    kind = "maxabs"

    @staticmethod
    def _center_and_scale(x):
        return np.zeros(x.shape[1]), np.abs(x).max(axis=0)


class MinMaxSymScaler(Scaler):
    """Maps each feature's [min, max] to [-1, 1]."""

    kind = "minmax_sym"

    @staticmethod
    def _center_and_scale(x):
        low, high = x.min(axis=0), x.max(axis=0)
        return (low + high) / 2.0, (high - low) / 2.0


class MinMax01Scaler(Scaler):
    """Maps each feature's [min, max] to [0, 1]."""

    kind = "minmax01"

    @staticmethod
    def _center_and_scale(x):
        low = x.min(axis=0)
        return low, x.max(axis=0) - low


class StandardScaler(Scaler):
    """Zero mean and unit standard deviation per feature."""

    kind = "standard"

    @staticmethod
    def _center_and_scale(x):
        return x.mean(axis=0), x.std(axis=0)


SCALERS: dict[str, type[Scaler]] = {
    cls.kind: cls for cls in (NoScaler, MaxAbsScaler, MinMaxSymScaler, MinMax01Scaler,
                              StandardScaler)
}
assert tuple(SCALERS) == _config.SCALERS, "SCALERS must match config.SCALERS"


def fit_scaler(name: str, x_train: np.ndarray) -> Scaler:
    """Fit scaler ``name`` on the training inputs ``x_train`` (n, n_features) only."""
    if name not in SCALERS:
        raise ValueError(f"scaler: {name!r} is not one of {', '.join(SCALERS)}")
    return SCALERS[name].fit(x_train)


def _as_2d(x: np.ndarray) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] == 0:
        raise ValueError(f"scaler: expected a non-empty (n, n_features) array, got shape "
                         f"{a.shape}")
    if not np.isfinite(a).all():
        raise ValueError("scaler: the training data contains NaN or infinite values")
    return a


def _frozen(v: np.ndarray) -> np.ndarray:
    a = np.array(v, dtype=np.float64, copy=True).reshape(-1)
    a.flags.writeable = False
    return a


def _vector(d: dict[str, Any], key: str) -> np.ndarray:
    values = d.get(key)
    if not isinstance(values, (list, tuple)) or not values or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in values):
        raise ValueError(f"scaler {key}: expected a non-empty list of finite numbers, "
                         f"got {values!r}")
    return np.array(values, dtype=np.float64)
