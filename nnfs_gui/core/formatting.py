"""Numbers and settings as a user reads and types them: one place for every text.

Counts get thousands separators ("1,000,000"), floats lose the binary noise of
float32 ("0.05", not "0.05000000074505806"), small and large ones read in short
scientific notation ("5e-7"), tuples read as typed ("8, 8", not "(8,)").

Epochs follow one convention everywhere (window, captions, exports, CSV,
headless): the epoch shown is the number of the last history row, the book's
``epoch: N`` line. A finished run with limit 10,000 shows "epoch 10,000", the
CSV's last row; a run that has trained nothing yet shows "no epochs yet".
"""

from __future__ import annotations

import math

# Floats print with this many significant digits: float32 holds ~7, so more would
# show the noise of widening a float32 to a Python float.
SIGNIFICANT = 6
# Outside [SMALL, LARGE) a float is written in scientific notation ("5e-7").
SMALL, LARGE = 1e-3, 1e6
NO_EPOCHS = "no epochs yet"


def count(n: int) -> str:
    """A whole number with thousands separators: 1000000 -> '1,000,000'."""
    return f"{int(n):,}"


def number(x: float) -> str:
    """A float as a user would type it: 0.05, 0.9, 5e-7, 1e+6 -> '1e6', 2.0 -> '2'."""
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    if SMALL <= abs(x) < LARGE:
        text = f"{x:.{SIGNIFICANT}g}"
        whole, _, _ = text.partition(".")
        if "e" not in text and len(whole.lstrip("-")) > 3 and "." not in text:
            return f"{int(text):,}"
        return text
    mantissa, _, exponent = f"{x:.{SIGNIFICANT - 1}e}".partition("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def typed(value) -> str:
    """Any setting's value as typed: bools 'on'/'off', ints with separators, floats
    without noise, tuples of sizes '8, 8', strings as they are."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int):
        return count(value)
    if isinstance(value, float):
        return number(value)
    if isinstance(value, (tuple, list)):
        return ", ".join(typed(v) for v in value)
    return str(value)


def hidden_text(sizes) -> str:
    """Hidden layers as the panel shows them (layers x neurons): (16,) -> '1 x 16',
    (64, 64) -> '2 x 64'; layers of different widths '2 layers: 8, 16'. A bare '16'
    read as sixteen layers."""
    sizes = tuple(int(n) for n in sizes)
    if len(set(sizes)) <= 1:
        return f"{len(sizes)} x {count(sizes[0]) if sizes else 0}"
    return f"{len(sizes)} layers: {typed(sizes)}"


# Settings whose value reads better in their own words than as ``typed`` writes it.
SETTING_TEXTS = {"hidden": hidden_text}


def setting_text(field: str, value) -> str:
    """The value of Config field ``field`` as the status bar writes it: as typed, or in
    the panel's own terms (SETTING_TEXTS: 'Hidden layers = 1 x 16')."""
    return SETTING_TEXTS.get(field, typed)(value)


def last_epoch(epochs_done: int) -> int | None:
    """The number of the last history row of a run that has completed ``epochs_done``
    epochs (rows are numbered from 0; a continued run goes on from its saved count),
    or None before the first."""
    return epochs_done - 1 if epochs_done > 0 else None


def epoch_text(epochs_done: int) -> str:
    """'epoch 10,000' for a run whose last history row is epoch 10,000."""
    last = last_epoch(epochs_done)
    return NO_EPOCHS if last is None else f"epoch {count(last)}"
