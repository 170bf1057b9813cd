"""The training loop behind the window, driven by messages, in this process and as
the child process the window starts."""

from __future__ import annotations

import pickle
import socket
import subprocess
import sys
import time
from collections import deque
from multiprocessing.connection import Connection

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.training.loop import Frame, TrainingLoop

SMALL = Config(name="small", samples=30, hidden=(8,), epochs=1000)


class FakeConn:
    """A connection whose messages are queued by the test; closed: reads end (EOF)."""

    def __init__(self, *messages) -> None:
        self.inbox = deque(messages)
        self.closed = False

    def poll(self, timeout: float = 0.0) -> bool:
        return bool(self.inbox) or self.closed

    def recv(self):
        if not self.inbox:
            raise EOFError
        return self.inbox.popleft()


class Driver:
    """A TrainingLoop and the frames it sent, with message helpers."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.loop = TrainingLoop(self.frames.append)
        self.seq = 0

    def send(self, kind: str, payload=None) -> None:
        self.seq += 1
        self.loop.c.handle((self.seq, kind, payload))

    def ack(self) -> None:
        self.loop.c.handle((0, "ack", None))

    def ticks(self, n: int = 50) -> None:
        """Run rounds, acknowledging each frame at once (as a fast screen would)."""
        for _ in range(n):
            before = len(self.frames)
            self.loop.tick()
            if len(self.frames) > before:
                self.ack()


def test_step_trains_exactly_n_epochs_and_ends_with_a_settled_frame():
    d = Driver()
    d.send("set", {"grid_size": 20})
    d.send("submit", (SMALL, 1, None))
    d.ticks(3)
    first = d.frames[0]
    assert first.run_id == 1 and first.points is not None and first.scaler is not None
    assert first.snapshot.epoch == 0 and first.snapshot.grid.shape == (20, 20, 3)
    d.send("step", 7)
    d.ticks(200)
    last = d.frames[-1]
    assert last.snapshot.epoch == 7 and last.steps == 0 and not last.playing
    assert last.seq == d.seq                           # made after every message was read
    assert d.loop.trainer.epoch == 7
    rows = sum(len(f.snapshot.history["epoch"]) for f in d.frames)
    assert rows == 7                                   # throttling dropped no rows
    assert d.loop.idle()


def test_no_second_frame_before_the_first_is_acknowledged():
    d = Driver()
    d.send("submit", (SMALL, 1, None))
    d.loop.tick()
    assert len(d.frames) == 1
    d.send("set", {"want_frame": True})
    for _ in range(5):
        d.loop.tick()
    assert len(d.frames) == 1 and d.loop.idle()       # waits, costing nothing
    d.ack()
    d.loop.tick()
    assert len(d.frames) == 2


def test_the_newest_config_wins_and_a_live_change_keeps_the_run():
    d = Driver()
    d.send("submit", (SMALL, 1, None))
    d.send("submit", (SMALL.replace(seed=5), 2, None))
    d.ticks(2)
    assert [f.run_id for f in d.frames] == [2]        # run 1 never started
    d.send("step", 10)
    d.ticks(100)
    d.send("submit", (SMALL.replace(seed=5, learning_rate=0.01), 2, None))
    d.ticks(2)
    assert d.loop.trainer.run_id == 2 and d.loop.trainer.epoch == 10
    assert d.loop.trainer.model.optimizer.learning_rate == 0.01
    assert d.frames[-1].snapshot.learning_rate == pytest.approx(0.01, rel=1e-3)


def test_playing_stops_at_pause_at_and_says_so():
    d = Driver()
    d.send("submit", (SMALL, 1, None))
    d.send("set", {"pause_at": 25, "playing": True})
    d.ticks(300)
    last = d.frames[-1]
    assert last.snapshot.epoch == 25 and not last.playing and not d.loop.c.playing


def test_a_run_that_cannot_start_is_an_error_frame(monkeypatch):
    from nnfs_gui.training import trainer as trainer_module

    class Unlucky(trainer_module.Trainer):
        def __init__(self, config, run_id=0):
            if config.seed == 13:
                raise ValueError("seed 13 is unlucky")
            super().__init__(config, run_id)

    monkeypatch.setattr(trainer_module, "Trainer", Unlucky)
    d = Driver()
    d.send("set", {"playing": True})
    d.send("submit", (SMALL.replace(seed=13), 1, None))
    d.ticks(3)
    assert d.frames[-1].error == "seed 13 is unlucky" and d.frames[-1].run_id == -1
    assert not d.loop.c.playing and d.loop.trainer is None
    d.send("submit", (SMALL.replace(seed=1), 2, None))
    d.ticks(3)
    assert d.frames[-1].run_id == 2 and d.frames[-1].error == ""


def test_a_model_request_is_answered_with_a_copy_of_the_weights():
    d = Driver()
    d.send("submit", (SMALL, 1, None))
    d.send("step", 5)
    d.ticks(100)
    d.send("set", {"want_model": True, "want_frame": True})
    d.ticks(2)
    state = d.frames[-1].model_state
    assert state is not None and state.epoch == 5 and state.config == SMALL
    for got, live in zip(state.get_params(), d.loop.trainer.model.get_params(), strict=True):
        np.testing.assert_array_equal(got, live)
    assert d.frames[-1].model_state is not d.frames[0].model_state


def test_starting_from_given_weights():
    d = Driver()
    d.send("submit", (SMALL, 1, None))
    d.send("step", 20)
    d.ticks(100)
    params = d.loop.trainer.model.get_params()
    d.send("submit", (SMALL, 2, params))
    d.ticks(2)
    assert d.loop.trainer.run_id == 2 and d.loop.trainer.epoch == 0
    for got, want in zip(d.loop.trainer.model.get_params(), params, strict=True):
        np.testing.assert_array_equal(got, want)


def test_unknown_messages_are_errors():
    d = Driver()
    with pytest.raises(ValueError, match="unknown control"):
        d.send("set", {"no_such_flag": 1})
    with pytest.raises(ValueError, match="unknown message"):
        d.send("dance")


def test_run_returns_on_quit_and_when_the_window_goes_away():
    d = Driver()
    d.loop.run(FakeConn((1, "submit", (SMALL, 1, None)), (2, "quit", None)))
    assert d.loop.c.quit
    d = Driver()
    conn = FakeConn((1, "submit", (SMALL, 1, None)), (2, "set", {"playing": True}))
    conn.closed = True
    start = time.perf_counter()
    d.loop.run(conn)   # EOF after the two messages: returns instead of training forever
    assert time.perf_counter() - start < 5


def test_frames_come_back_from_pickle_read_only():
    d = Driver()
    d.send("submit", (SMALL, 1, None))
    d.ticks(2)
    frame = pickle.loads(pickle.dumps(d.frames[0])).read_only()
    arrays = [frame.snapshot.grid, frame.val_pred, frame.points.x_train,
              *frame.snapshot.history.values()]
    assert all(not a.flags.writeable for a in arrays)


def start_child() -> tuple[subprocess.Popen, Connection]:
    """The training process as the window starts it, and our end of its socket."""
    ours, theirs = socket.socketpair()
    code = "import sys; from nnfs_gui.training.loop import main; sys.exit(main())"
    with theirs:
        proc = subprocess.Popen([sys.executable, "-c", code, str(theirs.fileno())],
                                pass_fds=(theirs.fileno(),))
    return proc, Connection(ours.detach())


def test_the_child_process_trains_and_quits_on_request():
    proc, conn = start_child()
    try:
        conn.send((1, "submit", (SMALL, 1, None)))
        conn.send((2, "step", 12))
        frames = []
        while not frames or frames[-1].snapshot.epoch < 12:
            assert conn.poll(30), "no frame from the training process"
            frames.append(conn.recv())
            conn.send((0, "ack", None))
        assert type(frames[-1]) is Frame and frames[-1].seq == 2 and frames[-1].steps == 0
        conn.send((3, "quit", None))
        assert proc.wait(5) == 0
    finally:
        proc.kill()
        conn.close()


def test_the_child_process_ends_when_its_window_goes_away():
    proc, conn = start_child()
    conn.send((1, "submit", (SMALL.replace(epochs=10**6), 1, None)))
    conn.send((2, "set", {"playing": True}))
    assert conn.poll(30)
    conn.close()   # as when the window's process is killed
    try:
        assert proc.wait(5) == 0
    finally:
        proc.kill()

