"""Your own data: CSV or TSV files of feature columns and a class label.

A file holds one row per point: numeric feature columns and one label column
(integers or words; 2 to 8 classes), a header row optional. Two feature columns
are the plot's axes; more are projected onto their first two principal
components (numpy SVD of the centred training rows; a validation file goes
through the same projection, as ch. 13 fits the scaler on training data only).

Every bad input is a :class:`DataFileError` naming the file, the line, the column
and what was expected; nothing else escapes (tests feed random bytes). Files are
read in blocks (``textlines.py``) with progress and cancel between them, so a
million rows load in a few seconds off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnfs_gui.core.data.splits import DataSplit, held_out_per_class, read_only_copy
from nnfs_gui.core.data.tabular_read import (
    MAX_CLASSES,
    MAX_ROWS,
    Layout,
    class_codes,
    is_data_line,
    parse_rows,
    project,
    read_points,
)
from nnfs_gui.core.data.textlines import (
    Cancel,
    DataFileError,
    ImportCancelled,
    file_size,
    iter_line_blocks,
)
from nnfs_gui.core.errors import short_repr

__all__ = ["DataFileError", "ImportCancelled", "ImportedData", "Preview", "load_data",
           "preview", "choose_columns", "resolve_column", "MAX_CLASSES", "MAX_ROWS"]

MAX_COLUMNS = 1_000
PREVIEW_LINES = 50
DELIMITERS = {"\t": "tab", ",": "comma", ";": "semicolon"}
Column = str | int   # a header name, or a 0-based index (negative from the end)


@dataclass(frozen=True)
class Preview:
    """The first rows of a file, to choose columns from.

    header: the names in the first row, or None when it holds data;
    rows: up to PREVIEW_LINES data rows as text; numeric[j]: column j's preview
    values are all numbers.
    """

    path: str
    delimiter: str
    header: tuple[str, ...] | None
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Column names: the header's, or 'column 1', 'column 2'..."""
        if self.header is not None:
            return self.header
        return tuple(f"column {j + 1}" for j in range(len(self.numeric)))

    def default_label(self) -> int:
        """The last column holding words, else the last column."""
        words = [j for j, num in enumerate(self.numeric) if not num]
        return words[-1] if words else len(self.numeric) - 1


