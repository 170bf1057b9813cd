"""Save and load a trained model as one `.npz` file, never pickle.

Layout (format "nnfs-gui-model", version 1):
- `param_0`, `param_1`, ...: the parameter arrays [W1, b1, W2, b2, ...];
- `meta`: UTF-8 JSON bytes (uint8 array) holding the format name and version,
  the run's Config (`config.to_dict()`), the scaler (`scaler.to_dict()` or null),
  n_inputs, n_classes, the parameter shapes and dtype.
The scaler is treated as an opaque object with `to_dict()`; loading rebuilds it
with `nnfs_gui.core.scaling.Scaler.from_dict`. The optimizer's state is not saved:
a loaded model predicts exactly as the saved one and trains on with a fresh optimizer.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from nnfs_gui.core.atomic import write_atomic
from nnfs_gui.core.config import Config
from nnfs_gui.core.model import Model

FORMAT = "nnfs-gui-model"
VERSION = 1


class ModelFileError(ValueError):
    """A model file is missing, truncated, foreign or inconsistent; says what and where."""


def save_model(path: str | Path, model: Model, config: Config, scaler=None) -> Path:
    """Write `model`'s parameters, `config` and `scaler` to `path` (atomically)."""
    params = model.get_params()
    meta = {
        "format": FORMAT, "version": VERSION, "config": config.to_dict(),
        "scaler": None if scaler is None else scaler.to_dict(),
        "n_inputs": model.n_inputs, "n_classes": model.n_classes,
        "param_shapes": [list(p.shape) for p in params], "dtype": str(params[0].dtype),
    }
    arrays = {f"param_{i}": p for i, p in enumerate(params)}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:  # a file object: np.savez adds no suffix
            np.savez(f, **arrays)

    return write_atomic(path, write)


def load_model(path: str | Path) -> tuple[Model, Config, Any]:
    """Read a file written by `save_model` -> (model, config, scaler or None).

    Raises ModelFileError (a ValueError) naming the file and the problem.
    """
    path = Path(path)
    meta, params = _read_npz(path)
    config = _config_from(meta, path)
    try:
        _check_params(meta, params, path)
        model = Model.from_config(config, n_inputs=int(meta["n_inputs"]),
                                  n_outputs=int(meta["n_classes"]),
                                  rng=np.random.default_rng(config.seed))
        model.set_params(params)
    except ModelFileError:
        raise
    except (ValueError, TypeError) as e:
        raise ModelFileError(f"{path}: parameters do not fit the saved network ({e})") from None
    return model, config, _scaler_from(meta, path)


def _read_npz(path: Path) -> tuple[dict, list[np.ndarray]]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            if "meta" not in npz.files:
                raise ModelFileError(f"{path}: not an nnfs-gui model file (no 'meta' entry)")
            meta = _parse_meta(npz["meta"], path)
            count = len(meta.get("param_shapes", []))
            missing = [f"param_{i}" for i in range(count) if f"param_{i}" not in npz.files]
            if missing:
                raise ModelFileError(f"{path}: missing arrays {', '.join(missing)}")
            params = [npz[f"param_{i}"] for i in range(count)]
    except ModelFileError:
        raise
    except FileNotFoundError:
        raise ModelFileError(f"{path}: file not found") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise ModelFileError(f"{path}: not a readable model file ({e})") from None
    return meta, params


def _parse_meta(raw: np.ndarray, path: Path) -> dict:
    try:
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelFileError(f"{path}: model description is not valid JSON ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an nnfs-gui model file (format "
                             f"{meta.get('format') if isinstance(meta, dict) else None!r})")
    if meta.get("version") != VERSION:
        raise ModelFileError(f"{path}: model format version {meta.get('version')!r} is not "
                             f"supported (this app reads {VERSION})")
    for key in ("config", "n_inputs", "n_classes", "param_shapes"):
        if key not in meta:
            raise ModelFileError(f"{path}: model description lacks {key!r}")
    return meta


def _config_from(meta: dict, path: Path) -> Config:
    try:
        return Config.from_dict(meta["config"])
    except (ValueError, TypeError) as e:
        raise ModelFileError(f"{path}: saved settings are invalid ({e})") from None


def _check_params(meta: dict, params: list[np.ndarray], path: Path) -> None:
    for i, (p, shape) in enumerate(zip(params, meta["param_shapes"], strict=True)):
        if list(p.shape) != list(shape) or not np.issubdtype(p.dtype, np.floating):
            raise ModelFileError(f"{path}: param_{i} is {p.dtype} {list(p.shape)}, "
                                 f"expected float {list(shape)}")
        if not np.all(np.isfinite(p)):
            raise ModelFileError(f"{path}: param_{i} holds NaN or infinite values")


def _scaler_from(meta: dict, path: Path):
    if meta.get("scaler") is None:
        return None
    from nnfs_gui.core import scaling  # imported late: the scaler is another module's

    try:
        return scaling.Scaler.from_dict(meta["scaler"])
    except (ValueError, TypeError, KeyError) as e:
        raise ModelFileError(f"{path}: saved scaler is invalid ({e})") from None
