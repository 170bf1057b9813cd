"""``--own-code FILE.py``: the learner's own classes, headless: trained as any headless
run (``--preset``, ``--epochs``, ``--out``... as usual) or, with ``--check``, compared
with the app's engine step by step (training/learner/check.py).

Loading the file runs it, so it runs in a child process this module starts, never in
this one: the child of a run is ``main()`` below (the ordinary headless run, its
Trainer building the learner's network), the child of a check is check.py's.
Exit codes: the child's (0 done or all match; 1 diverged, a difference, a failure of
the learner's code or a write failure; 2 usage or a file that cannot be loaded);
1 when the child ended some other way (the learner's code killed it), 130 on Ctrl+C.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys

EXIT_USAGE, EXIT_INTERRUPTED = 2, 130
# Options that mean nothing to a check (it writes nothing and runs its own few epochs).
NOT_WITH_CHECK = ("init_model", "data", "val_data", "out", "export", "epochs", "sweep")


def add_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "your own classes (loading FILE.py runs it as Python code, as `python FILE.py` "
        "would, in a child process: use only files you trust)")
    group.add_argument("--own-code", metavar="FILE.py",
                       help="headless: train the book's classes from your file (Layer_Dense, "
                            "Activation_ReLU, Optimizer_Adam, ...; only those the settings "
                            "use) instead of the app's engine; writes the usual files")
    group.add_argument("--check", action="store_true",
                       help="with --own-code: compare your classes with the app's engine "
                            "step by step on the settings (--preset/--config) and one batch; "
                            "exit 0 all match, 1 the first class.method that differs, 2 the "
                            "file cannot be loaded")
    group.add_argument("--time-limit", type=float, default=None, metavar="S",
                       help="with --own-code: seconds one epoch of your code (or loading "
                            "your file) may take before it is stopped (default 30)")


def requested(args) -> bool:
    return bool(args.own_code or args.check or args.time_limit is not None)


def usage_problem(args) -> str | None:
    if not args.own_code:
        return "--check and --time-limit go with --own-code FILE.py"
    if not args.headless:
        return "--own-code: the window cannot run your classes yet; add --headless"
    if args.time_limit is not None and not args.time_limit > 0:
        return f"--time-limit {args.time_limit:g}: expected a number of seconds above 0"
    if args.sweep:
        return "--own-code trains one run; drop --sweep"
    given = [n for n in NOT_WITH_CHECK if getattr(args, n, None)] if args.check else []
    if given:
        option = "--" + given[0].replace("_", "-")
        return f"--check writes no files and runs its own few epochs; drop {option}"
    return None


def run_own_code(args) -> int:
    """``--own-code`` (and ``--check``) in a child process; returns the exit code."""
    problem = usage_problem(args)
    if problem:
        print(f"nnfs-gui: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from nnfs_gui.training.process.child import python_child

    if not args.check:
        child = subprocess.Popen(python_child(__name__, json.dumps(vars(args))),
                                 stdin=subprocess.DEVNULL)
        return wait_for(child, args.own_code)
    from nnfs_gui.cli.headless import UsageError, load_run_config
    from nnfs_gui.training.learner.check import start_check

    try:
        config, _ = load_run_config(args)
    except UsageError as e:
        print(f"nnfs-gui: {e}", file=sys.stderr)
        return EXIT_USAGE
    settings = args.preset or args.config or "the default settings"
    return wait_for(start_check(own_code(args), config, settings), args.own_code)


def own_code(args):
    from nnfs_gui.core.learner.sandbox import DEFAULT_TIME_LIMIT, OwnCode

    limit = DEFAULT_TIME_LIMIT if args.time_limit is None else args.time_limit
    return OwnCode(args.own_code, limit)


def wait_for(child: subprocess.Popen, path: str) -> int:
    """The child's exit code; one line when it ended otherwise than by returning."""
    try:
        code = child.wait()
    except KeyboardInterrupt:
        child.terminate()
        child.wait()
        return EXIT_INTERRUPTED
    if code in (0, 1, 2):
        return code
    how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
    print(f"nnfs-gui: the process running {path} {how} (your code ended it?)",
          file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    """The child of a headless run with --own-code: ``argv == [ARGS_JSON]``."""
    from nnfs_gui.cli.headless import run_headless
    from nnfs_gui.core.learner.sandbox import LearnerCodeError, LearnerLoadError
    from nnfs_gui.training.process.child import die_with_parent

    args = argparse.Namespace(**json.loads((sys.argv[1:] if argv is None else argv)[0]))
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl+C: the parent ends this process
    own = own_code(args)
    print(f"nnfs-gui: training your classes from {own.path} (it runs as Python code; "
          f"time limit {own.time_limit:g} s per epoch)", file=sys.stderr)
    try:
        return run_headless(args, own_code=own)
    except LearnerLoadError as e:
        print(f"nnfs-gui: {e}", file=sys.stderr)
        return EXIT_USAGE
    except LearnerCodeError as e:
        print(f"nnfs-gui: {e}", file=sys.stderr)
        return 1
