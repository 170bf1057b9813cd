"""Trainer: training, the epoch limit, live changes, divergence, the decision grid."""

import math

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.paths import presets_dir
from nnfs_gui.training.run.history import COLUMNS
from nnfs_gui.training.run.trainer import Trainer, data_extent


def tiny(**changes) -> Config:
    base = dict(name="tiny", samples=30, hidden=(32,), epochs=199, learning_rate=0.05)
    base.update(changes)
    return Config(**base)


@pytest.fixture(scope="module")
def trained():
    """One tiny run trained to its limit, shared by the read-only tests."""
    trainer = Trainer(tiny())
    trainer.train(10_000)
    return trainer


def test_loss_falls_and_history_fills(trained):
    loss = trained.history.column("loss")
    assert len(loss) == trained.epoch
    assert loss[-1] < 0.85 * loss[0]
    assert trained.history.column("val_loss").shape == loss.shape
    np.testing.assert_array_equal(trained.history.column("epoch"), np.arange(trained.epoch))


def test_run_stops_after_the_last_epoch(trained):
    # epochs=199 means epochs 0..199, as the book's range(epochs + 1)
    assert trained.epoch == 200
    assert trained.finished
    assert trained.train(5) == 0
    assert trained.epoch == 200


def test_train_returns_how_many_epochs_ran():
    trainer = Trainer(tiny(epochs=9))
    assert trainer.train(4) == 4
    assert trainer.epoch == 4 and not trainer.finished
    assert trainer.train(100) == 6
    assert trainer.finished


def test_first_row_is_the_untrained_network():
    trainer = Trainer(tiny())
    trainer.train(1)
    # book init: tiny weights, so every class gets ~1/3 and the loss is ~ln(3)
    assert trainer.history.column("loss")[0] == pytest.approx(math.log(3), abs=0.01)
    assert trainer.history.column("val_loss")[0] == pytest.approx(math.log(3), abs=0.01)


def test_a_row_holds_train_and_validation_metrics_of_the_same_weights():
    trainer = Trainer(tiny())
    trainer.train(5)
    # the weights epoch 5 starts from, scored before it updates them
    data_loss, acc = trainer.model.evaluate(trainer.x_train, trainer.y_train)
    val_loss, val_acc = trainer.model.evaluate(trainer.x_val, trainer.y_val)
    trainer.train(1)
    row = trainer.history.last()
    assert row["epoch"] == 5
    assert row["data_loss"] == pytest.approx(data_loss, rel=1e-6)
    assert row["acc"] == pytest.approx(acc)
    assert row["val_loss"] == pytest.approx(val_loss, rel=1e-6)
    assert row["val_acc"] == pytest.approx(val_acc)


def test_scaler_is_fitted_on_training_data_and_augmentation_touches_only_training():
    trainer = Trainer(tiny(scaler="maxabs", augment_copies=2, augment_jitter=0.3))
    n_train, n_val = len(trainer.split.x_train), len(trainer.split.x_val)
    assert trainer.x_train.shape == (3 * n_train, 2)
    assert trainer.x_val.shape == (n_val, 2)
    # the originals come first and reach exactly 1 in max |x| per feature
    np.testing.assert_allclose(np.abs(trainer.x_train[:n_train]).max(axis=0), 1.0)
    np.testing.assert_allclose(trainer.x_val * np.abs(trainer.split.x_train).max(axis=0),
                               trainer.split.x_val, rtol=1e-6)


def test_lr_column_records_the_decayed_rate():
    trainer = Trainer(tiny(decay=1e-2, epochs=20))
    trainer.train(21)
    lr = trainer.history.column("lr")
    expected = 0.05 / (1 + 1e-2 * np.arange(21))
    np.testing.assert_allclose(lr, expected, rtol=1e-12)


def test_apply_live_changes_the_learning_rate():
    trainer = Trainer(tiny(decay=0.0))
    trainer.train(3)
    trainer.apply_live(trainer.config.replace(learning_rate=0.001))
    trainer.train(2)
    assert trainer.history.column("lr")[-1] == pytest.approx(0.001)
    assert trainer.config.learning_rate == 0.001


def test_apply_live_refuses_restart_fields():
    trainer = Trainer(tiny())
    with pytest.raises(ValueError, match="hidden") as info:
        trainer.apply_live(trainer.config.replace(hidden=(8,), seed=3, learning_rate=0.01))
    assert "seed" in str(info.value)
    assert trainer.config.learning_rate == 0.05  # nothing applied


def test_best_epoch_is_argmin_of_val_loss(trained):
    val = trained.history.column("val_loss")
    assert trained.best_epoch() == int(np.argmin(val))
    assert Trainer(tiny()).best_epoch() is None


def test_same_seed_same_run():
    a, b = Trainer(tiny(epochs=30)), Trainer(tiny(epochs=30))
    a.train(31)
    b.train(31)
    np.testing.assert_array_equal(a.history.column("loss"), b.history.column("loss"))


# -- divergence ----------------------------------------------------------------------
def test_divergence_with_huge_learning_rate_stops_cleanly():
    cfg = tiny(loss="mse", optimizer="sgd", learning_rate=10.0, init="he", decay=0.0,
               epochs=2000)
    trainer = Trainer(cfg)
    trainer.train(2001)
    assert trainer.diverged and not trainer.finished
    e = trainer.epoch
    assert f"epoch {e}" in trainer.message
    assert all(np.isfinite(p).all() for p in trainer.model.get_params())
    assert np.isfinite(trainer.history.column("loss")).all()
    assert trainer.train(10) == 0


