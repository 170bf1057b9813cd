"""Validation strategies: fresh sample, stratified holdout, block of each class's end."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnfs_gui.core import config
from nnfs_gui.core.config import Config
from nnfs_gui.core.data.datasets import make_dataset
from nnfs_gui.core.data.splits import SPLITS, DataSplit, held_out_per_class, make_split


def rng(seed=0):
    return np.random.default_rng(seed)


def rows(x, y):
    """The (x0, x1, label) rows of a data set as a sorted list, for set comparisons."""
    return sorted(zip(x[:, 0].tolist(), x[:, 1].tolist(), y.tolist(), strict=True))


def test_registry_matches_config_choices():
    assert tuple(SPLITS) == config.VALIDATIONS


@pytest.mark.parametrize("strategy", config.VALIDATIONS)
def test_arrays_are_read_only_copies_with_the_contract_dtypes(strategy):
    split = make_split(Config(validation=strategy), rng())
    assert isinstance(split, DataSplit) and split.strategy == strategy
    for a in (split.x_train, split.x_val):
        assert a.dtype == np.float32 and a.ndim == 2 and a.shape[1] == 2
    for a in (split.y_train, split.y_val):
        assert a.dtype == np.int64 and a.ndim == 1
    for a in (split.x_train, split.y_train, split.x_val, split.y_val):
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a[0] = 0
    with pytest.raises(AttributeError):
        split.strategy = "other"


@pytest.mark.parametrize("strategy", config.VALIDATIONS)
def test_same_seed_same_split(strategy):
    cfg = Config(validation=strategy, dataset="moons")
    a, b = make_split(cfg, rng(3)), make_split(cfg, rng(3))
    c = make_split(cfg, rng(4))
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.x_val, b.x_val)
    assert not np.array_equal(a.x_val, c.x_val)


def test_fresh_is_a_second_sample_of_the_same_generator_and_size():
    cfg = Config(dataset="spiral", samples=100, classes=3, validation="fresh")
    split = make_split(cfg, rng(11))
    draw = rng(11)
    x_first, y_first = make_dataset("spiral", 100, 3, 0.2, draw)
    x_second, y_second = make_dataset("spiral", 100, 3, 0.2, draw)
    assert np.array_equal(split.x_train, x_first) and np.array_equal(split.y_train, y_first)
    assert np.array_equal(split.x_val, x_second) and np.array_equal(split.y_val, y_second)
    assert split.x_val.shape == split.x_train.shape == (300, 2)
    assert not np.array_equal(split.x_train, split.x_val)


def test_holdout_is_stratified_with_exact_counts_and_disjoint():
    cfg = Config(dataset="blobs", samples=100, classes=4, validation="holdout",
                 val_fraction=0.2)
    split = make_split(cfg, rng(5))
    assert np.bincount(split.y_val).tolist() == [20] * 4
    assert np.bincount(split.y_train).tolist() == [80] * 4
    # together they are exactly the generated data: nothing lost, nothing shared
    x_all, y_all = make_dataset("blobs", 100, 4, 0.2, rng(5))
    together = rows(np.r_[split.x_train, split.x_val], np.r_[split.y_train, split.y_val])
    assert together == rows(x_all, y_all)
    assert not set(rows(split.x_train, split.y_train)) & set(rows(split.x_val, split.y_val))


def test_holdout_picks_at_random_not_a_block():
    cfg = Config(dataset="spiral", samples=200, classes=2, validation="holdout",
                 val_fraction=0.25)
    split = make_split(cfg, rng(1))
    radius = np.hypot(*split.x_val[split.y_val == 0].T)
    # random picks spread along the arm: both inner and outer halves are represented
    assert (radius < 0.5).sum() > 10 and (radius > 0.5).sum() > 10


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_block_takes_the_outer_ends_of_the_spiral_arms(classes):
    cfg = Config(dataset="spiral", samples=100, classes=classes, validation="block",
                 val_fraction=0.2)
    split = make_split(cfg, rng(2))
    for c in range(classes):
        r_train = np.hypot(*split.x_train[split.y_train == c].T)
        r_val = np.hypot(*split.x_val[split.y_val == c].T)
        assert r_val.size == 20 and r_train.size == 80
        assert r_val.min() > r_train.max()
        # the outer 20 of linspace(0, 1, 100): radii 80/99 .. 1
        np.testing.assert_allclose(r_val, np.linspace(0, 1, 100)[80:], atol=1e-6)


def test_block_is_the_last_points_of_each_class_in_generation_order():
    cfg = Config(dataset="circles", samples=50, classes=3, validation="block",
                 val_fraction=0.1)
    split = make_split(cfg, rng(9))
    x_all, y_all = make_dataset("circles", 50, 3, 0.2, rng(9))
    for c in range(3):
        points = x_all[y_all == c]
        assert np.array_equal(split.x_val[split.y_val == c], points[45:])
        assert np.array_equal(split.x_train[split.y_train == c], points[:45])


@pytest.mark.parametrize(("samples", "fraction", "expected"), [
    (100, 0.2, 20), (10, 0.05, 1), (10, 0.5, 5), (15, 0.1, 2), (33, 0.33, 11),
    (5000, 0.5, 2500),
])
def test_held_out_count_rounds_half_up_and_keeps_both_sides(samples, fraction, expected):
    assert held_out_per_class(samples, fraction) == expected


@settings(max_examples=20, deadline=None)
@given(strategy=st.sampled_from(["holdout", "block"]), samples=st.integers(10, 80),
       classes=st.integers(2, 8), fraction=st.floats(0.05, 0.5),
       dataset=st.sampled_from(config.DATASETS), seed=st.integers(0, 1000))
def test_any_holdout_or_block_split_is_stratified(strategy, samples, classes, fraction,
                                                  dataset, seed):
    cfg = Config(dataset=dataset, samples=samples, classes=classes, validation=strategy,
                 val_fraction=fraction)
    split = make_split(cfg, rng(seed))
    n_val = held_out_per_class(samples, fraction)
    assert 1 <= n_val < samples
    assert np.bincount(split.y_val, minlength=classes).tolist() == [n_val] * classes
    assert np.bincount(split.y_train, minlength=classes).tolist() == [samples - n_val] * classes
