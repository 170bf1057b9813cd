"""PNG, SVG and PDF of pyqtgraph views: sizes, pixels, parsable vectors, one PDF page;
and of the app's own views: legible text, vector PDFs, spikes inside their frame."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from nnfs_gui.core.files.saving import ExportError
from nnfs_gui.ui.export import figures as ef
from nnfs_gui.ui.export.frames import FigureViews
from tests.ui.test_export_support import (
    CURVE_BLUE,
    CURVE_RED,
    REGION_COLOURS,
    colour_fraction,
    image_array,
    made_up_run,
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
    assert height == pytest.approx((400 + ef.title_layout("run", 900)[1]) * 72 / 96, rel=0.01)
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


# -- the app's own views, as every export draws them (frames.FigureViews) ---------------
@pytest.fixture
def figure(qapp):
    views = FigureViews()
    yield views
    views.close()


def _text_px(item) -> float:
    """The pixel size of the first character of a text item (pyqtgraph sets sizes in
    its HTML, in points at 96 dpi)."""
    from PySide6.QtGui import QTextCursor

    cursor = QTextCursor(item.document())
    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
    font = cursor.charFormat().font()
    return font.pointSizeF() * 96 / 72 if font.pointSizeF() > 0 else font.pixelSize()


def test_every_text_of_a_1600_px_dashboard_png_is_at_least_14_px(figure, tmp_path):
    from PySide6.QtWidgets import QGraphicsTextItem

    figure.still(made_up_run())
    targets = figure.targets("dashboard")
    scale = 1600 / sum(ef.screen_size(t)[0] for t in targets)
    texts = [(i.toPlainText(), _text_px(i) * scale) for t in targets
             for i in ef.exportable(t).items()
             if isinstance(i, QGraphicsTextItem) and i.isVisible() and i.toPlainText().strip()]
    assert {"class 0", "val. mistake", "training loss", "validation accuracy"} <= \
        {name.strip() for name, _ in texts}
    small = [(name, round(px, 1)) for name, px in texts if px < 14]
    assert not small, small
    # and drawn that large: the key's row is 1600 / layout width taller than on screen
    png = image_array(ef.export_png(targets, tmp_path / "d.png", 1600))
    key_rows = _dark_rows(png[int(png.shape[0] * 0.9):, : png.shape[1] // 3])
    on_screen = image_array(ef.export_png(targets, tmp_path / "s.png",
                                          round(1600 / scale)))
    screen_rows = _dark_rows(on_screen[int(on_screen.shape[0] * 0.9):, :on_screen.shape[1] // 3])
    assert key_rows >= 1.25 * screen_rows


def _dark_rows(rgba: np.ndarray) -> int:
    rows = np.where((rgba[..., :3].astype(int).sum(axis=2) < 400).any(axis=1))[0]
    return int(rows.max() - rows.min() + 1)


def test_the_dashboard_has_no_blank_band_and_ends_at_the_last_epoch(figure, tmp_path):
    picture = made_up_run(epochs=3410)
    figure.still(picture)
    decision, curves = figure.targets("dashboard")
    assert ef.screen_size(decision)[1] == ef.screen_size(curves)[1]
    x_lo, x_hi = figure.curves_view.loss_plot.viewRange()[0]
    assert x_lo <= 0 and 3409 <= x_hi <= 3409 * 1.03   # no live headroom to 4,500
    png = image_array(ef.export_png([decision, curves], tmp_path / "d.png", 1200))
    bottom_right = png[-png.shape[0] // 6:, png.shape[1] // 2:, :3]
    assert colour_fraction(bottom_right, (255, 255, 255), tolerance=2) < 0.97  # axis, text


def test_a_pdf_of_the_app_views_holds_the_regions_as_its_only_image(figure, tmp_path):
    figure.still(made_up_run())
    path = ef.export_pdf(figure.targets("dashboard"), tmp_path / "d.pdf", "made-up")
    data = path.read_bytes()
    images = re.findall(rb"/Subtype\s*/Image", data)
    assert len(images) == 1, f"{len(images)} images: axes or text painted as pictures"
    # the cache of the axes is back for the screen afterwards
    from PySide6.QtWidgets import QGraphicsItem

    axis = figure.curves_view.loss_plot.getAxis("left")
    assert axis.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache


def test_a_long_pdf_title_wraps_inside_its_page(qapp):
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QFontMetricsF

    title = ("ch11-overfit | epoch 3,410 | loss 0.166 | acc 0.947 | val loss 0.862 | "
             "val acc 0.823 | Overfitting since epoch 420") * 2
    for width in (600, 1100):
        font, height = ef.title_layout(title, width)
        rect = QFontMetricsF(font).boundingRect(QRectF(0, 0, width - 24, 1e6),
                                                int(Qt.TextFlag.TextWordWrap), title)
        assert rect.width() <= width - 24 and rect.height() <= height - 12
        assert font.pixelSize() >= ef.TITLE_MIN_PX


def test_an_svg_loss_spike_stays_inside_its_plot_in_cairo(figure, tmp_path):
    """pyqtgraph writes a 1e6 spike 1.8e8 px off the page; librsvg and CairoSVG (cairo's
    fixed-point coordinates) drew it wrapped round, below the loss plot."""
    import cairosvg
    from PIL import Image
    from PySide6.QtCore import QPointF

    figure.still(made_up_run(epochs=300, spike_at=150))
    path = ef.export_svg([figure.curves_view], tmp_path / "curves.svg")
    cairosvg.svg2png(url=str(path), write_to=str(tmp_path / "c.png"))
    rgb = np.asarray(Image.open(tmp_path / "c.png").convert("RGB")).astype(int)
    orange = rgb[..., 0] - rgb[..., 2] > 60   # the validation curve's hue, antialiased too
    inside = np.zeros_like(orange)
    for plot in (figure.curves_view.loss_plot, figure.curves_view.acc_plot):
        r = plot.getViewBox().sceneBoundingRect()
        inside[int(r.top()):int(r.bottom()) + 1, int(r.left()):int(r.right()) + 1] = True
    assert orange.sum() > 20 and not (orange & ~inside).any()
    box = figure.curves_view.loss_plot.getViewBox()
    r, x = box.sceneBoundingRect(), int(box.mapViewToScene(QPointF(150, 0)).x())
    top = orange[int(r.top()):int(r.top()) + 20, x - 2:x + 3]
    assert top.any()   # the spike runs up to the top of the loss plot
