"""The book's API as a learner's file spells it: class names, methods, constructor
keywords and attribute names, and which of them the current settings need.

A learner builds these classes chapter by chapter ("Neural Networks from Scratch",
ch. 3-18). The app composes them as the book's scripts do (network.py), so it only
relies on what the chapters define:

- ``Layer_Dense(n_inputs, n_neurons, weight_regularizer_l1=0, weight_regularizer_l2=0,
  bias_regularizer_l1=0, bias_regularizer_l2=0)`` with ``weights`` (n_inputs,
  n_neurons), ``biases`` (1, n_neurons), ``forward``/``backward`` setting ``output``,
  ``dinputs``, ``dweights``, ``dbiases``;
- activations and ``Layer_Dropout(rate)`` with ``forward(inputs)`` or
  ``forward(inputs, training)`` and ``backward(dvalues)``;
- losses with ``calculate(output, y)`` and ``backward(dvalues, y)``, and
  ``regularization_loss(layer)`` when the settings use L1/L2;
  ``Activation_Softmax_Loss_CategoricalCrossentropy`` with ``forward(inputs, y)``
  returning the data loss and ``backward(dvalues, y)``;
- optimizers ``Optimizer_SGD/Adagrad/RMSprop/Adam(learning_rate=..., decay=..., ...)``
  with ``pre_update_params()``, ``update_params(layer)``, ``post_update_params()``,
  ``iterations`` and ``current_learning_rate``; their per-parameter state lives on the
  layers (``weight_momentums``, ``weight_cache``, ``bias_momentums``, ``bias_cache``).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

DENSE = "Layer_Dense"
DROPOUT = "Layer_Dropout"
FUSED_SOFTMAX_LOSS = "Activation_Softmax_Loss_CategoricalCrossentropy"
SOFTMAX = "Activation_Softmax"

# Config.activation -> (class, the words a message uses)
ACTIVATION_CLASSES = {"relu": ("Activation_ReLU", "ReLU"),
                      "sigmoid": ("Activation_Sigmoid", "sigmoid"),
                      "linear": ("Activation_Linear", "linear"),
                      "tanh": ("Activation_Tanh", "tanh")}
# Config.loss -> (output activation class or None for the fused class, loss class, words)
LOSS_CLASSES = {
    "categorical_crossentropy": (None, "Loss_CategoricalCrossentropy",
                                 "categorical cross-entropy"),
    "binary_crossentropy": ("Activation_Sigmoid", "Loss_BinaryCrossentropy",
                            "binary cross-entropy"),
    "mse": ("Activation_Linear", "Loss_MeanSquaredError", "mean squared error"),
    "mae": ("Activation_Linear", "Loss_MeanAbsoluteError", "mean absolute error"),
}
# Config.optimizer -> (class, words, ((the book's keyword, Config field, its default),))
OPTIMIZER_CLASSES = {
    "sgd": ("Optimizer_SGD", "SGD", (("momentum", "momentum", 0.0),)),
    "adagrad": ("Optimizer_Adagrad", "Adagrad", (("epsilon", "epsilon", 1e-7),)),
    "rmsprop": ("Optimizer_RMSprop", "RMSprop",
                (("epsilon", "epsilon", 1e-7), ("rho", "rho", 0.9))),
    "adam": ("Optimizer_Adam", "Adam", (("epsilon", "epsilon", 1e-7),
                                        ("beta_1", "beta1", 0.9), ("beta_2", "beta2", 0.999))),
}
# Layer_Dense's regularization keywords (and attributes) -> Config field (default 0)
REGULARIZERS = (("weight_regularizer_l1", "l1_weight"), ("weight_regularizer_l2", "l2_weight"),
                ("bias_regularizer_l1", "l1_bias"), ("bias_regularizer_l2", "l2_bias"))
# The optimizer state the book keeps on each layer, by the app's slot names
# (optimizers.py): (the weights' attribute, the biases' attribute).
SLOT_ATTRIBUTES = {
    "sgd": {"momentum": ("weight_momentums", "bias_momentums")},
    "adagrad": {"cache": ("weight_cache", "bias_cache")},
    "rmsprop": {"cache": ("weight_cache", "bias_cache")},
    "adam": {"m": ("weight_momentums", "bias_momentums"),
             "v": ("weight_cache", "bias_cache")},
}
ALL_SLOT_ATTRIBUTES = ("weight_momentums", "bias_momentums", "weight_cache", "bias_cache")

LAYER_METHODS = ("forward", "backward")
LOSS_METHODS = ("calculate", "backward")
OPTIMIZER_METHODS = ("pre_update_params", "update_params", "post_update_params")


@dataclass(frozen=True)
class Need:
    """A class the settings need, the methods used, and why (for the message)."""

    name: str
    methods: tuple[str, ...]
    why: str


def has_regularization(config) -> bool:
    return any((config.l1_weight, config.l1_bias, config.l2_weight, config.l2_bias))


def needs(config) -> list[Need]:
    """Every class (and its methods) a network of ``config`` is built from."""
    activation, words = ACTIVATION_CLASSES[config.activation]
    out = [Need(DENSE, LAYER_METHODS, "every network has dense layers"),
           Need(activation, LAYER_METHODS, f"the settings use {words}")]
    if config.dropout > 0:
        out.append(Need(DROPOUT, LAYER_METHODS, f"the settings use dropout {config.dropout:g}"))
    output, loss, words = LOSS_CLASSES[config.loss]
    if output is None:
        out.append(Need(FUSED_SOFTMAX_LOSS, LAYER_METHODS, f"the settings use {words}"))
    else:
        out += [Need(output, LAYER_METHODS, f"the settings use {words}"),
                Need(loss, LOSS_METHODS, f"the settings use {words}")]
    name, words, _ = OPTIMIZER_CLASSES[config.optimizer]
    out.append(Need(name, OPTIMIZER_METHODS, f"the settings use {words}"))
    return out


def missing_message(namespace: dict, config) -> str | None:
    """One sentence naming every class or method the file lacks, or None.

    e.g. "your file has no Optimizer_Adam; the settings use Adam"."""
    problems: list[tuple[str, str]] = []
    seen = set()
    for need in needs(config):
        if need.name in seen:
            continue
        seen.add(need.name)
        cls = namespace.get(need.name)
        if not isinstance(cls, type):
            problems.append((f"no {need.name}", need.why))
            continue
        problems += [(f"no {need.name}.{m}", need.why) for m in need.methods
                     if not callable(getattr(cls, m, None))]
    if not problems:
        return None
    if len(problems) == 1:
        (what, why), = problems
        return f"your file has {what}; {why}"
    return "your file has " + ", ".join(f"{what} ({why})" for what, why in problems)


def refused_keywords(cls: type, keywords: list[str]) -> list[str]:
    """The keywords ``cls(...)`` would not accept (none if it takes ``**kwargs``)."""
    try:
        params = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):   # no signature to read: let the call tell
        return []
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return []
    names = {p.name for p in params if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                   inspect.Parameter.KEYWORD_ONLY)}
    return [k for k in keywords if k not in names]


def takes_training(method) -> bool:
    """Whether ``forward`` takes the later chapters' ``training`` argument
    (``forward(inputs, training)``) or only ``forward(inputs)``."""
    try:
        params = list(inspect.signature(method).parameters.values())
    except (TypeError, ValueError):
        return False
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        return True
    positional = [p for p in params if p.kind in (inspect.Parameter.POSITIONAL_ONLY,
                                                  inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.name == "training" for p in params)


def keywords_for(cls: type, wanted: list[tuple[str, object, object]]
                 ) -> tuple[dict, list[str]]:
    """(the keywords to call ``cls`` with, "name=value" of those it refuses although
    the settings need them). ``wanted``: (keyword, value, the book's default). A keyword
    at the book's default is passed only when ``cls`` takes it (a class from an earlier
    chapter may not); one the settings change must be taken."""
    refused = set(refused_keywords(cls, [k for k, _, _ in wanted]))
    kwargs = {k: v for k, v, _ in wanted if k not in refused}
    return kwargs, [f"{k}={v!r}" for k, v, d in wanted if k in refused and v != d]
