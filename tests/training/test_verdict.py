"""The verdict on real chapter-11 runs and on synthetic curves (edge cases, spikes)."""

import json
import math
import re

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.paths import presets_dir
from nnfs_gui.training.run.history import COLUMNS
from nnfs_gui.training.run.trainer import Trainer
from nnfs_gui.training.run.verdict import (
    BARELY_LEARNING,
    GAP_OVERFIT,
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


def test_a_flat_curve_is_generalizing_with_no_lower_since_its_first_minimum():
    verdict = judge(synthetic(np.full(2000, 0.4), train=np.full(2000, 0.35)), 3)
    assert verdict.kind == GENERALIZING
    # the raw minimum (the curves' marker) is epoch 0, far back: never "at its minimum"
    assert verdict.best_epoch == 0
    assert "no lower since epoch 0 and at its lowest level" in verdict.text
    assert "at its minimum" not in verdict.text


def test_a_recent_minimum_is_at_its_minimum():
    val = np.full(2000, 0.41)
    val[-50] = 0.40
    verdict = judge(synthetic(val, train=np.full(2000, 0.35)), 3)
    assert verdict.kind == GENERALIZING
    assert "at its minimum (epoch 1,950)" in verdict.text


def test_an_adam_spike_episode_does_not_read_as_overfitting():
    # as measured in ch11-overfit near epoch 2,490: both losses jump 2-4x for ~30 epochs,
    # here on a plateau reached at epoch 1,500 while training loss keeps falling a
    # little (a gap of 1.25x: a large gap past the minimum is overfitting by itself)
    val = np.maximum(np.linspace(1.0, 0.0, 3000), 0.5)
    train = np.maximum(np.linspace(1.0, 0.1, 3000), 0.4)
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
    assert KINDS == ("not learning yet", "barely learning", "validation loss still falling",
                     "generalizing", "overfitting")
    assert Verdict(**data) == verdict


def test_fewer_than_two_classes_is_an_error():
    with pytest.raises(ValueError, match="n_classes"):
        judge(synthetic(u_shaped()), 1)


# -- the new-user review: barely learning, the gap, one best epoch, no rows -----------
LOWEST = re.compile(r"(?:lowest at epoch|minimum \(epoch|no lower since epoch|"
                    r"Overfitting since epoch) ([\d,]+)")


def named_epochs(text: str) -> list[int]:
    return [int(m.replace(",", "")) for m in LOWEST.findall(text)]


def test_a_slow_narrow_model_is_barely_learning_not_generalizing():
    # ux-14: 3 classes, 16 units, lr 6.3e-4, accuracy 40-51%, loss ~1.05 at epoch 1,935
    trainer = Trainer(preset("ch11-generalize", hidden=[16], learning_rate=6.31e-4))
    trainer.train(1936)
    verdict = judge(columns(trainer), 3)
    assert verdict.kind == BARELY_LEARNING
    assert verdict.best_epoch == trainer.best_epoch()
    assert trainer.epoch - verdict.best_epoch > 1000       # its minimum is far back
    assert "at its minimum" not in verdict.text and "Generalizing" not in verdict.text
    assert f"no lower since epoch {verdict.best_epoch:,}" in verdict.text
    assert "near an untrained model's 1.10" in verdict.text  # ln 3
    assert "chance (33%)" not in verdict.text and "(chance 33%)" in verdict.text


def test_barely_learning_needs_a_run_of_some_length():
    young = synthetic(np.full(60, 1.05), train=np.full(60, 1.04), acc=0.45, val_acc=0.43)
    assert judge(young, 3).kind != BARELY_LEARNING
    old = synthetic(np.full(600, 1.05), train=np.full(600, 1.04), acc=0.45, val_acc=0.43)
    assert judge(old, 3).kind == BARELY_LEARNING
    learned = synthetic(np.full(600, 0.5), train=np.full(600, 0.45), acc=0.8, val_acc=0.75)
    assert judge(learned, 3).kind == GENERALIZING


def test_a_large_gap_past_the_minimum_is_overfitting():
    # ux-28: the learning-curve sweep's 50-per-class run, validation 1.05 vs training
    # 0.55 (1.9x smoothed), 7% above its minimum of epoch 145: was "generalizing"
    trainer = Trainer(preset("ch11-overfit", samples=50, epochs=300))
    trainer.train(trainer.total_epochs)
    verdict = judge(columns(trainer), 3)
    assert verdict.rise < 0.10 and verdict.gap_ratio >= GAP_OVERFIT
    assert verdict.kind == OVERFITTING
    assert verdict.since_epoch == verdict.best_epoch == trainer.best_epoch() == 145
    assert f"{verdict.gap_ratio:.1f}x the training loss" in verdict.text


def test_a_large_gap_while_still_improving_is_not_overfitting():
    val = np.linspace(1.0, 0.5, 2000)
    verdict = judge(synthetic(val, train=val / 3), 3)
    assert verdict.kind == STILL_FALLING and "3.0x the training loss" in verdict.text
    flat_train = np.full(2000, 0.2)  # past its minimum, gap 2.5x, training not falling
    verdict = judge(synthetic(np.full(2000, 0.5), train=flat_train), 3)
    assert verdict.kind == GENERALIZING


def test_ch11_generalize_gap_stays_below_the_overfitting_gap():
    trainer = Trainer(preset("ch11-generalize"))
    trainer.train(trainer.total_epochs)
    history = columns(trainer)
    for n in range(1000, trainer.epoch + 1, 500):
        verdict = judge({k: v[:n] for k, v in history.items()}, 3)
        assert verdict.kind != OVERFITTING, (n, verdict.text)
        assert verdict.gap_ratio < GAP_OVERFIT


def test_the_text_names_only_the_raw_best_epoch_as_the_lowest():
    # ux-39: a dip to 0.32 at epoch 10, a bump, then a noisy plateau near 0.39 while
    # the training loss settles at 0.16; the curves mark epoch 10
    rng = np.random.default_rng(0)
    e = np.arange(301, dtype=float)
    val = np.where(e < 10, 0.7 - 0.038 * e, 0.39 + 0.02 * rng.standard_normal(301))
    val[10] = 0.32
    val[25:45] = 0.45
    train = np.maximum(0.16, 0.7 - 0.02 * e)
    verdict = judge(synthetic(val, train), 2)
    assert verdict.best_epoch == 10
    assert verdict.kind == OVERFITTING
    assert "still falling" not in verdict.text
    assert named_epochs(verdict.text) == [10]


@pytest.mark.parametrize("changes", [dict(samples=25), dict(samples=100, epochs=3000),
                                     dict(), dict(samples=50, seed=1, epochs=300)])
def test_every_epoch_called_lowest_is_the_best_epoch(changes):
    trainer = Trainer(preset("ch11-overfit", **changes))
    trainer.train(min(trainer.total_epochs, 3001))
    verdict = judge(columns(trainer), 3)
    assert verdict.best_epoch == trainer.best_epoch()
    named = named_epochs(verdict.text)
    assert named and verdict.best_epoch in named
    if verdict.kind == OVERFITTING and verdict.since_epoch != verdict.best_epoch:
        # onset and minimum differ: both are named, the minimum as "lowest at"
        assert f"(lowest at epoch {verdict.best_epoch:,})" in verdict.text
    else:
        assert set(named) == {verdict.best_epoch}
