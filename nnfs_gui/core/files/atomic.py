"""Write files so that a crash or a full disk never leaves half a file in place.

Every file the app writes goes through :func:`write_atomic`: the writer fills a
temporary file beside the target, which then replaces the target in one rename.
Temporary names are recognisable, ``.NAME.nnfs-gui-tmp.<pid>.<random>.SUFFIX``
(the final suffix kept, so writers that look at it pick the right format), and
are removed on every failure path. A process killed mid-save cannot remove its
own, so each save first removes stale ones in its folder: ours by the pattern,
whose process is gone or which have not been touched for STALE_SECONDS.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TEMP_MARK = ".nnfs-gui-tmp."
STALE_SECONDS = 300   # a live save keeps its temp file's mtime fresh as it writes

# .NAME.nnfs-gui-tmp.PID.RANDOM[.SUFFIX]
# mkstemp's random part is 8 characters of [a-z0-9_].
_TEMP_NAME = re.compile(r"^\..+\.nnfs-gui-tmp\.(?P<pid>\d+)\.[a-z0-9_]{8}(\.[^.]*)?$")


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it.

    On any error (or interrupt) the temporary file is removed and the old ``path``,
    if any, is untouched. Nested use writes once: when ``path`` is itself one of
    our temporary files (an atomic writer called inside another's ``write``) it
    is written directly, since the outer layer renames it.
    """
    path = Path(path)
    if is_temp_name(path.name):
        write(path)
        return path
    remove_stale_temps(path.parent)
    tmp = _create_temp(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    return write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def is_temp_name(name: str) -> bool:
    return _TEMP_NAME.match(name) is not None


def remove_stale_temps(folder: Path, now: float | None = None) -> list[Path]:
    """Remove our temporary files in ``folder`` left by saves that died; returns them.

    Only names of our own pattern are touched; a temp file of a save still running
    (its process alive and the file written to within STALE_SECONDS) is kept.
    """
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed   # the save itself will report a missing or unreadable folder
    for entry in entries:
        match = _TEMP_NAME.match(entry.name)
        if match and _is_stale(entry, int(match["pid"]), now):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass  # gone already, or not ours to remove: leave it
    return removed


def _is_stale(entry: os.DirEntry, pid: int, now: float) -> bool:
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return False
    return not _process_alive(pid) or now - info.st_mtime > STALE_SECONDS


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":
        return True       # signal 0 there would end the process: rely on the age
    try:
        os.kill(pid, 0)   # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True       # exists, belongs to another user
    except OSError:
        return True       # cannot tell (e.g. no os.kill here): keep the file
    return True


def _create_temp(path: Path) -> Path:
    """Create the temporary file exclusively (mkstemp), then give it the mode an
    ordinary open() would: mkstemp's private 0600 made exports unreadable to others."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARK}{os.getpid()}.",
                                suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _read_umask() -> int:
    mask = os.umask(0)   # the only way to read it: once, at import, before any thread
    os.umask(mask)
    return mask


_UMASK = _read_umask()
