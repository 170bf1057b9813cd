"""Draw mode: click points into A's decision view and watch the model take them in.

A click adds a point of the chosen class (keys 1-8 or the class box), to the
training or the validation set; a right-click or Ctrl+click removes the point
nearest to it. Every change is a new DataSplit handed to A's session: a new run
from fresh weights (Restart) or the running model going on from its weights on
the new points (Continue: the model is fetched and started again on them). Undo
and redo walk the list of splits; Save writes the points as CSV (``x1,x2,label``
for training, ``*.val.csv`` beside it for validation) that File > Import data and
``--data``/``--val-data`` read back.

The lesson it is for (ch. 11): drop one mislabelled point among the other class,
and an overfitting model bends its region around it while a regularized one does not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QFileDialog, QToolBar

from nnfs_gui.core.data.splits import DRAWN, DataSplit, read_only_copy
from nnfs_gui.core.files.atomic import write_text_atomic
from nnfs_gui.training.process.protocol import RunPoints
from nnfs_gui.training.run.trainer import data_extent
from nnfs_gui.ui import palette

MAX_CLASSES = 8
TARGETS = ("train", "val")


def start_on_points(window, split: DataSplit, message: str = "",
                    classes: int | None = None) -> None:
    """A new run of A on ``split`` (raw points) with ``classes`` classes (default: the
    config's, raised to cover the labels)."""
    config = window.config
    needed = int(max(split.y_train.max(initial=0), split.y_val.max(initial=0))) + 1
    classes = classes or max(config.classes, needed)
    if classes != config.classes:
        config = config.replace(classes=classes)
        window.controls.set_config(config)
    window.banner.hide()
    window.session.new_run(config, split=split)
    if message:
        window.status.message(message)


def trainable(split: DataSplit) -> str:
    """'' if a run can train on ``split``, else what is missing, in words."""
    if len(np.unique(split.y_train)) < 2:
        return "Draw training points of at least two classes to train."
    if len(split.y_val) == 0:
        return "Add at least one validation point (Validation, then click) to train."
    return ""


class DrawMode(QObject):
    """The paint mode of A's decision view; ``toolbar`` holds its controls."""

    changed = Signal()   # the drawn points changed (and a run was asked for, if it can)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.view = window.decision_view
        self.active = False
        self.label = 0
        self.target = "train"
        self.restart = True
        self._undo: list[DataSplit] = []
        self._redo: list[DataSplit] = []
        self._drawn: DataSplit | None = None   # the newest drawn split, trained or not
        self.toolbar = self._build_toolbar()
        self.view.data_clicked.connect(self._on_click)
        window.session.run_started.connect(self._on_run_started)

    # -- state -----------------------------------------------------------------------
    def points(self) -> DataSplit | None:
        """The points as drawn so far: the newest drawn split, else the run's points."""
        if self._drawn is not None:
            return self._drawn
        p = self.window.session.points
        return None if p is None else p.split()

    def set_active(self, on: bool) -> None:
        self.active = on
        self.view.set_drawing(on)
        self.draw_action.setChecked(on)
        for action in self._mode_actions:
            action.setEnabled(on)
        if on:
            self.window.status.message("Draw: click adds a point of the chosen class, "
                                       "right-click or Ctrl+click removes the nearest; "
                                       "keys 1-8 pick the class.")

    def set_label(self, label: int) -> None:
        self.label = int(label)
        self.class_box.setCurrentIndex(self.label)

    def set_target(self, target: str) -> None:
        self.target = target
        self.target_box.setCurrentIndex(TARGETS.index(target))

    # -- edits -----------------------------------------------------------------------
    def add(self, x: float, y: float) -> None:
        """A point of the chosen class at (x, y) in the chosen set."""
        s = self._base()
        point = np.array([[x, y]], dtype=np.float32)
        label = np.array([self.label], dtype=np.int64)
        if self.target == "train":
            new = (np.vstack([s.x_train, point]), np.concatenate([s.y_train, label]),
                   s.x_val, s.y_val)
        else:
            new = (s.x_train, s.y_train, np.vstack([s.x_val, point]),
                   np.concatenate([s.y_val, label]))
        self._push(_split(*new))

    def remove_nearest(self, x: float, y: float) -> None:
        """Remove the point (training or validation) nearest to (x, y)."""
        s = self._base()
        both = np.vstack([s.x_train, s.x_val])
        if len(both) == 0:
            return
        i = int(np.argmin(np.hypot(both[:, 0] - x, both[:, 1] - y)))
        n = len(s.x_train)
        if i < n:
            keep = np.arange(n) != i
            self._push(_split(s.x_train[keep], s.y_train[keep], s.x_val, s.y_val))
        else:
            keep = np.arange(len(s.x_val)) != i - n
            self._push(_split(s.x_train, s.y_train, s.x_val[keep], s.y_val[keep]))

    def clear(self) -> None:
        empty = np.empty((0, 2), np.float32), np.empty(0, np.int64)
        self._push(_split(*empty, *empty))

    def undo(self) -> None:
        if self._undo:
            self._redo.append(self._base())
            self._show(self._undo.pop())

    def redo(self) -> None:
        if self._redo:
            self._undo.append(self._base())
            self._show(self._redo.pop())

    def save_csv(self, path: str | Path) -> list[Path]:
        """Training points to ``path``, validation points to ``<stem>.val.csv``."""
        s = self._base()
        path = Path(path)
        val_path = path.with_name(f"{path.stem}.val{path.suffix or '.csv'}")
        for target, x, y in ((path, s.x_train, s.y_train), (val_path, s.x_val, s.y_val)):
            rows = [f"{a!r},{b!r},{c}" for (a, b), c in zip(x.tolist(), y.tolist(),
                                                            strict=True)]
            write_text_atomic(target, "\n".join(["x1,x2,label", *rows]) + "\n")
        return [path, val_path]

    # -- applying ----------------------------------------------------------------------
    def _base(self) -> DataSplit:
        s = self.points()
        if s is None:
            empty = np.empty((0, 2), np.float32), np.empty(0, np.int64)
            return _split(*empty, *empty)
        return s

    def _push(self, split: DataSplit) -> None:
        self._undo.append(self._base())
        self._redo.clear()
        self._show(split)

    def _show(self, split: DataSplit) -> None:
        """Train on ``split`` if it can be trained on, else show the points alone."""
        self._drawn = split
        missing = trainable(split)
        if missing:
            self._preview(split)
            self.window.status.message(missing)
        elif self.restart or self._classes_grow(split):
            start_on_points(self.window, split, "Drawn points: a new run.")
        else:
            self._continue_on(split)
        self.changed.emit()

    def _classes_grow(self, split: DataSplit) -> bool:
        return int(split.y_train.max(initial=0)) >= self.window.config.classes

    def _continue_on(self, split: DataSplit) -> None:
        """The running model goes on from its weights and optimizer state on ``split``."""
        session, playing = self.window.session, self.window.session.playing
        run_id = session.run_id

        def go_on(saved) -> None:
            if split is not self._drawn:
                return   # drawn on meanwhile: the newest drawing goes on instead
            if saved is not None:
                session.start_from(saved, split)
                if playing:
                    session.play()
            elif session.run_id == run_id:   # no model to go on from: a new run
                start_on_points(self.window, split, "Drawn points: a new run.")
        session.request_model(go_on)
        self.window.status.message("Drawn points: the model goes on learning on them.")

    def _preview(self, split: DataSplit) -> None:
        """The points without regions (there is no run on them yet), in the frame of
        the current run so the next click lands where the user aims."""
        have = [a for a in (split.x_train, split.x_val) if len(a)]
        extent = self.window.session.extent or (data_extent(*have) if have else None)
        labels = np.concatenate([split.y_train, split.y_val])
        classes = max(self.window.config.classes, int(labels.max(initial=0)) + 1)
        self.view.reset(RunPoints(split.x_train, split.y_train, split.x_val, split.y_val,
                                  classes, extent or (-1.0, 1.0, -1.0, 1.0),
                                  run_id=-1, strategy=split.strategy,
                                  config=self.window.config))

    def _on_run_started(self, points) -> None:
        if self._drawn is not None and not _same_points(points.split(), self._drawn):
            # a preset or an import replaced the drawing: its edits are history
            self._drawn = None
            self._undo.clear()
            self._redo.clear()

    def _on_click(self, x: float, y: float, event) -> None:
        if not self.active:
            return
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if event.button() == Qt.MouseButton.RightButton or ctrl:
            self.remove_nearest(x, y)
        elif event.button() == Qt.MouseButton.LeftButton:
            self.add(x, y)
        event.accept()

    # -- controls --------------------------------------------------------------------
    def _build_toolbar(self) -> QToolBar:
        w = self.window
        bar = QToolBar("Draw points", w)
        self.draw_action = _action(w, "Draw points", "D", "Paint mode: click adds a point "
                                   "of the chosen class; right-click or Ctrl+click removes "
                                   "the nearest (D).", checkable=True)
        self.draw_action.toggled.connect(self.set_active)
        bar.addAction(self.draw_action)
        self.class_box, self.target_box, self.mode_box = QComboBox(), QComboBox(), QComboBox()
        for c in range(MAX_CLASSES):
            self.class_box.addItem(palette_icon(c), f"class {c} ({c + 1})")
        self.class_box.currentIndexChanged.connect(lambda i: setattr(self, "label", i))
        self.target_box.addItems(["Training", "Validation"])
        self.target_box.currentIndexChanged.connect(
            lambda i: setattr(self, "target", TARGETS[i]))
        self.mode_box.addItems(["Restart on change", "Continue on change"])
        self.mode_box.setToolTip("After each change: train a new model from fresh weights, "
                                 "or let the running model go on learning on the new points.")
        self.mode_box.currentIndexChanged.connect(lambda i: setattr(self, "restart", i == 0))
        for box in (self.class_box, self.target_box, self.mode_box):
            bar.addWidget(box)
        self._mode_actions = self._edit_actions(bar)
        self._mode_actions += self._class_keys()
        self.set_active(False)
        return bar

    def _edit_actions(self, bar: QToolBar) -> list[QAction]:
        w = self.window
        actions = [_action(w, "Undo", QKeySequence.StandardKey.Undo, "Undo the last point "
                           "added, removed or cleared."),
                   _action(w, "Redo", QKeySequence.StandardKey.Redo, "Redo."),
                   _action(w, "Clear", None, "Remove every point (undo brings them back)."),
                   _action(w, "Save points…", None, "Save the drawn points as CSV "
                           "(training, and validation beside it as NAME.val.csv).")]
        for action, slot in zip(actions, (self.undo, self.redo, self.clear, self._save_dialog),
                                strict=True):
            action.triggered.connect(slot)
            bar.addAction(action)
        return actions

    def _class_keys(self) -> list[QAction]:
        keys = []
        for c in range(MAX_CLASSES):
            key = _action(self.window, f"class {c}", str(c + 1), "")
            key.triggered.connect(lambda _=False, c=c: self.set_label(c))
            self.window.addAction(key)
            keys.append(key)
        return keys

    def _save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save drawn points", "points.csv",
                                              "CSV files (*.csv)")
        if path:
            try:
                saved = self.save_csv(path)
            except OSError as e:
                self.window.status.message(f"Could not save the points: {e.strerror or e}")
                return
            self.window.status.message(f"Saved {saved[0]} and {saved[1].name}")


def _action(parent, text: str, key, tip: str, checkable: bool = False) -> QAction:
    action = QAction(text, parent)
    if key is not None:
        action.setShortcut(QKeySequence(key))
    action.setToolTip(tip)
    action.setCheckable(checkable)
    return action


def palette_icon(c: int):
    from PySide6.QtGui import QColor, QIcon, QPixmap

    pix = QPixmap(12, 12)
    pix.fill(QColor(*palette.class_color(c)))
    return QIcon(pix)


def _split(x_train, y_train, x_val, y_val) -> DataSplit:
    return DataSplit(read_only_copy(x_train, np.float32), read_only_copy(y_train, np.int64),
                     read_only_copy(x_val, np.float32), read_only_copy(y_val, np.int64),
                     "holdout", DRAWN)


def _same_points(a: DataSplit, b: DataSplit) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k))
               for k in ("x_train", "y_train", "x_val", "y_val"))


def install_draw_mode(window) -> DrawMode:
    """Draw mode on ``window`` (View > Draw points, key D) with its toolbar."""
    mode = DrawMode(window)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, mode.toolbar)
    window.view_menu.addAction(mode.draw_action)
    return mode
