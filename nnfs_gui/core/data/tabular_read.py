"""The streaming half of the importer: rows to numbers, labels to classes, PCA.

Each block of lines (``textlines.py``) is split into columns by the csv module
and converted at once: feature columns with ``float`` in a list comprehension
(3x faster here than numpy's string cast), labels to provisional codes through a
dict. Only when a block fails is it walked again to find the line and column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

import numpy as np

from nnfs_gui.core.data.textlines import Cancel, DataFileError, iter_line_blocks
from nnfs_gui.core.errors import short_repr

MAX_CLASSES = 8
MAX_ROWS = 5_000_000
FLOAT32_MAX = float(np.finfo(np.float32).max)


@dataclass
class Points:
    """What one file gave: x (n, f) float64, codes (n,) int64 into ``labels`` (the
    label texts in order of first appearance), first_line[label]: where it appeared."""

    x: np.ndarray
    codes: np.ndarray
    labels: list[str]
    first_line: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Layout:
    """How to read a file's rows: delimiter, header, columns (indices into names)."""

    path: str
    delimiter: str
    has_header: bool
    names: tuple[str, ...]
    label: int
    features: tuple[int, ...]


def parse_rows(path, numbers: list[int], lines: list[str], delim: str) -> list[list[str]]:
    """csv rows of ``lines``; a bad quote is reported at its line."""
    try:
        return list(csv.reader(lines, delimiter=delim, strict=True))
    except csv.Error:
        for n, line in zip(numbers, lines, strict=True):
            try:
                list(csv.reader([line], delimiter=delim, strict=True))
            except csv.Error as e:
                raise DataFileError(path, f"cannot split the line into columns ({e})",
                                    n) from None
        raise DataFileError(path, "cannot split the file into columns") from None


def is_data_line(line: str) -> bool:
    """Blank lines and '#' comments are skipped."""
    text = line.strip()
    return bool(text) and not text.startswith("#")


def _data_lines(start: int, block: list[str]) -> tuple[list[int], list[str]]:
    """(line numbers, lines) of the block's data lines; the common block without blank
    or comment lines is checked in C (map), not line by line."""
    stripped = list(map(str.strip, block))
    if all(stripped) and not any(map(_is_comment, stripped)):
        return list(range(start, start + len(block))), block
    keep = [i for i, s in enumerate(stripped) if s and not s.startswith("#")]
    return [start + i for i in keep], [block[i] for i in keep]


def _is_comment(text: str) -> bool:
    return text[0] == "#"


def read_points(layout: Layout, progress=None, cancel: Cancel | None = None) -> Points:
    """Every data row of the file as numbers and label codes."""
    xs, codes, index, first_line = [], [], {}, {}
    skip_header, count = layout.has_header, 0
    for start, block in iter_line_blocks(layout.path, progress, cancel):
        numbers, lines = _data_lines(start, block)
        if skip_header and lines:
            numbers, lines, skip_header = numbers[1:], lines[1:], False
        if not lines:
            continue
        count += len(lines)
        if count > MAX_ROWS:
            raise DataFileError(layout.path, f"more than {MAX_ROWS:,} rows; split the file "
                                             f"or sample it", numbers[-1])
        rows = parse_rows(layout.path, numbers, lines, layout.delimiter)
        _check_widths(layout, numbers, rows)
        columns = list(zip(*rows, strict=True))
        xs.append(np.column_stack([_numbers(layout, numbers, columns[j], j)
                                   for j in layout.features]))
        codes.append(_label_codes(layout, numbers, columns[layout.label], index, first_line))
    if not xs:
        raise DataFileError(layout.path, "has no data rows")
    return Points(np.concatenate(xs), np.concatenate(codes), list(index), first_line)


def _check_widths(layout: Layout, numbers: list[int], rows: list[list[str]]) -> None:
    want = len(layout.names)
    if set(map(len, rows)) == {want}:
        return
    for n, row in zip(numbers, rows, strict=True):
        if len(row) != want:
            few = "missing columns" if len(row) < want else "extra columns"
            raise DataFileError(layout.path, f"{few}: expected {want} columns as in the "
                                             f"first row, found {len(row)}", n)


def _numbers(layout: Layout, numbers: list[int], texts: tuple[str, ...], j: int) -> np.ndarray:
    try:
        values = np.fromiter(map(float, texts), dtype=np.float64, count=len(texts))
    except ValueError:
        values = None
    bad = _first_bad(texts, values)
    if bad is not None:
        text = texts[bad]
        finite = _parses(text)
        what = ("a finite number (within +/-3.4e38)" if finite else "a number")
        raise DataFileError(layout.path, f"expected {what}, found {short_repr(text.strip())}",
                            numbers[bad], _column_name(layout, j))
    return values


