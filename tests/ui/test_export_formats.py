"""One table of export formats: what the dialog, menus, recording, headless and --help offer;
the pictures' writers register with it, and reading it loads no Qt."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nnfs_gui.app import build_parser
from nnfs_gui.core.files import formats as fm
from nnfs_gui.core.files.saving import ExportError
from nnfs_gui.ui.export.animation import write_animation
from nnfs_gui.ui.export.dialog import ExportDialog, animation_filter

HAS_FFMPEG = importlib.util.find_spec("imageio_ffmpeg") is not None


def test_every_row_is_complete_and_has_its_writer_once_the_views_load():
    import nnfs_gui.ui.export.animation  # noqa: F401 - registers gif, mp4
    import nnfs_gui.ui.export.figures  # noqa: F401 - registers png, svg, pdf

    for fmt in fm.FORMATS.values():
        assert fmt.kind in fm.KINDS and fmt.extension.startswith(".") and fmt.label
        assert callable(fm._WRITERS[fmt.name]), fmt.name
    assert {f.kind for f in fm.FORMATS.values()} == set(fm.KINDS)
    with pytest.raises(KeyError, match="bmp"):
        fm.register_writer("bmp", lambda source, request: None)


def test_a_picture_without_its_drawing_module_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.delitem(fm._WRITERS, "png")
    with pytest.raises(ExportError, match="d.png: PNG image is drawn by the window's views"):
        fm.FORMATS["png"].write(fm.ExportSource(config=None),
                                fm.ExportRequest("png", tmp_path / "d.png"))


def test_the_dialog_offers_the_tables_figures_and_data(qtbot, tmp_path):
    dialog = ExportDialog(tmp_path, "run")
    qtbot.addWidget(dialog)
    offered = [dialog.kind_box.itemData(i) for i in range(dialog.kind_box.count())]
    assert offered == [f.name for f in fm.formats_of("figure", "data")]
    assert "model" not in offered and "gif" not in offered  # they have their own entries


def test_a_new_row_appears_in_the_dialog(qtbot, tmp_path, monkeypatch):
    extra = dataclasses.replace(fm.FORMATS["history_csv"], name="history_tsv",
                                extension=".tsv", label="History (TSV)", cli="tsv")
    monkeypatch.setitem(fm.FORMATS, "history_tsv", extra)
    dialog = ExportDialog(tmp_path, "run")
    qtbot.addWidget(dialog)
    assert dialog.kind_box.findData("history_tsv") >= 0
    assert "tsv" in fm.cli_formats()


def test_recordings_offer_mp4_only_with_imageio_ffmpeg():
    assert ("MP4 video (*.mp4)" in animation_filter()) == HAS_FFMPEG
    assert animation_filter().startswith("Animated GIF (*.gif)")


def test_an_unavailable_animation_format_is_refused_by_name(tmp_path, monkeypatch):
    monkeypatch.setitem(fm.FORMATS, "gif", dataclasses.replace(
        fm.FORMATS["gif"], available=lambda: False))
    with pytest.raises(ExportError, match="run.gif"):
        write_animation([object()], tmp_path / "run.gif", 10)
    assert list(tmp_path.iterdir()) == []


def test_help_and_export_list_come_from_the_table():
    text = " ".join(build_parser().format_help().split())
    for word, fmt in fm.cli_formats().items():
        assert word in text and fmt.description.split(",")[0] in text
    assert [f.name for f in fm.parse_cli_list("png, CSV,png")] == ["png", "history_csv"]
    with pytest.raises(ValueError, match="bmp"):
        fm.parse_cli_list("png,bmp")


def test_headless_file_names():
    out = Path("out")
    assert [r.path.name for r in fm.headless_requests(fm.FORMATS["png"], out)] == [
        "dashboard.png", "decision.png", "curves.png"]
    assert [r.path.name for r in fm.headless_requests(fm.FORMATS["pdf"], out)] == [
        "dashboard.pdf"]
    assert [r.path for r in fm.headless_requests(fm.FORMATS["model"], out)] == [
        out / "model.npz"]


LOADED = ("print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(('PySide6', "
          "'pyqtgraph', 'nnfs_gui.ui'))} | {m for m in sys.modules "
          "if m.startswith('nnfs_gui.ui')}))")


def test_help_and_a_headless_run_without_figures_load_no_qt_and_no_ui(tmp_path):
    # --help reads the table; a headless run that writes only numbers needs neither
    # a display library nor any module of the window.
    probe = ("import sys, contextlib, io\nfrom nnfs_gui import app\n"
             "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):"
             "\n    app.main(['--help'])\n"
             f"app.main(['--headless', '--epochs', '3', '--print-every', '0', '--out', "
             f"{str(tmp_path)!r}, '--export', 'csv,json,dataset'])\n" + LOADED)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "config.json", "dataset.csv", "history.csv", "history.json", "metrics.json",
        "model.npz"]


def test_the_probe_would_see_qt_when_figures_are_asked_for(tmp_path):
    probe = ("import sys\nfrom nnfs_gui import app\n"
             f"app.main(['--headless', '--epochs', '3', '--print-every', '0', '--out', "
             f"{str(tmp_path)!r}, '--export', 'png'])\n" + LOADED)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    loaded = out.stdout.strip().splitlines()[-1]
    assert "PySide6" in loaded and "nnfs_gui.ui.export.headless" in loaded
