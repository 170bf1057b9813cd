"""Shared test setup: Qt runs offscreen unless a test starts its own X server, and
every test is a guest: its own HOME, XDG folders and Qt settings location, which
every process it starts inherits (see tests/guest.py)."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.guest import guest_env, point_qt_settings_at

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Before any test module imports Qt: whatever runs outside a test (collection,
# session fixtures such as the X server) is a guest too.
_SESSION_GUEST = Path(tempfile.mkdtemp(prefix="nnfs-gui-tests-"))
os.environ.update(guest_env(_SESSION_GUEST))


@pytest.fixture(autouse=True)
def guest_home(tmp_path_factory, monkeypatch) -> Path:
    """This test's own home and settings folders (not inside its tmp_path)."""
    root = tmp_path_factory.mktemp("guest")
    for name, value in guest_env(root).items():
        monkeypatch.setenv(name, value)
    point_qt_settings_at(root)
    return root


def pytest_unconfigure(config):
    shutil.rmtree(_SESSION_GUEST, ignore_errors=True)
