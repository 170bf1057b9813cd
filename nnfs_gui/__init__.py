"""nnfs-gui: watch a numpy neural network generalize or overfit on 2-D data."""

__version__ = "0.1.0"
