"""Starting a Python child process of this copy of the package, and the child's side:
ending with its parent.

The training loop, a check of a learner's classes and a headless run of them each run
in such a child (the learner's file is only ever imported there).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

# The child imports the package from where this copy of it lives (a checkout or
# site-packages), whatever the current directory is.
PACKAGE_ROOT = str(Path(__file__).resolve().parents[3])
# Imported by name (never run as ``python -m``): the classes its messages are made of
# must be the module's own, not ``__main__``'s.
CHILD_CODE = ("import sys, importlib; sys.path.insert(0, sys.argv.pop(1)); "
              "sys.exit(importlib.import_module(sys.argv.pop(1)).main())")
PR_SET_PDEATHSIG = 1   # linux/prctl.h


def python_child(module: str, *args: str) -> list[str]:
    """The command line of a Python process that runs ``module.main()`` with ``args``
    as its ``sys.argv[1:]``."""
    return [sys.executable, "-c", CHILD_CODE, PACKAGE_ROOT, module, *args]


def die_with_parent() -> None:
    """End this process when its parent ends, even in the middle of work (Linux: the
    kernel sends SIGKILL; elsewhere a closed socket or pipe ends it). If the parent
    died before the request was made, end now."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass   # no prctl: the socket still ends the loop
    if os.getppid() != parent:
        os._exit(0)
