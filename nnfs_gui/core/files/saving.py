"""Saving a file a person asked for: atomic, permissions kept, failures in plain words.

Every exported file (pictures, data, animations, models; from the window or headless)
goes through :func:`save_file`: the writer fills a temporary file beside the target
(``atomic.write_atomic``: same suffix, so format-sniffing writers pick the right
format) which then replaces the target in one rename. A crash, a full disk or a
refused write never leaves half a file where a good one was, and the failure comes
back as an :class:`ExportError` whose message names the file and the reason, ready
for a message box or a one-line error on stderr.

Writers must *raise* when they fail. Qt's writers only return False, so the figure
writers render into memory, check those results and write the bytes with Python,
whose writes raise OSError (a full disk is ENOSPC); :func:`save_file` also refuses to
rename an empty temporary file into place, the last defence against a writer that
failed silently. A replaced file keeps its permissions; a new one gets the usual
``0666 & ~umask`` (atomic.py).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from nnfs_gui.core.files.atomic import write_atomic

SIDECAR_SUFFIX = ".config.json"


class ExportError(Exception):
    """An export failed; ``str(error)`` is a sentence to show the user."""


class ExportCancelled(ExportError):
    """The user cancelled a long export; no file was written."""


# errno -> plain words; anything else falls back to the OS's own message.
_REASONS = {
    errno.EACCES: "permission denied (the folder is read-only or belongs to someone else)",
    errno.EPERM: "permission denied",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "the path is a folder, not a file",
    errno.EROFS: "the file system is read-only",
    errno.ENAMETOOLONG: "the file name is too long",
}


def describe_os_error(error: OSError) -> str:
    """Plain-words reason for an OSError (``'the disk is full'``)."""
    return _REASONS.get(error.errno, error.strerror or str(error))


def save_file(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Run ``write(tmp_path)`` and move the result to ``path`` atomically.

    Raises ExportError (never a bare OSError) naming the file and the reason; the
    previous content of ``path``, if any, is left untouched on failure, and an empty
    result is a failure (a writer that failed without raising).
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise ExportError(f"Could not save {path}: the path is a folder, not a file.")
    kept_mode = _existing_mode(path)

    def write_checked(tmp: Path) -> None:
        write(tmp)
        if tmp.stat().st_size == 0:
            raise ExportError(f"Could not save {path}: the writer produced an empty file.")
        if kept_mode is not None:
            os.chmod(tmp, kept_mode)

    # One temporary name only: a writer that is atomic itself (save_model) sees
    # write_atomic's temp name and writes it directly instead of nesting another.
    with export_errors(path):
        return write_atomic(path, write_checked)


def _existing_mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None


@contextmanager
def export_errors(path: Path) -> Iterator[None]:
    """Turn what a writer raises into an ExportError naming ``path`` and the reason."""
    try:
        yield
    except ExportError:
        raise
    except OSError as e:
        raise ExportError(f"Could not save {path}: {describe_os_error(e)}.") from None
    except (ValueError, RuntimeError) as e:
        raise ExportError(f"Could not save {path}: {e}") from None


@contextmanager
def naming(path: str | Path) -> Iterator[None]:
    """Make an ExportError raised while preparing ``path``'s content name that file."""
    try:
        yield
    except ExportCancelled:
        raise
    except ExportError as e:
        text = str(e)
        if str(path) in text:
            raise
        raise ExportError(f"Could not save {path}: {text[:1].lower()}{text[1:]}") from None


def save_text(path: str | Path, text: str) -> Path:
    return save_file(path, lambda p: p.write_text(text, encoding="utf-8"))


def save_json(path: str | Path, data: object) -> Path:
    return save_text(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def sidecar_path(picture: str | Path) -> Path:
    """Where a picture's run configuration goes: ``NAME.config.json`` beside ``NAME.png``,
    so pictures of different runs exported into one folder each keep their own."""
    picture = Path(picture)
    return picture.with_name(picture.stem + SIDECAR_SUFFIX)


def write_config_beside(picture: str | Path, config, data: str = "") -> Path:
    """Write ``config`` (a Config) as JSON beside an exported picture; return its path.
    ``data`` ("imported from moons.csv", "drawn points") notes a run on its own points,
    whose config still names a generated data set."""
    return save_text(sidecar_path(picture), config.to_json(data=data) + "\n")
