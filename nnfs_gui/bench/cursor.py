"""``python -m nnfs_gui.bench cursor``: the epoch cursor in the real window, and the
memory of a Trainer's timeline over a 1,000,000-epoch run.

1. The real window (offscreen unless a display is set), ch11-overfit stepped to
   3,000 epochs: the cursor moves to a new random epoch; timed from ``move_to`` (the
   request) to the end of the first paint of A's decision view after it drew the
   EpochView of that epoch (the training process recomputed the regions from the
   checkpoint; the view paints them as a draft, sharpened once the cursor rests).
   Paused and while training. Target: <= 50 ms median.
2. A Trainer of ch11-overfit trains 1,000 epochs for real, then its own timeline gets
   the checkpoints of epochs 1,000..999,999 (its last weights plus small noise), as a
   1,000,000-epoch run would leave it: bytes against the 200 MiB budget, the stride,
   and the process side of a cursor move there (nearest checkpoint -> second model ->
   150x150 grid). One BLAS thread.
"""

from __future__ import annotations

import os
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

PRESET = "ch11-overfit"
TRAINED = 3_000
MOVES = 30
TARGET_MS = 50.0
RUN_EPOCHS = 1_000_000
REAL_EPOCHS = 1_000
POOL = 64


def window_moves(window, app, moves: int, rng) -> list[float]:
    """ms from each cursor move to the end of the first paint of A's decision view
    after it took the EpochView of that epoch (a draft: see views/regions.py)."""
    from nnfs_gui.bench.gui import PaintCounter, spin

    paints = PaintCounter(window.decision_view.graphics.viewport())
    a, out, taken = window.session, [], [0.0]
    a.epoch_shown.connect(lambda view: taken.__setitem__(0, time.perf_counter()))
    for _ in range(moves):
        lo, hi = window.epoch_cursor.span()
        epoch = int(rng.integers(lo, hi + 1))
        if epoch == window.epoch_cursor.epoch:
            continue
        spin(app, 0.05)
        t0 = time.perf_counter()
        window.epoch_cursor.move_to(epoch)
        spin(app, 3.0, until=lambda e=epoch, t=t0: a.epoch_view is not None and
             a.epoch_view.asked == e and window.decision_view._probs is a.epoch_view.grid
             and paints.done > paints.last > taken[0] > t)
        out.append((paints.done - t0) * 1e3)
    return out


def measure_window(args) -> None:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from nnfs_gui.bench.gui import spin
    from nnfs_gui.core.files.presets import load_preset
    from nnfs_gui.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(load_preset(PRESET).replace(epochs=RUN_EPOCHS))
    window.show()
    spin(app, 10.0, until=lambda: window.frames_drawn > 0)
    window.step(TRAINED)
    spin(app, 60.0, until=lambda: window.session.epoch >= TRAINED and window.session.settled)
    rng = np.random.default_rng(0)
    window_moves(window, app, 3, rng)   # warm up: caches, the second model
    paused = window_moves(window, app, args.moves, rng)
    window.set_playing(True)
    playing = window_moves(window, app, args.moves, rng)
    window.set_playing(False)
    window.close()
    for label, ms in (("paused", paused), ("while training", playing)):
        med = statistics.median(ms)
        print(f"cursor move to painted view, {label}: median {med:.1f} ms, max "
              f"{max(ms):.1f} ms over {len(ms)} moves ({med / TARGET_MS:.2f} of the "
              f"{TARGET_MS:.0f} ms target)")


def measure_trainer_timeline(epochs: int) -> None:
    from nnfs_gui.core.config import Config
    from nnfs_gui.core.files.paths import presets_dir
    from nnfs_gui.training.run.timeline import DEFAULT_BUDGET
    from nnfs_gui.training.run.trainer import Trainer

    trainer = Trainer(Config.load(presets_dir() / f"{PRESET}.json").replace(epochs=epochs))
    trainer.train(REAL_EPOCHS)
    rng = np.random.default_rng(0)
    base = trainer.model.get_params()
    pool = [[b + 1e-3 * rng.standard_normal(b.shape).astype(np.float32) for b in base]
            for _ in range(POOL)]
    t0 = time.perf_counter()
    for e in range(trainer.epoch, epochs):
        trainer.timeline.record(e, pool[e % POOL])
    tl = trainer.timeline
    print(f"trainer timeline, {epochs:,}-epoch {PRESET} run ({REAL_EPOCHS:,} trained, the "
          f"rest recorded in {time.perf_counter() - t0:.1f} s): {tl.nbytes / 2**20:.1f} MiB "
          f"of the {DEFAULT_BUDGET / 2**20:.0f} MiB budget, {len(tl):,} checkpoints, "
          f"stride {tl.stride} (any epoch within {tl.max_distance()})")
    times = []
    for e in rng.integers(0, epochs, MOVES):
        t = time.perf_counter()
        _, model = trainer.model_at(int(e))
        trainer.grid_probabilities(150, model=model)
        model.predict(trainer.x_val)
        times.append((time.perf_counter() - t) * 1e3)
    print(f"process side of a cursor move (checkpoint -> second model -> 150x150 grid "
          f"+ mistakes): median {statistics.median(times):.1f} ms")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m nnfs_gui.bench cursor")
    p.add_argument("--moves", type=int, default=MOVES, help="cursor moves per measurement")
    p.add_argument("--epochs", type=int, default=RUN_EPOCHS, help="epochs of the memory run")
    p.add_argument("--no-window", action="store_true", help="only the timeline's memory")
    args = p.parse_args(argv or [])
    measure_trainer_timeline(args.epochs)
    if not args.no_window:
        measure_window(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
