"""The verdict on real chapter-11 runs and on synthetic curves (edge cases, spikes)."""

import json
import math

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.paths import presets_dir
from nnfs_gui.training.history import COLUMNS
from nnfs_gui.training.trainer import Trainer
from nnfs_gui.training.verdict import (
    GENERALIZING,
    KINDS,
    NOT_LEARNING,
    OVERFITTING,
    STILL_FALLING,
    Verdict,
    judge,
    smoothing_window,
)


def preset(name: str, **changes) -> Config:
    config = Config.load(presets_dir() / f"{name}.json")
    return config.replace(**changes) if changes else config


def columns(trainer: Trainer) -> dict[str, np.ndarray]:
    return {name: np.array(trainer.history.column(name)) for name in COLUMNS}


# -- real runs -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def overfit_run():
    """ch11-overfit judged at 101 epochs (validation loss still falling) and at the end."""
    trainer = Trainer(preset("ch11-overfit"))
    trainer.train(101)
    early = judge(columns(trainer), 3)
    trainer.train(trainer.total_epochs)
    return trainer, early, judge(columns(trainer), 3)


def test_a_fresh_model_after_one_epoch_is_not_learning_yet():
    trainer = Trainer(preset("ch11-overfit"))
    trainer.train(1)
    verdict = judge(columns(trainer), 3)
    assert verdict.kind == NOT_LEARNING
    assert "Generalizing" not in verdict.text and "-0%" not in verdict.text


def test_a_network_killed_by_learning_rate_10_is_not_learning():
    trainer = Trainer(preset("ch11-overfit", learning_rate=10.0))
    trainer.train(300)
    history = columns(trainer)
    assert np.median(history["acc"][-100:]) < 0.4  # the network is really dead
    verdict = judge(history, 3)
    assert verdict.kind == NOT_LEARNING
    assert "chance (33%)" in verdict.text


def test_ch11_overfit_at_epoch_100_is_still_improving(overfit_run):
    _, early, _ = overfit_run
    assert early.kind == STILL_FALLING
    assert early.since_epoch is None


def test_ch11_overfit_after_its_minimum_is_overfitting_since_then(overfit_run):
    trainer, _, verdict = overfit_run
    assert trainer.epoch == 10_001
    best = trainer.best_epoch()
    assert verdict.kind == OVERFITTING
    assert verdict.best_epoch == best
    # the onset is the valley of the smoothed curve, which holds the raw minimum here
    assert abs(verdict.since_epoch - best) <= smoothing_window(trainer.epoch)
    assert verdict.text.startswith(f"Overfitting since epoch {verdict.since_epoch:,}")
    # the book's run: validation loss ends far above its minimum, training loss far below
    val = trainer.history.column("val_loss")
    assert verdict.rise == pytest.approx(np.median(val[-100:]) / val.min() - 1, rel=0.05)
    assert verdict.rise > 0.5 and verdict.gap_ratio > 5


def test_ch11_generalize_at_10000_epochs_is_not_overfitting():
    trainer = Trainer(preset("ch11-generalize"))
    trainer.train(trainer.total_epochs)
    verdict = judge(columns(trainer), 3)
    assert verdict.kind in (GENERALIZING, STILL_FALLING)
    assert verdict.since_epoch is None
    assert verdict.rise < 0.05
    # its gap (~1.5x) is the book's secondary sign, shown as a ratio, not a percentage
    assert f"{verdict.gap_ratio:.1f}x the training loss" in verdict.text


# -- synthetic curves --------------------------------------------------------------------
def synthetic(val, train=None, acc=0.9, val_acc=0.85) -> dict[str, np.ndarray]:
    val = np.asarray(val, dtype=np.float64)
    n = len(val)
    train = np.linspace(1.0, 0.1, n) if train is None else np.asarray(train, float)
    return {"epoch": np.arange(n), "loss": train, "data_loss": train,
            "reg_loss": np.zeros(n), "acc": np.full(n, acc), "val_loss": val,
            "val_acc": np.full(n, val_acc), "lr": np.full(n, 0.05)}


def u_shaped(n=3000, minimum_at=500):
    """Validation loss falling to 0.5 at ``minimum_at``, then rising linearly to 1.0."""
    e = np.arange(n, dtype=float)
    fall = 0.5 + 0.5 * (1 - e / minimum_at)
    rise = 0.5 + 0.5 * (e - minimum_at) / (n - minimum_at)
    return np.where(e < minimum_at, fall, rise)


@pytest.mark.parametrize("rows", [0, 1, 9])
def test_too_few_rows_is_not_learning_yet(rows):
    verdict = judge(synthetic(np.linspace(1, 0.5, rows)), 3)
    assert verdict.kind == NOT_LEARNING
    assert verdict.best_epoch is None and verdict.rise is None


