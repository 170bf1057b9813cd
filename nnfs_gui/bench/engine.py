"""``python -m nnfs_gui.bench engine``: training speed of the project against plain numpy.

In one process, interleaved so that load from other programs hits both sides alike:

1. a plain numpy loop written here the way a reader of the book would write chapter
   11 (2-64-3, ReLU, softmax + cross-entropy, Adam lr 0.05 decay 5e-7, full batch,
   float64 numpy defaults), plus a validation forward pass (loss and accuracy) every
   epoch;
2. the project's Trainer on the ch11-overfit preset doing the same work per epoch
   (training step, training loss/accuracy, validation loss/accuracy, history row);
3. ``Model.train_epoch(..., x_val=, y_val=)``, the fused call the Trainer can use.

Then the same for a large case (hidden 512, 3,000 points per class), one decision-grid
pass at 200x200 and 400x400 against a naive grid pass, and memory (tracemalloc): a
1,000,000-epoch History and the Trainer's growth between two equal training stretches.
Every result line reads ``label: number [unit]``. One BLAS thread (set before numpy is
imported when this module is the first to import it).
"""

from __future__ import annotations

import os
import sys

_NUMPY_WAS_LOADED = "numpy" in sys.modules
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402  (the BLAS variables must be set before numpy loads)
import ctypes  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from nnfs_gui.core.config import Config  # noqa: E402
from nnfs_gui.core.files.paths import presets_dir  # noqa: E402
from nnfs_gui.training.run.history import COLUMNS, History  # noqa: E402
from nnfs_gui.training.run.trainer import Trainer  # noqa: E402

PRESET = "ch11-overfit"
LARGE = {"hidden": (512,), "samples": 3000}
GRID_SIZES = (200, 400)
HISTORY_ROWS = 1_000_000
# (epochs per timed stretch of the ch11 case, of the large case, trainer-memory stretch)
EPOCHS = {"full": (2000, 20, 2000), "quick": (60, 2, 200)}


def blas_threads() -> str:
    """Make OpenBLAS use one thread even if numpy was loaded before this module, and
    say how many it uses ("?" when numpy's OpenBLAS is not found)."""
    lib = _loaded_openblas()
    if lib is None:
        return "?"
    for prefix in ("scipy_openblas", "openblas"):
        for suffix in ("64_", "_64_", ""):
            setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            if setter is not None and getter is not None:
                setter(1)
                return str(getter())
    return "?"


def _loaded_openblas():
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


# -- the plain numpy reference ----------------------------------------------------------

def reference_spiral(samples: int, classes: int, rng: np.random.Generator):
    """The book's spiral as a reader writes it: (samples*classes, 2) float64, (n,) int.

    Written here rather than taken from core.datasets on purpose: this side of the
    comparison is the plain numpy program, independent of the project's code."""
    xs, ys = [], []
    for c in range(classes):
        r = np.linspace(0.0, 1, samples)
        t = np.linspace(c * 4, (c + 1) * 4, samples) + rng.standard_normal(samples) * 0.2
        xs.append(np.c_[r * np.sin(t * 2.5), r * np.cos(t * 2.5)])
        ys.append(np.full(samples, c))
    return np.concatenate(xs), np.concatenate(ys)


