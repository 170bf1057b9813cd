"""Trainer(config, init=SavedModel): a saved run continues where it stopped (issue 10).

The case of the issue: ch11-overfit (Adam, lr 0.05) trained 2,000 epochs, saved, read
back and continued. With a fresh optimizer the first update wrecks the model (loss
0.10 -> 4.2 in the window); with the saved state it goes on as if never interrupted.
"""

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.paths import presets_dir
from nnfs_gui.core.files.serialization import read_model, save_model
from nnfs_gui.core.net.optimizers import optimizer_from_config
from nnfs_gui.training.run.trainer import Trainer

SAVED_EPOCHS = 2000
CONTINUED = 20


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory):
    """(the trainer that ran 2,000 epochs and 20 more, the SavedModel at epoch 2,000)."""
    config = Config.load(presets_dir() / "ch11-overfit.json")
    trainer = Trainer(config)
    assert trainer.train(SAVED_EPOCHS) == SAVED_EPOCHS
    path = save_model(tmp_path_factory.mktemp("run") / "a.npz", trainer.model,
                      trainer.config, trainer.scaler, epoch=trainer.epoch)
    trainer.train(CONTINUED)  # the uninterrupted run, for comparison
    return trainer, read_model(path)


def largest_rise(losses, reference) -> float:
    """How far above `reference` the losses go, as a fraction (falling is fine: the run
    keeps learning). The first row cannot show a broken optimizer (no update happened
    between the save and its forward pass), so the rows after it are checked too."""
    return float(np.max(np.asarray(losses) / reference - 1))


def test_continued_run_stays_within_10_percent_of_the_saved_loss(saved_run):
    first, saved = saved_run
    last_saved_loss = first.history.column("loss")[SAVED_EPOCHS - 1]
    run = Trainer(saved.config, init=saved)
    assert run.epoch == run.start_epoch == SAVED_EPOCHS and len(run.history) == 0
    assert run.train(CONTINUED) == CONTINUED
    assert abs(run.history.column("loss")[0] / last_saved_loss - 1) < 0.10
    assert largest_rise(run.history.column("loss"), last_saved_loss) < 0.10
    np.testing.assert_array_equal(run.history.column("epoch"),
                                  np.arange(SAVED_EPOCHS, SAVED_EPOCHS + CONTINUED))
    assert run.epoch == run.start_epoch + len(run.history) == SAVED_EPOCHS + CONTINUED


def test_fresh_adam_breaks_that_bound(saved_run):
    """What the saved state prevents (the old behaviour): the test above can fail."""
    first, saved = saved_run
    last_saved_loss = first.history.column("loss")[SAVED_EPOCHS - 1]
    run = Trainer(saved.config, init=saved)
    run.model.optimizer = optimizer_from_config(saved.config)
    run.train(CONTINUED)
    assert abs(run.history.column("loss")[0] / last_saved_loss - 1) < 0.10
    assert largest_rise(run.history.column("loss"), last_saved_loss) > 0.10


def test_continued_run_equals_the_uninterrupted_one(saved_run):
    """Same seed => same points; weights, moments, iteration count and learning-rate
    decay all restored: the continued rows are the uninterrupted run's rows."""
    first, saved = saved_run
    run = Trainer(saved.config, init=saved)
    np.testing.assert_array_equal(run.split.x_train, first.split.x_train)
    np.testing.assert_array_equal(run.x_val, first.x_val)
    run.train(CONTINUED)
    for column in ("epoch", "loss", "acc", "val_loss", "val_acc", "lr"):
        np.testing.assert_allclose(run.history.column(column),
                                   first.history.column(column)[SAVED_EPOCHS:], rtol=1e-6)


def test_epoch_limit_counts_from_the_saved_epoch(saved_run):
    _, saved = saved_run
    run = Trainer(saved.config.replace(epochs=SAVED_EPOCHS + 4, learning_rate=0.01),
                  init=saved)
    assert run.model.optimizer.iterations == SAVED_EPOCHS  # state kept, new live rate
    assert run.model.optimizer.learning_rate == 0.01
    assert run.train(100) == 5  # epochs 2000..2004
    assert run.finished and run.epoch == run.total_epochs == SAVED_EPOCHS + 5
    assert Trainer(saved.config.replace(epochs=SAVED_EPOCHS - 1), init=saved).finished


def test_other_data_or_network_settings_are_refused(saved_run):
    _, saved = saved_run
    with pytest.raises(ValueError, match="seed"):
        Trainer(saved.config.replace(seed=5), init=saved)
