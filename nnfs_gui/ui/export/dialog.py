"""Dialogs of the export menu: what to export, and how long a recording is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from nnfs_gui.core.files.formats import (
    DEFAULT_WIDTH,
    FORMATS,
    VIEWS,
    ExportRequest,
    formats_of,
)
from nnfs_gui.ui.export.figures import BACKGROUNDS, MAX_WIDTH, MIN_WIDTH

DIALOG_KINDS = ("figure", "data")  # animations and models have their own menu entries
DEFAULT_FPS = 10.0
MAX_FPS = 50.0  # GIF stores frame durations in 1/100 s
DEFAULT_SECONDS = 20.0
MAX_SECONDS = 300.0


def default_name(kind: str, view: str, run_name: str) -> str:
    """``<run>-<view or stem><ext>``: what the format shows, in its file name."""
    fmt = FORMATS[kind]
    shows = fmt.stem or (view if view in fmt.views else fmt.views[0])
    return f"{run_name}-{shows}{fmt.extension}"


class ExportDialog(QDialog):
    """Format, view, width, background and file name of one export."""

    def __init__(self, folder: Path, run_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.setMinimumWidth(560)  # room for a full path
        self.folder, self.run_name = Path(folder), run_name
        self.kind_box = _combo({f.name: f.label for f in formats_of(*DIALOG_KINDS)})
        self.view_box = _combo(VIEWS)
        self.width_box = QSpinBox(minimum=MIN_WIDTH, maximum=MAX_WIDTH, value=DEFAULT_WIDTH,
                                  suffix=" px", singleStep=100)
        self.width_box.setToolTip("Width of the PNG; the height follows the view's shape.")
        self.background_box = _combo({k: k.capitalize() for k in BACKGROUNDS})
        self.path_edit = QLineEdit()
        self._build()
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self.view_box.currentIndexChanged.connect(self._suggest_name)
        self._kind_changed()

    def _build(self) -> None:
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form = QFormLayout(self)
        for label, widget in (("Format", self.kind_box), ("View", self.view_box),
                              ("Width", self.width_box), ("Background", self.background_box)):
            form.addRow(label, widget)
        form.addRow("File", row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _kind_changed(self) -> None:
        fmt = FORMATS[self.kind_box.currentData()]
        choice_of_views = len(fmt.views) > 1
        self.view_box.setEnabled(choice_of_views)
        self.width_box.setEnabled(fmt.sized)
        self.background_box.setEnabled(choice_of_views)
        self._suggest_name()

    def _suggest_name(self) -> None:
        name = default_name(self.kind_box.currentData(), self.view_box.currentData(),
                            self.run_name)
        self.path_edit.setText(str(self.folder / name))

    def _browse(self) -> None:
        fmt = FORMATS[self.kind_box.currentData()]
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text(),
                                              fmt.file_filter)
        if path:
            self.path_edit.setText(path)

    def request(self) -> ExportRequest:
        fmt = FORMATS[self.kind_box.currentData()]
        path = Path(self.path_edit.text().strip()).expanduser()
        if path.suffix.lower() != fmt.extension:
            path = path.with_name(path.name + fmt.extension)
        view = self.view_box.currentData()
        view = view if view in fmt.views else (fmt.views or ("dashboard",))[0]
        return ExportRequest(fmt.name, path, view, self.width_box.value(),
                             self.background_box.currentData())


class RecordDialog(QDialog):
    """Frame rate, length and view of a recording: rate x length frames, spread evenly
    over the epochs recorded (frames.frame_epochs)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record the training")
        self.fps_box = QDoubleSpinBox(minimum=1, maximum=MAX_FPS, value=DEFAULT_FPS,
                                      decimals=0, suffix=" frames/s")
        self.seconds_box = QDoubleSpinBox(minimum=1, maximum=MAX_SECONDS,
                                          value=DEFAULT_SECONDS, decimals=0, suffix=" s")
        self.seconds_box.setToolTip("How long the animation plays: frame rate x length "
                                    "frames, evenly spread from the first epoch recorded "
                                    "to the last.")
        self.view_box = _combo(VIEWS)
        form = QFormLayout(self)
        form.addRow("Frame rate", self.fps_box)
        form.addRow("Length", self.seconds_box)
        form.addRow("View", self.view_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Record")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[float, float, str]:
        return self.fps_box.value(), self.seconds_box.value(), self.view_box.currentData()


def animation_filter() -> str:
    """File filters of the animation formats available here."""
    return ";;".join(f.file_filter for f in formats_of("animation"))


def _combo(items: dict[str, str]) -> QComboBox:
    box = QComboBox()
    for key, label in items.items():
        box.addItem(label, key)
    return box
