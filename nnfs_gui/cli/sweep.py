"""``python main.py --headless --sweep SWEEP.json --out DIR [--scheduler tcp://HOST:PORT]``.

Runs a sweep (training/sweep.py) on local worker processes, or on a Dask cluster
at the scheduler address, and writes results.csv, results.json, sweep.json, then
curve.png and grid.png (drawn offscreen by the lab's views, ui/lab/offscreen.py).
Progress goes to stderr, one line per finished batch: runs done / total and time
left. Ctrl+C cancels: the workers are terminated, the finished runs' files are
written, exit 130. Exit 2 on a bad sweep file, --out missing or a bad --scheduler
address, each one line.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nnfs_gui.training.lab.executors import ClusterError, make_executor
from nnfs_gui.training.lab.summary import format_seconds
from nnfs_gui.training.lab.sweep import SweepError, load_sweep, write_sweep_results

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def run_sweep_headless(args) -> int:
    try:
        sweep = load_sweep(args.sweep)
        out = _out_dir(args.out)
        executor = make_executor(args.scheduler, timeout=args.connect_timeout)
    except (SweepError, ClusterError) as e:
        print(f"nnfs-gui: {e}", file=sys.stderr)
        return EXIT_USAGE
    code = EXIT_OK
    try:
        run_and_report(executor, sweep)
    except KeyboardInterrupt:
        print("nnfs-gui: sweep cancelled; writing the finished runs", file=sys.stderr)
        code = EXIT_INTERRUPTED
    except ClusterError as e:
        print(f"nnfs-gui: {e} after {len(executor.results)} of {len(sweep.runs())} runs; "
              f"writing the finished runs to {out}", file=sys.stderr)
        code = EXIT_FAILED
    finally:
        executor.close()  # terminates any worker still busy
    results = sorted(executor.results, key=lambda r: r.index)
    return write_all(results, sweep, out) or code


def _out_dir(out: str | None) -> Path:
    if out is None:
        raise SweepError("--sweep needs --out DIR (where to write the results)")
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SweepError(f"--out {out}: {e.strerror or e}") from None
    return Path(out)


def run_and_report(executor, sweep) -> list:
    from nnfs_gui.training.lab.executors import run_all

    return run_all(executor, sweep, progress_line)


def progress_line(done: int, total: int, seconds_left: float | None) -> None:
    left = "" if seconds_left is None else f", about {format_seconds(seconds_left)} left"
    print(f"sweep: {done}/{total} runs done{left}", file=sys.stderr, flush=True)


def write_all(results: list, sweep, out: Path) -> int:
    """The table files, then the pictures (when any run finished); 0 or EXIT_FAILED."""
    try:
        write_sweep_results(results, out, sweep)
        if results:
            from nnfs_gui.ui.lab.offscreen import write_sweep_pictures

            write_sweep_pictures(results, sweep, out)
    except OSError as e:
        print(f"nnfs-gui: cannot write {e.filename or out}: {e.strerror or e}",
              file=sys.stderr)
        return EXIT_FAILED
    except Exception as e:  # an ExportError names the file and the reason
        print(f"nnfs-gui: {e}", file=sys.stderr)
        return EXIT_FAILED
    print(f"sweep: {len(results)} runs written to {out}", file=sys.stderr)
    return EXIT_OK
