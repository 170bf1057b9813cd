"""Figures of a finished headless run, drawn by the window's own views offscreen.

``export_figures(trainer, out_dir, words)`` is what ``--headless --export
png,svg,pdf,gif,mp4`` calls (nnfs_gui/cli/headless.py). It builds the decision view
and the curves view without a window (the command line picks the offscreen
platform when there is no display), feeds them the trainer's final grid and whole
history, and writes the files the format table (formats.py) names:

- png: ``decision.png`` (Fig 11.01/11.02), ``curves.png`` (Fig 11.03) and
  ``dashboard.png`` (both side by side), 1600 px wide, white background;
- svg: the same three as SVG;  pdf: ``dashboard.pdf``;
- gif / mp4: ``training.gif`` / ``training.mp4``, the run replayed.

A trainer holds only its final weights, so the animation *replays* the run: a
fresh Trainer of the same config (same seed, hence the same data, initial weights
and updates) trains again and a frame is drawn every K epochs. The replay is
checked against the original history and refuses to write an animation that
would differ from the run it claims to show (e.g. a run whose settings were
changed live while training; the headless CLI never does that). A run continued
from a saved model (``--init-model``) is replayed from the same saved model.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from PySide6.QtCore import Qt, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from nnfs_gui.training.process.loop import predict_val, run_points
from nnfs_gui.training.run.trainer import Trainer
from nnfs_gui.ui.export.animation import GrabbedFrame
from nnfs_gui.ui.export.formats import (
    DEFAULT_WIDTH,
    ExportFormat,
    ExportSource,
    cli_formats,
    headless_requests,
)
from nnfs_gui.ui.export.io import ExportError, write_config_beside
from nnfs_gui.ui.export.recorder import grab_side_by_side
from nnfs_gui.ui.views.curves_view import CurvesView
from nnfs_gui.ui.views.decision_view import DecisionView

VIEW_SIZE = {"decision": (640, 600), "curves": (520, 600)}  # on-screen px (w, h)
FIGURE_WIDTH = DEFAULT_WIDTH
GRID_SIZE = 200          # decision grid of the still figures
ANIMATION_FRAMES = 100   # about this many frames in a replayed animation
ANIMATION_FPS = 10.0
ANIMATION_WIDTH = 800
ANIMATION_GRID = 100
QT_KINDS = ("figure", "animation")  # the formats drawn by views (data and models need no Qt)


def ensure_qt_app():
    """The QApplication (the caller chose the platform, e.g. offscreen without a display)."""
    qInstallMessageHandler(_drop_offscreen_noise)
    return QApplication.instance() or QApplication([])


def _drop_offscreen_noise(mode, context, message: str) -> None:
    """Qt's messages to stderr, less the offscreen plugin's size-hint warning, which it
    prints for every hidden view it lays out: noise in a scripted run's output."""
    if "propagateSizeHints" not in message:
        sys.stderr.write(message + "\n")


class OffscreenViews:
    """The app's decision and curves views, sized as on screen, not in a window."""

    def __init__(self) -> None:
        self.app = ensure_qt_app()
        self.decision_view, self.curves_view = DecisionView(), CurvesView()
        for name, view in self.targets().items():
            view.resize(*VIEW_SIZE[name])
            # Laid out and painted as if shown, but never mapped: with a real display
            # a headless run must not flash windows on the screen.
            view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            view.show()
        self.app.processEvents()

    def targets(self) -> dict[str, object]:
        return {"decision": self.decision_view, "curves": self.curves_view}

    def start(self, trainer) -> None:
        """Show a run's points; forget earlier regions and curves."""
        self.decision_view.reset(run_points(trainer))
        self.curves_view.reset()

    def show(self, trainer, history_rows: dict, grid_size: int, last_epoch: int,
             first_epoch: int = 0) -> None:
        """Draw the trainer's current regions and append ``history_rows`` to the curves.

        The epoch axis spans ``first_epoch``..``last_epoch``: a figure of a finished
        run fits its data (the live view widens in steps with headroom instead), and
        a run continued from a saved model starts at the saved epoch.
        """
        grid = trainer.grid_probabilities(grid_size)
        self.decision_view.update_snapshot(SimpleNamespace(grid=grid, extent=trainer.extent),
                                           predict_val(trainer))
        self.curves_view.append(history_rows)
        self.curves_view.loss_plot.setXRange(first_epoch, max(last_epoch, first_epoch + 1),
                                             padding=0.02)
        self.app.processEvents()

    def close(self) -> None:
        for view in self.targets().values():
            view.close()
            view.deleteLater()
        self.app.processEvents()


