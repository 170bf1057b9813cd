"""The overfitting verdict in plain words, against the book's ~10% sign."""

import math

from nnfs_gui.ui.status import EpochRate, loss_gap_percent, verdict


def test_chapter_11_numbers_are_overfitting():
    # ch. 11: training loss 0.074, validation loss 0.921
    assert loss_gap_percent(0.074, 0.921) == (0.921 - 0.074) / 0.074 * 100
    text = verdict(0.074, 0.921)
    assert text.startswith("Overfitting") and "1145%" in text and "10%" in text


def test_small_gap_generalizes():
    assert verdict(0.50, 0.53).startswith("Generalizing") and "6%" in verdict(0.50, 0.53)
    assert "below" in verdict(0.5, 0.4)
    assert verdict(math.nan, 0.4) == "No verdict yet."


def test_epoch_rate_over_the_last_second():
    r = EpochRate()
    assert r.add(0, now=10.0) == 0
    assert r.add(500, now=10.5) == 1000
    assert r.add(1500, now=11.0) == 1500


def _status(qtbot):
    from PySide6.QtWidgets import QStatusBar

    from nnfs_gui.ui.status import TrainingStatus

    bar = QStatusBar()
    qtbot.addWidget(bar)
    return TrainingStatus(bar)


def test_a_stopped_run_says_paused_or_finished_not_zero_speed(qtbot):
    s = _status(qtbot)
    s.reset(100)
    assert s.speed.text() == "paused" and s.progress.value() == 0
    assert s.set_epoch(40, 100, playing=False)
    assert s.speed.text() == "paused" and s.epoch.text() == "epoch 40"
    assert s.set_epoch(41, 100, playing=True)
    assert s.speed.text().endswith("epochs/s")
    assert s.set_epoch(101, 100, playing=False, finished=True)   # epochs 0..100 done
    assert s.speed.text() == "finished"
    assert s.progress.value() == s.progress.maximum() == 101
    # The limit lowered live below the epoch reached: finished fills the bar too.
    assert s.set_epoch(60, 50, playing=False, finished=True)
    assert s.progress.value() == s.progress.maximum()
