#!/usr/bin/env python3
"""Write docs/screenshot.png: the real app, on a private Xvfb screen, after a scripted run.

Usage: python scripts/make_screenshot.py [OUT.png] [--preset NAME] [--epochs N] [--compare]
The window trains the preset with --play, pauses at epoch N, saves itself, and closes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.xvfb import start_xvfb  # noqa: E402 - needs the checkout on sys.path


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", nargs="?", default=str(ROOT / "docs" / "screenshot.png"))
    p.add_argument("--preset", default="ch11-overfit")
    p.add_argument("--epochs", type=int, default=10_000, help="pause and shoot at this epoch")
    p.add_argument("--compare", action="store_true", help="with model B beside A")
    p.add_argument("--screen", default="1366x768x24",
                   help="the Xvfb screen (the window fits itself to it)")
    args = p.parse_args()
    out = Path(args.out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    server = start_xvfb(args.screen)
    try:
        with tempfile.TemporaryDirectory() as config_home:
            # A fresh settings folder: the screenshot must not depend on a last session.
            env = server.env(XDG_CONFIG_HOME=config_home, OPENBLAS_NUM_THREADS="1")
            run = subprocess.run(
                [sys.executable, str(ROOT / "main.py"), "--preset", args.preset, "--play",
                 "--quit-after", str(args.epochs), "--screenshot", str(out)]
                + (["--compare"] if args.compare else []),
                env=env, capture_output=True, text=True, timeout=600)
    finally:
        server.stop()
    if run.returncode != 0 or not out.exists():
        print(f"make_screenshot: the app failed ({run.returncode}):\n{run.stderr}",
              file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
