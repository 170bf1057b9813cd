"""The window's size and place are cut to the screen's available area."""

from PySide6.QtCore import QPoint, QRect, QSize

from nnfs_gui.ui.screen import fitted_pos, fitted_size

AREA = QRect(0, 24, 1366, 744)   # 1366x768 less a 24 px panel at the top
FRAME = QSize(16, 40)


def test_a_saved_size_larger_than_the_screen_is_cut_to_it():
    assert fitted_size(QSize(1800, 1000), AREA, FRAME) == QSize(1350, 704)
    assert fitted_size(QSize(900, 600), AREA, FRAME) == QSize(900, 600)   # fits: kept


def test_a_saved_position_is_moved_in_as_little_as_needed():
    outer = QSize(916, 640)
    assert fitted_pos(QPoint(100, 50), outer, AREA) == QPoint(100, 50)        # inside
    assert fitted_pos(QPoint(900, 500), outer, AREA) == QPoint(1366 - 916, 768 - 640)
    assert fitted_pos(QPoint(-3000, -50), outer, AREA) == QPoint(0, 24)        # gone screen
    # No saved position: centred in the available area.
    assert fitted_pos(None, outer, AREA) == QPoint((1366 - 916) // 2, 24 + (744 - 640) // 2)


def test_a_frame_larger_than_the_area_starts_at_its_top_left():
    assert fitted_pos(QPoint(500, 500), QSize(2000, 900), AREA) == QPoint(0, 24)
