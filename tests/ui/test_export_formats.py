"""One table of export formats: what the dialog, menus, recorder, headless and --help offer."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from nnfs_gui.app import build_parser
from nnfs_gui.ui.export import formats as fm
from nnfs_gui.ui.export.animation import write_animation
from nnfs_gui.ui.export.dialog import ExportDialog, animation_filter
from nnfs_gui.ui.export.io import ExportError

HAS_FFMPEG = importlib.util.find_spec("imageio_ffmpeg") is not None


def test_every_row_is_complete_and_its_writer_exists():
    for fmt in fm.FORMATS.values():
        assert fmt.kind in fm.KINDS and fmt.extension.startswith(".") and fmt.label
        module, function = fmt.writer.split(":")
        assert callable(getattr(importlib.import_module(f"nnfs_gui.ui.export.{module}"),
                                function)), fmt.name
    assert {f.kind for f in fm.FORMATS.values()} == set(fm.KINDS)


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


def test_reading_the_table_loads_no_qt():
    # --help and a headless run without figures read the table; neither may need Qt.
    probe = ("import sys, nnfs_gui.ui.export.formats as f, nnfs_gui.cli.headless, nnfs_gui.app;"
             "f.cli_help(); print(sorted(m for m in sys.modules if m.startswith(('PySide6',"
             "'pyqtgraph'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
