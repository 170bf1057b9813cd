"""Timeline: exact checkpoints under budget, bounded distance after thinning, copies."""

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.paths import presets_dir
from nnfs_gui.training.run.timeline import Timeline
from nnfs_gui.training.run.trainer import Trainer

CH11_SHAPES = [(2, 64), (1, 64), (64, 3), (1, 3)]  # 387 floats
ROW_BYTES = 387 * 4 + 8


def params_of(epoch: int) -> list[np.ndarray]:
    """Parameters whose every value encodes the epoch (exact in float32 below 2**24)."""
    return [np.full(shape, epoch, np.float32) + np.arange(np.prod(shape)).reshape(shape)
            for shape in CH11_SHAPES]


def epoch_in(params: list[np.ndarray]) -> int:
    return int(params[0][0, 0])


def filled(n_epochs: int, budget: int) -> Timeline:
    timeline = Timeline(budget_bytes=budget)
    for e in range(n_epochs):
        timeline.record(e, params_of(e))
    return timeline


def test_every_epoch_is_exact_while_under_budget():
    timeline = filled(500, budget=2_000 * ROW_BYTES)
    assert timeline.stride == 1
    np.testing.assert_array_equal(timeline.epochs(), np.arange(500))
    for e in (0, 1, 250, 499):
        found, params = timeline.nearest(e)
        assert found == e
        for got, want in zip(params, params_of(e), strict=True):
            np.testing.assert_array_equal(got, want)
            assert got.shape == want.shape and got.dtype == np.float32


def test_real_trainer_weights_come_back_exactly():
    config = Config.load(presets_dir() / "ch11-overfit.json")
    trainer = Trainer(config)
    timeline = Timeline()
    kept = {}
    for _ in range(30):
        kept[trainer.epoch] = trainer.model.get_params()
        timeline.record(trainer.epoch, trainer.model.params)
        trainer.train(1)
    found, params = timeline.nearest(17)
    assert found == 17
    for got, want in zip(params, kept[17], strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("n_epochs", [3_000, 20_000])
def test_after_thinning_memory_stays_in_budget_and_every_epoch_is_near(n_epochs):
    budget = 1_000 * ROW_BYTES   # ~1,000 rows: thinned several times
    timeline = filled(n_epochs, budget)
    assert timeline.stride > 1
    assert 0 < timeline.nbytes <= budget
    bound = timeline.max_distance()
    asked = np.arange(n_epochs)
    stored = timeline.epochs()
    assert np.all(np.diff(stored) > 0)
    # distance from every epoch to its nearest stored one, against the bound
    right = np.clip(np.searchsorted(stored, asked), 0, len(stored) - 1)
    left = np.clip(right - 1, 0, len(stored) - 1)
    distance = np.minimum(abs(stored[right] - asked), abs(stored[left] - asked))
    assert distance.max() <= bound
    for e in range(0, n_epochs, 97):  # and nearest() finds one that close, with its weights
        found, params = timeline.nearest(e)
        assert abs(found - e) <= bound and epoch_in(params) == found


def test_the_newest_epochs_stay_exact():
    timeline = filled(20_000, budget=1_000 * ROW_BYTES)
    assert timeline.stride > 1
    for e in range(19_900, 20_000):
        found, params = timeline.nearest(e)
        assert found == e and epoch_in(params) == e
    assert timeline.last()[0] == 19_999


def test_params_are_copies():
    timeline = Timeline(budget_bytes=100 * ROW_BYTES)
    params = params_of(7)
    timeline.record(7, params)
    params[0][:] = -1.0
    _, stored = timeline.nearest(7)
    assert epoch_in(stored) == 7
    with pytest.raises(ValueError):
        stored[0][0, 0] = 3.0  # read-only views


def test_nearest_outside_the_recorded_range_and_on_a_tie():
    timeline = Timeline(budget_bytes=100 * ROW_BYTES)
    for e in (10, 20):
        timeline.record(e, params_of(e))
    assert timeline.nearest(-5)[0] == 10
    assert timeline.nearest(1_000)[0] == 20
    assert timeline.nearest(15)[0] == 10  # a tie goes to the earlier checkpoint
    assert timeline.nearest(16)[0] == 20


def test_empty_clear_and_misuse():
    timeline = Timeline(budget_bytes=100 * ROW_BYTES)
    assert timeline.last() is None and len(timeline.epochs()) == 0 and timeline.nbytes == 0
    with pytest.raises(LookupError):
        timeline.nearest(0)
    timeline.record(5, params_of(5))
    with pytest.raises(ValueError, match="after epoch 5"):
        timeline.record(5, params_of(5))
    with pytest.raises(ValueError, match="parameter arrays"):
        timeline.record(6, params_of(6)[:2])
    timeline.clear()
    assert len(timeline) == 0 and timeline.nbytes == 0 and timeline.stride == 1
    timeline.record(0, [np.zeros(3)])  # new shapes after clear
    assert timeline.last()[1][0].shape == (3,)
    with pytest.raises(ValueError, match="fewer than 2 checkpoints"):
        Timeline(budget_bytes=100).record(0, params_of(0))
