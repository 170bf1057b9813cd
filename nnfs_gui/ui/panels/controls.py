"""Control groups generated from the Config field specs: one table drives every widget.

Each field becomes a combo box (choices), a check box (bool), a spin box (wide
integer ranges such as the seed) or a slider with a live value label (everything
else, log-scaled where the spec says so). The hidden-layer sizes get their own
small editor. The panel is synced from a Config with signals blocked, and emits
the edited Config; the window decides whether it applies live or restarts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnfs_gui.core.config import MAX_HIDDEN_LAYERS, MAX_NEURONS, Config, ConfigError, spec
from nnfs_gui.ui.panels.sliders import SliderScale, ValueSlider

GROUPS = ("Data", "Preprocessing", "Network", "Optimizer", "Regularization")
NOT_CONTROLS = ("name",)
SPINBOX_SPAN = 1000   # integer ranges wider than this (and not log) get a spin box

# The optimizer's own hyperparameters: others are hidden (ch. 10).
OPTIMIZER_PARAMS = {
    "sgd": ("momentum",),
    "adagrad": ("epsilon",),
    "rmsprop": ("rho", "epsilon"),
    "adam": ("beta1", "beta2", "epsilon"),
}
# Fields shown only when they matter for the current config.
SHOWN_WHEN: dict[str, Callable[[Config], bool]] = {
    **{p: (lambda c, p=p: p in OPTIMIZER_PARAMS[c.optimizer])
       for p in ("momentum", "rho", "beta1", "beta2", "epsilon")},
    "val_fraction": lambda c: c.validation != "fresh",
    "augment_jitter": lambda c: c.augment_copies > 0,
    "augment_rotation": lambda c: c.augment_copies > 0,
    "augment_flip": lambda c: c.augment_copies > 0,
    "shuffle": lambda c: c.batch_size > 0,
}


def field_kind(name: str) -> str:
    """'bool', 'str', 'int', 'float' or 'tuple' for a Config field."""
    f = next(f for f in dataclasses.fields(Config) if f.name == name)
    kind = f.type if isinstance(f.type, str) else f.type.__name__
    return "tuple" if kind.startswith("tuple") else kind


def tooltip(name: str) -> str:
    s = spec(name)
    how = "applies at once" if s.live else "starts a new run"
    return f"{s.tooltip}\n({how})"


class HiddenLayersEditor(QWidget):
    """Number of hidden layers (1-4) and the neurons in each (1-512)."""

    value_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.count = QSpinBox()
        self.count.setRange(1, MAX_HIDDEN_LAYERS)
        self.count.setToolTip("Number of hidden layers.")
        self.sizes = [QSpinBox() for _ in range(MAX_HIDDEN_LAYERS)]
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.count)
        row.addWidget(QLabel("×"))
        for i, box in enumerate(self.sizes):
            box.setRange(1, MAX_NEURONS)
            box.setToolTip(f"Neurons in hidden layer {i + 1}.")
            box.setKeyboardTracking(False)   # typing "128" is one change, not three runs
            box.editingFinished.connect(self._emit)
            row.addWidget(box)
        row.addStretch(1)
        self.count.valueChanged.connect(self._on_count)

    def value(self) -> tuple[int, ...]:
        return tuple(b.value() for b in self.sizes[:self.count.value()])

    def set_value(self, hidden: tuple[int, ...]) -> None:
        for w in (self.count, *self.sizes):
            w.blockSignals(True)
        self.count.setValue(len(hidden))
        # Layers beyond the config's start as copies of its last one when switched on.
        padded = tuple(hidden) + (hidden[-1],) * (MAX_HIDDEN_LAYERS - len(hidden))
        for box, n in zip(self.sizes, padded, strict=True):
            box.setValue(n)
        for w in (self.count, *self.sizes):
            w.blockSignals(False)
        self._show_count()

    def _on_count(self) -> None:
        self._show_count()
        self._emit()

    def _show_count(self) -> None:
        for i, box in enumerate(self.sizes):
            box.setVisible(i < self.count.value())

    def _emit(self) -> None:
        self.value_changed.emit(self.value())


class FieldControl:
    """One field's widget behind a common get/set/changed interface."""

    def __init__(self, name: str, widget: QWidget, get: Callable, put: Callable,
                 changed) -> None:
        self.name, self.widget, self.get, self.put, self.changed = name, widget, get, put, changed

    def set_value(self, value) -> None:
        blocked = self.widget.blockSignals(True)
        self.put(value)
        self.widget.blockSignals(blocked)


