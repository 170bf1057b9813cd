"""``python -m nnfs_gui.bench drag``: dragging a live slider over a heavy run.

The training process as the window starts it (``loop.spawn``), on a run whose epochs
take ~0.13 s (4 x 512 hidden, 500 points per class, full batch). Rounds of the same
length, each in a fresh process, playing at full speed, every frame acknowledged at
once (a fast screen), alternately:

1. untouched: nobody changes a setting;
2. dragged: a second thread sends ApplyLive (a new learning rate) every ``--interval``
   seconds, as the window does while a live slider is dragged.

Prints the epochs each round completed and the median ratio dragged/untouched
(target: at least 80%), per wall second and per CPU second of the training process
(on a machine shared with other work the wall figure swings; an epoch thrown away
still costs CPU), the frames a second, the time from a Pause to the loop's paused frame
(it still cuts an epoch short; the frame's own clock says when it was begun, the rest
is its 150 x 150 decision grid), and the learning rate the dragged run ended with against
the last one sent. One BLAS thread in the training process.
"""

from __future__ import annotations

import os
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402  (the BLAS variables must be set before numpy loads)
import statistics  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

from nnfs_gui.core.config import Config  # noqa: E402
from nnfs_gui.training.process import protocol as p  # noqa: E402
from nnfs_gui.training.process.loop import spawn  # noqa: E402

# ~0.13 s an epoch on this machine (measured: 0.12 s with the other core busy).
HEAVY = Config(name="drag", samples=500, hidden=(512,) * 4, epochs=10**6)
TARGET = 0.80


@dataclass
class Round:
    """What one round of play did."""

    epochs: int = 0
    cpu_seconds: float = 0.0
    frames: int = 0
    learning_rate: float = 0.0
    pause_acted: float = 0.0     # s from sending Pause until the loop began its frame
    pause_seconds: float = 0.0   # s from sending Pause to receiving the paused frame
    sent: list[float] = field(default_factory=list)   # the rates an ApplyLive carried


class Dragger(threading.Thread):
    """Sends ApplyLive every ``interval`` s until stopped; the rates it sent."""

    def __init__(self, send, config: Config, interval: float) -> None:
        super().__init__(daemon=True)
        self.send, self.config, self.interval = send, config, interval
        self.stopped = threading.Event()
        self.rates: list[float] = []

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            rate = 0.001 + 0.0001 * (len(self.rates) % 50)   # a slider going back and forth
            self.rates.append(rate)
            self.send(p.ApplyLive(1, self.config.replace(learning_rate=rate)))


def cpu_seconds(pid: int) -> float:
    """CPU seconds process ``pid`` has used so far (Linux: /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def play_round(config: Config, seconds: float, interval: float | None) -> Round:
    """``seconds`` of play in a fresh training process, dragged every ``interval`` s."""
    proc, conn = spawn()
    out = Round()
    lock, seq = threading.Lock(), [0]

    def send(message) -> None:
        with lock:   # an Ack is seq 0: it changes no setting
            seq[0] += type(message) is not p.Ack
            conn.send((0 if type(message) is p.Ack else seq[0], message))

    try:
        send(p.StartRun(1, config))
        first = wait_frame(conn, send, lambda f: f.run_id == 1)   # before the first epoch
        cpu = cpu_seconds(proc.pid)
        send(p.Play())
        dragger = Dragger(send, config, interval) if interval else None
        if dragger:
            dragger.start()
        end, last = time.perf_counter() + seconds, first
        while time.perf_counter() < end:
            frame = wait_frame(conn, send, lambda f: True, end - time.perf_counter())
            last, out.frames = frame or last, out.frames + (frame is not None)
        out.cpu_seconds = cpu_seconds(proc.pid) - cpu
        out.epochs = last.epoch - first.epoch
        if dragger:
            dragger.stopped.set()
            dragger.join()
            out.sent = dragger.rates
        start = time.perf_counter()
        send(p.Pause())   # cuts the epoch short; its frame shows the last ApplyLive's rate
        settled = wait_frame(conn, send, lambda f: f.seq == seq[0] and not f.playing, 30)
        out.pause_seconds = time.perf_counter() - start
        out.pause_acted = settled.clock - start   # one monotonic clock for both processes
        out.learning_rate = settled.learning_rate
        return out
    finally:
        send(p.Quit())
        proc.wait(10)
        conn.close()


def wait_frame(conn, send, wanted, seconds: float = 60.0):
    """The first frame that is ``wanted`` within ``seconds`` (None if none), each frame
    acknowledged as it comes."""
    end = time.perf_counter() + seconds
    while conn.poll(max(0.0, end - time.perf_counter())):
        message = conn.recv()
        if type(message) is p.Frame:
            send(p.Ack())
            if wanted(message):
                return message
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nnfs_gui.bench drag")
    ap.add_argument("--seconds", type=float, default=6.0, help="length of each round")
    ap.add_argument("--interval", type=float, default=0.05,
                    help="seconds between two ApplyLive while dragging")
    ap.add_argument("--samples", type=int, default=HEAVY.samples, help="points per class")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of each kind")
    args = ap.parse_args(argv)
    config = HEAVY.replace(samples=args.samples)
    pairs = [(play_round(config, args.seconds, None),
              play_round(config, args.seconds, args.interval)) for _ in range(args.rounds)]
    for i, (u, d) in enumerate(pairs, start=1):
        print(f"round {i}: untouched {u.epochs} epochs ({u.cpu_seconds:.1f} CPU s, "
              f"{u.frames / args.seconds:.1f} frames/s), dragged {d.epochs} epochs "
              f"({d.cpu_seconds:.1f} CPU s, {d.frames / args.seconds:.1f} frames/s, "
              f"{len(d.sent)} ApplyLive)")
    wall = statistics.median(d.epochs / max(1, u.epochs) for u, d in pairs)
    cpu = statistics.median((d.epochs / max(d.cpu_seconds, 1e-9))
                            / max(u.epochs / max(u.cpu_seconds, 1e-9), 1e-9) for u, d in pairs)
    u0, last = pairs[0][0], pairs[-1][1]
    print(f"epoch: {args.seconds / max(1, u0.epochs):.3f} s (first untouched round)")
    print(f"dragged/untouched, epochs in {args.seconds:g} s: median {wall:.0%} "
          f"(target >= {TARGET:.0%})")
    print(f"dragged/untouched, epochs per CPU second: median {cpu:.0%}")
    for what, key in (("stopped training", "pause_acted"), ("paused frame received",
                                                              "pause_seconds")):
        ms = [getattr(r, key) * 1e3 for pair in pairs for r in pair]
        print(f"Pause to {what}: median {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms")
    print(f"learning rate at the end: {last.learning_rate:.6g} "
          f"(last sent {last.sent[-1] if last.sent else 0:.6g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
