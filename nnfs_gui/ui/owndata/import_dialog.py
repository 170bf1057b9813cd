"""File > Import data (Ctrl+I): a CSV or TSV file of your own as the run's points.

The dialog previews the first rows, lets the user pick the label column and two
feature columns (or all numeric columns through PCA), and an optional validation
file. Loading runs in a child process that a QThread (``ImportWorker``) waits on:
the file is read in blocks (core/tabular.py) with a progress bar and Cancel, so
the window keeps painting while a million rows load. (A loading thread was tried
first: the parser's C calls hold the GIL, and the window's event loop stalled up
to 0.38 s while loading; a quiet window's largest gap was 35 ms.) A bad file is
one message in the dialog; the window keeps its data and its run.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from multiprocessing.connection import Connection

import numpy as np
from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nnfs_gui.core.data.tabular import DataFileError, ImportedData, preview
from nnfs_gui.ui.owndata.draw_mode import start_on_points
from nnfs_gui.ui.owndata.source import install_own_data
from nnfs_gui.ui.worker import PACKAGE_ROOT

SHOWN_ROWS = 20
FILE_FILTER = "Data files (*.csv *.tsv *.tab *.txt);;All files (*)"
POLL_S = 0.05     # how often the waiting thread looks at the cancel flag
CHILD_CODE = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
              "from multiprocessing.connection import Connection; "
              "from nnfs_gui.core.data.tabular import serve_one_load; "
              "serve_one_load(Connection(int(sys.argv[1])))")


class ImportWorker(QThread):
    """Loads files in a child process (core.tabular.serve_one_load) and waits for it on
    this thread; emits ``progress(percent)``, then ``loaded(ImportedData)`` or
    ``failed(message)`` (a cancel ends the process: 'Import cancelled.')."""

    progress = Signal(int)
    loaded = Signal(object)     # ImportedData
    failed = Signal(str)

    def __init__(self, path: str, label, features, val_path: str | None, parent=None):
        super().__init__(parent)
        self.args = (path, label, features, val_path)
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    def run(self) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            proc = subprocess.Popen([sys.executable, "-c", CHILD_CODE, PACKAGE_ROOT,
                                     str(theirs.fileno())], pass_fds=(theirs.fileno(),),
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        conn = Connection(ours.detach())
        try:
            conn.send(self.args)
            self._follow(conn)
        except (EOFError, OSError):
            self.failed.emit(f"The import process ended unexpectedly (exit code "
                             f"{proc.poll()}).")
        finally:
            conn.close()
            if proc.poll() is None:
                proc.kill()
            proc.wait()

    def _follow(self, conn: Connection) -> None:
        while True:
            if self._cancelled:
                self.failed.emit("Import cancelled.")
                return
            if not conn.poll(POLL_S):
                continue
            kind, value = conn.recv()
            if kind == "progress":
                self.progress.emit(int(value * 100))
            elif kind == "done":
                self.loaded.emit(value)
                return
            else:
                self.failed.emit(value)
                return


class ImportDialog(QDialog):
    """Pick a file and its columns; Import loads it in an ImportWorker."""

    imported = Signal(object)   # ImportedData

    def __init__(self, parent: QWidget | None = None, path: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Import data")
        self.worker: ImportWorker | None = None
        self.preview = None
        self.path_edit, self.val_edit = QLineEdit(path), QLineEdit()
        self.label_box, self.x_box, self.y_box = QComboBox(), QComboBox(), QComboBox()
        self.pca_box = QCheckBox("All other numeric columns, projected onto two by PCA")
        self.table = QTableWidget()
        self.classes = QLabel()
        self.error = QLabel()
        self.error.setStyleSheet("color:#a01010;")
        self.error.setWordWrap(True)
        self.bar = QProgressBar()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self._layout()
        self.path_edit.editingFinished.connect(self.show_preview)
        self.label_box.currentIndexChanged.connect(self._show_classes)
        self.pca_box.toggled.connect(lambda on: (self.x_box.setEnabled(not on),
                                                 self.y_box.setEnabled(not on)))
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.cancel)
        if path:
            self.show_preview()

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow("Training file", _with_browse(self, self.path_edit, self.show_preview))
        form.addRow("Validation file (optional)", _with_browse(self, self.val_edit))
        form.addRow("Label column", self.label_box)
        form.addRow("Feature on x", self.x_box)
        form.addRow("Feature on y", self.y_box)
        form.addRow("", self.pca_box)
        form.addRow("Classes", self.classes)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(QLabel(f"First rows (at most {SHOWN_ROWS}):"))
        box.addWidget(self.table, 1)
        box.addWidget(self.error)
        box.addWidget(self.bar)
        box.addWidget(self.buttons)
        self.bar.hide()
        self.resize(640, 520)

    # -- preview -----------------------------------------------------------------------
    def show_preview(self) -> None:
        """Read the first rows of the training file and offer its columns."""
        self.error.clear()
        try:
            self.preview = preview(self.path_edit.text().strip())
        except DataFileError as e:
            self.preview = None
            self.error.setText(str(e))
            self.table.clear()
            return
        self._fill_table()
        self._fill_columns()

    def _fill_table(self) -> None:
        p = self.preview
        rows = p.rows[:SHOWN_ROWS]
        self.table.clear()
        self.table.setColumnCount(len(p.names))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(list(p.names))
        for i, row in enumerate(rows):
            for j, text in enumerate(row[:len(p.names)]):
                self.table.setItem(i, j, QTableWidgetItem(text))

    def _fill_columns(self) -> None:
        p = self.preview
        label = p.default_label()
        numeric = [j for j, num in enumerate(p.numeric) if num and j != label]
        for box in (self.label_box, self.x_box, self.y_box):
            box.blockSignals(True)
            box.clear()
            box.addItems(list(p.names))
            box.blockSignals(False)
        self.label_box.setCurrentIndex(label)
        self.x_box.setCurrentIndex(numeric[0] if numeric else 0)
        self.y_box.setCurrentIndex(numeric[1] if len(numeric) > 1 else min(1, len(p.names) - 1))
        self.pca_box.setEnabled(len(numeric) > 2)
        self.pca_box.setChecked(len(numeric) > 2)
        self._show_classes()

    def _show_classes(self) -> None:
        """The labels of the rows the table shows (the whole file is read on Import)."""
        if self.preview is None:
            return
        j = self.label_box.currentIndex()
        rows = self.preview.rows[:SHOWN_ROWS]
        self.classes.setText(classes_text([r[j] for r in rows if j < len(r)], len(rows)))

    # -- loading -------------------------------------------------------------------------
    def choice(self) -> tuple[int, list[int] | None]:
        """(label index, feature indices or None for every other column)."""
        if self.pca_box.isChecked():
            label = self.label_box.currentIndex()
            return label, [j for j, num in enumerate(self.preview.numeric)
                           if num and j != label]
        return self.label_box.currentIndex(), [self.x_box.currentIndex(),
                                               self.y_box.currentIndex()]

    def start(self) -> None:
        """Load the files on a worker thread; the dialog stays, with progress."""
        if self.preview is None:
            self.show_preview()
            if self.preview is None:
                return
        label, features = self.choice()
        self.worker = ImportWorker(self.path_edit.text().strip(), label, features,
                                   self.val_edit.text().strip() or None, self)
        self.worker.progress.connect(self.bar.setValue)
        self.worker.loaded.connect(self._loaded)
        self.worker.failed.connect(self._failed)
        self.error.clear()
        self.bar.setValue(0)
        self.bar.show()
        self.import_button.setEnabled(False)
        self.worker.start()

    def cancel(self) -> None:
        """Stop a load under way (the dialog stays), or close the dialog."""
        if self.worker is not None and self.worker.isRunning():
            self.worker.cancel()
        else:
            self.reject()

    def reject(self) -> None:
        """Closing the dialog (Escape, the title bar) ends a load under way first."""
        if self.worker is not None and self.worker.isRunning():
            self.worker.cancel()
            self.worker.wait()
        super().reject()

    def _loaded(self, data: ImportedData) -> None:
        self.worker.wait()
        self.imported.emit(data)
        self.accept()

    def _failed(self, text: str) -> None:
        self.worker.wait()
        self.bar.hide()
        self.import_button.setEnabled(True)
        self.error.setText(text)


def classes_text(labels: list[str], n_rows: int) -> str:
    """"labels 0, 1 in the 20 rows shown; ..." for the label column of the shown rows."""
    found = sorted({t.strip() for t in labels if t.strip()}, key=_class_key)
    if not found:
        return ""
    listed = ", ".join(found[:8]) + (", ..." if len(found) > 8 else "")
    rows = "the row shown" if n_rows == 1 else f"the {n_rows} rows shown"
    what = f"label {listed} only" if len(found) == 1 else f"labels {listed}"
    return (f"{what} in {rows}; Import reads the whole file and numbers its labels "
            f"0, 1, ... in sorted order")


def _class_key(label: str):
    try:
        return (0, int(label), label)
    except ValueError:
        return (1, 0, label)


def _with_browse(dialog: QDialog, edit: QLineEdit, then=None) -> QWidget:
    row = QWidget()
    box = QHBoxLayout(row)
    box.setContentsMargins(0, 0, 0, 0)
    button = QPushButton("Browse…")

    def browse() -> None:
        path, _ = QFileDialog.getOpenFileName(dialog, "Choose a data file", edit.text(),
                                              FILE_FILTER)
        if path:
            edit.setText(path)
            if then is not None:
                then()
    button.clicked.connect(browse)
    box.addWidget(edit, 1)
    box.addWidget(button)
    return row


# -- the window's side ---------------------------------------------------------------------
def use_imported(window, data: ImportedData) -> None:
    """A new run of A on the imported points (validation: the file's, or the config's
    strategy on the rows), the axes named after the features."""
    config = window.config
    split = data.split(config.validation, config.val_fraction,
                       np.random.default_rng(config.seed))
    mapping = ", ".join(f"{c} = {s}" for c, s in enumerate(data.class_names))
    start_on_points(window, split, f"Imported {len(data.y_train):,} points from "
                                   f"{data.source} ({mapping}; {data.note}).",
                    classes=data.n_classes)
    window.decision_view.plot.setLabel("bottom", data.axis_names[0])
    window.decision_view.plot.setLabel("left", data.axis_names[1])


def open_import_dialog(window, path: str = "") -> ImportDialog:
    dialog = ImportDialog(window, path)
    dialog.imported.connect(lambda data: use_imported(window, data))
    dialog.open()
    return dialog


def install_import_action(window) -> QAction:
    """File > Import data… (Ctrl+I), first in the File menu."""
    action = QAction("Import data…", window)
    action.setShortcut(QKeySequence("Ctrl+I"))
    action.setToolTip("Train on your own points: a CSV or TSV file with two (or more) "
                      "feature columns and a label column.")
    action.triggered.connect(lambda: open_import_dialog(window))
    menu = window.file_menu
    menu.insertAction(menu.actions()[0] if menu.actions() else None, action)
    install_own_data(window)   # the Data set box and the axes follow A's points
    return action