def test_injected_nan_restores_the_weights_before_the_bad_step():
    trainer = Trainer(tiny())
    trainer.train(4)  # epochs 0..3
    start_of_epoch_4 = trainer.model.get_params()
    trainer.train(1)  # epoch 4 trains from those weights
    # as if update 4 had blown up: epoch 5 starts from non-finite weights
    trainer.model.set_params([p * np.inf for p in trainer.model.get_params()])
    assert trainer.train(3) == 0
    assert trainer.diverged
    assert "epoch 5" in trainer.message
    assert trainer.epoch == 5
    for got, want in zip(trainer.model.get_params(), start_of_epoch_4, strict=True):
        np.testing.assert_array_equal(got, want)


# -- snapshots -----------------------------------------------------------------------
def test_snapshots_drop_no_rows():
    trainer = Trainer(tiny(epochs=60))
    parts = []
    for chunk in (1, 7, 0, 13, 2, 100):
        trainer.train(chunk)
        parts.append(trainer.snapshot(grid_size=None).history)
    epochs = np.concatenate([p["epoch"] for p in parts])
    np.testing.assert_array_equal(epochs, np.arange(61))
    loss = np.concatenate([p["loss"] for p in parts])
    np.testing.assert_array_equal(loss, trainer.history.column("loss"))
    assert set(parts[0]) == set(COLUMNS)


def test_snapshot_is_read_only_and_flags_state():
    trainer = Trainer(tiny(epochs=5))
    trainer.train(6)
    snap = trainer.snapshot(grid_size=12)
    assert snap.finished and not snap.diverged
    assert snap.epoch == 6 and snap.run_id == 0
    assert snap.grid.shape == (12, 12, 3) and snap.grid.dtype == np.float32
    assert not snap.grid.flags.writeable
    assert not snap.history["loss"].flags.writeable
    with pytest.raises(AttributeError):
        snap.epoch = 3
    assert snap.learning_rate == pytest.approx(trainer.history.column("lr")[-1])


# -- decision grid -------------------------------------------------------------------
class QuadrantModel:
    """Stand-in model: class 0 where x > 0, class 1 where y > 0 (any scaler)."""

    def predict_proba(self, x):
        p = np.stack([x[:, 0] > 0, x[:, 1] > 0, np.zeros(len(x), bool)], axis=1)
        return p.astype(np.float32)


def test_grid_rows_run_up_in_y_and_columns_right_in_x():
    trainer = Trainer(tiny(scaler="maxabs"))
    trainer.model = QuadrantModel()
    grid = trainer.grid_probabilities(9, extent=(-1.0, 1.0, -2.0, 2.0))
    assert grid.shape == (9, 9, 3) and grid.dtype == np.float32
    # class 0 (x > 0): right half of every row
    np.testing.assert_array_equal(grid[:, :, 0], np.tile(np.arange(9) > 4, (9, 1)))
    # class 1 (y > 0): top rows, i.e. the rows with high index
    np.testing.assert_array_equal(grid[:, :, 1], np.tile(np.arange(9) > 4, (9, 1)).T)


def test_grid_of_a_trained_left_right_model_differs_left_and_right():
    trainer = Trainer(Config(dataset="vertical", classes=2, samples=50, hidden=(8,),
                             epochs=300, learning_rate=0.05))
    trainer.train(301)
    grid = trainer.grid_probabilities(40)
    left, right = grid[:, :5].mean(axis=(0, 1)), grid[:, -5:].mean(axis=(0, 1))
    assert left.argmax() != right.argmax()
    assert abs(left[0] - right[0]) > 0.5
    np.testing.assert_allclose(grid.sum(axis=2), 1.0, atol=1e-5)


def test_grid_in_chunks_matches_one_pass(monkeypatch):
    trainer = Trainer(tiny(epochs=20))
    trainer.train(21)
    whole = trainer.grid_probabilities(30)
    monkeypatch.setattr("nnfs_gui.training.run.trainer.GRID_CHUNK_POINTS", 70)
    np.testing.assert_allclose(trainer.grid_probabilities(30), whole, rtol=1e-6)


def test_extent_is_the_data_box_plus_ten_percent():
    a = np.array([[0.0, -1.0], [2.0, 1.0]], np.float32)
    b = np.array([[1.0, 3.0]], np.float32)
    assert data_extent(a, b) == pytest.approx((-0.2, 2.2, -1.4, 3.4))


def test_book_mode_rows_match_the_books_printed_numbers():
    trainer = Trainer(Config.load(presets_dir() / "book-ch11.json"))
    trainer.train(101)
    h = trainer.history
    assert f"{h.column('acc')[0]:.3f} {h.column('loss')[0]:.3f}" == "0.360 1.099"
    assert f"{h.column('acc')[100]:.3f} {h.column('loss')[100]:.3f}" == "0.670 0.705"
    assert repr(float(h.column("lr")[99])) == "0.04999752512250644"  # shown at epoch 100


def test_a_run_given_its_own_configs_points_is_the_same_run():
    """Compare's B trains on A's points (StartRun carries A's split): with A's settings it
    must be A, epoch for epoch, and a sweep's run opened as B must repeat its row."""
    import numpy as np

    config = Config(name="same", samples=40, hidden=(16,), epochs=60)
    a = Trainer(config)
    b = Trainer(config, split=a.split)
    a.train(60)
    b.train(60)
    for column in ("loss", "val_loss", "acc"):
        np.testing.assert_array_equal(a.history.column(column), b.history.column(column))
