"""The mini-batch loop shared by the layer engine (engines.py) and the fast path
(fastpath.py): batch order and the sample-weighted mean of the per-batch metrics."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def batch_order(n: int, shuffle: bool, rng, fallback_rng) -> np.ndarray | None:
    """A permutation of range(n) drawn from `rng` (or `fallback_rng` when rng is None)
    when `shuffle`, else None (batches in data order)."""
    if not shuffle:
        return None
    return (rng if rng is not None else fallback_rng).permutation(n)


def mean_over_batches(n: int, batch_size: int, order: np.ndarray | None,
                      train_step: Callable[[slice | np.ndarray], Sequence[float]],
                      should_stop: Callable[[], bool] | None = None
                      ) -> tuple[float, ...] | None:
    """Run `train_step(idx)` on consecutive batches of `batch_size` rows of an n-row set
    (idx a slice, or rows of `order`) and return the metrics it gives (loss, data_loss,
    reg_loss, acc) as their means weighted by batch size. None if `should_stop()` said
    yes between two batches (the batches before it did update: the caller restores)."""
    totals = np.zeros(4)
    for start in range(0, n, batch_size):
        if should_stop is not None and start and should_stop():
            return None
        stop = min(start + batch_size, n)
        idx = slice(start, stop) if order is None else order[start:stop]
        totals += (stop - start) * np.array(train_step(idx)[:4], dtype=np.float64)
    return tuple(float(v) for v in totals / n)
