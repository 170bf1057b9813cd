"""Sweeps: the spec, its expansion, the results files, early stopping."""

import csv
import json

import numpy as np
import pytest

from nnfs_gui.core.net.batched import BatchedData, BatchedNet
from nnfs_gui.training.lab.executors import LocalExecutor
from nnfs_gui.training.lab.runs import run_batch
from nnfs_gui.training.lab.sweep import (
    COLUMNS_AFTER_VALUES,
    SweepError,
    load_sweep,
    parse_sweep,
    plan_batches,
    result_row,
    run_sweep_to_dir,
)
from nnfs_gui.training.run.trainer import Trainer

SMALL = {"base": "ch11-overfit", "vary": {"hidden": [[4], [16], [64]]}, "seeds": [0, 1],
         "epochs": 300}


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    seen = []
    results = run_sweep_to_dir(SMALL, out, executor=LocalExecutor(2),
                               progress=lambda *p: seen.append(p))
    return out, results, seen


def test_small_sweep_writes_six_sensible_rows(small_sweep):
    out, _, seen = small_sweep
    with open(out / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 6
    assert list(rows[0]) == ["hidden", *COLUMNS_AFTER_VALUES]
    assert [r["hidden"] for r in rows] == ["4", "4", "16", "16", "64", "64"]
    assert [int(r["seed"]) for r in rows] == [0, 1] * 3
    for r in rows:
        for name in ("best_val_loss", "final_val_loss", "final_train_loss"):
            assert 0 < float(r[name]) < 5, (name, r)
        for name in ("final_val_acc", "final_train_acc"):
            assert 0 <= float(r[name]) <= 1
        assert 0 <= int(r["best_epoch"]) <= 300
        assert float(r["best_val_loss"]) <= float(r["final_val_loss"]) + 0.05
        assert r["verdict"] and float(r["epochs_per_s"]) > 0
    # a wider net fits the training data better within 300 epochs
    train = [float(r["final_train_loss"]) for r in rows]
    assert max(train[4:]) < min(train[:2])
    assert seen[0][:2] == (0, 6) and seen[-1][:2] == (6, 6) and seen[-1][2] == 0


def test_sweep_json_is_the_spec_as_run_and_reruns(small_sweep):
    out, _, _ = small_sweep
    again = parse_sweep(json.loads((out / "sweep.json").read_text()))
    assert again.to_dict() == parse_sweep(SMALL).to_dict()
    doc = json.loads((out / "results.json").read_text())
    assert doc["complete"] and len(doc["runs"]) == 6


def test_local_pool_and_dask_localcluster_give_identical_numbers(small_sweep):
    distributed = pytest.importorskip("dask.distributed")
    from nnfs_gui.training.lab.executors import DaskExecutor, run_all

    _, local, _ = small_sweep
    with distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster)
        try:
            remote = run_all(executor, parse_sweep(SMALL))
        finally:
            executor.close()

    def table(results):
        return [{k: v for k, v in result_row(r, ["hidden"]).items() if k != "epochs_per_s"}
                for r in results]

    assert table(remote) == table(local)


def test_expansion_order_first_field_outermost_seeds_innermost():
    sweep = parse_sweep({"base": "ch11-overfit", "vary": {"learning_rate": [0.1, 0.01],
                                                          "width": [8, 32]},
                         "seeds": [3, 4], "epochs": 10})
    runs = sweep.runs()
    got = [(r.config.learning_rate, r.config.hidden, r.seed) for r in runs]
    assert got == [(lr, (w,), s) for lr in (0.1, 0.01) for w in (8, 32) for s in (3, 4)]
    assert [r.index for r in runs] == list(range(8))
    assert all(r.config.epochs == 10 and r.config.seed == r.seed for r in runs)
    tasks = plan_batches(runs, n_workers=2)
    assert sorted(r.index for t in tasks for r in t) == list(range(8))


def test_width_and_depth_conveniences():
    base = {"name": "two", "hidden": [32, 32], "epochs": 5}
    width = parse_sweep({"base": base, "vary": {"width": [4, 8]}}).runs()
    assert [r.config.hidden for r in width] == [(4, 4), (8, 8)]
    depth = parse_sweep({"base": base, "vary": {"depth": [1, 3]}}).runs()
    assert [r.config.hidden for r in depth] == [(32,), (32, 32, 32)]


