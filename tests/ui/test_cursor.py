"""The epoch cursor in the real window: any epoch's regions from its checkpoint, for A
and B; keys; Go to best; Live; the pace limit."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnfs_gui.training.run.trainer import Trainer
from tests.ui.test_window import WAIT_MS, shown_window

EPOCHS = 300


@pytest.fixture
def window(qtbot):
    w = shown_window(qtbot)
    w.compare_action.trigger()
    qtbot.waitUntil(lambda: w.compare.session.frames_drawn > 0, timeout=WAIT_MS)
    w.toolbar.n_box.setValue(EPOCHS)
    w.toolbar.step_n.trigger()
    qtbot.waitUntil(lambda: all(s.epoch == EPOCHS and s.settled for s in w.sessions()),
                    timeout=WAIT_MS)
    w.activateWindow()
    yield w
    w.close()


def _shown(qtbot, w, epoch):
    """Wait until both decision views draw the EpochView of ``epoch``."""
    def drawn():
        return all(s.epoch_view is not None and s.epoch_view.asked == epoch
                   and view._probs is s.epoch_view.grid
                   for s, view in ((w.session, w.decision_view),
                                   (w.compare.session, w.compare.view)))
    qtbot.waitUntil(drawn, timeout=WAIT_MS)


def _grid_at(session, epoch, split=None):
    """The regions of ``session``'s run at ``epoch``, from a second Trainer trained to it."""
    t = Trainer(session.config, split=split)
    t.train(epoch)
    return t.grid_probabilities(session.grid_size)


def test_the_cursor_shows_the_regions_of_epoch_k_for_a_and_b(qtbot, window):
    w, k = window, 120
    w.cursor_bar.spin.setValue(k)
    _shown(qtbot, w, k)
    a, b = w.session, w.compare.session
    np.testing.assert_array_equal(w.decision_view._probs, _grid_at(a, k))
    np.testing.assert_array_equal(w.compare.view._probs, _grid_at(b, k, a.points.split()))
    live = a.latest_grid
    assert not np.array_equal(w.decision_view._probs, live)   # not the newest regions
    assert "showing epoch 120 (checkpoint), training at epoch 299" in w.cursor_bar.caption.text()
    assert w.epoch_cursor.lines.lines[0].isVisible() and w.epoch_cursor.lines.lines[0].value() == k
    assert w.compare.figures.text().startswith("epoch 120 · loss ")
    # mistakes are those of epoch k's weights
    t = Trainer(a.config)
    t.train(k)
    wrong = t.model.predict(t.x_val) != t.y_val
    assert w.decision_view.mistakes.data.shape[0] == int(wrong.sum())
    w.cursor_bar.live.click()
    assert w.epoch_cursor.live and w.decision_view._probs is live
    assert not w.epoch_cursor.lines.lines[0].isVisible()


def test_a_move_while_training_shows_that_checkpoint_and_live_brings_fresh_regions(
        qtbot, window):
    w, k = window, 120
    a, b = w.session, w.compare.session
    w.set_pace(200)   # slow enough that the run goes on through the whole test
    w.set_playing(True)
    qtbot.waitUntil(lambda: a.epoch > EPOCHS + 10, timeout=WAIT_MS)
    w.epoch_cursor.move_to(k)
    _shown(qtbot, w, k)
    away, at = a.latest_grid, a.epoch
    qtbot.waitUntil(lambda: a.epoch > at + 20, timeout=WAIT_MS)   # frames keep coming
    assert a.playing and w.epoch_cursor.epoch == k
    np.testing.assert_array_equal(w.decision_view._probs, _grid_at(a, k))
    np.testing.assert_array_equal(w.compare.view._probs, _grid_at(b, k, a.points.split()))
    assert a.latest_grid is away   # no live regions were made while nobody drew them
    w.cursor_bar.live.click()
    qtbot.waitUntil(lambda: a.latest_grid is not away and w.decision_view._probs is
                    a.latest_grid and w.compare.view._probs is b.latest_grid, timeout=WAIT_MS)
    assert w.epoch_cursor.live and a.epoch > at + 20
    w.set_playing(False)


def test_a_move_paints_a_draft_then_the_regions_at_full_resolution(qtbot, window):
    w = window
    image = w.decision_view.image
    image.last_rgb = None   # the next paint's
    w.epoch_cursor.move_to(50)
    _shown(qtbot, w, 50)
    qtbot.waitUntil(lambda: image.last_rgb is not None and image.draft, timeout=WAIT_MS)
    draft = image.last_rgb.shape
    qtbot.waitUntil(lambda: not image.draft and image.last_rgb.shape != draft,
                    timeout=WAIT_MS)
    full = image.last_rgb.shape
    assert abs(full[0] - 2 * draft[0]) <= 1 and abs(full[1] - 2 * draft[1]) <= 1
    assert w.decision_view._probs is w.session.epoch_view.grid   # the same epoch, sharp


