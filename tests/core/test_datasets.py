"""The 2-D generators: layout, reproducibility, the book's formulas, clean shapes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnfs_gui.core import config
from nnfs_gui.core.data.datasets import DATASETS, make_dataset


def rng(seed=0):
    return np.random.default_rng(seed)


def test_registry_matches_config_choices():
    assert tuple(DATASETS) == config.DATASETS


@pytest.mark.parametrize("name", config.DATASETS)
@pytest.mark.parametrize("classes", [2, 3, 5, 8])
def test_layout_shapes_dtypes_and_labels_in_class_order(name, classes):
    x, y = make_dataset(name, 37, classes, 0.2, rng())
    assert x.shape == (37 * classes, 2) and x.dtype == np.float32
    assert y.shape == (37 * classes,) and y.dtype == np.int64
    # classes in order, `samples` each: 0,0,...,0,1,1,...
    assert np.array_equal(y, np.repeat(np.arange(classes), 37))
    assert np.isfinite(x).all()


@pytest.mark.parametrize("name", config.DATASETS)
def test_extremes_of_the_ranges_work(name):
    x, y = make_dataset(name, 5000, 8, 1.0, rng())
    assert x.shape == (40_000, 2) and np.bincount(y).tolist() == [5000] * 8
    x, y = make_dataset(name, 10, 2, 0.0, rng())
    assert x.shape == (20, 2) and np.isfinite(x).all()


@pytest.mark.parametrize("name", config.DATASETS)
@pytest.mark.parametrize("classes", [2, 3, 8])
def test_default_noise_stays_roughly_within_1_5(name, classes):
    x, _ = make_dataset(name, 500, classes, 0.2, rng(3))
    assert np.quantile(np.abs(x), 0.99) < 1.5
    assert np.abs(x).max() < 2.0


@pytest.mark.parametrize("name", config.DATASETS)
def test_same_seed_same_arrays_other_seed_other_arrays(name):
    a, ya = make_dataset(name, 50, 3, 0.2, rng(7))
    b, yb = make_dataset(name, 50, 3, 0.2, rng(7))
    c, _ = make_dataset(name, 50, 3, 0.2, rng(8))
    assert np.array_equal(a, b) and np.array_equal(ya, yb)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("classes", [2, 3, 4, 5])
def test_spiral_is_the_books_formula_for_a_known_draw(classes):
    samples, noise = 100, 0.2
    x, y = make_dataset("spiral", samples, classes, noise, rng(42))
    draw = rng(42)
    for c in range(classes):
        r = np.linspace(0.0, 1, samples)
        t = np.linspace(c * 4, (c + 1) * 4, samples) + draw.standard_normal(samples) * noise
        expected = np.c_[r * np.sin(t * 2.5), r * np.cos(t * 2.5)].astype(np.float32)
        assert np.array_equal(x[y == c], expected)


def arm_start_angles(classes: int) -> np.ndarray:
    """Angle of each clean arm's second point (x = r sin a, y = r cos a); arms are
    rotations of each other, so these differ as the arms' start angles do."""
    x, y = make_dataset("spiral", 50, classes, 0.0, rng())
    second = np.array([x[y == c][1] for c in range(classes)], dtype=np.float64)
    return np.arctan2(second[:, 0], second[:, 1])


@pytest.mark.parametrize("classes", range(2, 9))
def test_spiral_arms_start_apart_for_every_class_count(classes):
    a = arm_start_angles(classes)
    gap = np.abs(a[:, None] - a[None, :]) % (2 * np.pi)
    gap = np.minimum(gap, 2 * np.pi - gap)[~np.eye(classes, dtype=bool)]
    assert gap.min() >= 0.5, (classes, gap.min())
    if classes >= 6:  # evenly spaced: every arm has neighbours 2 pi / classes away
        assert gap.min() == pytest.approx(2 * np.pi / classes, abs=1e-5)


