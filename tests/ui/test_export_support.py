"""Small pyqtgraph plots standing in for the app's views in the export tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest

# Three region colours, as the decision view paints classes (RGB).
REGION_COLOURS = np.array([[230, 97, 1], [94, 60, 153], [27, 158, 119]], np.uint8)
CURVE_RED, CURVE_BLUE = "#ff0000", "#0000ff"


def region_image(size: int = 60) -> np.ndarray:
    """(size, size, 3) uint8: left third, middle third and right third in the class colours."""
    classes = np.minimum(np.arange(size) * 3 // size, 2)
    return np.broadcast_to(REGION_COLOURS[classes][None, :, :], (size, size, 3)).copy()


def make_decision_plot(qtbot, width: int = 500, height: int = 400) -> pg.GraphicsLayoutWidget:
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground("w")
    plot = widget.addPlot()
    # pyqtgraph images are (x, y); fixed levels keep the colours as given.
    image = pg.ImageItem(region_image().transpose(1, 0, 2), levels=(0, 255))
    image.setRect(-1, -1, 2, 2)
    plot.addItem(image)
    rng = np.random.default_rng(0)
    pts = rng.uniform(-0.9, 0.9, (30, 2))
    plot.plot(pts[:, 0], pts[:, 1], pen=None, symbol="o", symbolBrush="k")
    plot.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def make_curves_plot(qtbot, width: int = 400, height: int = 400) -> pg.GraphicsLayoutWidget:
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground("w")
    epochs = np.arange(200)
    loss = widget.addPlot(title="loss")
    loss.plot(epochs, np.exp(-epochs / 40), pen=pg.mkPen(CURVE_RED, width=2))
    widget.nextRow()
    acc = widget.addPlot(title="accuracy")
    acc.plot(epochs, 1 - np.exp(-epochs / 30), pen=pg.mkPen(CURVE_BLUE, width=2))
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def image_array(path) -> np.ndarray:
    """(h, w, 4) uint8 RGBA of an image file, read with Qt."""
    from PySide6.QtGui import QImage

    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGBA8888)
    assert not image.isNull(), f"{path} is not a readable image"
    ptr = image.constBits()
    arr = np.frombuffer(ptr, np.uint8, image.sizeInBytes())
    return arr.reshape(image.height(), image.bytesPerLine())[:, :image.width() * 4] \
        .reshape(image.height(), image.width(), 4).copy()


def colour_fraction(rgba: np.ndarray, rgb, tolerance: int = 12) -> float:
    """Fraction of pixels within ``tolerance`` of colour ``rgb``."""
    close = np.abs(rgba[..., :3].astype(int) - np.asarray(rgb, int)).max(axis=-1) <= tolerance
    return float(close.mean())


@contextmanager
def mounted_tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 kB tmpfs in ``tmp_path``, or a skip where this machine does not allow
    mounting one; unmounted on exit."""
    mount, point = shutil.which("mount"), tmp_path / "tiny"
    point.mkdir()
    if mount is None:
        pytest.skip("no mount command")
    result = subprocess.run([mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {result.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)


def fill_leaving(folder: Path, free_bytes: int) -> Path:
    """A file that fills ``folder``'s file system up to ``free_bytes`` left."""
    stats = os.statvfs(folder)
    filler = folder / "filler"
    filler.write_bytes(b"\0" * (stats.f_bavail * stats.f_frsize - free_bytes))
    return filler
