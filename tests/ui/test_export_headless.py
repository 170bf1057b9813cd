"""Headless figure export: the views drawn offscreen from a trained run; animations from
its checkpoints."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.formats import FORMATS
from nnfs_gui.training.run.trainer import Trainer
from nnfs_gui.ui.export import headless as headless_export
from nnfs_gui.ui.export.frames import FigureViews
from nnfs_gui.ui.palette import class_color
from tests.ui.test_export_support import colour_fraction, image_array

EPOCHS = 40  # a run of epochs 0..39


@pytest.fixture(scope="module")
def trained():
    config = Config(name="tiny", samples=40, hidden=(16,), epochs=EPOCHS - 1)
    trainer = Trainer(config)
    trainer.train(EPOCHS)
    return trainer


def test_png_svg_and_pdf_are_written(qapp, trained, tmp_path):
    paths = headless_export.export_figures(trained, tmp_path,
                                           [FORMATS[k] for k in ("png", "svg", "pdf")])
    names = sorted(p.name for p in paths)
    assert names == sorted(["decision.png", "curves.png", "dashboard.png", "decision.svg",
                            "curves.svg", "dashboard.svg", "dashboard.pdf"])
    decision = image_array(tmp_path / "decision.png")
    assert decision.shape[1] == 1600
    # Every class owns a visible region (regions are tinted class colours over white),
    # and the points are drawn in the full class colours.
    for c in range(3):
        assert colour_fraction(decision, class_color(c), tolerance=20) > 0.0005
    assert colour_fraction(decision, (255, 255, 255), tolerance=2) < 0.5
    root = ET.parse(tmp_path / "curves.svg").getroot()
    lines = [el.get("points").split() for el in root.iter() if el.tag.endswith("polyline")]
    assert sum(len(p) for p in lines) >= 4 * EPOCHS  # four curves, every epoch
    assert (tmp_path / "dashboard.pdf").read_bytes().startswith(b"%PDF")


def test_gif_shows_the_run_from_its_checkpoints(qapp, trained, tmp_path, monkeypatch):
    monkeypatch.setattr(headless_export, "ANIMATION_FRAMES", 8)
    [path] = headless_export.export_figures(trained, tmp_path, [FORMATS["gif"]])
    with Image.open(path) as gif:
        assert gif.n_frames == 8
        assert gif.size[0] == 800
        gif.seek(0)
        first = np.asarray(gif.convert("RGB")).astype(int)
        gif.seek(7)
        last = np.asarray(gif.convert("RGB")).astype(int)
    assert np.abs(first - last).mean() > 1  # the regions and curves moved


def test_a_run_changed_while_training_is_animated_as_it_ran(qapp, tmp_path):
    """Its learning rate changed live half way: replaying its config would train another
    run; its checkpoints are the run itself, so it animates like any other."""
    config = Config(name="tiny", samples=40, hidden=(16,), epochs=19)
    trainer = Trainer(config)
    trainer.train(10)
    trainer.apply_live(config.replace(learning_rate=0.2))
    trainer.train(10)
    [path] = headless_export.export_figures(trainer, tmp_path, [FORMATS["gif"]])
    with Image.open(path) as gif:
        assert gif.n_frames == 20   # epochs 0..19: fewer than ANIMATION_FRAMES, all shown


def test_still_figures_fit_the_epoch_axis_to_the_run(qapp, trained):
    views = FigureViews()
    try:
        views.still(headless_export.trainer_picture(trained, grid_size=50))
        x_lo, x_hi = views.curves_view.loss_plot.viewRange()[0]
    finally:
        views.close()
    last = EPOCHS - 1  # the live view would leave headroom beyond this
    assert x_lo <= 0 and last <= x_hi <= last * 1.05
