"""Early stopping on validation loss, for one run or many side by side.

A run improves when its validation loss is strictly below its best so far (so the
best epoch is the first epoch of the minimum, as ``np.argmin`` reads a history).
With a patience of N it stops once N epochs in a row brought no improvement;
without one it trains to its epoch limit. Either way the caller keeps the weights
of the best epoch: the weights that epoch *started from*, which are the ones its
validation loss was measured on (see trainer.py for the row convention).
"""

from __future__ import annotations

import numpy as np


class EarlyStopping:
    """Best validation loss and epoch of R runs; patience None never stops.

    best_loss (R,) float64 (inf before the first finite loss); best_epoch (R,) int64
    (-1 before it).
    """

    def __init__(self, n_runs: int, patience: int | None) -> None:
        if patience is not None and patience < 1:
            raise ValueError(f"patience: expected a whole number >= 1 or None, got {patience}")
        self.patience = patience
        self.best_loss = np.full(n_runs, np.inf)
        self.best_epoch = np.full(n_runs, -1, np.int64)

    def update(self, epoch: int, val_loss: np.ndarray) -> np.ndarray:
        """Record epoch `epoch`'s validation losses (R,); returns the (R,) bool mask of
        runs whose best it is (non-finite losses never improve)."""
        val_loss = np.asarray(val_loss, np.float64)
        improved = np.isfinite(val_loss) & (val_loss < self.best_loss)
        self.best_loss[improved] = val_loss[improved]
        self.best_epoch[improved] = epoch
        return improved

    def exhausted(self, epoch: int) -> np.ndarray:
        """(R,) bool: runs that have gone `patience` epochs without improving by the end
        of epoch `epoch`."""
        if self.patience is None:
            return np.zeros(len(self.best_loss), bool)
        return epoch - self.best_epoch >= self.patience

    def keep(self, rows: np.ndarray) -> None:
        """Keep only these runs, in this order."""
        self.best_loss, self.best_epoch = self.best_loss[rows], self.best_epoch[rows]
