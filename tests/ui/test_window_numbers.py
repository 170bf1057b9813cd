"""What the window says in words and numbers: one epoch convention shared with the
CSV and the PDF, the verdict of the run, and settings written as a user types them."""

from __future__ import annotations

import re

import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.formats import ExportRequest
from nnfs_gui.training.run.history import History
from nnfs_gui.training.run.verdict import judge_history
from nnfs_gui.ui.main_window import MainWindow

SMALL = Config(name="small", samples=40, hidden=(16,), epochs=200)
WAIT_MS = 30_000


@pytest.fixture
def window(qtbot):
    w = MainWindow(SMALL)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.export_controller.show_error = lambda text: pytest.fail(text)  # no modal box
    yield w
    w.close()


def pdf_title(data: bytes) -> str:
    """The /Title of a PDF Qt wrote (UTF-16 with a byte-order mark)."""
    raw = re.search(rb"/Title \((.*?)\)\n", data, re.S).group(1)
    return raw.decode("utf-16")


def test_a_finished_run_shows_the_csvs_last_epoch_everywhere(qtbot, window, tmp_path):
    window.set_playing(True)
    qtbot.waitUntil(lambda: window.session.finished and not window.session.playing,
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.session.settled, timeout=WAIT_MS)
    c = window.export_controller
    [csv] = c.export(ExportRequest("history_csv", tmp_path / "h.csv"))
    last = int(History.from_csv(csv).column("epoch")[-1])
    assert last == SMALL.epochs == 200   # epochs 0..200, as the book's range(201)
    assert window.status.epoch.text() == f"epoch {last}"
    assert window.toolbar.epoch_label.text().strip() == f"epoch {last}"
    [pdf, _] = c.export(ExportRequest("pdf", tmp_path / "run.pdf"))
    title = pdf_title(pdf.read_bytes())
    assert f"| epoch {last} |" in title
    # The PDF's title and the status bar give the same verdict (one function).
    verdict = judge_history(window.session.history, SMALL.classes)
    assert window.status.verdict.full_text() == verdict.text
    assert title.endswith(verdict.kind[1:]) or f"{verdict.kind[1:]} since" in title


def test_edit_messages_write_values_as_typed(qtbot, window):
    qtbot.waitUntil(lambda: window.frames_drawn > 0, timeout=WAIT_MS)
    window.controls.set_value("hidden", (8, 8))
    message = window.statusBar().currentMessage()
    # As the panel shows them, layers x neurons (not "8, 8", nor a tuple's "(8, 8)").
    assert message.startswith("Hidden layers = 2 x 8: ") and "(" not in message
    window.controls.set_value("samples", 1000)
    assert window.statusBar().currentMessage().startswith("Samples / class = 1,000: ")
    window.controls.set_value("learning_rate", 0.02)
    message = window.statusBar().currentMessage()
    value = message.split(" = ")[1].split(":")[0]
    # Whatever the slider made of 0.02, it reads as a short number, not binary noise.
    assert re.fullmatch(r"-?[\d.]{1,7}(e-?\d+)?", value), message


def test_quit_after_n_stops_with_epoch_n_trained(qtbot):
    """`--quit-after N` (scripts, `make screenshot`): epoch N is the last one trained,
    and the window says "epoch N", as the book's range(N + 1) and the CSV do."""
    from tests.ui.test_window import WAIT_MS, shown_window

    w = shown_window(qtbot)
    w._end_script = lambda *_: None          # keep the window open to read it
    w.run_script(play=True, quit_after=50, screenshot=None)
    qtbot.waitUntil(lambda: w.session.settled and w.session.epoch == 51, timeout=WAIT_MS)
    qtbot.wait(200)
    assert w.session.epoch == 51
    assert int(w.session.history.column("epoch")[-1]) == 50
    assert "epoch 50" in w.toolbar.epoch_label.text()
    w.close()
