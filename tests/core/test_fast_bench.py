"""`python -m nnfs_gui.bench engine --quick` runs and prints every figure as a number.

No timing is asserted (the machine is shared); the figures are only checked to exist,
parse and be positive where a rate or a size must be.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^(?P<label>[^:]+): (?P<value>-?\d+(?:\.\d+)?)$")

EXPECTED = [
    "ch11 2-64-3 300pts reference epochs/s",
    "ch11 2-64-3 300pts trainer epochs/s",
    "ch11 2-64-3 300pts model.train_epoch(x_val=) epochs/s",
    "ch11 2-64-3 300pts ratio trainer/reference",
    "ch11 2-64-3 300pts ratio model.train_epoch(x_val=)/reference",
    "large 2-512-3 9000pts reference epochs/s",
    "large 2-512-3 9000pts trainer epochs/s",
    "large 2-512-3 9000pts ratio trainer/reference",
    "grid 200x200 trainer ms",
    "grid 200x200 reference ms",
    "grid 400x400 trainer ms",
    "grid 400x400 reference ms",
    "history 1000000 epochs MB",
    "history 1000000 epochs peak MB",
    "trainer growth over 200 epochs excluding history MB",
]


def test_quick_engine_bench_prints_every_figure():
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "nnfs_gui.bench", "engine", "--quick"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("engine bench: numpy ")
    assert "OPENBLAS_NUM_THREADS=1" in lines[0] and "BLAS threads 1," in lines[0]
    figures = {}
    for line in lines[1:]:
        match = LINE.match(line)
        assert match, f"not 'label: number': {line!r}"
        figures[match["label"]] = float(match["value"])
    missing = [label for label in EXPECTED if label not in figures]
    assert not missing, f"missing lines {missing} in:\n{done.stdout}"
    for label, value in figures.items():
        if "growth" not in label:
            assert value > 0, f"{label}: {value}"
    # The ratio is the quotient of the printed rates (up to their rounding).
    ratio = figures["ch11 2-64-3 300pts trainer epochs/s"] / \
        figures["ch11 2-64-3 300pts reference epochs/s"]
    assert abs(figures["ch11 2-64-3 300pts ratio trainer/reference"] - ratio) < 0.01
    # A million history rows stay within about 100 MB (doubling growth: 2**20 rows).
    assert figures["history 1000000 epochs MB"] <= 110
