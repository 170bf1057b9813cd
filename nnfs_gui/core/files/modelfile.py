"""Checked reading of a model file's members (the `.npz` zip of serialization.py).

A model file may come from anywhere, so nothing in it is trusted before it is checked:
the file must be a regular file of bounded size; each member's npy header is read
first (numpy.lib.format) and its dtype and declared shape compared with what the caller
expects (a shape the saved settings imply, or a size limit) before its data is read,
so a header declaring 10^12 values costs nothing. Object arrays are refused without
reading them (allow_pickle stays off). Every failure is a ModelFileError naming the
file and the problem, bounded in length with control characters escaped.
"""

from __future__ import annotations

import math
import os
import tokenize
import unicodedata
import zipfile
import zlib
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format

from nnfs_gui.core.errors import file_problem
from nnfs_gui.core.files.jsonio import JsonFileError, parse_json_bytes

MAX_FILE_BYTES = 512 * 2**20   # 4 hidden layers of 512 with Adam's moments: ~10 MB
MAX_META_BYTES = 2**20
MAX_MEMBERS = 512
MAX_PATH_CHARS = 160
MAX_PROBLEM_CHARS = 300

# What reading a broken zip or npy member can raise (NotImplementedError: compression
# methods zipfile lacks; RuntimeError: encrypted members; TokenError: header parsing).
READ_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error,
               NotImplementedError, RuntimeError, tokenize.TokenError, SyntaxError,
               OverflowError, TypeError)


class ModelFileError(ValueError):
    """A model file is missing, truncated, foreign, inconsistent or too large.

    str(e) is "<file>: <problem>", at most a few hundred characters, with control
    characters escaped, so it fits one status line or one dialog.
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{bounded(str(path), MAX_PATH_CHARS, keep_end=True)}: "
                         f"{bounded(problem, MAX_PROBLEM_CHARS)}")


def bounded(text: str, limit: int, keep_end: bool = False) -> str:
    """text with control and separator characters escaped, cut to about `limit` chars."""
    text = "".join(_escaped(ch) for ch in text[:4 * limit])
    if len(text) <= limit:
        return text
    return "..." + text[-limit:] if keep_end else text[:limit] + "..."


def _escaped(ch: str) -> str:
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
        return ch.encode("unicode_escape").decode("ascii") if ord(ch) < 0x10000 \
            else f"\\U{ord(ch):08x}"
    return ch


def check_regular_file(path: Path) -> None:
    """ModelFileError unless `path` is an existing regular file of bounded size
    (a FIFO or a device would block or never end)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ModelFileError(path, "file not found") from None
    except (OSError, ValueError) as e:
        raise ModelFileError(path, f"cannot be read ({e})") from None
    if (problem := file_problem(info, MAX_FILE_BYTES)) is not None:
        raise ModelFileError(path, problem)


def open_zip(path: Path) -> zipfile.ZipFile:
    """The file as a zip whose member count is bounded."""
    try:
        archive = zipfile.ZipFile(path)
    except READ_ERRORS as e:
        raise ModelFileError(path, f"not a readable model file ({_describe(e)})") from None
    if len(archive.infolist()) > MAX_MEMBERS:
        archive.close()
        raise ModelFileError(path, f"not a model file (more than {MAX_MEMBERS} entries)")
    return archive


def has_member(archive: zipfile.ZipFile, name: str) -> bool:
    return f"{name}.npy" in archive.NameToInfo


def read_array(archive: zipfile.ZipFile, path: Path, name: str, kinds: str,
               shape: tuple[int, ...] | None = None, max_values: int = 0) -> np.ndarray:
    """Member `name` as an array whose dtype kind is one of `kinds` ("f", "u", "i") and whose
    shape is `shape` (or any 1-D shape of at most `max_values` values); the header is
    checked before the data is read. Returns a native-endian, writable copy."""
    try:
        with archive.open(f"{name}.npy") as f:
            declared, fortran, dtype = _read_header(f)
            _check_declared(path, name, declared, dtype, kinds, shape, max_values)
            nbytes = math.prod(declared) * dtype.itemsize
            data = f.read(nbytes)
            if len(data) != nbytes or f.read(1):
                raise ModelFileError(path, f"{name}: data does not match its header")
    except ModelFileError:
        raise
    except READ_ERRORS as e:
        raise ModelFileError(path, f"{name} is not a readable array ({_describe(e)})") \
            from None
    order = "F" if fortran else "C"
    array = np.frombuffer(data, dtype=dtype).reshape(declared, order=order)
    return array.astype(dtype.newbyteorder("="), order="C")


def _read_header(f) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = npy_format.read_magic(f)
    readers = {(1, 0): npy_format.read_array_header_1_0,
               (2, 0): npy_format.read_array_header_2_0}
    if version not in readers:
        raise ValueError(f"npy format version {version} is not supported")
    return readers[version](f)


def _check_declared(path, name, declared, dtype, kinds, shape, max_values) -> None:
    if dtype.hasobject or dtype.kind not in kinds or dtype.itemsize > 8:
        raise ModelFileError(path, f"{name} holds {_dtype_name(dtype)} values, expected "
                                   f"{' or '.join(KIND_NAMES[k] for k in kinds)}")
    if shape is not None and tuple(declared) != tuple(shape):
        raise ModelFileError(path, f"{name} has shape {list(declared)[:8]}, the saved "
                                   f"settings imply {list(shape)}")
    if shape is None and (len(declared) != 1 or declared[0] > max_values):
        raise ModelFileError(path, f"{name} has shape {list(declared)[:8]}, expected at "
                                   f"most {max_values} values in one row")


KIND_NAMES = {"f": "float", "u": "unsigned integer", "i": "integer"}


def _dtype_name(dtype: np.dtype) -> str:
    return "object" if dtype.hasobject else str(dtype)


def parse_json(path: Path, raw: bytes, what: str):
    """JSON of UTF-8 bytes (a BOM accepted), read by the app's one JSON reader
    (core/jsonio.py: size, nesting and number limits); its JsonFileError becomes a
    ModelFileError naming the model file."""
    try:
        return parse_json_bytes(raw, what)
    except JsonFileError as e:
        raise ModelFileError(path, str(e)) from None


def _describe(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
