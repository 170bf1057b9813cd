#!/usr/bin/env python3
"""The README's pictures of the epoch cursor, the sweep results and a drawn outlier,
grabbed from the real widgets (offscreen, with settings in a throwaway folder).

Usage: python scripts/docs_figures.py cursor|lab|outlier|all [--out DIR]
(``make screenshot`` makes docs/screenshot.png and docs/compare.png under Xvfb.)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nnfs-gui-figures-")


def wait(app, until, seconds: float = 600) -> None:
    from nnfs_gui.bench.gui import spin

    spin(app, seconds, until=until)
    if not until():
        raise SystemExit(f"docs_figures: gave up after {seconds:g} s")


def cursor_figure(app, out: Path) -> None:
    """ch11-overfit after 3,000 epochs, the cursor on the best validation epoch."""
    from nnfs_gui.core.files.presets import load_preset
    from nnfs_gui.ui.main_window import MainWindow

    w = MainWindow(load_preset("ch11-overfit"))
    w.resize(1366, 768)
    w.show()
    wait(app, lambda: w.frames_drawn > 0)
    w.step(3000)
    wait(app, lambda: w.session.epoch >= 3000 and w.session.settled)
    w.epoch_cursor.go_to_best()
    a = w.session
    wait(app, lambda: a.epoch_view is not None and a.epoch_view.asked == w.epoch_cursor.epoch)
    _settle(app)
    w.grab().save(str(out / "cursor.png"))
    w.close()


def lab_figure(app, out: Path) -> None:
    """A width sweep (4 to 512) on ch11-overfit's data, 2 seeds, 2,000 epochs."""
    from nnfs_gui.training.lab.sweep import parse_sweep
    from nnfs_gui.ui.lab.results_window import ResultsWindow
    from nnfs_gui.ui.lab.runner import SweepRunner

    sweep = parse_sweep({"base": "ch11-overfit", "seeds": [0, 1], "epochs": 2000,
                         "vary": {"width": [4, 8, 16, 32, 64, 128, 256, 512]}})
    runner = SweepRunner(sweep)
    win = ResultsWindow(runner, "Sweep results: width, ch11-overfit")
    win.resize(1366, 860)
    win.show()
    runner.start()
    wait(app, lambda: not runner.running and len(win.by_index) == 16, 1800)
    _settle(app)
    win.grab().save(str(out / "lab-results.png"))
    win.close()


def outlier_figure(app, out: Path) -> None:
    """Two moons with one drawn, mislabelled point: A (no regularization) bends its
    region around it, B (L2) does not."""
    import numpy as np

    from nnfs_gui.core.files.presets import load_preset
    from nnfs_gui.ui.main_window import MainWindow

    last = 4000
    cfg = load_preset("ch11-overfit").replace(
        dataset="moons", classes=2, samples=60, noise=0.12, epochs=last,
        validation="holdout", hidden=(64, 64), learning_rate=0.01, name="overfit")
    w = MainWindow(cfg)
    w.resize(1366, 768)
    w.show()
    wait(app, lambda: w.frames_drawn > 0)
    w.set_comparing(True)
    wait(app, lambda: w.compare.session.frames_drawn > 0)
    w.compare.set_config(cfg.replace(l2_weight=0.003, l2_bias=0.003, name="L2"))
    wait(app, lambda: w.compare.session.frames_drawn > 0)
    pts = w.session.points.split()
    ones = pts.x_train[pts.y_train == 1]
    x, y = ones[int(np.argmin(ones[:, 1]))]   # the bottom of class 1's moon: drawn as 0
    w.draw_mode.set_active(True)
    w.draw_mode.set_label(0)
    w.draw_mode.add(float(x), float(y) + 0.08)
    n = len(w.draw_mode.points().x_train)
    wait(app, lambda: all(s.points is not None and len(s.points.x_train) == n
                          for s in (w.session, w.compare.session)))
    for s in (w.session, w.compare.session):
        s.set_pause_at(last)
    w.set_playing(True)
    wait(app, lambda: all(s.epoch >= last and s.settled
                          for s in (w.session, w.compare.session)))
    _settle(app)
    w.grab().save(str(out / "outlier.png"))
    w.close()


def _settle(app) -> None:
    from nnfs_gui.bench.gui import spin

    spin(app, 0.5)


FIGURES = {"cursor": cursor_figure, "lab": lab_figure, "outlier": outlier_figure}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("which", choices=[*FIGURES, "all"])
    p.add_argument("--out", default=str(ROOT / "docs"))
    args = p.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in FIGURES if args.which == "all" else [args.which]:
        start = time.perf_counter()
        FIGURES[name](app, out)
        print(f"{name}: {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
