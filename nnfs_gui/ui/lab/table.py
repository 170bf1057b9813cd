"""The sortable results table: one row per finished run."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem

from nnfs_gui.core.formatting import count
from nnfs_gui.training.lab.summary import x_label


def _loss(x: float) -> str:
    return f"{x:.4f}"


def _acc(x: float) -> str:
    return f"{x:.3f}"


def _whole(x: float) -> str:
    """Epochs and epochs/s with thousands separators (formatting.count): '8,663'."""
    return count(round(x))


# (header, RunResult attribute, format) after the varied values
COLUMNS = (
    ("seed", "seed", str), ("best epoch", "best_epoch", _whole),
    ("best val loss", "best_val_loss", _loss), ("final val loss", "final_val_loss", _loss),
    ("final val acc", "final_val_acc", _acc),
    ("final train loss", "final_train_loss", _loss),
    ("final train acc", "final_train_acc", _acc), ("verdict", "verdict", str),
    ("epochs/s", "epochs_per_s", _whole),
)
INDEX_ROLE = Qt.ItemDataRole.UserRole


class SortItem(QTableWidgetItem):
    """Sorts by the number behind the text (NaN last), text otherwise."""

    def __init__(self, text: str, key) -> None:
        super().__init__(text)
        self.key = key

    def __lt__(self, other) -> bool:
        a, b = self.key, getattr(other, "key", None)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return (math.isnan(a), a) < (math.isnan(b), b)
        return str(a) < str(b)


class ResultsTable(QTableWidget):
    def __init__(self, varied: list[str], parent=None) -> None:
        headers = [*varied, *(h for h, _, _ in COLUMNS)]
        super().__init__(0, len(headers), parent)
        self.varied = varied
        self.setHorizontalHeaderLabels(headers)
        # No sort column until the user picks one: rows stay in the sweep's order.
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()

    def add(self, result) -> None:
        self.setSortingEnabled(False)  # rows inserted while sorting land anywhere
        row = self._row_for(result.index)
        self.insertRow(row)
        cells = [(x_label(result.values[v]), _key(result.values[v])) for v in self.varied]
        for _, attr, fmt in COLUMNS:
            value = getattr(result, attr)
            cells.append((fmt(value) if _finite(value) else "–", value))
        for col, (text, key) in enumerate(cells):
            item = SortItem(text, key)
            item.setData(INDEX_ROLE, result.index)
            if col == len(cells) - 2:
                item.setToolTip(result.verdict_text)
            self.setItem(row, col, item)
        self.setSortingEnabled(True)

    def _row_for(self, index: int) -> int:
        """Unsorted, a run's row is its place in the sweep's order."""
        if self.horizontalHeader().sortIndicatorSection() >= 0:
            return self.rowCount()
        return sum(1 for r in range(self.rowCount()) if self.run_index(r) < index)

    def run_index(self, row: int) -> int:
        return int(self.item(row, 0).data(INDEX_ROLE))

    def selected_index(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        return self.run_index(rows[0].row()) if rows else None

    def select_index(self, index: int) -> None:
        for row in range(self.rowCount()):
            if self.run_index(row) == index:
                self.selectRow(row)
                return

    def indices_in_order(self) -> list[int]:
        return [self.run_index(r) for r in range(self.rowCount())]


def _key(value):
    return value if isinstance(value, (int, float)) else x_label(value)


def _finite(value) -> bool:
    return not isinstance(value, float) or math.isfinite(value)
