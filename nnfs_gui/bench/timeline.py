"""``python -m nnfs_gui.bench timeline``: checkpoint memory and cursor-move cost.

Records a simulated 1,000,000-epoch ch11-overfit run (2-64-3: 387 floats a
checkpoint) into a ``Timeline`` with the default 200 MiB budget: the real Trainer's
parameters for the first epochs, then synthetic ones (the last real weights plus
small noise) for the rest. Prints the store's bytes against the budget, the largest
distance from any epoch to its nearest checkpoint, the median cost of ``record`` and
``nearest``, and the median time of what moving the epoch cursor costs: find the
nearest checkpoint, load it into the model and compute a 150x150 decision grid (the
lead's target: <= 50 ms median). Also the cost of ``judge`` on a run that long.
Every result line reads ``label: number [unit]``. One BLAS thread.
"""

from __future__ import annotations

import os
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402  (the BLAS variables must be set before numpy loads)
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from nnfs_gui.core.config import Config  # noqa: E402
from nnfs_gui.core.files.paths import presets_dir  # noqa: E402
from nnfs_gui.training.run.history import COLUMNS  # noqa: E402
from nnfs_gui.training.run.timeline import DEFAULT_BUDGET, Timeline  # noqa: E402
from nnfs_gui.training.run.trainer import Trainer  # noqa: E402
from nnfs_gui.training.run.verdict import judge  # noqa: E402

PRESET = "ch11-overfit"
REAL_EPOCHS = 1_000         # epochs trained for real before the synthetic ones
TIMED_BATCH = 1_000         # records per timed batch (median over batches)
POOL = 64                   # distinct synthetic parameter sets cycled through
GRID_SIZE = 150
CURSOR_MOVES = 40
TARGET_MS = 50.0


def record_run(timeline: Timeline, trainer: Trainer, epochs: int,
               rng: np.random.Generator) -> list[float]:
    """Record ``epochs`` checkpoints; returns ns per record of each timed batch."""
    real = min(REAL_EPOCHS, epochs)
    for e in range(real):
        timeline.record(e, trainer.model.params)  # the weights epoch e starts from
        trainer.train(1)
    # synthetic checkpoints: the last real weights plus small noise, made before the
    # clock starts (record copies them, so a pool of them can be cycled through)
    base = trainer.model.get_params()
    pool = [[b + 1e-3 * rng.standard_normal(b.shape).astype(np.float32) for b in base]
            for _ in range(POOL)]
    batch_ns = []
    for start in range(real, epochs, TIMED_BATCH):
        stop = min(epochs, start + TIMED_BATCH)
        t0 = time.perf_counter()
        for e in range(start, stop):
            timeline.record(e, pool[e % POOL])
        batch_ns.append((time.perf_counter() - t0) / (stop - start) * 1e9)
    return batch_ns


def largest_distance(timeline: Timeline, epochs: int) -> int:
    stored = timeline.epochs()
    asked = np.arange(epochs)
    right = np.clip(np.searchsorted(stored, asked), 0, len(stored) - 1)
    left = np.clip(right - 1, 0, len(stored) - 1)
    return int(np.minimum(abs(stored[right] - asked), abs(stored[left] - asked)).max())


def median_ms(fn, args_list) -> float:
    times = []
    for args in args_list:
        t0 = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def move_cursor(timeline: Timeline, trainer: Trainer, epoch: int) -> np.ndarray:
    """What the cursor does: nearest checkpoint -> model weights -> decision grid."""
    _, params = timeline.nearest(epoch)
    trainer.model.set_params(params)
    return trainer.grid_probabilities(GRID_SIZE)


def synthetic_history(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    e = np.arange(n, dtype=np.float64)
    val = 0.6 + 0.5 * np.abs(np.log10(1 + e) - np.log10(420)) + 0.02 * rng.random(n)
    cols = {c: np.zeros(n) for c in COLUMNS}
    cols.update(epoch=np.arange(n), data_loss=0.1 + 0.9 / (1 + e / 500), val_loss=val,
                acc=np.full(n, 0.95), val_acc=np.full(n, 0.8))
    return cols


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m nnfs_gui.bench timeline")
    p.add_argument("--epochs", type=int, default=1_000_000, help="epochs to record")
    p.add_argument("--quick", action="store_true", help="100,000 epochs (a smoke test)")
    args = p.parse_args(argv)
    if args.quick:
        args.epochs = min(args.epochs, 100_000)
    rng = np.random.default_rng(0)
    trainer = Trainer(Config.load(presets_dir() / f"{PRESET}.json"))
    timeline = Timeline()
    t0 = time.perf_counter()
    batch_ns = record_run(timeline, trainer, args.epochs, rng)
    seconds = time.perf_counter() - t0
    floats = sum(p.size for p in trainer.model.params)
    print(f"timeline: {PRESET}, {floats} floats a checkpoint, {args.epochs:,} epochs "
          f"recorded in {seconds:.1f} s")
    print(f"budget: {DEFAULT_BUDGET / 2**20:.1f} MiB")
    print(f"store bytes: {timeline.nbytes / 2**20:.1f} MiB "
          f"({timeline.nbytes / DEFAULT_BUDGET:.2f} of the budget)")
    print(f"checkpoints stored: {len(timeline):,}")
    print(f"archive stride: {timeline.stride} epochs")
    print(f"max distance to nearest checkpoint: {largest_distance(timeline, args.epochs)} "
          f"epochs (bound {timeline.max_distance()})")
    if batch_ns:
        print(f"record median: {statistics.median(batch_ns):.0f} ns")
    asked = rng.integers(0, args.epochs, CURSOR_MOVES)
    print(f"nearest median: {median_ms(timeline.nearest, [(int(e),) for e in asked]) * 1e3:.1f} us")
    grid_ms = median_ms(lambda e: move_cursor(timeline, trainer, e), [(int(e),) for e in asked])
    print(f"cursor move median (nearest + set_params + {GRID_SIZE}x{GRID_SIZE} grid): "
          f"{grid_ms:.1f} ms ({grid_ms / TARGET_MS:.2f} of the {TARGET_MS:.0f} ms target)")
    history = synthetic_history(args.epochs, rng)
    print(f"judge median on {args.epochs:,} rows: "
          f"{median_ms(judge, [(history, 3)] * 9):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
