"""Error messages a person can read: one line, a few hundred characters at most.

A message may quote what a file held (a key, a value, a path). Those come from
outside and can be anything: a key with a newline would split the message over
two lines, a million unknown keys made an 8.9 MB line, a deeply nested value's
``repr`` recursed. The helpers here keep such quotes short and on one line.
"""

from __future__ import annotations

import os
import reprlib
import stat
from collections.abc import Iterable

MAX_MESSAGE = 400      # characters of one message, the cut marked
SHOWN_ITEMS = 5        # names listed before "and N more"

# Control characters (C0, DEL, C1) and the Unicode line breaks: each becomes a
# visible escape so the message stays on one line and prints safely.
_ESCAPES = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7f, 0xa0)]}
_ESCAPES |= {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
             0x2028: "\\u2028", 0x2029: "\\u2029"}

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlong = 40
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 6


def one_line(text: str) -> str:
    """``text`` with control characters and line breaks escaped."""
    return str(text).translate(_ESCAPES)


def bounded(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` on one line and at most ``limit`` characters (the cut is marked)."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    rest = len(text) - limit
    return f"{text[:limit]}... ({rest:,} more characters)"


def short_repr(value: object) -> str:
    """A ``repr`` that stays short for huge or deeply nested values, on one line."""
    if isinstance(value, int) and value.bit_length() > 128:
        # Printing an int of over 4,300 digits raises; its size is what matters.
        return f"an integer of about {value.bit_length() * 0.30103:,.0f} digits"
    try:
        return one_line(_REPR.repr(value))
    except (RecursionError, ValueError):
        return f"<a {type(value).__name__}>"


def some_of(names: Iterable[str], shown: int = SHOWN_ITEMS) -> str:
    """``'a, b, c'`` or ``'a, b, c, d, e and 999,995 more'``."""
    names = list(names)
    head = ", ".join(names[:shown])
    extra = len(names) - shown
    return f"{head} and {extra:,} more" if extra > 0 else head


def file_problem(info: os.stat_result, limit: int) -> str | None:
    """Why a file with this ``os.stat`` cannot be read whole, or None: a folder; a pipe,
    socket or device (it would block or never end); more than ``limit`` bytes."""
    if stat.S_ISDIR(info.st_mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a pipe, socket or device)"
    if info.st_size > limit:
        return f"is too large ({info.st_size:,} bytes; the limit is {limit:,})"
    return None
