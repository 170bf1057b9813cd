import os
import stat

import pytest

from nnfs_gui.core.atomic import write_atomic, write_text_atomic


def test_written_file_has_ordinary_permissions(tmp_path):
    path = write_text_atomic(tmp_path / "a.json", "{}")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    mask = os.umask(0)
    os.umask(mask)
    assert mode == 0o666 & ~mask


def test_failed_write_keeps_old_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("good")

    def boom(p):
        p.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_atomic(path, boom)
    assert path.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["h.csv"]
