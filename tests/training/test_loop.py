"""The training loop behind the window, driven by messages, in this process and as
the child process the window starts."""

from __future__ import annotations

import pickle
import time
from collections import deque

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.data.splits import make_split
from nnfs_gui.training.process import protocol as p
from nnfs_gui.training.process.loop import TrainingLoop, spawn
from nnfs_gui.training.process.protocol import Frame, ModelState, RunPoints
from nnfs_gui.training.run.trainer import Trainer

SMALL = Config(name="small", samples=30, hidden=(8,), epochs=1000)
SMALL_POINTS = make_split(SMALL, np.random.default_rng(7))


class FakeConn:
    """A connection whose messages are queued by the test; closed: reads end (EOF)."""

    def __init__(self, *messages) -> None:
        self.inbox = deque(enumerate(messages, start=1))
        self.closed = False

    def poll(self, timeout: float = 0.0) -> bool:
        return bool(self.inbox) or self.closed

    def recv(self):
        if not self.inbox:
            raise EOFError
        return self.inbox.popleft()


class Driver:
    """A TrainingLoop and what it sent, with message helpers."""

    def __init__(self) -> None:
        self.sent: list = []
        self.loop = TrainingLoop(self.sent.append)
        self.seq = 0

    @property
    def frames(self) -> list[Frame]:
        return [m for m in self.sent if type(m) is Frame]

    def of(self, kind) -> list:
        return [m for m in self.sent if type(m) is kind]

    def send(self, message) -> None:
        self.seq += 1
        self.loop.handle((self.seq, message))

    def ack(self) -> None:
        self.loop.handle((0, p.Ack()))

    def ticks(self, n: int = 50) -> None:
        """Run rounds as ``run`` does (messages read during an epoch first), each frame
        acknowledged at once (as a fast screen would)."""
        for _ in range(n):
            before = len(self.frames)
            self.loop.handle_deferred()
            self.loop.tick()
            if len(self.frames) > before:
                self.ack()


def test_step_trains_exactly_n_epochs_and_ends_with_a_settled_frame():
    d = Driver()
    d.send(p.SetGrid(20))
    d.send(p.StartRun(1, SMALL))
    d.ticks(3)
    points, first = d.sent[0], d.frames[0]
    assert type(points) is RunPoints and points.run_id == 1 and points.scaler is not None
    assert points.x_train.shape == (90, 2) and points.start_epoch == 0
    assert first.run_id == 1 and first.epoch == 0 and first.grid.shape == (20, 20, 3)
    d.send(p.Step(7))
    d.ticks(200)
    last = d.frames[-1]
    assert last.epoch == 7 and last.steps == 0 and not last.playing
    assert last.seq == d.seq                           # made after every message was read
    assert d.loop.trainer.epoch == 7
    rows = sum(len(f.rows.get("epoch", ())) for f in d.frames)
    assert rows == 7                                   # throttling dropped no rows
    assert last.train_seconds > 0 and last.train_seconds == last.seconds["train"]
    assert d.loop.idle()


def test_no_second_frame_before_the_first_is_acknowledged():
    d = Driver()
    d.send(p.StartRun(1, SMALL))
    d.loop.tick()
    assert len(d.frames) == 1
    d.send(p.SetGrid(30))      # asks for a frame with the new grid
    for _ in range(5):
        d.loop.tick()
    assert len(d.frames) == 1 and d.loop.idle()       # waits, costing nothing
    d.ack()
    d.loop.tick()
    assert len(d.frames) == 2 and d.frames[1].grid.shape[0] == 30


def test_the_newest_start_wins_and_a_live_change_keeps_the_run():
    d = Driver()
    d.send(p.StartRun(1, SMALL))
    d.send(p.StartRun(2, SMALL.replace(seed=5)))
    d.ticks(2)
    assert [f.run_id for f in d.frames] == [2]        # run 1 never started
    d.send(p.Step(10))
    d.ticks(100)
    d.send(p.ApplyLive(2, SMALL.replace(seed=5, learning_rate=0.01)))
    d.ticks(2)
    assert d.loop.trainer.run_id == 2 and d.loop.trainer.epoch == 10
    assert d.loop.trainer.model.optimizer.learning_rate == 0.01
    assert d.frames[-1].learning_rate == pytest.approx(0.01, rel=1e-3)


def test_a_live_change_for_another_run_is_ignored():
    d = Driver()
    d.send(p.StartRun(2, SMALL))
    d.ticks(2)
    d.send(p.ApplyLive(1, SMALL.replace(learning_rate=0.3)))
    d.ticks(2)
    assert d.loop.trainer.model.optimizer.learning_rate == SMALL.learning_rate
    assert d.frames[-1].error == ""


