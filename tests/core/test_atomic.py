"""Atomic writes: the old file survives any failure, and no temp file outlives a save."""

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnfs_gui.core.files import atomic
from nnfs_gui.core.files.atomic import (
    TEMP_MARK,
    is_temp_name,
    remove_stale_temps,
    write_atomic,
    write_text_atomic,
)

ROOT = Path(__file__).resolve().parents[2]


def test_written_file_has_ordinary_permissions(tmp_path):
    path = write_text_atomic(tmp_path / "a.json", "{}")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    mask = os.umask(0)
    os.umask(mask)
    assert mode == 0o666 & ~mask


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"),
                                     KeyboardInterrupt()])
def test_failed_write_keeps_old_file_and_leaves_no_temp(tmp_path, failure):
    path = tmp_path / "h.csv"
    path.write_text("good")

    def boom(p):
        p.write_text("half")
        raise failure

    with pytest.raises(type(failure)):
        write_atomic(path, boom)
    assert path.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["h.csv"]


def test_failed_rename_leaves_no_temp(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("a folder that is not empty cannot be replaced")
    with pytest.raises(OSError):
        write_text_atomic(tmp_path / "taken", "text")
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_temp_name_is_recognisable_and_keeps_the_suffix(tmp_path):
    seen = []
    write_atomic(tmp_path / "model.npz", lambda p: (seen.append(p.name), p.write_bytes(b"x")))
    name = seen[0]
    assert name.startswith(f".model.npz{TEMP_MARK}{os.getpid()}.") and name.endswith(".npz")
    assert is_temp_name(name)
    assert not is_temp_name("model.npz") and not is_temp_name(".model.abc123.tmp.npz")


def test_an_atomic_writer_inside_another_writes_one_temp_name(tmp_path):
    """The window's Save model: save_file around save_model, both atomic."""
    seen = []

    def inner(p):
        seen.append(p.name)
        p.write_bytes(b"model")

    write_atomic(tmp_path / "m.npz", lambda p: write_atomic(p, inner))
    assert seen[0].count(TEMP_MARK) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_stale_temps_are_removed_and_others_are_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    own = os.getpid()
    names = {
        f".a.npz{TEMP_MARK}{dead.pid}.abcd1234.npz": "removed",       # its process is gone
        f".b.csv{TEMP_MARK}{own}.abcd1234.csv": "kept",                # a save running now
        f".c.csv{TEMP_MARK}{own}.old_0123.csv": "removed",             # alive, long untouched
        ".d.abc123.tmp.npz": "kept",                                   # not our pattern
        f"notes{TEMP_MARK}{dead.pid}.txt": "kept",                     # not our pattern
    }
    for name in names:
        (tmp_path / name).write_text("x")
    old = time.time() - atomic.STALE_SECONDS - 60
    os.utime(tmp_path / f".c.csv{TEMP_MARK}{own}.old_0123.csv", (old, old))
    remove_stale_temps(tmp_path)
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {n for n, fate in names.items() if fate == "kept"}


CHILD = """
import sys, time
from nnfs_gui.core.files.atomic import write_atomic

def slow_write(tmp):
    with open(tmp, "wb") as f:
        f.write(b"n" * (8 << 20))      # the first half of a large save
        f.flush()
        print("half written", flush=True)
        time.sleep(120)                # killed here
        f.write(b"n" * (8 << 20))

write_atomic(sys.argv[1], slow_write)
"""


def test_a_save_killed_midway_keeps_the_old_file_and_the_next_save_cleans_up(tmp_path):
    target = tmp_path / "model.npz"
    target.write_bytes(b"the old model")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(target)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "half written"
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
    assert target.read_bytes() == b"the old model"
    leftovers = [p for p in tmp_path.iterdir() if is_temp_name(p.name)]
    assert len(leftovers) == 1 and leftovers[0].stat().st_size == 8 << 20

    write_text_atomic(tmp_path / "history.csv", "epoch\n")   # the next save there
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.csv", "model.npz"]
    assert target.read_bytes() == b"the old model"


def test_the_windows_save_model_makes_one_temp_file(tmp_path, monkeypatch):
    """Save model in the window: export's save_file around core's save_model."""
    import numpy as np

    from nnfs_gui.core.config import Config
    from nnfs_gui.core.files.saving import save_file
    from nnfs_gui.core.files.serialization import load_model, save_model
    from nnfs_gui.core.net.model import Model

    created = []
    real = atomic._create_temp
    monkeypatch.setattr(atomic, "_create_temp", lambda p: created.append(real(p)) or created[-1])
    config = Config(hidden=(4,))
    model = Model.from_config(config, n_inputs=2, n_outputs=3, rng=np.random.default_rng(0))
    save_file(tmp_path / "m.npz", lambda p: save_model(p, model, config))
    assert len(created) == 1 and created[0].name.count(TEMP_MARK) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]
    assert load_model(tmp_path / "m.npz")[1] == config
