"""A run's own points (drawn or imported) inside a preset's JSON, beside its settings.

A preset saved while the run trains on its own points keeps them under a top-level
"points" key: {"source", "strategy", "x_train": [[x1, x2], ...], "y_train": [label, ...],
"x_val", "y_val"}, raw units as DataSplit holds them. Reading checks everything before
a run may use it (2 finite coordinates per point, labels within the config's classes,
bounded counts) and fails as one ConfigError line naming the file and the problem.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from nnfs_gui.core.atomic import write_text_atomic
from nnfs_gui.core.config import POINTS_KEY, VALIDATIONS, Config, ConfigError
from nnfs_gui.core.errors import short_repr
from nnfs_gui.core.splits import DataSplit, read_only_copy

# Points per set a preset holds. At most ~45 bytes a point in compact JSON: 50,000
# training plus as many validation points stay well under the JSON reader's 10 MiB.
MAX_PRESET_POINTS = 50_000
MAX_SOURCE_CHARS = 300
FLOAT32_MAX = float(np.finfo(np.float32).max)


def points_to_dict(split: DataSplit) -> dict[str, Any]:
    """The JSON-able form of ``split``: each float32 coordinate as its shortest text
    that reads back to the same float32 ("0.1", not 0.10000000149011612)."""
    return {"source": split.source, "strategy": split.strategy,
            "x_train": _shortest(split.x_train), "y_train": split.y_train.tolist(),
            "x_val": _shortest(split.x_val), "y_val": split.y_val.tolist()}


def _shortest(x: np.ndarray) -> list[list[float]]:
    return [[float(str(a)), float(str(b))] for a, b in np.asarray(x, np.float32)]


def save_preset_file(path: str | Path, config: Config, split: DataSplit | None) -> None:
    """Write ``config`` (and ``split`` if it is a run's own points) to ``path`` atomically.

    Raises ConfigError (a ValueError) when the points are too many for a preset."""
    text = config.to_json()
    if split is not None and split.source:
        for part in ("train", "val"):
            n = len(getattr(split, f"y_{part}"))
            if n > MAX_PRESET_POINTS:
                raise ConfigError(f"{n:,} {part} points are too many for a preset (limit "
                                  f"{MAX_PRESET_POINTS:,}); save them as CSV instead")
        # The settings stay one a line for people to read; the points, one compact line.
        points = json.dumps(points_to_dict(split), separators=(",", ":"))
        text = f'{text[:-2]},\n  "{POINTS_KEY}": {points}\n}}'
    write_text_atomic(path, text + "\n")


def read_preset_file(path: str | Path) -> tuple[Config, DataSplit | None]:
    """(Config, its own points or None) from a preset or config JSON file; every
    failure is one ConfigError line naming the file."""
    config, points = Config.read_with_points(path)
    if points is None:
        return config, None
    try:
        return config, points_from_dict(points, config.classes)
    except ConfigError as e:
        raise ConfigError(f"config file {path}: {POINTS_KEY}: {e}") from None


def points_from_dict(value: Any, classes: int) -> DataSplit:
    """The DataSplit a "points" value describes, checked; ConfigError says what is wrong."""
    if not isinstance(value, dict):
        raise ConfigError(f"expected a JSON object, got {short_repr(value)}")
    unknown = set(value) - {"source", "strategy", "x_train", "y_train", "x_val", "y_val"}
    if unknown:
        raise ConfigError(f"unknown key {short_repr(sorted(unknown)[0])}")
    source = _text(value, "source")
    strategy = _text(value, "strategy")
    if strategy not in VALIDATIONS:
        raise ConfigError(f"strategy: {short_repr(strategy)} is not one of "
                          f"{', '.join(VALIDATIONS)}")
    parts = {}
    for part, least in (("train", 1), ("val", 0)):
        x = _coordinates(value.get(f"x_{part}"), f"x_{part}", least)
        y = _labels(value.get(f"y_{part}"), f"y_{part}", classes)
        if len(y) != len(x):
            raise ConfigError(f"x_{part} has {len(x)} points but y_{part} {len(y)} labels")
        parts[part] = (read_only_copy(x, np.float32), read_only_copy(y, np.int64))
    return DataSplit(*parts["train"], *parts["val"], strategy, source)


def _text(value: dict, key: str) -> str:
    text = value.get(key)
    if not isinstance(text, str) or not 0 < len(text) <= MAX_SOURCE_CHARS:
        raise ConfigError(f"{key}: expected a short text, got {short_repr(text)}")
    return text


def _list(items: Any, key: str, least: int) -> list:
    if not isinstance(items, list):
        raise ConfigError(f"{key}: expected a list, got {short_repr(items)}")
    if not least <= len(items) <= MAX_PRESET_POINTS:
        raise ConfigError(f"{key}: {len(items):,} points; expected {least} to "
                          f"{MAX_PRESET_POINTS:,}")
    return items


def _coordinates(items: Any, key: str, least: int) -> np.ndarray:
    """(n, 2) float64 from [[x1, x2], ...]: numbers (not true/false), finite in float32."""
    for i, point in enumerate(_list(items, key, least)):
        if not (isinstance(point, list) and len(point) == 2
                and all(_is_coordinate(v) for v in point)):
            raise ConfigError(f"{key}[{i}]: expected [x1, x2] of two finite numbers, "
                              f"got {short_repr(point)}")
    return np.array(items, dtype=np.float64).reshape(len(items), 2)


def _is_coordinate(v: Any) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v) and abs(v) <= FLOAT32_MAX)


def _labels(items: Any, key: str, classes: int) -> np.ndarray:
    for i, label in enumerate(_list(items, key, 0)):
        if not (isinstance(label, int) and not isinstance(label, bool)
                and 0 <= label < classes):
            raise ConfigError(f"{key}[{i}]: expected a class 0..{classes - 1} (the "
                              f"config's classes), got {short_repr(label)}")
    return np.array(items, dtype=np.int64).reshape(len(items))