def _parses(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _first_bad(texts, values: np.ndarray | None) -> int | None:
    """Index of the first text that is not a number float32 can hold, or None."""
    if values is None:
        return next(i for i, s in enumerate(texts) if not _parses(s))
    ok = np.isfinite(values) & (np.abs(values) <= FLOAT32_MAX)
    return None if ok.all() else int(np.argmin(ok))


def _column_name(layout: Layout, j: int) -> str:
    name = layout.names[j]
    return f"{j + 1} ({short_repr(name)})" if layout.has_header else str(j + 1)


def _label_codes(layout: Layout, numbers: list[int], texts: tuple[str, ...],
                 index: dict[str, int], first_line: dict[str, int]) -> np.ndarray:
    labels = [s.strip() for s in texts]
    new = set(labels) - index.keys()
    if new:
        for n, s in zip(numbers, labels, strict=True):
            if s in new and s not in index:
                _add_class(layout, n, s, index, first_line)
    return np.fromiter((index[s] for s in labels), dtype=np.int64, count=len(labels))


def _add_class(layout: Layout, line: int, label: str, index: dict[str, int],
               first_line: dict[str, int]) -> None:
    column = _column_name(layout, layout.label)
    if not label:
        raise DataFileError(layout.path, "expected a class label, found an empty field",
                            line, column)
    if len(index) == MAX_CLASSES:
        raise DataFileError(layout.path, f"a {MAX_CLASSES + 1}th class "
                                         f"{short_repr(label)}: at most {MAX_CLASSES} classes "
                                         f"(2-{MAX_CLASSES}) can be shown", line, column)
    index[label] = len(index)
    first_line[label] = line


# -- classes ---------------------------------------------------------------------------
def _class_order(labels: list[str]) -> list[str]:
    """Integer labels in numeric order, words in alphabetical order."""
    try:
        return sorted(labels, key=lambda s: (int(s), s))
    except ValueError:
        return sorted(labels)


def class_codes(train: Points, val: Points | None, layout: Layout,
                val_layout: Layout | None):
    """(class names, y_train, y_val): codes 0..k-1 in _class_order; the validation
    file's labels must be training classes."""
    names = _class_order(train.labels)
    if len(names) < 2:
        shown = short_repr(names[0]) if names else "none"
        raise DataFileError(layout.path, f"only one class ({shown}) in the label column "
                                         f"{layout.names[layout.label]}: expected 2 to "
                                         f"{MAX_CLASSES} classes")
    rank = {s: c for c, s in enumerate(names)}
    y_train = np.array([rank[s] for s in train.labels], dtype=np.int64)[train.codes]
    if val is None:
        return tuple(names), y_train, None
    for s in val.labels:
        if s not in rank:
            raise DataFileError(val_layout.path, f"the label {short_repr(s)} is not a class of "
                                                 f"the training file ({', '.join(names)})",
                                val.first_line[s], _column_name(val_layout, val_layout.label))
    y_val = np.array([rank[s] for s in val.labels], dtype=np.int64)[val.codes]
    return tuple(names), y_train, y_val


# -- two axes ------------------------------------------------------------------------
def project(x_train: np.ndarray, x_val: np.ndarray | None, names: list[str]):
    """(x_train, x_val, axis names, note): two columns as they are, more through PCA
    fitted on the training rows (centred; components from numpy's SVD, each signed so
    its largest loading is positive, for the same axes on every load)."""
    if x_train.shape[1] == 2:
        return (_f32(x_train), _f32(x_val), (names[0], names[1]),
                f"features: {names[0]}, {names[1]}")
    mean = x_train.mean(axis=0)
    _, s, vt = np.linalg.svd(x_train - mean, full_matrices=False)
    comps = np.array([c * (1 if c[np.argmax(np.abs(c))] >= 0 else -1) for c in vt[:2]])
    share = s ** 2 / max(float((s ** 2).sum()), 1e-300)
    axes = (f"PC1 ({share[0]:.0%} of variance)", f"PC2 ({share[1]:.0%} of variance)")
    note = (f"PCA: {len(names)} feature columns ({', '.join(names)}) projected onto 2 "
            f"components holding {share[:2].sum():.0%} of the variance")

    def apply(x):
        return None if x is None else _f32((x - mean) @ comps.T)
    return apply(x_train), apply(x_val), axes, note


def _f32(x: np.ndarray | None) -> np.ndarray | None:
    return None if x is None else np.ascontiguousarray(x, dtype=np.float32)
