"""Pictures of the views: PNG and SVG through pyqtgraph's exporters, PDF through QPdfWriter.

A *target* is anything showing a pyqtgraph scene: a ``GraphicsView`` (such as a
``GraphicsLayoutWidget``), its scene, a graphics item, or a view object holding
one of those. Several targets side by side make the dashboard (decision regions
left, curves right), laid out in proportion to their widths on screen. The targets
of an export are frames.FigureViews, drawn from the run at figure size. This module
registers the format table's png, svg and pdf writers (core/files/formats.py).

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
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter, SVGExporter
from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageSize,
    QPainter,
    QPdfWriter,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from nnfs_gui.core.files.formats import (
    DEFAULT_WIDTH,
    ExportRequest,
    ExportSource,
    register_writer,
)
from nnfs_gui.core.files.saving import ExportError, naming, save_file

MIN_WIDTH, MAX_WIDTH = 64, 10_000
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
PDF_DPI = 96  # one PDF unit per screen pixel: lines and text keep their on-screen weight
TITLE_LINES = 2        # a title wraps onto at most this many lines, its font shrinks
TITLE_MIN_PX = 9       # ...down to this size; a longer title takes more lines
# pyqtgraph writes coordinates as it computes them: a loss spike of 1e6 on an axis
# topped at 1.5 lies 1.8e8 px off the page. Renderers of SVG that follow the spec
# (librsvg, CairoSVG: cairo's fixed-point numbers end at +-8.4e6) then draw it wrapped
# round, outside the plot frame. Coordinates are clamped to this, far off any page.
SVG_COORD_LIMIT = 1e5

BACKGROUNDS: dict[str, QColor] = {
    "white": QColor(255, 255, 255, 255),
    "transparent": QColor(0, 0, 0, 0),
}

# -- resolving what to export ---------------------------------------------------
def exportable(target: object) -> QGraphicsScene:
    """The pyqtgraph scene ``target`` shows: a GraphicsView's, or that of the app's view
    objects, which hold theirs as ``graphics``."""
    view = getattr(target, "graphics", target)
    if isinstance(view, pg.GraphicsView):
        return view.scene()
    raise ExportError(f"Cannot export {type(target).__name__}: it shows no pyqtgraph scene.")


def screen_size(target: object) -> tuple[float, float]:
    """(width, height) of the target's scene as laid out on screen, in pixels."""
    view = exportable(target).views()[0]
    return float(view.width()), float(view.height())


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
    """One target drawn ``width`` px wide (ARGB32), the height following its shape.

    Drawn in pyqtgraph's export mode at a device pixel ratio of ``width`` / its width
    on screen, as a high-density screen would: every part grows alike. (A scale of the
    painter, as pyqtgraph's ImageExporter uses, leaves legends at screen size: pyqtgraph
    keeps them so. A 1600 px PNG of a 1,150 px layout had 10 px keys beside 17 px
    ticks.)"""
    w, h = screen_size(target)
    if w < 1 or h < 1:
        raise ExportError("The view could not be rendered (it has no size yet).")
    ratio = check_width(width) / w
    image = QImage(int(width), max(1, round(h * ratio)), QImage.Format.Format_ARGB32)
    image.fill(_background(background))
    image.setDevicePixelRatio(ratio)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    try:
        _render_scene(painter, target, QRectF(0, 0, w, h))
    finally:
        painter.end()
    image.setDevicePixelRatio(1.0)
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


def grab_side_by_side(targets: Sequence[object], width: int) -> QImage:
    """The targets' views as painted on screen (their caches and fast paths: 2.3x quicker
    than an exporter's render, measured on the dashboard), left to right, scaled to
    ``width`` px: an animation's frames."""
    shots = [exportable(t).views()[0].grab().toImage() for t in targets]
    canvas = side_by_side(shots, QColor("white"), QImage.Format.Format_RGB32)
    return canvas.scaledToWidth(int(width), Qt.TransformationMode.SmoothTransformation)


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
    prepare_for_paint([target])
    exporter = SVGExporter(exportable(target))
    exporter.parameters()["background"] = _background(background)
    data = exporter.export(toBytes=True)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise ExportError(f"pyqtgraph produced an unreadable SVG ({e}).") from None
    join_polylines(root)
    clamp_coordinates(root)
    return root


