"""Where the bundled assets live, from a checkout or from an installed wheel."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[2]   # nnfs_gui/


def assets_dir() -> Path:
    """The assets folder: ``nnfs_gui/assets`` in a wheel, ``assets/`` in a checkout."""
    for candidate in (_PACKAGE / "assets", _PACKAGE.parent / "assets"):
        if (candidate / "presets").is_dir():
            return candidate
    raise FileNotFoundError(f"assets folder not found next to {_PACKAGE}")


def presets_dir() -> Path:
    return assets_dir() / "presets"