@dataclass(frozen=True)
class ImportedData:
    """Points read from files, in raw units.

    x_train: (n, 2) float32; y_train: (n,) int64 in 0..k-1; x_val, y_val: the
    validation file's, or None; class_names[c]: the label text of class c;
    axis_names: the two axes ('PC1 (71% of variance)' after a projection);
    note: one sentence on what was done (columns used, projection).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    class_names: tuple[str, ...]
    axis_names: tuple[str, str]
    source: str
    note: str = ""
    feature_columns: tuple[str, ...] = field(default=())

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def split(self, validation: str, val_fraction: float,
              rng: np.random.Generator) -> DataSplit:
        """The DataSplit a run trains on: the validation file if there was one, else
        the config's strategy on the file's rows ('block': the last rows of each
        class in file order; 'holdout' and 'fresh': a stratified random part, since
        a file has no generator to draw a fresh sample from)."""
        name = Path(self.source).name or "data"   # DataSplit.source: the file's name
        if self.x_val is not None:
            return DataSplit(read_only_copy(self.x_train), read_only_copy(self.y_train),
                             read_only_copy(self.x_val), read_only_copy(self.y_val), "holdout",
                             name)
        mask = np.zeros(len(self.y_train), dtype=bool)
        for c in range(self.n_classes):
            idx = np.flatnonzero(self.y_train == c)
            n_val = held_out_per_class(len(idx), val_fraction) if len(idx) > 1 else 0
            order = idx[::-1] if validation == "block" else rng.permutation(idx)
            mask[order[:n_val]] = True
        strategy = "block" if validation == "block" else "holdout"
        x, y = self.x_train, self.y_train
        return DataSplit(read_only_copy(x[~mask]), read_only_copy(y[~mask]),
                         read_only_copy(x[mask]), read_only_copy(y[mask]), strategy, name)


# -- preview -------------------------------------------------------------------------
def preview(path: str | Path, delimiter: str | None = None,
            header: bool | None = None) -> Preview:
    """The delimiter, header and first rows of ``path`` (guessed unless given)."""
    lines = [(n + i, s) for n, block in iter_line_blocks(path, max_lines=PREVIEW_LINES)
             for i, s in enumerate(block)]
    lines = [(n, s) for n, s in lines if is_data_line(s)]
    if not lines:
        raise DataFileError(path, "the file is empty: expected rows of feature columns "
                                  "and a label column")
    delim = delimiter or _guess_delimiter(path, lines[0][1])
    rows = [parse_rows(path, [n], [s], delim)[0] for n, s in lines]
    has_header = _looks_like_header(rows) if header is None else header
    head, data = (rows[0], rows[1:]) if has_header else (None, rows)
    if not data:
        raise DataFileError(path, "holds a header only: expected data rows below it",
                            lines[0][0] + 1)
    n_cols = len(head) if head is not None else len(data[0])
    _check_column_count(path, n_cols, lines[0][0])
    numeric = tuple(all(_is_number(r[j]) for r in data if j < len(r)) for j in range(n_cols))
    names = tuple(s.strip() for s in head) if head is not None else None
    return Preview(str(path), delim, names, tuple(tuple(r) for r in data), numeric)


def _guess_delimiter(path, first: str) -> str:
    if str(path).lower().endswith((".tsv", ".tab")):
        return "\t"
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _looks_like_header(rows: list[list[str]]) -> bool:
    """A header row has a word where the next row has a number, or is the only row
    and has no number."""
    first = rows[0]
    if len(rows) == 1:
        return not any(_is_number(s) for s in first)
    second = rows[1]
    return any(not _is_number(a) and _is_number(b) for a, b in zip(first, second, strict=False))


def _check_column_count(path, n_cols: int, line: int) -> None:
    if n_cols < 3:
        raise DataFileError(path, f"found {n_cols} column(s); expected at least 3: two "
                                  f"feature columns and a label column", line)
    if n_cols > MAX_COLUMNS:
        raise DataFileError(path, f"found {n_cols:,} columns; at most {MAX_COLUMNS:,} "
                                  f"are read", line)


# -- choosing columns --------------------------------------------------------------
def resolve_column(p: Preview, column: Column) -> int:
    """The 0-based index of ``column``: a header name, else an index ('2', -1)."""
    names = p.names
    if isinstance(column, str) and column in names:
        return names.index(column)
    if isinstance(column, str):
        lowered = [n.lower() for n in names]
        if column.lower() in lowered:
            return lowered.index(column.lower())
        try:
            column = int(column)
        except ValueError:
            raise DataFileError(p.path, f"has no column {short_repr(column)}; its columns "
                                        f"are {', '.join(names[:12])}") from None
    if not -len(names) <= column < len(names):
        raise DataFileError(p.path, f"has no column {column} (it has {len(names)}, "
                                    f"numbered from 0)")
    return column % len(names)


def choose_columns(p: Preview, label: Column | None,
                   features: list[Column] | None) -> tuple[int, list[int]]:
    """(label index, feature indices) from the user's choice or the defaults."""
    label_idx = p.default_label() if label is None else resolve_column(p, label)
    if features is None:   # every other column; a word in one is reported where it is
        feat = [j for j in range(len(p.names)) if j != label_idx]
    else:
        feat = [resolve_column(p, c) for c in features]
    if label_idx in feat:
        raise DataFileError(p.path, f"column {p.names[label_idx]} cannot be both a "
                                    f"feature and the label")
    if len(feat) < 2 or len(set(feat)) != len(feat):
        raise DataFileError(p.path, f"expected two different feature columns besides "
                                    f"the label {p.names[label_idx]}, found {len(set(feat))}")
    return label_idx, feat


