#!/usr/bin/env python3
"""Start nnfs-gui from a checkout: ``python main.py`` (window) or ``--headless``."""

import sys

from nnfs_gui.app import main

if __name__ == "__main__":
    sys.exit(main())
