"""Headless figure export: the views drawn offscreen from a trained run."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from nnfs_gui.core.config import Config
from nnfs_gui.training.run.trainer import Trainer
from nnfs_gui.ui.export import headless as headless_export
from nnfs_gui.ui.export.io import ExportError
from nnfs_gui.ui.palette import class_color
from tests.ui.test_export_support import colour_fraction, image_array

EPOCHS = 40  # a run of epochs 0..39


@pytest.fixture(scope="module")
def trained():
    config = Config(name="tiny", samples=40, hidden=(16,), epochs=EPOCHS - 1)
    trainer = Trainer(config)
    trainer.train(EPOCHS)
    return trainer


def test_png_svg_pdf_and_config_are_written(qapp, trained, tmp_path):
    paths = headless_export.export_figures(trained, tmp_path, ["png", "svg", "pdf"])
    names = sorted(p.name for p in paths)
    assert names == sorted(["decision.png", "curves.png", "dashboard.png", "decision.svg",
                            "curves.svg", "dashboard.svg", "dashboard.pdf"])
    assert Config.load(tmp_path / "config.json") == trained.config
    decision = image_array(tmp_path / "decision.png")
    assert decision.shape[1] == headless_export.FIGURE_WIDTH
    # Every class owns a visible region (regions are tinted class colours over white),
    # and the points are drawn in the full class colours.
    for c in range(3):
        assert colour_fraction(decision, class_color(c), tolerance=20) > 0.0005
    assert colour_fraction(decision, (255, 255, 255), tolerance=2) < 0.5
    root = ET.parse(tmp_path / "curves.svg").getroot()
    lines = [el.get("points").split() for el in root.iter() if el.tag.endswith("polyline")]
    assert sum(len(p) for p in lines) >= 4 * EPOCHS  # four curves, every epoch
    assert (tmp_path / "dashboard.pdf").read_bytes().startswith(b"%PDF")


def test_gif_replays_the_run_with_the_requested_frames(qapp, trained, tmp_path, monkeypatch):
    monkeypatch.setattr(headless_export, "ANIMATION_FRAMES", 8)
    [path] = headless_export.export_figures(trained, tmp_path, ["gif"])
    with Image.open(path) as gif:
        assert gif.n_frames == 8 == math.ceil(EPOCHS / 5)
        assert gif.size[0] == headless_export.ANIMATION_WIDTH
        gif.seek(0)
        first = np.asarray(gif.convert("RGB")).astype(int)
        gif.seek(7)
        last = np.asarray(gif.convert("RGB")).astype(int)
    assert np.abs(first - last).mean() > 1  # the regions and curves moved


def test_a_replay_that_differs_is_refused(qapp, trained, tmp_path):
    changed = Trainer(trained.config.replace(learning_rate=0.2))
    changed.train(EPOCHS)
    changed.config = trained.config  # as if the rate had been changed live
    with pytest.raises(ExportError, match="differs"):
        headless_export.export_figures(changed, tmp_path, ["gif"])
    assert not (tmp_path / "training.gif").exists()


def test_unknown_format_is_named(qapp, trained, tmp_path):
    with pytest.raises(ExportError, match="bmp"):
        headless_export.export_figures(trained, tmp_path, ["bmp"])


def test_still_figures_fit_the_epoch_axis_to_the_run(qapp, trained):
    views = headless_export.OffscreenViews()
    try:
        views.start(trained)
        views.show(trained, trained.history.rows_since(0), 50, trained.epoch - 1,
                   headless_export.first_epoch(trained))
        x_lo, x_hi = views.curves_view.loss_plot.viewRange()[0]
    finally:
        views.close()
    last = EPOCHS - 1  # the live view would leave headroom beyond this
    assert x_lo <= 0 and last <= x_hi <= last * 1.05
