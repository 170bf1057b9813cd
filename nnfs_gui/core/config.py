"""One frozen dataclass holds every setting of a run.

Each field carries its own spec (range or choices, whether it applies live to a
running model, a label and a tooltip naming the book chapter). That one table
drives validation, the JSON round trip, the presets and the UI's controls.
"""

from __future__ import annotations

import dataclasses
import difflib
import heapq
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnfs_gui.core.errors import SHOWN_ITEMS, bounded, short_repr, some_of
from nnfs_gui.core.files.jsonio import JsonFileError, parse_json_text, read_json_file

SCHEMA_VERSION = 1
DATA_NOTE_KEY = "data"   # config.json beside a run on its own points: where they came from
POINTS_KEY = "points"    # a preset saved while on its own points: the points (core.presetpoints)

DATASETS = ("spiral", "vertical", "circles", "xor", "blobs", "moons")
VALIDATIONS = ("fresh", "holdout", "block")
SCALERS = ("none", "maxabs", "minmax_sym", "minmax01", "standard")
FLIPS = ("none", "x", "y", "xy")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
INITS = ("book", "he", "xavier")
LOSSES = ("categorical_crossentropy", "binary_crossentropy", "mse", "mae")
OPTIMIZERS = ("sgd", "adagrad", "rmsprop", "adam")

MAX_HIDDEN_LAYERS = 4
MAX_NEURONS = 512


class ConfigError(ValueError):
    """A setting is out of range or a config does not load; the message names the
    field, the value and what is allowed (or the file and the problem), on one line
    of at most a few hundred characters, whatever the file held."""

    def __init__(self, message: str) -> None:
        super().__init__(bounded(message))


@dataclass(frozen=True)
class Spec:
    """What one Config field may hold and how the UI presents it."""

    label: str
    tooltip: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] | None = None
    live: bool = False  # applies to the running model; otherwise starts a new run
    log: bool = False  # the range spans decades: log-scaled slider
    group: str = "Data"


def _f(default: Any, spec: Spec) -> Any:
    return field(default=default, metadata={"spec": spec})


