"""Slider scales: linear, log, and log ranges that start at zero."""

import pytest

from nnfs_gui.core.config import spec
from nnfs_gui.core.formatting import number
from nnfs_gui.ui.panels.sliders import SliderScale, format_value, round_significant


def _scale(name, is_int=False):
    s = spec(name)
    return SliderScale(s.lo, s.hi, s.log, is_int)


def test_log_scale_reaches_both_ends_and_the_book_value():
    scale = _scale("learning_rate")
    assert scale.to_value(0) == pytest.approx(1e-5)
    assert scale.to_value(scale.steps) == pytest.approx(10.0)
    pos = scale.to_position(0.05)
    assert scale.to_value(pos) == pytest.approx(0.05, rel=0.01)


def test_log_scale_from_zero_keeps_zero_and_small_values():
    scale = _scale("l2_weight")
    assert scale.to_position(0.0) == 0 and scale.to_value(0) == 0.0
    assert scale.to_value(scale.to_position(5e-4)) == pytest.approx(5e-4, rel=0.02)
    assert scale.to_value(1) > 0


def test_integer_linear_scale_has_one_position_per_value():
    scale = _scale("classes", is_int=True)
    assert scale.steps == 6
    assert [scale.to_value(p) for p in range(7)] == [2, 3, 4, 5, 6, 7, 8]


def test_values_are_rounded_for_people():
    assert round_significant(0.050118723) == 0.0501
    assert format_value(10000, True) == "10,000"


@pytest.mark.parametrize("value", [5e-7, 6.31e-4, 0.05, 0.9, 0.999, 1e-7, 2.5, 0.0])
def test_a_value_label_reads_as_the_status_bar_writes_it(value):
    """One format: the panel's '6.31e-4' is the status bar's (formatting.number), not
    a zero-padded '6.31e-04' beside it."""
    assert format_value(value, False) == number(value)
    assert "e-0" not in format_value(value, False)
    assert format_value(6.31e-4, False) == "6.31e-4" and format_value(5e-7, False) == "5e-7"
