"""Batched engine: a run's numbers do not depend on its batch, and equal the Trainer's."""

from dataclasses import dataclass

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.net.batched import batchable
from nnfs_gui.training.lab.runs import run_batch
from nnfs_gui.training.run.history import COLUMNS
from nnfs_gui.training.run.trainer import Trainer


@dataclass(frozen=True)
class Run:
    index: int
    config: Config
    seed: int
    values: dict


def runs(*changes: dict) -> list[Run]:
    base = Config(samples=40, hidden=(16,), epochs=120, learning_rate=0.05)
    out = []
    for i, change in enumerate(changes):
        config = base.replace(**change)
        out.append(Run(i, config, config.seed, {}))
    return out


MIXED = runs({"seed": 0}, {"seed": 1, "l2_weight": 1e-3, "l2_bias": 1e-3},
             {"seed": 2, "learning_rate": 0.01, "decay": 1e-3},
             {"seed": 3, "l1_weight": 1e-4, "epochs": 60}, {"seed": 4, "beta1": 0.8})


def same_run(a, b) -> bool:
    return all(np.array_equal(a.history[c], b.history[c]) for c in COLUMNS) and \
        all(np.array_equal(x, y) for x, y in zip(a.params_final, b.params_final, strict=True)) \
        and all(np.array_equal(x, y) for x, y in zip(a.params_best, b.params_best, strict=True))


def test_a_run_in_a_batch_equals_the_run_alone_bit_for_bit():
    together = run_batch(MIXED)
    alone = [run_batch([run])[0] for run in MIXED]
    for a, b in zip(together, alone, strict=True):
        assert same_run(a, b)
    # a shorter run left the batch early; the others were not disturbed
    assert together[3].epochs_run == 61 and together[0].epochs_run == 121


@pytest.mark.parametrize("changes", [{}, {"optimizer": "sgd", "learning_rate": 0.5,
                                          "momentum": 0.9},
                                     {"activation": "tanh", "hidden": (8, 8)}])
def test_batched_history_equals_the_trainers_bit_for_bit(changes):
    run = runs({"seed": 5, "l2_weight": 5e-4, **changes})[0]
    assert batchable(run.config)
    result = run_batch([run])[0]
    trainer = Trainer(run.config)
    trainer.train(trainer.total_epochs)
    for column in COLUMNS:
        assert np.array_equal(result.history[column], trainer.history.column(column)), column
    for mine, theirs in zip(result.params_final, trainer.model.get_params(), strict=True):
        assert np.array_equal(mine, theirs)


def test_unbatchable_runs_train_with_the_trainer():
    run = runs({"seed": 1, "batch_size": 32, "epochs": 20})[0]
    assert not batchable(run.config)
    result = run_batch([run])[0]
    trainer = Trainer(run.config)
    trainer.train(trainer.total_epochs)
    assert np.array_equal(result.history["val_loss"], trainer.history.column("val_loss"))
