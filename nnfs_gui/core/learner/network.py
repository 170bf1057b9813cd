"""A network of the learner's own classes, composed and trained as the book's scripts
do, behind the interface the Trainer uses (the app's Model in model.py).

One training step is the book's chapter-11 loop body: each layer's ``forward`` on the
previous layer's ``output``, the loss (the fused softmax + cross-entropy class's
``forward``, or an output activation and ``Loss.calculate``), plus
``regularization_loss(layer)`` of each hidden layer when the settings use L1/L2; then
``backward`` from the loss through every layer's ``dinputs``, and the optimizer's
``pre_update_params``, ``update_params`` of each dense layer, ``post_update_params``.
Metrics are read as the app reads its own (``losses.accuracy`` of the head's classes),
so with the book's arithmetic the history equals the app's book-mode history.

The learner's weights are drawn by their ``Layer_Dense.__init__`` from ``stream``
(sandbox.book_numpy); predictions for decision regions put the learner's output
layer's values through the app's output activation (the regions are the learner's
classes either way; only the shading would differ if their softmax did).
Mini-batches are cut and shuffled as the app's engines do (batches.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from nnfs_gui.core.learner import bookapi as api
from nnfs_gui.core.learner.sandbox import (
    LearnerCodeError,
    LearnerLoadError,
    LearnerTimeout,
    OwnCode,
    book_numpy,
    invoke,
    load_classes,
    time_limit,
)
from nnfs_gui.core.net.batches import batch_order, mean_over_batches
from nnfs_gui.core.net.losses import LOSSES, accuracy
from nnfs_gui.core.net.model import EpochStats, Model
from nnfs_gui.core.net.numerics import BookNumerics, BookRandom


class LearnerModel:
    """The learner's network for one run; build it in a child process only (it runs
    their file). ``stream``: where their code draws weights and dropout masks from."""

    def __init__(self, own: OwnCode, config, stream: BookRandom, n_inputs: int = 2) -> None:
        namespace = load_classes(own)
        problem = api.missing_message(namespace, config)
        if problem:
            raise LearnerLoadError(f"{own.path}: {problem}")
        self.own, self.config = own, config
        self.classes = {k: v for k, v in namespace.items() if isinstance(v, type)}
        self.num = BookNumerics(stream)    # float32 inputs; .rng: the learner's stream
        self.head = LOSSES[config.loss]()  # reads classes and probabilities of outputs
        self.n_inputs, self.n_classes = n_inputs, config.classes
        self._clock_on = self._numpy_on = False
        self._takes_training: dict[type, bool] = {}
        with self.running():
            self._build(config)

    # -- building ----------------------------------------------------------------------
    def _build(self, config) -> None:
        """Construct in the book's order: each hidden block (dense, activation, dropout),
        the output layer, the loss, the optimizer (the dense layers draw the weights)."""
        activation = api.ACTIVATION_CLASSES[config.activation][0]
        regularizers = [(k, float(getattr(config, f)), 0.0) for k, f in api.REGULARIZERS]
        self.blocks: list[list] = []
        n_in = self.n_inputs
        for units in config.hidden:
            dense = self.dense_layer(n_in, units, regularizers)
            self.blocks.append([dense, self.construct(activation), self._dropout(config)])
            n_in = units
        self.output_layer = self.dense_layer(n_in, self.head.n_units(self.n_classes))
        output_activation, loss, _ = api.LOSS_CLASSES[config.loss]
        if output_activation is None:
            self.fused, self.output_activation = self.construct(api.FUSED_SOFTMAX_LOSS), None
            self.loss = getattr(self.fused, "loss", None)
        else:
            self.fused = None
            self.output_activation = self.construct(output_activation)
            self.loss = self.construct(loss)
        self._check_regularization_loss(config)
        self.optimizer = LearnerOptimizer(self, config)

    def construct(self, name: str, args: tuple = (), wanted: list | None = None):
        """``name(*args, **keywords)`` from the learner's file; a keyword it refuses
        although the settings need it is a LearnerLoadError naming it."""
        cls = self.class_named(name)
        kwargs, refused = api.keywords_for(cls, wanted or [])
        if refused:
            raise LearnerLoadError(f"{self.own.path}: your {name}.__init__ takes no "
                                   f"{', '.join(k.split('=')[0] for k in refused)}; the "
                                   f"settings pass {', '.join(refused)}")
        return invoke(self.own, f"{name}.__init__", cls, *args, **kwargs)

    def dense_layer(self, n_in: int, units: int, regularizers: list | None = None):
        layer = self.construct(api.DENSE, (n_in, units), regularizers)
        self.result(layer, "weights", "__init__", (n_in, units))
        self.result(layer, "biases", "__init__", (1, units))
        return layer

    def class_named(self, name: str) -> type:
        cls = self.classes.get(name)
        if cls is None:   # a class only a live change needs (dropout switched on)
            raise LearnerLoadError(f"{self.own.path}: your file has no {name}; the "
                                   f"settings use it")
        return cls

    def _dropout(self, config):
        if config.dropout <= 0:
            return None   # the book's scripts without dropout have no such layer
        return self.construct(api.DROPOUT, (config.dropout,))

    def _check_regularization_loss(self, config) -> None:
        if api.has_regularization(config) and not callable(
                getattr(self.loss, "regularization_loss", None)):
            owner = f"{api.FUSED_SOFTMAX_LOSS}.loss" if self.fused is not None \
                else type(self.loss).__name__
            raise LearnerLoadError(f"{self.own.path}: your {owner} has no "
                                   f"regularization_loss(layer); the settings use L1/L2 "
                                   f"regularization")

    # -- the network's parts ---------------------------------------------------------------
    @property
    def layers(self) -> list:
        """Every layer in forward order: [dense, activation, (dropout), ...] + output."""
        hidden = [layer for block in self.blocks for layer in block if layer is not None]
        return [*hidden, self.output_layer]

    @property
    def dense(self) -> list:
        return [block[0] for block in self.blocks] + [self.output_layer]

    @property
    def hidden_dense(self) -> list:
        return [block[0] for block in self.blocks]

    @contextmanager
    def clock(self) -> Iterator[None]:
        """The time limit of one epoch (or of one call outside training), once."""
        if self._clock_on:
            yield
            return
        self._clock_on = True
        try:
            with time_limit(self.own.time_limit):
                yield
        except LearnerTimeout:   # stopped between two of their calls
            raise LearnerCodeError(f"{self.own.name}: one epoch of your code took longer "
                                   f"than the time limit of {self.own.time_limit:g} s") from None
        finally:
            self._clock_on = False

    @contextmanager
    def running(self, book: bool = True) -> Iterator[None]:
        """Around calls into the learner's code: the book's numpy (plain numpy when not
        ``book``) drawing from the run's stream, within the time limit. The app's own
        code stays outside (mean_over_batches' np.zeros(4) became float32 inside)."""
        if self._numpy_on:
            yield
            return
        self._numpy_on = True
        try:
            with self.clock(), book_numpy(self.num.rng, book):
                yield
        finally:
            self._numpy_on = False

    # -- one layer, the loss, the update: the learner's methods, checked -----------------
    def call(self, obj, method: str, *args):
        return invoke(self.own, f"{type(obj).__name__}.{method}", getattr(obj, method), *args)

    def result(self, obj, attribute: str, method: str, shape: tuple | None = None):
        """``obj.attribute`` after ``obj.method`` ran: a numpy array (of ``shape``)."""
        value = getattr(obj, attribute, None)
        where = f"{type(obj).__name__}.{method}"
        if not isinstance(value, np.ndarray):
            raise LearnerCodeError(f"{self.own.name}: {where} left no array in "
                                   f".{attribute} (the book's {method} keeps its result "
                                   f"there)", where=where)
        if shape is not None and value.shape != tuple(shape):
            raise LearnerCodeError(f"{self.own.name}: {where}: .{attribute} has shape "
                                   f"{value.shape}, expected {tuple(shape)}", where=where)
        return value

    def takes_training(self, layer) -> bool:
        """Whether ``layer.forward`` takes ``training`` (read once per class: reading a
        signature costs 0.1 ms, a tenth of a chapter-11 epoch)."""
        cls = type(layer)
        if cls not in self._takes_training:
            self._takes_training[cls] = api.takes_training(layer.forward)
        return self._takes_training[cls]

    def layer_forward(self, layer, x: np.ndarray, training: bool) -> np.ndarray:
        args = (x, training) if self.takes_training(layer) else (x,)
        self.call(layer, "forward", *args)
        units = layer.weights.shape[1] if self.is_dense(layer) else x.shape[1]
        return self.result(layer, "output", "forward", (len(x), units))

    def layer_backward(self, layer, d: np.ndarray, input_shape: tuple) -> np.ndarray:
        self.call(layer, "backward", d)
        return self.result(layer, "dinputs", "backward", input_shape)

    def is_dense(self, layer) -> bool:
        return type(layer) is self.classes[api.DENSE]

    def skipped(self, layer, training: bool) -> bool:
        """Outside training a dropout layer without ``training`` is left out, as the
        book's chapter-15 script validates through dense, activation, dense."""
        return (not training and type(layer) is self.classes.get(api.DROPOUT)
                and not self.takes_training(layer))

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        """(n, n_inputs) -> (n, n_out) values of the output layer."""
        self._inputs = []
        for layer in self.layers:
            if self.skipped(layer, training):
                continue
            self._inputs.append((layer, x.shape))
            x = self.layer_forward(layer, x, training)
        return x

    def backward(self, d: np.ndarray) -> None:
        """From the gradient of the output layer's values back through every layer."""
        for layer, shape in reversed(self._inputs):
            d = self.layer_backward(layer, d, shape)

    def loss_forward(self, z: np.ndarray, targets: np.ndarray):
        """(the output activation's output, the mean data loss)."""
        if self.fused is not None:
            data_loss = self.call(self.fused, "forward", z, targets)
            output = self.result(self.fused, "output", "forward", z.shape)
            owner = self.fused
        else:
            self.call(self.output_activation, "forward", z)
            output = self.result(self.output_activation, "output", "forward", z.shape)
            data_loss = self.call(self.loss, "calculate", output, targets)
            owner = self.loss
        if not is_number(data_loss):
            where = f"{type(owner).__name__}.{'forward' if owner is self.fused else 'calculate'}"
            raise LearnerCodeError(f"{self.own.name}: {where} returned "
                                   f"{type(data_loss).__name__}, not the mean loss",
                                   where=where)
        return output, data_loss

    def loss_backward(self, output: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """The gradient of the data loss with respect to the output layer's values."""
        if self.fused is not None:
            self.call(self.fused, "backward", output, targets)
            return self.result(self.fused, "dinputs", "backward", output.shape)
        self.call(self.loss, "backward", output, targets)
        d = self.result(self.loss, "dinputs", "backward", output.shape)
        return self.layer_backward(self.output_activation, d, output.shape)

    def regularization_loss(self):
        """The hidden layers' L1/L2 penalties by the learner's ``regularization_loss``
        (0 without L1/L2: the book's chapter-11 script never asks)."""
        total = 0
        if api.has_regularization(self.config):
            for layer in self.hidden_dense:
                total = total + self.call(self.loss, "regularization_loss", layer)
        return total

    def train_step(self, x, targets, y):
        """The book's loop body; (loss, data_loss, reg_loss, acc) before the update."""
        with self.running():
            output, data_loss = self.loss_forward(self.forward(x, True), targets)
            reg_loss = self.regularization_loss()
            self.backward(self.loss_backward(output, targets))
            self.optimizer.update(self.dense)
        return data_loss + reg_loss, data_loss, reg_loss, accuracy(self.head.classes(output), y)

    # -- what the Trainer calls (model.py's Model interface) --------------------------
    def targets(self, y: np.ndarray) -> np.ndarray:
        """Labels as the loss takes them (float32 one-hot or column for the regression
        and binary losses: the book's uint8 labels give float32 arithmetic too)."""
        return self.head.targets(y, self.n_classes, self.num.dtype)

    def train_epoch(self, x, y, batch_size=0, shuffle=False, rng=None, x_val=None,
                    y_val=None, should_stop=None) -> EpochStats | None:
        """As Model.train_epoch: validation of the weights the epoch starts from, then
        one pass (full batch: the book's one step); None if ``should_stop`` said yes
        between two mini-batches."""
        x, y = self.num.as_inputs(x), np.asarray(y)
        targets, n = self.targets(y), len(x)
        full = batch_size == 0 or batch_size >= n
        order = None if full else batch_order(n, shuffle, rng, self.num.rng)
        with self.clock():
            val = (None, None) if x_val is None else self.evaluate(x_val, y_val)
            if full:
                numbers = self.train_step(x, targets, y)
            else:
                numbers = mean_over_batches(
                    n, batch_size, order,
                    lambda idx: self.train_step(x[idx], targets[idx], y[idx]), should_stop)
        if numbers is None:
            return None
        return EpochStats(*(float(v) for v in numbers), *val)

    def evaluate(self, x, y) -> tuple[float, float]:
        """(data loss, accuracy) without dropout and without an update."""
        x, y = self.num.as_inputs(x), np.asarray(y)
        targets = self.targets(y)
        with self.running():
            output, data_loss = self.loss_forward(self.forward(x, False), targets)
        return float(data_loss), accuracy(self.head.classes(output), y)

    def _output(self, x) -> np.ndarray:
        with self.running():
            z = self.forward(self.num.as_inputs(x), False)
        with np.errstate(over="ignore"):
            return self.head.activation.forward(np.asarray(z))

    def predict_proba(self, x) -> np.ndarray:
        return self.head.probabilities(self._output(x))

    def predict(self, x) -> np.ndarray:
        return self.head.classes(self._output(x)).astype(np.int64)

    @property
    def params(self) -> list[np.ndarray]:
        """The learner's arrays [W1, b1, W2, b2, ...] as their layers hold them now."""
        return [p for layer in self.dense for p in (layer.weights, layer.biases)]

    def get_params(self) -> list[np.ndarray]:
        return [np.array(p, copy=True) for p in self.params]

    def param_shapes(self) -> list[tuple[int, ...]]:
        return [np.shape(p) for p in self.params]

    def set_params(self, params: list[np.ndarray]) -> None:
        shapes = [np.shape(p) for p in params]
        if shapes != self.param_shapes():
            raise ValueError(f"parameter shapes {shapes} do not match the model's "
                             f"{self.param_shapes()}")
        for layer, w, b in zip(self.dense, params[::2], params[1::2], strict=True):
            layer.weights = np.array(w, dtype=np.asarray(layer.weights).dtype)
            layer.biases = np.array(b, dtype=np.asarray(layer.biases).dtype)

    def optimizer_state(self) -> dict:
        return self.optimizer.state_dict(self.dense)

    def load_optimizer_state(self, state: dict) -> None:
        self.optimizer.load_state_dict(state, self.dense)

    def apply_live(self, config) -> None:
        """The live settings: another optimizer starts afresh (same weights); new
        hyperparameters keep its iterations and the layers' moments; L1/L2 strengths
        are set on the hidden layers; a new dropout rate gets new dropout layers."""
        with self.running():
            if config.optimizer != self.optimizer.name:
                self.fresh_optimizer(config)
            elif self.optimizer.settings(config) != self.optimizer.settings(self.config):
                self.optimizer = LearnerOptimizer(self, config, keep=self.optimizer)
            for layer in self.hidden_dense:
                for attribute, field in api.REGULARIZERS:
                    setattr(layer, attribute, float(getattr(config, field)))
            if config.dropout != self.config.dropout:
                for block in self.blocks:
                    block[2] = self._dropout(config)
            self._check_regularization_loss(config)
        self.config = config

    def fresh_optimizer(self, config) -> None:
        """A new optimizer of ``config`` and no moments or caches on the layers."""
        for layer in self.dense:
            for attribute in api.ALL_SLOT_ATTRIBUTES:
                if hasattr(layer, attribute):
                    delattr(layer, attribute)
        with self.running():
            self.optimizer = LearnerOptimizer(self, config)

    def portable(self) -> Model:
        """The app's Model with these weights and optimizer state: what can leave this
        process (the window never unpickles the learner's classes) and what a model
        file holds."""
        model = Model.from_config(self.config, self.n_inputs, self.n_classes)
        model.set_params(self.get_params())
        try:
            model.load_optimizer_state(self.optimizer_state())
        except (ValueError, KeyError, TypeError):
            pass   # state kept under other names than the book's: a fresh optimizer
        return model


def is_number(value) -> bool:
    """A real number: a Python or numpy scalar or a 0-d array (not None, not a bool)."""
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "fiu"
    return isinstance(value, (int, float, np.integer, np.floating)) \
        and not isinstance(value, bool)


class LearnerOptimizer:
    """The learner's optimizer object and the book's update protocol around it."""

    def __init__(self, model: LearnerModel, config, keep: LearnerOptimizer | None = None):
        self.model, self.name = model, config.optimizer
        cls_name, _, keywords = api.OPTIMIZER_CLASSES[self.name]
        wanted = [("learning_rate", config.learning_rate, None), ("decay", config.decay, 0.0)]
        wanted += [(k, getattr(config, field), default) for k, field, default in keywords]
        self.obj = model.construct(cls_name, (), wanted)
        if keep is not None:   # new hyperparameters, same run: the count goes on
            iterations = getattr(keep.obj, "iterations", 0)
            self.obj.iterations = iterations
            self.obj.current_learning_rate = \
                config.learning_rate * (1.0 / (1.0 + config.decay * iterations))

    @staticmethod
    def settings(config) -> tuple:
        keywords = api.OPTIMIZER_CLASSES[config.optimizer][2]
        return (config.learning_rate, config.decay,
                *(getattr(config, field) for _, field, _ in keywords))

    @property
    def current_learning_rate(self) -> float:
        """The rate the latest update used (the book's attribute)."""
        obj = self.obj
        return float(getattr(obj, "current_learning_rate",
                             getattr(obj, "learning_rate", self.model.config.learning_rate)))

    def update(self, layers: list) -> None:
        call = self.model.call
        call(self.obj, "pre_update_params")
        for layer in layers:
            call(self.obj, "update_params", layer)
        call(self.obj, "post_update_params")

    def state_dict(self, layers: list) -> dict:
        """optimizers.Optimizer.state_dict()'s layout, read from the book's attributes
        (a slot is left out unless every layer holds it as an array)."""
        obj, config = self.obj, self.model.config
        arrays = {}
        for slot, attributes in api.SLOT_ATTRIBUTES[self.name].items():
            values = [getattr(layer, a, None) for layer in layers for a in attributes]
            if all(isinstance(v, np.ndarray) for v in values):
                arrays[slot] = [np.array(v, copy=True) for v in values]
        keywords = api.OPTIMIZER_CLASSES[self.name][2]
        return {"name": self.name, "iterations": int(getattr(obj, "iterations", 0)),
                "learning_rate": float(getattr(obj, "learning_rate", config.learning_rate)),
                "current_learning_rate": self.current_learning_rate,
                "decay": float(getattr(obj, "decay", config.decay)),
                "hyperparameters": {field: float(getattr(obj, k, getattr(config, field)))
                                    for k, field, _ in keywords},
                "arrays": arrays}

    def load_state_dict(self, state: dict, layers: list) -> None:
        if state.get("name") != self.name:
            raise ValueError(f"optimizer state is for {state.get('name')!r}, not {self.name!r}")
        for layer in layers:
            for attribute in api.ALL_SLOT_ATTRIBUTES:
                if hasattr(layer, attribute):
                    delattr(layer, attribute)
        for slot, values in state.get("arrays", {}).items():
            attributes = api.SLOT_ATTRIBUTES[self.name][slot]
            pairs = [(layer, a) for layer in layers for a in attributes]
            for (layer, attribute), value in zip(pairs, values, strict=True):
                setattr(layer, attribute, np.array(value, copy=True))
        self.obj.iterations = int(state["iterations"])
        self.obj.current_learning_rate = float(state["current_learning_rate"])
