"""The status bar: the one verdict (training.verdict), held steady; messages with
room of their own; the epoch named as the last history row."""

import numpy as np
import pytest

from nnfs_gui.training.run.history import COLUMNS, History
from nnfs_gui.training.run.verdict import OVERFITTING, judge
from nnfs_gui.ui.panels.status import EpochRate, SteadyVerdict

LONG_MESSAGE = ("Reached the epoch limit (10,000). Raise it in Optimizer > Epoch limit "
                "to go on, or Reset.")


def test_epoch_rate_over_the_last_second():
    r = EpochRate()
    assert r.add(0, now=10.0) == 0
    assert r.add(500, now=10.5) == 1000
    assert r.add(1500, now=11.0) == 1500


def overfitting_history(rows: int = 3000) -> History:
    """Validation loss falls to a minimum at epoch 500, then climbs to 3x it, while
    the training loss keeps falling; accuracy well above chance."""
    epochs = np.arange(rows, dtype=np.float64)
    train = 1.0 / (1.0 + epochs / 50.0)
    val = np.where(epochs < 500, 1.0 - epochs / 1000.0, 0.5 + (epochs - 500) / 2500.0)
    h = History()
    h.extend({**{c: np.zeros(rows) for c in COLUMNS}, "epoch": epochs, "loss": train,
              "data_loss": train, "val_loss": val, "acc": np.full(rows, 0.95),
              "val_acc": np.full(rows, 0.8), "lr": np.full(rows, 0.05)})
    return h


def _status(qtbot, width=1366):
    from PySide6.QtWidgets import QStatusBar

    from nnfs_gui.ui.panels.status import TrainingStatus

    bar = QStatusBar()
    qtbot.addWidget(bar)
    status = TrainingStatus(bar)
    bar.resize(width, 30)
    bar.show()
    qtbot.waitExposed(bar)
    return status


def test_a_stopped_run_says_paused_or_finished_not_zero_speed(qtbot):
    s = _status(qtbot)
    s.reset(100)
    assert s.speed.text() == "paused" and s.progress.value() == 0
    assert s.epoch.text() == "no epochs yet"
    assert s.set_epoch(40, 100, playing=False)   # rows 0..39 trained
    assert s.speed.text() == "paused" and s.epoch.text() == "epoch 39"
    assert s.set_epoch(41, 100, playing=True)
    assert s.speed.text().startswith("measured ") and s.speed.text().endswith("epochs/s")
    assert s.set_epoch(101, 100, playing=False, finished=True)   # epochs 0..100 done
    assert s.speed.text() == "finished" and s.epoch.text() == "epoch 100"
    assert s.progress.value() == s.progress.maximum() == 101
    # The limit lowered live below the epoch reached: finished fills the bar too.
    assert s.set_epoch(60, 50, playing=False, finished=True)
    assert s.progress.value() == s.progress.maximum()


def test_the_status_bar_shows_the_verdict_of_the_history(qtbot):
    s = _status(qtbot)
    history = overfitting_history()
    expected = judge({c: history.column(c) for c in COLUMNS}, 3)
    assert expected.kind == OVERFITTING   # the synthetic run is what it claims
    s.show_verdict(history, 3, playing=False)
    assert s.verdict.full_text() == expected.text
    assert expected.text in s.verdict.toolTip()
    assert s.verdict.text().startswith("Overfitting since epoch")
    s.show_verdict(History(), 3, playing=False)
    assert s.verdict.full_text().startswith("No verdict yet")


def test_a_long_verdict_is_elided_with_the_whole_sentence_in_its_tooltip(qtbot):
    s = _status(qtbot, width=700)
    s.show_verdict(overfitting_history(), 3, playing=False)
    qtbot.wait(10)
    shown, full = s.verdict.text(), s.verdict.full_text()
    assert shown != full and shown.endswith("…") and full.startswith(shown[:-1])
    assert s.verdict.fontMetrics().horizontalAdvance(shown) <= s.verdict.width()
    assert full in s.verdict.toolTip()


