"""Validation strategies: how the out-of-sample data of a run is made (ch. 11).

- ``fresh``: a second, independent sample from the same generator with the same
  number of points per class, drawn after the training data from the same
  random stream (the book's chapter 11: a new spiral as the test set).
- ``holdout``: ``samples`` points per class are generated and a stratified
  random fraction ``val_fraction`` of each class is held out.
- ``block``: as holdout, but each class gives up a contiguous block of its
  points in generation order, taken from the *end* of the class: the outer end
  of each spiral arm, the last stretch of each ring or moon. This is the book's
  advice for time-ordered data (hold out blocks, not random picks), and it asks
  the model to extrapolate.

With holdout and block the training set therefore holds ``samples - n_val``
points per class, where ``n_val = round(val_fraction * samples)`` (at least 1,
and at least 1 point stays for training).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnfs_gui.core import config as _config
from nnfs_gui.core.config import Config
from nnfs_gui.core.data.datasets import make_dataset


@dataclass(frozen=True)
class DataSplit:
    """Training and validation data in raw (unscaled) units; arrays are read-only.

    x_train: (n_train, 2) float32; y_train: (n_train,) int64;
    x_val: (n_val, 2) float32; y_val: (n_val,) int64; strategy: config.VALIDATIONS key.
    source: where the points came from when they are not the config's generator's:
    "" (generated), DRAWN, or the imported file's name (see ``describe_source``).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    strategy: str
    source: str = ""


DRAWN = "drawn"   # DataSplit.source of points drawn in the window


def describe_source(source: str) -> str:
    """Words for a DataSplit.source: "drawn points", "imported from moons.csv", or ""
    for generated points (the config's data set says what they are)."""
    if not source:
        return ""
    return "drawn points" if source == DRAWN else f"imported from {source}"


def source_stem(source: str) -> str:
    """A file-name stem for exports of such points: "drawn-points", the imported file's
    stem ("moons" for moons.csv), or "" for generated points."""
    if not source:
        return ""
    if source == DRAWN:
        return "drawn-points"
    stem = source.rsplit(".", 1)[0] if "." in source[1:] else source
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem) or "data"


def read_only_copy(a: np.ndarray, dtype: type | None = None) -> np.ndarray:
    """A copy of `a` (in `dtype` if given) that cannot be written to."""
    copy = np.array(a, dtype=dtype, copy=True)
    copy.flags.writeable = False
    return copy


def _build(x_train, y_train, x_val, y_val, strategy: str) -> DataSplit:
    return DataSplit(read_only_copy(x_train, np.float32), read_only_copy(y_train, np.int64),
                     read_only_copy(x_val, np.float32), read_only_copy(y_val, np.int64), strategy)


def held_out_per_class(samples: int, val_fraction: float) -> int:
    """How many of a class's ``samples`` points go to validation (holdout, block).

    Rounded half up, at least 1, and at least 1 point stays for training.
    """
    n_val = math.floor(val_fraction * samples + 0.5)
    return min(max(n_val, 1), samples - 1)


def _generate(config: Config, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return make_dataset(config.dataset, config.samples, config.classes, config.noise, rng)


def _fresh(config: Config, rng: np.random.Generator) -> DataSplit:
    x_train, y_train = _generate(config, rng)
    x_val, y_val = _generate(config, rng)
    return _build(x_train, y_train, x_val, y_val, "fresh")


def _val_mask(y: np.ndarray, n_val: int,
              pick: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Boolean (n,) mask: for each class, ``pick(indices)[:n_val]`` becomes validation.

    ``indices`` are a class's positions in generation order.
    """
    mask = np.zeros(y.shape[0], dtype=bool)
    for c in np.unique(y):
        mask[pick(np.flatnonzero(y == c))[:n_val]] = True
    return mask


def _split_by_mask(x, y, mask: np.ndarray, strategy: str) -> DataSplit:
    # Both parts keep generation order, so block validation stays contiguous.
    return _build(x[~mask], y[~mask], x[mask], y[mask], strategy)


def _holdout(config: Config, rng: np.random.Generator) -> DataSplit:
    x, y = _generate(config, rng)
    n_val = held_out_per_class(config.samples, config.val_fraction)
    mask = _val_mask(y, n_val, rng.permutation)
    return _split_by_mask(x, y, mask, "holdout")


def _block(config: Config, rng: np.random.Generator) -> DataSplit:
    x, y = _generate(config, rng)
    n_val = held_out_per_class(config.samples, config.val_fraction)
    mask = _val_mask(y, n_val, lambda idx: idx[::-1])  # the last n_val of each class
    return _split_by_mask(x, y, mask, "block")


SPLITS: dict[str, Callable[[Config, np.random.Generator], DataSplit]] = {
    "fresh": _fresh,
    "holdout": _holdout,
    "block": _block,
}
assert tuple(SPLITS) == _config.VALIDATIONS, "SPLITS must match config.VALIDATIONS"


def make_split(config: Config, rng: np.random.Generator) -> DataSplit:
    """Training and validation data for ``config`` (dataset, samples, classes,
    noise, validation, val_fraction), all randomness drawn from ``rng``."""
    return SPLITS[config.validation](config, rng)
