"""Pictures of a run, drawn by the app's own views: every still and every animation frame.

One path for the window and headless alike. :class:`FigureViews` is a DecisionView and
a CurvesView laid out at a fixed figure size and never shown; it is fed a
:class:`RunPicture` (the run's points, history and the regions of one epoch) and draws
*the run as it was at that epoch*: the regions of that epoch beside the curves up to
it, so the "best val. epoch" line and the marks of spikes above the loss axis are
those known then. A still is one such picture (the newest epoch, or the one the
window's epoch cursor shows); an animation is a :class:`Recording`, many of them.

Recordings come from the run's checkpoints (``training/run/timeline.py``: the weights
each epoch started from). :func:`frame_epochs` picks the frames: ``n`` epochs evenly
spaced from the first epoch to the last, both included, so a recording always spans
the whole stretch it covers whatever its length. ``Recording.next_epoch()`` names the
epoch to fetch next and ``Recording.add(view)`` draws the answer, an EpochView (its
regions, computed from the nearest checkpoint). The window fetches them from its
training process (ShowEpoch), headless from the Trainer (``loop.epoch_view``): the
same frames either way.

The figure size is chosen for legibility (FIGURE_HEIGHT and below): the smallest
text of a 1600 px dashboard PNG is at least 14 px.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, Qt, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from nnfs_gui.core.formatting import NO_EPOCHS, count
from nnfs_gui.training.run.history import COLUMNS
from nnfs_gui.training.run.verdict import judge, short_verdict
from nnfs_gui.ui.export.animation import GrabbedFrame, fit_to
from nnfs_gui.ui.export.figures import grab_side_by_side, screen_size, with_title
from nnfs_gui.ui.views.curves_view import CurvesView
from nnfs_gui.ui.views.decision_view import DecisionView

# The laid-out size of a figure's scenes. A 1600 px dashboard PNG must show its
# smallest text (the key's 8 pt, 10.7 px) at >= 14 px: the layout is at most 1150 px
# wide (1.39x). The decision plot takes the data's shape (true to shape, no bands
# beside the regions) within DECISION_WIDTHS; for wide data the figure gets lower.
FIGURE_HEIGHT = 560
CURVES_WIDTH = 500
DECISION_WIDTHS = (320, 650)
ANIMATION_WIDTH = 800    # px of an animation frame


def ensure_qt_app():
    """The QApplication (the caller chose the platform, e.g. offscreen without a display)."""
    qInstallMessageHandler(_drop_offscreen_noise)
    return QApplication.instance() or QApplication([])


def _drop_offscreen_noise(mode, context, message: str) -> None:
    """Qt's messages to stderr, less the offscreen plugin's size-hint warning, which it
    prints for every hidden view it lays out: noise in a scripted run's output."""
    if "propagateSizeHints" not in message:
        sys.stderr.write(message + "\n")


@dataclass(frozen=True)
class ViewLook:
    """How the window's views are set to look, for pictures that look the same."""

    show_mode: str = "both"     # DecisionView.SHOW_MODES
    hard: bool = False
    log_loss: bool = False
    smooth: bool = False
    x_label: str = "x1"
    y_label: str = "x2"


@dataclass(frozen=True)
class RunPicture:
    """What a picture of a run shows: its points (RunPoints), its History, B's History
    while comparing, and the regions of ``epoch`` (``grid`` (s, s, k) over ``extent``,
    ``val_pred`` (m,)); curves are drawn up to ``epoch`` (None: no row yet)."""

    config: object
    points: object
    history: object
    grid: np.ndarray | None
    extent: tuple[float, float, float, float] | None
    val_pred: np.ndarray | None
    epoch: int | None
    b_history: object = None
    look: ViewLook = ViewLook()

    @property
    def first_epoch(self) -> int:
        epochs = self.history.column("epoch")
        return int(epochs[0]) if len(epochs) else int(getattr(self.points, "start_epoch", 0))


def rows_through(history, epoch: int | None) -> int:
    """How many of ``history``'s rows have an epoch <= ``epoch`` (None: none)."""
    if epoch is None:
        return 0
    return int(np.searchsorted(history.column("epoch"), epoch, side="right"))


