"""Save and read a trained model as one `.npz` file, never pickle.

Layout (format "nnfs-gui-model", version 2):
- `param_0`, `param_1`, ...: the parameter arrays [W1, b1, W2, b2, ...];
- `optimizer_<slot>_<i>`: the optimizer's moments/caches, one per parameter (Adam: m
  and v; SGD with momentum: momentum; Adagrad, RMSprop: cache), in their own dtype;
- `meta`: UTF-8 JSON bytes (uint8 array): the format name and version, the run's
  Config (`config.to_dict()`), the scaler (`scaler.to_dict()` or null), n_inputs,
  n_classes, the parameter shapes and dtype, `epoch` (epochs completed when saved),
  `optimizer` (the scalars of Optimizer.state_dict() and its slot names, or null) and
  `data` (null, or for a run on its own points {"source", "strategy", "n_train",
  "n_val"});
- `data_x_train` (n_train, 2) float32, `data_y_train` (n_train,) int64, `data_x_val`,
  `data_y_val`: the raw points of a run on imported or drawn data, so opening the file
  continues on them (a generated data set is remade from the config instead).
Version 1 files (no optimizer state, no epoch) still load: fresh optimizer, epoch 0;
files without `data` load with split None (the config's generator's points).

Reading checks everything before allocating (modelfile.py): shapes are those the saved
settings imply, values are finite in float32. Every failure is a ModelFileError.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnfs_gui.core.config import Config, field_names
from nnfs_gui.core.data.splits import DataSplit, read_only_copy
from nnfs_gui.core.files.atomic import write_atomic
from nnfs_gui.core.files.modelfile import (
    MAX_META_BYTES,
    ModelFileError,
    check_regular_file,
    has_member,
    open_zip,
    parse_json,
    read_array,
)
from nnfs_gui.core.net.model import Model
from nnfs_gui.core.net.optimizers import OPTIMIZERS

__all__ = ["FORMAT", "VERSION", "ModelFileError", "SavedModel", "save_model", "read_model",
           "load_model"]

FORMAT = "nnfs-gui-model"
VERSION = 2
READABLE_VERSIONS = (1, 2)
MAX_INPUTS = 64
MAX_COUNT = 10**12  # epochs, iterations: beyond any real run, within float precision
MAX_POINTS = 5_000_000   # per set: the most rows an import takes (core/tabular_read.py)
MAX_SOURCE_CHARS = 300
DATA_MEMBERS = ("x_train", "y_train", "x_val", "y_val")
UNEXPECTED = "unexpected content"  # the last-resort message (tests check it never shows)


@dataclass(frozen=True)
class SavedModel:
    """A model read back: weights and optimizer state restored, ready to train on.

    epoch: epochs completed when it was saved (0 for files without it).
    scaler: the run's fitted scaler, or None.
    split: the raw points of a run on imported or drawn data (DataSplit.source says
    which), or None: the config's generator makes the data.
    """

    model: Model
    config: Config
    scaler: Any
    epoch: int
    split: DataSplit | None = None


def save_model(path: str | Path, model, config: Config, scaler=None, epoch: int = 0,
               split: DataSplit | None = None) -> Path:
    """Write `model`'s parameters and optimizer state, `config`, `scaler`, `epoch` and,
    for a run on its own points, `split` to `path` (atomically). `model` needs
    get_params(), n_inputs, n_classes, and, for the optimizer state, optimizer_state()
    (without it the file holds none). A split without a source (generated points) is
    not stored: the config remakes it."""
    params = model.get_params()
    opt = model.optimizer_state() if hasattr(model, "optimizer_state") else None
    arrays = {f"param_{i}": p for i, p in enumerate(params)}
    if opt is not None:
        for slot, values in opt["arrays"].items():
            arrays.update({f"optimizer_{slot}_{i}": v for i, v in enumerate(values)})
    own = split is not None and bool(split.source)
    if own:
        arrays.update(_data_arrays(split))
    meta = {
        "format": FORMAT, "version": VERSION, "config": config.to_dict(),
        "scaler": None if scaler is None else scaler.to_dict(),
        "n_inputs": model.n_inputs, "n_classes": model.n_classes,
        "param_shapes": [list(p.shape) for p in params], "dtype": str(params[0].dtype),
        "epoch": int(epoch), "optimizer": None if opt is None else _optimizer_meta(opt),
        "data": _data_meta(split) if own else None,
    }
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:  # a file object: np.savez adds no suffix
            np.savez(f, **arrays)

    return write_atomic(path, write)


def _data_arrays(split: DataSplit) -> dict[str, np.ndarray]:
    dtypes = {"x_train": np.float32, "y_train": np.int64, "x_val": np.float32,
              "y_val": np.int64}
    return {f"data_{k}": np.ascontiguousarray(getattr(split, k), dtype=dtypes[k])
            for k in DATA_MEMBERS}


def _data_meta(split: DataSplit) -> dict:
    return {"source": split.source, "strategy": split.strategy,
            "n_train": len(split.y_train), "n_val": len(split.y_val)}


def _optimizer_meta(state: dict) -> dict:
    scalars = {k: v for k, v in state.items() if k != "arrays"}
    return {**scalars, "slots": sorted(state["arrays"])}


def read_model(path: str | Path) -> SavedModel:
    """Read a file written by `save_model`: weights AND optimizer state restored.

    Raises ModelFileError (a ValueError) naming the file and the problem, and nothing
    else, whatever the file holds.
    """
    path = Path(path)
    try:
        return _read(path)
    except ModelFileError:
        raise
    except Exception as e:  # a check this module lacks: still one error, never a crash
        raise ModelFileError(path, f"{UNEXPECTED} ({type(e).__name__}: {e})") from None


def load_model(path: str | Path) -> tuple[Model, Config, Any]:
    """read_model for old callers -> (model, config, scaler or None)."""
    saved = read_model(path)
    return saved.model, saved.config, saved.scaler


def _read(path: Path) -> SavedModel:
    check_regular_file(path)
    with open_zip(path) as archive:
        if not has_member(archive, "meta"):
            raise ModelFileError(path, "not an nnfs-gui model file (no 'meta' entry)")
        raw = read_array(archive, path, "meta", "u", max_values=MAX_META_BYTES)
        meta = _check_meta(parse_json(path, raw.tobytes(), "model description"), path)
        config = _config_from(meta, path)
        model = _empty_model(meta, config, path)
        _restore_params(archive, path, model)
        if meta.get("optimizer") is not None:
            _restore_optimizer(archive, path, model, meta["optimizer"], config)
        split = _read_split(archive, path, meta, config)
    return SavedModel(model, config, _scaler_from(meta, path), meta.get("epoch", 0), split)


def _read_split(archive, path: Path, meta: dict, config: Config) -> DataSplit | None:
    """The run's own points (None for files without them), checked: sizes from the
    meta before any array is read, float32 finite coordinates, labels < classes."""
    data = meta.get("data")
    if data is None:
        return None
    if meta["n_inputs"] != 2:
        raise ModelFileError(path, "saved points need a model of 2 inputs")
    n = _check_data_meta(data, path)
    arrays = {}
    for key in DATA_MEMBERS:
        name, rows = f"data_{key}", n["n_" + key.split("_")[1]]
        if not has_member(archive, name):
            raise ModelFileError(path, f"missing array {name}")
        shape = (rows, 2) if key.startswith("x") else (rows,)
        arrays[key] = read_array(archive, path, name, "f" if key[0] == "x" else "iu", shape)
    _finite(arrays["x_train"], "data_x_train", path)
    _finite(arrays["x_val"], "data_x_val", path)
    for key in ("y_train", "y_val"):
        y = arrays[key]
        if y.size and (y.min() < 0 or y.max() >= config.classes):
            raise ModelFileError(path, f"data_{key} holds labels outside 0..{config.classes - 1}")
    return DataSplit(read_only_copy(arrays["x_train"], np.float32),
                     read_only_copy(arrays["y_train"], np.int64),
                     read_only_copy(arrays["x_val"], np.float32),
                     read_only_copy(arrays["y_val"], np.int64), data["strategy"],
                     data["source"])


def _check_data_meta(data, path: Path) -> dict:
    if not isinstance(data, dict):
        raise ModelFileError(path, "the saved points' description must be a JSON object")
    for key in ("source", "strategy"):
        value = data.get(key)
        if not isinstance(value, str) or not 0 < len(value) <= MAX_SOURCE_CHARS:
            raise ModelFileError(path, f"saved points' {key} must be a short text, got "
                                       f"{value!r:.40}")
    _check_count(data, "n_train", path, 1, MAX_POINTS)
    _check_count(data, "n_val", path, 0, MAX_POINTS)
    return {"n_train": data["n_train"], "n_val": data["n_val"]}


def _check_meta(meta, path: Path) -> dict:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise ModelFileError(path, f"not an nnfs-gui model file (format {found!r:.60})")
    if meta.get("version") not in READABLE_VERSIONS or isinstance(meta["version"], bool):
        raise ModelFileError(path, f"model format version {meta.get('version')!r:.40} is not "
                                   f"supported (this app reads {READABLE_VERSIONS})")
    for key in ("config", "n_inputs", "n_classes", "param_shapes"):
        if key not in meta:
            raise ModelFileError(path, f"model description lacks {key!r}")
    _check_count(meta, "n_inputs", path, 1, MAX_INPUTS)
    _check_count(meta, "epoch", path, 0, MAX_COUNT, default=0)
    return meta


def _check_count(meta: dict, key: str, path: Path, lo: int, hi: int, default=None) -> None:
    value = meta.get(key, default)
    if type(value) is not int or not lo <= value <= hi:
        raise ModelFileError(path, f"{key} must be a whole number from {lo} to {hi}, "
                                   f"got {value!r:.40}")


def _config_from(meta: dict, path: Path) -> Config:
    try:
        config = Config.from_dict(meta["config"])
    except (ValueError, TypeError, KeyError, OverflowError, RecursionError) as e:
        raise ModelFileError(path, f"saved settings are invalid ({e})") from None
    if meta["n_classes"] != config.classes or isinstance(meta["n_classes"], bool):
        raise ModelFileError(path, f"n_classes {meta['n_classes']!r:.40} does not match the "
                                   f"saved settings' {config.classes} classes")
    return config


def _empty_model(meta: dict, config: Config, path: Path) -> Model:
    """The network the saved settings describe (its size is bounded by Config's limits),
    whose shapes every array of the file must have."""
    model = Model.from_config(config, n_inputs=meta["n_inputs"], n_outputs=config.classes,
                              rng=np.random.default_rng(config.seed))
    expected = [list(s) for s in model.param_shapes()]
    if meta["param_shapes"] != expected:
        raise ModelFileError(path, f"parameter shapes {meta['param_shapes']!r:.120} do not "
                                   f"match the saved settings' network {expected}")
    return model


def _per_param_arrays(archive, path: Path, model: Model, prefix: str) -> list[np.ndarray]:
    """The finite float arrays PREFIX0, PREFIX1, ... with the model's parameter shapes."""
    arrays = []
    for i, shape in enumerate(model.param_shapes()):
        name = f"{prefix}{i}"
        if not has_member(archive, name):
            raise ModelFileError(path, f"missing array {name}")
        arrays.append(_finite(read_array(archive, path, name, "f", shape), name, path))
    return arrays


def _restore_params(archive, path: Path, model: Model) -> None:
    model.set_params(_per_param_arrays(archive, path, model, "param_"))


def _restore_optimizer(archive, path: Path, model: Model, opt_meta, config: Config) -> None:
    state = _optimizer_scalars(opt_meta, config, path)
    state["arrays"] = {slot: _per_param_arrays(archive, path, model, f"optimizer_{slot}_")
                       for slot in opt_meta["slots"]}
    try:
        model.load_optimizer_state(state)
    except (ValueError, TypeError, KeyError) as e:
        raise ModelFileError(path, f"saved optimizer state is invalid ({e})") from None


def _optimizer_scalars(opt: Any, config: Config, path: Path) -> dict:
    """The scalar part of a saved optimizer state, checked: the settings' optimizer,
    known slot names, finite numbers."""
    if not isinstance(opt, dict) or opt.get("name") != config.optimizer:
        found = opt.get("name") if isinstance(opt, dict) else opt
        raise ModelFileError(path, f"optimizer state is for {found!r:.40}, the saved "
                                   f"settings use {config.optimizer!r}")
    slots = opt.get("slots")
    known = OPTIMIZERS[config.optimizer].slots
    if not isinstance(slots, list) or not set(slots) <= set(known) or len(set(slots)) \
            != len(slots):
        raise ModelFileError(path, f"optimizer slots {slots!r:.80} are not among {known}")
    _check_count(opt, "iterations", path, 0, MAX_COUNT)
    numbers = {key: opt.get(key) for key in ("learning_rate", "current_learning_rate",
                                             "decay")}
    hyper = opt.get("hyperparameters", {})
    if not isinstance(hyper, dict):
        raise ModelFileError(path, "optimizer hyperparameters must be a JSON object")
    for key, value in {**numbers, **hyper}.items():
        if not _finite_number(value):
            raise ModelFileError(path, f"optimizer {key!r:.40} must be a finite number, "
                                       f"got {value!r:.40}")
    try:  # the settings' own ranges (Config validates them) hold for the saved values
        config.replace(learning_rate=numbers["learning_rate"], decay=numbers["decay"],
                       **{k: v for k, v in hyper.items() if k in field_names()})
    except (ValueError, TypeError) as e:
        raise ModelFileError(path, f"saved optimizer settings are invalid ({e})") from None
    if numbers["current_learning_rate"] < 0:
        raise ModelFileError(path, "the saved current learning rate is negative")
    return {"name": opt["name"], "iterations": opt["iterations"], **numbers,
            "hyperparameters": hyper}


def _finite_number(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return bool(np.isfinite(np.float64(value)))
    except OverflowError:  # an integer beyond float range
        return False


def _finite(array: np.ndarray, name: str, path: Path) -> np.ndarray:
    """The array if every value stays finite in float32 (the model's dtype)."""
    with np.errstate(over="ignore"):
        if not np.all(np.isfinite(array.astype(np.float32))):
            raise ModelFileError(path, f"{name} holds NaN or infinite values (in float32)")
    return array


def _scaler_from(meta: dict, path: Path):
    if meta.get("scaler") is None:
        return None
    from nnfs_gui.core.data import scaling  # imported late: the scaler is another module's

    try:
        scaler = scaling.Scaler.from_dict(meta["scaler"])
    except (ValueError, TypeError, KeyError, OverflowError) as e:
        raise ModelFileError(path, f"saved scaler is invalid ({e})") from None
    if scaler.center_.shape != (meta["n_inputs"],):
        raise ModelFileError(path, f"saved scaler has {scaler.center_.size} values, the "
                                   f"model {meta['n_inputs']} inputs")
    return scaler

