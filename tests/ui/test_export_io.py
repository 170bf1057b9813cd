"""Failed writes raise a readable ExportError and leave the previous file intact; a
picture's configuration goes beside it under its own name."""

from __future__ import annotations

import errno
import os
import stat
import tempfile

import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files import atomic
from nnfs_gui.core.files import saving as export_io
from nnfs_gui.core.files.saving import ExportError, save_text, write_config_beside


def _refuse_writes(monkeypatch):
    """Make the folder refuse new files, as a read-only folder does for a normal user.

    Root ignores directory permissions, so under root the refusal is simulated
    where the OS would raise it: creating the temporary file.
    """
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)


def test_read_only_folder_gives_clear_error_and_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "history.csv"
    target.write_text("good old content\n")
    tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(tmp_path, os.W_OK):  # running as root
            _refuse_writes(monkeypatch)
        with pytest.raises(ExportError) as info:
            save_text(target, "new content")
    finally:
        tmp_path.chmod(stat.S_IRWXU)
    message = str(info.value)
    assert "history.csv" in message and "permission denied" in message
    assert "Traceback" not in message
    assert target.read_text() == "good old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.csv"]


def test_disk_full_mid_write_keeps_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "figure.png"
    target.write_bytes(b"old picture")

    def write_half_then_fail(path):
        path.write_bytes(b"half a pic")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ExportError, match="disk is full"):
        export_io.save_file(target, write_half_then_fail)
    assert target.read_bytes() == b"old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["figure.png"]


def test_missing_folder_and_folder_as_file_are_named(tmp_path):
    with pytest.raises(ExportError, match="folder does not exist"):
        save_text(tmp_path / "nope" / "a.csv", "x")
    with pytest.raises(ExportError, match="is a folder"):
        save_text(tmp_path, "x")


def test_written_file_has_ordinary_permissions(tmp_path):
    path = save_text(tmp_path / "a.csv", "1\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~atomic._UMASK
    path.chmod(0o640)
    save_text(path, "2\n")  # replacing keeps the file's permissions
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.read_text() == "2\n"


def test_each_picture_keeps_its_own_config_beside_it(tmp_path):
    first, second = Config(name="first"), Config(name="second", seed=3)
    p1 = write_config_beside(tmp_path / "a.png", first)
    p2 = write_config_beside(tmp_path / "b.svg", second)
    assert (p1.name, p2.name) == ("a.config.json", "b.config.json")
    assert Config.load(p1) == first and Config.load(p2) == second
    p3 = write_config_beside(tmp_path / "a.png", second)   # the same picture again
    assert p3 == p1 and Config.load(p1) == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.config.json", "b.config.json"]
