"""Immutable pictures of a run, handed from the training thread to the views."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Snapshot:
    """The state of a run at one moment; every array is a read-only copy.

    history: the rows added since the previous snapshot, one array per column of
        ``history.COLUMNS``, each shape (k,). Summed over all snapshots of a run
        these rows are the whole history: throttling drops nothing.
    grid: (size, size, n_classes) float32 class probabilities, row 0 = lowest y,
        column 0 = lowest x, over ``extent``; None when not requested.
    extent: (x_min, x_max, y_min, y_max) in raw data units.
    """

    run_id: int
    epoch: int
    history: dict[str, np.ndarray]
    grid: np.ndarray | None
    extent: tuple[float, float, float, float]
    learning_rate: float
    diverged: bool
    finished: bool
    message: str


def frozen_copy(array: np.ndarray) -> np.ndarray:
    """A copy nobody can write to (a snapshot must not change after it is sent)."""
    out = np.array(array, copy=True)
    out.flags.writeable = False
    return out
