"""Checkpoints in the Trainer, epoch views from the loop (the running model untouched),
and the pace limit of the training loop."""

from __future__ import annotations

import time

import numpy as np

from nnfs_gui.core.config import Config
from nnfs_gui.training.process import protocol as p
from nnfs_gui.training.run.trainer import Trainer
from tests.training.test_loop import Driver

SMALL = Config(name="small", samples=30, hidden=(8,), epochs=1000)


def test_checkpoint_e_holds_the_weights_row_e_was_measured_on():
    t = Trainer(SMALL)
    t.train(30)
    assert list(t.timeline.epochs()) == list(range(30))
    found, params = t.timeline.nearest(12)
    again = Trainer(SMALL)
    again.train(12)   # epoch 12 starts from the weights after 12 updates
    assert found == 12
    for mine, theirs in zip(params, again.model.get_params(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    # row 12's validation loss is that of these weights
    model = t.model_at(12)[1]
    val_loss, _ = model.evaluate(t.x_val, t.y_val)
    assert abs(val_loss - t.history.column("val_loss")[12]) < 1e-5


def test_an_old_epoch_leaves_the_running_model_alone():
    t = Trainer(SMALL)
    t.train(20)
    before = t.model.get_params()
    grid_then = t.grid_probabilities(16, model=t.model_at(5)[1])
    for now, was in zip(t.model.get_params(), before, strict=True):
        np.testing.assert_array_equal(now, was)
    again = Trainer(SMALL)
    again.train(5)
    np.testing.assert_array_equal(grid_then, again.grid_probabilities(16))
    assert not np.array_equal(grid_then, t.grid_probabilities(16))
    # training on gives the same numbers as a trainer never asked for old epochs
    t.train(10)
    fresh = Trainer(SMALL)
    fresh.train(30)
    np.testing.assert_array_equal(t.history.column("loss"), fresh.history.column("loss"))


def test_the_loop_answers_show_epoch_with_that_epochs_regions_and_row():
    d = Driver()
    d.send(p.StartRun(1, SMALL))
    d.send(p.Step(40))
    d.ticks(60)
    assert d.loop.trainer.epoch == 40
    d.send(p.ShowEpoch(1, 7, 24, request_id=1))
    d.send(p.ShowEpoch(1, 9, 24, request_id=2))   # the newest request wins
    d.ticks(2)
    (view,) = d.of(p.EpochView)
    assert (view.request_id, view.asked, view.epoch_found, view.exact) == (2, 9, 9, True)
    again = Trainer(SMALL, run_id=1)
    again.train(9)
    np.testing.assert_array_equal(view.grid, again.grid_probabilities(24))
    np.testing.assert_array_equal(view.val_pred, again.model.predict(again.x_val))
    assert view.row["epoch"] == 9
    assert view.row["val_loss"] == d.loop.trainer.history.column("val_loss")[9]
    d.send(p.ShowEpoch(2, 3, 24, request_id=3))   # a run that is gone: no regions
    d.ticks(2)
    gone = d.of(p.EpochView)[-1]
    assert (gone.run_id, gone.request_id, gone.asked) == (2, 3, 3)
    assert gone.grid is None and gone.val_pred is None and gone.row is None


def test_pace_limits_the_epochs_per_second_of_the_processs_clock():
    d = Driver()
    d.send(p.StartRun(1, SMALL))
    d.send(p.SetPace(20))
    d.send(p.Play())
    start = time.perf_counter()
    while d.loop.trainer is None or d.loop.trainer.epoch < 20:
        d.loop.tick()
        time.sleep(d.loop.pace_wait())
        if d.frames:
            d.ack()
    seconds = time.perf_counter() - start
    # an upper bound: a busy machine only makes it slower
    assert d.loop.trainer.epoch / seconds <= 25
    d.send(p.SetPace(None))
    epoch = d.loop.trainer.epoch
    d.ticks(5)
    assert d.loop.trainer.epoch > epoch + 5   # full speed: chunks of many epochs again
