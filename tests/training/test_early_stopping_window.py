"""Early stopping in the window's run (Config.patience): the Trainer stops when
validation loss has not improved for `patience` epochs, keeps its best epoch's
weights, and RestoreBest (through the training loop) puts them back."""

import numpy as np

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.presets import load_preset
from nnfs_gui.training.process import protocol as p
from nnfs_gui.training.process.loop import TrainingLoop
from nnfs_gui.training.run.trainer import Trainer


def overfitting_config(patience: int) -> Config:
    return load_preset("ch11-overfit").replace(epochs=6000, patience=patience)


def test_patience_stops_the_run_and_restored_weights_give_the_best_val_loss():
    trainer = Trainer(overfitting_config(200))
    trainer.train(10_000)
    val = trainer.history.column("val_loss")
    best = int(np.argmin(val))
    assert trainer.finished and trainer.stopped_early and trainer.epoch < 6001
    assert len(val) - 1 - best == 200          # stopped exactly `patience` epochs later
    assert trainer.best_params_epoch == best and "Stopped early" in trainer.message
    after = trainer.model.evaluate(trainer.x_val, trainer.y_val)[0]
    assert after > val[best]                   # training went on past the best epoch
    assert trainer.restore_best() == best
    restored = trainer.model.evaluate(trainer.x_val, trainer.y_val)[0]
    np.testing.assert_allclose(restored, val[best], rtol=1e-5)


def test_no_patience_trains_to_the_limit():
    trainer = Trainer(overfitting_config(0).replace(epochs=300))
    trainer.train(1000)
    assert trainer.epoch == 301 and not trainer.stopped_early


def test_the_loop_restores_the_best_weights_on_request():
    loop = TrainingLoop(send=lambda message: None)
    trainer = Trainer(overfitting_config(50).replace(epochs=3000))
    trainer.train(3000)
    loop.trainer = trainer
    loop.dispatch(p.RestoreBest())
    best = trainer.best_params_epoch
    val = trainer.history.column("val_loss")
    restored = trainer.model.evaluate(trainer.x_val, trainer.y_val)[0]
    np.testing.assert_allclose(restored, val[best - int(trainer.history.column("epoch")[0])],
                               rtol=1e-5)
    assert loop.want_frame
