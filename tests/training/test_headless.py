"""The headless command line, run as a user runs it: ``python main.py --headless``."""

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nnfs_gui.training.run.history import History
from tests.ui.test_export_support import fill_leaving, mounted_tiny_disk

ROOT = Path(__file__).resolve().parents[2]

# The book's chapter-11 output (DESIGN.md), which book mode must print unchanged.
BOOK_CH11_LINES = [
    "epoch: 0, acc: 0.360, loss: 1.099, lr: 0.05",
    "epoch: 100, acc: 0.670, loss: 0.705, lr: 0.04999752512250644",
    "validation, acc: 0.797, loss: 0.921",
]
BOOK_CH11_PREFIXES = [
    "epoch: 1000, acc: 0.940, loss: 0.217, lr: ",
    "epoch: 10000, acc: 0.967, loss: 0.074, lr: 0.04975126853296942",
]


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--headless", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)


@pytest.fixture(scope="module")
def overfit_run(tmp_path_factory):
    """One full 10,001-epoch ch11-overfit run with files, shared by several tests."""
    out = tmp_path_factory.mktemp("overfit")
    result = run_cli("--preset", "ch11-overfit", "--print-every", "1000", "--out", str(out),
                     "--export", "csv,json")
    assert result.returncode == 0, result.stderr
    return result, out


@pytest.fixture(scope="module")
def generalize_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("generalize")
    result = run_cli("--preset", "ch11-generalize", "--print-every", "0", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return result, out


@pytest.mark.slow
def test_book_ch11_prints_the_books_lines():
    result = run_cli("--preset", "book-ch11", "--print-every", "100")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for line in BOOK_CH11_LINES:
        assert line in lines
    for prefix in BOOK_CH11_PREFIXES:
        assert any(line.startswith(prefix) for line in lines), prefix
    epochs = [int(line.split(",")[0].split()[1]) for line in lines if line.startswith("epoch")]
    assert epochs == list(range(0, 10001, 100))  # 101 progress lines, as in the book
    assert lines[-1].startswith("validation, ")


def test_out_writes_history_metrics_and_config(overfit_run):
    result, out = overfit_run
    with open(out / "history.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "loss", "data_loss", "reg_loss", "acc", "val_loss", "val_acc",
                       "lr"]
    assert len(rows) == 1 + 10001
    assert rows[-1][0] == "10000"
    config = json.loads((out / "config.json").read_text())
    assert config["name"] == "ch11-overfit" and config["epochs"] == 10000
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["epochs_run"] == 10001 and metrics["diverged"] is False
    assert metrics["epochs_per_second"] > 0
    history_json = json.loads((out / "history.json").read_text())
    assert len(history_json["data"]["val_loss"]) == 10001


def test_progress_lines_follow_the_book_format(overfit_run):
    result, _ = overfit_run
    lines = result.stdout.splitlines()
    progress = [line for line in lines if line.startswith("epoch: ")]
    assert [line.split(",")[0] for line in progress] == [
        f"epoch: {e}" for e in range(0, 10001, 1000)]
    assert progress[0] == "epoch: 0, acc: " + progress[0].split("acc: ")[1]
    assert progress[0].endswith(", lr: 0.05")
    assert lines[-1].startswith("validation, acc: ")


def test_overfit_preset_shows_the_chapter_11_shape(overfit_run):
    _, out = overfit_run
    h = History.from_csv(out / "history.csv")
    val, loss = h.column("val_loss"), h.column("loss")
    best = int(np.argmin(val))
    assert 100 < best < 5000
    assert val[-1] > 1.3 * val[best]               # validation loss turns back up...
    assert loss[-1] < 0.5 * loss[best]             # ...while training loss keeps falling
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["best_epoch"] == best
    assert metrics["best_val_loss"] == pytest.approx(val[best])
    assert metrics["overfit_gap_percent"] > 100


def test_generalize_preset_does_not_turn_back_up(generalize_run):
    _, out = generalize_run
    h = History.from_csv(out / "history.csv")
    val = h.column("val_loss")
    assert val[-1] <= 1.10 * val.min()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["final_val_loss"] <= 1.10 * metrics["best_val_loss"]


def test_regularized_run_prints_data_and_reg_loss(tmp_path):
    result = run_cli("--preset", "ch11-generalize", "--epochs", "200", "--print-every", "100")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4  # epochs 0, 100, 200 and the validation line
    assert " (data_loss: " in lines[1] and "), lr: " in lines[1]
    assert lines[1].split("reg_loss: ")[1][:5].replace(".", "").isdigit()


def test_epochs_option_names_the_last_epoch(tmp_path):
    result = run_cli("--preset", "ch11-overfit", "--epochs", "50", "--print-every", "25",
                     "--out", str(tmp_path / "new" / "dir"))
    assert result.returncode == 0, result.stderr
    assert [line.split(",")[0] for line in result.stdout.splitlines()] == [
        "epoch: 0", "epoch: 25", "epoch: 50", "validation"]
    rows = (tmp_path / "new" / "dir" / "history.csv").read_text().splitlines()
    assert len(rows) == 1 + 51


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_unknown_preset_lists_the_available_ones():
    line = one_line_error(run_cli("--preset", "no-such-thing"))
    assert "no-such-thing" in line and "book-ch11" in line and "ch11-overfit" in line


def test_bad_config_file_names_the_field(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"learning_rate": 50.0}))
    line = one_line_error(run_cli("--config", str(path)))
    assert "learning_rate" in line and "50" in line