BAD = [
    ([], "expected a JSON object"),
    ({"vary": {"l2_weight": [0.1]}}, "needs 'base'"),
    ({"base": "no-such-preset", "vary": {"l2_weight": [0]}}, "no preset named"),
    ({"base": "ch11-overfit", "vary": {"lerning_rate": [0.1]}}, "did you mean learning_rate"),
    ({"base": "ch11-overfit", "vary": {"activation": ["tanh"]}}, "cannot be varied"),
    ({"base": "ch11-overfit", "vary": {}}, "1 or 2 fields"),
    ({"base": "ch11-overfit", "vary": {"l2_weight": [0], "l1_weight": [0], "decay": [0]}},
     "1 or 2 fields"),
    ({"base": "ch11-overfit", "vary": {"l2_weight": 0.1}}, "non-empty list"),
    ({"base": "ch11-overfit", "vary": {"l2_weight": [0.5]}}, "vary.l2_weight[0]"),
    ({"base": "ch11-overfit", "vary": {"hidden": [[4], [600]]}}, "vary.hidden[1]"),
    ({"base": "ch11-overfit", "vary": {"width": [4], "depth": [2]}}, "vary one of them"),
    ({"base": "ch11-overfit", "vary": {"l2_weight": [0, 0]}}, "repeated"),
    ({"base": "ch11-overfit", "vary": {"l2_weight": [0]}, "seeds": []}, "seeds"),
    ({"base": "ch11-overfit", "vary": {"l2_weight": [0]}, "seeds": [-1]}, "seeds"),
    ({"base": "ch11-overfit", "vary": {"l2_weight": [0]}, "epochs": 0}, "epochs"),
    ({"base": "ch11-overfit", "vary": {"l2_weight": [0]}, "patience": 2.5}, "patience"),
    ({"base": "ch11-overfit", "vary": {"l2_weight": [0]}, "pateince": 3}, "did you mean"),
    ({"base": {"samples": -3}, "vary": {"l2_weight": [0]}}, "base: samples"),
    ({"base": 7, "vary": {"l2_weight": [0]}}, "preset name or a config object"),
    ({"base": "ch11-overfit", "vary": {"samples": list(range(10, 200)),
                                       "width": list(range(1, 100))}}, "more than"),
]


@pytest.mark.parametrize(("spec", "words"), BAD)
def test_bad_specs_fail_with_one_short_line(spec, words):
    with pytest.raises(SweepError) as info:
        parse_sweep(spec)
    message = str(info.value)
    assert words in message
    assert "\n" not in message and len(message) <= 200


def test_early_stopping_keeps_the_best_weights_and_they_reproduce_its_loss():
    sweep = parse_sweep({"base": "ch11-overfit", "vary": {"learning_rate": [0.05, 0.2]},
                         "seeds": [0], "epochs": 3000, "patience": 100})
    results = run_batch(sweep.runs(), sweep.patience)
    for result in results:
        assert result.stopped_early and result.epochs_run < 3001
        assert result.epochs_run == result.best_epoch + 101
        trainer = Trainer(result.config)  # same data; load the kept weights
        trainer.model.set_params(result.params_best)
        val_loss, _ = trainer.model.evaluate(trainer.x_val, trainer.y_val)
        assert val_loss == pytest.approx(result.best_val_loss, rel=1e-6)
        # and bit for bit through the engine that recorded it
        net = BatchedNet([trainer.model.engine.flat.values], [2, 64, 3], "relu",
                         {k: [0.0] for k in ("l1_weight", "l1_bias", "l2_weight", "l2_bias")})
        data = BatchedData([trainer.x_train], [trainer.y_train], [trainer.x_val],
                           [trainer.y_val])
        assert net.evaluate(data)["val_loss"][0] == result.best_val_loss
        assert result.final_val_loss > result.best_val_loss


def test_early_stopping_on_the_trainer_path_too():
    sweep = parse_sweep({"base": "ch11-overfit", "vary": {"batch_size": [100]},
                         "seeds": [0], "epochs": 2000, "patience": 30})
    (result,) = run_batch(sweep.runs(), sweep.patience)
    assert result.stopped_early and result.epochs_run == result.best_epoch + 31
    trainer = Trainer(result.config)
    trainer.model.set_params(result.params_best)
    val_loss, _ = trainer.model.evaluate(trainer.x_val, trainer.y_val)
    assert val_loss == pytest.approx(result.best_val_loss, rel=1e-6)
    assert np.isfinite(result.final_val_loss)


@pytest.mark.parametrize("content", [b"\xff\xfe{\x00}\x00", b"[" * 10_000, b"\x00\x01garbage"])
def test_sweep_files_go_through_the_json_reader(tmp_path, content):
    """Non-UTF-8, deeply nested and binary sweep files: one SweepError line naming the
    file, never a UnicodeDecodeError or RecursionError."""
    path = tmp_path / "sweep.json"
    path.write_bytes(content)
    with pytest.raises(SweepError) as info:
        load_sweep(path)
    message = str(info.value)
    assert "sweep file" in message and "\n" not in message and len(message) < 450


def test_a_fifo_sweep_file_is_refused_without_blocking(tmp_path):
    import os

    fifo = tmp_path / "sweep.json"
    os.mkfifo(fifo)
    with pytest.raises(SweepError, match="regular file"):
        load_sweep(fifo)
