"""What the map draws, item by item: the local metric projection, site symbols by kind (closed in
the scenario: grey with a red outline; planned: lighter), demand units sized by population and
coloured by their outcome in the last run. :mod:`desktop.mapcanvas` lays them out in the scene.
"""
from __future__ import annotations

import logging
import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsSimpleTextItem,
    QStyleOptionGraphicsItem,
)

from desktop.tables import OUTCOME_COLOURS

log = logging.getLogger(__name__)

R_EARTH = 6371008.8
KIND_ROLE = 0  # QGraphicsItem.data key: ("site" | "unit" | "hazard", id)
LAYER_ROLE = 1  # QGraphicsItem.data key: the layer the item belongs to (one of LAYERS)

#: the map's layers, bottom to top by default (the layer panel reorders all but the pinned ones)
LAYERS = ("tiles", "builtup", "water", "river", "building", "boundary", "service_areas",
          "roads_paths", "roads_local", "roads_secondary", "roads_major", "hazards", "demand", "isolated",
          "shelter", "reserve_point", "warehouse", "labels")
#: off until the user turns them on (online tiles: the map must work offline)
DEFAULT_HIDDEN = frozenset({"tiles"})
#: drawn with their symbols (children of the site items): a checkbox, no place in the order
PINNED = ("labels",)
#: buildings are drawn only from this scale on (pixels per metre; 0.25 = 4 m per pixel)
BUILDING_MIN_SCALE = 0.25

# the basemap's colours (each used for nothing else on the map)
WATER_FILL = QColor(170, 211, 223)
RIVER_PEN = QColor(110, 165, 200)
BUILTUP_FILL = QColor(234, 226, 216)
BUILDING_FILL = QColor(206, 196, 186)
BUILDING_PEN = QColor(176, 164, 152)
ISOLATED_PEN = QColor(25, 25, 25)     # the dashed ring of a unit cut off by road (as the PDF map)

# road classes → (group, width px, colour)
ROAD_GROUPS = (
    ("major", ("motorway", "trunk", "primary", "motorway_link", "trunk_link", "primary_link"),
     2.6, QColor(214, 120, 40)),
    ("secondary", ("secondary", "tertiary", "secondary_link", "tertiary_link"), 1.8, QColor(200, 170, 60)),
    ("local", ("residential", "unclassified", "living_street", "road", "service"), 1.0, QColor(150, 150, 150)),
    ("paths", ("track", "path", "footway", "steps", "pedestrian", "bridleway", "cycleway"), 0.7,
     QColor(175, 160, 140)),
)
KIND_COLOURS = {
    "warehouse": QColor(120, 40, 160),
    "reserve_point": QColor(30, 110, 200),
    "shelter": QColor(20, 140, 90),
}


class Projection:
    """Local equirectangular metric projection around the data's centre (display only)."""

    def __init__(self, lon0: float, lat0: float):
        self.lon0, self.lat0 = lon0, lat0
        self.kx = math.radians(1) * R_EARTH * math.cos(math.radians(lat0))
        self.ky = math.radians(1) * R_EARTH

    def xy(self, lon: float, lat: float) -> QPointF:
        return QPointF((lon - self.lon0) * self.kx, -(lat - self.lat0) * self.ky)

    def coords(self, c: np.ndarray) -> np.ndarray:
        """Many (lon, lat) rows at once → scene (x, y) rows (shapely.transform's function)."""
        return np.column_stack(((c[:, 0] - self.lon0) * self.kx, -(c[:, 1] - self.lat0) * self.ky))

    def lonlat(self, p: QPointF) -> tuple[float, float]:
        return self.lon0 + p.x() / self.kx, self.lat0 - p.y() / self.ky


def polyline_path(x: np.ndarray, y: np.ndarray, start: np.ndarray) -> QPainterPath:
    """One QPainterPath of many polylines from coordinate arrays (``start``: True where a line
    begins), read in one call from Qt's own serialised form instead of a moveTo/lineTo call per
    vertex (a city's road network has millions)."""
    path = QPainterPath()
    n = len(x)
    if n == 0:
        return path
    rec = np.empty(n, dtype=[("t", ">i4"), ("x", ">f8"), ("y", ">f8")])
    rec["t"] = np.where(start, 0, 1)          # QPainterPath::MoveToElement / LineToElement
    rec["x"] = x
    rec["y"] = y
    last_start = int(np.flatnonzero(start)[-1])
    data = np.array([n], ">i4").tobytes() + rec.tobytes() + np.array([last_start, 0], ">i4").tobytes()
    stream = QDataStream(QByteArray(data))
    stream >> path    # noqa: B015 - QDataStream's operator>> fills the path
    return path


