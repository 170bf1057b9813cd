"""``python main.py --headless --sweep``, run as a user runs it."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"base": "ch11-overfit", "vary": {"width": [4, 64]}, "seeds": [0, 1], "epochs": 150}


def sweep_cli(tmp_path, spec, *extra: str, **kw):
    path = tmp_path / "sweep.in.json"
    path.write_text(spec if isinstance(spec, str) else json.dumps(spec))
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "QT_QPA_PLATFORM": "offscreen"}
    cmd = [sys.executable, str(ROOT / "main.py"), "--headless", "--sweep", str(path),
           "--out", str(tmp_path / "out"), *extra]
    return cmd, env


def run(tmp_path, spec, *extra):
    cmd, env = sweep_cli(tmp_path, spec, *extra)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)


def picture(path: Path) -> QImage:
    image = QImage(str(path))
    assert not image.isNull(), path
    return image


def distinct_colors(image: QImage, step: int = 7) -> int:
    return len({image.pixel(x, y) for x in range(0, image.width(), step)
                for y in range(0, image.height(), step)})


def test_small_sweep_writes_five_files_with_sensible_content(tmp_path):
    done = run(tmp_path, SMALL)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "curve.png", "grid.png", "results.csv", "results.json", "sweep.json"]
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert [(r["width"], r["seed"]) for r in rows] == [("4", "0"), ("4", "1"),
                                                         ("64", "0"), ("64", "1")]
    assert json.loads((out / "results.json").read_text())["complete"] is True
    assert "sweep: 4/4 runs done" in done.stderr
    curve, grid = picture(out / "curve.png"), picture(out / "grid.png")
    assert curve.width() >= 800 and curve.height() >= 300
    assert grid.width() >= 600 and grid.height() >= 300  # four pictures, two rows
    assert distinct_colors(curve) > 5    # lines in three colours over white
    assert distinct_colors(grid) > 50    # regions shaded by confidence, points


@pytest.mark.parametrize(("spec", "extra", "words"), [
    ('{"base": "ch11-overfit", "vary": {"hiden": [[4]]}}', (), "hidden"),
    ("{not json", (), "not valid JSON"),
    (SMALL, ("--scheduler", "localhost"), "tcp://"),
])
def test_bad_sweep_or_scheduler_is_one_line_and_exit_2(tmp_path, spec, extra, words):
    done = run(tmp_path, spec, *extra)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr
    assert not (tmp_path / "out" / "results.csv").exists()


def test_ctrl_c_cancels_leaves_no_child_and_writes_finished_runs(tmp_path):
    psutil = pytest.importorskip("psutil")
    spec = {"base": "ch11-overfit", "vary": {"epochs": [5, 400_000]}, "seeds": [0]}
    cmd, env = sweep_cli(tmp_path, spec)
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    me = psutil.Process(proc.pid)
    lines = []
    for line in proc.stderr:  # wait for the quick run
        lines.append(line)
        if line.startswith("sweep: 1/2"):
            break
    workers = [p for p in me.children(recursive=True)]
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 130, "".join(lines) + rest
    deadline = time.monotonic() + 10
    while any(p.is_running() and p.status() != "zombie" for p in workers) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(p.is_running() and p.status() != "zombie" for p in workers)
    rows = list(csv.DictReader((tmp_path / "out" / "results.csv").open()))
    assert [r["epochs"] for r in rows] == ["5"]
    assert json.loads((tmp_path / "out" / "results.json").read_text())["complete"] is False
    assert (tmp_path / "out" / "grid.png").exists()
