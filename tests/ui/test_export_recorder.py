"""Recorder frames and the animated GIF / MP4 written from them."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage

from nnfs_gui.ui.export import recorder as rec
from nnfs_gui.ui.export.io import ExportCancelled, ExportError
from tests.ui.test_export_support import make_curves_plot, make_decision_plot


def _counting_grab(width: int = 120, height: int = 80):
    """A grab function whose every picture differs (a bar growing by one pixel)."""
    state = {"n": 0}

    def grab() -> QImage:
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        for x in range(min(state["n"] + 1, width)):
            for y in range(10):
                image.setPixelColor(x, y, QColor(200, 30, 30))
        state["n"] += 1
        return image

    return grab


def _record(n: int, grab=None) -> rec.Recorder:
    recorder = rec.Recorder(grab or _counting_grab())
    recorder.fps = 10
    recorder.max_frames = 1000
    for _ in range(n):
        assert recorder.capture()
    return recorder


def test_gif_has_the_recorded_frames_at_the_frame_rate(qtbot, tmp_path):
    recorder = _record(12)
    path = recorder.export(tmp_path / "run.gif")
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 12
        assert gif.size == (120, 80)
        assert gif.info["duration"] == 100  # 10 frames/s
        gif.seek(11)
        last = np.asarray(gif.convert("RGB"))
    assert (np.abs(last[5, :12].astype(int) - (200, 30, 30)).max(axis=1) < 8).all()
    assert (last[5, 13:] > 240).all()  # the bar is 12 px long in the 12th frame


def test_identical_pictures_are_not_recorded_twice(qtbot):
    frozen = QImage(50, 40, QImage.Format.Format_RGB32)
    frozen.fill(QColor("white"))
    recorder = rec.Recorder(lambda: frozen)
    recorder.max_frames = 10
    assert recorder.capture()
    assert not recorder.capture()  # a paused run adds no frames
    assert len(recorder.frames) == 1


def test_timer_recording_stops_at_the_frame_limit(qtbot):
    recorder = rec.Recorder(_counting_grab())
    with qtbot.waitSignal(recorder.stopped, timeout=10_000) as blocker:
        recorder.start(fps=50, max_seconds=0.1)
    assert blocker.args == ["limit"]
    assert len(recorder.frames) == 5 and not recorder.is_recording


def test_frames_of_real_views_after_a_resize_keep_the_first_size(qtbot, tmp_path):
    views = [make_decision_plot(qtbot), make_curves_plot(qtbot)]
    recorder = rec.Recorder(lambda: rec.grab_side_by_side(views, width=300))
    recorder.max_frames = 10
    recorder.capture()
    views[0].resize(300, 400)
    recorder.capture()
    assert len(recorder.frames) == 2
    assert {(f.width, f.height) for f in recorder.frames} == {(300, 133)}
    with Image.open(recorder.export(tmp_path / "views.gif")) as gif:
        assert gif.n_frames == 2
        rgb = np.asarray(gif.convert("RGB"))
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 20  # regions, points, curves


def test_cancel_leaves_the_previous_file(qtbot, tmp_path):
    path = tmp_path / "run.gif"
    path.write_bytes(b"previous animation")
    calls = []

    def cancel_at_third(done, total):
        calls.append((done, total))
        return done < 3

    with pytest.raises(ExportCancelled):
        _record(8).export(path, progress=cancel_at_third)
    assert path.read_bytes() == b"previous animation"
    assert [p.name for p in tmp_path.iterdir()] == ["run.gif"]
    assert calls[:4] == [(0, 8), (1, 8), (2, 8), (3, 8)]


def test_nothing_recorded_or_bad_suffix_is_a_clear_error(qtbot, tmp_path):
    with pytest.raises(ExportError, match="Nothing recorded"):
        rec.Recorder(_counting_grab()).export(tmp_path / "a.gif")
    with pytest.raises(ExportError, match=".gif or .mp4"):
        _record(2).export(tmp_path / "a.avi")


def test_mp4_when_imageio_ffmpeg_is_installed(qtbot, tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    path = _record(6, _counting_grab(121, 81)).export(tmp_path / "run.mp4")
    assert path.read_bytes()[4:8] == b"ftyp"
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert frames == 6 and seconds == pytest.approx(0.6, abs=0.05)