def columns_through(history, epoch: int | None) -> dict[str, np.ndarray]:
    """The history's columns up to ``epoch``, as read-only views (no copies)."""
    n = rows_through(history, epoch)
    return {name: history.column(name)[:n] for name in COLUMNS}


def run_title(config, columns: Mapping[str, np.ndarray]) -> str:
    """One line naming the run, its last epoch (the last row, as history.csv and the
    window number it), that row's numbers and the verdict as of then: the head of a
    PDF page and of every animation frame."""
    n = len(columns["epoch"])
    if n == 0:
        return f"{config.name} | {NO_EPOCHS}"
    last = {k: float(v[-1]) for k, v in columns.items()}
    parts = [config.name, f"epoch {count(int(last['epoch']))}"]
    for key, label in (("data_loss", "loss"), ("acc", "acc"), ("val_loss", "val loss"),
                       ("val_acc", "val acc")):
        if np.isfinite(last[key]):
            parts.append(f"{label} {last[key]:.3f}")
    parts.append(short_verdict(judge(columns, config.classes)))
    return " | ".join(parts)


def frame_epochs(first: int, last: int, frames: int) -> list[int]:
    """``frames`` epochs evenly spaced from ``first`` to ``last``, both included
    (fewer when the stretch has fewer epochs), increasing."""
    n = max(int(frames), 2)
    return [int(e) for e in np.unique(np.round(np.linspace(first, last, n)).astype(int))]


def settle_layouts() -> None:
    """Let the views' layouts follow what changed (a wider tick label, a new key row)
    before rendering: only layout requests are delivered, never input or messages, so
    drawing a picture cannot run any other handler of the window in the middle."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


class FigureViews:
    """The app's decision and curves views at figure size, laid out but never shown."""

    def __init__(self, look: ViewLook = ViewLook()) -> None:
        ensure_qt_app()
        self.decision_view, self.curves_view = DecisionView(), CurvesView()
        self._apply(look)
        for view in self._views():
            # Laid out and painted as if shown, but never mapped: a picture made in
            # the window, or headless on a desktop, must not flash on the screen.
            view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            view.resize(DECISION_WIDTHS[1], FIGURE_HEIGHT)
            view.show()
        self._span = (0, 1)
        self._shown = self._b_shown = 0     # history rows already on the curves
        self.picture: RunPicture | None = None

    def _views(self) -> tuple[DecisionView, CurvesView]:
        return self.decision_view, self.curves_view

    def _apply(self, look: ViewLook) -> None:
        self.decision_view.set_show_mode(look.show_mode)
        self.decision_view.hard_box.setChecked(look.hard)
        self.decision_view.plot.setLabel("bottom", look.x_label)
        self.decision_view.plot.setLabel("left", look.y_label)
        self.curves_view.log_box.setChecked(look.log_loss)
        self.curves_view.smooth_box.setChecked(look.smooth)

    def _fit(self, extent) -> None:
        """The decision plot as wide as the data for FIGURE_HEIGHT (within
        DECISION_WIDTHS; wide data make the figure lower instead), both scenes of one
        height, so side by side they leave no blank band. Twice: the key's rows follow
        the width."""
        x0, x1, y0, y1 = extent
        shape = (x1 - x0) / (y1 - y0) if y1 > y0 and x1 > x0 else 1.0
        for _ in range(2):
            settle_layouts()
            box = self.decision_view.plot.getViewBox().sceneBoundingRect()
            scene_w, scene_h = screen_size(self.decision_view)
            margin_w, margin_h = scene_w - box.width(), scene_h - box.height()
            widest = DECISION_WIDTHS[1]
            width, height = margin_w + shape * (FIGURE_HEIGHT - margin_h), FIGURE_HEIGHT
            if width > widest:
                width, height = widest, margin_h + (widest - margin_w) / shape
            _resize_scene(self.decision_view, max(width, DECISION_WIDTHS[0]), height)
            _resize_scene(self.curves_view, CURVES_WIDTH, height)
        settle_layouts()

    def targets(self, view: str) -> list[object]:
        """The views a picture of ``view`` (formats.VIEWS) shows, left to right."""
        return {"decision": [self.decision_view], "curves": [self.curves_view],
                "dashboard": [self.decision_view, self.curves_view]}[view]

    def start(self, picture: RunPicture, first: int, last: int) -> None:
        """A new picture: the run's points, no regions, no curves; the epoch axis spans
        ``first``..``last`` from now on."""
        self.picture = picture
        self.decision_view.reset(picture.points)
        self._fit(picture.points.extent)
        self.curves_view.reset(picture.history)
        self.curves_view.show_b(picture.b_history is not None)
        self._span, self._shown, self._b_shown = (first, max(last, first + 1)), 0, 0

    def show(self, epoch: int | None, grid, extent, val_pred) -> None:
        """The run as it was at ``epoch``: these regions, the curves up to ``epoch``
        (epochs shown so far stay; they only grow)."""
        p = self.picture
        self.decision_view.show_regions(grid, extent, val_pred)
        self._shown = self._append(p.history, self._shown, epoch, self.curves_view.append)
        if p.b_history is not None:
            self._b_shown = self._append(p.b_history, self._b_shown, epoch,
                                         self.curves_view.append_b)
        self.curves_view.loss_plot.setXRange(*self._span, padding=0.02)
        settle_layouts()

    @staticmethod
    def _append(history, shown: int, epoch: int | None, append) -> int:
        n = rows_through(history, epoch)
        if n > shown:
            append({name: history.column(name)[shown:n] for name in COLUMNS})
        return max(n, shown)

    def still(self, picture: RunPicture) -> None:
        """``picture`` on its own: the epoch axis from the run's first epoch to the
        picture's (a finished run's figure fits its data, without the live headroom)."""
        last = picture.first_epoch if picture.epoch is None else picture.epoch
        self.start(picture, picture.first_epoch, last)
        self.show(picture.epoch, picture.grid, picture.extent, picture.val_pred)

    def title(self, epoch: int | None) -> str:
        p = self.picture
        return run_title(p.config, columns_through(p.history, epoch))

    def close(self) -> None:
        for view in self._views():
            view.close()
            view.deleteLater()


