"""Figures of a finished headless run, drawn by the window's own views offscreen.

``export_figures(trainer, out_dir, formats)`` is what ``--headless --export
png,svg,pdf,gif,mp4`` calls. It builds the decision view and the curves view
without a window (``QT_QPA_PLATFORM=offscreen`` when there is no display), feeds
them the trainer's final grid and whole history, and writes:

- png: ``decision.png`` (Fig 11.01/11.02), ``curves.png`` (Fig 11.03) and
  ``dashboard.png`` (both side by side), 1600 px wide, white background;
- svg: the same three as SVG;  pdf: ``dashboard.pdf``;
- gif / mp4: ``training.gif`` / ``training.mp4``, the run replayed.

A trainer holds only its final weights, so the animation *replays* the run: a
fresh Trainer of the same config (same seed, hence the same data, initial weights
and updates) trains again and a frame is drawn every K epochs. The replay is
checked against the original history and refuses to write an animation that
would differ from the run it claims to show (e.g. a run whose settings were
changed live while training; the headless CLI never does that).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from nnfs_gui.ui.export.io import ExportError

VIEW_SIZE = {"decision": (640, 600), "curves": (520, 600)}  # on-screen px (w, h)
FIGURE_WIDTH = 1600
GRID_SIZE = 200          # decision grid of the still figures
ANIMATION_FRAMES = 100   # about this many frames in a replayed animation
ANIMATION_FPS = 10.0
ANIMATION_WIDTH = 800
ANIMATION_GRID = 100
STILLS = ("decision", "curves", "dashboard")


def ensure_qt_app():
    """The QApplication, created offscreen when there is no display."""
    from nnfs_gui.app import has_display

    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

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
        from PySide6.QtCore import Qt

        from nnfs_gui.ui.views.curves_view import CurvesView
        from nnfs_gui.ui.views.decision_view import DecisionView

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
        from nnfs_gui.training.loop import run_points

        self.decision_view.reset(run_points(trainer))
        self.curves_view.reset()

    def show(self, trainer, history_rows: dict, grid_size: int, last_epoch: int) -> None:
        """Draw the trainer's current regions and append ``history_rows`` to the curves.

        The epoch axis spans 0..``last_epoch``: a figure of a finished run fits its
        data (the live view widens in steps with headroom instead).
        """
        from nnfs_gui.training.loop import predict_val

        grid = trainer.grid_probabilities(grid_size)
        self.decision_view.update_snapshot(SimpleNamespace(grid=grid, extent=trainer.extent),
                                           predict_val(trainer))
        self.curves_view.append(history_rows)
        self.curves_view.loss_plot.setXRange(0, max(last_epoch, 1), padding=0.02)
        self.app.processEvents()

    def close(self) -> None:
        for view in self.targets().values():
            view.close()
            view.deleteLater()
        self.app.processEvents()


def export_figures(trainer, out_dir: str | Path, formats: Iterable[str]) -> list[Path]:
    """Write the requested figure formats of ``trainer``'s run into ``out_dir``."""
    from nnfs_gui.ui.export.io import write_config_beside

    formats = [f.lower() for f in formats]
    unknown = sorted(set(formats) - set(FIGURE_WRITERS))
    if unknown:
        raise ExportError(f"Unknown figure format(s) {', '.join(unknown)}; "
                          f"choose from {', '.join(FIGURE_WRITERS)}.")
    out_dir = Path(out_dir)
    views = OffscreenViews()
    try:
        views.start(trainer)
        views.show(trainer, trainer.history.rows_since(0), GRID_SIZE, trainer.epoch - 1)
        written = []
        for fmt in dict.fromkeys(formats):
            written += FIGURE_WRITERS[fmt](views, trainer, out_dir)
    finally:
        views.close()
    if written:
        write_config_beside(written[0], trainer.config)
    return written


def _still_targets(views: OffscreenViews) -> dict[str, list]:
    t = views.targets()
    return {"decision": [t["decision"]], "curves": [t["curves"]],
            "dashboard": [t["decision"], t["curves"]]}


def _write_png(views, trainer, out_dir: Path) -> list[Path]:
    from nnfs_gui.ui.export.figures import export_png

    description = trainer.config.to_json()
    return [export_png(targets, out_dir / f"{name}.png", FIGURE_WIDTH, "white", description)
            for name, targets in _still_targets(views).items()]


def _write_svg(views, trainer, out_dir: Path) -> list[Path]:
    from nnfs_gui.ui.export.figures import export_svg

    return [export_svg(targets, out_dir / f"{name}.svg")
            for name, targets in _still_targets(views).items()]


def _write_pdf(views, trainer, out_dir: Path) -> list[Path]:
    from nnfs_gui.ui.export.figures import export_pdf

    return [export_pdf(_still_targets(views)["dashboard"], out_dir / "dashboard.pdf",
                       run_title(trainer.config, trainer.history))]


def run_title(config, history) -> str:
    """One line naming the run and its latest numbers, for PDF pages."""
    last = history.last() or {}
    parts = [config.name, f"epoch {max(len(history) - 1, 0):,}"]
    for key, label in (("data_loss", "loss"), ("acc", "acc"), ("val_loss", "val loss"),
                       ("val_acc", "val acc")):
        if key in last and math.isfinite(last[key]):
            parts.append(f"{label} {last[key]:.3f}")
    return " | ".join(parts)


def _write_animation(suffix: str):
    def write(views, trainer, out_dir: Path) -> list[Path]:
        frames = replay_frames(views, trainer, ANIMATION_FRAMES)
        from nnfs_gui.ui.export.recorder import write_animation

        return [write_animation(frames, out_dir / f"training{suffix}", ANIMATION_FPS)]

    return write


FIGURE_WRITERS = {"png": _write_png, "svg": _write_svg, "pdf": _write_pdf,
                  "gif": _write_animation(".gif"), "mp4": _write_animation(".mp4")}


def replay_frames(views: OffscreenViews, trainer, n_frames: int = ANIMATION_FRAMES) -> list:
    """Train a fresh copy of the run, drawing a frame every K epochs (K = epochs / n_frames).

    Raises ExportError when the replay's history differs from ``trainer``'s.
    """
    from nnfs_gui.training.trainer import Trainer
    from nnfs_gui.ui.export.recorder import Frame, grab_side_by_side

    total = trainer.epoch
    if total == 0:
        raise ExportError("The run has no epochs to animate.")
    every = max(1, math.ceil(total / n_frames))
    replay = Trainer(trainer.config, run_id=trainer.run_id)
    views.start(replay)
    targets = list(views.targets().values())
    frames, shown = [], 0
    while replay.epoch < total:
        replay.train(min(every, total - replay.epoch))
        views.show(replay, replay.history.rows_since(shown), ANIMATION_GRID, total - 1)
        shown = replay.epoch
        frames.append(Frame.from_qimage(grab_side_by_side(targets, ANIMATION_WIDTH)))
        if replay.diverged or replay.finished:
            break
    check_replay(trainer, replay)
    return frames


def check_replay(trainer, replay) -> None:
    """The replayed run must have the original's history, number for number."""
    n = trainer.epoch
    same = replay.epoch == n and all(
        np.array_equal(trainer.history.column(c), replay.history.column(c), equal_nan=True)
        for c in ("loss", "val_loss"))
    if not same:
        raise ExportError("The replayed run differs from the trained one (were settings "
                          "changed while it trained?); no animation was written. Record "
                          "the animation in the window instead (Export > Record).")
