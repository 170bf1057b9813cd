"""A run's numbers as files: the training history (CSV, JSON), the data set (CSV), the
model (npz). The format table's writers (formats.py) for the rows that need no drawing.

The history files have the columns of ``training/run/history.py``
(``epoch,loss,data_loss,reg_loss,acc,val_loss,val_acc,lr``) and are read back by
``History.from_csv`` / ``History.from_json``; floats are written with Python's
shortest round-trip repr, so reading a file gives back the very same numbers. A
writer takes ``(source, request)`` (formats.ExportSource, ExportRequest) and reads
only what it writes from the source: the History through its own ``to_csv_text`` and
``to_dict``, so this module needs nothing above core. ``--help`` reads the table, so
this module loads neither numpy nor the network code until a file is written.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from nnfs_gui.core.files.saving import ExportError, export_errors, save_json, save_text

DATASET_COLUMNS = ("x", "y", "label", "split")


def write_history_csv(source, request) -> Path:
    """``epoch,loss,...,lr`` and one row per epoch."""
    return save_text(request.path, _history(source).to_csv_text())


def write_history_json(source, request) -> Path:
    """``{"columns", "rows", "data": {column: [values]}, "config"}``; non-finite values
    are null (History.to_dict)."""
    columns = _history(source).to_dict()
    data = {"columns": list(columns), "rows": len(columns["epoch"]), "data": columns}
    if source.config is not None:
        data["config"] = source.config.to_dict()
    return save_json(request.path, data)


def _history(source):
    if source.history is None:
        raise ExportError("There is no training history here.")
    return source.history


def dataset_csv_text(split) -> str:
    """CSV of a DataSplit: ``x,y,label,split`` with training rows first, raw units.

    ``split`` has ``x_train (n, 2)``, ``y_train (n,)``, ``x_val (m, 2)``, ``y_val (m,)``.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(DATASET_COLUMNS)
    for name, x, y in (("train", split.x_train, split.y_train), ("val", split.x_val, split.y_val)):
        if len(x.shape) != 2 or x.shape[1] != 2 or len(x) != len(y):
            raise ExportError(f"The {name} data has shape {x.shape} with {len(y)} labels; "
                              f"expected (n, 2) points and n labels.")
        writer.writerows((float(a), float(b), int(c), name)
                         for (a, b), c in zip(x.tolist(), y.tolist(), strict=True))
    return buf.getvalue()


def write_dataset_csv(source, request) -> Path:
    """The training and validation points with labels and a split column."""
    if source.points is None:
        raise ExportError("No data yet: the run has not started.")
    return save_text(request.path, dataset_csv_text(source.points))


def write_model(source, request) -> Path:
    """Weights, optimizer state, config, scaler, epoch (and own points) in one .npz
    (core.files.serialization); ``source.model()`` gives the SavedModel. save_model
    writes atomically itself; its failures become an ExportError naming the file."""
    from nnfs_gui.core.files.serialization import save_model

    if source.model is None:
        raise ExportError("There is no model to save here.")
    path = Path(request.path).expanduser()
    with export_errors(path):
        saved = source.model()
        return save_model(path, saved.model, saved.config, saved.scaler, epoch=saved.epoch,
                          split=saved.split)
