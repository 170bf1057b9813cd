"""The export dialog's choices become the right request; the record dialog's values."""

from __future__ import annotations

from pathlib import Path

from nnfs_gui.ui.export.dialog import ExportDialog, RecordDialog


def _choose(box, key) -> None:
    box.setCurrentIndex(box.findData(key))


def test_defaults_are_a_1600_px_white_png_of_the_dashboard(qtbot, tmp_path):
    dialog = ExportDialog(tmp_path, "ch11-overfit")
    qtbot.addWidget(dialog)
    r = dialog.request()
    assert (r.kind, r.view, r.width, r.background) == ("png", "dashboard", 1600, "white")
    assert r.path == tmp_path / "ch11-overfit-dashboard.png"


def test_choices_and_a_missing_suffix(qtbot, tmp_path):
    dialog = ExportDialog(tmp_path, "run")
    qtbot.addWidget(dialog)
    _choose(dialog.kind_box, "svg")
    _choose(dialog.view_box, "curves")
    _choose(dialog.background_box, "transparent")
    assert dialog.path_edit.text() == str(tmp_path / "run-curves.svg")
    dialog.path_edit.setText(str(tmp_path / "figure"))
    r = dialog.request()
    assert (r.kind, r.view, r.background, r.path) == ("svg", "curves", "transparent",
                                                     tmp_path / "figure.svg")
    assert not dialog.width_box.isEnabled()  # only PNG has a pixel width


def test_pdf_is_always_the_dashboard_and_data_has_no_view(qtbot, tmp_path):
    dialog = ExportDialog(tmp_path, "run")
    qtbot.addWidget(dialog)
    _choose(dialog.view_box, "decision")
    _choose(dialog.kind_box, "pdf")
    assert dialog.request().view == "dashboard" and not dialog.view_box.isEnabled()
    _choose(dialog.kind_box, "history_csv")
    assert Path(dialog.path_edit.text()).name == "run-history.csv"
    assert not dialog.view_box.isEnabled()


def test_record_dialog_values(qtbot):
    dialog = RecordDialog()
    qtbot.addWidget(dialog)
    dialog.fps_box.setValue(25)
    dialog.seconds_box.setValue(12)
    _choose(dialog.view_box, "curves")
    assert dialog.values() == (25, 12, "curves")
