"""The app ends with its main window even while a sweep runs in a results window
(which has no parent): SIGTERM and SIGINT close everything, cancel the sweep and leave
no worker process; the real window's close button is tested in
tests/realwindow/test_lab_small_screen.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")

ROOT = Path(__file__).resolve().parents[2]


def start_lab_app(env: dict | None = None, *args: str) -> subprocess.Popen:
    """tests/lab_app.py: the app with a long sweep, once its workers are busy."""
    return subprocess.Popen([sys.executable, str(ROOT / "tests" / "lab_app.py"), *args],
                            env=env or dict(os.environ), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def sweep_workers(proc: subprocess.Popen, want: int = 2, timeout: float = 60.0) -> list:
    """The sweep's worker processes (spawned children), once ``want`` of them run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        workers = [p for p in psutil.Process(proc.pid).children(recursive=True)
                   if "spawn_main" in " ".join(p.cmdline())]
        if len(workers) >= want:
            return workers
        time.sleep(0.2)
    raise AssertionError("the sweep's workers did not start")


def alive(processes: list) -> list:
    def running(p) -> bool:
        try:
            return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False
    return [p for p in processes if running(p)]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_ends_the_app_and_its_sweep_workers(sig):
    proc = start_lab_app()
    try:
        workers = sweep_workers(proc)
        time.sleep(1.0)   # the runs are training, the results window drawn
        assert alive(workers)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for p in alive(locals().get("workers", [])):
            p.kill()
    assert proc.returncode == 0, err
    assert "sweep started" in out
    assert "Traceback" not in err
    deadline = time.monotonic() + 5
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive(workers) == []
