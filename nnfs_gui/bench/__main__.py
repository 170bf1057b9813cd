"""``python -m nnfs_gui.bench {gui,engine,timeline,cursor,sweep,drag,all}``: speed figures."""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys

# Subcommand -> module with a main(argv) -> int; imported only when asked for, so the
# engine benchmark needs no Qt and a missing module is a message, not a traceback.
# `all` runs them in this order: the engine first, before the GUI bench loads Qt.
BENCHES = {
    "engine": "nnfs_gui.bench.engine",
    "gui": "nnfs_gui.bench.gui",
    "timeline": "nnfs_gui.bench.timeline",
    "cursor": "nnfs_gui.bench.cursor",
    "sweep": "nnfs_gui.bench.sweep",
    "drag": "nnfs_gui.bench.drag",
}


def run_bench(name: str, argv: list[str]) -> int:
    try:
        module = importlib.import_module(BENCHES[name])
    except ModuleNotFoundError as e:
        if e.name != BENCHES[name]:
            raise
        print(f"bench {name}: {BENCHES[name]} is not available in this checkout yet",
              file=sys.stderr)
        return 1
    takes_args = bool(inspect.signature(module.main).parameters)
    return int((module.main(argv) if takes_args else module.main()) or 0)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m nnfs_gui.bench",
                                description="Measure training and drawing speed.")
    p.add_argument("which", choices=(*BENCHES, "all"), help="which benchmark to run")
    args, rest = p.parse_known_args(argv)
    names = list(BENCHES) if args.which == "all" else [args.which]
    codes = [run_bench(n, rest) for n in names]
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