@dataclass(frozen=True)
class Config:
    """Every setting of a run. Build with keywords; invalid values raise ConfigError."""

    name: str = _f("custom", Spec("Name", "Name of this setup, shown in titles and exports."))
    book_mode: bool = _f(False, Spec(
        "Book mode", "Reproduce the book's nnfs.init() arithmetic exactly (float32 arrays, "
        "seed 0 random stream). Slower; for matching the book's printed numbers.",
        group="Data"))

    # -- Data (ch. 11) ---------------------------------------------------------
    dataset: str = _f("spiral", Spec(
        "Data set", "Which 2-D generator makes the points. Spiral and vertical are the "
        "book's (ch. 2, 11).", choices=DATASETS))
    classes: int = _f(3, Spec("Classes", "Number of classes (colours).", lo=2, hi=8))
    samples: int = _f(100, Spec(
        "Samples / class", "Training points per class. Ch. 13: hundreds per class for easy "
        "data, thousands for harder data.", lo=10, hi=5000, log=True))
    noise: float = _f(0.2, Spec(
        "Noise", "How much the generator scatters the points (the spiral's angle noise is "
        "0.2 in the book).", lo=0.0, hi=1.0))
    seed: int = _f(0, Spec("Seed", "Random seed of data and weights: same seed, same run.",
                           lo=0, hi=2**31 - 1))
    validation: str = _f("fresh", Spec(
        "Validation", "fresh: a new sample from the same generator (ch. 11). holdout: a "
        "stratified random fraction of the data. block: a contiguous block per class, the "
        "ch. 11 advice for time-ordered data (the spiral's outer arm ends).",
        choices=VALIDATIONS))
    val_fraction: float = _f(0.2, Spec(
        "Validation size", "Fraction of the data held out (holdout and block strategies).",
        lo=0.05, hi=0.5))

    # -- Preprocessing (ch. 13) -----------------------------------------------
    scaler: str = _f("none", Spec(
        "Scaler", "Ch. 13: scale inputs to [-1, 1] or [0, 1]. Fitted on the training data "
        "only, then applied unchanged to validation data and predictions.",
        choices=SCALERS, group="Preprocessing"))
    augment_copies: int = _f(0, Spec(
        "Augment copies", "Ch. 13: transformed copies of each training sample (training "
        "set only).", lo=0, hi=10, group="Preprocessing"))
    augment_jitter: float = _f(0.0, Spec(
        "Jitter", "Std. dev. of Gaussian noise added to each augmented copy.",
        lo=0.0, hi=0.5, group="Preprocessing"))
    augment_rotation: float = _f(0.0, Spec(
        "Rotation (deg)", "Augmented copies are rotated by a random angle in +/- this range.",
        lo=0.0, hi=180.0, group="Preprocessing"))
    augment_flip: str = _f("none", Spec(
        "Reflection", "Augmented copies are mirrored across this axis (only if such "
        "variation can occur in reality, ch. 13).", choices=FLIPS, group="Preprocessing"))

    # -- Network ---------------------------------------------------------------
    hidden: tuple[int, ...] = _f((64,), Spec(
        "Hidden layers", "Neurons in each hidden layer (1-4 layers, 1-512 neurons). A smaller "
        "model overfits less (ch. 11).", lo=1, hi=MAX_NEURONS, group="Network"))
    activation: str = _f("relu", Spec(
        "Activation", "Activation of the hidden layers (ch. 4).", choices=ACTIVATIONS,
        group="Network"))
    init: str = _f("book", Spec(
        "Weight init", "book: 0.01*randn (ch. 3); he: sqrt(2/n_in)*randn; xavier: "
        "sqrt(1/n_in)*randn.", choices=INITS, group="Network"))
    loss: str = _f("categorical_crossentropy", Spec(
        "Loss", "categorical_crossentropy with softmax output (ch. 5); binary_crossentropy "
        "with one sigmoid output, 2 classes (ch. 16); mse / mae on one-hot targets with a "
        "linear output (ch. 17).", choices=LOSSES, group="Network"))

    # -- Optimizer (ch. 10) ----------------------------------------------------
    optimizer: str = _f("adam", Spec(
        "Optimizer", "Ch. 10: SGD (with momentum), Adagrad, RMSprop, Adam. Switching keeps "
        "the weights and starts the optimizer's state afresh.", choices=OPTIMIZERS,
        live=True, group="Optimizer"))
    learning_rate: float = _f(0.05, Spec(
        "Learning rate", "Step size of each update. Lower overfits more slowly (ch. 11).",
        lo=1e-5, hi=10.0, live=True, log=True, group="Optimizer"))
    decay: float = _f(5e-7, Spec(
        "Decay", "Learning rate decays as lr / (1 + decay * step) (ch. 10).",
        lo=0.0, hi=0.1, live=True, log=True, group="Optimizer"))
    momentum: float = _f(0.0, Spec("Momentum", "SGD momentum (ch. 10).", lo=0.0, hi=0.999,
                                   live=True, group="Optimizer"))
    rho: float = _f(0.9, Spec("Rho", "RMSprop cache decay (ch. 10).", lo=0.0, hi=0.9999,
                              live=True, group="Optimizer"))
    beta1: float = _f(0.9, Spec("Beta 1", "Adam momentum decay (ch. 10).", lo=0.0, hi=0.9999,
                                live=True, group="Optimizer"))
    beta2: float = _f(0.999, Spec("Beta 2", "Adam cache decay (ch. 10).", lo=0.0, hi=0.99999,
                                  live=True, group="Optimizer"))
    epsilon: float = _f(1e-7, Spec("Epsilon", "Guards the division in Adagrad, RMSprop, "
                                   "Adam.", lo=1e-10, hi=1e-3, live=True, log=True,
                                   group="Optimizer"))
    batch_size: int = _f(0, Spec(
        "Batch size", "Samples per update; 0 trains on the full batch (ch. 18).",
        lo=0, hi=100_000, live=True, group="Optimizer"))
    shuffle: bool = _f(True, Spec("Shuffle", "Shuffle the training data each epoch when "
                                  "using mini-batches.", live=True, group="Optimizer"))
    epochs: int = _f(10_000, Spec("Epoch limit", "Training stops at this epoch.",
                                  lo=1, hi=1_000_000, live=True, log=True, group="Optimizer"))
    patience: int = _f(0, Spec(
        "Patience", "Early stopping (ch. 11): stop when validation loss has not improved "
        "for this many epochs; 0: off. The best epoch's weights are kept (Tools > Restore "
        "best weights).", lo=0, hi=1_000_000, live=True, group="Optimizer"))

    # -- Regularization (ch. 14, 15) --------------------------------------------
    # Applied to every hidden Dense layer (not the output layer); with one hidden
    # layer that is the book's layer 1.
    l1_weight: float = _f(0.0, Spec("L1 weights", "L1 penalty on hidden-layer weights "
                                    "(ch. 14).", lo=0.0, hi=0.1, live=True, log=True,
                                    group="Regularization"))
    l1_bias: float = _f(0.0, Spec("L1 biases", "L1 penalty on hidden-layer biases (ch. 14).",
                                  lo=0.0, hi=0.1, live=True, log=True, group="Regularization"))
    l2_weight: float = _f(0.0, Spec("L2 weights", "L2 penalty on hidden-layer weights "
                                    "(ch. 14); the book uses 5e-4.", lo=0.0, hi=0.1,
                                    live=True, log=True, group="Regularization"))
    l2_bias: float = _f(0.0, Spec("L2 biases", "L2 penalty on hidden-layer biases (ch. 14).",
                                  lo=0.0, hi=0.1, live=True, log=True, group="Regularization"))
    dropout: float = _f(0.0, Spec("Dropout", "Fraction of hidden neurons dropped each "
                                  "training step (ch. 15); off at validation.", lo=0.0,
                                  hi=0.9, live=True, group="Regularization"))

    def __post_init__(self) -> None:
        if isinstance(self.hidden, list):
            object.__setattr__(self, "hidden", tuple(self.hidden))
        for f in dataclasses.fields(self):
            _check_field(f, getattr(self, f.name))
        self._check_combinations()

    def _check_combinations(self) -> None:
        if self.loss == "binary_crossentropy" and self.classes != 2:
            raise ConfigError(
                f"loss: binary_crossentropy needs classes == 2, got classes={self.classes}")
        if self.book_mode and self.dataset not in ("spiral", "vertical"):
            raise ConfigError(
                f"book_mode: the book's arithmetic is defined for the spiral and vertical "
                f"data sets, got dataset={self.dataset!r}")

    # -- conveniences ------------------------------------------------------------
    def replace(self, **changes: Any) -> Config:
        """A new, validated Config with some fields changed."""
        unknown = set(changes) - set(field_names())
        if unknown:
            raise ConfigError(_unknown_keys_message("setting", unknown))
        return dataclasses.replace(self, **changes)

    def restart_fields_changed(self, other: Config) -> list[str]:
        """Names of changed fields that need a new run (not applicable live)."""
        return [n for n in field_names()
                if getattr(self, n) != getattr(other, n) and not spec(n).live
                and n != "name"]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        for n in field_names():
            v = getattr(self, n)
            d[n] = list(v) if isinstance(v, tuple) else v
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        if not isinstance(data, dict):
            raise ConfigError(f"config: expected a JSON object, got {type(data).__name__}")
        data = dict(data)
        version = data.pop("schema_version", SCHEMA_VERSION)
        note = data.pop(DATA_NOTE_KEY, "")   # words on imported or drawn points, not a field
        data.pop(POINTS_KEY, None)   # the points themselves: read_with_points hands them back
        if not isinstance(note, str):
            raise ConfigError(f"{DATA_NOTE_KEY}: expected a text note, got {short_repr(note)}")
        if version != SCHEMA_VERSION:
            raise ConfigError(
                f"schema_version: {short_repr(version)} is not supported (this app reads "
                f"{SCHEMA_VERSION})")
        unknown = set(data) - set(field_names())
        if unknown:
            raise ConfigError(_unknown_keys_message("key", unknown))
        return cls(**data)

    def to_json(self, data: str = "") -> str:
        """The JSON text of to_dict(); ``data`` (e.g. "imported from moons.csv") adds a
        "data" note saying the run's points were not the data set the config names."""
        fields = self.to_dict()
        return json.dumps({**fields, DATA_NOTE_KEY: data} if data else fields, indent=2)

    @classmethod
    def from_json(cls, text: str, source: str = "config") -> Config:
        """The Config in a JSON text; ``source`` names it in error messages."""
        try:
            data = parse_json_text(text, source)
        except JsonFileError as e:
            raise ConfigError(str(e)) from None
        return cls.from_dict(data)

    def save(self, path: str | Path) -> None:
        from nnfs_gui.core.files.atomic import write_text_atomic

        write_text_atomic(path, self.to_json() + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Config:
        """The Config in a JSON file; every failure is a ConfigError naming the file."""
        return cls.read_with_points(path)[0]

    @classmethod
    def read_with_points(cls, path: str | Path) -> tuple[Config, Any]:
        """(the Config in a JSON file, its unchecked "points" value or None); every
        failure is a ConfigError naming the file. core.presetpoints checks the points."""
        try:
            data = read_json_file(path, "config file")
        except JsonFileError as e:
            raise ConfigError(str(e)) from None
        try:
            return cls.from_dict(data), data.get(POINTS_KEY)
        except ConfigError as e:
            raise ConfigError(f"config file {path}: {e}") from None


def field_names() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(Config))