@pytest.mark.parametrize(("content", "words"), [
    ({"lerning_rate": 0.1}, ("lerning_rate", "did you mean learning_rate")),
    ({"hidden": "64"}, ("hidden", "'64'")),
    ({"epochs": 10.5}, ("epochs", "10.5", "whole number", "1..1000000")),
    ({"schema_version": 99}, ("schema_version", "99", "reads 1")),
])
def test_unknown_key_wrong_type_or_schema_is_one_line_naming_it(tmp_path, content, words):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(content))
    line = one_line_error(run_cli("--config", str(path)))
    assert str(path) in line
    for word in words:
        assert word in line, line


def test_config_file_that_is_not_json(tmp_path):
    path = tmp_path / "run.json"
    path.write_text("{not json")
    assert "JSON" in one_line_error(run_cli("--config", str(path)))


def test_missing_config_file(tmp_path):
    line = one_line_error(run_cli("--config", str(tmp_path / "missing.json")))
    assert "missing.json" in line


def test_unknown_export_format(tmp_path):
    line = one_line_error(run_cli("--preset", "ch11-overfit", "--out", str(tmp_path),
                                  "--export", "csv,bmp"))
    assert "bmp" in line


def test_epochs_out_of_range():
    line = one_line_error(run_cli("--preset", "ch11-overfit", "--epochs", "0"))
    assert "epochs" in line


def test_diverging_run_exits_1_and_still_writes_files(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"loss": "mse", "optimizer": "sgd", "learning_rate": 10.0,
                                "init": "he", "decay": 0.0, "samples": 30, "epochs": 2000}))
    result = run_cli("--config", str(path), "--print-every", "0", "--out", str(tmp_path))
    assert result.returncode == 1
    assert "diverged at epoch" in result.stderr and "Traceback" not in result.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["diverged"] is True
    assert metrics["epochs_run"] < 2001
    rows = (tmp_path / "history.csv").read_text().splitlines()
    assert len(rows) == 1 + metrics["epochs_run"]


