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
