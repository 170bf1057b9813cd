"""The curves view: growing arrays, best-epoch marker, smoothing, following axes."""

import numpy as np
import pytest

from nnfs_gui.training.run.history import History
from nnfs_gui.ui.views.curves_view import CurvesView, ema_continue, nice_ceiling


def _rows(start, n):
    e = np.arange(start, start + n)
    val = 0.5 + (e - 300) ** 2 / 1e5   # validation loss lowest at epoch 300
    loss = 1 / (1 + e)
    return {"epoch": e, "loss": loss, "data_loss": loss, "reg_loss": 0 * e, "val_loss": val,
            "acc": e / 1e4, "val_acc": e / 2e4, "lr": 0.05 + 0 * e}


def _feed(view, history, rows):
    """As a RunSession does: append to the run's History, then tell the view."""
    history.extend(rows)
    view.append(rows)


def test_curves_read_the_runs_history_and_mark_the_best_epoch(qtbot):
    view = CurvesView()
    qtbot.addWidget(view)
    history = History()
    view.reset(history)
    for k in range(20):
        _feed(view, history, _rows(k * 50, 50))
    assert view.point_count() == 1000 and view.history is history   # no copy of its own
    x, y = view.curves["val_loss"].getData()
    assert len(x) == 1000 and y[300] == pytest.approx(0.5)
    assert view.best_epoch == 300 and view.best_line.value() == 300
    assert "epoch 300" in view.readout_at(300.2)
    view.reset()
    assert view.point_count() == 0 and not view.best_line.isVisible()


def test_smoothing_switches_to_the_moving_average(qtbot):
    view = CurvesView()
    qtbot.addWidget(view)
    rows = _rows(0, 100)
    rows["data_loss"] = np.where(np.arange(100) % 2 == 0, 1.0, 0.0)
    view.append(rows)
    view.smooth_box.setChecked(True)
    _, y = view.curves["data_loss"].getData()
    assert 0.3 < y[-1] < 0.7   # alternating 1/0 averages out near 0.5


def test_ema_continues_across_chunks():
    v = np.random.default_rng(0).random(50)
    whole = ema_continue(v, None)
    parts = ema_continue(v[:20], None)
    np.testing.assert_allclose(np.concatenate([parts, ema_continue(v[20:], parts[-1])]), whole)


def test_axis_follows_in_round_steps(qtbot):
    view = CurvesView()
    qtbot.addWidget(view)
    view.append(_rows(0, 790))
    (x0, x1), _ = view.loss_plot.getViewBox().viewRange()
    assert x0 == pytest.approx(0) and x1 == pytest.approx(1000)
    assert nice_ceiling(1.11) == 1.2 and nice_ceiling(0.07) == pytest.approx(0.08)


def test_a_one_epoch_spike_does_not_squash_the_loss_axis(qtbot):
    view = CurvesView()
    qtbot.addWidget(view)
    rows = _rows(0, 2000)
    rows["val_loss"] = np.full(2000, 0.6)
    rows["val_loss"][1500] = 4.0
    view.append(rows)
    _, (y0, y1) = view.loss_plot.getViewBox().viewRange()
    assert y1 < 1.5    # the training loss starts at 1.0; the spike runs off the top
