"""A row of small controls that wraps onto a second line when its column is narrow.

A plain QHBoxLayout's minimum width is the sum of its widgets': the decision
view's toggle row (Training, Validation, Both, Hard regions) made each decision
pane at least ~330 px wide, so in compare mode (two panes) the window grew past
a 1366 px screen. Wrapping, the row needs only its widest widget's width and
costs a line of height only when the column is that narrow (Qt's flow layout
example, in brief).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem

SPACING = 6
RIGHT = "flow_right"   # a widget property: keep to the right end of its line


class FlowLayout(QLayout):
    """Widgets left to right, wrapping to a new line where the width runs out.
    ``right``: widgets added with ``add_right`` keep to the right end of a line
    that has room for them (the row looks like an HBox with a stretch)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = SPACING) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def add_right(self, widget: QWidget) -> None:
        widget.setProperty(RIGHT, True)
        self.addWidget(widget)

    # -- QLayout's interface --------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, i: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[i] if 0 <= i < len(self._items) else None

    def takeAt(self, i: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items.pop(i) if 0 <= i < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """All on one line."""
        hints = [item.sizeHint() for item in self._items]
        width = sum(h.width() for h in hints) + self._gap * max(0, len(hints) - 1)
        return QSize(width, max((h.height() for h in hints), default=0))

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        """The widest widget: everything else can go onto further lines."""
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # -- placing ------------------------------------------------------------------------
    def _lines(self, width: int) -> list[list[QLayoutItem]]:
        lines: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._items:
            if item.isEmpty():
                continue
            w = item.sizeHint().width()
            if lines[-1] and used + self._gap + w > width:
                lines.append([])
                used = 0
            used += (self._gap if lines[-1] else 0) + w
            lines[-1].append(item)
        return lines

    def _place(self, rect: QRect, move: bool) -> int:
        """Lay the items out in ``rect`` (only measure unless ``move``); the height used."""
        y = rect.y()
        for line in self._lines(rect.width()):
            height = max((i.sizeHint().height() for i in line), default=0)
            x, right_x = rect.x(), rect.x() + rect.width()
            for item in reversed([i for i in line if self._is_right(i)]):
                right_x -= item.sizeHint().width()
                if move:
                    item.setGeometry(QRect(QPoint(right_x, y), item.sizeHint()))
                right_x -= self._gap
            for item in (i for i in line if not self._is_right(i)):
                if move:
                    item.setGeometry(QRect(QPoint(x, y), item.sizeHint()))
                x += item.sizeHint().width() + self._gap
            y += height + self._gap
        return max(0, y - rect.y() - self._gap)

    def _is_right(self, item: QLayoutItem) -> bool:
        return isinstance(item, QWidgetItem) and bool(item.widget().property(RIGHT))
