"""The Trainer: one run's data split, scaler, model and history, without Qt.

Epoch numbering follows the book's chapter-11 loop ``for epoch in range(10001)``:
``config.epochs`` is the number of the *last* epoch, so ``epochs=10000`` trains
epochs 0..10000, that is 10,001 updates, and a finished run has
``trainer.epoch == config.epochs + 1`` completed epochs and as many history rows.

Each history row e holds the training metrics of epoch e's forward pass (before
its update, as the book prints them), the validation loss and accuracy of those
same weights (evaluated just before ``train_epoch``, which starts from them), and
the learning rate that epoch's update used.
"""

from __future__ import annotations

import copy
import math
import time

import numpy as np

from nnfs_gui.core.config import Config
from nnfs_gui.core.data.pipeline import prepare_data, prepare_split
from nnfs_gui.core.data.splits import DataSplit, make_split
from nnfs_gui.core.files.serialization import SavedModel
from nnfs_gui.core.learner.network import LearnerModel
from nnfs_gui.core.learner.sandbox import LearnerCodeError, OwnCode
from nnfs_gui.core.net.bookmode import draw_book_validation, make_book_run
from nnfs_gui.core.net.model import Model
from nnfs_gui.core.net.numerics import BookRandom
from nnfs_gui.training.run.history import History
from nnfs_gui.training.run.snapshot import Snapshot, frozen_copy
from nnfs_gui.training.run.timeline import Timeline

EXTENT_MARGIN = 0.10      # fraction of the data's span added on each side of the plot
GRID_CHUNK_POINTS = 4096  # points per forward pass; 200x200 grid: 6-7 ms for 1k..40k
# On divergence the weights restored are those of the last epoch whose loss was at most
# this many times the run's best so far: the last finite epoch may already be far gone
# (a loss of 3.7e35 is finite), the best one may be thousands of epochs back.
SANE_LOSS_FACTOR = 10.0
# Epochs at least this long (as the last one measured) may be cut short by train()'s
# should_stop; shorter ones always run whole (no backup of the optimizer's state).
LONG_EPOCH_SECONDS = 0.05


