"""``python main.py --headless --own-code FILE.py``, run as a learner runs it: their
classes train in a child process to the app's own book-mode numbers, and whatever
goes wrong in their file comes back as their traceback and an exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nnfs_gui.core.files.serialization import read_model
from tests.owncode.learner_files import planted, with_lines

ROOT = Path(__file__).resolve().parents[2]
RELU_ZEROING = "        self.dinputs[self.inputs <= 0] = 0\n"


def main_py(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), *args]


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(main_py(*args), capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=env)


def test_own_classes_train_in_a_child_to_the_apps_book_mode_run_bit_for_bit(tmp_path):
    marks = tmp_path / "imported-by.txt"
    learner = with_lines(tmp_path, "mine", "import numpy as np\n",
                         f"import os\nwith open({str(marks)!r}, 'a') as f:\n"
                         f"    f.write(f'{{os.getpid()}} {{os.getppid()}}\\n')\n")
    cli = subprocess.Popen(main_py("--headless", "--own-code", str(learner), "--preset",
                                   "book-ch11", "--epochs", "300", "--print-every", "100",
                                   "--out", str(tmp_path / "mine-out")),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    out, err = cli.communicate(timeout=120)
    assert cli.returncode == 0, err
    app = run("--headless", "--preset", "book-ch11", "--epochs", "300", "--print-every", "100",
              "--out", str(tmp_path / "app-out"))
    assert app.returncode == 0, app.stderr
    assert out == app.stdout and out.startswith("epoch: 0, acc: 0.360, loss: 1.099, lr: 0.05")
    mine_dir, app_dir = tmp_path / "mine-out", tmp_path / "app-out"
    assert (mine_dir / "history.csv").read_bytes() == (app_dir / "history.csv").read_bytes()
    ours, theirs = (json.loads((d / "metrics.json").read_text()) for d in (mine_dir, app_dir))
    for key in ("final_train_loss", "final_val_loss", "final_val_acc", "best_epoch", "verdict"):
        assert ours[key] == theirs[key]
    saved, reference = read_model(mine_dir / "model.npz"), read_model(app_dir / "model.npz")
    for a, b in zip(saved.model.get_params(), reference.model.get_params(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert saved.model.optimizer.iterations == 301 and saved.epoch == 301
    # Their file ran once, in a process the command line started, never in its own.
    (pid, parent), = [map(int, line.split()) for line in marks.read_text().splitlines()]
    assert pid != cli.pid and parent == cli.pid
    assert "time limit 30 s per epoch" in err


@pytest.mark.parametrize("check", [False, True], ids=["train", "check"])
def test_a_file_that_cannot_load_is_exit_2_with_the_learners_own_traceback(tmp_path, check):
    learner = tmp_path / "broken.py"
    learner.write_text("import numpy as np\n\nscale = 1 / 0\n")
    extra = ["--check"] if check else ["--epochs", "5"]
    result = run("--headless", "--own-code", str(learner), "--preset", "book-ch11", *extra)
    assert result.returncode == 2
    assert f"{learner}: loading it raised ZeroDivisionError: division by zero" in result.stderr
    assert f'File "{learner}", line 3, in <module>' in result.stderr
    assert "nnfs_gui" not in result.stderr   # no frame of the app's own


def test_a_missing_class_is_named_with_the_setting_that_needs_it(tmp_path):
    learner = planted(tmp_path, "no_adam", [("class Optimizer_Adam:", "class Optimizer_Adamm:")])
    result = run("--headless", "--own-code", str(learner), "--preset", "book-ch11",
                 "--epochs", "5")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == \
        f"nnfs-gui: {learner}: your file has no Optimizer_Adam; the settings use Adam"


def test_an_error_while_training_is_their_traceback_with_the_epoch_and_exit_1(tmp_path):
    learner = with_lines(tmp_path, "fails_later", RELU_ZEROING,
                         "        self.calls = getattr(self, 'calls', 0) + 1\n"
                         "        if self.calls > 4:\n"
                         "            raise ValueError('my bug')\n")
    result = run("--headless", "--own-code", str(learner), "--preset", "book-ch11",
                 "--epochs", "50", "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert ("nnfs-gui: fails_later.py: Activation_ReLU.backward raised ValueError: my bug "
            "(epoch 4)") in result.stderr
    line = 1 + learner.read_text().splitlines().index("            raise ValueError('my bug')")
    assert f'File "{learner}", line {line}, in backward' in result.stderr
    assert "nnfs_gui" not in result.stderr


def test_an_endless_epoch_is_stopped_at_the_time_limit(tmp_path):
    learner = with_lines(tmp_path, "endless", RELU_ZEROING,
                         "        self.calls = getattr(self, 'calls', 0) + 1\n"
                         "        while self.calls > 2:\n"
                         "            pass\n")
    start = time.perf_counter()
    result = run("--headless", "--own-code", str(learner), "--preset", "book-ch11",
                 "--epochs", "20", "--time-limit", "0.5")
    assert result.returncode == 1
    assert time.perf_counter() - start < 30
    assert ("Activation_ReLU.backward was stopped: one epoch of your code took longer than "
            "the time limit of 0.5 s (epoch 2)") in result.stderr
    assert "stopped here by the time limit" in result.stderr


@pytest.mark.parametrize("args, words", [
    (["--own-code", "x.py"], "the window cannot run your classes yet; add --headless"),
    (["--headless", "--check"], "--check and --time-limit go with --own-code FILE.py"),
    (["--headless", "--own-code", "x.py", "--check", "--out", "d"], "drop --out"),
    (["--headless", "--own-code", "x.py", "--time-limit", "0"], "--time-limit 0: expected"),
])
def test_usage_errors_are_one_line_and_exit_2(args, words):
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == "" and result.stderr.count("\n") == 1 and words in result.stderr


def test_the_help_says_the_file_runs_as_python_code():
    text = run("--help").stdout
    assert "loading FILE.py runs it as Python code" in " ".join(text.split())
