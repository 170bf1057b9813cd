"""The window's size and place on the screen: always inside its available area.

The screen's *available* geometry (QScreen.availableGeometry) is the desktop less
panels and docks. A window larger than it hides its status bar and the views'
x-axes off screen (at 1366x768 the old fixed 1400x860 did), so the default and
any saved size are cut to fit, and a saved position is moved until the whole
window, its frame included, is inside.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

DEFAULT_SIZE = QSize(1400, 860)   # on screens that have room for it
# Room for a window manager's frame before the window is shown (when Qt does not
# know the frame yet): a title bar of ~30 px and thin borders on common desktops.
FRAME_ALLOWANCE = QSize(16, 40)


# The offscreen platform (tests, headless figures) has one fixed 800x800 virtual
# screen that nobody sees: nothing can be off it, so windows keep their own size.
UNBOUNDED_PLATFORMS = ("offscreen", "minimal")
UNBOUNDED = QRect(0, 0, 100_000, 100_000)


def available_area(widget: QWidget, pos: QPoint | None = None) -> QRect:
    """The available geometry of the screen at ``pos`` (else the widget's screen)."""
    if QGuiApplication.platformName() in UNBOUNDED_PLATFORMS:
        return UNBOUNDED
    screen = QGuiApplication.screenAt(pos) if pos is not None else None
    screen = screen or widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fitted_size(wanted: QSize, area: QRect, frame: QSize) -> QSize:
    """``wanted`` cut so that it plus ``frame`` fits into ``area``."""
    return QSize(min(wanted.width(), area.width() - frame.width()),
                 min(wanted.height(), area.height() - frame.height()))


def fitted_pos(pos: QPoint | None, outer: QSize, area: QRect) -> QPoint:
    """Top-left of a frame of ``outer`` size inside ``area``: ``pos`` moved in as
    little as needed, or centred when there is no ``pos``."""
    if pos is None:
        if area == UNBOUNDED:
            return QPoint(0, 0)
        return QPoint(area.x() + (area.width() - outer.width()) // 2,
                      area.y() + (area.height() - outer.height()) // 2)
    x = min(max(pos.x(), area.left()), area.x() + area.width() - outer.width())
    y = min(max(pos.y(), area.top()), area.y() + area.height() - outer.height())
    return QPoint(max(x, area.left()), max(y, area.top()))


def frame_margins(window: QWidget) -> QSize:
    """The frame around the client area: known once shown, else an allowance."""
    frame, inner = window.frameGeometry(), window.geometry()
    if window.isVisible() and frame.size() != inner.size():
        return QSize(frame.width() - inner.width(), frame.height() - inner.height())
    return FRAME_ALLOWANCE


def fit_to_screen(window: QWidget, size: QSize | None = None,
                  pos: QPoint | None = None) -> None:
    """Resize and move ``window`` (size and position as saved, or None) into its
    screen's available area."""
    area = available_area(window, pos)
    frame = frame_margins(window)
    inner = fitted_size(size or DEFAULT_SIZE, area, frame)
    window.resize(inner.expandedTo(window.minimumSizeHint().boundedTo(inner)))
    outer = window.size() + frame
    window.move(fitted_pos(pos, outer, area))


def keep_on_screen(window: QWidget) -> None:
    """Once shown (the real frame known), move and shrink the window if any part of
    it, frame included, lies outside the available area."""
    area = available_area(window, window.frameGeometry().center())
    if area.contains(window.frameGeometry()):
        return
    fit_to_screen(window, window.size(), window.frameGeometry().topLeft())


def restore_geometry(window: QWidget, settings) -> None:
    """Size and position of the last session (plain values in QSettings ``settings``,
    or None; not Qt's geometry blob), fitted into the screen's available area: a size
    saved on a larger screen, or a position on a screen since removed, never puts
    the window's status bar or edges off screen."""
    size = pos = None
    if settings is not None:
        size, pos = settings.value("window/size"), settings.value("window/pos")
    fit_to_screen(window, size if isinstance(size, QSize) and size.isValid() else None,
                  pos if isinstance(pos, QPoint) else None)
