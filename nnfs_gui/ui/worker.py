"""The window's side of training: a child process trains, a QThread receives its messages.

The trainer runs in a child process (``training/loop.py``), so training and
painting each have a core and never take turns at one GIL. ``send`` puts a
message of ``training/protocol.py`` on its way and returns at once (a sender
thread writes it, so a large one, a loaded model, never holds up the GUI
thread); this QThread reads what the process sends (RunPoints, Frames,
ModelStates) and hands each to the GUI thread as one ``received`` emit. The
process waits for ``acknowledge`` (the UI has drawn the last frame) before it
sends the next frame, so a slow screen never piles up a queue.

This file knows the process and its socket, nothing about runs: ``ui/session.py``
decides what to send. If the process dies, ``died`` says so, and the next
StartRun starts a new process.
"""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from PySide6.QtCore import QThread, QTimer, Signal

from nnfs_gui.training.process.protocol import (
    Ack,
    Frame,
    Pause,
    Play,
    Quit,
    SetGrid,
    SetLiveRegions,
    SetPace,
    SetPauseAt,
    StartRun,
)

# The child imports the package from where this copy of it lives (a checkout or
# site-packages), whatever the current directory is.
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
CHILD_CODE = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
              "from nnfs_gui.training.process.loop import main; sys.exit(main())")
DIED = ("The training process stopped unexpectedly (exit code {code}). "
        "Press Reset (R) to start training again.")
PLAYING_AFTER = {Play: True, Pause: False}   # messages that set whether training plays
STICKY = (SetGrid, SetPauseAt, SetPace, SetLiveRegions)   # told again to a new process


class TrainingWorker(QThread):
    """Starts and talks to the training process; control it from the GUI thread.

    latest: the newest frame received (tests and benchmarks read it).
    """

    received = Signal(object)     # RunPoints, Frame or ModelState, on the GUI thread
    died = Signal(str)            # the process ended unasked: a sentence for the user
    _died = Signal(int, object)   # (process generation, exit code), from the reader

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()   # seq numbers in order, playing with its seq
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._send_all, name="nnfs-gui sender", daemon=True).start()
        self._generation = 0            # processes started so far
        self._seq = 0
        self._play_seq = 0              # seq of the last message that set playing
        self._playing = False
        self._stopping = False
        self._sticky: dict[type, object] = {}
        self.latest: Frame | None = None
        self._died.connect(self._report_death)
        self._spawn()

    # -- the UI's side -------------------------------------------------------------
    def send(self, message) -> None:
        """Send one protocol message; a StartRun first restarts a dead process."""
        kind = type(message)
        if kind is StartRun:
            self._restart_if_dead()
        if kind in STICKY:
            self._sticky[kind] = message
        with self._lock:
            self._seq += 1
            if kind in PLAYING_AFTER:
                self._playing, self._play_seq = PLAYING_AFTER[kind], self._seq
            self._outbox.put((self._conn, (self._seq, message)))

    def acknowledge_when_painted(self) -> None:
        """Acknowledge once the frame just drawn is painted: Qt paints on later events
        (the scene's change notice, then the window's update request), so hop twice."""
        QTimer.singleShot(0, lambda: QTimer.singleShot(0, self.acknowledge))

    def acknowledge(self) -> None:
        """The UI has drawn the last frame: the next may be sent."""
        with self._lock:
            self._outbox.put((self._conn, (0, Ack())))   # seq 0: an ack changes no setting

    def request_stop(self) -> None:
        """Tell the process to quit, without waiting (``stop`` waits)."""
        if not self._stopping:
            self.send(Quit())
            self._stopping = True

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

    def _send_all(self) -> None:
        """The sender thread: each message to the connection it was meant for, in order."""
        while True:
            conn, message = self._outbox.get()
            if conn is None:
                return
            try:
                conn.send(message)
            except (OSError, ValueError):
                pass   # that process is gone: run() has reported it, a StartRun restarts it

    @property
    def settled(self) -> bool:
        """The newest frame was made after the process read every setting sent so far,
        and it was neither playing nor stepping: no more training until told."""
        f = self.latest
        return (f is not None and f.seq == self._seq and not f.playing and not f.steps
                and f.run_id >= 0)

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
        for message in self._sticky.values():
            self.send(message)
        self.start()

    def run(self) -> None:
        """Hand each message of the process to the GUI thread, until the process ends."""
        conn, proc, generation = self._conn, self._proc, self._generation
        while True:
            try:
                message = conn.recv().read_only()
            except (EOFError, OSError):
                break
            if type(message) is Frame:
                self._note_frame(message)
            self.received.emit(message)
        if not self._stopping:
            self._playing = False
            try:
                code = proc.wait(2)
            except subprocess.TimeoutExpired:
                code = "unknown"
            self._died.emit(generation, code)

    def _note_frame(self, frame: Frame) -> None:
        with self._lock:
            if frame.seq >= self._play_seq:
                self._playing = frame.playing
        self.latest = frame

    def _report_death(self, generation: int, code) -> None:
        """On the GUI thread: say that the process died, unless a newer one runs."""
        if generation == self._generation and not self._stopping:
            self.died.emit(DIED.format(code=code))