@pytest.mark.parametrize("width", [1366, 1024])
def test_a_message_and_the_verdict_never_share_the_line(qtbot, width):
    s = _status(qtbot, width)
    s.set_epoch(10001, 10000, playing=False, finished=True)
    s.show_verdict(overfitting_history(), 3, playing=False)
    qtbot.wait(10)
    permanent = [s.speed, s.epoch, s.progress]
    left_edge = min(w.geometry().left() for w in permanent)
    # The verdict ends before the permanent widgets start.
    assert s.verdict.isVisible() and s.verdict.geometry().right() < left_edge
    for w in permanent:
        assert not w.geometry().intersects(s.verdict.geometry())
    s.message(LONG_MESSAGE)
    qtbot.wait(10)
    assert s.bar.currentMessage() == LONG_MESSAGE
    # The message owns the line: the verdict steps aside, and the whole message fits
    # left of the permanent widgets (not cut, not elided).
    assert not s.verdict.isVisible()
    assert s.bar.fontMetrics().horizontalAdvance(LONG_MESSAGE) < left_edge
    s.bar.clearMessage()
    qtbot.wait(10)
    assert s.verdict.isVisible()


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_verdict_is_judged_once_a_second_and_a_new_kind_must_repeat(monkeypatch):
    import nnfs_gui.ui.panels.status as status

    clock, kinds = Clock(), iter(["generalizing", "overfitting", "generalizing",
                                  "overfitting", "overfitting"])
    calls = []

    def fake_judge(history, n_classes):
        calls.append(clock.now)
        kind = next(kinds)
        return type("V", (), {"kind": kind, "text": kind})()

    monkeypatch.setattr(status, "judge_history", fake_judge)
    steady, history = SteadyVerdict(interval=1.0, clock=clock), overfitting_history(200)
    assert steady.update(history, 3, playing=True).kind == "generalizing"
    clock.now = 0.5
    steady.update(history, 3, playing=True)
    assert calls == [0.0]                      # not again within the second
    clock.now = 1.0
    assert steady.update(history, 3, playing=True).kind == "generalizing"  # once: held
    clock.now = 2.0
    assert steady.update(history, 3, playing=True).kind == "generalizing"
    clock.now = 3.0
    assert steady.update(history, 3, playing=True).kind == "generalizing"  # held again
    clock.now = 4.0
    assert steady.update(history, 3, playing=True).kind == "overfitting"   # twice: shown
    assert calls == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_a_young_runs_verdict_gives_way_at_once():
    """'Only 1 epoch so far' must not outlive the validation minimum: at 500 epochs/s
    the minimum comes within a second, before the once-a-second judgement."""
    clock = Clock()
    steady = SteadyVerdict(interval=1.0, clock=clock)
    first = steady.update(overfitting_history(1), 3, playing=True)
    assert first.kind == "not learning yet"
    clock.now = 0.2                                   # within the same second
    later = steady.update(overfitting_history(3000), 3, playing=True)
    assert later.kind == "overfitting" and "since epoch 500" in later.text


def test_the_pace_and_the_measured_speed_do_not_read_as_a_duplicate(qtbot):
    """'pace 200 epochs/s  200 epochs/s' read as one figure twice: the second says
    what it is, the rate training really reached."""
    s = _status(qtbot)
    s.reset(10_000)
    s.set_pace(200)
    s.set_epoch(0, 10_000, playing=True, train_seconds=0.0)
    s._shown_at = 0.0   # as a quarter second later
    s.set_epoch(200, 10_000, playing=True, train_seconds=1.0)
    assert s.pace.text() == "pace 200 epochs/s"
    assert s.speed.text() == "measured 200 epochs/s"


def test_no_verdict_says_what_to_do_and_how_when_the_limit_is_reached(qtbot):
    s = _status(qtbot)
    s.show_verdict(History(), 3, playing=False)
    assert "Play or Step" in s.verdict.full_text()
    # ux-44: a model opened at epoch 300 with the limit 300: no rows, cannot train on
    s.set_epoch(301, 300, playing=False, finished=True)
    s.show_verdict(History(), 3, playing=False)
    text = s.verdict.full_text()
    assert text.startswith("No verdict yet") and "Epoch limit" in text and "Play" in text
    s.set_epoch(301, 1000, playing=False)   # limit raised: train on
    s.show_verdict(History(), 3, playing=False)
    assert "Play or Step" in s.verdict.full_text()


def test_a_paused_history_is_judged_once_not_at_every_frame(monkeypatch):
    """A paused A redrawn for each of B's frames: judge() of a long history once."""
    import nnfs_gui.ui.panels.status as status

    calls = []
    real = status.judge_history
    monkeypatch.setattr(status, "judge_history",
                        lambda h, n: calls.append(len(h)) or real(h, n))
    steady, history = SteadyVerdict(interval=1.0, clock=Clock()), overfitting_history(3000)
    for _ in range(30):
        steady.update(history, 3, playing=False)
    assert calls == [3000]
