"""Recordings made from the run's checkpoints, so every frame is in sync.

A picture grabbed while training shows the newest curves beside regions that may be
a grid frame old (grids come ~10 times a second, curves every frame). Here each
frame is made by moving the window's epoch cursor to its epoch (the training process
recomputes the regions from that epoch's checkpoint, ``training/timeline.py``) and
drawing the curves up to that same epoch, so the regions of epoch k stand beside the
curves up to k. A recording has at least MIN_FRAMES frames spread over its epochs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QImage

from nnfs_gui.ui.export.animation import GrabbedFrame
from nnfs_gui.ui.export.formats import Progress
from nnfs_gui.ui.export.io import ExportCancelled, ExportError

MIN_FRAMES = 50
VIEW_WAIT_S = 10.0   # the training process answers in a few ms; generous when busy
POLL_MS = 2


def recording_epochs(first: int, last: int, frames: int) -> list[int]:
    """``max(frames, MIN_FRAMES)`` epochs evenly from ``first`` to ``last`` (fewer when
    the run has fewer epochs), increasing."""
    n = max(int(frames), MIN_FRAMES)
    return [int(e) for e in np.unique(np.round(np.linspace(first, last, n)).astype(int))]


def record_from_timeline(window, epochs: list[int], grab: Callable[[], QImage],
                         progress: Progress | None = None) -> list[tuple[int, GrabbedFrame]]:
    """(epoch, picture) for each of ``epochs``: cursor there, curves up to there.

    The cursor goes back where it was afterwards."""
    cursor, curves = window.epoch_cursor, window.curves_view
    was = cursor.epoch
    frames: list[tuple[int, GrabbedFrame]] = []
    try:
        for i, epoch in enumerate(epochs):
            cursor.move_to(epoch)
            curves.show_until(cursor.epoch)
            _wait_for_views(window, cursor.epoch)
            cursor.sharpen()
            frames.append((cursor.epoch, _picture(grab(), frames)))
            if progress is not None and not progress(i + 1, len(epochs)):
                raise ExportCancelled()
    finally:
        curves.show_until(None)
        cursor.go_live() if was is None else cursor.move_to(was)
    return frames


def _picture(image: QImage, frames: list) -> GrabbedFrame:
    from nnfs_gui.ui.export.recorder import fit_to

    if frames:
        image = fit_to(image, frames[0][1].width, frames[0][1].height)
    return GrabbedFrame.from_qimage(image)


def views_show(window, epoch: int) -> bool:
    """Every session's decision view shows its EpochView of ``epoch`` (a session behind
    A shows its newest epoch, as the cursor asked it)."""
    for s in window.sessions():
        want = min(epoch, max(s.epoch - 1, 0))
        v = s.epoch_view
        if v is None or v.asked != want:
            return False
    return True


def _wait_for_views(window, epoch: int) -> None:
    deadline = time.perf_counter() + VIEW_WAIT_S
    loop = QEventLoop()
    while not views_show(window, epoch):
        if time.perf_counter() > deadline:
            raise ExportError(f"The training process did not show epoch {epoch:,} in time.")
        QTimer.singleShot(POLL_MS, loop.quit)
        loop.exec()
