"""``main.py --headless --data``: a run on a CSV file trains and exports as a preset
run does, and a bad file is exit 2 with the importer's one-line message."""

import csv
import json

import numpy as np

from nnfs_gui.core.data.datasets import make_dataset
from tests.training.test_headless import run_cli


def moons_csv(path, samples=200, seed=1):
    x, y = make_dataset("moons", samples, 2, 0.1, np.random.default_rng(seed))
    np.savetxt(path, np.column_stack([x, y]), fmt=["%.6f", "%.6f", "%d"], delimiter=",",
               header="x1,x2,label", comments="")
    return x, y


def test_two_moons_csv_trains_and_exports_like_a_preset(tmp_path):
    data = tmp_path / "two_moons.csv"
    x, y = moons_csv(data)
    out = tmp_path / "D"
    r = run_cli("--data", str(data), "--epochs", "500", "--out", str(out),
                "--export", "dataset", "--print-every", "500")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1].startswith("validation, acc: ")
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["epochs_run"] == 501 and metrics["final_train_acc"] > 0.85
    assert json.loads((out / "config.json").read_text())["classes"] == 2
    with open(out / "dataset.csv") as f:
        rows = list(csv.DictReader(f))
    # every point of the file is in the run: 80% for training, 20% held out (holdout)
    assert len(rows) == len(x)
    assert (out / "model.npz").stat().st_size > 0


def test_validation_file_label_and_feature_columns(tmp_path):
    x, y = make_dataset("blobs", 30, 3, 0.2, np.random.default_rng(0))
    lines = ["kind,a,b,noise"] + [f"k{c},{p},{q},0" for (p, q), c in zip(x.tolist(), y,
                                                                        strict=True)]
    (tmp_path / "t.csv").write_text("\n".join(lines))
    (tmp_path / "v.csv").write_text("\n".join(lines[:31]))
    r = run_cli("--data", str(tmp_path / "t.csv"), "--val-data", str(tmp_path / "v.csv"),
                "--label-column", "kind", "--features", "a,b", "--epochs", "20",
                "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "o" / "config.json").read_text())["classes"] == 3


def test_bad_data_file_is_exit_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"x,y,label\n1,2,a\n3,abc,b\n")
    r = run_cli("--data", str(bad), "--epochs", "5")
    assert r.returncode == 2
    assert r.stderr == f"nnfs-gui: {bad}, line 3, column 2 ('y'): expected a number, " \
                       "found 'abc'\n"
    binary = tmp_path / "bin.csv"
    binary.write_bytes(bytes(range(256)) * 10)
    r = run_cli("--data", str(binary))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.splitlines()) == 1


def test_init_model_continues_on_the_saved_points(tmp_path):
    """A model trained on a CSV file keeps its points: --init-model goes on on them
    (not on the config's spiral), and config.json says where the points came from."""
    data = tmp_path / "two_moons.csv"
    x, _ = moons_csv(data)
    first, second = tmp_path / "A", tmp_path / "B"
    r = run_cli("--data", str(data), "--epochs", "300", "--out", str(first),
                "--print-every", "300")
    assert r.returncode == 0, r.stderr
    config = json.loads((first / "config.json").read_text())
    assert config["data"] == "imported from two_moons.csv"
    r = run_cli("--init-model", str(first / "model.npz"), "--epochs", "20", "--out",
                str(second), "--export", "dataset", "--print-every", "20")
    assert r.returncode == 0, r.stderr
    with open(second / "dataset.csv") as f:
        rows = list(csv.DictReader(f))
    got = np.array(sorted((float(r["x"]), float(r["y"])) for r in rows))
    assert np.allclose(got, np.array(sorted(map(tuple, x.tolist()))), atol=1e-5)
    before = json.loads((first / "metrics.json").read_text())
    after = json.loads((second / "metrics.json").read_text())
    # the same points: accuracy carries on (on a spiral it would fall to about chance)
    assert after["final_train_acc"] >= before["final_train_acc"] - 0.05 > 0.8
