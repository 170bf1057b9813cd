"""`python -m nnfs_gui.bench` dispatches to lazily imported benchmark modules."""

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


def test_gui_breakdown_times_each_part_of_a_frame(capsys):
    from types import SimpleNamespace

    from nnfs_gui.bench.gui import Breakdown

    calls = []
    worker = SimpleNamespace(_train_chunk=lambda: calls.append("train") or 5,
                             _give_ui_its_turn=lambda: calls.append("wait"),
                             _make_frame=lambda: calls.append("frame") or "F",
                             acknowledge=lambda: calls.append("ack"))
    window = SimpleNamespace(worker=worker, _show_frame=lambda f: calls.append(f"draw {f}"))
    b = Breakdown(window)
    assert worker._train_chunk() == 5 and worker._make_frame() == "F"   # results pass through
    window._show_frame("F")
    worker.acknowledge()
    worker.acknowledge()   # a second acknowledgement without a frame sent counts nothing
    worker._give_ui_its_turn()
    assert calls == ["train", "frame", "draw F", "ack", "ack", "wait"]
    assert b.counts == {"train": 1, "wait for UI": 1, "make frame": 1, "draw frame": 1,
                        "send -> ack": 1}
    b.report()
    out = capsys.readouterr().out
    assert "worker thread time:" in out and "send -> ack" in out
