"""`python -m nnfs_gui.bench` dispatches to lazily imported benchmark modules."""

import pytest

from nnfs_gui.bench import __main__ as bench


def test_missing_benchmark_module_is_a_clear_message(monkeypatch, capsys):
    monkeypatch.setitem(bench.BENCHES, "engine", "nnfs_gui.bench.not_written_yet")
    assert bench.main(["engine"]) == 1
    assert "not available" in capsys.readouterr().err


def test_subcommand_arguments_reach_the_module(monkeypatch, tmp_path):
    (tmp_path / "fake_bench.py").write_text("def main(argv):\n    return len(argv)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(bench.BENCHES, "gui", "fake_bench")
    assert bench.main(["gui", "--seconds", "1"]) == 2


def test_gui_breakdown_splits_the_process_time_and_times_the_gui_turn(capsys):
    from types import SimpleNamespace

    from nnfs_gui.bench.gui import Breakdown

    calls, slots = [], []
    worker = SimpleNamespace(received=SimpleNamespace(connect=slots.append),
                             acknowledge=lambda: calls.append("ack"))
    session = SimpleNamespace(_take_frame=lambda f: calls.append(f"draw {f}"))
    window = SimpleNamespace(worker=worker, session=session)
    b = Breakdown(window)

    def frame(train, make, idle):
        return SimpleNamespace(seconds={"train": train, "make frame": make, "idle": idle})

    slots[0](frame(1.0, 0.1, 5.0))          # before a live span: not counted
    b.begin()
    slots[0](frame(2.0, 0.2, 5.0))
    session._take_frame("F")
    worker.acknowledge()
    worker.acknowledge()   # a second acknowledgement without a frame received counts nothing
    slots[0](frame(5.0, 0.3, 6.0))
    b.end()
    assert calls == ["draw F", "ack", "ack"]
    assert b.draw[1] == 1 and b.turn[1] == 1
    assert b.spent == pytest.approx({"train": 3.0, "make frame": 0.1, "idle": 1.0})
    b.report()
    out = capsys.readouterr().out
    assert "train 73%, make frame 2%, idle 24%" in out and "receive -> acknowledge" in out
