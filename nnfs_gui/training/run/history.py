"""Per-epoch metrics of a run, stored column by column.

Each column is a preallocated numpy array that grows by doubling, so appending
a row is O(1) amortized and a view of a column costs nothing. Columns grow one
at a time (the old array is freed before the next column grows), so the peak
memory of a growth step is the new total plus one old column, not twice the
total: a 1,000,000-epoch history costs about 64 MB (8 columns x 8 bytes x 2**20).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from nnfs_gui.core.files.jsonio import read_json_file

COLUMNS = ("epoch", "loss", "data_loss", "reg_loss", "acc", "val_loss", "val_acc", "lr")

# float64 everywhere except the epoch counter: the learning rate must survive
# exactly (the headless run prints its Python repr, as the book does).
DTYPES = {name: (np.int64 if name == "epoch" else np.float64) for name in COLUMNS}

_INITIAL_CAPACITY = 1024


class History:
    """Rows of ``COLUMNS``, one per epoch, in columnar numpy arrays."""

    def __init__(self, capacity: int = _INITIAL_CAPACITY) -> None:
        self._capacity = max(1, int(capacity))
        self._length = 0
        self._columns = {n: np.empty(self._capacity, DTYPES[n]) for n in COLUMNS}

    def __len__(self) -> int:
        return self._length

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def nbytes(self) -> int:
        """Bytes held by the column arrays (filled and preallocated)."""
        return sum(a.nbytes for a in self._columns.values())

    # -- writing -------------------------------------------------------------------
    def append(self, **row: float) -> None:
        """Add one row; every column in ``COLUMNS`` must be given by keyword."""
        if set(row) != set(COLUMNS):
            missing = sorted(set(COLUMNS) - set(row))
            extra = sorted(set(row) - set(COLUMNS))
            raise KeyError(f"history row: missing {missing}, unknown {extra}")
        if self._length == self._capacity:
            self._grow(2 * self._capacity)
        i = self._length
        for name, value in row.items():
            self._columns[name][i] = value
        self._length = i + 1

    def extend(self, columns: Mapping[str, np.ndarray]) -> None:
        """Add many rows at once from equal-length arrays, one per column."""
        n = len(columns["epoch"])
        if self._length + n > self._capacity:
            self._grow(max(2 * self._capacity, self._length + n))
        for name in COLUMNS:
            self._columns[name][self._length:self._length + n] = columns[name]
        self._length += n

    def _grow(self, capacity: int) -> None:
        # One column at a time: the old array is released before the next one grows.
        for name in COLUMNS:
            new = np.empty(capacity, DTYPES[name])
            new[:self._length] = self._columns[name][:self._length]
            self._columns[name] = new
        self._capacity = capacity

    # -- reading -------------------------------------------------------------------
    def column(self, name: str) -> np.ndarray:
        """Read-only view of the filled part of one column, shape (len(self),)."""
        view = self._columns[name][:self._length]
        view.flags.writeable = False
        return view

    def rows_since(self, index: int) -> dict[str, np.ndarray]:
        """Copies (read-only) of rows ``index:len(self)`` of every column."""
        start = min(max(0, index), self._length)
        out = {}
        for name in COLUMNS:
            part = self._columns[name][start:self._length].copy()
            part.flags.writeable = False
            out[name] = part
        return out

    def last(self) -> dict[str, float] | None:
        """The last row as Python numbers, or None when empty."""
        if self._length == 0:
            return None
        return {n: self._columns[n][self._length - 1].item() for n in COLUMNS}

    # -- files (written by core/files/datafiles.py) ------------------------------------
    def to_csv_text(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(COLUMNS)
        cols = [self.column(n).tolist() for n in COLUMNS]
        writer.writerows(zip(*cols, strict=True))  # repr of floats: exact round trip
        return buf.getvalue()

    def to_dict(self) -> dict[str, list]:
        """Column name -> list of values; non-finite floats become None (valid JSON)."""
        return {n: [_json_number(v) for v in self.column(n).tolist()] for n in COLUMNS}

    @classmethod
    def from_csv(cls, path: str | Path) -> History:
        """Read a history.csv (``to_csv_text``); the header must be exactly ``COLUMNS``."""
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None or tuple(header) != COLUMNS:
                raise ValueError(f"{path}: header must be {','.join(COLUMNS)}, got {header}")
            rows = list(reader)
        history = cls(capacity=max(len(rows), 1))
        if rows:
            table = list(zip(*rows, strict=True))
            history.extend({n: np.array(table[i], dtype=DTYPES[n])
                            for i, n in enumerate(COLUMNS)})
        return history

    @classmethod
    def from_json(cls, path: str | Path) -> History:
        data = read_json_file(path, "history file")["data"]
        n = len(data["epoch"])
        history = cls(capacity=max(n, 1))
        history.extend({c: np.array([math.nan if v is None else v for v in data[c]],
                                    dtype=DTYPES[c]) for c in COLUMNS})
        return history


def _json_number(value: float) -> float | None:
    return value if isinstance(value, int) or math.isfinite(value) else None
