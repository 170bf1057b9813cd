"""Presets: the bundled JSON files plus the user's own, saved from the window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

from nnfs_gui.core.config import Config
from nnfs_gui.paths import presets_dir

DEFAULT_PRESET = "ch11-overfit"


def user_presets_dir() -> Path:
    """Where "Save current as preset" writes (the bundled folder may be read-only)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "presets"


def preset_paths() -> dict[str, Path]:
    """Preset name -> JSON file; a user preset hides a bundled one of the same name."""
    found: dict[str, Path] = {}
    for folder in (_bundled_dir(), user_presets_dir()):
        if folder is not None and folder.is_dir():
            found.update({p.stem: p for p in sorted(folder.glob("*.json"))})
    return dict(sorted(found.items()))


def _bundled_dir() -> Path | None:
    try:
        return presets_dir()
    except FileNotFoundError:
        return None


def load_preset(name: str) -> Config:
    """The preset's Config, named after the preset. Raises ConfigError or KeyError."""
    path = preset_paths()[name]
    config = Config.load(path)
    return config if config.name == name else config.replace(name=name)


def save_preset(config: Config, name: str) -> Path:
    """Write ``config`` as the user preset ``name``; returns the file."""
    path = user_presets_dir() / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    config.replace(name=name).save(path)
    return path


def startup_config(args, saved_json: str | None) -> tuple[Config, str]:
    """The config to start with and a status message (empty when all went as asked).

    Order: --config FILE, --preset NAME, the last session's config, the default preset,
    Config defaults. A file that does not load falls back with a message, never a crash.
    """
    notes = []
    for source, loader in _sources(args, saved_json):
        try:
            return loader(), "; ".join(notes)
        except (KeyError, ValueError, OSError) as e:
            notes.append(f"could not load {source} ({_reason(e)}), using the next choice")
    return Config(), "; ".join(notes)


def _sources(args, saved_json):
    if getattr(args, "config", None):
        yield f"config {args.config}", lambda: Config.load(args.config)
    if getattr(args, "preset", None):
        yield f"preset {args.preset}", lambda: load_preset(args.preset)
    if saved_json:
        yield "the last session's settings", lambda: Config.from_json(saved_json)
    yield f"preset {DEFAULT_PRESET}", lambda: load_preset(DEFAULT_PRESET)


def _reason(e: Exception) -> str:
    return "no such preset" if isinstance(e, KeyError) else str(e)