# -- loading -------------------------------------------------------------------------
def load_data(path: str | Path, label: Column | None = None,
              features: list[Column] | None = None, val_path: str | Path | None = None,
              progress: Callable[[float], None] | None = None,
              cancel: Cancel | None = None) -> ImportedData:
    """Read ``path`` (and ``val_path``) into points; see the module docstring.

    ``label``/``features``: header names or 0-based indices (default: the last word
    column is the label, every other numeric column a feature). ``progress(fraction)``
    is called between blocks, ``cancel()`` asked there too (True raises
    ImportCancelled). Raises DataFileError for every bad input.
    """
    paths = [str(path)] + ([str(val_path)] if val_path else [])
    sizes = [max(file_size(q), 1) for q in paths]
    p = preview(path)
    label_idx, feat = choose_columns(p, label, features)
    layout = _layout(p, label_idx, feat)
    train = read_points(layout, _part(progress, 0, sizes), cancel)
    val, val_layout = None, None
    if val_path:
        pv = preview(val_path)
        val_layout = _layout(pv, *_matching_columns(p, pv, label_idx, feat))
        val = read_points(val_layout, _part(progress, sizes[0], sizes), cancel)
    names, y_train, y_val = class_codes(train, val, layout, val_layout)
    x_train, x_val, axes, note = project(train.x, None if val is None else val.x,
                                         [p.names[j] for j in feat])
    for x, where in ((x_train, p.path), (x_val, val_path)):
        if x is not None and not np.isfinite(x).all():
            raise DataFileError(where, "the projected values overflow float32: the "
                                       "features are too large")
    return ImportedData(x_train, y_train, x_val, y_val, names, axes, p.path,
                        f"label: {p.names[label_idx]}; {note}",
                        tuple(p.names[j] for j in feat))


def _layout(p: Preview, label_idx: int, feat: list[int]) -> Layout:
    return Layout(p.path, p.delimiter, p.header is not None, p.names, label_idx, tuple(feat))


def _part(progress, before: int, sizes: list[int]):
    """Bytes read in one file -> the fraction of all files' bytes."""
    if progress is None:
        return None
    total = sum(sizes)
    return lambda done: progress(min(1.0, (before + done) / total))


def _matching_columns(p: Preview, pv: Preview, label_idx: int,
                      feat: list[int]) -> tuple[int, list[int]]:
    """The validation file's columns for the training file's choice: by name when
    both have headers, else by position (the column counts must agree)."""
    if p.header is not None and pv.header is not None:
        missing = [p.names[j] for j in [label_idx, *feat] if p.names[j] not in pv.names]
        if missing:
            raise DataFileError(pv.path, f"has no column {short_repr(missing[0])}, which the "
                                         f"training file {p.path} has: the features must be "
                                         f"the same", 1)
        return pv.names.index(p.names[label_idx]), [pv.names.index(p.names[j]) for j in feat]
    if len(pv.names) != len(p.names):
        raise DataFileError(pv.path, f"has {len(pv.names)} columns but the training file "
                                     f"{p.path} has {len(p.names)}: the features must be "
                                     f"the same")
    return label_idx, list(feat)


# -- a loading process (the window's import runs here, away from its GIL) ------------------
def serve_one_load(conn) -> None:
    """Read one request ``(path, label, features, val_path)`` from ``conn`` (a
    multiprocessing Connection), load it, and answer ``("progress", fraction)`` messages
    then ``("done", ImportedData)`` or ``("error", message)``. A thread in the window
    made its event loop stall up to ~0.4 s on this 2-core machine (the parser's C calls
    hold the GIL); a process leaves the window's thread alone."""
    path, label, features, val_path = conn.recv()
    last = [-1]

    def progress(fraction: float) -> None:
        percent = int(fraction * 100)
        if percent != last[0]:
            last[0] = percent
            conn.send(("progress", fraction))
    try:
        conn.send(("done", load_data(path, label, features, val_path, progress)))
    except DataFileError as e:
        conn.send(("error", str(e)))
    except Exception as e:  # noqa: BLE001 - the window shows it as one line
        conn.send(("error", f"could not import {path}: {type(e).__name__}: {e}"))