def test_figure_export_goes_through_the_ui_exporter(tmp_path):
    result = run_cli("--preset", "ch11-overfit", "--epochs", "20", "--print-every", "0",
                     "--out", str(tmp_path), "--export", "png,csv")
    assert result.returncode == 0, result.stderr
    png = (tmp_path / "decision.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert (tmp_path / "history.csv").is_file()
    assert not (tmp_path / "history.json").exists()  # only asked-for formats


def test_export_without_out_is_a_usage_error():
    assert "--out" in one_line_error(run_cli("--preset", "ch11-overfit", "--export", "csv"))


def test_unwritable_output_file_is_one_line_and_exit_1(tmp_path):
    (tmp_path / "history.csv").mkdir()  # a folder where the file must go
    result = run_cli("--preset", "ch11-overfit", "--epochs", "5", "--print-every", "0",
                     "--out", str(tmp_path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "history.csv" in lines[0], result.stderr


# -- the model file and --init-model ---------------------------------------------------
def test_out_writes_a_model_that_continues_where_the_run_stopped(overfit_run):
    from nnfs_gui.core.files.serialization import read_model

    _, out = overfit_run
    saved = read_model(out / "model.npz")
    assert saved.epoch == 10001 and saved.config.name == "ch11-overfit"


@pytest.fixture(scope="module")
def continued_run(tmp_path_factory):
    """ch11-overfit to epoch 2000 into A, then 100 more epochs from A/model.npz into B."""
    a, b = tmp_path_factory.mktemp("A"), tmp_path_factory.mktemp("B")
    first = run_cli("--preset", "ch11-overfit", "--epochs", "2000", "--print-every", "0",
                    "--out", str(a))
    assert first.returncode == 0, first.stderr
    second = run_cli("--init-model", str(a / "model.npz"), "--epochs", "100",
                     "--print-every", "50", "--out", str(b))
    assert second.returncode == 0, second.stderr
    return a, b, second


def test_init_model_continues_the_saved_run(continued_run):
    a, b, result = continued_run
    before, after = History.from_csv(a / "history.csv"), History.from_csv(b / "history.csv")
    # N more epochs, numbered on from the saved one, with the saved optimizer state:
    # the first loss is the last loss of A, not a fresh network's ~1.099 nor a
    # fresh Adam's jump away from the trained weights.
    np.testing.assert_array_equal(after.column("epoch"), np.arange(2001, 2101))
    assert abs(after.column("loss")[0] - before.column("loss")[-1]) \
        < 0.10 * before.column("loss")[-1]
    assert [line.split(",")[0] for line in result.stdout.splitlines()] == [
        "epoch: 2050", "epoch: 2100", "validation"]
    metrics = json.loads((b / "metrics.json").read_text())
    assert metrics["first_epoch"] == 2001 and metrics["epochs_run"] == 100


def test_init_model_and_preset_conflict(continued_run):
    a, _, _ = continued_run
    line = one_line_error(run_cli("--init-model", str(a / "model.npz"),
                                  "--preset", "ch11-generalize"))
    assert "--preset ch11-generalize" in line and "model.npz" in line


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not a zip", b"\x93NUMPY garbage"])
def test_a_bad_model_file_is_one_line_and_exit_2(tmp_path, content):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    assert "broken.npz" in one_line_error(run_cli("--init-model", str(path)))


def test_epochs_per_second_counts_training_time_only(tmp_path):
    start = time.perf_counter()
    result = run_cli("--preset", "ch11-overfit", "--epochs", "300", "--print-every", "0",
                     "--out", str(tmp_path), "--export", "png")
    wall = time.perf_counter() - start
    assert result.returncode == 0, result.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["epochs_per_second"] == pytest.approx(
        metrics["epochs_run"] / metrics["train_seconds"])
    assert metrics["train_seconds"] < wall  # start-up, evaluation and the figures excluded


@pytest.fixture
def tiny_disk(tmp_path):
    with mounted_tiny_disk(tmp_path) as point:
        yield point


def test_pdf_onto_a_full_disk_names_the_pdf_and_leaves_none(tiny_disk):
    fill_leaving(tiny_disk, 40_000)  # room for the data files and the model, not the PDF
    result = run_cli("--preset", "ch11-overfit", "--epochs", "5", "--print-every", "0",
                     "--out", str(tiny_disk), "--export", "pdf")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "dashboard.pdf" in line and "disk is full" in line and "config.json" not in line
    assert sorted(p.name for p in tiny_disk.iterdir()) == [
        "config.json", "filler", "history.csv", "metrics.json", "model.npz"]


# -- the verdict and the epoch convention in metrics.json (issue 11) ---------------------
def _metrics(out: Path) -> dict:
    return json.loads((out / "metrics.json").read_text())


def _last_csv_epoch(out: Path) -> int:
    return int(History.from_csv(out / "history.csv").column("epoch")[-1])


def test_metrics_say_ch11_overfit_overfits_since_its_validation_minimum(overfit_run):
    _, out = overfit_run
    metrics = _metrics(out)
    verdict = metrics["verdict"]
    assert set(verdict) == {"kind", "text", "best_epoch", "rise", "gap_ratio", "since_epoch"}
    assert verdict["kind"] == "overfitting"
    # Since the valley of the validation loss: near its lowest row (the book puts the
    # chapter-11 minimum near epochs 650-1,050), long before the end.
    assert abs(verdict["since_epoch"] - metrics["best_epoch"]) <= 250
    assert verdict["since_epoch"] < 1100
    assert verdict["rise"] > 0.10 and verdict["gap_ratio"] > 1.1
    assert verdict["text"].startswith(f"Overfitting since epoch {verdict['since_epoch']:,}")


def test_metrics_do_not_call_ch11_generalize_overfitting(generalize_run):
    _, out = generalize_run
    verdict = _metrics(out)["verdict"]
    assert verdict["kind"] != "overfitting" and verdict["since_epoch"] is None
    assert "verfitting" not in verdict["text"]


def test_the_last_epoch_is_the_csvs_last_row(overfit_run):
    _, out = overfit_run
    # Limit 10,000: epochs 0..10,000 trained; every place says 10,000.
    assert _metrics(out)["last_epoch"] == _last_csv_epoch(out) == 10_000
    assert _metrics(out)["epochs_run"] == 10_001
