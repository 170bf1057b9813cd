"""The one reader for every JSON text the app opens: configs, presets, settings
values, model descriptions.

Python's ``json`` module trusts its input more than a file from elsewhere
deserves. A fuzzing run found each of these escaping as a raw exception: bytes
that are not UTF-8 (UTF-16, Latin-1, binary), nesting deep enough for a
RecursionError, integers longer than Python will convert (4,300 digits), float
literals that overflow to infinity; ``--config`` on a FIFO hung and on
``/dev/zero`` read until memory ran out. Here every one of those becomes a
:class:`JsonFileError` (a ValueError) naming the file and the problem, on one line.
"""

from __future__ import annotations

import codecs
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from nnfs_gui.core.errors import bounded, file_problem

MAX_BYTES = 10 * 2**20    # no file the app writes comes near this
MAX_DEPTH = 64            # the deepest the app writes is 3 (model meta -> config -> hidden)
MAX_INT_DIGITS = 4_300    # Python's own limit on int("..."): past it json.loads raises

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# A JSON string, escapes included (the "unrolled loop" form: no backtracking blow-up).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_LONG_DIGITS = re.compile(rf"\d{{{MAX_INT_DIGITS + 1},}}")


class JsonFileError(ValueError):
    """A JSON file or text could not be read; the message names the source and why."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(bounded(f"{source}: {problem}"))
        self.source = source
        self.problem = problem


def read_json_file(path: str | Path, what: str = "file") -> Any:
    """The JSON value in ``path``; ``what`` names it in messages ("config file").

    Only regular files are read (a FIFO would block, a device never end), and at
    most MAX_BYTES of them. Raises JsonFileError for every failure, OSError included.
    """
    source = f"{what} {path}"
    return parse_json_bytes(_read_regular_file(Path(path), source), source)


def parse_json_bytes(data: bytes, source: str) -> Any:
    """Decode ``data`` as UTF-8 (a UTF-8 BOM is allowed) and parse it as JSON."""
    if len(data) > MAX_BYTES:
        raise JsonFileError(source, f"too large ({len(data):,} bytes; the limit is "
                                    f"{MAX_BYTES:,})")
    return parse_json_text(_decode(data, source), source)


def parse_json_text(text: str, source: str) -> Any:
    """Parse ``text`` as JSON within the depth and number limits."""
    if not isinstance(text, str):
        raise JsonFileError(source, f"expected JSON text, got a {type(text).__name__}")
    if len(text) > MAX_BYTES:
        raise JsonFileError(source, f"too large ({len(text):,} characters)")
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise JsonFileError(source, f"nested {depth:,} levels deep (the limit is {MAX_DEPTH})")
    try:
        return json.loads(text, parse_float=_parse_float)
    except _NumberError as e:
        raise JsonFileError(source, str(e)) from None
    except json.JSONDecodeError as e:
        raise JsonFileError(source, f"not valid JSON ({e.msg} at line {e.lineno} "
                                    f"column {e.colno})") from None
    except ValueError:
        # int() refuses more than 4,300 digits; no parse_int hook for that check:
        # it would run for every whole number and made large files 50% slower.
        raise JsonFileError(source, _long_number_problem(text)) from None
    except RecursionError:  # belt and braces: nesting_depth() guards against it
        raise JsonFileError(source, "nested too deeply") from None


def nesting_depth(text: str) -> int:
    """How deep ``[`` and ``{`` nest outside strings, counted without recursion."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    codes = np.frombuffer(brackets.encode("ascii"), dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


# -- reading -----------------------------------------------------------------------
def _read_regular_file(path: Path, source: str) -> bytes:
    try:
        info = os.stat(path)
        _check_regular(info, source)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise JsonFileError(source, _os_reason(e)) from None
    try:
        _check_regular(os.fstat(fd), source)  # the path may have changed since stat()
        return _read_at_most(fd, MAX_BYTES + 1)
    except OSError as e:
        raise JsonFileError(source, _os_reason(e)) from None
    finally:
        os.close(fd)


def _check_regular(info: os.stat_result, source: str) -> None:
    if (problem := file_problem(info, MAX_BYTES)) is not None:
        raise JsonFileError(source, problem)


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks, total = [], 0
    while total < limit:
        chunk = os.read(fd, min(1 << 20, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _os_reason(e: OSError) -> str:
    return (e.strerror or str(e)).lower()


def _decode(data: bytes, source: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith(_UTF16_BOMS) or _utf16_without_bom(data):
        raise JsonFileError(source, "is UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        raise JsonFileError(source, "holds binary data (a NUL byte), not JSON text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise JsonFileError(source, f"is not UTF-8 text (byte 0x{data[e.start]:02x} at "
                                    f"offset {e.start:,}); save it as UTF-8") from None


def _utf16_without_bom(data: bytes) -> bool:
    """JSON starts with an ASCII character: in UTF-16 one of its two bytes is 0."""
    if len(data) < 2 or (data[0] == 0) == (data[1] == 0):
        return False
    return 0x09 <= max(data[0], data[1]) <= 0x7e


# -- numbers -----------------------------------------------------------------------
class _NumberError(ValueError):
    """A number literal beyond what the app accepts; raised from inside json.loads."""


def _long_number_problem(text: str) -> str:
    found = _LONG_DIGITS.search(_STRING.sub('""', text))
    if found is None:
        return "not valid JSON (a number Python cannot convert)"
    return (f"a whole number with {len(found[0]):,} digits (the limit is "
            f"{MAX_INT_DIGITS:,})")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= 30 else f"{text[:12]}...{text[-12:]}"
        raise _NumberError(f"the number {shown} is too large (the limit is about 1.8e308)")
    return value
