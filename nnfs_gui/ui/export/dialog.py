"""Dialogs of the export menu: what to export, how to record, progress while writing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QWidget,
)

from nnfs_gui.ui.export.figures import BACKGROUNDS, DEFAULT_WIDTH, MAX_WIDTH, MIN_WIDTH
from nnfs_gui.ui.export.io import ExportCancelled
from nnfs_gui.ui.export.recorder import DEFAULT_FPS, DEFAULT_SECONDS, MAX_FPS, animation_formats

VIEWS = {"dashboard": "Dashboard (regions and curves)", "decision": "Decision regions",
         "curves": "Loss and accuracy curves"}


@dataclass(frozen=True)
class ExportKind:
    """One entry of the format list: its label, file suffix and which options apply."""

    label: str
    suffix: str
    picture: bool = False  # a view is chosen; the run's config is written beside it
    sized: bool = False  # width and background apply


EXPORT_KINDS: dict[str, ExportKind] = {
    "png": ExportKind("PNG image", ".png", picture=True, sized=True),
    "svg": ExportKind("SVG vector image", ".svg", picture=True),
    "pdf": ExportKind("PDF page (dashboard)", ".pdf", picture=True),
    "history_csv": ExportKind("Training history (CSV)", ".csv"),
    "history_json": ExportKind("Training history (JSON)", ".json"),
    "dataset_csv": ExportKind("Data set: training and validation points (CSV)", ".csv"),
}


@dataclass(frozen=True)
class ExportRequest:
    kind: str
    path: Path
    view: str = "dashboard"
    width: int = DEFAULT_WIDTH
    background: str = "white"


def default_name(kind: str, view: str, run_name: str) -> str:
    k = EXPORT_KINDS[kind]
    stem = {"history_csv": "history", "history_json": "history",
            "dataset_csv": "dataset"}.get(kind, "dashboard" if kind == "pdf" else view)
    return f"{run_name}-{stem}{k.suffix}"


class ExportDialog(QDialog):
    """Format, view, width, background and file name of one export."""

    def __init__(self, folder: Path, run_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.setMinimumWidth(560)  # room for a full path
        self.folder, self.run_name = Path(folder), run_name
        self.kind_box = _combo({k: v.label for k, v in EXPORT_KINDS.items()})
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
        kind = EXPORT_KINDS[self.kind_box.currentData()]
        self.view_box.setEnabled(kind.picture and kind.suffix != ".pdf")
        self.width_box.setEnabled(kind.sized)
        self.background_box.setEnabled(kind.picture and kind.suffix != ".pdf")
        self._suggest_name()

    def _suggest_name(self) -> None:
        name = default_name(self.kind_box.currentData(), self.view_box.currentData(),
                            self.run_name)
        self.path_edit.setText(str(self.folder / name))

    def _browse(self) -> None:
        kind = EXPORT_KINDS[self.kind_box.currentData()]
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text(),
                                              f"{kind.label} (*{kind.suffix})")
        if path:
            self.path_edit.setText(path)

    def request(self) -> ExportRequest:
        kind = self.kind_box.currentData()
        path = Path(self.path_edit.text().strip()).expanduser()
        if path.suffix.lower() != EXPORT_KINDS[kind].suffix:
            path = path.with_name(path.name + EXPORT_KINDS[kind].suffix)
        view = "dashboard" if kind == "pdf" else self.view_box.currentData()
        return ExportRequest(kind, path, view, self.width_box.value(),
                             self.background_box.currentData())


class RecordDialog(QDialog):
    """Frame rate, length limit and view of a recording."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record the training")
        self.fps_box = QDoubleSpinBox(minimum=1, maximum=MAX_FPS, value=DEFAULT_FPS,
                                      decimals=0, suffix=" frames/s")
        self.seconds_box = QDoubleSpinBox(minimum=1, maximum=300, value=DEFAULT_SECONDS,
                                          decimals=0, suffix=" s")
        self.seconds_box.setToolTip("Recording stops by itself after this long (frames "
                                    "are grabbed only while the picture changes).")
        self.view_box = _combo(VIEWS)
        form = QFormLayout(self)
        form.addRow("Frame rate", self.fps_box)
        form.addRow("At most", self.seconds_box)
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
    labels = {".gif": "Animated GIF (*.gif)", ".mp4": "MP4 video (*.mp4)"}
    return ";;".join(labels[s] for s in animation_formats())


def run_with_progress(parent: QWidget | None, label: str,
                      work: Callable[[Callable[[int, int], bool]], Path]) -> Path | None:
    """Run ``work(progress)`` under a cancellable progress dialog; None when cancelled."""
    dialog = QProgressDialog(label, "Cancel", 0, 100, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)

    def progress(done: int, total: int) -> bool:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(done)
        QApplication.processEvents()
        return not dialog.wasCanceled()

    try:
        return work(progress)
    except ExportCancelled:
        return None
    finally:
        dialog.reset()
        dialog.deleteLater()


def _combo(items: dict[str, str]) -> QComboBox:
    box = QComboBox()
    for key, label in items.items():
        box.addItem(label, key)
    return box