class LinesItem(QGraphicsPathItem):
    """Many polylines (a road class) drawn at the detail the zoom needs.

    ``levels``: (tolerance in scene units, path) from the finest (0: the full geometry) to the
    coarsest; paint() takes the coarsest whose tolerance is at most half a pixel, so a zoomed-out
    county draws a few thousand vertices instead of every one (Andorra: 98 → 23 ms a paint) and a
    zoomed-in view the exact lines. The picture is cached per view (pans copy it). The item is not
    interactive: its shape is empty, so a click or a tooltip never strokes the whole network.

    A class of a city's size (more than :attr:`BACKGROUND` path elements in its finest level) is
    drawn into an image on a worker thread instead (QPainter on a QImage; Qt releases Python's lock
    while it draws): paint() shows the last image — scaled if the zoom changed since — and asks for
    a new one of the view and a margin round it when it no longer fits; :meth:`image_ready` puts it
    in place. The window never waits for the 0.5 s stroke of 250,000 edges."""

    BACKGROUND = 30_000
    _renders: ThreadPoolExecutor | None = None

    def __init__(self, levels: list[tuple[float, QPainterPath]]):
        super().__init__(levels[0][1])
        self.levels = levels
        r = levels[0][1].controlPointRect()
        # the pens are cosmetic (pixels): a margin of ~1 px at the zoom that shows it all, ≥ 1 m
        m = max(1.0, 0.004 * max(r.width(), r.height()))
        self._rect = r.adjusted(-m, -m, m, m) if not r.isNull() else QRectF()
        self.big = max((p.elementCount() for _t, p in levels), default=0) > self.BACKGROUND
        self.setCacheMode(QGraphicsItem.CacheMode.NoCache if self.big else
                          QGraphicsItem.CacheMode.DeviceCoordinateCache)
        if self.big:
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.image: QImage | None = None       # the last picture: (scale, scene rect) below
        self.image_scale = 0.0
        self.image_rect = QRectF()
        self._asked: tuple[float, QRectF] | None = None
        self.notify: Any = None                 # a QObject signal (emitted from the worker thread)

    def path_for(self, scene_units_per_px: float) -> QPainterPath:
        path = self.levels[0][1]
        for tol, p in self.levels:
            if tol <= 0.5 * scene_units_per_px:
                path = p
        return path

    def boundingRect(self) -> QRectF:   # noqa: N802 - Qt's name
        return self._rect

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())   # px per scene unit
        if not self.big or self.notify is None:
            painter.setPen(self.pen())
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self.path_for(1.0 / lod if lod > 0 else float("inf")))
            return
        if self.image is not None:
            painter.drawImage(self.image_rect, self.image)
        exposed = QRectF(option.exposedRect)
        fits = (self.image is not None and abs(self.image_scale - lod) <= 1e-9 * lod
                and self.image_rect.contains(exposed.intersected(self._rect)))
        if not fits:
            self.ask(lod, exposed, painter.device().devicePixelRatioF() if painter.device() else 1.0)

    def ask(self, lod: float, exposed: QRectF, dpr: float = 1.0) -> None:
        """Have the view (``exposed``, scene units, with as much again round it) drawn at ``lod``
        px per scene unit on the worker thread, unless the same is already asked."""
        if self._asked is not None and self._asked[0] == lod and self._asked[1].contains(exposed):
            return
        w, h = exposed.width(), exposed.height()
        want = exposed.adjusted(-w, -h, w, h).intersected(self._rect)
        if want.isEmpty():
            return
        self._asked = (lod, want)
        if LinesItem._renders is None:
            LinesItem._renders = ThreadPoolExecutor(max_workers=1, thread_name_prefix="esplan-roads")
        path, pen, notify = self.path_for(1.0 / lod), QPen(self.pen()), self.notify
        if lod < 0.1 and pen.widthF() > 1.0:
            # a city seen whole (over 10 m a pixel): its major roads 1 px wide — a wide antialiased
            # stroke of tens of thousands of segments takes Qt's rasteriser ~0.5 s, during which
            # the window's own painting waits for it
            pen.setWidthF(1.0)
        LinesItem._renders.submit(_render_lines, path, pen, lod, want, dpr, notify, self)

    def image_ready(self, lod: float, rect: QRectF, image: QImage) -> None:
        """A picture drawn on the worker thread arrives (GUI thread): keep it if it is the one
        asked last, and repaint."""
        if self._asked is None or self._asked[0] != lod or self._asked[1] != rect:
            return                              # the zoom moved on meanwhile: a newer one comes
        self.image, self.image_scale, self.image_rect = image, lod, rect
        self.update()


