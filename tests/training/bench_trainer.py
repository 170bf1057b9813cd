"""Benchmark (not a test): what the Trainer adds around the model, as ratios.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python -m tests.training.bench_trainer

Prints epochs/s of the default ch. 11 setup (2-64-3, 300 points, Adam, full batch)
for the model alone, the Trainer (validation pass + weight copy + history row),
and the Trainer without its per-epoch weight copy; then decision-grid times.
Best of five interleaved rounds, since the machine is shared.
"""

from __future__ import annotations

import time

from nnfs_gui.core.config import Config
from nnfs_gui.training.run.trainer import Trainer

EPOCHS = 3000


def best_rates(steps: dict, n: int = EPOCHS, rounds: int = 5) -> dict[str, float]:
    """Best epochs/s of each step function; rounds interleave them, so a burst of
    load from another process hits all variants alike."""
    best = dict.fromkeys(steps, 0.0)
    for _ in range(rounds):
        for name, step in steps.items():
            start = time.perf_counter()
            step(n)
            best[name] = max(best[name], n / (time.perf_counter() - start))
    return best


def main() -> None:
    config = Config(epochs=1_000_000)
    full = Trainer(config)
    no_copy = Trainer(config)
    no_copy.model.get_params = lambda: None  # reference only: no divergence rescue
    bare = Trainer(config)

    def model_only(n: int) -> None:
        for _ in range(n):
            bare.model.train_epoch(bare.x_train, bare.y_train, 0, True, None)

    rates = best_rates({"model only": model_only, "trainer": full.train,
                        "trainer without weight copy": no_copy.train})
    for name, rate in rates.items():
        print(f"{name:>28}: {rate:7.0f} epochs/s  ratio to model {rate / rates['model only']:.2f}")
    for size in (100, 200):
        best = min(_timed(full.grid_probabilities, size) for _ in range(5))
        print(f"{'grid ' + str(size) + 'x' + str(size):>28}: {best * 1e3:7.1f} ms")


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
