"""PNG, SVG and PDF of pyqtgraph views: sizes, pixels, parsable vectors, one PDF page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from nnfs_gui.ui.export import figures as ef
from nnfs_gui.ui.export.io import ExportError
from tests.ui.test_export_support import (
    CURVE_BLUE,
    CURVE_RED,
    REGION_COLOURS,
    colour_fraction,
    image_array,
    make_curves_plot,
    make_decision_plot,
)


@pytest.fixture
def decision_plot(qtbot):
    return make_decision_plot(qtbot)


@pytest.fixture
def curves_plot(qtbot):
    return make_curves_plot(qtbot)


def test_png_has_requested_width_and_the_regions(decision_plot, tmp_path):
    path = ef.export_png([decision_plot], tmp_path / "decision.png", width=1600)
    rgba = image_array(path)
    assert rgba.shape[1] == 1600
    # Height follows the on-screen aspect ratio (500 x 400).
    assert abs(rgba.shape[0] - 1280) <= 2
    for colour in REGION_COLOURS:  # each region fills a good part of the picture
        assert colour_fraction(rgba, colour) > 0.12
    assert colour_fraction(rgba, (255, 255, 255)) > 0.01  # white margin around the axes


def test_png_width_is_chosen_by_the_user(decision_plot, tmp_path):
    rgba = image_array(ef.export_png([decision_plot], tmp_path / "small.png", width=640))
    assert rgba.shape[1] == 640


def test_png_transparent_background_leaves_margins_clear(decision_plot, tmp_path):
    white = image_array(ef.export_png([decision_plot], tmp_path / "w.png", 800, "white"))
    clear = image_array(ef.export_png([decision_plot], tmp_path / "t.png", 800, "transparent"))
    assert tuple(white[2, 2]) == (255, 255, 255, 255)
    assert clear[2, 2, 3] == 0
    # The regions themselves stay opaque.
    centre = clear[clear.shape[0] // 2, clear.shape[1] // 2]
    assert centre[3] == 255


def test_dashboard_png_puts_views_side_by_side(decision_plot, curves_plot, tmp_path):
    rgba = image_array(ef.export_png([decision_plot, curves_plot], tmp_path / "d.png", 1800))
    assert rgba.shape[1] == 1800
    split = round(1800 * 500 / 900)  # widths on screen: 500 and 400
    left, right = rgba[:, :split], rgba[:, split:]
    assert colour_fraction(left, REGION_COLOURS[1]) > 0.1
    assert colour_fraction(right, REGION_COLOURS[1]) == 0
    assert colour_fraction(right, (255, 0, 0), tolerance=40) > 0.0005  # the red loss curve
    assert colour_fraction(right, (0, 0, 255), tolerance=40) > 0.0005  # the blue accuracy


def test_png_description_is_stored_in_the_file(decision_plot, tmp_path):
    from PySide6.QtGui import QImage

    path = ef.export_png([decision_plot], tmp_path / "d.png", 400, description='{"a": 1}')
    assert QImage(str(path)).text("Description") == '{"a": 1}'


def test_width_out_of_range_is_a_clear_error(decision_plot, tmp_path):
    with pytest.raises(ExportError, match="width"):
        ef.export_png([decision_plot], tmp_path / "x.png", width=10)
    assert not (tmp_path / "x.png").exists()


def _svg_root(path):
    return ET.parse(path).getroot()


def _strokes_with_paths(root) -> set[str]:
    """Stroke colours of groups that hold path/polyline drawings."""
    found = set()
    for g in root.iter():
        stroke = g.get("stroke")
        if stroke and any(el.tag.split("}")[-1] in ("path", "polyline") for el in g.iter()):
            found.add(stroke.lower())
    return found


def test_svg_parses_and_contains_the_curves(curves_plot, tmp_path):
    root = _svg_root(ef.export_svg([curves_plot], tmp_path / "curves.svg"))
    assert root.tag.endswith("svg")
    assert {CURVE_RED, CURVE_BLUE} <= _strokes_with_paths(root)
    # pyqtgraph 0.14 writes one polyline per segment; they are joined into one
    # polyline holding all 200 points of each curve.
    for colour in (CURVE_RED, CURVE_BLUE):
        group = next(g for g in root.iter() if (g.get("stroke") or "").lower() == colour)
        lines = [el for el in group.iter() if el.tag.endswith("polyline")]
        assert len(lines) == 1
        points = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
        assert len(points) == 200
        assert all(b[0] > a[0] for a, b in zip(points, points[1:], strict=False))


def test_dashboard_svg_has_both_views_with_unique_ids(decision_plot, curves_plot, tmp_path):
    root = _svg_root(ef.export_svg([decision_plot, curves_plot], tmp_path / "dash.svg"))
    assert float(root.get("width")) == pytest.approx(900, abs=2)
    assert {CURVE_RED, CURVE_BLUE} <= _strokes_with_paths(root)
    assert any(el.tag.endswith("image") for el in root.iter())  # the decision regions
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    referenced = re.findall(r"url\(#([^)]+)\)", ET.tostring(root, encoding="unicode"))
    assert referenced and set(referenced) <= set(ids)


def test_pdf_has_one_page_in_the_dashboard_aspect(decision_plot, curves_plot, tmp_path):
    path = ef.export_pdf([decision_plot, curves_plot], tmp_path / "dash.pdf", title="run")
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    box = [float(v) for v in re.search(rb"/MediaBox\s*\[([^\]]+)\]", data).group(1).split()]
    width, height = box[2] - box[0], box[3] - box[1]
    # 900 x (400 + title band) px at 96 dpi, in PDF points (1/72 in).
    assert width == pytest.approx(900 * 72 / 96, rel=0.01)
    assert height == pytest.approx((400 + ef.PDF_TITLE_HEIGHT) * 72 / 96, rel=0.01)
    assert len(data) > 5000  # the drawings are there, not an empty page


def test_exportable_finds_the_scene_inside_a_view_object(decision_plot):
    class View:  # a view class holding its pyqtgraph widget, as the app's views do
        graphics = decision_plot

    assert ef.exportable(View()) is decision_plot.scene()
    with pytest.raises(ExportError, match="no pyqtgraph scene"):
        ef.exportable(object())


def test_split_width_adds_up():
    assert sum(ef._split_width(1601, [3.0, 2.0, 1.0])) == 1601
    assert ef._split_width(1000, [1.0, 1.0]) == [500, 500]
    assert np.all(np.array(ef._split_width(100, [0.0, 0.0])) >= 0)
