"""Presets: the one lookup of a preset by name (bundled, then the user's own), and
the preset file itself, with a run's own points beside its settings.

A preset's name is a file name in a presets folder, never a path: ``check_preset_name``
refuses separators, dot names, control characters and names over MAX_NAME characters,
so "../../x" and a 300-character name are one PresetError line wherever a name is
given (the window, ``--preset``, a sweep's ``base``). The bundled presets live in
``assets/presets``; the user's in ``$XDG_DATA_HOME/nnfs-gui/presets`` (by default
``~/.local/share/nnfs-gui/presets``), where "Save current as preset" writes; a user
preset hides a bundled one of the same name. A preset that does not load is left out
of the list with a note, so one broken file never breaks the list or the start-up.

A preset saved while the run trains on its own points keeps them under a top-level
"points" key: {"source", "strategy", "x_train": [[x1, x2], ...], "y_train": [label, ...],
"x_val", "y_val"}, raw units as DataSplit holds them. Reading checks everything before
a run may use it (2 finite coordinates per point, labels within the config's classes,
bounded counts) and fails as one ConfigError line naming the file and the problem.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from nnfs_gui.core.config import POINTS_KEY, VALIDATIONS, Config, ConfigError
from nnfs_gui.core.data.splits import DataSplit, read_only_copy
from nnfs_gui.core.errors import short_repr, some_of
from nnfs_gui.core.files.atomic import write_text_atomic
from nnfs_gui.core.files.paths import presets_dir

DEFAULT_PRESET = "ch11-overfit"
MAX_NAME = 100   # characters; file systems allow 255 bytes, and names show in menus
_BAD_CHARS = re.compile(r"[/\\\x00-\x1f\x7f]")  # path separators, control characters

# Points per set a preset holds. At most ~45 bytes a point in compact JSON: 50,000
# training plus as many validation points stay well under the JSON reader's 10 MiB.
MAX_PRESET_POINTS = 50_000
MAX_SOURCE_CHARS = 300
FLOAT32_MAX = float(np.finfo(np.float32).max)


class PresetError(ValueError):
    """A name that cannot name a preset, or names none; one line saying why."""


def check_preset_name(name: object) -> str:
    """``name`` stripped, or PresetError saying why it cannot name a preset."""
    stripped = name.strip() if isinstance(name, str) else ""
    if not stripped:
        raise PresetError("A preset needs a name.")
    if len(stripped) > MAX_NAME:
        raise PresetError(f"The preset name {short_repr(stripped)} is {len(stripped)} "
                          f"characters long; the limit is {MAX_NAME}.")
    shown = short_repr(stripped)
    if _BAD_CHARS.search(stripped):
        raise PresetError(f"The preset name {shown} cannot hold / or \\ or control "
                          "characters: it is a name, not a path.")
    if stripped.startswith("."):
        raise PresetError(f"The preset name {shown} cannot start with a dot "
                          "(such files are hidden, and .. is the folder above).")
    return stripped


def user_presets_dir() -> Path:
    """Where "Save current as preset" writes: $XDG_DATA_HOME/nnfs-gui/presets (by
    default ~/.local/share/nnfs-gui/presets)."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "nnfs-gui" / "presets"


def scan_presets() -> tuple[dict[str, Path], list[str]]:
    """(preset name -> JSON file, notes on the files left out because they do not load).
    A user preset hides a bundled one of the same name, unless it is broken."""
    found: dict[str, Path] = {}
    notes: list[str] = []
    for kind, folder in (("bundled", _bundled_dir()), ("your", user_presets_dir())):
        for path in _json_files(folder):
            try:
                read_preset_file(path)   # broken points, too, leave a preset out
            except ValueError as e:
                notes.append(f"skipped {kind} preset {path.stem} ({e})")
                continue
            found[path.stem] = path
    return dict(sorted(found.items())), notes


def preset_names() -> list[str]:
    """The names of the presets that load, bundled and the user's, sorted."""
    return list(scan_presets()[0])


def preset_path(name: str) -> Path:
    """The file of preset ``name``; PresetError for a bad or unknown name."""
    name = check_preset_name(name)
    for folder in (user_presets_dir(), _bundled_dir()):
        path = None if folder is None else folder / f"{name}.json"
        if path is not None and path.is_file():
            return path
    raise PresetError(f"no preset named {short_repr(name)}; presets: "
                      f"{some_of(preset_names(), 12)}")


def _json_files(folder: Path | None) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.glob("*.json")):
        try:
            check_preset_name(path.stem)   # hidden and temporary files are not presets
        except PresetError:
            continue
        files.append(path)
    return files


def _bundled_dir() -> Path | None:
    try:
        return presets_dir()
    except FileNotFoundError:
        return None


def load_preset(name: str) -> Config:
    """The preset's Config, named after the preset; PresetError or ConfigError."""
    return load_preset_run(name)[0]


def load_preset_run(name: str) -> tuple[Config, DataSplit | None]:
    """(the preset's Config named after it, its own points or None: the config's data
    set); PresetError (bad or unknown name) or ConfigError (a file that does not load),
    both ValueErrors of one line."""
    config, split = read_preset_file(preset_path(name))
    name = check_preset_name(name)
    return (config if config.name == name else config.replace(name=name)), split


def save_preset(config: Config, name: str, split: DataSplit | None = None) -> Path:
    """Write ``config`` as the user preset ``name``, with ``split`` when it is the run's
    own points (drawn or imported; generated points are remade from the config).
    PresetError for a name that is not a plain name, ConfigError for too many points."""
    name = check_preset_name(name)
    path = user_presets_dir() / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    save_preset_file(path, config.replace(name=name), split)
    return path


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
