"""Long epochs that stop when asked, divergence that recovers, and a training process
that does not outlive its window (issue 14)."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nnfs_gui.core.files.presets import load_preset
from nnfs_gui.training.run import trainer as trainer_module
from nnfs_gui.training.run.trainer import Trainer

ROOT = Path(__file__).resolve().parents[2]
# Measured: SGD at learning rate 10 on the MSE loss diverges at epoch 25 (loss 1e35).
DIVERGING = load_preset("ch11-overfit").replace(optimizer="sgd", learning_rate=10.0,
                                                loss="mse")


def test_an_epoch_cut_short_leaves_no_trace(monkeypatch):
    """Mini-batches update as they go: a cut epoch restores weights and optimizer."""
    monkeypatch.setattr(trainer_module, "LONG_EPOCH_SECONDS", 0.0)  # every epoch is long
    t = Trainer(load_preset("ch11-overfit").replace(batch_size=32))
    t.train(3)
    before = t.model.get_params(), t.model.optimizer_state()
    asked = []
    done = t.train(1, should_stop=lambda: asked.append(1) or len(asked) >= 4)
    assert (done, t.interrupted, t.epoch, len(asked)) == (0, True, 3, 4)
    for p0, p1 in zip(before[0], t.model.get_params(), strict=True):
        np.testing.assert_array_equal(p0, p1)
    after = t.model.optimizer_state()
    assert after["iterations"] == before[1]["iterations"]
    for slot, arrays in before[1]["arrays"].items():
        for a0, a1 in zip(arrays, after["arrays"][slot], strict=True):
            np.testing.assert_array_equal(a0, a1)
    assert t.train(2, should_stop=lambda: False) == 2 and not t.interrupted


def test_divergence_restores_sane_weights_and_play_trains_on():
    t = Trainer(DIVERGING)
    t.train(200)
    assert t.diverged
    best = float(np.min(t.history.column("loss")))
    final = t.evaluate_final()
    # The restored weights' loss is finite and near the run's best (not 1e35).
    assert math.isfinite(final["loss"]) and final["loss"] <= 10 * best
    assert "restored the weights of epoch" in t.message
    epoch = t.epoch
    t.apply_live(t.config.replace(learning_rate=0.01))
    t.resume_after_divergence()
    assert not t.diverged and t.message == "" and t.model.optimizer.iterations == 0
    assert t.train(20) == 20 and t.epoch == epoch + 20
    assert t.history.column("loss")[-1] < final["loss"]


SPAWNER = r"""
import socket, subprocess, sys, time
mine, child_end = socket.socketpair()
code = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
        "from nnfs_gui.training.process.loop import main; sys.exit(main())")
child = subprocess.Popen([sys.executable, "-c", code, sys.argv[1], str(child_end.fileno())],
                         pass_fds=[child_end.fileno()])
# A second holder of this end keeps the socket open after this process dies: only
# the parent-death signal can end the child then.
holder = subprocess.Popen(["sleep", "60"], pass_fds=[mine.fileno()])
print(child.pid, holder.pid, flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG")
def test_the_training_process_ends_with_its_parent():
    spawner = subprocess.Popen([sys.executable, "-c", SPAWNER, str(ROOT)],
                               stdout=subprocess.PIPE, text=True)
    child, holder = map(int, spawner.stdout.readline().split())
    try:
        time.sleep(1.0)   # the child is up and idling in its loop
        assert _alive(child)
        spawner.send_signal(signal.SIGKILL)
        spawner.wait()
        deadline = time.monotonic() + 20
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child)
    finally:
        for pid in (child, holder):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
