"""A writer that fails leaves no file under the final name, and the message names that file.

Qt's writers report failure only by a return value (``QImage.save``,
``QPainter.end`` on a PDF writer); these tests make each of them fail and check
what a user would see: the old file (or none) in place, no temporary file left,
an ExportError naming the file that failed. The full-disk case runs on a real
64 kB tmpfs where this machine allows mounting one, and is skipped otherwise.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from PySide6.QtGui import QImage, QPainter

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.formats import FORMATS, ExportRequest, ExportSource
from nnfs_gui.core.files.saving import ExportError
from nnfs_gui.training.run.history import History
from nnfs_gui.ui.export import figures as ef
from tests.ui.test_export_support import (
    fill_leaving,
    make_curves_plot,
    make_decision_plot,
    mounted_tiny_disk,
)


@pytest.fixture
def views(qtbot):
    return {"decision": [make_decision_plot(qtbot)], "curves": [make_curves_plot(qtbot)]}


@pytest.fixture
def source(views):
    targets = {**views, "dashboard": views["decision"] + views["curves"]}
    return ExportSource(config=Config(name="failing"), history=History(),
                        targets=targets.__getitem__)


def _only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


class PainterThatCannotFinish(QPainter):
    """A painter whose end() reports failure, as Qt's PDF engine does on a write error."""

    def end(self) -> bool:
        super().end()
        return False


def test_pdf_whose_painter_fails_leaves_the_old_file_and_names_the_pdf(source, tmp_path,
                                                                     monkeypatch):
    target = tmp_path / "run.pdf"
    target.write_bytes(b"%PDF old page")
    monkeypatch.setattr(ef, "QPainter", PainterThatCannotFinish)
    with pytest.raises(ExportError, match="PDF") as info:
        FORMATS["pdf"].write(source, ExportRequest("pdf", target))
    assert str(target) in str(info.value)
    assert target.read_bytes() == b"%PDF old page"
    assert _only(tmp_path) == ["run.pdf"]


def test_png_that_qt_cannot_encode_writes_nothing(source, tmp_path, monkeypatch):
    monkeypatch.setattr(QImage, "save", lambda *a, **k: False)
    target = tmp_path / "decision.png"
    with pytest.raises(ExportError, match="PNG") as info:
        FORMATS["png"].write(source, ExportRequest("png", target, "decision"))
    assert str(target) in str(info.value)
    assert _only(tmp_path) == []


@pytest.mark.parametrize("kind", ["pdf", "svg", "png"])
def test_a_write_that_hits_a_full_disk_names_the_file(source, tmp_path, monkeypatch, kind):
    real_write = Path.write_bytes

    def half_then_full(self, data):
        real_write(self, data[: len(data) // 2])  # what reached the disk before it filled
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", half_then_full)
    target = tmp_path / f"dashboard.{kind}"
    with pytest.raises(ExportError) as info:
        FORMATS[kind].write(source, ExportRequest(kind, target))
    assert str(target) in str(info.value) and "disk is full" in str(info.value)
    assert _only(tmp_path) == []


def test_a_writer_that_writes_nothing_and_says_nothing_is_refused(tmp_path):
    from nnfs_gui.core.files.saving import save_file

    with pytest.raises(ExportError, match="empty") as info:
        save_file(tmp_path / "silent.pdf", lambda p: None)  # the temp file stays empty
    assert "silent.pdf" in str(info.value)
    assert _only(tmp_path) == []


# -- a real full disk --------------------------------------------------------------------
@pytest.fixture
def tiny_disk(tmp_path):
    with mounted_tiny_disk(tmp_path) as point:
        yield point


def test_pdf_onto_a_full_file_system_leaves_no_pdf(source, tiny_disk, tmp_path):
    room = 8192
    assert len(ef.render_pdf(source.targets("dashboard"))) > 2 * room  # it cannot fit
    fill_leaving(tiny_disk, room)
    target = tiny_disk / "dashboard.pdf"
    with pytest.raises(ExportError) as info:
        FORMATS["pdf"].write(source, ExportRequest("pdf", target))
    message = str(info.value)
    assert str(target) in message and "disk is full" in message
    assert "config.json" not in message
    assert _only(tiny_disk) == ["filler"]  # neither a truncated PDF nor a temp file
