"""Peak decimation keeps every extreme and bounds the points drawn."""

import numpy as np

from nnfs_gui.ui.views.decimate import PeakDecimator


def test_small_series_pass_through_unchanged():
    d = PeakDecimator(max_blocks=100)
    d.append(np.arange(10), np.arange(10) ** 2)
    d.append(np.arange(10, 50), np.arange(10, 50) ** 2)
    x, y = d.display()
    np.testing.assert_array_equal(x, np.arange(50))
    np.testing.assert_array_equal(y, np.arange(50) ** 2)


def test_a_million_rows_draw_as_a_few_thousand_points_with_every_spike():
    rng = np.random.default_rng(0)
    d = PeakDecimator(max_blocks=1024)
    y_all = []
    for start in range(0, 1_000_000, 7919):   # uneven chunks, as frames bring them
        x = np.arange(start, min(start + 7919, 1_000_000))
        y = rng.normal(size=len(x))
        y_all.append(y)
        d.append(x, y)
    y_all = np.concatenate(y_all)
    x, y = d.display()
    assert len(x) <= 2 * 1024 + d.block
    assert np.all(np.diff(x) >= 0)
    assert y.max() == y_all.max() and y.min() == y_all.min()
    # each window of the original is represented by its extremes
    spike = int(np.argmax(y_all))
    near = np.abs(x - spike) <= d.block
    assert y[near].max() == y_all[spike]