class ReferenceRun:
    """Chapter 11's arithmetic in plain float64 numpy, with a validation pass per epoch."""

    def __init__(self, hidden: int, samples: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.x, self.y = reference_spiral(samples, 3, rng)
        self.x_val, self.y_val = reference_spiral(samples, 3, rng)
        self.params = [0.01 * rng.standard_normal((2, hidden)), np.zeros((1, hidden)),
                       0.01 * rng.standard_normal((hidden, 3)), np.zeros((1, 3))]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.iterations = 0
        self.history: list[tuple[float, ...]] = []

    def forward(self, x):
        w1, b1, w2, b2 = self.params
        z1 = np.dot(x, w1) + b1
        a1 = np.maximum(0, z1)
        z2 = np.dot(a1, w2) + b2
        exp = np.exp(z2 - np.max(z2, axis=1, keepdims=True))
        return z1, a1, exp / np.sum(exp, axis=1, keepdims=True)

    @staticmethod
    def loss_and_accuracy(probs, y):
        clipped = np.clip(probs, 1e-7, 1 - 1e-7)
        loss = np.mean(-np.log(clipped[range(len(probs)), y]))
        return loss, np.mean(np.argmax(probs, axis=1) == y)

    def train(self, epochs: int) -> None:
        for _ in range(epochs):
            z1, a1, probs = self.forward(self.x)
            loss, acc = self.loss_and_accuracy(probs, self.y)
            _, _, val_probs = self.forward(self.x_val)
            val_loss, val_acc = self.loss_and_accuracy(val_probs, self.y_val)
            lr = self.adam(self.backward(z1, a1, probs))
            self.history.append((float(loss), float(acc), float(val_loss), float(val_acc), lr))

    def backward(self, z1, a1, probs):
        n = len(probs)
        d = probs.copy()
        d[range(n), self.y] -= 1
        d /= n
        da1 = np.dot(d, self.params[2].T)
        da1[z1 <= 0] = 0
        return [np.dot(self.x.T, da1), np.sum(da1, axis=0, keepdims=True),
                np.dot(a1.T, d), np.sum(d, axis=0, keepdims=True)]

    def adam(self, grads, lr=0.05, decay=5e-7, beta1=0.9, beta2=0.999, eps=1e-7) -> float:
        lr = lr * (1.0 / (1.0 + decay * self.iterations))
        t = self.iterations + 1
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g ** 2
            m_hat = self.m[i] / (1 - beta1 ** t)
            v_hat = self.v[i] / (1 - beta2 ** t)
            p += -lr * m_hat / (np.sqrt(v_hat) + eps)
        self.iterations += 1
        return lr

    def grid(self, size: int) -> np.ndarray:
        """Naive decision grid: every point in one float64 forward pass."""
        xs = np.linspace(-1.1, 1.1, size)
        gx, gy = np.meshgrid(xs, xs)
        points = np.column_stack([gx.ravel(), gy.ravel()])
        return self.forward(points)[2].reshape(size, size, 3)


# -- the project's side ---------------------------------------------------------------

def preset_config(large: bool = False) -> Config:
    config = Config.load(presets_dir() / f"{PRESET}.json").replace(epochs=1_000_000)
    return config.replace(**LARGE) if large else config


def new_trainer(large: bool) -> Trainer:
    return Trainer(preset_config(large))


class FusedRun:
    """Model.train_epoch with the validation set: what the Trainer can call per epoch."""

    def __init__(self, large: bool) -> None:
        self.t = new_trainer(large)

    def train(self, epochs: int) -> None:
        t = self.t
        bs, shuffle = t.config.batch_size, t.config.shuffle
        for _ in range(epochs):
            t.model.train_epoch(t.x_train, t.y_train, bs, shuffle, t.rng, t.x_val, t.y_val)


# -- timing ---------------------------------------------------------------------------

def epochs_per_second(make: Callable, epochs: int) -> float:
    """A fresh run (not timed), a short warm-up, then `epochs` timed epochs."""
    run = make()
    run.train(max(1, epochs // 20))
    start = time.perf_counter()
    run.train(epochs)
    return epochs / (time.perf_counter() - start)


def compare_training(name: str, large: bool, hidden: int, samples: int, epochs: int,
                     repeats: int) -> None:
    """Median epochs/s of the three sides, repeats interleaved (order rotating)."""
    sides = {"reference": lambda: ReferenceRun(hidden, samples),
             "trainer": lambda: TrainerRun(large),
             "model.train_epoch(x_val=)": lambda: FusedRun(large)}
    rates: dict[str, list[float]] = {key: [] for key in sides}
    keys = list(sides)
    for r in range(repeats):
        for key in keys[r % 3:] + keys[:r % 3]:
            rates[key].append(epochs_per_second(sides[key], epochs))
    median = {key: statistics.median(v) for key, v in rates.items()}
    for key in keys:
        print(f"{name} {key} epochs/s: {median[key]:.1f}")
    for key in keys[1:]:
        print(f"{name} ratio {key}/reference: {median[key] / median['reference']:.2f}")


class TrainerRun:
    def __init__(self, large: bool) -> None:
        self.t = new_trainer(large)

    def train(self, epochs: int) -> None:
        done = self.t.train(epochs)
        if done != epochs:
            raise RuntimeError(f"trainer stopped after {done} of {epochs} epochs: "
                               f"{self.t.message}")


def median_ms(call: Callable, repeats: int) -> float:
    call()  # warm-up: work arrays
    times = []
    for _ in range(max(3, repeats)):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def compare_grids(repeats: int) -> None:
    trainer, reference = new_trainer(False), ReferenceRun(64, 100)
    trainer.train(50)
    for size in GRID_SIZES:
        ours = median_ms(lambda s=size: trainer.grid_probabilities(s), repeats)
        naive = median_ms(lambda s=size: reference.grid(s), repeats)
        print(f"grid {size}x{size} trainer ms: {ours:.2f}")
        print(f"grid {size}x{size} reference ms: {naive:.2f}")


# -- memory ---------------------------------------------------------------------------

def history_megabytes(rows: int = HISTORY_ROWS, chunk: int = 1000) -> tuple[float, float]:
    """(current, peak) MB traced while a History fills to `rows` rows; chunks of 1,000
    rows make it grow by doubling, as one row per epoch does."""
    tracemalloc.start()
    history = History()
    values = {name: np.arange(chunk, dtype=np.float64) for name in COLUMNS}
    for _ in range(rows // chunk):
        history.extend(values)
    del values
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(history) == rows
    return current / 1e6, peak / 1e6


def trainer_growth_megabytes(epochs: int) -> float:
    """MB the Trainer holds more after 2x `epochs` than after `epochs`, history excluded."""
    trainer = new_trainer(False)
    trainer.train(10)
    tracemalloc.start()
    held = []
    for _ in range(2):
        trainer.train(epochs)
        held.append(tracemalloc.get_traced_memory()[0] - trainer.history.nbytes)
    tracemalloc.stop()
    return (held[1] - held[0]) / 1e6


# -- entry ----------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m nnfs_gui.bench engine",
                                description="Training speed against a plain numpy loop.")
    p.add_argument("--quick", action="store_true", help="few epochs (a smoke test)")
    p.add_argument("--repeats", type=int, default=None, help="timed repeats (default 5, "
                   "quick 1); the median is printed")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    small, large, growth = EPOCHS["quick" if args.quick else "full"]
    blas = os.environ.get("OPENBLAS_NUM_THREADS")
    loaded = ", numpy loaded before the bench" if _NUMPY_WAS_LOADED else ""
    print(f"engine bench: numpy {np.__version__}, OPENBLAS_NUM_THREADS={blas}{loaded}, "
          f"BLAS threads {blas_threads()}, repeats {repeats}, medians")
    with np.errstate(over="ignore"):
        compare_training("ch11 2-64-3 300pts", False, 64, 100, small, repeats)
        compare_training("large 2-512-3 9000pts", True, 512, 3000, large, repeats)
        compare_grids(repeats)
    current, peak = history_megabytes()
    print(f"history {HISTORY_ROWS} epochs MB: {current:.1f}")
    print(f"history {HISTORY_ROWS} epochs peak MB: {peak:.1f}")
    print(f"trainer growth over {growth} epochs excluding history MB: "
          f"{trainer_growth_megabytes(growth):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
