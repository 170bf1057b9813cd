"""Numbers and settings as a user reads and types them; epochs as history.csv numbers them."""

import numpy as np
import pytest

from nnfs_gui.core.formatting import (
    count,
    epoch_text,
    hidden_text,
    last_epoch,
    number,
    setting_text,
    typed,
)
from nnfs_gui.training.run.verdict import (
    GENERALIZING,
    NOT_LEARNING,
    OVERFITTING,
    Verdict,
    short_verdict,
)


def test_counts_have_thousands_separators():
    assert count(1_000_000) == "1,000,000" and count(999) == "999" and count(0) == "0"


@pytest.mark.parametrize("value, text", [
    (float(np.float32(0.05)), "0.05"),       # float32 widened: 0.05000000074505806
    (float(np.float32(0.9)), "0.9"),
    (0.999, "0.999"),
    (5e-7, "5e-7"), (float(np.float32(5e-7)), "5e-7"), (1e-7, "1e-7"),
    (2.5e-4, "2.5e-4"),
    (2.0, "2"), (0.0, "0"), (-0.25, "-0.25"),
    (12345.0, "12,345"), (1e6, "1e6"),
])
def test_floats_read_as_typed(value, text):
    assert number(value) == text


def test_values_as_a_user_would_type_them():
    assert typed((8,)) == "8" and typed((8, 8)) == "8, 8"
    assert typed(1_000_000) == "1,000,000"
    assert typed(True) == "on" and typed(False) == "off"
    assert typed("adam") == "adam"
    assert typed(float(np.float32(0.05))) == "0.05"


def test_the_epoch_shown_is_the_last_history_row():
    # A finished run with limit 10,000 completed 10,001 epochs: rows 0..10,000.
    assert last_epoch(10_001) == 10_000 and epoch_text(10_001) == "epoch 10,000"
    assert last_epoch(1) == 0 and epoch_text(1) == "epoch 0"
    assert last_epoch(0) is None and epoch_text(0) == "no epochs yet"


def test_short_verdicts():
    assert short_verdict(Verdict(OVERFITTING, "...", since_epoch=1050)) == \
        "Overfitting since epoch 1,050"
    assert short_verdict(Verdict(GENERALIZING, "...")) == "Generalizing"
    assert short_verdict(Verdict(NOT_LEARNING, "...")) == "Not learning yet"


@pytest.mark.parametrize("sizes, text", [((16,), "1 x 16"), ((64, 64), "2 x 64"),
                                         ((8, 16), "2 layers: 8, 16"), ((512,), "1 x 512")])
def test_hidden_layers_read_as_the_panel_shows_them(sizes, text):
    """'Hidden layers = 16' read as sixteen layers; the panel shows layers x neurons."""
    assert hidden_text(sizes) == text
    assert setting_text("hidden", sizes) == text


def test_other_settings_read_as_typed():
    assert setting_text("learning_rate", 6.31e-4) == "6.31e-4" == typed(6.31e-4)
    assert setting_text("samples", 1000) == "1,000"
