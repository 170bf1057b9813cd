"""Region colours: the class palette shaded by confidence, or flat in hard mode."""

import numpy as np

from nnfs_gui.ui import palette


def _probs(rows):
    return np.array(rows, dtype=np.float32).reshape(1, len(rows), -1)


def test_certain_cells_take_the_full_class_tint():
    rgb = palette.paint_regions(_probs([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))
    for c in range(3):
        assert tuple(rgb[0, c]) == palette.region_color(c, 1.0)
        # Visibly the class colour: the channel order of the palette colour survives.
        assert np.argmin(rgb[0, c]) == np.argmin(palette.class_color(c))


def test_uncertain_cells_are_paler_than_certain_ones():
    rgb = palette.paint_regions(_probs([[0.9, 0.05, 0.05], [0.4, 0.3, 0.3]])).astype(int)
    distance_from_white = (255 - rgb).sum(axis=-1)[0]
    assert distance_from_white[0] > 2 * distance_from_white[1]
    assert tuple(rgb[0, 1]) == palette.region_color(0, (0.4 - 1 / 3) / (1 - 1 / 3))


def test_hard_regions_ignore_confidence():
    rgb = palette.paint_regions(_probs([[0.9, 0.1, 0], [0.4, 0.35, 0.25]]), hard=True)
    assert tuple(rgb[0, 0]) == tuple(rgb[0, 1])


def test_winner_matches_argmax_on_random_grids():
    p = np.random.default_rng(3).random((40, 30, 5)).astype(np.float32)
    winner, best = palette._winner(p)
    np.testing.assert_array_equal(winner, p.argmax(-1))
    np.testing.assert_array_equal(best, p.max(-1))


def test_palette_has_eight_distinct_colours_and_cycles():
    assert len({tuple(c) for c in palette.CLASS_COLORS}) == 8
    assert palette.class_color(9) == palette.class_color(1)
