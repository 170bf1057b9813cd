"""The cluster path as a user takes it: real `dask scheduler` and `dask worker`
processes on 127.0.0.1, the real command line against them."""

import csv
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.training.test_headless_sweep import run, sweep_cli

pytest.importorskip("distributed")
ROOT = Path(__file__).resolve().parents[2]
SMALL = {"base": "ch11-overfit", "vary": {"width": [4, 16]}, "seeds": [0, 1], "epochs": 120}
# Enough work that the scheduler can be killed while runs are still out.
LONG = {"base": "ch11-overfit", "vary": {"width": [8, 16, 32, 64]},
        "seeds": [0, 1, 2, 3, 4, 5, 6, 7], "epochs": 1500}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:]]


def wait_for_port(port: int, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the scheduler ended early"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("the scheduler did not listen")


class Cluster:
    """A scheduler and one worker process with two single-thread workers."""

    def __init__(self) -> None:
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
        # Each in a session of its own, so stop() ends the worker's children with it.
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env,
                 "start_new_session": True}
        self.scheduler = subprocess.Popen(dask_command(
            "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
            "--no-dashboard"), **quiet)
        wait_for_port(self.port, self.scheduler)
        self.worker = subprocess.Popen(dask_command(
            "worker", self.address, "--nworkers", "2", "--nthreads", "1",
            "--no-dashboard"), **quiet)
        self._wait_for_workers(2)

    def _wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=20) as client:
            client.wait_for_workers(n, timeout=60)

    def stop(self) -> None:
        for proc in (self.worker, self.scheduler):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=20)


@pytest.fixture
def cluster():
    c = Cluster()
    yield c
    c.stop()


def table(path: Path) -> list[dict]:
    rows = list(csv.DictReader(path.open()))
    for row in rows:
        row.pop("epochs_per_s")
    return rows


@pytest.mark.slow
def test_real_scheduler_gives_the_local_pool_numbers(tmp_path, cluster):
    local, remote = tmp_path / "local", tmp_path / "remote"
    local.mkdir()
    remote.mkdir()
    done_local = run(local, SMALL)
    done_remote = run(remote, SMALL, "--scheduler", cluster.address)
    assert done_local.returncode == 0, done_local.stderr
    assert done_remote.returncode == 0, done_remote.stderr
    assert "Traceback" not in done_remote.stderr
    remote_rows = table(remote / "out" / "results.csv")
    assert len(remote_rows) == 4
    assert remote_rows == table(local / "out" / "results.csv")


@pytest.mark.slow
def test_a_lost_scheduler_is_one_line_exit_1_and_the_finished_runs_written(tmp_path,
                                                                             cluster):
    cmd, env = sweep_cli(tmp_path, LONG, "--scheduler", cluster.address)
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if line.startswith("sweep: ") and not line.startswith("sweep: 0/"):
            break
    cluster.scheduler.send_signal(signal.SIGKILL)
    lines += proc.stderr.readlines()
    assert proc.wait(timeout=120) == 1, "".join(lines)
    app_lines = [line for line in lines if not line.startswith("sweep: ")]
    assert len(app_lines) == 1, "".join(lines)
    assert "lost the scheduler" in app_lines[0] and "of 32 runs" in app_lines[0]
    written = int(app_lines[0].split(" after ")[1].split(" of ")[0])
    rows = list(csv.DictReader((tmp_path / "out" / "results.csv").open()))
    assert 0 < len(rows) == written < 32


class SilentPeer:
    """A TCP server that accepts and never says a word (or, http=True, answers
    anything with an HTTP error as a web server would)."""

    def __init__(self, http: bool = False) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.address = f"tcp://127.0.0.1:{self.sock.getsockname()[1]}"
        self.http, self.conns = http, []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            if self.http:
                conn.recv(1024)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


@pytest.mark.parametrize("http", [False, True], ids=["silent", "http"])
def test_a_peer_that_is_not_a_scheduler_is_one_line_exit_2_within_the_timeout(tmp_path,
                                                                                http):
    peer = SilentPeer(http)
    start = time.monotonic()
    done = run(tmp_path, SMALL, "--scheduler", peer.address, "--connect-timeout", "2")
    took = time.monotonic() - start
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and peer.address in lines[0], done.stderr
    assert "no answer within 2 s" in lines[0]
    assert took < 2 + 15   # the timeout, plus starting Python
    peer.sock.close()


@pytest.mark.parametrize(("address", "words"), [
    ("ucx://127.0.0.1:8786", "ucx:// scheme is not supported"),
    ("tls://127.0.0.1:8786", "tls:// scheme is not supported"),
    ("127.0.0.1:8786", "expected tcp://HOST:PORT"),
    ("tcp://127.0.0.1:99999", "port 99999"),
])
def test_unsupported_addresses_are_one_line_exit_2(tmp_path, address, words):
    done = run(tmp_path, SMALL, "--scheduler", address)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr


def test_a_greeting_of_another_protocol_is_refused(tmp_path):
    """A peer that speaks first, but not Dask's framing (an SSH or SMTP server)."""
    from nnfs_gui.training.lab.executors import ClusterError, probe_scheduler

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def greet() -> None:
        conn, _ = server.accept()
        conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n")
        time.sleep(1)
        conn.close()

    threading.Thread(target=greet, daemon=True).start()
    with pytest.raises(ClusterError, match="not a Dask scheduler"):
        probe_scheduler(f"tcp://127.0.0.1:{port}", timeout=5)
    server.close()


@pytest.mark.slow
def test_the_window_lab_runs_on_the_real_scheduler(qtbot, cluster):
    from nnfs_gui.training.lab.sweep import parse_sweep
    from nnfs_gui.ui.lab.runner import SweepRunner

    runner = SweepRunner(parse_sweep(SMALL), cluster.address)
    failures = []
    runner.failed.connect(failures.append)
    with qtbot.waitSignal(runner.finished, timeout=120_000):
        runner.start()
    assert failures == []
    assert sorted(r.index for r in runner.results) == [0, 1, 2, 3]
