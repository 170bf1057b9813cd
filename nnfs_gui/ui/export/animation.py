"""Animations: frames and the GIF / MP4 files written from them.

The frames come from frames.py (a Recording: the run from its checkpoints). They are
kept small: quantized to a 256-colour palette (what a GIF stores
anyway) and zlib-compressed, about 20-60 kB each for plot pictures, so a few
hundred frames fit in a few tens of MB.

GIF needs Pillow (a dependency). MP4 needs the optional ``imageio-ffmpeg``
package, which ships its own ffmpeg (a 68 MB wheel, so it is not a dependency);
the format table (core/files/formats.py) offers MP4 only where it is installed.
This module registers the table's gif and mp4 writers.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from nnfs_gui.core.files.formats import (
    ExportRequest,
    ExportSource,
    Progress,
    by_extension,
    register_writer,
)
from nnfs_gui.core.files.saving import ExportCancelled, ExportError, save_file


@dataclass(frozen=True)
class GrabbedFrame:
    """One picture of an animation: a 256-colour palette image, compressed.

    (Not the training loop's Frame: this is a picture, that one a message.)
    """

    width: int
    height: int
    palette: bytes  # 768 bytes, RGB triples
    pixels: bytes  # zlib-compressed palette indices, row-major (height, width)

    @classmethod
    def from_qimage(cls, image: QImage) -> GrabbedFrame:
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


def _frames_with_progress(frames: Sequence[GrabbedFrame], progress: Progress | None,
                          convert: Callable[[GrabbedFrame], object]) -> Iterator[object]:
    total = len(frames)
    for i, frame in enumerate(frames):
        if progress is not None and not progress(i, total):
            raise ExportCancelled("Export cancelled; no file was written.")
        yield convert(frame)
    if progress is not None:
        progress(total, total)


def write_gif(frames: Sequence[GrabbedFrame], path: Path, fps: float,
              progress: Progress | None = None) -> None:
    """Animated GIF, looping, one frame every 1/fps s (GIF rounds to 10 ms)."""
    images = _frames_with_progress(frames, progress, GrabbedFrame.to_pil)
    first = next(images)
    # Pillow pulls the rest from the generator while writing: progress stays live
    # and a cancel raises out of save(), before the file is renamed into place.
    # Pillow writes through a Python file, so a full disk raises OSError here.
    first.save(path, format="GIF", save_all=True, append_images=images,
               duration=round(1000 / fps), loop=0, disposal=1, optimize=False)


def write_mp4(frames: Sequence[GrabbedFrame], path: Path, fps: float,
              progress: Progress | None = None) -> None:
    """H.264 MP4 through imageio-ffmpeg's bundled ffmpeg (even frame sizes).

    ffmpeg is another process: its failures (a full disk among them) surface as
    the error ``writer.close()`` raises when ffmpeg exits non-zero.
    """
    import imageio_ffmpeg  # optional: formats.py offers MP4 only when it is installed

    width, height = frames[0].width, frames[0].height
    even_w, even_h = width + width % 2, height + height % 2
    writer = imageio_ffmpeg.write_frames(
        str(path), (even_w, even_h), fps=fps, codec="libx264", pix_fmt_in="rgb24",
        macro_block_size=2, ffmpeg_log_level="error", output_params=["-f", "mp4"])
    writer.send(None)
    try:
        for rgb in _frames_with_progress(frames, progress, GrabbedFrame.to_rgb):
            padded = np.full((even_h, even_w, 3), 255, np.uint8)
            padded[:height, :width] = rgb
            writer.send(np.ascontiguousarray(padded).tobytes())
    finally:
        writer.close()


ANIMATION_WRITERS: dict[str, Callable[..., None]] = {"gif": write_gif, "mp4": write_mp4}


def write_animation(frames: Sequence[GrabbedFrame], path: str | Path, fps: float,
                    progress: Progress | None = None) -> Path:
    """Write ``frames`` to ``path`` atomically; the suffix picks the table's format."""
    path = Path(path)
    fmt = by_extension(path.suffix, "animation")
    if not frames:
        raise ExportError("Nothing recorded yet: Export > Record the run so far makes "
                          "the frames.")
    if fmt is None:
        raise ExportError(f"Cannot write {path.name}: animations are .gif or .mp4.")
    if not fmt.available():
        raise ExportError(f"Cannot write {path.name}: {fmt.description}; GIF works "
                          "without it (pip install imageio-ffmpeg).")
    writer = ANIMATION_WRITERS[fmt.name]
    return save_file(path, lambda p: writer(frames, p, fps, progress))


def write_animation_file(source: ExportSource, request: ExportRequest) -> Path:
    """The table's writer for gif and mp4: the source's frames at the source's rate."""
    if source.animation is None:
        raise ExportError("Nothing to animate here: record in the window (Export > Record).")
    frames, fps = source.animation()
    return write_animation(frames, request.path, fps, request.progress)


for _name in ANIMATION_WRITERS:
    register_writer(_name, write_animation_file)