def test_an_empty_mapping_of_empty_columns_is_fine():
    empty = {name: np.array([]) for name in COLUMNS}
    assert judge(empty, 2).text == "Not learning yet: no epochs trained."


def test_a_clear_rise_after_the_minimum_while_training_falls_is_overfitting():
    verdict = judge(synthetic(u_shaped()), 3)
    assert verdict.kind == OVERFITTING
    assert verdict.since_epoch == 500 and verdict.best_epoch == 500
    # last window's median ~0.99 over the smoothed valley ~0.51 (a V, medians of 100)
    assert 0.9 < verdict.rise < 1.0


def test_rising_validation_with_rising_training_loss_is_not_overfitting():
    val = u_shaped()
    verdict = judge(synthetic(val, train=val / 2), 3)
    assert verdict.kind == GENERALIZING
    assert "unsteady" in verdict.text


def test_a_falling_curve_is_still_falling():
    verdict = judge(synthetic(np.linspace(1.0, 0.4, 2000)), 3)
    assert verdict.kind == STILL_FALLING
    assert verdict.rise == 0.0


def test_a_flat_curve_is_generalizing():
    verdict = judge(synthetic(np.full(2000, 0.4)), 3)
    assert verdict.kind == GENERALIZING
    assert "at its minimum" in verdict.text


def test_an_adam_spike_episode_does_not_read_as_overfitting():
    # as measured in ch11-overfit near epoch 2,490: both losses jump 2-4x for ~30 epochs,
    # here on a plateau reached at epoch 1,000 while training loss keeps falling
    val = np.maximum(np.linspace(1.0, 0.0, 3000), 0.5)
    train = np.linspace(1.0, 0.1, 3000)
    val[-30:] *= 4.0
    train[-30:] *= 4.0
    assert judge(synthetic(val, train), 3).kind == GENERALIZING
    train[-30:] /= 4.0  # a spike of the validation loss alone, as well
    assert judge(synthetic(val, train), 3).kind == GENERALIZING


def test_non_finite_rows_are_ignored():
    val = u_shaped()
    val[::7] = math.nan
    val[-5:] = math.inf
    verdict = judge(synthetic(val), 3)
    assert verdict.kind == OVERFITTING and verdict.since_epoch == 500
    assert math.isfinite(verdict.rise)


def test_all_rows_non_finite_is_not_learning_yet():
    verdict = judge(synthetic(np.full(50, math.nan)), 3)
    assert verdict.kind == NOT_LEARNING


def test_accuracy_near_chance_is_not_learning_for_any_class_count():
    for classes in (2, 3, 8):
        chance = 1 / classes
        dead = synthetic(u_shaped(), acc=chance + 0.02, val_acc=chance)
        alive = synthetic(u_shaped(), acc=chance + 0.2, val_acc=chance + 0.15)
        assert judge(dead, classes).kind == NOT_LEARNING
        assert judge(alive, classes).kind == OVERFITTING


def test_gap_reads_as_a_ratio_never_as_a_percentage():
    texts = {}
    for ratio in (0.5, 1.05, 2.34, 12.4):
        val = np.full(2000, 0.5)
        texts[ratio] = judge(synthetic(val, train=val / ratio), 3).text
    assert "below the training loss" in texts[0.5]
    assert "close to the training loss" in texts[1.05]
    assert "2.3x the training loss" in texts[2.34]
    assert "12x the training loss" in texts[12.4]
    for text in texts.values():
        assert "-0%" not in text and not any(f"{p}%" in text for p in (1141, 240, 1140))


def test_rise_is_written_as_a_percentage_or_a_factor():
    small = judge(synthetic(np.r_[np.full(1500, 0.5), np.full(1500, 0.6)]), 3)
    assert "20% above its minimum" in small.text
    big = judge(synthetic(np.r_[np.full(1500, 0.5), np.full(1500, 1.6)]), 3)
    assert "3.2 times its minimum" in big.text


def test_to_dict_is_json_and_names_every_field():
    verdict = judge(synthetic(u_shaped()), 3)
    data = json.loads(json.dumps(verdict.to_dict(), allow_nan=False))
    assert data["kind"] in KINDS
    assert set(data) == {"kind", "text", "best_epoch", "rise", "gap_ratio", "since_epoch"}
    assert Verdict(**data) == verdict


def test_fewer_than_two_classes_is_an_error():
    with pytest.raises(ValueError, match="n_classes"):
        judge(synthetic(u_shaped()), 1)
