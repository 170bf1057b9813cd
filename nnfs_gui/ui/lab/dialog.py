"""Tools > Sweep…: one or two settings to vary with their values, seeds, epochs,
patience and where to run (a Dask scheduler address, empty = local processes).

The spec is checked by training/sweep.py's parse_sweep, so the dialog and a
SWEEP.json file accept the same sweeps and name problems the same way.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from nnfs_gui.core.config import Config, spec
from nnfs_gui.training.lab.executors import CONNECT_TIMEOUT, ClusterError, check_scheduler_address
from nnfs_gui.training.lab.sweep import SweepError, SweepSpec, parse_sweep, varyable_fields

NONE = "(none)"
INT_NAMES = ("width", "depth")
EXAMPLES = {"width": "4, 16, 64, 256", "depth": "1, 2, 3", "hidden": "16, 64, 64-64",
            "l2_weight": "0, 1e-5, 5e-4, 1e-2", "samples": "25, 100, 400"}


def parse_values(name: str, text: str) -> list:
    """'4, 16, 64' as the field's type; hidden: '16, 64-64' -> [[16], [64, 64]]."""
    words = [w for w in text.replace(";", ",").split(",") if w.strip()]
    try:
        if name == "hidden":
            return [[int(p) for p in w.split("-")] for w in words]
        kind = int if name in INT_NAMES or _field_type(name) is int else float
        return [kind(w) for w in words]
    except ValueError:
        raise SweepError(f"{name}: values must be numbers separated by commas, "
                         f"got {text!r}") from None


def _field_type(name: str) -> type:
    f = {f.name: f for f in dataclasses.fields(Config)}[name]
    return int if f.type in ("int", int) else float


class SweepDialog(QDialog):
    """`sweep()` after exec(): the SweepSpec (base: the window's current settings).
    ``vary``: (field, values as typed) to fill the first row with (the learning curve's
    samples); ``title``: the dialog's, and the results window's."""

    def __init__(self, base: Config, parent: QWidget | None = None,
                 vary: tuple[str, str] | None = None, title: str = "Sweep") -> None:
        super().__init__(parent)
        self.title = title
        self.setWindowTitle(title)
        self.base = base
        self._sweep: SweepSpec | None = None
        form = QFormLayout(self)
        self.field1, self.values1 = self._vary_row(form, "Vary", with_none=False)
        self.field2, self.values2 = self._vary_row(form, "and", with_none=True)
        self.seeds = QLineEdit(f"{base.seed}, {base.seed + 1}")
        self.epochs = QSpinBox(maximum=int(spec("epochs").hi), minimum=1, value=base.epochs)
        self.patience = QSpinBox(maximum=10**6, minimum=0, specialValueText="off",
                                 value=base.patience)
        self.scheduler = QLineEdit(placeholderText="empty: local processes, one per core; "
                                                   "or tcp://HOST:8786")
        self.scheduler.setToolTip(f"A Dask scheduler (dask scheduler) with workers that "
                                  f"have nnfs-gui installed; tcp:// addresses only. The "
                                  f"window waits at most {CONNECT_TIMEOUT:g} s for it.")
        form.addRow("Seeds", self.seeds)
        form.addRow("Epochs", self.epochs)
        form.addRow("Patience (epochs)", self.patience)
        form.addRow("Dask scheduler", self.scheduler)
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #b00")
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Run sweep")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        field, values = vary or ("width", "")
        self.field1.setCurrentText(field)
        self.values1.setText(values)

    def _vary_row(self, form: QFormLayout, label: str, with_none: bool):
        field = QComboBox()
        field.addItems([NONE] * with_none + list(varyable_fields()))
        values = QLineEdit()
        field.currentTextChanged.connect(
            lambda name: values.setPlaceholderText(EXAMPLES.get(name, "values, comma-separated")))
        row = QHBoxLayout()
        row.addWidget(field)
        row.addWidget(values, 1)
        form.addRow(label, row)
        return field, values

    def spec_dict(self) -> dict:
        vary = {}
        for field, values in ((self.field1, self.values1), (self.field2, self.values2)):
            if field.currentText() != NONE:
                vary[field.currentText()] = parse_values(field.currentText(), values.text())
        seeds = [int(w) for w in self.seeds.text().replace(";", ",").split(",") if w.strip()]
        return {"base": self.base.to_dict(), "vary": vary, "seeds": seeds,
                "epochs": self.epochs.value(), "patience": self.patience.value() or None}

    def accept(self) -> None:
        address = self.scheduler_address()
        try:
            if address:
                check_scheduler_address(address)
        except ClusterError as e:
            self.error.setText(f"Dask {e}")
            return
        try:
            self._sweep = parse_sweep(self.spec_dict())
        except SweepError as e:
            self.error.setText(str(e))
            return
        except ValueError:
            self.error.setText(f"seeds: whole numbers separated by commas, "
                               f"got {self.seeds.text()!r}")
            return
        super().accept()

    def sweep(self) -> SweepSpec | None:
        return self._sweep

    def scheduler_address(self) -> str | None:
        return self.scheduler.text().strip() or None
