"""Record the views while training, for an animated GIF or MP4.

This is the app's version of the book's Anim 11.03 (regions and curves changing
while the model overfits). A :class:`Recorder` grabs a picture of the views at a
chosen frame rate, up to a frame limit, skipping pictures identical to the
previous one (a paused run adds nothing). The pictures and the files written from
them live in animation.py; which animation formats exist is the format table's
(formats.py) to say.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter

from nnfs_gui.ui.export.animation import GrabbedFrame, write_animation
from nnfs_gui.ui.export.figures import exportable, side_by_side
from nnfs_gui.ui.export.formats import Progress
from nnfs_gui.ui.export.io import ExportError

DEFAULT_FPS = 10.0
MAX_FPS = 50.0  # GIF stores frame durations in 1/100 s
DEFAULT_SECONDS = 30.0
DEFAULT_FRAME_WIDTH = 800
MAX_FRAMES = 3000

# -- grabbing the views --------------------------------------------------------------
def grab_side_by_side(targets: Sequence[object], width: int = DEFAULT_FRAME_WIDTH) -> QImage:
    """The targets' widgets as on screen, left to right, scaled to ``width`` px."""
    shots = [_widget_of(t).grab().toImage() for t in targets]
    canvas = side_by_side(shots, QColor("white"), QImage.Format.Format_RGB32)
    return canvas.scaledToWidth(int(width), Qt.TransformationMode.SmoothTransformation)


def _widget_of(target: object):
    scene = exportable(target)
    views = scene.views() if hasattr(scene, "views") else scene.scene().views()
    if not views:
        raise ExportError("The view to record is not shown in any window.")
    return views[0]


def fit_to(image: QImage, width: int, height: int) -> QImage:
    """``image`` scaled into ``width`` x ``height`` keeping its aspect, centred on white."""
    if image.width() == width and image.height() == height:
        return image
    scaled = image.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio,
                          Qt.TransformationMode.SmoothTransformation)
    canvas = QImage(width, height, QImage.Format.Format_RGB32)
    canvas.fill(QColor("white"))
    painter = QPainter(canvas)
    painter.drawImage((width - scaled.width()) // 2, (height - scaled.height()) // 2, scaled)
    painter.end()
    return canvas


# -- the recorder -------------------------------------------------------------------
class Recorder(QObject):
    """Grabs frames from ``grab()`` at a frame rate while recording.

    ``grab`` returns the current picture (a QImage); the first frame fixes the
    animation's size, later frames are fitted into it (the window may be resized).
    """

    frame_added = Signal(int)  # number of frames so far
    stopped = Signal(str)  # why: "stopped" (by the user) or "limit" (frame limit reached)

    def __init__(self, grab: Callable[[], QImage], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._grab = grab
        self.frames: list[GrabbedFrame] = []
        self.epochs: list[int] = []   # each frame's epoch, when made from the timeline
        self.fps = DEFAULT_FPS
        self.max_frames = int(DEFAULT_FPS * DEFAULT_SECONDS)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.capture)

    @property
    def is_recording(self) -> bool:
        return self._timer.isActive()

    @property
    def nbytes(self) -> int:
        return sum(len(f.pixels) + len(f.palette) for f in self.frames)

    def start(self, fps: float = DEFAULT_FPS, max_seconds: float = DEFAULT_SECONDS) -> None:
        """Start a new recording (earlier frames are dropped)."""
        if not 0 < fps <= MAX_FPS:
            raise ExportError(f"Frame rate {fps} is outside 0..{MAX_FPS:g} frames/s.")
        self.fps = float(fps)
        self.max_frames = max(1, min(MAX_FRAMES, round(fps * max_seconds)))
        self.frames, self.epochs = [], []
        self._timer.start(max(1, round(1000 / self.fps)))
        self.capture()

    def stop(self, reason: str = "stopped") -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.stopped.emit(reason)

    def capture(self) -> bool:
        """Grab one frame now; False when it repeats the last one or the limit is hit."""
        if len(self.frames) >= self.max_frames:
            self.stop("limit")
            return False
        image = self._grab()
        if self.frames:
            image = fit_to(image, self.frames[0].width, self.frames[0].height)
        frame = GrabbedFrame.from_qimage(image)
        if self.frames and frame.pixels == self.frames[-1].pixels \
                and frame.palette == self.frames[-1].palette:
            return False
        self.frames.append(frame)
        self.frame_added.emit(len(self.frames))
        if len(self.frames) >= self.max_frames:
            self.stop("limit")
        return True

    def take(self, frames: list[tuple[int, GrabbedFrame]]) -> None:
        """Replace the frames by (epoch, picture) pairs (ui/export/timeline_recording.py)."""
        self.epochs = [e for e, _ in frames]
        self.frames = [f for _, f in frames]

    def export(self, path: str | Path, progress: Progress | None = None) -> Path:
        """Write the frames as GIF or MP4 (chosen by the suffix) at the recording's rate."""
        return write_animation(self.frames, path, self.fps, progress)