def test_a_live_change_before_its_run_started_goes_with_the_start():
    d = Driver()
    d.send(p.StartRun(3, SMALL))
    d.send(p.ApplyLive(3, SMALL.replace(learning_rate=0.2)))
    d.ticks(2)
    assert d.loop.trainer.config.learning_rate == 0.2


# Mini-batches: a long epoch asks should_stop between them.
CHUNKED = SMALL.replace(batch_size=16)


@pytest.fixture
def long_epochs(monkeypatch):
    """Every epoch counts as long (it reads messages between its mini-batches), as
    those of a heavy network do."""
    from nnfs_gui.training.run import trainer as trainer_module

    monkeypatch.setattr(trainer_module, "LONG_EPOCH_SECONDS", 0.0)


def untouched(config: Config, epochs: int) -> Trainer:
    alone = Trainer(config, run_id=1)
    alone.train(epochs)
    return alone


def during_next_epoch(d: Driver, *messages) -> None:
    """Messages that arrive while the loop's next epoch trains."""
    d.loop._conn = FakeConn(*messages)


def test_a_live_change_during_a_long_epoch_applies_at_its_end(long_epochs):
    d = Driver()
    d.send(p.StartRun(1, CHUNKED))
    d.send(p.Step(1))
    d.ticks(1)
    during_next_epoch(d, p.ApplyLive(1, CHUNKED.replace(learning_rate=0.01)))
    d.ticks(1)
    t = d.loop.trainer
    assert t.epoch == 1 and not t.interrupted   # the epoch was not thrown away
    np.testing.assert_array_equal(t.history.column("loss"),
                                  untouched(CHUNKED, 1).history.column("loss"))
    d.send(p.Step(1))
    d.ticks(20)
    assert t.epoch == 2 and t.history.column("lr")[1] == pytest.approx(0.01, rel=1e-3)
    assert d.frames[-1].learning_rate == pytest.approx(0.01, rel=1e-3)


@pytest.mark.parametrize(("message", "acted"), [
    (p.Pause(), lambda loop: not loop.playing),
    (p.StartRun(2, CHUNKED), lambda loop: loop.mailbox.run_id == 2),
    (p.Quit(), lambda loop: loop.quit)])
def test_pause_start_and_quit_cut_a_long_epoch_short(long_epochs, message, acted):
    d = Driver()
    d.send(p.StartRun(1, CHUNKED))
    d.send(p.Play())
    d.ticks(1)
    during_next_epoch(d, message)
    d.loop.tick()
    assert d.loop.trainer.interrupted and d.loop.trainer.epoch == 0
    d.loop.handle_deferred()
    assert acted(d.loop)


def test_live_changes_during_one_epoch_apply_once_the_newest_winning(long_epochs):
    """Adam -> SGD -> Adam within one epoch: applied one by one, the switches would
    throw Adam's moments away; the newest alone leaves the run as if untouched."""
    d = Driver()
    d.send(p.StartRun(1, CHUNKED))
    d.send(p.Step(1))
    d.ticks(1)
    during_next_epoch(d, p.ApplyLive(1, CHUNKED.replace(optimizer="sgd")),
                      p.ApplyLive(1, CHUNKED.replace(optimizer="sgd", learning_rate=0.5)),
                      p.ApplyLive(1, CHUNKED))
    d.send(p.Step(2))
    d.ticks(30)
    alone = untouched(CHUNKED, 3)
    assert d.loop.trainer.epoch == 3
    for got, want in zip(d.loop.trainer.model.get_params(), alone.model.get_params(),
                         strict=True):
        np.testing.assert_array_equal(got, want)


def test_playing_stops_at_pause_at_and_says_so():
    d = Driver()
    d.send(p.StartRun(1, SMALL))
    d.send(p.SetPauseAt(25))
    d.send(p.Play())
    d.ticks(300)
    last = d.frames[-1]
    assert last.epoch == 25 and not last.playing and not d.loop.playing


def test_pause_ends_play_and_a_step_under_way():
    d = Driver()
    d.send(p.StartRun(1, SMALL.replace(epochs=10**6)))
    d.send(p.Step(10**5))
    d.ticks(3)
    d.send(p.Pause())
    d.ticks(3)
    epoch = d.loop.trainer.epoch
    d.ticks(20)
    assert d.loop.trainer.epoch == epoch and d.loop.steps == 0 and not d.loop.playing
    assert d.frames[-1].epoch == epoch


