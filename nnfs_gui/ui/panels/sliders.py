"""A slider with a live value label, linear or log-scaled, driven by a Config field spec."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

from nnfs_gui.core.formatting import count, number

STEPS = 1000           # slider positions of a float field
LOG_FLOOR_DECADES = 7  # a log slider whose range starts at 0 spans this many decades above 0


def format_value(value: float, is_int: bool) -> str:
    """A value label's text, as the status bar and every other text write it
    (formatting.py): '10,000', '0.05', '6.31e-4' (the slider's own values have 3
    significant digits, round_significant)."""
    return count(value) if is_int else number(value)


def round_significant(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant digits (log sliders give 0.0501187...)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


class SliderScale:
    """Maps a field's value range onto integer slider positions.

    Log scales reserve position 0 for the value 0 when the range starts at 0, and
    spread the other positions evenly over the decades above.
    """

    def __init__(self, lo: float, hi: float, log: bool, is_int: bool) -> None:
        self.lo, self.hi, self.log, self.is_int = float(lo), float(hi), log, is_int
        self.zero_slot = log and self.lo <= 0
        self.log_lo = hi * 10.0 ** -LOG_FLOOR_DECADES if self.zero_slot else self.lo
        self.steps = int(hi - lo) if is_int and not log else STEPS

    def to_position(self, value: float) -> int:
        if self.log:
            if self.zero_slot and value <= 0:
                return 0
            v = min(max(value, self.log_lo), self.hi)
            frac = math.log(v / self.log_lo) / math.log(self.hi / self.log_lo)
            first = 1 if self.zero_slot else 0
            return first + round(frac * (self.steps - first))
        return round((value - self.lo) / (self.hi - self.lo) * self.steps)

    def to_value(self, position: int) -> float:
        if self.log:
            if self.zero_slot and position == 0:
                return 0 if self.is_int else 0.0
            first = 1 if self.zero_slot else 0
            frac = (position - first) / (self.steps - first)
            value = self.log_lo * (self.hi / self.log_lo) ** frac
        else:
            value = self.lo + (self.hi - self.lo) * position / self.steps
        if self.is_int:
            return int(round(value))
        return min(max(round_significant(value), self.lo), self.hi)


class ValueSlider(QWidget):
    """Horizontal slider plus a label showing its value; emits value_changed(value).

    ``live``: emit while dragging (settings applied to the running model); otherwise
    emit only on release, since every change starts a new run.
    """

    value_changed = Signal(object)
    drag_started = Signal()
    drag_finished = Signal()

    def __init__(self, scale: SliderScale, live: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.scale = scale
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, scale.steps)
        self.slider.setTracking(live)
        self.label = QLabel()
        self.label.setMinimumWidth(64)
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.slider, 1)
        row.addWidget(self.label)
        self._value = scale.to_value(0)
        self.slider.sliderMoved.connect(self._show_position)
        self.slider.valueChanged.connect(self._on_value_changed)
        self.slider.sliderPressed.connect(self.drag_started)
        self.slider.sliderReleased.connect(self.drag_finished)

    def value(self) -> float:
        return self._value

    def set_value(self, value: float) -> None:
        """Show ``value`` (exactly, in the label) without emitting."""
        self._value = value
        blocked = self.slider.blockSignals(True)
        self.slider.setValue(self.scale.to_position(value))
        self.slider.blockSignals(blocked)
        self.label.setText(format_value(value, self.scale.is_int))

    def _show_position(self, position: int) -> None:
        self.label.setText(format_value(self.scale.to_value(position), self.scale.is_int))

    def _on_value_changed(self, position: int) -> None:
        self._value = self.scale.to_value(position)
        self.label.setText(format_value(self._value, self.scale.is_int))
        self.value_changed.emit(self._value)
