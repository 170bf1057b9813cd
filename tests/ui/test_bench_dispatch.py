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
