"""The core and training layers never load Qt or pyqtgraph, and never name the UI.

Two checks: importing every module below the UI loads no Qt (a subprocess), and
the source of every file under core/ and training/ mentions neither the UI
package nor a Qt library in any import, even one inside a function, which the
first check cannot see until that function runs.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import nnfs_gui

PACKAGE = Path(nnfs_gui.__file__).resolve().parent
LOWER_LAYERS = ("core", "training")
FORBIDDEN = ("nnfs_gui.ui", "PySide6", "pyqtgraph", "shiboken6")

CHECK = """
import sys, pkgutil, importlib
import nnfs_gui.core, nnfs_gui.training
for pkg in (nnfs_gui.core, nnfs_gui.training):
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(m.name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6"))
print(",".join(bad))
"""


def test_core_and_training_do_not_import_qt():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "", f"Qt modules loaded below the UI: {out.stdout}"


def test_check_would_notice_qt():
    # The same probe does see Qt when something imports it, so the test above can fail.
    probe = CHECK.replace("import nnfs_gui.core, nnfs_gui.training",
                          "import nnfs_gui.core, nnfs_gui.training, PySide6.QtCore")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert "PySide6" in out.stdout


def imported_names(source: str) -> list[str]:
    """Every module an import statement names, wherever it stands (functions too),
    plus string arguments of importlib.import_module / __import__ calls."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            names += [a.value for a in node.args[:1]
                      if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return names


def _is_dynamic_import(func: ast.expr) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("import_module", "__import__")


def forbidden_imports(source: str) -> list[str]:
    return [name for name in imported_names(source)
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)]


def lower_layer_files() -> list[Path]:
    files = [f for layer in LOWER_LAYERS for f in sorted((PACKAGE / layer).rglob("*.py"))]
    assert len(files) > 10, "the layers' sources were not found"
    return files


@pytest.mark.parametrize("path", lower_layer_files(),
                         ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_source_below_the_ui_names_no_ui_and_no_qt(path):
    bad = forbidden_imports(path.read_text(encoding="utf-8"))
    assert not bad, f"{path.relative_to(PACKAGE)} imports {', '.join(bad)}"


@pytest.mark.parametrize("source", [
    "def f():\n    from nnfs_gui.ui.export.headless import export_figures\n",
    "from nnfs_gui.ui import session\n",
    "import nnfs_gui.ui.worker as w\n",
    "from nnfs_gui import ui\n",
    "def g():\n    import pyqtgraph as pg\n",
    "from PySide6.QtCore import QObject\n",
    "import shiboken6\n",
    "import importlib\nm = importlib.import_module('nnfs_gui.ui.export')\n",
])
def test_source_check_would_notice(source):
    # Each of these, hidden in a lower-layer file, must be caught (the check can fail).
    assert forbidden_imports(source)


def test_source_check_lets_the_lower_layers_own_imports_pass():
    assert forbidden_imports("import numpy as np\nfrom nnfs_gui.core.config import Config\n"
                             "from nnfs_gui.training.run.history import History\n") == []
