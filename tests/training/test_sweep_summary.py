"""The validation curve's numbers: mean and spread over seeds, log axis, categories."""

from types import SimpleNamespace

import numpy as np

from nnfs_gui.training.lab.summary import format_seconds, summarize


def result(values, seed, train, val, best):
    return SimpleNamespace(values=values, seed=seed, final_train_loss=train,
                           final_val_loss=val, best_val_loss=best)


def test_mean_and_spread_over_seeds_on_a_log_axis_for_widths():
    runs = [result({"width": w}, s, 1.0 / w + s, 2.0, 1.5) for w in (4, 64, 512) for s in (0, 1)]
    summary = summarize(runs, ["width"])
    assert summary.log_x and summary.labels == ["4", "64", "512"]
    train = next(s for s in summary.series if s.metric == "final_train_loss")
    np.testing.assert_allclose(train.mean, [0.25 + 0.5, 1 / 64 + 0.5, 1 / 512 + 0.5])
    np.testing.assert_allclose(train.hi - train.lo, [1, 1, 1])


def test_layer_lists_sit_at_positions_and_a_second_field_makes_groups():
    runs = [result({"hidden": h, "l2_weight": l2}, 0, 0.1, 0.2, float("nan") if l2 else 0.15)
            for h in ((16,), (64, 64)) for l2 in (0.0, 1e-3)]
    summary = summarize(runs, ["hidden", "l2_weight"])
    assert not summary.log_x and summary.labels == ["16", "64-64"]
    np.testing.assert_array_equal(summary.positions, [0, 1])
    groups = {(s.metric, s.group) for s in summary.series}
    assert ("final_val_loss", "l2_weight = 0.001") in groups
    assert ("best_val_loss", "l2_weight = 0.001") not in groups  # no finite value


def test_log_axis_from_a_decade_on_as_the_learning_curves_samples():
    runs = [result({"samples": n}, 0, 0.1, 0.2, 0.2) for n in (25, 50, 100, 200, 400, 800)]
    assert summarize(runs, ["samples"]).log_x  # 32x: 25 and 50 apart, not "2550"
    narrow = [result({"samples": n}, 0, 0.1, 0.2, 0.2) for n in (100, 200, 400)]
    assert not summarize(narrow, ["samples"]).log_x  # 4x: linear


def test_time_left_reads_plainly():
    assert [format_seconds(s) for s in (4.4, 185, 3720)] == ["4 s", "3 min 05 s",
                                                           "1 h 02 min"]
