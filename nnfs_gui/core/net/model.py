"""The network: hidden [Dense, activation, Dropout] blocks, an output Dense layer and
an output head (activation + loss), trained by an optimizer that owns its state.

Shapes: inputs x (n, n_inputs); labels y (n,) integer classes; probabilities
(n, n_classes). See docs/CONTRACTS.md for the API the trainer relies on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnfs_gui.core.net.activations import ACTIVATIONS
from nnfs_gui.core.net.engines import Engine, choose_engine
from nnfs_gui.core.net.layers import Dense, Dropout, Regularization
from nnfs_gui.core.net.losses import LOSSES
from nnfs_gui.core.net.numerics import BookNumerics, BookRandom, Numerics
from nnfs_gui.core.net.optimizers import hyperparameters, optimizer_from_config


@dataclass(frozen=True)
class EpochStats:
    """Training metrics of one epoch, and validation metrics when asked for.

    Full batch: the metrics of the forward pass before the update (what the book
    prints). Mini-batches: the sample-weighted mean over the epoch's batches.
    val_loss / val_acc: data loss and accuracy on the validation set of the weights
    the epoch started from (for a full batch the same weights as the training
    metrics); None when train_epoch got no validation data.
    """

    loss: float
    data_loss: float
    reg_loss: float
    acc: float
    val_loss: float | None = None
    val_acc: float | None = None


def regularization_from(config) -> Regularization:
    return Regularization(config.l1_weight, config.l1_bias, config.l2_weight, config.l2_bias)


def numerics_for(config, rng) -> Numerics:
    """Book arithmetic for a BookRandom (or a book-mode config), else plain numpy."""
    if isinstance(rng, BookRandom):
        return BookNumerics(rng)
    if config.book_mode:
        # Book arithmetic, but not the book's stream order: use bookmode.make_book_run
        # for runs that must match the book's printed numbers.
        return BookNumerics(BookRandom(config.seed))
    return Numerics(np.random.default_rng(config.seed) if rng is None else rng)


class Model:
    """A feed-forward classifier; build it with `Model.from_config`."""

    def __init__(self, layers: list, head, optimizer, numerics: Numerics,
                 n_inputs: int, n_classes: int) -> None:
        self.layers = layers
        self.head = head
        self.optimizer = optimizer
        self.num = numerics
        self.n_inputs = n_inputs
        self.n_classes = n_classes
        self.dense = [layer for layer in layers if isinstance(layer, Dense)]
        self.hidden_dense = self.dense[:-1]
        self.dropouts = [layer for layer in layers if isinstance(layer, Dropout)]
        # Chosen once (engines.py): normal mode trains on flat buffers and the layers'
        # weights and biases become views into them; book mode keeps the layer path.
        self.engine: Engine = choose_engine(self)
        # The arrays themselves, updated in place, so this list stays valid.
        self.params = self.engine.params

    # A copy (copy.deepcopy, pickle to the training process and back) would lose the
    # views the fast engine's layers hold into its flat buffer: the engine is left out
    # and chosen again, which rebuilds the buffer from the layers' values. The
    # optimizer's state is kept as it is (its layout depends only on the shapes).
    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("engine", "params")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.engine = choose_engine(self)
        self.params = self.engine.params

    @classmethod
    def from_config(cls, config, n_inputs: int = 2, n_outputs: int | None = None,
                    rng: np.random.Generator | BookRandom | None = None) -> Model:
        """Weights are drawn layer by layer from `rng` (a BookRandom means book mode).

        L1/L2 and dropout apply to every hidden Dense layer, not the output layer.
        """
        num = numerics_for(config, rng)
        n_classes = config.classes if n_outputs is None else n_outputs
        layers: list = []
        n_in = n_inputs
        for units in config.hidden:
            layers.append(Dense(n_in, units, num, config.init, regularization_from(config)))
            layers.append(ACTIVATIONS[config.activation]())
            layers.append(Dropout(config.dropout, num))
            n_in = units
        head = LOSSES[config.loss]()
        layers.append(Dense(n_in, head.n_units(n_classes), num, config.init))
        model = cls(layers, head, optimizer_from_config(config), num, n_inputs, n_classes)
        model.config = config
        return model

    # -- training ----------------------------------------------------------------
    def train_epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int = 0,
                    shuffle: bool = False, rng=None, x_val: np.ndarray | None = None,
                    y_val: np.ndarray | None = None, should_stop=None) -> EpochStats | None:
        """One pass over (x, y): full batch if batch_size is 0 or >= n, else mini-batches
        (shuffled with `rng` when `shuffle`). `rng` also draws normal-mode dropout masks;
        book mode draws masks from its own stream.

        With (x_val (k, n_inputs), y_val (k,)) the stats also hold val_loss/val_acc of
        the weights the epoch starts from: the numbers `evaluate(x_val, y_val)` called
        just before would give (up to float32 rounding), but for a full batch without
        dropout both sets share one forward pass.

        ``should_stop()`` (optional) is asked between mini-batches and between the row
        chunks of a long full-batch epoch; when it says yes the epoch ends early and this
        returns None: a full batch has not updated anything, mini-batches have (the
        caller restores the weights and optimizer state it kept).
        """
        x, y = self.num.as_inputs(x), np.asarray(y)
        if x_val is not None:
            x_val, y_val = self.num.as_inputs(x_val), np.asarray(y_val)
        numbers = self.engine.train_epoch(x, y, batch_size, shuffle, rng, x_val, y_val,
                                          should_stop)
        return None if numbers is None else EpochStats(*numbers)

    def regularization_loss(self):
        """Sum of the hidden layers' L1/L2 penalties (numpy scalar, or 0 if none)."""
        total = 0
        for layer in self.hidden_dense:
            total = total + layer.regularization_loss()
        return total

    # -- inference ---------------------------------------------------------------
    def evaluate(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """(data loss, accuracy) on (x, y) without dropout and without updating."""
        return self.engine.evaluate(self.num.as_inputs(x), np.asarray(y))

    def _output(self, x: np.ndarray) -> np.ndarray:
        return self.engine.output(self.num.as_inputs(x))

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """(n, n_inputs) -> (n, n_classes) probabilities (binary: columns [1-p, p])."""
        return self.head.probabilities(self._output(x))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """(n, n_inputs) -> (n,) int64 classes."""
        return self.head.classes(self._output(x)).astype(np.int64)

    # -- live settings and parameters -------------------------------------------
    def apply_live(self, config) -> None:
        """Apply the live settings of `config`: a different optimizer starts with fresh
        state (same weights); otherwise its hyperparameters change and state stays."""
        opt = self.optimizer
        if config.optimizer != opt.name:
            self.optimizer = optimizer_from_config(config)
        elif (config.learning_rate, config.decay) != (opt.learning_rate, opt.decay):
            opt.set_hyperparameters(config.learning_rate, config.decay, **hyperparameters(config))
        else:
            for key, value in hyperparameters(config).items():
                if key in opt.defaults:
                    setattr(opt, key, value)
        for layer in self.hidden_dense:
            layer.reg = regularization_from(config)
        for layer in self.dropouts:
            layer.rate = config.dropout
        self.config = config

    def fresh_optimizer(self, config) -> None:
        """A new optimizer from config's settings: no moments, no iterations (the same
        weights); e.g. to train on after a divergence."""
        self.optimizer = optimizer_from_config(config)

    def get_params(self) -> list[np.ndarray]:
        """Copies of [W1, b1, W2, b2, ...]."""
        return self.engine.get_params()

    def set_params(self, params: list[np.ndarray]) -> None:
        """Copy values into the model's arrays; shapes must match `param_shapes()`."""
        shapes = [np.shape(p) for p in params]
        if shapes != self.param_shapes():
            raise ValueError(f"parameter shapes {shapes} do not match the model's "
                             f"{self.param_shapes()}")
        for mine, new in zip(self.params, params, strict=True):
            np.copyto(mine, new, casting="same_kind")

    def param_shapes(self) -> list[tuple[int, ...]]:
        return [p.shape for p in self.params]

    def optimizer_state(self) -> dict:
        """The optimizer's state_dict() with one array per parameter in each slot
        (get_params() order), whatever the engine: what a saved model carries."""
        return self.engine.optimizer_state()

    def load_optimizer_state(self, state: dict) -> None:
        """Restore optimizer_state(); ValueError if it is another optimizer's or its
        arrays do not match the parameters (switch optimizers with apply_live first)."""
        self.engine.load_optimizer_state(state)
