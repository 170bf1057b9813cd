"""History and data set files round-trip to the same numbers, written through the table."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.formats import FORMATS, ExportRequest, ExportSource
from nnfs_gui.core.files.saving import ExportError
from nnfs_gui.training.run.history import COLUMNS, History


def _history(n: int = 50) -> History:
    rng = np.random.default_rng(1)
    h = History()
    for e in range(n):
        h.append(epoch=e, loss=rng.random(), data_loss=rng.random(), reg_loss=0.0,
                 acc=rng.random(), val_loss=float("nan") if e == 3 else rng.random(),
                 val_acc=rng.random(), lr=0.05 / (1 + 5e-7 * e))
    return h


def _same(a: History, b: History) -> None:
    assert len(a) == len(b)
    for name in COLUMNS:
        np.testing.assert_array_equal(a.column(name), b.column(name))


def _write(kind: str, path, **source):
    return FORMATS[kind].write(ExportSource(config=source.pop("config", None), **source),
                               ExportRequest(kind, path))


def test_history_csv_round_trips_exactly(tmp_path):
    h = _history()
    path = _write("history_csv", tmp_path / "history.csv", history=h)
    header = path.read_text().splitlines()[0]
    assert header == "epoch,loss,data_loss,reg_loss,acc,val_loss,val_acc,lr"
    _same(History.from_csv(path), h)


def test_history_json_round_trips_and_carries_the_config(tmp_path):
    h = _history()
    config = Config(name="ch11-overfit")
    path = _write("history_json", tmp_path / "history.json", history=h, config=config)
    data = json.loads(path.read_text())
    assert data["columns"] == list(COLUMNS) and data["rows"] == 50
    assert data["data"]["val_loss"][3] is None and "NaN" not in path.read_text()
    assert Config.from_dict(data["config"]) == config
    _same(History.from_json(path), h)


@dataclass(frozen=True)
class _Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    strategy: str = "fresh"


def _read_dataset_csv(path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """split name -> (x (n, 2) float32, y (n,)), as a spreadsheet user would read it."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for name in ("train", "val"):
        part = [r for r in rows if r["split"] == name]
        x = np.array([[float(r["x"]), float(r["y"])] for r in part], np.float32).reshape(-1, 2)
        out[name] = (x, np.array([int(r["label"]) for r in part], np.int64))
    return out


def test_dataset_csv_round_trips_points_labels_and_split(tmp_path):
    rng = np.random.default_rng(2)
    split = _Split(rng.normal(size=(30, 2)).astype(np.float32), rng.integers(0, 3, 30),
                   rng.normal(size=(12, 2)).astype(np.float32), rng.integers(0, 3, 12))
    path = _write("dataset_csv", tmp_path / "data.csv", points=split)
    lines = path.read_text().splitlines()
    assert lines[0] == "x,y,label,split" and len(lines) == 1 + 30 + 12
    back = _read_dataset_csv(path)
    np.testing.assert_array_equal(back["train"][0], split.x_train)
    np.testing.assert_array_equal(back["train"][1], split.y_train)
    np.testing.assert_array_equal(back["val"][0], split.x_val)
    np.testing.assert_array_equal(back["val"][1], split.y_val)


def test_missing_pieces_are_one_readable_line(tmp_path):
    with pytest.raises(ExportError, match="No data yet"):
        _write("dataset_csv", tmp_path / "d.csv")
    with pytest.raises(ExportError, match="no model"):
        _write("model", tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []
