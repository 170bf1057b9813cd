"""The core and training layers never load Qt or pyqtgraph."""

import subprocess
import sys

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
