"""Small pyqtgraph plots standing in for the app's views in the export tests, and a
made-up run (points, history, regions) for the app's own views."""

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


def made_up_run(epochs: int = 300, spike_at: int | None = None, spike: float = 1e6):
    """A RunPicture of a 3-class run without training: points on three clusters, a
    history whose validation loss falls to a minimum at epochs // 3 and rises again
    (with one huge spike at ``spike_at``), regions split in three vertical bands."""
    from nnfs_gui.core.config import Config
    from nnfs_gui.training.process.protocol import RunPoints
    from nnfs_gui.training.run.history import History
    from nnfs_gui.ui.export.frames import RunPicture

    rng = np.random.default_rng(0)
    centres = np.array([[-0.6, 0.0], [0.0, 0.5], [0.6, 0.0]], np.float32)
    y_train, y_val = rng.integers(0, 3, 120), rng.integers(0, 3, 60)
    x_train = centres[y_train] + rng.normal(0, 0.15, (120, 2)).astype(np.float32)
    x_val = centres[y_val] + rng.normal(0, 0.15, (60, 2)).astype(np.float32)
    points = RunPoints(x_train, y_train, x_val, y_val, 3, (-1.0, 1.0, -1.0, 1.0))
    e = np.arange(epochs)
    train = 1.1 * np.exp(-e / (epochs / 6)) + 0.05
    val = 0.6 + 0.5 * np.exp(-e / (epochs / 8)) + 0.3 * np.maximum(0, e - epochs // 3) / epochs
    if spike_at is not None:
        val[spike_at], train[spike_at] = spike, spike / 2
    history = History()
    history.extend({"epoch": e, "loss": train, "data_loss": train, "reg_loss": 0 * train,
                    "acc": 1 - train / 2, "val_acc": 1 - np.minimum(val, 1) / 2,
                    "val_loss": val, "lr": 0 * train + 0.05})
    grid = np.zeros((40, 40, 3), np.float32)   # (rows, columns, classes)
    for c in range(3):
        grid[:, c * 40 // 3:(c + 1) * 40 // 3, c] = 1
    return RunPicture(config=Config(name="made-up", classes=3), points=points,
                      history=history, grid=grid, extent=points.extent,
                      val_pred=y_val, epoch=epochs - 1)


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