def _combo(name: str) -> FieldControl:
    w = QComboBox()
    w.addItems(list(spec(name).choices))
    return FieldControl(name, w, w.currentText, w.setCurrentText, w.currentTextChanged)


def _check(name: str) -> FieldControl:
    w = QCheckBox()
    return FieldControl(name, w, w.isChecked, w.setChecked, w.toggled)


def _spin(name: str) -> FieldControl:
    s, w = spec(name), QSpinBox()
    w.setRange(int(s.lo), int(min(s.hi, 2**31 - 1)))
    w.setKeyboardTracking(False)
    w.setGroupSeparatorShown(True)
    return FieldControl(name, w, w.value, w.setValue, w.valueChanged)


def _slider(name: str) -> FieldControl:
    s, is_int = spec(name), field_kind(name) == "int"
    w = ValueSlider(SliderScale(s.lo, s.hi, s.log, is_int), live=s.live)
    return FieldControl(name, w, w.value, w.set_value, w.value_changed)


def _hidden(name: str) -> FieldControl:
    w = HiddenLayersEditor()
    return FieldControl(name, w, w.value, w.set_value, w.value_changed)


def make_control(name: str) -> FieldControl:
    """The widget registry: which control a field gets, from its type and spec."""
    kind, s = field_kind(name), spec(name)
    if kind == "tuple":
        return _hidden(name)
    if s.choices is not None:
        return _combo(name)
    if kind == "bool":
        return _check(name)
    if kind == "int" and not s.log and s.hi - s.lo > SPINBOX_SPAN:
        return _spin(name)
    return _slider(name)


class ControlPanel(QWidget):
    """Data, Preprocessing, Network, Optimizer and Regularization groups.

    Signals: ``edited(Config, str)`` with the new config and the changed field;
    ``rejected(str)`` when a value does not make a valid Config; ``dragging(bool)``
    while the user holds a slider.
    """

    edited = Signal(object, str)
    rejected = Signal(str)
    dragging = Signal(bool)

    def __init__(self, config: Config, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.controls: dict[str, FieldControl] = {}
        self._rows: dict[str, tuple[QFormLayout, QWidget]] = {}
        box = QVBoxLayout(self)
        for group in GROUPS:
            box.addWidget(self._build_group(group))
        box.addStretch(1)
        self.set_config(config)

    def _build_group(self, group: str) -> QGroupBox:
        gbox = QGroupBox(group)
        form = QFormLayout(gbox)
        for f in dataclasses.fields(Config):
            if f.name in NOT_CONTROLS or spec(f.name).group != group:
                continue
            control = make_control(f.name)
            control.widget.setToolTip(tooltip(f.name))
            label = QLabel(spec(f.name).label)
            label.setToolTip(tooltip(f.name))
            form.addRow(label, control.widget)
            self._rows[f.name] = (form, control.widget)
            control.changed.connect(lambda _v, n=f.name: self._on_changed(n))
            if isinstance(control.widget, ValueSlider):
                control.widget.drag_started.connect(lambda: self.dragging.emit(True))
                control.widget.drag_finished.connect(lambda: self.dragging.emit(False))
            self.controls[f.name] = control
        return gbox

    def set_config(self, config: Config) -> None:
        """Show ``config`` in every control, emitting nothing."""
        self.config = config
        for name, control in self.controls.items():
            control.set_value(getattr(config, name))
        self._update_visibility()

    def set_value(self, name: str, value) -> None:
        """Set one control as the user would (emits ``edited``): for tests and scripts."""
        control = self.controls[name]
        control.put(value)
        if control.get() == getattr(self.config, name):
            return
        self._on_changed(name)

    def _on_changed(self, name: str) -> None:
        value = self.controls[name].get()
        try:
            new = self.config.replace(**{name: value})
        except ConfigError as e:
            self.controls[name].set_value(getattr(self.config, name))
            self.rejected.emit(str(e))
            return
        if new == self.config:
            return
        self.config = new
        self._update_visibility()
        self.edited.emit(new, name)

    def _update_visibility(self) -> None:
        for name, shown in SHOWN_WHEN.items():
            form, widget = self._rows[name]
            form.setRowVisible(widget, shown(self.config))
