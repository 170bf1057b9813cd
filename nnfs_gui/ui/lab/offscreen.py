"""curve.png and grid.png of a finished sweep, drawn offscreen by the lab's own views.

What ``--headless --sweep`` writes beside results.csv (nnfs_gui/cli/headless.py). The
views are laid out as on screen but never mapped (as ui/export/frames.py does)
and exported through figures.py (pyqtgraph's ImageExporter, checked writes).
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import Qt

from nnfs_gui.training.lab.summary import summarize
from nnfs_gui.ui.export.figures import export_png
from nnfs_gui.ui.export.frames import ensure_qt_app
from nnfs_gui.ui.lab.curve import ValidationCurve
from nnfs_gui.ui.lab.grid import CELL_PX, RegionGrid, columns_for
from nnfs_gui.ui.lab.pictures import run_picture, run_title

CURVE_SIZE = (720, 480)   # on-screen px of the curve view
CURVE_WIDTH = 1200        # px of curve.png
MAX_GRID_WIDTH = 2400     # px of grid.png at most


def write_sweep_pictures(results: list, sweep, out_dir: str | Path) -> list[Path]:
    """curve.png and grid.png of `results` (RunResults of `sweep`, any subset)."""
    app = ensure_qt_app()
    out_dir = Path(out_dir)
    varied = list(sweep.vary)
    curve, grid = ValidationCurve(), RegionGrid()
    try:
        curve.show_summary(summarize(results, varied, sweep.vary[varied[0]]))
        n_cols = fill_grid(grid, results, sweep)
        rows = math.ceil(len(results) / n_cols)
        _lay_out(app, curve, CURVE_SIZE)
        _lay_out(app, grid, (n_cols * CELL_PX, rows * (CELL_PX + 18)))
        return [export_png([curve], out_dir / "curve.png", CURVE_WIDTH),
                export_png([grid], out_dir / "grid.png", min(MAX_GRID_WIDTH, n_cols * 2 * CELL_PX))]
    finally:
        for view in (curve, grid):
            view.close()
            view.deleteLater()
        app.processEvents()


def fill_grid(grid: RegionGrid, results: list, sweep) -> int:
    """Slots for `results` in index order, each filled; returns the column count."""
    results = sorted(results, key=lambda r: r.index)
    n_cols = columns_for(len(results), len(sweep.seeds))
    grid.reset({r.index: run_title(r, sweep.vary) for r in results}, n_cols)
    for r in results:
        grid.show_run(r.index, run_picture(r))
    return n_cols


def _lay_out(app, view, size: tuple[int, int]) -> None:
    view.resize(*size)
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    view.show()
    app.processEvents()
