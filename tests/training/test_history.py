"""History: growth, read-only views, files, memory."""

import tracemalloc

import numpy as np
import pytest

from nnfs_gui.training.run.history import COLUMNS, History


def row(e: int) -> dict:
    return {"epoch": e, "loss": 1.0 / (e + 1), "data_loss": 0.9 / (e + 1), "reg_loss": 0.01,
            "acc": e / 1000, "val_loss": 2.0 / (e + 1), "val_acc": 0.5,
            "lr": 0.05 / (1 + 5e-7 * e)}


def filled(n: int) -> History:
    h = History(capacity=4)
    for e in range(n):
        h.append(**row(e))
    return h


def test_grows_past_capacity_and_keeps_every_row():
    h = filled(1000)
    assert len(h) == 1000
    assert h.capacity >= 1000
    np.testing.assert_array_equal(h.column("epoch"), np.arange(1000))
    assert h.column("lr")[999] == 0.05 / (1 + 5e-7 * 999)  # float64: exact


def test_column_is_a_read_only_view_of_the_filled_part():
    h = filled(10)
    col = h.column("loss")
    assert col.shape == (10,)
    with pytest.raises(ValueError):
        col[0] = 5.0
    h.append(**row(10))  # appending still works after a view was handed out
    assert h.column("loss")[10] == pytest.approx(1 / 11)


def test_row_needs_every_column():
    h = History()
    bad = row(0)
    del bad["lr"]
    with pytest.raises(KeyError, match="lr"):
        h.append(**bad)


def test_rows_since_returns_read_only_copies_of_the_tail():
    h = filled(20)
    tail = h.rows_since(15)
    assert set(tail) == set(COLUMNS)
    np.testing.assert_array_equal(tail["epoch"], [15, 16, 17, 18, 19])
    assert not tail["acc"].flags.writeable
    assert len(h.rows_since(20)["epoch"]) == 0


def test_from_csv_rejects_a_wrong_header(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("epoch,loss\n0,1.0\n")
    with pytest.raises(ValueError, match="header"):
        History.from_csv(path)


def test_a_million_epochs_fit_in_100_mb():
    tracemalloc.start()
    try:
        h = History()
        values = {n: np.zeros(1000) for n in COLUMNS}
        for _ in range(1000):
            h.extend(values)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(h) == 1_000_000
    assert h.nbytes <= 70e6
    assert peak <= 100e6