def test_a_run_that_cannot_start_is_an_error_frame(monkeypatch):
    from nnfs_gui.training.run import trainer as trainer_module

    class Unlucky(trainer_module.Trainer):
        def __init__(self, config, run_id=0, **kwargs):
            if config.seed == 13:
                raise ValueError("seed 13 is unlucky")
            super().__init__(config, run_id, **kwargs)

    monkeypatch.setattr(trainer_module, "Trainer", Unlucky)
    d = Driver()
    d.send(p.Play())
    d.send(p.StartRun(1, SMALL.replace(seed=13)))
    d.ticks(3)
    failed = d.frames[-1]
    assert failed.error == "seed 13 is unlucky" and failed.run_id == 1   # names its run
    assert not d.loop.playing and d.loop.trainer is None
    d.send(p.RequestModel(4))   # no run: answered all the same, without a model
    d.ticks(2)
    assert [(s.run_id, s.request_id, s.saved) for s in d.of(ModelState)] == [(1, 4, None)]
    d.send(p.StartRun(2, SMALL.replace(seed=1)))
    d.ticks(3)
    assert d.frames[-1].run_id == 2 and d.frames[-1].error == ""
    assert all(f.run_id in (1, 2) for f in d.frames)   # no frame without a run


def test_each_model_request_is_answered_with_its_id_and_a_copy_of_the_model():
    d = Driver()
    d.send(p.RequestModel(1))   # before any run: answered without a model
    d.ticks(2)
    split = SMALL_POINTS
    d.send(p.StartRun(1, SMALL, split))
    d.send(p.Step(5))
    d.ticks(100)
    d.send(p.RequestModel(2))
    d.send(p.RequestModel(3))
    d.ticks(2)
    none, *states = d.of(ModelState)
    assert (none.run_id, none.request_id, none.saved) == (0, 1, None)
    assert [(s.run_id, s.request_id) for s in states] == [(1, 2), (1, 3)]
    saved = states[0].saved
    assert saved.epoch == 5 and saved.config == SMALL and saved.split is split
    assert saved.scaler is d.loop.trainer.scaler
    live = d.loop.trainer.model
    assert saved.model is not live and states[1].saved.model is not saved.model
    for got, want in zip(saved.model.get_params(), live.get_params(), strict=True):
        np.testing.assert_array_equal(got, want)
    assert saved.model.optimizer.iterations == live.optimizer.iterations == 5


def test_a_run_on_a_given_split_trains_on_exactly_those_points():
    d = Driver()
    d.send(p.StartRun(1, SMALL.replace(dataset="moons", classes=2)))
    d.ticks(2)
    a = d.of(RunPoints)[-1]
    d.send(p.StartRun(2, SMALL.replace(hidden=(4,), dataset="moons", classes=2), a.split()))
    d.ticks(2)
    b = d.of(RunPoints)[-1]
    assert b.run_id == 2
    for k in ("x_train", "y_train", "x_val", "y_val"):
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k))


def test_every_message_type_has_a_handler_and_changes_what_it_names():
    d = Driver()
    d.send(p.StartRun(1, SMALL))
    assert d.loop.mailbox.run_id == 1
    d.ticks(2)
    checks = [(p.Play(), lambda: d.loop.playing), (p.Pause(), lambda: not d.loop.playing),
              (p.Step(4), lambda: d.loop.steps == 4),
              (p.SetGrid(33), lambda: d.loop.grid_size == 33),
              (p.SetPauseAt(9), lambda: d.loop.pause_at == 9),
              (p.ApplyLive(1, SMALL.replace(decay=0.0)), lambda: d.loop.live.config.decay == 0),
              (p.RequestModel(5), lambda: d.loop.model_requests[-1].request_id == 5),
              (p.RestoreBest(), lambda: d.loop.want_frame),
              (p.ShowEpoch(1, 0, 20, 6), lambda: d.loop.want_view.request_id == 6),
              (p.SetPace(20), lambda: d.loop.pace.epochs_per_second == 20),
              (p.SetLiveRegions(False), lambda: not d.loop.live_regions),
              (p.Quit(), lambda: d.loop.quit)]
    for message, check in checks:
        d.send(message)
        assert check(), message
    d.loop.frame_in_flight = True
    d.ack()
    assert not d.loop.frame_in_flight
    handled = set(d.loop._handlers)
    assert handled == {p.StartRun, p.ApplyLive, p.Play, p.Pause, p.Step, p.SetGrid,
                       p.SetPauseAt, p.Ack, p.RequestModel, p.Quit, p.RestoreBest,
                       p.ShowEpoch, p.SetPace, p.SetLiveRegions}


