"""``python -m nnfs_gui.bench sweep``: a 16-run sweep against the same runs in a row.

The issue's case: ch11-overfit, 4 L2 values (l2_weight) x 4 seeds, 2,000 epochs each
(epochs=2000: 2,001 updates). Measured in one run of this command:

1. sequential: the 16 runs one after another in this process, each by the Trainer
   (the window's engine), as a person would run them by hand;
2. sweep: the same 16 runs through the default local executor (one spawned worker
   process per core, runs of one shape batched: core/batched.py), wall time from
   submit to the last result, process start-up included;
3. (with --detail) the parts: batching alone (one process, all 16 in one batch) and
   processes alone (the pool with one run per task).

Prints model-epochs/s (runs x epochs / wall seconds) of each and the ratio to
sequential, and checks that the sweep's best validation losses equal the Trainer's.
One BLAS thread everywhere.
"""

from __future__ import annotations

import os
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402  (the BLAS variables must be set before numpy loads)
import resource  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from nnfs_gui.training.lab.executors import LocalExecutor, run_all  # noqa: E402
from nnfs_gui.training.lab.runs import run_batch  # noqa: E402
from nnfs_gui.training.lab.sweep import parse_sweep  # noqa: E402
from nnfs_gui.training.run.trainer import Trainer  # noqa: E402

L2_VALUES = [0.0, 1e-4, 5e-4, 1e-3]
SEEDS = [0, 1, 2, 3]
TARGET, FLOOR = 2.5, 1.8


def bench_spec(epochs: int):
    return parse_sweep({"base": "ch11-overfit", "vary": {"l2_weight": L2_VALUES},
                        "seeds": SEEDS, "epochs": epochs})


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished (joined) children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def sequential(runs) -> tuple[float, float, list[float]]:
    """(wall s, CPU s) for the runs one after another (Trainer), their best val losses."""
    start, cpu, best = time.perf_counter(), cpu_seconds(), []
    for run in runs:
        trainer = Trainer(run.config)
        trainer.train(trainer.total_epochs)
        best.append(float(np.min(trainer.history.column("val_loss"))))
    return time.perf_counter() - start, cpu_seconds() - cpu, best


def swept(spec, n_workers: int | None, max_batch: int | None) -> tuple[float, float, list]:
    executor = LocalExecutor(n_workers)
    start, cpu = time.perf_counter(), cpu_seconds()
    try:
        results = run_all(executor, spec, max_batch=max_batch)
    finally:
        executor.close()  # joins the workers, so their CPU time is counted
    return time.perf_counter() - start, cpu_seconds() - cpu, results


def line(label: str, model_epochs: int, seconds: float, cpu: float,
         base: float | None) -> float:
    """Print wall-clock model-epochs/s (the figure) and per CPU second (load-proof)."""
    rate = model_epochs / seconds
    ratio = "" if base is None else f"  ({rate / base:.2f}x sequential)"
    print(f"{label}: {rate:,.0f} model-epochs/s, {seconds:.2f} s{ratio}; "
          f"{model_epochs / cpu:,.0f} model-epochs per CPU second")
    return rate


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m nnfs_gui.bench sweep")
    p.add_argument("--epochs", type=int, default=2000, help="last epoch of each run")
    p.add_argument("--workers", type=int, default=None, help="worker processes (cores)")
    p.add_argument("--max-batch", type=int, default=None,
                   help="runs per batched task (default: sweep.batch_size_for)")
    p.add_argument("--detail", action="store_true", help="also batching / processes alone")
    args = p.parse_args(argv)
    spec = bench_spec(args.epochs)
    runs = spec.runs()
    model_epochs = len(runs) * (args.epochs + 1)
    print(f"sweep bench: ch11-overfit, {len(L2_VALUES)} L2 values x {len(SEEDS)} seeds, "
          f"epochs 0..{args.epochs}, {os.cpu_count()} cores")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    seq_s, seq_cpu, seq_best = sequential(runs)
    base = line("sequential (Trainer, one process)", model_epochs, seq_s, seq_cpu, None)
    sweep_s, sweep_cpu, results = swept(spec, args.workers, args.max_batch)
    rate = line("sweep (local processes, batched)", model_epochs, sweep_s, sweep_cpu, base)
    same = [r.best_val_loss for r in results] == seq_best
    print(f"same best validation losses as the Trainer: {'yes' if same else 'NO'}")
    if args.detail:
        t0, cpu = time.perf_counter(), cpu_seconds()
        run_batch(runs[:8])
        run_batch(runs[8:])
        line("batched alone (one process, 2 batches of 8)", model_epochs,
             time.perf_counter() - t0, cpu_seconds() - cpu, base)
        proc_s, proc_cpu, _ = swept(spec, args.workers, 1)
        line("processes alone (one run per task)", model_epochs, proc_s, proc_cpu, base)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    ratio = rate / base
    verdict = "meets" if ratio >= TARGET else "below target, above floor" \
        if ratio >= FLOOR else "BELOW FLOOR"
    print(f"ratio: {ratio:.2f}x ({verdict}: target {TARGET}x, floor {FLOOR}x)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
