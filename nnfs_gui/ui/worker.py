"""The window's side of training: a child process trains, a QThread receives its frames.

The trainer runs in a child process (``training/loop.py``), so training and
painting each have a core and never take turns at one GIL. This QThread reads
the process's frames and hands each to the GUI thread as one ``frame_ready``
emit. The UI controls training through the methods below, which send small
messages and return at once: flags, step counts, and a one-slot mailbox for
configs (the newest wins). Loading a saved model goes through the mailbox too,
and saving one asks for a copy of the weights, which the next frame carries. The
process sends at most ~30 frames a second and waits for ``acknowledge`` (the UI
has drawn the last one) before it sends the next, so a slow screen never piles
up a queue.

If the process dies, the window gets a frame with an error message, and the next
``submit`` (Reset, a preset, a restart setting) starts a new one.
"""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
from PySide6.QtCore import QThread, QTimer, Signal

from nnfs_gui.core.config import Config
from nnfs_gui.training.loop import Frame

# The child imports the package from where this copy of it lives (a checkout or
# site-packages), whatever the current directory is.
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
CHILD_CODE = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
              "from nnfs_gui.training.loop import main; sys.exit(main())")
DIED = ("The training process stopped unexpectedly (exit code {code}). "
        "Press Reset (R) to start training again.")


class TrainingWorker(QThread):
    """Starts and talks to the training process; control it from the GUI thread.

    latest: the newest frame received (tests and benchmarks read it).
    """

    frame_ready = Signal(object)
    _died = Signal(int, object)   # (process generation, exit code), from the reader

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()   # seq numbers in order, playing with its seq
        # Messages go out through a sender thread: the process reads them between chunks,
        # so a large one (a loaded model's weights) must not hold up the GUI thread.
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._send_all, name="nnfs-gui sender", daemon=True).start()
        self._generation = 0            # processes started so far
        self._seq = 0
        self._play_seq = 0              # seq of the last message that set playing
        self._playing = False
        self._stopping = False
        self._sticky: dict = {}         # settings a new process must be told again
        self.latest: Frame | None = None
        self._died.connect(self._report_death)
        self._spawn()

    # -- the UI's side -------------------------------------------------------------
    def submit(self, config: Config, run_id: int) -> None:
        """Newest config wins: a new run id starts a new run, else applies live."""
        self._restart_if_dead()
        self._send("submit", (config, run_id, None))

    def submit_model(self, config: Config, run_id: int, params: list[np.ndarray]) -> None:
        """Start run ``run_id`` of ``config`` from the weights ``params`` (a loaded
        model, fresh optimizer state) and send its first frame, paused."""
        self._restart_if_dead()
        params = [np.array(p, copy=True) for p in params]
        self._set_playing(False, steps=0)
        self._send("submit", (config, run_id, params))

    def request_model(self) -> None:
        """Ask for a copy of the model: the next frame carries it as ``model_state``."""
        self._send("set", {"want_model": True, "want_frame": True})

    def play(self) -> None:
        self._set_playing(True)

    def pause(self) -> None:
        self._set_playing(False, steps=0, want_frame=True)

    def step(self, n: int = 1) -> None:
        self._send("step", int(n))

    def set_grid_size(self, size: int) -> None:
        self._sticky["grid_size"] = size
        self._send("set", {"grid_size": size, "want_frame": True})

    def set_pause_at(self, epoch: int | None) -> None:
        self._sticky["pause_at"] = epoch
        self._send("set", {"pause_at": epoch})

    def request_frame(self) -> None:
        self._send("set", {"want_frame": True})

    def acknowledge_when_painted(self) -> None:
        """Acknowledge once the frame just drawn is painted: Qt paints on later events
        (the scene's change notice, then the window's update request), so hop twice."""
        QTimer.singleShot(0, lambda: QTimer.singleShot(0, self.acknowledge))

    def acknowledge(self) -> None:
        """The UI has drawn the last frame: the next may be sent."""
        with self._lock:
            self._send_message((0, "ack", None))   # seq 0: an ack changes no setting

    def request_stop(self) -> None:
        """Tell the process to quit, without waiting (``stop`` waits)."""
        if not self._stopping:
            self._stopping = True
            self._send("quit")

    def stop(self, timeout_ms: int = 1000) -> bool:
        """End the process (killed if it does not quit in time, for instance inside a
        long grid) and this thread; True when both ended within ``timeout_ms``."""
        self.request_stop()
        in_time = True
        try:
            self._proc.wait(timeout_ms / 2000)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
            in_time = False
        ended = self.wait(max(1, timeout_ms // 2))
        self._outbox.put((None, None))   # ends the sender thread
        if ended:
            self._conn.close()
        return in_time and ended

    @property
    def playing(self) -> bool:
        """Whether training plays: as last set here, or as the process last said once
        it had read that setting (it pauses itself at the epoch limit or on NaN)."""
        return self._playing

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _set_playing(self, playing: bool, **more) -> None:
        with self._lock:
            self._playing = playing
            self._play_seq = self._seq + 1
            self._send_locked("set", {"playing": playing, **more})

    def _send(self, kind: str, payload=None) -> None:
        with self._lock:
            self._send_locked(kind, payload)

    def _send_locked(self, kind: str, payload) -> None:
        self._seq += 1
        self._send_message((self._seq, kind, payload))

    def _send_message(self, message: tuple) -> None:
        self._outbox.put((self._conn, message))

    def _send_all(self) -> None:
        """The sender thread: each message to the connection it was meant for, in order."""
        while True:
            conn, message = self._outbox.get()
            if conn is None:
                return
            try:
                conn.send(message)
            except (OSError, ValueError):
                pass   # that process is gone: run() has reported it, submit() restarts it

    @property
    def settled(self) -> bool:
        """The newest frame was made after the process read every setting sent so far,
        and it was neither playing nor stepping: no more training until told."""
        f = self.latest
        return (f is not None and f.seq == self._seq and not f.playing and not f.steps
                and f.snapshot is not None)

    # -- the process -----------------------------------------------------------------
    def _spawn(self) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", CHILD_CODE, PACKAGE_ROOT, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                # Its own session: Ctrl+C in a terminal reaches the window only, which
                # ends the process through the socket.
                start_new_session=True)
        self._conn = Connection(ours.detach())
        self._generation += 1

    def _restart_if_dead(self) -> None:
        if self._stopping or self._proc.poll() is None:
            return
        self.wait(1000)          # the reader has seen the end of the old connection
        self._conn.close()
        self._spawn()
        self._send("set", dict(self._sticky))
        self.start()

    def run(self) -> None:
        """Hand each frame of the process to the GUI thread, until the process ends."""
        conn, proc, generation = self._conn, self._proc, self._generation
        while True:
            try:
                frame = conn.recv()
            except (EOFError, OSError):
                break
            frame.read_only()
            with self._lock:
                if frame.seq >= self._play_seq:
                    self._playing = frame.playing
            self.latest = frame
            self.frame_ready.emit(frame)
        if not self._stopping:
            self._playing = False
            try:
                code = proc.wait(2)
            except subprocess.TimeoutExpired:
                code = "unknown"
            self._died.emit(generation, code)

    def _report_death(self, generation: int, code) -> None:
        """On the GUI thread: say that the process died, unless a newer one runs."""
        if generation == self._generation and not self._stopping:
            self.frame_ready.emit(Frame(run_id=-1, error=DIED.format(code=code)))
