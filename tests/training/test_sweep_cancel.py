"""Cancelling a sweep: workers end at once, none is left behind, results so far stay."""

import time

import pytest

from nnfs_gui.training.lab.executors import LocalExecutor
from nnfs_gui.training.lab.sweep import parse_sweep, plan_batches


def children(process) -> set[int]:
    return {p.pid for p in process.children(recursive=True) if p.is_running()
            and p.status() != "zombie"}


def test_cancel_mid_sweep_leaves_no_child_process_and_keeps_partial_results():
    psutil = pytest.importorskip("psutil")
    me = psutil.Process()
    # A first pool starts multiprocessing's resource tracker, which lives as long as
    # this process does by design; it is not a worker.
    warm = LocalExecutor(2)
    warm.submit([[]])
    list(warm.as_completed())
    warm.close()
    before = children(me)
    # two quick runs, then two that would take minutes
    sweep = parse_sweep({"base": "ch11-overfit", "vary": {"epochs": [5, 200_000]},
                         "seeds": [0, 1]})
    executor = LocalExecutor(2)
    executor.submit(plan_batches(sweep.runs(), 2, max_batch=1))
    finished = executor.as_completed()
    got = [next(finished), next(finished)]
    assert len(children(me) - before) == 2  # the workers, busy with the long runs
    executor.cancel()
    assert list(finished) == []  # the iterator ends
    deadline = time.monotonic() + 10
    while children(me) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert children(me) - before == set()
    assert sorted(r.config.epochs for batch in got for r in batch) == [5, 5]
    assert len(executor.results) == 2
    executor.close()