def test_spiral_noise_is_the_angle_noise_factor():
    # Radii do not depend on noise; with noise 0 the arm is exactly r(sin 10r, cos 10r).
    x, y = make_dataset("spiral", 50, 2, 0.0, rng())
    r = np.linspace(0, 1, 50)
    arm0 = np.c_[r * np.sin(10 * r), r * np.cos(10 * r)]
    np.testing.assert_allclose(x[y == 0], arm0, atol=1e-6)
    noisy, _ = make_dataset("spiral", 50, 2, 0.7, rng())
    np.testing.assert_allclose(np.hypot(*noisy.T), np.tile(r, 2), atol=1e-6)


def test_vertical_is_the_books_formula_with_std_half_the_noise():
    x, y = make_dataset("vertical", 100, 3, 0.2, rng(5))
    draw = rng(5)
    for c in range(3):
        # book: c_[randn(samples) * .1 + c / 3, randn(samples) * .1 + 0.5]
        noise = draw.standard_normal((100, 2)) * 0.1
        expected = np.c_[noise[:, 0] + c / 3, noise[:, 1] + 0.5].astype(np.float32)
        np.testing.assert_allclose(x[y == c], expected, atol=1e-7)


def test_vertical_centres_shrink_for_many_classes():
    x, y = make_dataset("vertical", 10, 8, 0.0, rng())
    centres = [x[y == c, 0][0] for c in range(8)]
    np.testing.assert_allclose(centres, np.arange(8) * (4 / 3) / 7, atol=1e-6)
    assert np.all(x[:, 1] == 0.5)


@pytest.mark.parametrize("classes", [2, 3, 8])
def test_clean_circles_are_rings_of_radius_c_plus_1_over_classes(classes):
    x, y = make_dataset("circles", 200, classes, 0.0, rng())
    radius = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(radius, (y + 1) / classes, atol=1e-6)
    # angles run once around each ring, in order
    angle = np.mod(np.arctan2(x[y == 0, 1], x[y == 0, 0]), 2 * np.pi)
    assert np.all(np.diff(angle) >= -1e-6) and angle.max() - angle.min() > 6.0


def test_noisy_circles_scatter_with_the_noise_times_the_gap():
    x, y = make_dataset("circles", 5000, 4, 0.2, rng(1))
    spread = np.hypot(x[:, 0], x[:, 1]) - (y + 1) / 4
    assert np.std(spread) == pytest.approx(0.2 * 0.25, rel=0.1)


def test_clean_xor_two_classes_is_the_quadrant_rule():
    x, y = make_dataset("xor", 500, 2, 0.0, rng())
    assert np.array_equal(y, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64))
    assert np.abs(x).max() <= 1.0
    # all four quadrants are used
    quadrants = {(bool(a), bool(b)) for a, b in zip(x[:, 0] > 0, x[:, 1] > 0, strict=True)}
    assert len(quadrants) == 4


@pytest.mark.parametrize("classes", [3, 5, 8])
def test_clean_checkerboard_class_is_row_plus_column_mod_classes(classes):
    x, y = make_dataset("xor", 300, classes, 0.0, rng())
    width = 2.0 / classes
    col = np.clip(np.floor((x[:, 0] + 1) / width), 0, classes - 1).astype(int)
    row = np.clip(np.floor((x[:, 1] + 1) / width), 0, classes - 1).astype(int)
    assert np.array_equal(y, (row + col) % classes)
    # each class fills all of its cells
    for c in range(classes):
        assert len(set(zip(row[y == c], col[y == c], strict=True))) == classes


@pytest.mark.parametrize("classes", [2, 3, 8])
def test_clean_blobs_sit_at_centres_on_a_circle(classes):
    x, y = make_dataset("blobs", 20, classes, 0.0, rng())
    angle = np.pi / 2 + 2 * np.pi * y / classes
    np.testing.assert_allclose(x, 0.75 * np.c_[np.cos(angle), np.sin(angle)], atol=1e-6)


