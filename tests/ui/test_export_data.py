"""History and data set files round-trip to the same numbers."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from nnfs_gui.core.config import Config
from nnfs_gui.training.run.history import COLUMNS, History
from nnfs_gui.ui.export import data as export_data


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


def test_history_csv_round_trips_exactly(tmp_path):
    h = _history()
    path = export_data.export_history_csv(h, tmp_path / "history.csv")
    header = path.read_text().splitlines()[0]
    assert header == "epoch,loss,data_loss,reg_loss,acc,val_loss,val_acc,lr"
    _same(History.from_csv(path), h)


def test_history_json_round_trips_and_carries_the_config(tmp_path):
    h = _history()
    config = Config(name="ch11-overfit")
    path = export_data.export_history_json(h, tmp_path / "history.json", config)
    data = json.loads(path.read_text())
    assert data["rows"] == 50 and data["data"]["val_loss"][3] is None
    assert Config.from_dict(data["config"]) == config
    _same(History.from_json(path), h)


@dataclass(frozen=True)
class _Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    strategy: str = "fresh"


def test_dataset_csv_round_trips_points_labels_and_split(tmp_path):
    rng = np.random.default_rng(2)
    split = _Split(rng.normal(size=(30, 2)).astype(np.float32), rng.integers(0, 3, 30),
                   rng.normal(size=(12, 2)).astype(np.float32), rng.integers(0, 3, 12))
    path = export_data.export_dataset_csv(split, tmp_path / "data.csv")
    lines = path.read_text().splitlines()
    assert lines[0] == "x,y,label,split" and len(lines) == 1 + 30 + 12
    back = export_data.read_dataset_csv(path)
    np.testing.assert_array_equal(back["train"][0], split.x_train)
    np.testing.assert_array_equal(back["train"][1], split.y_train)
    np.testing.assert_array_equal(back["val"][0], split.x_val)
    np.testing.assert_array_equal(back["val"][1], split.y_val)
