"""Presets: the bundled JSON files plus the user's own, saved from the window.

A preset's name is its file name in the presets folder, never a path: "a/b"
used to write into a subfolder (the preset never appeared) and "../../x" outside
the folder. A preset that does not load is left out of the list with a note, so
one broken file (bundled or the user's) never breaks the list or the start-up.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from nnfs_gui.core.config import Config
from nnfs_gui.core.errors import bounded, short_repr
from nnfs_gui.core.presetpoints import read_preset_file, save_preset_file
from nnfs_gui.core.splits import DataSplit
from nnfs_gui.paths import presets_dir

DEFAULT_PRESET = "ch11-overfit"
MAX_NAME = 100   # characters; file systems allow 255 bytes, and names show in menus

_BAD_CHARS = re.compile(r"[/\\\x00-\x1f\x7f]")  # path separators, control characters


class PresetNameError(ValueError):
    """A preset name that cannot be a file name in the presets folder; says why."""


def check_preset_name(name: str) -> str:
    """``name`` stripped, or PresetNameError saying why it cannot name a preset."""
    stripped = name.strip() if isinstance(name, str) else ""
    if not stripped:
        raise PresetNameError("A preset needs a name.")
    shown = short_repr(stripped)
    if _BAD_CHARS.search(stripped):
        raise PresetNameError(f"The preset name {shown} cannot hold / or \\ or control "
                              "characters: it is a file name, not a path.")
    if stripped.startswith("."):
        raise PresetNameError(f"The preset name {shown} cannot start with a dot "
                              "(such files are hidden, and .. is the folder above).")
    if len(stripped) > MAX_NAME:
        raise PresetNameError(f"The preset name is {len(stripped)} characters long; "
                              f"the limit is {MAX_NAME}.")
    return stripped


def user_presets_dir() -> Path:
    """Where "Save current as preset" writes (the bundled folder may be read-only)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "presets"


def scan_presets() -> tuple[dict[str, Path], list[str]]:
    """(preset name -> JSON file, notes on the files left out because they do not load).

    A user preset hides a bundled one of the same name, unless it is broken.
    """
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


def preset_paths() -> dict[str, Path]:
    """Preset name -> JSON file, for presets that load (see scan_presets)."""
    return scan_presets()[0]


def _json_files(folder: Path | None) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.glob("*.json")):
        try:
            check_preset_name(path.stem)   # hidden and temporary files are not presets
        except PresetNameError:
            continue
        files.append(path)
    return files


def _bundled_dir() -> Path | None:
    try:
        return presets_dir()
    except FileNotFoundError:
        return None


def load_preset(name: str) -> Config:
    """The preset's Config, named after the preset. Raises ConfigError or KeyError."""
    return load_preset_run(name)[0]


def load_preset_run(name: str) -> tuple[Config, DataSplit | None]:
    """(the preset's Config named after it, its own points or None: the config's data
    set). Raises ConfigError or KeyError."""
    config, split = read_preset_file(preset_paths()[name])
    return (config if config.name == name else config.replace(name=name)), split


def save_preset(config: Config, name: str, split: DataSplit | None = None) -> Path:
    """Write ``config`` as the user preset ``name``, with ``split`` when it is the run's
    own points (drawn or imported; generated points are remade from the config).

    Raises PresetNameError (a ValueError) for a name that is not a plain file name,
    ConfigError (a ValueError) for more points than a preset holds.
    """
    name = check_preset_name(name)
    path = user_presets_dir() / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    save_preset_file(path, config.replace(name=name), split)
    return path


def startup_config(args, saved_json: object = None) -> tuple[Config, str]:
    """The config to start with and a status message (empty when all went as asked).

    Order: --config FILE, --preset NAME, the last session's config, the default preset,
    Config defaults. Whatever a file or the settings hold, the window starts: each
    source that does not load is named in the message, and the next one is tried.
    ``saved_json`` is the settings value as QSettings returns it (a str, or a list
    for a hand-edited ``config=1, 2, 3``, or anything else).
    """
    notes = scan_presets()[1]
    for source, loader in _sources(args, saved_json):
        try:
            return loader(), _joined(notes)
        except Exception as e:  # noqa: BLE001 - start-up must survive any bad entry
            notes.append(f"ignored {source} ({_reason(e)})")
    notes.append("using the default settings")
    return Config(), _joined(notes)


def startup_points(args) -> DataSplit | None:
    """The points saved in the --config file or --preset the window starts with (a
    preset saved from drawn or imported data), or None (generated data, or a file that
    does not load: startup_config has then moved on to another source)."""
    try:
        if getattr(args, "config", None):
            return read_preset_file(args.config)[1]
        if getattr(args, "preset", None):
            return load_preset_run(args.preset)[1]
    except Exception:  # noqa: BLE001 - startup_config has said what it ignored
        return None
    return None


def _sources(args, saved_json):
    if getattr(args, "config", None):
        yield f"config {args.config}", lambda: Config.load(args.config)
    if getattr(args, "preset", None):
        yield f"preset {args.preset}", lambda: load_preset(args.preset)
    if saved_json is not None and saved_json != "":
        yield "the last session's settings", lambda: _saved_config(saved_json)
    yield f"preset {DEFAULT_PRESET}", lambda: load_preset(DEFAULT_PRESET)


def _saved_config(value: object) -> Config:
    if not isinstance(value, str):
        raise ValueError(f"a {type(value).__name__}, not a JSON text: {short_repr(value)}")
    return Config.from_json(value, "settings value")


def _reason(e: Exception) -> str:
    return "no such preset" if isinstance(e, KeyError) else str(e)


def _joined(notes: list[str]) -> str:
    """One status line: the notes, each bounded, the first few in full."""
    text = "; ".join(notes)
    return bounded(text[:1].upper() + text[1:], limit=600) if text else ""


# The interactive window's first pace, epochs/s: at full speed ch11-overfit's 10,000
# epochs pass in ~3 s and nobody sees its validation loss turn up. At 500/s its minimum
# (near epoch 420) comes after ~1 s and the climb fills the next ~20 s (measured: see
# the fixwindow report). The toolbar's Pace box shows it; "full speed" is one click.
WATCH_PACE = 500


def starting_pace(args) -> float | None:
    """The pace a window opened with ``args`` starts at: WATCH_PACE for a person at
    the window; full speed (None) for scripted runs (--play, --quit-after,
    --screenshot), which want their result, not a show."""
    scripted = any(getattr(args, name, None) for name in ("play", "quit_after", "screenshot"))
    return None if scripted else WATCH_PACE
