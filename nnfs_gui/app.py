"""Command line: the window by default, ``--headless`` for a scripted run."""

from __future__ import annotations

import argparse
import os
import sys

from nnfs_gui import __version__
from nnfs_gui.cli import owncode
from nnfs_gui.core.files.formats import cli_help

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nnfs-gui",
        description=(
            "Train a small numpy neural network on 2-D data and watch it generalize "
            "or overfit (Neural Networks from Scratch, chapters 11 and 13)."
        ),
        epilog=(
            "Examples:\n"
            "  nnfs-gui                                   open the window\n"
            "  nnfs-gui --preset ch11-overfit             open the window with a preset\n"
            "  nnfs-gui --headless --preset book-ch11 --print-every 100\n"
            "  nnfs-gui --headless --config run.json --epochs 2000 --out results/ "
            "--export png,svg,csv\n"
            "  nnfs-gui --headless --preset ch11-overfit --epochs 2000 --out A\n"
            "  nnfs-gui --headless --data moons.csv --epochs 500 --out D\n"
            "  nnfs-gui --headless --init-model A/model.npz --epochs 100 --out B\n"
            "                                             B continues A for 100 more epochs\n"
            "  nnfs-gui --headless --sweep sweep.json --out lab/ [--scheduler tcp://HOST:8786]\n"
            "  nnfs-gui --headless --own-code mine.py --preset book-ch11 --epochs 1000 --out M\n"
            "  nnfs-gui --headless --own-code mine.py --check --preset book-ch11\n"
            "                                             (your file runs as Python code)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"nnfs-gui {__version__}")
    p.add_argument("--headless", action="store_true",
                   help="train without a window, print progress, write files with --out")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--preset", metavar="NAME",
                     help="a preset from assets/presets (e.g. book-ch11, ch11-overfit)")
    src.add_argument("--config", metavar="FILE", help="a config JSON file (as exported)")
    p.add_argument("--init-model", metavar="FILE",
                   help="headless: continue the run saved in FILE (a model.npz from --out "
                        "or Save model): its weights, optimizer state, epoch and settings; "
                        "not with --preset/--config (the saved settings win)")
    data = p.add_argument_group("your own data (CSV or TSV: feature columns and a label)")
    data.add_argument("--data", metavar="TRAIN.csv",
                      help="train on the points in this file instead of a generated set "
                           "(2-8 classes; more than two feature columns go through PCA)")
    data.add_argument("--val-data", metavar="VAL.csv",
                      help="validation points with the same columns (default: the config's "
                           "validation strategy holds rows of TRAIN.csv out)")
    data.add_argument("--label-column", metavar="NAME|INDEX",
                      help="the label column by header name or 0-based index (default: "
                           "the last column holding words, else the last column)")
    data.add_argument("--features", metavar="A,B",
                      help="the feature columns by name or 0-based index (default: every "
                           "other column)")
    p.add_argument("--epochs", type=int, metavar="N",
                   help="the last epoch: epochs 0..N run, as the book's range(N + 1) "
                        "(default: the config's limit); with --init-model, N more epochs "
                        "numbered on from the saved one (default: the saved run's count)")
    p.add_argument("--print-every", type=int, default=100, metavar="K",
                   help="headless: print a progress line every K epochs (default 100; 0: none)")
    p.add_argument("--out", metavar="DIR",
                   help="headless: write history.csv, metrics.json (with epochs/s: epochs "
                        "per second of training time), config.json and model.npz here")
    p.add_argument("--export", metavar="LIST", default="", help=cli_help())
    p.add_argument("--sweep", metavar="FILE",
                   help="headless: run the sweep in FILE ({base, vary, seeds, epochs, "
                        "patience}) and write results.csv/json, sweep.json, curve.png and "
                        "grid.png to --out")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --sweep: run on the Dask cluster at tcp://HOST:PORT (tcp:// "
                        "only; default: local worker processes, one per core)")
    p.add_argument("--connect-timeout", type=float, default=10.0, metavar="S",
                   help="with --scheduler: seconds to reach the scheduler and read its "
                        "greeting before giving up with exit 2 (default 10)")
    owncode.add_options(p)
    win = p.add_argument_group("window (scripted screenshots)")
    win.add_argument("--play", action="store_true", help="window: start training at once")
    win.add_argument("--compare", action="store_true",
                     help="window: open with model B beside A (View > Compare with model B)")
    win.add_argument("--quit-after", type=int, metavar="N",
                     help="window: pause at epoch N, save --screenshot if given, then close")
    win.add_argument("--screenshot", metavar="FILE",
                     help="window: with --quit-after, save a PNG of the window at epoch N")
    return p


def has_display() -> bool:
    """Whether Qt can open a window here without aborting."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if owncode.requested(args):
        return owncode.run_own_code(args)
    if args.headless:
        from nnfs_gui.cli.headless import run_headless

        if not has_display():  # figures are drawn offscreen; Qt would abort without one
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        if args.sweep:
            from nnfs_gui.cli.sweep import run_sweep_headless

            return run_sweep_headless(args)
        return run_headless(args)
    if not has_display():
        print(
            "nnfs-gui: no display found (DISPLAY is not set). Use --headless for a scripted "
            "run, or start the window on a virtual screen: xvfb-run python main.py",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from nnfs_gui.ui.run import run_app

    return run_app(args)
