"""RunSession: one model as the window sees it, with its real training process."""

from __future__ import annotations

import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.ui.session import RunSession

SMALL = Config(name="small", samples=30, hidden=(8,), epochs=1000)
WAIT_MS = 20_000


@pytest.fixture
def session(qtbot):
    s = RunSession("A", SMALL)
    s.new_run()
    qtbot.waitUntil(lambda: s.points is not None and s.frames_drawn > 0, timeout=WAIT_MS)
    yield s
    s.stop()


def test_apply_decides_live_or_restart_once(qtbot, session):
    session.step(10)
    qtbot.waitUntil(lambda: session.settled and session.epoch == 10, timeout=WAIT_MS)
    run = session.run_id
    assert not session.apply(SMALL.replace(learning_rate=0.01))   # live: same run
    qtbot.waitUntil(lambda: session.learning_rate == pytest.approx(0.01, rel=1e-3),
                    timeout=WAIT_MS)
    assert session.run_id == run and session.epoch == 10
    assert session.apply(SMALL.replace(learning_rate=0.01, noise=0.3))   # restart field
    assert session.run_id == run + 1
    qtbot.waitUntil(lambda: session.points.run_id == run + 1, timeout=WAIT_MS)
    assert session.epoch == 0 and len(session.history) == 0


def test_the_history_is_every_row_the_frames_carried(qtbot, session):
    rows = []
    session.rows_added.connect(lambda r: rows.append(len(r["epoch"])))
    session.play()
    qtbot.waitUntil(lambda: session.epoch > 200, timeout=WAIT_MS)
    session.pause()
    qtbot.waitUntil(lambda: session.settled, timeout=WAIT_MS)
    assert sum(rows) == len(session.history) == session.epoch
    assert list(session.history.column("epoch")[:3]) == [0, 1, 2]


def test_request_model_answers_with_the_current_runs_model(qtbot, session):
    session.step(5)
    qtbot.waitUntil(lambda: session.settled and session.epoch == 5, timeout=WAIT_MS)
    got = []
    session.request_model(got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT_MS)
    assert got[0].epoch == 5 and got[0].config == session.config
    assert got[0].model.optimizer.iterations == 5


def test_a_pending_model_request_is_dropped_on_a_new_run(qtbot, session):
    """Its answer (the old run's model) never reaches the callback later."""
    session.step(5)
    qtbot.waitUntil(lambda: session.settled and session.epoch == 5, timeout=WAIT_MS)
    got = []
    session.request_model(got.append)
    session.new_run()
    assert got == [None]
    session.request_model(got.append)   # answered after the first: the loop keeps order
    qtbot.waitUntil(lambda: len(got) == 2, timeout=WAIT_MS)
    assert got[1].epoch == 0   # the new run's model, not the old run's (epoch 5)


def test_a_pending_model_request_is_dropped_when_the_process_dies(qtbot, session):
    import os
    import signal

    os.kill(session.worker.pid, signal.SIGSTOP)   # it cannot answer now
    got = []
    session.request_model(got.append)
    os.kill(session.worker.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT_MS)
    assert got == [None]


def test_own_points_stay_until_a_generator_setting_changes(qtbot, session):
    import numpy as np

    from nnfs_gui.core.data.splits import DataSplit

    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 2)).astype(np.float32)
    y = np.arange(40) % 3
    own = DataSplit(x[:30], y[:30], x[30:], y[30:], "file")
    session.new_run(split=own)
    qtbot.waitUntil(lambda: session.points is not None
                    and session.points.run_id == session.run_id, timeout=WAIT_MS)
    assert np.array_equal(session.points.x_train, own.x_train)
    session.apply(session.config.replace(seed=5))          # a new seed: same points
    qtbot.waitUntil(lambda: session.points.run_id == session.run_id, timeout=WAIT_MS)
    assert session.split is own and np.array_equal(session.points.x_train, own.x_train)
    session.apply(session.config.replace(dataset="moons"))  # generated data again
    qtbot.waitUntil(lambda: session.points.run_id == session.run_id, timeout=WAIT_MS)
    assert session.split is None
    assert not np.array_equal(session.points.x_train[:30], own.x_train)


def test_a_cursor_request_of_a_run_that_ends_is_answered_and_not_shown(qtbot, session):
    """Reset while scrubbing: the old run's answer frees the cursor and is not drawn."""
    session.step(20)
    qtbot.waitUntil(lambda: session.settled and session.epoch == 20, timeout=WAIT_MS)
    shown = []
    session.epoch_shown.connect(shown.append)
    session.show_epoch(10)
    session.new_run()
    qtbot.waitUntil(lambda: session.points.run_id == session.run_id, timeout=WAIT_MS)
    session.step(5)
    qtbot.waitUntil(lambda: session.settled and session.epoch == 5, timeout=WAIT_MS)
    session.show_epoch(3)
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
    assert [(v.run_id, v.asked) for v in shown] == [(session.run_id, 3)]
