"""GUI benchmark: training speed with and without the window, redraw rate, slider latency.

Run with ``python -m nnfs_gui.bench gui`` (offscreen unless a display is set).
Targets: live >= 75% of headless epochs/s, >= 25 redraws/s, a learning-rate
slider change drawn within 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

SECONDS = 1.5   # per measurement; ROUNDS of (headless, live) pairs
ROUNDS = 6
PRESET = "ch11-overfit"
LATENCY_TRIALS = 12


def headless_rate(config, seconds: float) -> float:
    """Epochs/s of the Trainer alone, in chunks as the worker trains."""
    from nnfs_gui.training.run.trainer import Trainer

    trainer = Trainer(config, run_id=1)
    trainer.train(20)  # warm up
    start, done = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        done += trainer.train(25)
    return done / (time.perf_counter() - start)


class PaintCounter:
    """Counts paint events of one widget (the decision view's canvas)."""

    def __init__(self, widget) -> None:
        from PySide6.QtCore import QEvent, QObject, QTimer

        class _Filter(QObject):
            def eventFilter(inner, obj, event):  # noqa: N802, N805 - Qt's names
                if event.type() == QEvent.Type.Paint:
                    self.count += 1
                    self.last = time.perf_counter()
                    QTimer.singleShot(0, self._painted)   # runs once this paint is done
                return False

        self.count, self.last, self.done = 0, 0.0, 0.0
        self._filter = _Filter()
        widget.installEventFilter(self._filter)

    def _painted(self) -> None:
        self.done = time.perf_counter()


class Breakdown:
    """Where the time goes while playing (``--breakdown``): the training process's
    split of its time (training, building frames, idle waiting for messages), from
    the cumulative seconds each frame carries; and the GUI thread's cost of a frame:
    drawing it (``_show_frame``) and the whole turn from receiving it to the
    acknowledgement (drawing, painting, event handling). Drawing is the session taking
    a frame: its signals run every view's update."""

    LOOP_PARTS = ("train", "make frame", "idle")

    def __init__(self, window) -> None:
        self.draw = [0.0, 0]
        self.turn = [0.0, 0]
        self.spent = dict.fromkeys(self.LOOP_PARTS, 0.0)
        self.first: dict | None = None
        self.last: dict | None = None
        self.measuring = False
        self._received_at: float | None = None
        w = window.worker
        w.received.connect(self._received)
        self._wrap(window.session, "_take_frame", self.draw)
        ack = w.acknowledge

        def acknowledge():
            if self._received_at is not None:
                self.turn[0] += time.perf_counter() - self._received_at
                self.turn[1] += 1
                self._received_at = None
            ack()

        w.acknowledge = acknowledge

    def _received(self, frame) -> None:
        if not getattr(frame, "seconds", None):
            return   # RunPoints or a ModelState: no frame to draw and acknowledge
        self._received_at = time.perf_counter()
        if self.measuring:
            self.first = self.first or frame.seconds
            self.last = frame.seconds

    def begin(self) -> None:
        """Count the training process's time from the next frame on (a live span)."""
        self.first = self.last = None
        self.measuring = True

    def end(self) -> None:
        self.measuring = False
        if self.first and self.last:
            for p in self.LOOP_PARTS:
                self.spent[p] += self.last[p] - self.first[p]

    @staticmethod
    def _wrap(obj, name: str, total: list) -> None:
        method = getattr(obj, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                total[0] += time.perf_counter() - start
                total[1] += 1

        setattr(obj, name, timed)

    def report(self) -> None:
        total = sum(self.spent.values()) or 1.0
        print("  training process, playing:  " + ", ".join(
            f"{p} {self.spent[p] / total:.0%}" for p in self.LOOP_PARTS))
        print(f"  GUI thread per frame (ms):  draw {1000 * self.draw[0] / max(1, self.draw[1]):.1f}"
              f", receive -> acknowledge {1000 * self.turn[0] / max(1, self.turn[1]):.1f}")


def spin(app, seconds: float, until=None) -> None:
    """Run the event loop (as app.exec does: idle waits release the GIL) for ``seconds``,
    or until ``until()`` is true (checked every 5 ms)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    end = time.perf_counter() + seconds
    check = QTimer(interval=5 if until else int(seconds * 1000))
    check.timeout.connect(
        lambda: (time.perf_counter() >= end or (until and until())) and loop.quit())
    check.start()
    loop.exec()
    check.stop()


def live_rates(window, app, seconds: float,
               breakdown: Breakdown | None = None) -> tuple[float, float, float, float]:
    """(epochs/s, frames drawn/s, canvas paints/s, region images/s) while training."""
    paints = PaintCounter(window.decision_view.graphics.viewport())
    grids = [0]

    def count_grid():
        grids[0] += 1

    window.session.regions_changed.connect(count_grid)
    window.set_playing(True)
    spin(app, 0.5)  # warm up: first frames, chunk size settles
    e0, f0, p0, g0, t0 = window.status.epoch_count, window.frames_drawn, paints.count, \
        grids[0], time.perf_counter()
    if breakdown:
        breakdown.begin()
    spin(app, seconds)
    dt = time.perf_counter() - t0
    if breakdown:
        breakdown.end()
    window.session.regions_changed.disconnect(count_grid)
    window.set_playing(False)
    spin(app, 0.3)
    return ((window.status.epoch_count - e0) / dt, (window.frames_drawn - f0) / dt,
            (paints.count - p0) / dt, (grids[0] - g0) / dt)


def slider_latency(window, app) -> list[float]:
    """Seconds from setting the learning-rate slider to the first drawn frame showing it
    (frames always redraw the curves; the regions only when a new grid came)."""
    paints = PaintCounter(window.curves_view.graphics.viewport())
    seen: dict[str, float] = {}

    def on_frame():
        lr = window.session.learning_rate
        # The decay (5e-7 per update) moves the rate a little; the two targets are 2.5x apart.
        if "target" in seen and abs(lr / seen["target"] - 1) < 0.1 and "drawn" not in seen:
            seen["drawn"] = time.perf_counter()

    window.session.state_changed.connect(on_frame)
    out = []
    for i in range(LATENCY_TRIALS):
        value = 0.02 if i % 2 == 0 else 0.05
        seen.clear()
        spin(app, 0.1)
        seen["target"] = value
        t0 = time.perf_counter()
        window.controls.set_value("learning_rate", value)
        spin(app, 2.0, until=lambda: "drawn" in seen)
        if "drawn" not in seen:
            print(f"  (no frame showed learning rate {value} within 2 s)")
            out.append(float("inf"))
            continue
        drawn_at = seen["drawn"]
        spin(app, 0.5, until=lambda t=drawn_at: paints.last > t)
        out.append(max(paints.last, drawn_at) - t0)
    window.session.state_changed.disconnect(on_frame)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m nnfs_gui.bench gui")
    p.add_argument("--seconds", type=float, default=SECONDS, help="length of each measurement")
    p.add_argument("--breakdown", action="store_true",
                   help="also print where each frame's time goes (worker and GUI thread)")
    args = p.parse_args(argv or [])
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from nnfs_gui.core.files.presets import load_preset
    from nnfs_gui.ui.main_window import MainWindow

    config = load_preset(PRESET).replace(epochs=1_000_000)
    app = QApplication.instance() or QApplication([])
    window = MainWindow(config)
    window.show()
    # Warm up once, uncounted: first paints build pyqtgraph's caches and the axis
    # pictures, and the worker learns its chunk size and grid cost.
    window.set_playing(True)
    spin(app, 1.5)
    window.set_playing(False)
    spin(app, 0.3)
    # Headless and live measured in alternation, ROUNDS times: the machine is shared and
    # its speed drifts, so each ratio compares neighbours in time; the median is reported.
    breakdown = Breakdown(window) if args.breakdown else None
    rounds = []
    for _ in range(ROUNDS):
        headless = headless_rate(config, args.seconds)
        rounds.append((headless, *live_rates(window, app, args.seconds, breakdown)))
    window.set_playing(True)
    latency = slider_latency(window, app)
    window.close()
    report(config, rounds, latency)
    if breakdown:
        breakdown.report()
    return 0


def report(config, rounds, latency) -> None:
    from PySide6.QtGui import QGuiApplication

    ms = [1000 * x for x in latency]
    ratios = [r[1] / r[0] for r in rounds]
    median = statistics.median
    headless, live, frames, paints, grids = (median(col) for col in zip(*rounds, strict=True))
    print(f"gui benchmark: preset {PRESET} ({config.dataset}, hidden {config.hidden}, "
          f"{config.samples} samples/class), platform {QGuiApplication.platformName()}")
    print(f"  headless (Trainer alone):  {headless:8.0f} epochs/s")
    print(f"  window live, training:     {live:8.0f} epochs/s")
    print(f"  live / headless:           {median(ratios):8.1%}   (target >= 75%; rounds: "
          f"{', '.join(f'{r:.0%}' for r in ratios)})")
    print(f"  frames drawn:              {frames:8.1f} /s    (target >= 25)")
    print(f"  decision canvas repaints:  {paints:8.1f} /s")
    print(f"  new region images:         {grids:8.1f} /s")
    print(f"  lr slider -> drawn:        median {statistics.median(ms):.0f} ms, "
          f"max {max(ms):.0f} ms over {len(ms)} changes (target <= 100 ms)")