def test_blob_spread_is_the_noise_times_the_centre_gap():
    x, y = make_dataset("blobs", 5000, 6, 0.5, rng(2))
    gap = 2 * 0.75 * np.sin(np.pi / 6)  # 0.75
    centre = np.array([0.0, 0.75])
    assert np.std(x[y == 0] - centre) == pytest.approx(0.5 * gap, rel=0.05)


def test_clean_two_moons_are_the_familiar_pair_centred():
    x, y = make_dataset("moons", 400, 2, 0.0, rng())
    upper, lower = x[y == 0], x[y == 1]
    # half circles of radius 2.5/3 centred at (-0.5, -0.25) and (0.5, 0.25) before scaling
    s = 2.5 / 3
    np.testing.assert_allclose(np.hypot(*(upper / s - [-0.5, -0.25]).T), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(*(lower / s - [0.5, 0.25]).T), 1.0, atol=1e-6)
    assert np.all(upper[:, 1] >= -0.25 * s - 1e-6) and np.all(lower[:, 1] <= 0.25 * s + 1e-6)
    np.testing.assert_allclose([x[:, 0].min(), x[:, 0].max()], [-1.25, 1.25], atol=0.01)


def test_many_moons_alternate_and_fit_in_the_row():
    x, y = make_dataset("moons", 400, 5, 0.0, rng())
    scale = 2.5 / 6
    for c in range(5):
        centre = (np.array([c, 0.5 * (c % 2)]) - [2.0, 0.25]) * scale
        points = x[y == c]
        np.testing.assert_allclose(np.hypot(*(points - centre).T), scale, atol=1e-6)
        # even moons arch upward, odd ones downward, hooking into each other
        height = points[:, 1] - centre[1]
        assert np.all(height >= -1e-6) if c % 2 == 0 else np.all(height <= 1e-6)
    assert np.abs(x[:, 0]).max() <= 1.25 + 1e-6


@pytest.mark.parametrize("name", config.DATASETS)
def test_more_noise_scatters_more(name):
    def spread(noise):
        x, y = make_dataset(name, 400, 3, noise, rng(4))
        return np.mean([np.std(x[y == c], axis=0).sum() for c in range(3)])

    if name == "spiral":  # angle noise: arms smear, their points stay at the same radius
        assert spread(0.0) != spread(0.5)
    else:
        assert spread(0.0) < spread(0.3) < spread(1.0)


@pytest.mark.parametrize(("args", "word"), [
    (("moon", 10, 2, 0.1), "dataset"),
    (("spiral", 0, 2, 0.1), "samples"),
    (("spiral", 10, 1, 0.1), "classes"),
    (("spiral", 10, 2, 1.5), "noise"),
    (("spiral", 10.5, 2, 0.1), "samples"),
])
def test_bad_arguments_name_the_argument(args, word):
    with pytest.raises(ValueError, match=word):
        make_dataset(*args, rng())


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(config.DATASETS), samples=st.integers(10, 60),
       classes=st.integers(2, 8), noise=st.floats(0.0, 1.0), seed=st.integers(0, 2**31))
def test_any_valid_setting_gives_finite_balanced_data(name, samples, classes, noise, seed):
    x, y = make_dataset(name, samples, classes, noise, rng(seed))
    assert x.shape == (samples * classes, 2) and np.isfinite(x).all()
    assert np.bincount(y, minlength=classes).tolist() == [samples] * classes
    assert np.abs(x).max() < 6.0  # even at noise 1 nothing flies off


def test_moon_scatter_is_the_noise_times_the_moon_radius():
    x, y = make_dataset("moons", 5000, 2, 0.2, rng(6))
    radius = 2.5 / 3
    off_arc = np.hypot(*(x[y == 0] - np.array([-0.5, -0.25]) * radius).T) - radius
    assert np.std(off_arc) == pytest.approx(0.2 * radius, rel=0.1)
