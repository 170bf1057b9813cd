"""What the training loop answers with: a run's points, a copy of its model, and the
run as it was at an earlier epoch (from its checkpoints, the answer to ShowEpoch).

Qt-free, like everything under ``training/``.
"""

from __future__ import annotations

import copy

import numpy as np

from nnfs_gui.training.history import COLUMNS
from nnfs_gui.training.protocol import EpochView, ModelState, RunPoints


def run_points(trainer) -> RunPoints:
    """Read-only copies of a run's raw training and validation points."""
    s = trainer.split
    arrays = [np.array(a, copy=True) for a in (s.x_train, s.y_train, s.x_val, s.y_val)]
    return RunPoints(*arrays, n_classes=trainer.config.classes, extent=trainer.extent,
                     run_id=trainer.run_id, strategy=s.strategy, scaler=trainer.scaler,
                     start_epoch=trainer.epoch, config=trainer.config).read_only()


def model_state(trainer) -> ModelState:
    """A copy of the trainer's model as it is now (weights and optimizer state)."""
    return ModelState(run_id=trainer.run_id, model=copy.deepcopy(trainer.model),
                      config=trainer.config, scaler=trainer.scaler, epoch=trainer.epoch)


def predict_val(trainer) -> np.ndarray | None:
    """(m,) predicted class of each validation point (None if the trainer has no model)."""
    model = getattr(trainer, "model", None)
    if model is None:
        return None
    return np.asarray(model.predict(trainer.x_val))


def epoch_view(trainer, epoch: int, grid_size: int) -> EpochView:
    """The run at ``epoch``, from its checkpoint (the running model is not touched)."""
    found, model = trainer.model_at(epoch)
    grid = trainer.grid_probabilities(grid_size, model=model)
    val_pred = np.asarray(model.predict(trainer.x_val))
    i = found - trainer.start_epoch
    row = None
    if 0 <= i < len(trainer.history):
        row = {name: trainer.history.column(name)[i].item() for name in COLUMNS}
    return EpochView(run_id=trainer.run_id, asked=int(epoch), epoch_found=int(found),
                     grid=grid, extent=trainer.extent, val_pred=val_pred, row=row)