def spec(name: str) -> Spec:
    for f in dataclasses.fields(Config):
        if f.name == name:
            return f.metadata["spec"]
    raise KeyError(name)


def live_fields() -> tuple[str, ...]:
    return tuple(n for n in field_names() if spec(n).live)


# What a data set is made of (ch. 11, 13): the Data and Preprocessing groups, except
# the name and book mode (the arithmetic, not the data). Model B takes these from A.
DATA_FIELDS = tuple(n for n in field_names() if spec(n).group in ("Data", "Preprocessing")
                    and n not in ("name", "book_mode"))


def _check_field(f: dataclasses.Field, value: Any) -> None:
    """Raise ConfigError naming the field, the value and what is allowed."""
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    _CHECKS[kind.split("[")[0]](f.name, value, f.metadata["spec"])


def _check_bool(name: str, value: Any, s: Spec) -> None:
    if not isinstance(value, bool):
        raise ConfigError(f"{name}: expected true or false, got {short_repr(value)}")


def _check_str(name: str, value: Any, s: Spec) -> None:
    if not isinstance(value, str):
        raise ConfigError(f"{name}: expected a string, got {short_repr(value)}")
    if s.choices is not None and value not in s.choices:
        raise ConfigError(f"{name}: {short_repr(value)} is not one of {', '.join(s.choices)}")


