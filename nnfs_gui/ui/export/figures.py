"""Pictures of the views: PNG and SVG through pyqtgraph's exporters, PDF through QPdfWriter.

A *target* is anything showing a pyqtgraph scene: a ``GraphicsView`` (such as a
``GraphicsLayoutWidget``), its scene, a graphics item, or a view object holding
one of those. Several targets side by side make the dashboard (decision regions
left, curves right), laid out in proportion to their widths on screen.

Pinned versions: PySide6 6.10.3 and pyqtgraph 0.14.0 need no workaround for the
PNG and SVG exporters (tested in tests/ui/test_export_figures.py); pyqtgraph's
SVG exporter is broken on Qt >= 6.11 (pyqtgraph #3495), which is why Qt is pinned.

Every picture is made in memory and checked (``QImage.save``'s result, the PDF
painter's ``end()``, the PDF's closing ``%%EOF``) before Python writes the bytes:
Qt's writers report a full disk only by returning False, Python raises, so a
failed write never leaves a truncated picture under the final name.
"""

from __future__ import annotations

import copy
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter, SVGExporter
from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QWidget

from nnfs_gui.core.formatting import NO_EPOCHS, count
from nnfs_gui.training.run.verdict import judge_history, short_verdict
from nnfs_gui.ui.export.formats import DEFAULT_WIDTH, ExportRequest, ExportSource
from nnfs_gui.ui.export.io import ExportError, naming, save_file

MIN_WIDTH, MAX_WIDTH = 64, 10_000
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
PDF_DPI = 96  # one PDF unit per screen pixel: lines and text keep their on-screen weight
PDF_TITLE_HEIGHT = 36  # px band above the views for the run's name

BACKGROUNDS: dict[str, QColor] = {
    "white": QColor(255, 255, 255, 255),
    "transparent": QColor(0, 0, 0, 0),
}

# Attribute names under which a view object may hold its pyqtgraph widget.
_VIEW_ATTRIBUTES = ("graphics", "layout_widget", "graphics_widget", "plot_widget", "widget",
                    "glw", "canvas")


# -- resolving what to export ---------------------------------------------------
def exportable(target: object) -> QGraphicsScene | QGraphicsItem:
    """The scene or graphics item that pyqtgraph's exporters accept for ``target``."""
    if isinstance(target, (QGraphicsScene, QGraphicsItem)):
        return target
    if isinstance(target, pg.GraphicsView):
        return target.scene()
    for name in _VIEW_ATTRIBUTES:
        inner = getattr(target, name, None)
        if inner is not None and inner is not target and not callable(inner):
            return exportable(inner)
    if isinstance(target, QWidget):
        views = target.findChildren(pg.GraphicsView)
        if len(views) == 1:
            return views[0].scene()
    raise ExportError(f"Cannot export {type(target).__name__}: it shows no pyqtgraph scene.")


def screen_size(target: object) -> tuple[float, float]:
    """(width, height) of the target as laid out on screen, in pixels."""
    item = exportable(target)
    if isinstance(item, QGraphicsScene):
        view = item.views()[0]
        return float(view.width()), float(view.height())
    rect = item.sceneBoundingRect()
    return rect.width(), rect.height()


def check_width(width: int) -> int:
    if not MIN_WIDTH <= int(width) <= MAX_WIDTH:
        raise ExportError(f"Image width {width} px is outside {MIN_WIDTH}..{MAX_WIDTH} px.")
    return int(width)


def _background(name: str) -> QColor:
    try:
        return QColor(BACKGROUNDS[name])
    except KeyError:
        raise ExportError(f"Unknown background {name!r}; choose "
                          f"{' or '.join(BACKGROUNDS)}.") from None


# -- PNG ----------------------------------------------------------------------------
def render_image(target: object, width: int, background: str = "white") -> QImage:
    """One target rendered by pyqtgraph's ImageExporter, ``width`` px wide (ARGB32)."""
    exporter = ImageExporter(exportable(target))
    params = exporter.parameters()
    params["width"] = check_width(width)  # the height follows the on-screen aspect ratio
    params["background"] = _background(background)
    image = exporter.export(toBytes=True)
    if image is None or image.isNull():
        raise ExportError("The view could not be rendered (it has no size yet).")
    return image


def render_side_by_side(targets: Sequence[object], width: int,
                        background: str = "white") -> QImage:
    """Targets rendered left to right into one ``width`` px image, widths as on screen."""
    check_width(width)
    widths = [screen_size(t)[0] for t in targets]
    parts = _split_width(width, widths)
    images = [render_image(t, w, background) for t, w in zip(targets, parts, strict=True)]
    if len(images) == 1:
        return images[0]
    return side_by_side(images, _background(background), QImage.Format.Format_ARGB32)


def side_by_side(images: Sequence[QImage], fill: QColor,
                 fmt: QImage.Format = QImage.Format.Format_ARGB32) -> QImage:
    """One image holding ``images`` left to right, top-aligned, on ``fill``."""
    canvas = QImage(sum(im.width() for im in images), max(im.height() for im in images), fmt)
    canvas.fill(fill)
    painter = QPainter(canvas)
    x = 0
    for im in images:
        painter.drawImage(x, 0, im)
        x += im.width()
    painter.end()
    return canvas


