"""The loss axis: spikes do not own the range, and log ticks never collide."""

import numpy as np
import pyqtgraph as pg
import pytest

from nnfs_gui.training.run.history import History
from nnfs_gui.ui.views import axis
from nnfs_gui.ui.views.curves_view import CurvesView


def _spiky_rows(n=2000):
    """Training loss 1.1 -> 0.1, validation around 0.6, and Adam's spike of 7.5."""
    e = np.arange(n)
    train = 0.1 + 1.0 * np.exp(-e / 300)
    val = 0.6 + 0.2 * np.exp(-e / 300) + 0.05 * np.sin(e / 50)
    train[1500:1503] = [7.5, 3.0, 1.2]
    val[1500:1503] = [7.5, 4.0, 2.0]
    return {"epoch": e, "data_loss": train, "val_loss": val, "acc": e / n, "val_acc": e / n}


def _loss_view(qtbot):
    view = CurvesView()
    qtbot.addWidget(view)
    view.resize(520, 600)
    view.append(_spiky_rows())
    return view


@pytest.mark.parametrize("smooth", [False, True])
def test_a_spike_runs_off_the_top_with_a_mark_and_the_curves_stay_readable(qtbot, smooth):
    view = _loss_view(qtbot)
    view.smooth_box.setChecked(smooth)
    _, (y0, y1) = view.loss_plot.getViewBox().viewRange()
    assert y0 == pytest.approx(0) and 1.1 <= y1 <= 2.0   # the curve's start shows, 7.5 does not
    marks, _ = view.clip_marks.getData()
    if not smooth:
        assert len(marks) >= 1 and np.all(np.abs(marks - 1501) < 15)   # at the spike
    _, mark_y = view.clip_marks.getData()
    assert np.all((mark_y > 0.9 * y1) & (mark_y < y1))   # just under the top edge


def test_the_log_axis_is_fitted_without_the_spike(qtbot):
    view = _loss_view(qtbot)
    view.log_box.setChecked(True)
    _, (lo, hi) = view.loss_plot.getViewBox().viewRange()
    assert 10 ** hi < 2.5 and 10 ** lo < 0.1    # log10 units: 0.1 .. 1.1 shown, not 7.5
    marks, _ = view.clip_marks.getData()
    assert len(marks) >= 1


def test_log_mode_labels_are_unique_and_apart_on_the_real_axis(qtbot):
    view = _loss_view(qtbot)
    view.log_box.setChecked(True)
    left = view.loss_plot.getAxis("left")
    for lo, hi in ((-1.05, 0.05), (-0.6, 0.1), (-3.2, 0.9), (-7, 1)):
        for size in (90, 160, 300):
            values = [v for _, vs in left.tickValues(lo, hi, size) for v in vs]
            labels = left.tickStrings(values, 1.0, 1.0)
            assert len(labels) == len(set(labels)) >= 1
            gaps = np.diff(sorted(values)) * size / (hi - lo)
            assert np.all(gaps >= axis.MIN_LABEL_GAP_PX)


@pytest.mark.parametrize("lo", np.arange(-6.0, 1.0, 0.37))
@pytest.mark.parametrize("span", [0.15, 0.5, 1.0, 2.3, 6.0])
@pytest.mark.parametrize("size", [60, 120, 250, 600])
def test_log_ticks_never_crowd(lo, span, size):
    ticks = axis.log_ticks(lo, lo + span, size)
    labels = [axis.log_label(v) for v in ticks]
    assert len(set(labels)) == len(labels)
    assert np.all(np.diff(ticks) * size / span >= axis.MIN_LABEL_GAP_PX)
    assert all(lo - 1e-9 <= v <= lo + span + 1e-9 for v in ticks)
    if size >= 120:
        assert len(ticks) >= 2         # enough labels to read the scale


def test_log_labels_are_written_plainly():
    assert [axis.log_label(np.log10(v)) for v in (0.05, 0.2, 1, 5, 20, 1e-5, 2e6)] == \
        ["0.05", "0.2", "1", "5", "20", "1e-5", "2e6"]


def test_the_best_epoch_line_is_labelled(qtbot):
    view = CurvesView()
    qtbot.addWidget(view)
    e = np.arange(1000)
    view.append({"epoch": e, "data_loss": 1 / (1 + e), "val_loss": 0.5 + (e - 420) ** 2 / 1e6,
                 "acc": e / 1e3, "val_acc": e / 2e3})
    assert view.best_line.isVisible()
    assert view.best_line.label.toPlainText() == "best val. epoch 420"


@pytest.mark.parametrize("best", [50, 1550])
def test_the_best_epoch_label_stays_inside_the_plot(qtbot, best):
    view = CurvesView()
    qtbot.addWidget(view)
    view.resize(520, 600)
    view.show()
    qtbot.waitExposed(view)
    e = np.arange(1600)
    view.append({"epoch": e, "data_loss": 1 / (1 + e), "val_loss": 0.5 + (e - best) ** 2 / 1e7,
                 "acc": e / 2e3, "val_acc": e / 2e3})
    view.loss_plot.setXRange(0, 1600, padding=0)
    qtbot.wait(10)
    box = view.loss_plot.getViewBox().sceneBoundingRect()
    label = view.best_line.label.sceneBoundingRect()
    assert box.contains(label)
    assert not label.intersects(view.loss_plot.legend.sceneBoundingRect())