def test_keys_step_the_cursor_and_b_goes_to_the_best_epoch(qtbot, window):
    w = window
    w.epoch_cursor.move_to(100)
    keys = ((Qt.Key.Key_Period, 101), (Qt.Key.Key_Comma, 100),
            (Qt.Key.Key_Greater, 100 + round(0.1 * (EPOCHS - 1))), (Qt.Key.Key_Less, 100))
    for key, expected in keys:
        qtbot.keyClick(w, key)
        assert w.epoch_cursor.epoch == expected, key
    _shown(qtbot, w, 100)
    qtbot.keyClick(w, Qt.Key.Key_B)
    val = w.session.history.column("val_loss")
    best = int(w.session.history.column("epoch")[int(np.argmin(val))])
    assert w.epoch_cursor.epoch == best
    assert w.cursor_bar.spin.value() == best
    _shown(qtbot, w, best)
    qtbot.keyClick(w, Qt.Key.Key_L)
    assert w.epoch_cursor.live


def test_replay_moves_the_cursor_through_the_run(qtbot, window):
    w = window
    w.cursor_bar.replay_pace.setValue(300)   # about a second for the run
    w.epoch_cursor.move_to(0)
    seen = []
    w.epoch_cursor.moved.connect(seen.append)
    w.cursor_bar.replay.click()
    qtbot.waitUntil(lambda: not w.cursor_bar.replay.isChecked(), timeout=WAIT_MS)
    assert seen[-1] == EPOCHS - 1 and len(seen) > 3 and seen == sorted(seen)


def test_pace_limits_training_to_that_many_epochs_a_second(qtbot):
    w = shown_window(qtbot)
    try:
        w.toolbar.pace.setCurrentIndex(w.toolbar.pace.findData(20))
        w.toolbar.pace.activated.emit(w.toolbar.pace.currentIndex())
        assert w.status.pace.text() == "pace 20 epochs/s"
        seen = []
        w.session.state_changed.connect(lambda: seen.append((w.session.epoch,
                                                             w.session.clock)))
        w.set_playing(True)
        qtbot.waitUntil(lambda: w.session.epoch >= 40, timeout=WAIT_MS)
        w.set_playing(False)
        (e0, t0), (e1, t1) = next(s for s in seen if s[0] > 0), seen[-1]
        # an upper bound on the process's own clock: a busy machine only slows it
        assert (e1 - e0) / (t1 - t0) <= 25
    finally:
        w.close()


def test_a_recording_from_the_timeline_is_in_sync_with_the_curves(qtbot, window,
                                                                   monkeypatch):
    """Record the run so far: each frame the regions of its epoch's checkpoint beside A's
    and B's curves up to that epoch; the window's cursor goes back to its epoch."""
    from nnfs_gui.ui.export.frames import Recording

    w, controller = window, window.export_controller
    seen = []   # per frame: its epoch, its regions, where A's and B's curves end
    real_add = Recording.add

    def add(self, view):
        real_add(self, view)
        curves = self.views.curves_view
        seen.append((self.epochs[-1], self.views.decision_view._probs,
                     int(curves.curves["val_loss"].xData[-1]),
                     int(curves.b_curves["val_loss"].xData[-1])))

    monkeypatch.setattr(Recording, "add", add)
    w.epoch_cursor.move_to(120)
    _shown(qtbot, w, 120)
    with qtbot.waitSignal(controller.recorded, timeout=WAIT_MS) as done:
        controller.record_run(60)
    assert done.args == [60]
    epochs = controller.recording.epochs
    assert epochs == sorted(set(epochs)) and epochs[0] == 0 and epochs[-1] == EPOCHS - 1
    assert [s[0] for s in seen] == epochs
    assert all(epoch == a_end == b_end for epoch, _, a_end, b_end in seen)   # curves up to k
    for j in (5, len(seen) // 2):
        epoch, probs, _, _ = seen[j]
        np.testing.assert_array_equal(probs, _grid_at(w.session, epoch))
    assert w.epoch_cursor.epoch == 120
    _shown(qtbot, w, 120)
    np.testing.assert_array_equal(w.decision_view._probs, _grid_at(w.session, 120))


def test_the_cursor_bar_does_not_move_when_the_caption_grows(qtbot, window):
    """Leaving live makes the caption two lines; the slider and buttons stay put, so a
    click aimed at Replay lands on Replay."""
    from PySide6.QtCore import QPoint

    w = window
    assert w.epoch_cursor.live
    qtbot.wait(50)
    before = w.cursor_bar.spin.mapTo(w, QPoint(0, 0)).y()
    w.epoch_cursor.move_to(100)
    _shown(qtbot, w, 100)
    qtbot.wait(50)
    assert w.cursor_bar.spin.mapTo(w, QPoint(0, 0)).y() == before