def export_figures(trainer, out_dir: str | Path, words: Iterable[str],
                   init=None) -> list[Path]:
    """Write the figure and animation formats named by ``words`` (``--export`` words)
    of ``trainer``'s run into ``out_dir``; ``init`` is the SavedModel the run began from."""
    rows = figure_formats(words)
    out_dir = Path(out_dir)
    views = OffscreenViews()
    try:
        views.start(trainer)
        views.show(trainer, trainer.history.rows_since(0), GRID_SIZE, trainer.epoch - 1,
                   first_epoch(trainer))
        source = offscreen_source(views, trainer, init)
        written = [fmt.write(source, request) for fmt in rows
                   for request in headless_requests(fmt, out_dir)]
    finally:
        views.close()
    if written:
        write_config_beside(written[0], trainer.config)
    return written


def first_epoch(trainer) -> int:
    """The run's first history row's epoch (a continued run starts at its saved epoch)."""
    epochs = trainer.history.column("epoch")
    return int(epochs[0]) if len(epochs) else trainer.epoch


def figure_formats(words: Iterable[str]) -> list[ExportFormat]:
    """The table's rows for ``words``, stills first (an animation replays the run
    through the same views, so stills drawn after it would show the replay's grid)."""
    known = {w: f for w, f in cli_formats().items() if f.kind in QT_KINDS}
    words = [w.lower() for w in words]
    unknown = sorted(set(words) - set(known))
    if unknown:
        raise ExportError(f"Unknown figure format(s) {', '.join(unknown)}; "
                          f"choose from {', '.join(known)}.")
    rows = [known[w] for w in dict.fromkeys(words)]
    return sorted(rows, key=lambda f: QT_KINDS.index(f.kind))


def offscreen_source(views: OffscreenViews, trainer, init=None) -> ExportSource:
    """The trained run as the table's writers read it; the replay runs at most once."""
    replayed: list = []

    def animation():
        if not replayed:
            replayed.append(replay_frames(views, trainer, ANIMATION_FRAMES, init))
        return replayed[0], ANIMATION_FPS

    stills = {"decision": [views.decision_view], "curves": [views.curves_view],
              "dashboard": [views.decision_view, views.curves_view]}
    return ExportSource(config=trainer.config, history=trainer.history, points=trainer.split,
                        targets=stills.__getitem__, animation=animation)


def replay_frames(views: OffscreenViews, trainer, n_frames: int = ANIMATION_FRAMES,
                  init=None) -> list:
    """Train a fresh copy of the run (from ``init`` when it began from a saved model),
    drawing a frame every K epochs (K = epochs trained / n_frames).

    Raises ExportError when the replay's history differs from ``trainer``'s.
    """
    replay = (Trainer(trainer.config, run_id=trainer.run_id) if init is None
              else Trainer(trainer.config, run_id=trainer.run_id, init=init))
    total = trainer.epoch
    if total <= replay.epoch:
        raise ExportError("The run has no epochs to animate.")
    start = replay.epoch
    every = max(1, math.ceil((total - start) / n_frames))
    views.start(replay)
    targets = list(views.targets().values())
    frames, shown = [], 0  # shown: history rows already on the curves
    while replay.epoch < total:
        replay.train(min(every, total - replay.epoch))
        views.show(replay, replay.history.rows_since(shown), ANIMATION_GRID, total - 1, start)
        shown = len(replay.history)
        frames.append(GrabbedFrame.from_qimage(grab_side_by_side(targets, ANIMATION_WIDTH)))
        if replay.diverged or replay.finished:
            break
    check_replay(trainer, replay)
    return frames


def check_replay(trainer, replay) -> None:
    """The replayed run must have the original's history, number for number."""
    same = replay.epoch == trainer.epoch and all(
        np.array_equal(trainer.history.column(c), replay.history.column(c), equal_nan=True)
        for c in ("epoch", "loss", "val_loss"))
    if not same:
        raise ExportError("The replayed run differs from the trained one (were settings "
                          "changed while it trained?); no animation was written. Record "
                          "the animation in the window instead (Export > Record).")
