"""Recordings: which epochs make the frames, what each frame may show, and the GIF / MP4
written from them (in a thread, with Cancel)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QPushButton

from nnfs_gui.core.files.saving import ExportCancelled, ExportError
from nnfs_gui.ui.export.animation import GrabbedFrame, write_animation
from nnfs_gui.ui.export.frames import Recording, frame_epochs
from nnfs_gui.ui.export.jobs import BackgroundWrite
from tests.ui.test_export_support import made_up_run


def _bars(n: int, width: int = 120, height: int = 80) -> list[GrabbedFrame]:
    """Pictures that all differ: a red bar one pixel longer in each."""
    frames = []
    for i in range(n):
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        for x in range(min(i + 1, width)):
            for y in range(10):
                image.setPixelColor(x, y, QColor(200, 30, 30))
        frames.append(GrabbedFrame.from_qimage(image))
    return frames


def test_gif_has_the_frames_at_the_frame_rate(qapp, tmp_path):
    path = write_animation(_bars(12), tmp_path / "run.gif", 10)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 12
        assert gif.size == (120, 80)
        assert gif.info["duration"] == 100  # 10 frames/s
        gif.seek(11)
        last = np.asarray(gif.convert("RGB"))
    assert (np.abs(last[5, :12].astype(int) - (200, 30, 30)).max(axis=1) < 8).all()
    assert (last[5, 13:] > 240).all()  # the bar is 12 px long in the 12th frame


def test_frames_span_the_whole_stretch_evenly():
    epochs = frame_epochs(0, 3409, 300)
    assert len(epochs) == 300 and epochs[0] == 0 and epochs[-1] == 3409
    steps = np.diff(epochs)
    assert steps.min() >= 11 and steps.max() <= 12      # 3,409 / 299 = 11.4 apart
    assert frame_epochs(100, 110, 50) == list(range(100, 111))   # fewer epochs than frames


def _view(epoch: int, picture) -> SimpleNamespace:
    """An EpochView as the training process answers: the checkpoint found, its regions."""
    return SimpleNamespace(asked=epoch, epoch_found=epoch, grid=picture.grid,
                           extent=picture.extent, val_pred=picture.val_pred)


def test_each_frame_shows_only_what_was_known_at_its_epoch(qapp):
    picture = made_up_run(epochs=300, spike_at=250)   # lowest validation loss: epoch 100
    recording = Recording(picture, [0, 50, 150, 240, 260, 299], fps=10)
    curves = recording.views.curves_view
    seen = []
    try:
        while (epoch := recording.next_epoch()) is not None:
            recording.add(_view(epoch, picture))
            seen.append((int(curves.curves["val_loss"].xData[-1]), curves.best_epoch,
                         len(curves.clip_marks.xData if curves.clip_marks.xData is not None
                             else ())))
    finally:
        recording.close()
    assert [s[0] for s in seen] == recording.epochs == [0, 50, 150, 240, 260, 299]
    assert [s[1] for s in seen] == [0, 50, 100, 100, 100, 100]   # best val. epoch as of then
    assert [s[2] > 0 for s in seen] == [False] * 4 + [True] * 2   # the spike, once it came
    assert len({(f.width, f.height) for f in recording.frames}) == 1
    assert len({f.pixels for f in recording.frames}) == 6


def test_a_checkpoint_already_shown_adds_no_frame(qapp):
    picture = made_up_run(epochs=100)
    recording = Recording(picture, [10, 11, 12], fps=10)
    try:
        for found in (10, 10, 12):   # a thinned timeline answers 11 with checkpoint 10
            recording.add(SimpleNamespace(**{**vars(_view(found, picture)),
                                             "epoch_found": found}))
    finally:
        recording.close()
    assert recording.epochs == [10, 12] and len(recording.frames) == 2
    assert recording.next_epoch() is None


def test_cancel_leaves_the_previous_file(qapp, tmp_path):
    path = tmp_path / "run.gif"
    path.write_bytes(b"previous animation")
    calls = []

    def cancel_at_third(done, total):
        calls.append((done, total))
        return done < 3

    with pytest.raises(ExportCancelled):
        write_animation(_bars(8), path, 10, progress=cancel_at_third)
    assert path.read_bytes() == b"previous animation"
    assert [p.name for p in tmp_path.iterdir()] == ["run.gif"]
    assert calls[:4] == [(0, 8), (1, 8), (2, 8), (3, 8)]


def test_nothing_recorded_or_bad_suffix_is_a_clear_error(qapp, tmp_path):
    with pytest.raises(ExportError, match="Nothing recorded"):
        write_animation([], tmp_path / "a.gif", 10)
    with pytest.raises(ExportError, match=".gif or .mp4"):
        write_animation(_bars(2), tmp_path / "a.avi", 10)


def test_a_background_write_reports_its_file_or_its_cancel(qtbot, tmp_path):
    job = BackgroundWrite("Writing…", lambda p: write_animation(_bars(5), tmp_path / "a.gif",
                                                                10, p), None)
    with qtbot.waitSignal(job.finished, timeout=10_000) as done:
        job.start()
    assert done.args == [tmp_path / "a.gif", ""]
    with Image.open(tmp_path / "a.gif") as gif:
        assert gif.n_frames == 5

    def until_cancelled(progress):
        while progress(1, 10):
            pass
        raise ExportCancelled()

    job = BackgroundWrite("Writing…", until_cancelled, None)
    with qtbot.waitSignal(job.finished, timeout=10_000) as done:
        job.start()
        job.dialog.findChild(QPushButton).click()   # the user presses Cancel
    assert done.args == [None, "cancelled"]


def test_mp4_when_imageio_ffmpeg_is_installed(qapp, tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    path = write_animation(_bars(6, 121, 81), tmp_path / "run.mp4", 10)
    assert path.read_bytes()[4:8] == b"ftyp"
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert frames == 6 and seconds == pytest.approx(0.6, abs=0.05)