def test_small_losses_keep_their_own_units_on_the_axis(qtbot):
    """No SI prefix: losses of 0.001-0.7 are labelled as such, not as 1-700 "(x0.001)"."""
    from nnfs_gui.ui.views.curves_view import CurvesView

    view = CurvesView()
    qtbot.addWidget(view)
    axis = view.loss_plot.getAxis("left")
    axis.setRange(0.0, 0.0007)
    axis.updateAutoSIPrefix()
    assert axis.autoSIPrefixScale == 1.0
    assert "x0.001" not in axis.labelString()


def _feed(view, rows):
    """As a RunSession does: extend the run's History, then tell the view."""
    view.history.extend({**rows, "loss": rows["data_loss"], "reg_loss": 0 * rows["epoch"],
                         "lr": 0 * rows["epoch"] + 0.05})
    view.append(rows)


def test_a_reset_leaves_no_marks_no_old_range_and_no_read_out(qtbot):
    """Reset / a new run: the empty curves show none of the old run's spike marks, its
    epoch range or its numbers under the mouse."""
    view = CurvesView()
    qtbot.addWidget(view)
    view.resize(520, 600)
    view.reset(History())
    _feed(view, _spiky_rows())
    view.loss_plot.setXRange(0, 2000, padding=0)
    assert len(view.clip_marks.getData()[0]) >= 1
    view.readout.setText(view.readout_at(1500))
    assert view.readout.text().startswith("epoch 1,500:")   # thousands, as everywhere
    view.follow_box.setChecked(False)     # as after a zoom
    view.reset(History())
    marks, _ = view.clip_marks.getData()
    assert marks is None or len(marks) == 0
    (x0, x1), (y0, y1) = view.loss_plot.getViewBox().viewRange()
    assert x0 == pytest.approx(0) and x1 < 100 and (y0, y1) == pytest.approx((0, 1))
    assert view.readout.text().strip() == "" and view.follow_box.isChecked()
    # The new run's rows bring their own range.
    _feed(view, {k: v[:300] for k, v in _spiky_rows().items()})
    _, x1 = view.loss_plot.getViewBox().viewRange()[0]
    assert 300 <= x1 <= 400


def test_leaving_compare_gives_the_axes_back_to_a(qtbot):
    """B ran further (epoch 5,000) and higher (loss 3): once B's curves go, the epoch
    and loss axes fit A's curves again, and B's spike marks go with them."""
    view = _loss_view(qtbot)   # A: 2,000 epochs, loss up to ~1.1
    a_range = view.loss_plot.getViewBox().viewRange()
    view.show_b(True)
    e = np.arange(5000)
    b_rows = {"epoch": e, "val_loss": 3.0 + 0 * e, "val_acc": 0.5 + 0 * e}
    view.append_b(b_rows)
    (_, bx1), (_, by1) = view.loss_plot.getViewBox().viewRange()
    assert bx1 >= 5000 and by1 >= 3.0
    view.show_b(False)
    (_, x1), (_, y1) = view.loss_plot.getViewBox().viewRange()
    assert x1 == pytest.approx(a_range[0][1]) and y1 == pytest.approx(a_range[1][1])
    assert x1 < 5000 and y1 < 3.0


@pytest.mark.parametrize("width", [420, 700])
def test_the_loss_legend_stays_off_a_climbing_validation_loss(qtbot, width):
    """ch. 11's run: the validation loss falls, then climbs to the top right corner,
    where the legend used to sit (its text under the orange curve)."""
    view = CurvesView()
    qtbot.addWidget(view)
    view.resize(width, 600)
    view.show()
    qtbot.waitExposed(view)
    view.reset(History())
    e = np.arange(10_001)
    train = 0.1 + 1.0 * np.exp(-e / 300)
    # The validation loss of ch11-overfit as measured in the window (fixwindow report):
    # its minimum 0.568 at epoch 420, then up to 1.257 at epoch 10,000.
    val = np.interp(e, [0, 420, 1230, 3225, 5216, 7219, 9217, 10_000],
                    [1.10, 0.568, 0.651, 0.849, 0.969, 1.143, 1.222, 1.257])
    _feed(view, {"epoch": e, "data_loss": train, "val_loss": val, "acc": 1 - train / 2,
                 "val_acc": 0.8 + 0 * e})
    qtbot.wait(50)
    legend = view.loss_plot.legend.sceneBoundingRect()
    box = view.loss_plot.getViewBox()
    for y in (train, val):
        inside = [legend.contains(box.mapViewToScene(pg.Point(float(a), float(b))))
                  for a, b in zip(e[::50], y[::50], strict=True)]
        assert not any(inside)
    assert view.loss_plot.legend.opts["brush"].color().alpha() < 255   # see-through
