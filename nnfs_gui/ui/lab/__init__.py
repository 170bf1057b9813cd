"""The generalization lab (issue 12): sweep dialog, results window, their pictures.

Runs never execute here: an executor (training/executors.py) trains them in worker
processes or on a Dask cluster; this package only draws what comes back.
"""
