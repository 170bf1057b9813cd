"""Figures and animations of a finished headless run, drawn by the window's own views.

``export_figures(trainer, out_dir, words)`` is what ``--headless --export
png,svg,pdf,gif,mp4`` calls (nnfs_gui/cli/headless.py): the only reason a headless
run loads Qt (the command line picks the offscreen platform without a display). The
pictures are frames.py's, as in the window:

- png: ``decision.png`` (Fig 11.01/11.02), ``curves.png`` (Fig 11.03) and
  ``dashboard.png`` (both side by side), 1600 px wide, white background;
- svg: the same three as SVG;  pdf: ``dashboard.pdf`` (the run's title above);
- gif / mp4: ``training.gif`` / ``training.mp4``: ANIMATION_FRAMES frames from the
  run's checkpoints (the Trainer's timeline), the regions of each frame's epoch beside
  the curves up to it, as the window's Export > Record the run so far makes them.

config.json beside them is the command's own (cli/headless.py writes it).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from nnfs_gui.core.files.formats import ExportFormat, ExportSource, headless_requests
from nnfs_gui.core.files.saving import ExportError
from nnfs_gui.training.process.loop import epoch_view, predict_val, run_points
from nnfs_gui.training.process.protocol import ShowEpoch
from nnfs_gui.ui.export import animation, figures  # noqa: F401 - they register the writers
from nnfs_gui.ui.export.frames import (
    FigureViews,
    Recording,
    RunPicture,
    frame_epochs,
)

GRID_SIZE = 200          # decision grid of the still figures
ANIMATION_FRAMES = 100   # frames of an animation, spread over the whole run
ANIMATION_FPS = 10.0
ANIMATION_GRID = 100


def export_figures(trainer, out_dir: str | Path, rows: Iterable[ExportFormat]) -> list[Path]:
    """Write the table's figure and animation ``rows`` (what ``--export`` asked for) of
    ``trainer``'s run into ``out_dir``; returns the files written."""
    picture = trainer_picture(trainer)
    views = FigureViews()
    try:
        views.still(picture)
        source = ExportSource(config=trainer.config, history=trainer.history,
                              points=trainer.split, targets=views.targets,
                              title=views.title(picture.epoch),
                              # one recording for gif and mp4 alike
                              animation=functools.cache(lambda: animate(trainer, picture)))
        return [fmt.write(source, request) for fmt in rows
                for request in headless_requests(fmt, Path(out_dir))]
    finally:
        views.close()


def trainer_picture(trainer, grid_size: int = GRID_SIZE) -> RunPicture:
    """The trained run as a picture: its final regions, its whole history."""
    epochs = trainer.history.column("epoch")
    return RunPicture(config=trainer.config, points=run_points(trainer),
                      history=trainer.history, grid=trainer.grid_probabilities(grid_size),
                      extent=trainer.extent, val_pred=predict_val(trainer),
                      epoch=int(epochs[-1]) if len(epochs) else None)


def animate(trainer, picture: RunPicture, n_frames: int | None = None) -> tuple[list, float]:
    """(frames, fps) of the run from its checkpoints: ``n_frames`` (ANIMATION_FRAMES)
    epochs evenly from its first to its last, each drawn from ``epoch_view``."""
    if picture.epoch is None:
        raise ExportError("The run has no epochs to animate.")
    epochs = frame_epochs(picture.first_epoch, picture.epoch, n_frames or ANIMATION_FRAMES)
    recording = Recording(picture, epochs, ANIMATION_FPS)
    try:
        while (epoch := recording.next_epoch()) is not None:
            asked = ShowEpoch(trainer.run_id, epoch, ANIMATION_GRID, request_id=0)
            recording.add(epoch_view(trainer, asked))
        return recording.frames, recording.fps
    finally:
        recording.close()
