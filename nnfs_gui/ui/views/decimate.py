"""Peak decimation kept up to date as rows arrive, so a million epochs draw like a few
thousand: each block of ``block`` rows is stored as its minimum and maximum, and when
there are too many blocks, neighbouring pairs merge (block doubles). Appending costs
O(rows appended) amortised; drawing costs O(MAX_BLOCKS + block).
"""

from __future__ import annotations

import numpy as np

# Beyond this the blocks merge pairwise. 2048 blocks (4096 points) are still several per
# pixel of a maximized plot, and halve the per-frame cost of handing the curves to
# pyqtgraph (its bounds and downsampling passes) against 4096: ~1 ms of each frame.
MAX_BLOCKS = 2048


class PeakDecimator:
    """Min/max blocks of one series y over x (x non-decreasing)."""

    def __init__(self, max_blocks: int = MAX_BLOCKS) -> None:
        self.max_blocks = max_blocks
        self.block = 1
        self._x = np.empty(0)
        self._lo = np.empty(0)
        self._hi = np.empty(0)
        self._n_blocks = 0
        self._tail_x = np.empty(0)
        self._tail_y = np.empty(0)

    def append(self, x: np.ndarray, y: np.ndarray) -> None:
        """Add rows: (m,) x and (m,) y."""
        x = np.concatenate([self._tail_x, np.asarray(x, float)])
        y = np.concatenate([self._tail_y, np.asarray(y, float)])
        full = len(x) // self.block * self.block
        if full:
            yb = y[:full].reshape(-1, self.block)
            self._push(x[:full:self.block], yb.min(axis=1), yb.max(axis=1))
        self._tail_x, self._tail_y = x[full:], y[full:]
        while self._n_blocks > self.max_blocks:
            self._merge_pairs()

    def _push(self, x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        need = self._n_blocks + len(x)
        if need > len(self._x):
            cap = max(need, 2 * len(self._x), 64)
            self._x, self._lo, self._hi = (np.resize(a, cap) for a in (self._x, self._lo,
                                                                         self._hi))
        sl = slice(self._n_blocks, need)
        self._x[sl], self._lo[sl], self._hi[sl] = x, lo, hi
        self._n_blocks = need

    def _merge_pairs(self) -> None:
        """Double the block size: pairs of blocks become one. An odd last block stays as
        it is (one narrower block changes no envelope)."""
        pairs = self._n_blocks // 2
        parts = [self._x[:2 * pairs:2].copy(),
                 self._lo[:2 * pairs].reshape(-1, 2).min(axis=1),
                 self._hi[:2 * pairs].reshape(-1, 2).max(axis=1)]
        if self._n_blocks % 2:
            last = self._n_blocks - 1
            parts = [np.append(p, a[last]) for p, a in zip(parts, (self._x, self._lo,
                                                                     self._hi), strict=True)]
        self._n_blocks = 0
        self.block *= 2
        self._push(*parts)

    def display(self) -> tuple[np.ndarray, np.ndarray]:
        """(k,) x and (k,) y to draw: each block as two points (min, max), then the tail."""
        n = self._n_blocks
        if self.block == 1:
            return (np.concatenate([self._x[:n], self._tail_x]),
                    np.concatenate([self._lo[:n], self._tail_y]))
        xs = np.repeat(self._x[:n], 2)
        ys = np.empty(2 * n)
        ys[0::2], ys[1::2] = self._lo[:n], self._hi[:n]
        return np.concatenate([xs, self._tail_x]), np.concatenate([ys, self._tail_y])


EMA_KEEP = 0.95   # weight of the previous smoothed value (the Smooth box's curves)
EMA_BLOCK = 64


def ema_continue(values: np.ndarray, last: float | None, keep: float = EMA_KEEP) -> np.ndarray:
    """Exponential moving average of (m,) ``values`` continuing from ``last``.

    s_i = keep * s_{i-1} + (1 - keep) * v_i, starting at s_0 = v_0 when ``last`` is None.
    Vectorised in blocks of EMA_BLOCK rows (keep**-EMA_BLOCK stays small), since a
    Python loop over each frame's rows costs more than drawing the frame.
    """
    values = np.asarray(values, dtype=float)
    out = np.empty(len(values))
    s = values[0] if (last is None or not np.isfinite(last)) and len(values) else last
    for b0 in range(0, len(values), EMA_BLOCK):
        block = values[b0:b0 + EMA_BLOCK]
        i = np.arange(len(block))
        weights = keep ** -i * (1.0 - keep)          # (1-k) k^-j
        out[b0:b0 + len(block)] = keep ** (i + 1) * s + keep ** i * np.cumsum(weights * block)
        s = out[b0 + len(block) - 1]
    return out
