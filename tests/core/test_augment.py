"""Chapter 13 augmentation: originals first, copies rotated, reflected and jittered."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnfs_gui.core import config
from nnfs_gui.core.data.augment import FLIP_AXES, augment
from nnfs_gui.core.data.datasets import make_dataset


def rng(seed=0):
    return np.random.default_rng(seed)


X, Y = make_dataset("spiral", 40, 3, 0.2, rng(1))  # 120 points; the 3 arm starts are at (0, 0)
N = X.shape[0]


def copies_of(x_aug, copies):
    """(copies, n, 2): the transformed copies, original sample order inside each."""
    return x_aug[N:].reshape(copies, N, 2)


def test_registry_matches_config_choices():
    assert tuple(FLIP_AXES) == config.FLIPS


def test_counts_labels_and_originals_first():
    x_aug, y_aug = augment(X, Y, 3, 0.1, 45.0, "xy", rng())
    assert x_aug.shape == (4 * N, 2) and x_aug.dtype == np.float32
    assert y_aug.shape == (4 * N,) and y_aug.dtype == np.int64
    assert np.array_equal(x_aug[:N], X)
    assert np.array_equal(y_aug, np.tile(Y, 4))
    assert np.bincount(y_aug).tolist() == [160] * 3


def test_zero_copies_returns_the_inputs_unchanged():
    x_aug, y_aug = augment(X, Y, 0, 0.3, 90.0, "xy", rng())
    assert x_aug is X and y_aug is Y


def test_no_transformation_gives_exact_copies():
    x_aug, _ = augment(X, Y, 2, 0.0, 0.0, "none", rng())
    assert np.array_equal(copies_of(x_aug, 2), np.stack([X, X]))


def test_rotation_preserves_radius_and_stays_within_the_angle_limit():
    x_aug, _ = augment(X, Y, 5, 0.0, 30.0, "none", rng(2))
    moved = copies_of(x_aug, 5)
    np.testing.assert_allclose(np.hypot(*moved.T).T, np.hypot(*np.stack([X] * 5).T).T,
                               atol=1e-6)
    # angle turned, per point with radius > 0.1 (tiny radii have unstable angles)
    far = np.hypot(*X.T) > 0.1
    turn = np.angle(np.exp(1j * (np.arctan2(moved[..., 1], moved[..., 0])
                                 - np.arctan2(X[:, 1], X[:, 0]))))[:, far]
    assert np.abs(turn).max() <= np.deg2rad(30) + 1e-5
    assert np.abs(turn).max() > np.deg2rad(25)  # uses most of the range
    assert (turn > 0).mean() == pytest.approx(0.5, abs=0.1)  # both directions


@pytest.mark.parametrize(("flip", "variants"), [
    ("x", [(1, 1), (1, -1)]),
    ("y", [(1, 1), (-1, 1)]),
    ("xy", [(1, 1), (1, -1), (-1, 1), (-1, -1)]),
])
def test_reflections_give_the_named_mirror_images_about_half_the_time(flip, variants):
    x_aug, _ = augment(X, Y, 4, 0.0, 0.0, flip, rng(3))
    moved = copies_of(x_aug, 4)
    found = []
    for sign in variants:
        found.append(np.all(moved == X * np.array(sign, dtype=np.float32), axis=2))
    found = np.stack(found)  # (variants, copies, n)
    assert found.any(axis=0).all()  # every copy is one of the allowed mirror images
    shares = found.mean(axis=(1, 2))
    np.testing.assert_allclose(shares, 1 / len(variants), atol=0.08)


def test_x_reflection_mirrors_y_across_the_x_axis():
    point = np.array([[0.3, 0.8]], dtype=np.float32)
    x_aug, _ = augment(point, np.array([0]), 40, 0.0, 0.0, "x", rng())
    mirrored = np.array([[0.3, -0.8]], dtype=np.float32)
    assert {tuple(p) for p in x_aug[1:].tolist()} == {tuple(point[0].tolist()),
                                                      tuple(mirrored[0].tolist())}


def test_jitter_has_the_requested_standard_deviation():
    x_aug, _ = augment(X, Y, 10, 0.15, 0.0, "none", rng(4))
    noise = copies_of(x_aug, 10) - X
    assert np.std(noise) == pytest.approx(0.15, rel=0.05)
    assert np.abs(np.mean(noise)) < 0.01


def test_same_seed_same_copies_other_seed_other_copies():
    a, _ = augment(X, Y, 2, 0.1, 20.0, "xy", rng(5))
    b, _ = augment(X, Y, 2, 0.1, 20.0, "xy", rng(5))
    c, _ = augment(X, Y, 2, 0.1, 20.0, "xy", rng(6))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize(("args", "word"), [
    ((-1, 0.0, 0.0, "none"), "copies"),
    ((1.5, 0.0, 0.0, "none"), "copies"),
    ((1, -0.1, 0.0, "none"), "jitter"),
    ((1, 0.0, 200.0, "none"), "rotation"),
    ((1, 0.0, 0.0, "z"), "flip"),
])
def test_bad_arguments_name_the_setting(args, word):
    with pytest.raises(ValueError, match=word):
        augment(X, Y, *args, rng())


@settings(max_examples=25, deadline=None)
@given(copies=st.integers(1, 4), rotation=st.floats(0, 180),
       flip=st.sampled_from(config.FLIPS), seed=st.integers(0, 1000))
def test_rotation_and_reflection_never_change_a_points_radius(copies, rotation, flip, seed):
    x_aug, y_aug = augment(X, Y, copies, 0.0, rotation, flip, rng(seed))
    assert x_aug.shape == ((copies + 1) * N, 2)
    radius = np.hypot(*copies_of(x_aug, copies).T).T
    np.testing.assert_allclose(radius, np.tile(np.hypot(*X.T), (copies, 1)), atol=1e-6)