def _split_width(total: int, screen_widths: Sequence[float]) -> list[int]:
    """Integer widths in proportion to ``screen_widths`` that add up to ``total``."""
    whole = sum(screen_widths) or 1.0
    parts = [max(1, round(total * w / whole)) for w in screen_widths[:-1]]
    return [*parts, total - sum(parts)]


def image_to_png_bytes(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ExportError("The image could not be encoded as PNG.")
    return bytes(buffer.data())


def export_png(targets: Sequence[object], path: str | Path, width: int = DEFAULT_WIDTH,
               background: str = "white", description: str = "") -> Path:
    """Write the targets side by side as a PNG ``width`` px wide; returns the path.

    ``description`` (e.g. the run's config JSON) is stored in the PNG's text chunk.
    """
    with naming(path):
        image = render_side_by_side(targets, width, background)
        if description:
            image.setText("Description", description)
        data = image_to_png_bytes(image)
    return save_file(path, lambda p: p.write_bytes(data))


# -- SVG ----------------------------------------------------------------------------
def render_svg(target: object, background: str = "white") -> ET.Element:
    """One target as an SVG element tree from pyqtgraph's SVGExporter."""
    exporter = SVGExporter(exportable(target))
    exporter.parameters()["background"] = _background(background)
    data = exporter.export(toBytes=True)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise ExportError(f"pyqtgraph produced an unreadable SVG ({e}).") from None
    join_polylines(root)
    return root


def join_polylines(root: ET.Element) -> ET.Element:
    """Join chains of two-point polylines into one polyline per curve, in place.

    pyqtgraph 0.14 writes a curve as one ``<polyline>`` per segment; a
    10,000-epoch run then makes SVGs of several MB that editors open slowly.
    Consecutive siblings with the same attributes whose ends meet are merged,
    and coordinates are rounded to 1/1000 px: the drawing is unchanged.
    """
    for parent in root.iter():
        chain: list[ET.Element] = []
        for child in list(parent):
            if chain and _continues(chain[-1], child):
                chain[-1].set("points", chain[-1].get("points") + " " +
                              child.get("points").split(" ", 1)[1])
                parent.remove(child)
            elif child.tag.endswith("polyline") and child.get("points"):
                chain.append(child)
            else:
                chain = []
    for line in root.iter(f"{{{SVG_NS}}}polyline"):
        line.set("points", " ".join(_round_pair(p) for p in line.get("points", "").split()))
    return root


def _continues(previous: ET.Element, line: ET.Element) -> bool:
    if not line.tag.endswith("polyline") or " " not in (line.get("points") or "").strip():
        return False
    same_style = {k: v for k, v in previous.attrib.items() if k != "points"} == \
        {k: v for k, v in line.attrib.items() if k != "points"}
    return same_style and previous.get("points").split()[-1] == line.get("points").split()[0]


def _round_pair(pair: str) -> str:
    try:
        return ",".join(f"{float(v):.3f}".rstrip("0").rstrip(".") for v in pair.split(","))
    except ValueError:
        return pair


def _viewbox_size(root: ET.Element) -> tuple[float, float]:
    box = (root.get("viewBox") or root.get("viewBox ") or "0 0 0 0").split()
    return float(box[2]), float(box[3])


def svg_side_by_side(targets: Sequence[object], background: str = "white") -> ET.Element:
    """The targets' SVGs placed left to right in one document (sizes as on screen).

    Each part goes into a translated ``<g>`` (nested ``<svg>`` elements are not
    SVG Tiny, which Qt's own renderer reads) with its ids prefixed, because
    pyqtgraph numbers ids per export and the clip paths would collide.
    """
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    parts = [render_svg(t, background) for t in targets]
    sizes = [_viewbox_size(p) for p in parts]
    if len(parts) == 1:
        return parts[0]
    total_w, total_h = sum(w for w, _ in sizes), max(h for _, h in sizes)
    root = ET.Element(f"{{{SVG_NS}}}svg", {"version": "1.2", "baseProfile": "tiny",
                                          "width": f"{total_w:g}", "height": f"{total_h:g}",
                                          "viewBox": f"0 0 {total_w:g} {total_h:g}"})
    x = 0.0
    for i, (part, (w, h)) in enumerate(zip(parts, sizes, strict=True)):
        group = ET.SubElement(root, f"{{{SVG_NS}}}g", {"transform": f"translate({x:g},0)"})
        for child in part:
            if child.tag.endswith("}title") or child.tag.endswith("}desc"):
                continue
            if child.get("width") == "100%":  # the part's background, not the page's
                child = copy.deepcopy(child)
                child.set("width", f"{w:g}")
                child.set("height", f"{h:g}")
            group.append(_prefix_ids(copy.deepcopy(child), f"part{i}_"))
        x += w
    return root


_HREF = f"{{{XLINK_NS}}}href"


def _prefix_ids(element: ET.Element, prefix: str) -> ET.Element:
    """Prefix every id in ``element`` and every ``url(#id)`` / ``#id`` reference to it."""
    for node in element.iter():
        for key, value in node.attrib.items():
            if key == "id":
                node.set(key, prefix + value)
            elif key == _HREF and value.startswith("#"):
                node.set(key, "#" + prefix + value[1:])
            elif "url(#" in value:
                node.set(key, value.replace("url(#", "url(#" + prefix))
    return element


def export_svg(targets: Sequence[object], path: str | Path,
               background: str = "white") -> Path:
    """Write the targets side by side as one SVG document; returns the path."""
    with naming(path):
        root = svg_side_by_side(targets, background)
        data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return save_file(path, lambda p: p.write_bytes(data))


# -- PDF ----------------------------------------------------------------------------
def export_pdf(targets: Sequence[object], path: str | Path, title: str = "") -> Path:
    """Write the targets side by side on one vector PDF page, ``title`` above them."""
    with naming(path):
        data = render_pdf(targets, title)
    return save_file(path, lambda p: p.write_bytes(data))


def render_pdf(targets: Sequence[object], title: str = "") -> bytes:
    """The PDF document's bytes; ExportError when Qt's PDF writer did not finish."""
    sizes = [screen_size(t) for t in targets]
    top = PDF_TITLE_HEIGHT if title else 0
    page = (sum(w for w, _ in sizes), max(h for _, h in sizes) + top)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_DPI)
    writer.setPageSize(QPageSize(QSizeF(page[0] / PDF_DPI, page[1] / PDF_DPI),
                                 QPageSize.Unit.Inch, "nnfs-gui"))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    writer.setTitle(title or "nnfs-gui")
    writer.setCreator("nnfs-gui")
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError("The PDF writer could not start a page.")
    try:
        _paint_views(painter, targets, sizes, _paint_title(painter, title, page[0]))
    finally:
        finished = painter.end()  # writes the document's end; False when it could not
    data = bytes(buffer.data())
    if not finished or b"%%EOF" not in data[-64:]:
        raise ExportError("The PDF writer did not finish the document.")
    return data