def test_frames_carry_no_grid_while_the_window_shows_an_earlier_epoch():
    d = Driver()
    d.send(p.SetGrid(20))
    d.send(p.StartRun(1, SMALL))
    d.ticks(3)
    assert d.frames[-1].grid is not None
    n = len(d.frames)
    d.send(p.SetLiveRegions(False))
    d.send(p.ShowEpoch(1, 0, 20, 1))
    d.send(p.Step(30))
    d.ticks(60)
    away = d.frames[n:]
    assert d.loop.trainer.epoch == 30 and away[-1].epoch == 30
    assert away and all(f.grid is None and f.val_pred is None for f in away)
    assert d.of(p.EpochView)[-1].grid.shape == (20, 20, 3)   # the cursor is still answered
    d.send(p.SetLiveRegions(True))   # back to live: fresh regions without asking
    d.ticks(2)
    back = d.frames[-1]
    assert back.epoch == 30 and back.grid.shape == (20, 20, 3)
    assert np.array_equal(back.grid, d.loop.trainer.grid_probabilities(20))


@pytest.fixture
def no_best_weights(monkeypatch):
    from nnfs_gui.training.run.trainer import Trainer

    def restore_best(self):
        raise RuntimeError("no best weights to restore")
    monkeypatch.setattr(Trainer, "restore_best", restore_best)


def test_a_failing_handler_is_an_error_frame_of_its_run_and_a_pause(no_best_weights):
    d = Driver()
    d.send(p.StartRun(1, SMALL))
    d.send(p.Play())
    d.ticks(3)
    for message, error in [("playing", "unknown message 'playing'"),
                           (RunPoints, "unknown message <class"),   # the loop sends it
                           (p.RestoreBest(), "no best weights"),
                           (p.ApplyLive(1, SMALL.replace(hidden=(4,))), "need a new run")]:
        d.send(p.Play())
        d.ticks(2)
        assert d.loop.playing
        d.send(message)
        d.ticks(2)
        frame = d.frames[-1]
        assert error in frame.error and frame.run_id == 1, message
        assert not frame.playing and not d.loop.playing, message
    d.send(p.Step(3))   # the process lives on
    epoch = d.loop.trainer.epoch
    d.ticks(20)
    assert d.loop.trainer.epoch == epoch + 3 and d.frames[-1].error == ""




def test_run_returns_on_quit_and_when_the_window_goes_away():
    d = Driver()
    d.loop.run(FakeConn(p.StartRun(1, SMALL), p.Quit()))
    assert d.loop.quit
    d = Driver()
    conn = FakeConn(p.StartRun(1, SMALL), p.Play())
    conn.closed = True
    start = time.perf_counter()
    d.loop.run(conn)   # EOF after the two messages: returns instead of training forever
    assert time.perf_counter() - start < 5


def test_frames_come_back_from_pickle_read_only():
    d = Driver()
    d.send(p.StartRun(1, SMALL))
    d.ticks(2)
    frame = pickle.loads(pickle.dumps(d.frames[0])).read_only()
    points = pickle.loads(pickle.dumps(d.sent[0])).read_only()
    arrays = [frame.grid, frame.val_pred, points.x_train, *frame.rows.values()]
    assert all(not a.flags.writeable for a in arrays)


def test_the_child_process_trains_and_quits_on_request():
    proc, conn = spawn()
    try:
        conn.send((1, p.StartRun(1, SMALL)))
        conn.send((2, p.Step(12)))
        frames = []
        while not frames or frames[-1].epoch < 12:
            assert conn.poll(30), "no frame from the training process"
            message = conn.recv()
            if type(message) is Frame:
                frames.append(message)
                conn.send((0, p.Ack()))
        assert frames[-1].seq == 2 and frames[-1].steps == 0
        conn.send((3, p.Quit()))
        assert proc.wait(5) == 0
    finally:
        proc.kill()
        conn.close()


def test_the_child_process_ends_when_its_window_goes_away():
    proc, conn = spawn()
    conn.send((1, p.StartRun(1, SMALL.replace(epochs=10**6))))
    conn.send((2, p.Play()))
    assert conn.poll(30)
    conn.close()   # as when the window's process is killed
    try:
        assert proc.wait(5) == 0
    finally:
        proc.kill()
