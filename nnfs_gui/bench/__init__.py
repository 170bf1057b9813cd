"""Benchmarks: ``python -m nnfs_gui.bench gui | engine | all``."""