def _resize_scene(view, width: float, height: float) -> None:
    """Resize ``view`` so that its plots' scene is ``width`` x ``height`` (the view adds
    its own rows of toggles below the scene)."""
    below = view.height() - screen_size(view)[1]
    view.resize(round(width), round(height + below))


class Recording:
    """An animation's frames from the run's checkpoints, drawn by FigureViews.

    ``next_epoch()`` names the epoch whose EpochView is wanted next (None: complete);
    ``add(view)`` draws it: the regions of the checkpoint found, the curves up to that
    epoch, the run's title as of then. ``frames`` and ``epochs`` grow together.
    """

    def __init__(self, picture: RunPicture, epochs: list[int], fps: float,
                 view: str = "dashboard", width: int = ANIMATION_WIDTH) -> None:
        if not epochs:
            raise ValueError("a recording needs at least one epoch")
        self.fps, self.width, self._wanted = float(fps), int(width), list(epochs)
        self.view = view
        self.frames: list[GrabbedFrame] = []
        self.epochs: list[int] = []          # each frame's epoch (its checkpoint's)
        self._asked = 0
        self.views = FigureViews(picture.look)
        self.views.start(picture, picture.first_epoch, epochs[-1])

    @property
    def total(self) -> int:
        return len(self._wanted)

    def next_epoch(self) -> int | None:
        return self._wanted[self._asked] if self._asked < len(self._wanted) else None

    def add(self, view) -> None:
        """Draw an EpochView (``epoch_found``, ``grid``, ``extent``, ``val_pred``) as the
        next frame; a checkpoint already shown adds no frame."""
        self._asked += 1
        epoch = int(view.epoch_found)
        if self.epochs and epoch <= self.epochs[-1]:
            return
        self.views.show(epoch, view.grid, view.extent, view.val_pred)
        image = grab_side_by_side(self.views.targets(self.view), self.width)
        image = with_title(image, self.views.title(epoch))
        if self.frames:   # every frame the size of the first (a title may wrap)
            image = fit_to(image, self.frames[0].width, self.frames[0].height)
        self.frames.append(GrabbedFrame.from_qimage(image))
        self.epochs.append(epoch)

    def close(self) -> None:
        self.views.close()
