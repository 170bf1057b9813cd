"""Lines of a text file, read in blocks, with every way a file can be bad caught.

The importer (``tabular.py``) reads files a person picked: any size, any bytes.
This reader never holds more than a block and one partial line, so a 1 GB file or
a file with no newline cannot exhaust memory, and every problem (not a regular
file, too large, not UTF-8, binary, a line too long) is a :class:`DataFileError`
naming the file and the line. Progress and cancel are asked between blocks.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from nnfs_gui.core.errors import bounded, file_problem

MAX_FILE_BYTES = 1 << 30     # 1 GiB: a million rows of three columns is about 30 MB
MAX_LINE_CHARS = 10_000      # no row of a few numbers comes near; a binary blob does
BLOCK_BYTES = 1 << 18        # 256 KiB (~8,000 rows): one block parses in ~15 ms, so a
#                             GUI thread waiting on the GIL is never held for long

Progress = Callable[[int], None]      # bytes read so far
Cancel = Callable[[], bool]           # True: stop reading


class DataFileError(ValueError):
    """A data file cannot be used; one line naming the file, the line, the column
    and what was expected."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None,
                 column: str | None = None) -> None:
        where = "".join([f", line {line:,}" if line else "",
                         f", column {column}" if column else ""])
        super().__init__(bounded(f"{path}{where}: {problem}"))
        self.path, self.line, self.column, self.problem = str(path), line, column, problem


class ImportCancelled(Exception):
    """The user cancelled the import; nothing was loaded."""


def open_checked(path: str | Path):
    """The file opened for binary reading, after checking it is a regular file
    within the size limit (a FIFO would block, a device never end)."""
    try:
        info = os.stat(path)
    except OSError as e:
        raise DataFileError(path, (e.strerror or str(e)).lower()) from None
    if (problem := file_problem(info, MAX_FILE_BYTES)) is not None:
        raise DataFileError(path, problem)
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the caller's with-block
    except OSError as e:
        raise DataFileError(path, (e.strerror or str(e)).lower()) from None


def file_size(path: str | Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _decoder_for(head: bytes, path) -> tuple[codecs.IncrementalDecoder, int]:
    """The decoder the first bytes call for, and how many BOM bytes to skip.

    UTF-8 (with or without a BOM) and UTF-16 with a BOM (Excel's "Unicode text")
    are read; anything else must be UTF-8 or is reported.
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return codecs.getincrementaldecoder(name)("strict"), len(bom)
    return codecs.getincrementaldecoder("utf-8")("strict"), 0


def iter_line_blocks(path: str | Path, progress: Progress | None = None,
                     cancel: Cancel | None = None,
                     max_lines: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(first_line_number, lines)`` for each block of complete lines.

    Line numbers count from 1. Lines keep no line ending. Stops after
    ``max_lines`` lines if given (a preview).
    """
    with open_checked(path) as f:
        yield from _blocks(f, path, progress, cancel, max_lines)


def _blocks(f, path, progress, cancel, max_lines) -> Iterator[tuple[int, list[str]]]:
    head = f.read(BLOCK_BYTES)
    decoder, skip = _decoder_for(head, path)
    data, done, line_no, partial = head[skip:], len(head), 1, ""
    wide = skip == len(codecs.BOM_UTF16_LE)   # UTF-16: NUL bytes are part of the text
    while True:
        if cancel is not None and cancel():
            raise ImportCancelled()
        final = not data
        if not wide and b"\x00" in data:   # UTF-8 text never holds a NUL byte
            nul = data.index(b"\x00")
            raise DataFileError(path, "holds binary data (a NUL byte), not CSV text",
                                line_no + data[:nul].count(b"\n"))
        text = partial + _decode(decoder, data, final, path, line_no, partial)
        if "\r" in text:  # Windows line ends; a lone \r at a block's end waits in partial
            text = text.replace("\r\n", "\n")
        lines = text.split("\n")
        partial = "" if final else lines.pop()
        _check_text(lines, partial, path, line_no, wide)
        if final and lines == [""]:
            lines = []
        if max_lines is not None and line_no - 1 + len(lines) >= max_lines:
            yield line_no, lines[:max_lines - line_no + 1]
            return
        if lines:
            yield line_no, lines
        line_no += len(lines)
        if progress is not None:
            progress(done)
        if final:
            return
        data = f.read(BLOCK_BYTES)
        done += len(data)


def _decode(decoder, data: bytes, final: bool, path, line_no: int, partial: str) -> str:
    try:
        return decoder.decode(data, final)
    except UnicodeDecodeError as e:
        line = line_no + data[:max(e.start, 0)].count(b"\n")
        byte = data[e.start] if 0 <= e.start < len(data) else None
        shown = f"byte 0x{byte:02x}" if byte is not None else "a cut-off character"
        raise DataFileError(path, f"is not UTF-8 text ({shown}); save it as UTF-8 "
                                  f"(or UTF-16 with a byte order mark)", line) from None


def _check_text(lines: list[str], partial: str, path, line_no: int, wide: bool) -> None:
    """Binary data and over-long lines, found before anything is parsed (walked line
    by line only when a block has such a line: the checks run in C otherwise)."""
    too_long = lines and max(map(len, lines)) > MAX_LINE_CHARS
    if too_long or (wide and any("\x00" in s for s in lines)):
        for i, line in enumerate(lines):
            if len(line) > MAX_LINE_CHARS:
                raise DataFileError(path, f"the line is {len(line):,} characters long; at "
                                          f"most {MAX_LINE_CHARS:,} are read", line_no + i)
            if "\x00" in line:
                raise DataFileError(path, "holds binary data (a NUL byte), not CSV text",
                                    line_no + i)
    if len(partial) > MAX_LINE_CHARS:
        raise DataFileError(path, f"a line longer than {MAX_LINE_CHARS:,} characters "
                                  f"(binary data, or no line breaks)", line_no + len(lines))
