"""Checkpoints of one run's parameters within a memory budget, so any epoch can be shown.

``Timeline.record(epoch, params)`` is called every epoch by the training process;
``nearest(epoch)`` gives back the weights of the closest stored epoch, from which the
decision view recomputes its regions.

Layout. Each checkpoint is one row of float32 (all parameters flattened) plus an int64
epoch, and rows live in 2-D blocks of about 1 MiB allocated as they fill (never
copied when the store grows, so memory never overshoots the budget). The budget is
split in two parts:

- a *recent ring* (a quarter of the rows) holding the newest epochs exactly;
- an *archive* (the rest) holding older epochs at a stride that doubles whenever
  it fills: rows whose epoch is a multiple of ``stride`` leaving the ring enter the
  archive; when it is full, the rows that are not multiples of ``2 * stride`` are
  dropped (compacted in place) and the stride doubles.

Until the whole store fills, the stride is 1 and every epoch is exact. Afterwards
every epoch of the run lies within ``max_distance() == stride // 2`` of a stored one
(both neighbours are at most ``stride`` apart), the same everywhere in the run. A
uniform stride suits the cursor: the curves' epoch axis is linear, so a pixel covers
the same number of epochs at the start of a run as at its end. For ch11's 2-64-3
network (387 floats, 1,556 bytes a row) the default 200 MiB holds 134,000 rows:
a 1,000,000-epoch run ends with stride 16 (``python -m nnfs_gui.bench timeline``).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

DEFAULT_BUDGET = 200 * 2**20
BLOCK_BYTES = 2**20       # rows per block: whatever fits in 1 MiB
MIN_BLOCKS = 8            # small budgets still get a ring and an archive of some size
RECENT_SHARE = 0.25       # share of the blocks kept for the exact recent ring

_ROW_EXTRA = np.dtype(np.int64).itemsize  # the epoch stored beside each row


class _Blocks:
    """Rows of ``width`` float32 (and an int64 epoch each) in blocks made on demand."""

    def __init__(self, width: int, block_rows: int, max_blocks: int) -> None:
        self.width, self.block_rows, self.max_blocks = width, block_rows, max_blocks
        self.data: list[np.ndarray] = []    # each (block_rows, width) float32
        self.epoch: list[np.ndarray] = []   # each (block_rows,) int64

    @property
    def capacity(self) -> int:
        return self.block_rows * self.max_blocks

    @property
    def nbytes(self) -> int:
        return sum(d.nbytes for d in self.data) + sum(e.nbytes for e in self.epoch)

    def ensure(self, rows: int) -> None:
        """Allocate blocks until ``rows`` rows fit (rows <= capacity)."""
        while len(self.data) * self.block_rows < rows:
            self.data.append(np.empty((self.block_rows, self.width), np.float32))
            self.epoch.append(np.empty(self.block_rows, np.int64))

    def keep_blocks(self, rows: int) -> None:
        """Free the blocks no longer needed to hold ``rows`` rows."""
        n = -(-rows // self.block_rows)
        del self.data[n:], self.epoch[n:]

    def row(self, i: int) -> np.ndarray:
        return self.data[i // self.block_rows][i % self.block_rows]

    def epoch_at(self, i: int) -> int:
        return int(self.epoch[i // self.block_rows][i % self.block_rows])

    def set_epoch(self, i: int, epoch: int) -> None:
        self.epoch[i // self.block_rows][i % self.block_rows] = epoch

    def epochs(self, rows: int) -> np.ndarray:
        """Epochs of rows 0..rows-1 in storage order, shape (rows,)."""
        if rows == 0:
            return np.empty(0, np.int64)
        return np.concatenate(self.epoch)[:rows]


class Timeline:
    """Checkpoints of one run's parameters, within ``budget_bytes``.

    Parameters
    ----------
    budget_bytes : int
        Upper bound of ``nbytes`` (float32 rows plus their int64 epochs).

    Notes
    -----
    ``record`` takes the weights epoch ``epoch`` *starts* from, i.e. those that
    produced history row ``epoch``. Epochs must increase from one call to the next
    (gaps are allowed). The parameter shapes are fixed by the first record until
    ``clear()``.
    """

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET) -> None:
        self.budget_bytes = int(budget_bytes)
        self.clear()

    # -- writing ---------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every checkpoint and the parameter shapes."""
        self._shapes: list[tuple[int, ...]] | None = None
        self._bounds: list[tuple[int, int]] = []   # (start, stop) of each param in a row
        self._ring: _Blocks | None = None
        self._archive: _Blocks | None = None
        self._ring_count = self._ring_head = self._archive_count = 0
        self._stride = 1
        self._last_epoch: int | None = None

    def record(self, epoch: int, params: Sequence[np.ndarray]) -> None:
        """Copy ``params`` into the store as the checkpoint of ``epoch``.

        Parameters
        ----------
        epoch : int
            Greater than every epoch recorded before.
        params : sequence of ndarray
            The model's parameters (e.g. ``Model.get_params()`` or ``model.params``:
            W1 (2, 64), b1 (1, 64), W2 (64, 3), b2 (1, 3) for ch11); copied, as float32.
        """
        if self._shapes is None:
            self._start(params)
        elif len(params) != len(self._bounds):
            raise ValueError(f"timeline: {len(params)} parameter arrays, expected "
                             f"{len(self._bounds)}")
        if self._last_epoch is not None and epoch <= self._last_epoch:
            raise ValueError(f"timeline: epoch {epoch} recorded after epoch {self._last_epoch}")
        ring = self._ring
        if self._ring_count == ring.capacity:
            self._retire(self._ring_head)  # the oldest row, about to be overwritten
        else:
            ring.ensure(self._ring_count + 1)
            self._ring_count += 1
        row = ring.row(self._ring_head)
        for (start, stop), p in zip(self._bounds, params, strict=True):
            row[start:stop] = p.reshape(-1)
        ring.set_epoch(self._ring_head, epoch)
        self._ring_head = (self._ring_head + 1) % ring.capacity
        self._last_epoch = int(epoch)

    def _start(self, params: Sequence[np.ndarray]) -> None:
        self._shapes = [tuple(np.shape(p)) for p in params]
        sizes = np.cumsum([0] + [int(np.prod(s)) for s in self._shapes])
        self._bounds = [(int(a), int(b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
        width = int(sizes[-1])
        row_bytes = 4 * width + _ROW_EXTRA
        max_rows = self.budget_bytes // row_bytes
        if max_rows < 2:
            raise ValueError(f"timeline: a budget of {self.budget_bytes} bytes holds "
                             f"fewer than 2 checkpoints of {row_bytes} bytes")
        block_rows = max(1, min(BLOCK_BYTES // row_bytes, max_rows // MIN_BLOCKS))
        blocks = max_rows // block_rows
        ring_blocks = max(1, int(RECENT_SHARE * blocks))
        self._ring = _Blocks(width, block_rows, ring_blocks)
        self._archive = _Blocks(width, block_rows, blocks - ring_blocks)

    def _retire(self, slot: int) -> None:
        """Move ring row ``slot`` into the archive if its epoch is on the stride."""
        epoch = self._ring.epoch_at(slot)
        if epoch % self._stride:
            return
        if self._archive_count == self._archive.capacity:
            self._thin_archive()
            if epoch % self._stride:
                return
        archive, i = self._archive, self._archive_count
        archive.ensure(i + 1)
        archive.row(i)[:] = self._ring.row(slot)
        archive.set_epoch(i, epoch)
        self._archive_count = i + 1

    def _thin_archive(self) -> None:
        """Keep the archive rows on twice the stride (compacted in place), double it."""
        archive, n = self._archive, self._archive_count
        self._stride *= 2
        epochs = archive.epochs(n)
        keep = np.flatnonzero(epochs % self._stride == 0)
        # in increasing order each destination index <= its source index, and fancy
        # indexing reads a block's rows before they are written: safe in place
        b = archive.block_rows
        for d0 in range(0, len(keep), b):
            src = keep[d0:d0 + b]
            dst = d0 // b
            for sb in np.unique(src // b):
                at = np.flatnonzero(src // b == sb)
                archive.data[dst][at] = archive.data[sb][src[at] % b]
                archive.epoch[dst][at] = archive.epoch[sb][src[at] % b]
        self._archive_count = len(keep)
        archive.keep_blocks(len(keep))

    # -- reading ---------------------------------------------------------------------
    def __len__(self) -> int:
        return self._archive_count + self._ring_count

    @property
    def nbytes(self) -> int:
        """Bytes of the allocated blocks (rows and epochs); never above the budget."""
        if self._ring is None:
            return 0
        return self._ring.nbytes + self._archive.nbytes

    @property
    def stride(self) -> int:
        """Spacing of the archived (older) checkpoints: 1 until the store first fills."""
        return self._stride

    def max_distance(self) -> int:
        """Upper bound of ``|found - asked|`` for any epoch from the first to the last
        recorded one (when every epoch was recorded): half the stride."""
        return self._stride // 2

    def epochs(self) -> np.ndarray:
        """Stored epochs, ascending, shape (len(self),) int64."""
        if self._ring is None:
            return np.empty(0, np.int64)
        ring = self._ring.epochs(self._ring_count)
        if self._ring_count == self._ring.capacity:
            ring = np.roll(ring, -self._ring_head)
        return np.concatenate([self._archive.epochs(self._archive_count), ring])

    def last(self) -> tuple[int, list[np.ndarray]] | None:
        """The newest checkpoint as (epoch, params), or None when empty."""
        if len(self) == 0:
            return None
        return self._entry(len(self) - 1)

    def nearest(self, epoch: int) -> tuple[int, list[np.ndarray]]:
        """The stored checkpoint closest to ``epoch`` (the earlier one on a tie).

        Returns
        -------
        found : int
            The epoch of the checkpoint; differs from ``epoch`` when that one was
            thinned away (the caller says "nearest checkpoint").
        params : list of ndarray
            Read-only float32 views with the recorded shapes, valid until the next
            ``record`` or ``clear`` (copy them to keep them longer).
        """
        n = len(self)
        if n == 0:
            raise LookupError("timeline: no checkpoints recorded")
        i = bisect.bisect_left(range(n), epoch, key=self._epoch_of)
        if i == n or (i > 0 and epoch - self._epoch_of(i - 1) <= self._epoch_of(i) - epoch):
            i -= 1
        return self._entry(i)

    def _locate(self, i: int) -> tuple[_Blocks, int]:
        """(blocks, row) of the i-th checkpoint in epoch order: archive, then ring."""
        if i < self._archive_count:
            return self._archive, i
        i -= self._archive_count
        oldest = self._ring_head if self._ring_count == self._ring.capacity else 0
        return self._ring, (oldest + i) % self._ring.capacity

    def _epoch_of(self, i: int) -> int:
        blocks, row = self._locate(i)
        return blocks.epoch_at(row)

    def _entry(self, i: int) -> tuple[int, list[np.ndarray]]:
        blocks, row_index = self._locate(i)
        row = blocks.row(row_index)
        params = []
        for (start, stop), shape in zip(self._bounds, self._shapes, strict=True):
            view = row[start:stop].reshape(shape)
            view.flags.writeable = False
            params.append(view)
        return blocks.epoch_at(row_index), params