_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def clamp_coordinates(root: ET.Element) -> ET.Element:
    """Clamp every number of the paths' and polylines' geometry to +-SVG_COORD_LIMIT, in
    place. Only points far outside the clip region move; what is drawn is unchanged."""
    def clamp(match: re.Match) -> str:
        value = float(match.group())
        if abs(value) <= SVG_COORD_LIMIT:
            return match.group()
        return f"{SVG_COORD_LIMIT if value > 0 else -SVG_COORD_LIMIT:g}"

    for node in root.iter():
        for key in ("d", "points"):
            if node.get(key) and (node.tag.endswith("}path") or node.tag.endswith("}polyline")):
                node.set(key, _NUMBER.sub(clamp, node.get(key)))
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
    """The PDF document's bytes; ExportError when Qt's PDF writer did not finish.

    Axes, ticks, grid, text, points and curves are vectors; only the regions are an
    image."""
    sizes = [screen_size(t) for t in targets]
    width = sum(w for w, _ in sizes)
    head = title_layout(title, width) if title else None
    top = head[1] if head else 0.0
    page = (width, max(h for _, h in sizes) + top)
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
        if head:
            paint_title(painter, title, width, head)
        with uncached(targets):
            _paint_views(painter, targets, sizes, top)
    finally:
        finished = painter.end()  # writes the document's end; False when it could not
    data = bytes(buffer.data())
    if not finished or b"%%EOF" not in data[-64:]:
        raise ExportError("The PDF writer did not finish the document.")
    return data


@contextmanager
def uncached(targets: Sequence[object]) -> Iterator[None]:
    """Every item of the targets' scenes painted directly for the time of the block, not
    from a cached pixmap, which a PDF would hold as an image (pyqtgraph's axes cache
    theirs on screen: a page had 13 images, the tick labels among them)."""
    items = [i for t in targets for i in exportable(t).items()
             if i.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    modes = [i.cacheMode() for i in items]
    for item in items:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        yield
    finally:
        for item, mode in zip(items, modes, strict=True):
            item.setCacheMode(mode)


def prepare_for_paint(targets: Sequence[object]) -> None:
    """Bring the targets' views up to date as a paint would (pyqtgraph updates a view's
    transform from its range lazily, before painting): the SVG exporter reads the items
    without painting, and views that were never painted would be drawn at stale scales."""
    for target in targets:
        exportable(target).prepareForPaint()


def _paint_views(painter: QPainter, targets: Sequence[object],
                 sizes: Sequence[tuple[float, float]], top: float) -> None:
    x = 0.0
    for target, (w, h) in zip(targets, sizes, strict=True):
        _render_scene(painter, target, QRectF(x, top, w, h))
        x += w


# -- titles: a PDF page's head, an animation frame's -----------------------------------
def title_layout(title: str, width: float) -> tuple[QFont, float]:
    """(font, band height) for ``title`` across ``width`` px: the font is width / 60 px
    (12..24), smaller (down to TITLE_MIN_PX) if the title needs more than TITLE_LINES
    lines; the band holds at least TITLE_LINES lines, so the pictures of one run share
    one size, and all of the title, so it never runs off its page."""
    font = QFont()
    size = int(min(24, max(12, width / 60)))
    while True:
        font.setPixelSize(size)
        metrics = QFontMetricsF(font)
        lines = TITLE_LINES * metrics.lineSpacing()
        text = metrics.boundingRect(QRectF(0, 0, width - 24, 1e6),
                                    int(Qt.TextFlag.TextWordWrap), title).height()
        if text <= lines + 1 or size <= TITLE_MIN_PX:
            return font, max(lines, text) + 12
        size -= 1
def paint_title(painter: QPainter, title: str, width: float,
                layout: tuple[QFont, float] | None = None) -> float:
    """Paint ``title`` in a band at the top, wrapped to the width; returns its height."""
    font, height = layout or title_layout(title, width)
    painter.setFont(font)
    painter.setPen(QColor(30, 30, 30))
    painter.drawText(QRectF(QPointF(12, 6), QSizeF(width - 24, height - 12)),
                     int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
                         | Qt.TextFlag.TextWordWrap), title)
    return height


def with_title(image: QImage, title: str) -> QImage:
    """``image`` below a band with ``title`` (an animation frame's head), on white."""
    layout = title_layout(title, image.width())
    canvas = QImage(image.width(), image.height() + round(layout[1]),
                    QImage.Format.Format_RGB32)
    canvas.fill(QColor("white"))
    painter = QPainter(canvas)
    paint_title(painter, title, image.width(), layout)
    painter.drawImage(0, round(layout[1]), image)
    painter.end()
    return canvas


def _render_scene(painter: QPainter, target: object, rect: QRectF) -> None:
    """Paint one target's scene into ``rect`` as vectors, in pyqtgraph's export mode."""
    exporter = ImageExporter(exportable(target))  # for its source rect and export mode
    exporter.setExportMode(True, {"antialias": True, "background": QColor(0, 0, 0, 0),
                                  "painter": painter, "resolutionScale": 1.0})
    try:
        exporter.getScene().render(painter, rect, exporter.getSourceRect())
    finally:
        exporter.setExportMode(False)


# -- the format table's writers (core/files/formats.py) ---------------------------------
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
    return export_pdf(_targets(source, "dashboard"), request.path, source.title)


register_writer("png", write_png)
register_writer("svg", write_svg)
register_writer("pdf", write_pdf)
