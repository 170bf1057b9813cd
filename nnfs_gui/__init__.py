"""nnfs-gui: watch a numpy neural network generalize or overfit on 2-D data."""

import os

__version__ = "0.1.0"

# One BLAS thread: for these small matrices OpenBLAS with 2 threads on 2 cores is
# slower and collapses under load (DESIGN.md, measured). Set before numpy loads;
# a value the user set wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