def _render_lines(path: QPainterPath, pen: QPen, lod: float, rect: QRectF, dpr: float, notify: Any,
                  item: LinesItem) -> None:
    """Draw ``path`` into an image of ``rect`` at ``lod`` px per unit (worker thread) and hand it
    to ``notify`` (a Signal(object) of a QObject of the GUI thread: a queued call)."""
    try:
        img = QImage(max(1, int(rect.width() * lod * dpr) + 1), max(1, int(rect.height() * lod * dpr) + 1),
                     QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        img.fill(Qt.GlobalColor.transparent)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(lod, lod)
        p.translate(-rect.left(), -rect.top())
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
        p.end()
        notify.emit((item, lod, rect, img))
    except Exception:  # noqa: BLE001 - a worker thread's failure would vanish with its future: logged
        log.warning("drawing a road layer in the background failed", exc_info=True)


def isolated_ring(radius: float) -> QPainterPath:
    p = QPainterPath()
    p.addEllipse(QPointF(0, 0), radius, radius)
    return p


def isolated_pen() -> QPen:
    pen = QPen(ISOLATED_PEN, 2.0, Qt.PenStyle.CustomDashLine)
    pen.setDashPattern([2.0, 1.5])
    return pen


class IsolatedMark(QGraphicsPathItem):
    """A dashed black ring around a demand unit that no supply source reaches by road in the run
    (the engine's ``isolated`` status; the printed plan's map draws the same ring)."""

    def __init__(self, unit: UnitItem, tooltip: str):
        r = unit.rect().width() / 2 + 4
        super().__init__(isolated_ring(r))
        self.unit_id = unit.row["id"]
        self.setPen(isolated_pen())
        self.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)   # clicks go to the unit beneath
        self.setToolTip(tooltip)
        self.setPos(unit.pos())


def symbol(kind: str, size: float) -> QPainterPath:
    p = QPainterPath()
    h = size / 2
    if kind == "warehouse":
        p.addRect(-h, -h, size, size)
    elif kind == "reserve_point":
        p.addPolygon(QPolygonF([QPointF(0, -h * 1.2), QPointF(h * 1.1, h * 0.8), QPointF(-h * 1.1, h * 0.8),
                                QPointF(0, -h * 1.2)]))
    else:
        p.addEllipse(QPointF(0, 0), h, h)
    return p


def site_state(row: dict[str, Any]) -> str:
    """How a site is drawn: "closed" (closed in the plan, or in the scenario as the engine
    reports it: ``row["_closed"]`` from ``closed_site_codes``), "planned" or "open"."""
    if row.get("status") == "closed" or row.get("_closed"):
        return "closed"
    return "planned" if row.get("status") == "planned" else "open"


class SiteItem(QGraphicsPathItem):
    def __init__(self, row: dict[str, Any]):
        kind = row["kind"]
        size = 13 if kind == "warehouse" else 11 if kind == "reserve_point" else 9
        super().__init__(symbol(kind, size))
        self.row = row
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setData(KIND_ROLE, ("site", row["id"]))
        self.setZValue(30 if kind != "shelter" else 25)
        self.setToolTip(f"{row['code']} {row['name']}")
        self.label = QGraphicsSimpleTextItem(row["name"], self)
        f = QFont()
        f.setPointSizeF(8.0)
        self.label.setFont(f)
        self.label.setBrush(QBrush(QColor(40, 40, 40)))
        self.label.setPos(size / 2 + 2, -size / 2 - 2)
        self.highlighted = False
        self.restyle()

    def restyle(self) -> None:
        colour = KIND_COLOURS.get(self.row["kind"], QColor(0, 0, 0))
        state = site_state(self.row)
        # closed (in the plan or by the scenario, the engine's rule): grey with a red outline;
        # planned: hollow, outlined in the kind's colour; built: filled
        fill = QColor(200, 200, 200) if state == "closed" else QColor(255, 255, 255) if state == "planned" else colour
        self.setBrush(QBrush(fill))
        if self.isSelected():
            pen = QPen(QColor(0, 120, 255), 3)
        elif self.highlighted:
            pen = QPen(QColor(255, 0, 200), 3)
        elif state == "closed":
            pen = QPen(QColor(180, 30, 30), 1.5)
        elif state == "planned":
            pen = QPen(colour, 2.0)
        else:
            pen = QPen(QColor(255, 255, 255), 1.5)
        self.setPen(pen)

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.restyle()
        return super().itemChange(change, value)


class UnitItem(QGraphicsEllipseItem):
    def __init__(self, row: dict[str, Any]):
        pop = row.get("population") or 0
        r = max(3.0, min(16.0, 1.2 * math.sqrt(pop) / 6))
        super().__init__(-r, -r, 2 * r, 2 * r)
        self.row = row
        self.outcome: str | None = None
        self.highlighted = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setData(KIND_ROLE, ("unit", row["id"]))
        self.setZValue(20)
        pop_txt = f"{pop:,}" if row.get("population") is not None else "?"
        self.setToolTip(f"{row['code']} {row['name']} · {pop_txt}")
        self.restyle()

    def restyle(self) -> None:
        c = QColor(OUTCOME_COLOURS.get(self.outcome or "", QColor(90, 120, 170)))
        c.setAlpha(190)
        self.setBrush(QBrush(c))
        if self.isSelected():
            self.setPen(QPen(QColor(0, 120, 255), 3))
        elif self.highlighted:
            self.setPen(QPen(QColor(255, 0, 200), 3))
        else:
            self.setPen(QPen(QColor(255, 255, 255), 1))

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.restyle()
        return super().itemChange(change, value)