def _paint_views(painter: QPainter, targets: Sequence[object],
                 sizes: Sequence[tuple[float, float]], top: float) -> None:
    x = 0.0
    for target, (w, h) in zip(targets, sizes, strict=True):
        _render_scene(painter, target, QRectF(x, top, w, h))
        x += w


def _paint_title(painter: QPainter, title: str, page_width: float) -> float:
    if not title:
        return 0.0
    font = QFont()
    font.setPixelSize(18)
    painter.setFont(font)
    painter.setPen(QColor(30, 30, 30))
    painter.drawText(QRectF(QPointF(12, 0), QSizeF(page_width - 24, PDF_TITLE_HEIGHT)),
                     Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, title)
    return float(PDF_TITLE_HEIGHT)


def _render_scene(painter: QPainter, target: object, rect: QRectF) -> None:
    """Paint one target's scene into ``rect`` as vectors, in pyqtgraph's export mode."""
    item = exportable(target)
    exporter = ImageExporter(item)  # borrowed for its source rect and export-mode switch
    exporter.setExportMode(True, {"antialias": True, "background": QColor(0, 0, 0, 0),
                                  "painter": painter, "resolutionScale": 1.0})
    try:
        exporter.getScene().render(painter, rect, exporter.getSourceRect())
    finally:
        exporter.setExportMode(False)


# -- the format table's writers (formats.py) ---------------------------------------
def _targets(source: ExportSource, view: str) -> Sequence[object]:
    if source.targets is None:
        raise ExportError("There are no views to draw here.")
    return source.targets(view)


def write_png(source: ExportSource, request: ExportRequest) -> Path:
    return export_png(_targets(source, request.view), request.path, request.width,
                      request.background, source.config.to_json())


def write_svg(source: ExportSource, request: ExportRequest) -> Path:
    return export_svg(_targets(source, request.view), request.path, request.background)


def write_pdf(source: ExportSource, request: ExportRequest) -> Path:
    """Always the dashboard: a page holds the regions beside the curves."""
    return export_pdf(_targets(source, "dashboard"), request.path,
                      run_title(source.config, source.history))


def run_title(config, history) -> str:
    """One line naming the run, its last epoch (the last history row, as history.csv
    and the window number it), its latest numbers and the verdict, for PDF pages."""
    last = history.last() or {}
    epoch = int(last["epoch"]) if "epoch" in last else None
    parts = [config.name, NO_EPOCHS if epoch is None else f"epoch {count(epoch)}"]
    for key, label in (("data_loss", "loss"), ("acc", "acc"), ("val_loss", "val loss"),
                       ("val_acc", "val acc")):
        if key in last and math.isfinite(last[key]):
            parts.append(f"{label} {last[key]:.3f}")
    if epoch is not None:
        parts.append(short_verdict(judge_history(history, config.classes)))
    return " | ".join(parts)