class Trainer:
    """Owns one run: split, scaler, (augmented) training set, model and history.

    Attributes
    ----------
    split: the raw DataSplit (x_* (n, 2) float32 in data units, y_* (n,) int64).
    x_train, y_train: scaled and augmented training set, (m, 2) and (m,).
    x_val, y_val: scaled validation set, (k, 2) and (k,).
    train_seconds: seconds spent inside ``train`` so far; epochs trained divided by
        it is the app's one definition of epochs/s (window and headless alike).
    extent: (x_min, x_max, y_min, y_max) of raw train+val points plus 10% margin.
    epoch: epochs completed (== start_epoch + len(history)).
    start_epoch: the first epoch of this trainer's history (a continued model's epoch).
    """

    def __init__(self, config: Config, run_id: int = 0, *,
                 split: DataSplit | None = None, init: SavedModel | None = None,
                 own_code: OwnCode | None = None) -> None:
        """``split``: train on exactly these raw points (model B on A's data) instead
        of drawing the config's own; augmentation and scaling still follow ``config``.
        ``init``: continue a saved model: its weights and optimizer state, epochs
        numbered on from ``init.epoch``; the data are drawn from ``config`` as for a new
        run, so its data and network settings must be the saved ones (same seed, same
        points); live settings (learning rate, epoch limit...) may differ.
        ``own_code``: train the learner's own classes from that file instead of the
        app's engine (core/learner): it runs their file, so only a child process builds
        such a Trainer (the training process, a check, a headless run's child). Their
        failures raise core.learner.sandbox.LearnerCodeError (LearnerLoadError: the file
        cannot be used), with their traceback."""
        self.config = config
        self.own_code = own_code
        self.run_id = run_id
        self.start_epoch = 0
        self.history = History()
        self.diverged = False
        self.message = ""
        self.train_seconds = 0.0
        # Early stopping: the weights of the lowest validation loss so far (those its
        # epoch started from, the ones that loss was measured on).
        self.best_params: list[np.ndarray] | None = None
        self.best_val_loss, self.best_params_epoch = math.inf, None
        # The weights each epoch starts from, so any epoch can be shown again: row e
        # of the history and checkpoint e belong to the same weights.
        self.timeline = Timeline()
        self._viewer: Model | None = None   # a second model for epochs gone by
        self._snapshot_row = 0  # first history row not yet handed out in a snapshot
        self._book_test_set: tuple[np.ndarray, np.ndarray] | None = None
        self.rng = np.random.default_rng(config.seed)
        if config.book_mode:
            self._build_book(split)
        else:
            self._build_fast(split)
        if init is not None:
            self._continue_from(init)
        self.extent = data_extent(self.split.x_train, self.split.x_val)
        self._params_before_last_epoch = self.model.get_params()
        self.interrupted = False   # the last train() ended an epoch early (should_stop)
        self.epoch_seconds: float | None = None   # the last whole epoch's duration
        self._best_loss = math.inf
        # (epoch, weights it started from, its loss) of the last sane epoch
        self._sane = (self.epoch, self._params_before_last_epoch, math.nan)

    # -- building ------------------------------------------------------------------
    def _build_fast(self, split: DataSplit | None) -> None:
        """Split, augment, scale (fitted on training data only), then build the model."""
        if split is None:
            data = prepare_data(self.config, self.rng)
        else:
            # Draw the config's own points anyway and set them aside: the weights then
            # come from the same place in the stream as in a run that makes its points,
            # so B on A's points with A's settings is A, and a sweep's run opened as B
            # repeats its row. (For 2-D data sets the draw costs well under a millisecond.)
            make_split(self.config, self.rng)
            data = prepare_split(self.config, split, self.rng)
        self._take_data(data)
        self.model = self._new_model(self.rng)

    def _new_model(self, rng):
        """The run's network, its weights drawn from ``rng`` (a BookRandom: the book's
        stream); the learner's classes draw theirs from the book's stream seeded with
        the config's seed, as the book's nnfs.init() seeds it."""
        if self.own_code is not None:
            stream = rng if isinstance(rng, BookRandom) else BookRandom(self.config.seed)
            return LearnerModel(self.own_code, self.config, stream)
        # n_outputs counts classes; the model picks one sigmoid unit for binary loss
        return Model.from_config(self.config, n_inputs=2, n_outputs=self.config.classes,
                                 rng=rng)

    def _take_data(self, data) -> None:
        """Keep the pieces of a core.pipeline.PreparedData."""
        self.split, self.scaler = data.split, data.scaler
        self.x_train, self.y_train = data.x_train, data.y_train
        self.x_val, self.y_val = data.x_val, data.y_val

    def _build_book(self, split: DataSplit | None) -> None:
        """The book's stream order: training data, weights, then validation data.

        The book has no scaler or augmentation; when a book-mode config asks for
        them they apply as in normal mode, augmentation drawing from ``self.rng``
        so the book's own random stream is not disturbed. Validation is the book's
        fresh sample, unless a ``split`` is given: the book's weights then train on it.
        """
        run = make_book_run(self.config, self._new_model)
        if split is None:
            split = DataSplit(run.x_train, run.y_train, run.x_val, run.y_val, "fresh")
        self._take_data(prepare_split(self.config, split, self.rng))
        self.model = run.model

    def _continue_from(self, init: SavedModel) -> None:
        """The saved weights and (same optimizer) its state; then this config's live
        settings, as a live change would apply them."""
        changed = init.config.restart_fields_changed(self.config)
        if changed:
            raise ValueError(f"a saved model continues with its own data and network "
                             f"settings; these differ: {', '.join(changed)}")
        self.model.set_params(init.model.get_params())
        if init.model.optimizer.name == self.model.optimizer.name:
            self.model.load_optimizer_state(init.model.optimizer_state())
        self.model.apply_live(self.config)
        self.start_epoch = init.epoch

    # -- state ---------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        return self.start_epoch + len(self.history)

    @property
    def total_epochs(self) -> int:
        """Epochs in a complete run: 0..config.epochs, as the book's range(epochs + 1)."""
        return self.config.epochs + 1

    @property
    def finished(self) -> bool:
        return self.epoch >= self.total_epochs or self.stopped_early

    @property
    def stopped_early(self) -> bool:
        """config.patience epochs in a row without a lower validation loss."""
        p, best = self.config.patience, self.best_params_epoch
        return bool(p) and best is not None and self.epoch - 1 - best >= p

    def restore_best(self) -> int | None:
        """Put the best validation epoch's weights back; returns that epoch (None if
        there is none yet). The optimizer's state stays as training left it."""
        if self.best_params is None:
            return None
        self.model.set_params(self.best_params)
        return self.best_params_epoch

    @property
    def learning_rate(self) -> float:
        return float(self.model.optimizer.current_learning_rate)

    # -- training ------------------------------------------------------------------
    def train(self, n_epochs: int = 1, should_stop=None) -> int:
        """Train up to ``n_epochs`` epochs (fewer at the epoch limit or on divergence).

        ``should_stop()`` (optional) is asked between the batches or row chunks of a
        long epoch (LONG_EPOCH_SECONDS); when it says yes that epoch is discarded
        (weights and optimizer state as before it, no history row) and
        ``self.interrupted`` is set. Returns how many epochs completed (got a row).
        """
        done, start = 0, time.perf_counter()
        self.interrupted = False
        # Overflow on the way to divergence is expected and handled (the loss is
        # checked every epoch), so numpy's warnings would only be noise.
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                while done < n_epochs and not self.finished and not self.diverged:
                    if not self._train_one_epoch(should_stop):
                        break
                    done += 1
        except LearnerCodeError as e:   # the learner's code failed: say in which epoch
            raise e.during(f"epoch {self.epoch}") from None
        finally:
            self.train_seconds += time.perf_counter() - start
        return done

    def _train_one_epoch(self, should_stop=None) -> bool:
        long_epoch = self.epoch_seconds is None or self.epoch_seconds >= LONG_EPOCH_SECONDS
        if should_stop is None or not long_epoch:
            return self._whole_epoch(None)
        # Mini-batches update as they go: keep the optimizer's state to restore.
        minibatch = 0 < self.config.batch_size < len(self.x_train)
        state = self.model.optimizer_state() if minibatch else None
        if self._whole_epoch(should_stop):
            return True
        if self.interrupted:
            self.model.set_params(self._params_before_epoch)
            if state is not None:
                self.model.load_optimizer_state(state)
        return False

    def _whole_epoch(self, should_stop) -> bool:
        cfg, model = self.config, self.model
        start = time.perf_counter()
        # A copy of the weights every epoch (for 2-64-3 the cost is lost in the noise,
        # see tests/training/bench_trainer.py): when epoch e's loss is not finite the
        # weights it started from are already bad, so the last good ones are those
        # epoch e-1 started from. A copy every K epochs would lose up to K rows.
        params_before = self._params_before_epoch = model.get_params()
        # One call trains and scores validation on the weights the epoch starts from
        # (the fast path shares the forward pass between the two sets when it can).
        stats = model.train_epoch(self.x_train, self.y_train, cfg.batch_size, cfg.shuffle,
                                  self.rng, self.x_val, self.y_val, should_stop=should_stop)
        if stats is None:
            self.interrupted = True
            return False
        self.epoch_seconds = time.perf_counter() - start
        val_loss, val_acc = stats.val_loss, stats.val_acc
        for what, value in (("loss", stats.loss), ("validation loss", val_loss)):
            if not math.isfinite(value):
                self._stop_diverged(what, value)
                return False
        self.history.append(epoch=self.epoch, loss=stats.loss, data_loss=stats.data_loss,
                            reg_loss=stats.reg_loss, acc=stats.acc, val_loss=val_loss,
                            val_acc=val_acc, lr=self.learning_rate)
        self.timeline.record(self.epoch - 1, params_before)
        self._params_before_last_epoch = params_before
        self._note_sane(self.epoch - 1, params_before, stats.loss)
        if val_loss < self.best_val_loss:
            self.best_val_loss, self.best_params = val_loss, params_before
            self.best_params_epoch = self.epoch - 1
        elif self.stopped_early:
            self.message = (f"Stopped early at epoch {self.epoch - 1}: validation loss has "
                            f"not improved since epoch {self.best_params_epoch}. Tools > "
                            f"Restore best weights puts that epoch's weights back.")
        return True

    def _note_sane(self, epoch: int, params: list[np.ndarray], loss: float) -> None:
        """Keep epoch's starting weights if its loss is within SANE_LOSS_FACTOR of the
        best so far (params is that epoch's own copy: keeping it copies nothing)."""
        self._best_loss = min(self._best_loss, loss)
        if loss <= SANE_LOSS_FACTOR * self._best_loss:
            self._sane = (epoch, params, loss)

    def _stop_diverged(self, what: str, value: float) -> None:
        e = self.epoch
        sane_epoch, params, loss = self._sane
        self.model.set_params(params)
        self.diverged = True
        restored = (f"the weights of epoch {sane_epoch} (loss {loss:.3f})"
                    if math.isfinite(loss) else "the first weights")
        self.message = (f"Training diverged at epoch {e} ({what} is {value:.3g}); stopped "
                        f"and restored {restored}. Try a lower learning rate, then Play.")

    def resume_after_divergence(self) -> None:
        """Train on from the restored weights with a fresh optimizer state (the old
        moments carried the steps that blew up); the run's settings as they are now."""
        if not self.diverged:
            return
        self.model.fresh_optimizer(self.config)
        self.diverged, self.message = False, ""
        self._best_loss = math.inf

    def apply_live(self, config: Config) -> None:
        """Hand changed live settings to the running model; restart fields raise."""
        restart = self.config.restart_fields_changed(config)
        if restart:
            raise ValueError(f"these settings need a new run, not a live change: "
                             f"{', '.join(restart)}")
        self.model.apply_live(config)
        self.config = config

    # -- reading -------------------------------------------------------------------
    def best_epoch(self) -> int | None:
        """Epoch of the lowest validation loss, or None before the first epoch."""
        val = self.history.column("val_loss")
        if len(val) == 0:
            return None
        return int(self.history.column("epoch")[int(np.argmin(val))])

    def evaluate_final(self) -> dict[str, float]:
        """Data loss and accuracy of the current weights on training and validation data.

        The losses are data losses (no L1/L2 penalty), so the two are comparable.
        """
        loss, acc = self.model.evaluate(self.x_train, self.y_train)
        val_loss, val_acc = self.model.evaluate(*self._final_validation_set())
        return {"loss": float(loss), "acc": float(acc), "val_loss": float(val_loss),
                "val_acc": float(val_acc)}

    def _final_validation_set(self) -> tuple[np.ndarray, np.ndarray]:
        """The validation data of the final report: (k, 2) scaled, (k,).

        In book mode with dropout the book draws its test data after all the
        training masks, so a finished run draws it now, once, from the book stream
        (bookmode.draw_book_validation). Otherwise it is the run's validation set.
        """
        cfg = self.config
        if not (cfg.book_mode and cfg.dropout > 0 and self.finished):
            return self.x_val, self.y_val
        if self._book_test_set is None:
            x, y = draw_book_validation(cfg, self.model)
            self._book_test_set = (self.scaler.transform(x), y)
        return self._book_test_set

    def portable_model(self) -> Model:
        """A copy of the model as it is now that any process can read: the app's Model
        (for the learner's classes, one holding their weights and optimizer state, so
        their file is never needed to unpickle it)."""
        if self.own_code is not None:
            return self.model.portable()
        return copy.deepcopy(self.model)

    def params_at(self, epoch: int) -> tuple[int, list[np.ndarray]]:
        """(epoch found, parameters) of the checkpoint nearest ``epoch``; the current
        weights for ``epoch >= self.epoch`` (or before the first epoch ended)."""
        if epoch >= self.epoch or len(self.timeline) == 0:
            return self.epoch, self.model.params
        return self.timeline.nearest(epoch)

    def model_at(self, epoch: int) -> tuple[int, Model]:
        """(epoch found, a model with the weights of the checkpoint nearest ``epoch``).

        The model is a second one kept for this (a copy of the running model made
        once), so the running model, its optimizer state and its random stream are
        never disturbed. Valid until the next call."""
        found, params = self.params_at(epoch)
        if found == self.epoch:
            return found, self.model
        if self._viewer is None:
            self._viewer = copy.deepcopy(self.model)
        self._viewer.set_params(params)
        return found, self._viewer

    def grid_probabilities(self, size: int, extent=None, model: Model | None = None) -> np.ndarray:
        """Class probabilities on a size x size grid over ``extent`` (raw units), of
        ``model`` (default: the running one).

        Returns (size, size, n_classes) float32; row 0 = lowest y, column 0 =
        lowest x. Grid points go through the run's scaler, in row chunks.
        """
        model = self.model if model is None else model
        x0, x1, y0, y1 = self.extent if extent is None else extent
        xs = np.linspace(x0, x1, size, dtype=np.float32)
        ys = np.linspace(y0, y1, size, dtype=np.float32)
        out = np.empty((size, size, self.config.classes), dtype=np.float32)
        rows = max(1, GRID_CHUNK_POINTS // size)
        for r0 in range(0, size, rows):
            r1 = min(size, r0 + rows)
            points = grid_points(xs, ys[r0:r1])
            proba = model.predict_proba(self.scaler.transform(points))
            out[r0:r1] = proba.reshape(r1 - r0, size, -1)
        return out

    def snapshot(self, grid_size: int | None = 100) -> Snapshot:
        """An immutable picture; its history holds the rows since the last snapshot."""
        rows = self.history.rows_since(self._snapshot_row)
        self._snapshot_row = len(self.history)
        grid = None
        if grid_size:
            grid = frozen_copy(self.grid_probabilities(grid_size))
        return Snapshot(run_id=self.run_id, epoch=self.epoch, history=rows, grid=grid,
                        extent=self.extent, learning_rate=self.learning_rate,
                        diverged=self.diverged, finished=self.finished, message=self.message)


def data_extent(*point_sets: np.ndarray) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) of all points, widened by 10% of the span per side."""
    pts = np.concatenate([np.asarray(p, dtype=np.float64) for p in point_sets])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)  # a flat set still gets a visible area
    lo, hi = lo - EXTENT_MARGIN * span, hi + EXTENT_MARGIN * span
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def grid_points(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """(len(ys) * len(xs), 2) points, row-major: all xs for ys[0], then for ys[1]..."""
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])
