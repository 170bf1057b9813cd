"""The learner's classes behind the Trainer and the training process (the hook the
window will use: ``StartRun(..., own_code=OwnCode(path))``): the app's book-mode
numbers, live changes, numpy left as it was, and models that leave the process
without the learner's file."""

from __future__ import annotations

import pickle
import time

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files import paths
from nnfs_gui.core.learner.sandbox import OwnCode
from nnfs_gui.core.net.model import Model
from nnfs_gui.training.process import protocol as p
from nnfs_gui.training.process.loop import spawn
from nnfs_gui.training.process.protocol import EpochView, Frame, ModelState, RunPoints
from nnfs_gui.training.run.history import COLUMNS
from nnfs_gui.training.run.trainer import Trainer
from tests.owncode.learner_files import BOOK_CLASSES, with_lines
from tests.training.test_loop import Driver

OWN = OwnCode(str(BOOK_CLASSES))


def preset(name: str, **changes) -> Config:
    return Config.load(paths.presets_dir() / f"{name}.json").replace(**changes)


def assert_same_history(mine: Trainer, app: Trainer) -> None:
    for column in COLUMNS:
        np.testing.assert_array_equal(mine.history.column(column), app.history.column(column),
                                      err_msg=column)


@pytest.mark.parametrize("name, epochs, changes", [
    ("book-ch14", 100, {}), ("book-ch15", 20, {}), ("book-ch16", 100, {}),
    ("book-ch15", 10, {"samples": 200, "batch_size": 128}),
    ("book-ch11", 30, {"optimizer": "rmsprop", "learning_rate": 0.01, "hidden": (16, 8),
                       "activation": "sigmoid", "loss": "mse", "l1_weight": 1e-4}),
    ("book-ch11", 30, {"optimizer": "adagrad", "loss": "mae", "l1_bias": 1e-4}),
], ids=["ch14", "ch15", "ch16", "ch15-mini-batches", "rmsprop-sigmoid-mse-l1",
        "adagrad-mae"])
def test_book_presets_reproduce_the_apps_book_mode_bit_for_bit(name, epochs, changes):
    config = preset(name, epochs=epochs, **changes)
    mine, app = Trainer(config, own_code=OWN), Trainer(config)
    mine.train(epochs + 1)
    app.train(epochs + 1)
    assert mine.finished and len(mine.history) == epochs + 1
    assert_same_history(mine, app)
    # With dropout (ch. 15) the test data are drawn after training, from the same stream.
    assert mine.evaluate_final() == app.evaluate_final()
    for a, b in zip(mine.model.get_params(), app.model.get_params(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_live_changes_apply_as_the_apps_do():
    config = preset("book-ch11", epochs=100)
    changes = [config.replace(learning_rate=0.02, l2_weight=5e-4, dropout=0.1),
               config.replace(optimizer="sgd", learning_rate=0.5, momentum=0.5),
               config.replace(optimizer="sgd", learning_rate=0.3, momentum=0.5, decay=1e-3)]
    mine, app = Trainer(config, own_code=OWN), Trainer(config)
    for change in [None, *changes]:
        for trainer in (mine, app):
            if change is not None:
                trainer.apply_live(change)
            trainer.train(10)
    assert len(mine.history) == 40
    assert_same_history(mine, app)


def test_numpy_is_as_it_was_whatever_the_learners_code_does_to_it(tmp_path):
    # A file that patches numpy as nnfs.init() does, at the top and in a forward.
    meddling = ("np.random.seed(123)\n"
                "np.dot = lambda *args: 'patched'\n"
                "np.zeros = np.ones\n")
    learner = with_lines(tmp_path, "meddling", "import numpy as np\n", meddling)
    plain = (np.dot, np.zeros, np.eye, np.random.randn, np.random.binomial)
    before = np.random.get_state()
    mine = Trainer(preset("book-ch15", samples=20, epochs=5), own_code=OwnCode(str(learner)))
    mine.train(6)
    assert (np.dot, np.zeros, np.eye, np.random.randn, np.random.binomial) == plain
    after = np.random.get_state()
    assert np.array_equal(before[1], after[1]) and before[2:] == after[2:]
    assert np.zeros(2).dtype == np.float64 and np.dot([1.0], [2.0]) == 2.0


def test_the_loop_trains_own_code_and_hands_out_the_apps_model():
    config = preset("book-ch11", epochs=50)
    d = Driver()
    d.send(p.SetGrid(20))
    d.send(p.StartRun(1, config, own_code=OWN))
    d.send(p.Step(8))
    d.ticks(20)
    d.send(p.RequestModel(request_id=7))
    d.send(p.ShowEpoch(1, 3, 20, request_id=9))
    d.ticks(2)
    assert type(d.sent[0]) is RunPoints and not any(f.error for f in d.frames)
    rows = {c: np.concatenate([f.rows[c] for f in d.frames if f.rows]) for c in COLUMNS}
    app = Trainer(config)
    app.train(8)
    for column in COLUMNS:
        np.testing.assert_array_equal(rows[column], app.history.column(column))
    view, = d.of(EpochView)   # the cursor: their network at an earlier epoch
    assert view.exact and view.grid.shape == (20, 20, 3) and view.row["epoch"] == 3
    np.testing.assert_allclose(view.grid.sum(axis=2), 1, rtol=1e-5)
    answer, = d.of(ModelState)
    assert answer.request_id == 7 and type(answer.saved.model) is Model
    blob = pickle.dumps(answer.saved)   # what crosses to the window: no learner class
    assert b"nnfs_gui_learner" not in blob and b"Layer_Dense" not in blob
    for a, b in zip(pickle.loads(blob).model.get_params(), app.model.get_params(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_training_process_reports_a_broken_file_with_its_traceback_then_trains(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("import numpy as np\n\n\nnp.nothing_here()\n")
    config = preset("book-ch11", epochs=20)
    proc, conn = spawn()
    try:
        conn.send((1, p.StartRun(1, config, own_code=OwnCode(str(broken)))))
        error = receive(conn, lambda m: isinstance(m, Frame) and m.error)
        assert error.run_id == 1 and error.error.startswith(f"{broken}: loading it raised "
                                                              f"AttributeError")
        assert f'File "{broken}", line 4, in <module>' in error.error
        conn.send((2, p.Ack()))
        conn.send((3, p.StartRun(2, config, own_code=OWN)))
        conn.send((4, p.Step(3)))
        frame = receive(conn, lambda m: isinstance(m, Frame) and m.run_id == 2 and
                        m.epoch == 3, ack=True)
        assert not frame.error and frame.playing is False
        conn.send((5, p.Quit()))
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        conn.close()


def receive(conn, wanted, ack: bool = False, timeout: float = 30.0):
    """The first message ``wanted`` accepts (frames acknowledged when ``ack``)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if conn.poll(0.1):
            message = conn.recv()
            if wanted(message):
                return message
            if ack and isinstance(message, Frame):
                conn.send((0, p.Ack()))
    raise AssertionError("no such message from the training process")
