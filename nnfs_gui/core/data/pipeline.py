"""The data side of a run in one call: split, augment, scale (ch. 11 and 13).

Order and why:
1. ``make_split``: training and validation points in raw units.
2. ``augment`` the training points only (validation must stay real data), in
   raw units because rotations and reflections are about the data's origin.
3. ``fit_scaler`` on the original training points only: validation data never
   influences the scaler, and the scaler does not depend on the augmentation.
4. Apply that one scaler to training and validation points (and, later, to
   the prediction grid).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnfs_gui.core.config import Config
from nnfs_gui.core.data import scaling, splits
from nnfs_gui.core.data.augment import augment
from nnfs_gui.core.data.splits import read_only_copy


@dataclass(frozen=True)
class PreparedData:
    """What the network trains and is validated on; arrays are read-only.

    split: the raw DataSplit; scaler: fitted on split.x_train;
    x_train: (n_aug, 2) float32 scaled, augmented; y_train: (n_aug,) int64;
    x_val: (n_val, 2) float32 scaled; y_val: (n_val,) int64.
    """

    split: splits.DataSplit
    scaler: scaling.Scaler
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def prepare_data(config: Config, rng: np.random.Generator) -> PreparedData:
    """Split, augment and scale the data of ``config``; randomness from ``rng``
    (split first, then augmentation)."""
    return prepare_split(config, splits.make_split(config, rng), rng)


def prepare_split(config: Config, split: splits.DataSplit,
                  rng: np.random.Generator) -> PreparedData:
    """Steps 2-4 on a given split (book mode brings its own, drawn from the book's
    stream); augmentation draws from ``rng``."""
    x_aug, y_aug = augment(split.x_train, split.y_train, config.augment_copies,
                           config.augment_jitter, config.augment_rotation,
                           config.augment_flip, rng)
    scaler = scaling.fit_scaler(config.scaler, split.x_train)
    return PreparedData(split, scaler, read_only_copy(scaler.transform(x_aug)),
                        read_only_copy(y_aug), read_only_copy(scaler.transform(split.x_val)),
                        read_only_copy(split.y_val))

