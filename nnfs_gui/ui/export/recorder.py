"""Record the views while training and write the recording as an animated GIF or MP4.

This is the app's version of the book's Anim 11.03 (regions and curves changing
while the model overfits). A :class:`Recorder` grabs a picture of the views at a
chosen frame rate, up to a frame limit, skipping pictures identical to the
previous one (a paused run adds nothing). Frames are kept small: quantized to a
256-colour palette (what a GIF stores anyway) and zlib-compressed, about 20-60 kB
each for plot pictures, so a few hundred frames fit in a few tens of MB.

GIF needs Pillow (a dependency). MP4 needs the optional ``imageio-ffmpeg``
package, which ships its own ffmpeg (a 68 MB wheel, so it is not a dependency):
without it, :data:`ANIMATION_FORMATS` offers GIF only.
"""

from __future__ import annotations

import importlib.util
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter

from nnfs_gui.ui.export.figures import exportable, side_by_side
from nnfs_gui.ui.export.io import ExportCancelled, ExportError, save_file

DEFAULT_FPS = 10.0
MAX_FPS = 50.0  # GIF stores frame durations in 1/100 s
DEFAULT_SECONDS = 30.0
DEFAULT_FRAME_WIDTH = 800
MAX_FRAMES = 3000

# progress(done, total) -> keep going?  False cancels the export.
Progress = Callable[[int, int], bool]


@dataclass(frozen=True)
class Frame:
    """One recorded picture: a 256-colour palette image, compressed."""

    width: int
    height: int
    palette: bytes  # 768 bytes, RGB triples
    pixels: bytes  # zlib-compressed palette indices, row-major (height, width)

    @classmethod
    def from_qimage(cls, image: QImage) -> Frame:
        rgb = qimage_to_rgb(image)
        quantized = Image.fromarray(rgb, "RGB").quantize(256, Image.Quantize.FASTOCTREE)
        palette = bytes(quantized.getpalette()[:768]).ljust(768, b"\0")
        return cls(rgb.shape[1], rgb.shape[0], palette, zlib.compress(quantized.tobytes(), 1))

    def to_pil(self) -> Image.Image:
        image = Image.frombytes("P", (self.width, self.height), zlib.decompress(self.pixels))
        image.putpalette(self.palette)
        return image

    def to_rgb(self) -> np.ndarray:
        """(height, width, 3) uint8."""
        return np.asarray(self.to_pil().convert("RGB"))


def qimage_to_rgb(image: QImage) -> np.ndarray:
    """(height, width, 3) uint8 copy of a QImage, alpha composited on white."""
    opaque = QImage(image.size(), QImage.Format.Format_RGB888)
    opaque.fill(QColor("white"))
    painter = QPainter(opaque)
    painter.drawImage(0, 0, image)
    painter.end()
    rows = np.frombuffer(opaque.constBits(), np.uint8).reshape(opaque.height(), -1)
    return rows[:, :opaque.width() * 3].reshape(opaque.height(), opaque.width(), 3).copy()


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
        self.frames: list[Frame] = []
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
        self.frames = []
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
        frame = Frame.from_qimage(image)
        if self.frames and frame.pixels == self.frames[-1].pixels \
                and frame.palette == self.frames[-1].palette:
            return False
        self.frames.append(frame)
        self.frame_added.emit(len(self.frames))
        if len(self.frames) >= self.max_frames:
            self.stop("limit")
        return True

    def export(self, path: str | Path, progress: Progress | None = None) -> Path:
        """Write the frames as GIF or MP4 (chosen by the suffix) at the recording's rate."""
        return write_animation(self.frames, path, self.fps, progress)


# -- writing ------------------------------------------------------------------------
def _frames_with_progress(frames: Sequence[Frame], progress: Progress | None,
                          convert: Callable[[Frame], object]) -> Iterator[object]:
    total = len(frames)
    for i, frame in enumerate(frames):
        if progress is not None and not progress(i, total):
            raise ExportCancelled("Export cancelled; no file was written.")
        yield convert(frame)
    if progress is not None:
        progress(total, total)


def write_gif(frames: Sequence[Frame], path: Path, fps: float,
              progress: Progress | None = None) -> None:
    """Animated GIF, looping, one frame every 1/fps s (GIF rounds to 10 ms)."""
    images = _frames_with_progress(frames, progress, Frame.to_pil)
    first = next(images)
    # Pillow pulls the rest from the generator while writing: progress stays live
    # and a cancel raises out of save(), before the file is renamed into place.
    first.save(path, format="GIF", save_all=True, append_images=images,
               duration=round(1000 / fps), loop=0, disposal=1, optimize=False)


def write_mp4(frames: Sequence[Frame], path: Path, fps: float,
              progress: Progress | None = None) -> None:
    """H.264 MP4 through imageio-ffmpeg's bundled ffmpeg (even frame sizes)."""
    import imageio_ffmpeg

    width, height = frames[0].width, frames[0].height
    even_w, even_h = width + width % 2, height + height % 2
    writer = imageio_ffmpeg.write_frames(
        str(path), (even_w, even_h), fps=fps, codec="libx264", pix_fmt_in="rgb24",
        macro_block_size=2, ffmpeg_log_level="error", output_params=["-f", "mp4"])
    writer.send(None)
    try:
        for rgb in _frames_with_progress(frames, progress, Frame.to_rgb):
            padded = np.full((even_h, even_w, 3), 255, np.uint8)
            padded[:height, :width] = rgb
            writer.send(np.ascontiguousarray(padded).tobytes())
    finally:
        writer.close()


def mp4_available() -> bool:
    return importlib.util.find_spec("imageio_ffmpeg") is not None


ANIMATION_WRITERS: dict[str, Callable[..., None]] = {".gif": write_gif, ".mp4": write_mp4}


def animation_formats() -> tuple[str, ...]:
    """Suffixes that can be written here: ``('.gif',)`` plus ``'.mp4'`` with imageio-ffmpeg."""
    return (".gif", ".mp4") if mp4_available() else (".gif",)


def write_animation(frames: Sequence[Frame], path: str | Path, fps: float,
                    progress: Progress | None = None) -> Path:
    """Write ``frames`` to ``path`` atomically; the suffix picks GIF or MP4."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not frames:
        raise ExportError("Nothing recorded yet: start a recording while training runs.")
    if suffix not in ANIMATION_WRITERS:
        raise ExportError(f"Cannot write {path.name}: animations are .gif or .mp4.")
    if suffix not in animation_formats():
        raise ExportError("MP4 export needs the optional package imageio-ffmpeg "
                          "(pip install imageio-ffmpeg); GIF works without it.")
    writer = ANIMATION_WRITERS[suffix]
    return save_file(path, lambda p: writer(frames, p, fps, progress))
