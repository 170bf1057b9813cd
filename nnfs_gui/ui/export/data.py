"""Numbers out: the training history (CSV, JSON), the data set (CSV) and the model (npz).

The history files have the same columns as the headless run's ``history.csv``
(``epoch,loss,data_loss,reg_loss,acc,val_loss,val_acc,lr``) and are read back by
``History.from_csv`` / ``History.from_json``. Floats are written with Python's
shortest round-trip repr, so reading a file gives back the very same numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from nnfs_gui.core.files.serialization import save_model
from nnfs_gui.training.run.history import COLUMNS, History
from nnfs_gui.ui.export.formats import ExportRequest, ExportSource
from nnfs_gui.ui.export.io import ExportError, export_errors, save_json, save_text

DATASET_COLUMNS = ("x", "y", "label", "split")


def export_history_csv(history: History, path: str | Path) -> Path:
    """Write the history as CSV, header ``COLUMNS``, one row per epoch."""
    return save_text(path, history.to_csv_text())


def export_history_json(history: History, path: str | Path, config=None) -> Path:
    """Write the history as JSON in ``History.to_json``'s layout, plus the run's config."""
    data = {"columns": list(COLUMNS), "rows": len(history), "data": history.to_dict()}
    if config is not None:
        data["config"] = config.to_dict()
    return save_json(path, data)


def dataset_csv_text(split) -> str:
    """CSV of a DataSplit: ``x,y,label,split`` with training rows first, raw units.

    ``split`` has ``x_train (n, 2)``, ``y_train (n,)``, ``x_val (m, 2)``, ``y_val (m,)``.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(DATASET_COLUMNS)
    for name, x, y in (("train", split.x_train, split.y_train), ("val", split.x_val, split.y_val)):
        x, y = np.asarray(x), np.asarray(y)
        if x.ndim != 2 or x.shape[1] != 2 or len(x) != len(y):
            raise ExportError(f"The {name} data has shape {x.shape} with {len(y)} labels; "
                              f"expected (n, 2) points and n labels.")
        writer.writerows((float(a), float(b), int(c), name)
                         for (a, b), c in zip(x.tolist(), y.tolist(), strict=True))
    return buf.getvalue()


def export_dataset_csv(split, path: str | Path) -> Path:
    """Write the training and validation points with labels and a split column."""
    return save_text(path, dataset_csv_text(split))


def read_dataset_csv(path: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Read a file from :func:`export_dataset_csv`: split name -> (x (n,2) float32, y (n,))."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for name in ("train", "val"):
        part = [r for r in rows if r["split"] == name]
        x = np.array([[float(r["x"]), float(r["y"])] for r in part], np.float32).reshape(-1, 2)
        out[name] = (x, np.array([int(r["label"]) for r in part], np.int64))
    return out


# -- the format table's writers (formats.py) ---------------------------------------
def write_history_csv(source: ExportSource, request: ExportRequest) -> Path:
    return export_history_csv(source.history, request.path)


def write_history_json(source: ExportSource, request: ExportRequest) -> Path:
    return export_history_json(source.history, request.path, source.config)


def write_dataset_csv(source: ExportSource, request: ExportRequest) -> Path:
    if source.points is None:
        raise ExportError("No data yet: the run has not started.")
    return export_dataset_csv(source.points, request.path)


def write_model(source: ExportSource, request: ExportRequest) -> Path:
    """Weights, optimizer state, config, scaler and epoch in one .npz (core.serialization).

    save_model writes atomically itself; its failures become an ExportError naming
    the file.
    """
    if source.model is None:
        raise ExportError("There is no model to save here.")
    path = Path(request.path).expanduser()
    with export_errors(path):
        saved = source.model()
        return save_model(path, saved.model, saved.config, saved.scaler, epoch=saved.epoch,
                          split=saved.split)
