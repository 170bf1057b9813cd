"""A finished sweep run as a decision picture: its points and regions, rebuilt here.

A RunResult carries the run's config and final weights, not its data: a Trainer of
the same config draws the same data (the seed decides it), and takes the weights,
so the picture costs one data draw and one grid of forward passes per run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnfs_gui.training.process.loop import predict_val, run_points
from nnfs_gui.training.process.protocol import RunPoints
from nnfs_gui.training.run.trainer import Trainer

PICTURE_GRID = 60  # grid points per side of a small picture (smooth painting fills in)


@dataclass(frozen=True)
class RunPicture:
    points: RunPoints
    grid: np.ndarray            # (size, size, n_classes), row 0 = lowest y
    extent: tuple[float, float, float, float]
    val_pred: np.ndarray | None


def run_trainer(result, params: str = "final") -> Trainer:
    """A Trainer holding `result`'s data and its final (or best) weights."""
    trainer = Trainer(result.config)
    trainer.model.set_params(result.params_final if params == "final" else result.params_best)
    return trainer


def run_picture(result, grid_size: int = PICTURE_GRID) -> RunPicture:
    trainer = run_trainer(result)
    return RunPicture(run_points(trainer), trainer.grid_probabilities(grid_size),
                      trainer.extent, predict_val(trainer))


def run_title(result, varied) -> str:
    """'width 64 · seed 0': the varied values and the seed, as the table shows them."""
    from nnfs_gui.training.lab.summary import x_label

    parts = [f"{name} {x_label(result.values[name])}" for name in varied]
    return " · ".join([*parts, f"seed {result.seed}"])
