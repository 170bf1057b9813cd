"""The two engines a Model runs on, chosen once when the model is built.

Both answer the same small interface (`Engine`): train one epoch, evaluate, give the
head's outputs, read and write the parameters, and read and write the optimizer's
state in one layout that does not depend on the engine (one array per parameter, in
`get_params()` order, so a file saved by either engine loads into either).

- `FastEngine` (fastpath.py): normal mode, all parameters in one flat buffer.
- `LayerEngine` (here): the book's algorithm, layer by layer, in the model's numerics.
  Book mode runs on it, which is what keeps its arithmetic equal to the book's.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from nnfs_gui.core.net.batches import batch_order, mean_over_batches
from nnfs_gui.core.net.fastpath import FastEngine
from nnfs_gui.core.net.losses import accuracy
from nnfs_gui.core.net.optimizers import check_state_shapes

# (loss, data_loss, reg_loss, acc, val_loss | None, val_acc | None)
EpochNumbers = tuple


class Engine(Protocol):
    """What Model delegates to. x arrays are already in the model's dtype; y (n,) ints.

    Writing parameters goes through `params` (the live arrays, written in place), so
    Model.set_params needs nothing from the engine.
    """

    @staticmethod
    def supports(model) -> bool: ...

    def train_epoch(self, x, y, batch_size, shuffle, rng, x_val=None,
                    y_val=None, should_stop=None) -> EpochNumbers | None:
        """One epoch; (loss, data_loss, reg_loss, acc, val_loss, val_acc) as floats, or
        None if ``should_stop()`` (asked between batches or chunks) said yes."""

    def evaluate(self, x, y) -> tuple[float, float]:
        """(data loss, accuracy), no dropout, no update."""

    def output(self, x) -> np.ndarray:
        """(n, n_out) outputs of the head's activation."""

    @property
    def params(self) -> list[np.ndarray]:
        """The live parameter arrays [W1, b1, ...] (layer attributes or views)."""

    def get_params(self) -> list[np.ndarray]:
        """Copies of params."""

    def optimizer_state(self) -> dict:
        """Optimizer.state_dict() with one array per parameter in each slot."""

    def load_optimizer_state(self, state: dict) -> None:
        """The inverse of optimizer_state(); ValueError if it does not fit."""


class LayerEngine:
    """The book engine: forward and backward through the layer objects, one update of
    the per-parameter arrays per batch (book ch. 9-10, 14-16)."""

    @staticmethod
    def supports(model) -> bool:
        return True

    def __init__(self, model) -> None:
        self.model = model

    # -- training ----------------------------------------------------------------
    def train_epoch(self, x, y, batch_size, shuffle, rng, x_val=None, y_val=None,
                    should_stop=None):
        """See Model.train_epoch; validation is scored before the epoch's updates.
        Book mode asks ``should_stop`` between mini-batches only (a full batch is the
        book's one step)."""
        val = self.evaluate(x_val, y_val) if x_val is not None else (None, None)
        stats = self._train(x, y, batch_size, shuffle, rng, should_stop)
        return None if stats is None else (*stats, *val)

    def _train(self, x, y, batch_size, shuffle, rng, should_stop=None):
        model = self.model
        targets = model.head.targets(y, model.n_classes, model.num.dtype)
        for layer in model.dropouts:
            layer.rng = rng
        n = len(x)
        if batch_size == 0 or batch_size >= n:
            return tuple(float(v) for v in self._train_step(x, targets, y))
        order = batch_order(n, shuffle, rng, model.num.rng)
        return mean_over_batches(
            n, batch_size, order, lambda idx: self._train_step(x[idx], targets[idx], y[idx]),
            should_stop)

    def _train_step(self, x, targets, y):
        """Forward, metrics, backward, update. Returns (loss, data_loss, reg_loss, acc)
        of the forward pass before the update, as numpy scalars."""
        model = self.model
        output, data_loss = model.head.forward(self.forward(x, True), targets)
        reg_loss = model.regularization_loss()
        acc = accuracy(model.head.classes(output), y)
        self.backward(model.head.backward(output, targets))
        model.optimizer.step(self.params, self.grads())
        return data_loss + reg_loss, data_loss, reg_loss, acc

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        """(n, n_inputs) -> (n, n_out) logits, through every layer."""
        for layer in self.model.layers:
            x = layer.forward(x, training)
        return x

    def backward(self, d: np.ndarray) -> None:
        """Gradients of the logits d (n, n_out) into each Dense layer's dweights/dbiases."""
        layers = self.model.layers
        # The first layer's input gradient is never used, so it is not computed.
        for layer in reversed(layers[1:]):
            d = layer.backward(d)
        layers[0].backward(d, need_dinputs=False)

    def grads(self) -> list[np.ndarray]:
        """Gradients of the last backward pass, in the order of `params`."""
        return [g for layer in self.model.dense for g in layer.grads]

    # -- inference -------------------------------------------------------------------
    def evaluate(self, x, y) -> tuple[float, float]:
        model = self.model
        targets = model.head.targets(y, model.n_classes, model.num.dtype)
        output, data_loss = model.head.forward(self.forward(x, False), targets)
        return float(data_loss), accuracy(model.head.classes(output), y)

    def output(self, x) -> np.ndarray:
        z = self.forward(x, False)
        with np.errstate(over="ignore"):  # sigmoid of very negative logits is 0
            return self.model.head.activation.forward(z)

    # -- parameters and optimizer state ----------------------------------------------
    @property
    def params(self) -> list[np.ndarray]:
        """The layers' own arrays (updated in place)."""
        return [p for layer in self.model.dense for p in layer.params]

    def get_params(self) -> list[np.ndarray]:
        return [p.copy() for p in self.params]

    def optimizer_state(self) -> dict:
        # The optimizer keeps one state entry per parameter already.
        return self.model.optimizer.state_dict()

    def load_optimizer_state(self, state: dict) -> None:
        check_state_shapes(state, self.model.param_shapes())
        self.model.optimizer.load_state_dict(state)


# The first engine that supports a model runs it; the layer engine supports every model.
ENGINES = (FastEngine, LayerEngine)


def choose_engine(model) -> Engine:
    """The first engine of ENGINES that supports the model (book mode: the layers)."""
    engine_type = next(e for e in ENGINES if e.supports(model))
    return engine_type(model)