def _check_int(name: str, value: Any, s: Spec) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name}: expected a whole number{_allowed(s)}, "
                          f"got {short_repr(value)}")
    _check_range(name, value, s)


def _check_float(name: str, value: Any, s: Spec) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not _is_finite(value):
        raise ConfigError(f"{name}: expected a finite number{_allowed(s)}, "
                          f"got {short_repr(value)}")
    _check_range(name, value, s)


def _is_finite(value: int | float) -> bool:
    """math.isfinite, also for whole numbers beyond a float's range (10**400)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _allowed(s: Spec) -> str:
    return "" if s.lo is None or s.hi is None else f" in {s.lo}..{s.hi}"


def _check_range(name: str, value: float, s: Spec) -> None:
    if (s.lo is not None and value < s.lo) or (s.hi is not None and value > s.hi):
        raise ConfigError(f"{name}: {short_repr(value)} is outside the allowed range "
                          f"{s.lo}..{s.hi}")


def _check_hidden(name: str, value: Any, s: Spec) -> None:
    if not isinstance(value, tuple) or not 1 <= len(value) <= MAX_HIDDEN_LAYERS:
        raise ConfigError(
            f"{name}: expected a list of 1 to {MAX_HIDDEN_LAYERS} layer sizes, "
            f"got {short_repr(value)}")
    for n in value:
        if isinstance(n, bool) or not isinstance(n, int):
            raise ConfigError(f"{name}: layer sizes must be whole numbers{_allowed(s)}, "
                              f"got {short_repr(value)}")
        _check_range(name, n, s)


# Field type (as annotated) -> its check.
_CHECKS = {"bool": _check_bool, "str": _check_str, "int": _check_int, "float": _check_float,
           "tuple": _check_hidden}


def _unknown_keys_message(what: str, unknown: set[str]) -> str:
    """'unknown key(s): lerning_rate (did you mean learning_rate?)'; a file with a
    million unknown keys gets the first few and a count, not a megabyte line."""
    first = heapq.nsmallest(SHOWN_ITEMS, unknown)
    names = []
    for key in first:
        close = difflib.get_close_matches(key[:100], field_names(), n=1)
        names.append(f"{key} (did you mean {close[0]}?)" if close else key)
    names += [""] * (len(unknown) - len(first))  # counted, not shown
    return f"unknown {what}(s): {some_of(names, SHOWN_ITEMS)}"
