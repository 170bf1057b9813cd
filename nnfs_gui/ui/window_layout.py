"""The main window's widgets and menus, built once (as Qt Designer's setupUi would).

``main_window.py`` keeps what the window does; this file only says what is
where: menus, toolbar, the control panel on the left, A's decision view (and
B's pane while comparing) in the middle, the curves on the right.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QScrollArea, QSplitter, QVBoxLayout, QWidget

from nnfs_gui.core.files import presets
from nnfs_gui.ui.panels.controls import ControlPanel
from nnfs_gui.ui.panels.status import TrainingStatus
from nnfs_gui.ui.panels.toolbar import TrainingToolbar
from nnfs_gui.ui.views.cursor import CursorBar
from nnfs_gui.ui.views.curves_view import CurvesView
from nnfs_gui.ui.views.decision_view import DecisionView

BANNER_STYLE = "background:#fde2e1; color:#7a1b16; padding:6px; border:1px solid #e0a09c;"


def build_menus(w) -> None:
    """File, Presets, Export and View menus and the toolbar, on window ``w``."""
    bar = w.menuBar()
    w.file_menu = bar.addMenu("&File")
    w.presets_menu = bar.addMenu("&Presets")
    w.export_menu = bar.addMenu("&Export")
    save = QAction("Save current as preset…", w)
    # Ctrl+S is Save model (ui/export/); two actions on one key fire neither.
    save.setShortcut(QKeySequence("Ctrl+Shift+S"))
    save.setToolTip("Save the current settings as a preset of your own.")
    save.triggered.connect(w.save_preset_dialog)
    quit_ = QAction("Quit", w)
    quit_.setShortcut(QKeySequence.StandardKey.Quit)
    quit_.triggered.connect(w.close)
    w.file_menu.addAction(save)
    w.file_menu.addSeparator()
    w.file_menu.addAction(quit_)
    w.view_menu = bar.addMenu("&View")
    w.compare_action = QAction("Compare with model B", w)
    w.compare_action.setCheckable(True)
    w.compare_action.setShortcut(QKeySequence("C"))
    w.compare_action.setToolTip(
        "Train a second model beside this one, on the same points, and show both "
        "decision regions side by side (ch. 11, Fig 11.01): Play, Step and Reset drive "
        "both. (C)")
    w.view_menu.addAction(w.compare_action)
    w.toolbar = TrainingToolbar(w.export_menu, w)
    w.addToolBar(w.toolbar)
    w.toolbar.insertAction(w.toolbar.reset, w.compare_action)
    fill_presets(w)


def fill_presets(w) -> None:
    names = list(presets.scan_presets()[0])
    w.toolbar.set_presets(names, w.config.name)
    w.presets_menu.clear()
    for name in names:
        w.presets_menu.addAction(name, lambda n=name: w.load_preset(n))


def build_body(w) -> None:
    """Controls | banner over A's view (and B's pane) | curves; the status bar."""
    w.controls = ControlPanel(w.config)
    scroll = QScrollArea()
    scroll.setWidget(w.controls)
    scroll.setWidgetResizable(True)
    scroll.setMinimumWidth(330)
    w.decision_view = DecisionView()
    w.curves_view = CurvesView()
    w.cursor_bar = CursorBar()   # the epoch cursor's scrubber, under the curves
    w.banner = QLabel()
    w.banner.setStyleSheet(BANNER_STYLE)
    w.banner.setWordWrap(True)
    w.banner.hide()
    w.a_title = QLabel("<b>A</b>: the settings on the left; solid curves on the right")
    w.a_title.setWordWrap(True)   # no minimum width of its own (compare at 1366 px)
    w.a_figures = QLabel()    # A's figures in B's format, while comparing
    w.a_figures.setWordWrap(True)
    w.views_split = QSplitter(Qt.Orientation.Horizontal)
    w.views_split.addWidget(_column(w.a_title, w.decision_view, w.a_figures))
    w.a_title.hide()
    w.a_figures.hide()
    centre = _column(w.banner, w.views_split)
    split = QSplitter(Qt.Orientation.Horizontal)
    right = _column(w.curves_view, w.cursor_bar)
    for widget, stretch in ((scroll, 0), (centre, 3), (right, 2)):
        split.addWidget(widget)
        split.setStretchFactor(split.count() - 1, stretch)
    split.setSizes([340, 620, 440])
    w.setCentralWidget(split)
    w.status = TrainingStatus(w.statusBar())


def _column(*widgets: QWidget) -> QWidget:
    """Widgets stacked top to bottom, the largest (a view or splitter) stretching."""
    box_widget = QWidget()
    box = QVBoxLayout(box_widget)
    box.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        stretch = 1 if isinstance(widget, (QSplitter, DecisionView, CurvesView)) else 0
        box.addWidget(widget, stretch)
    return box_widget


def install_exports(w) -> None:
    """The Export menu's and File menu's export and model actions (ui/export/)."""
    try:
        from nnfs_gui.ui.export import install_export_actions
    except ImportError:
        placeholder = w.export_menu.addAction("Export is not available in this build")
        placeholder.setEnabled(False)
        return
    try:
        install_export_actions(w)
    except Exception as e:  # noqa: BLE001 - the window must open even if exports break
        w.export_menu.addAction(f"Export failed to load: {e}").setEnabled(False)
