import sys

from nnfs_gui.app import main

sys.exit(main())
