"""The offline map canvas: QGraphicsView/QGraphicsScene in a local metric projection.

Layers (:data:`desktop.mapitems.LAYERS`, bottom to top by default): online XYZ tiles (off unless
turned on, :mod:`desktop.tiles`), the offline basemap from the OSM import (built-up areas, water,
rivers, buildings — these only when zoomed in), town and district boundaries, service areas, roads
(one QPainterPath item per road class — a few items, not thousands, so the Andorra network pans
and zooms smoothly with cosmetic pens), hazard zones, demand units (sized by population, coloured
by outcome), the dashed rings of units cut off by road in the run, sites (one layer per kind) and
their labels. Each item carries its layer (``LAYER_ROLE``); :meth:`MapCanvas.set_layer_visible`
and :meth:`MapCanvas.set_layer_order` (the layer panel, :mod:`desktop.layers`) show, hide and
restack whole layers. Symbols ignore the view transform, so they keep their pixel size.

Modes: ``select`` (click selects, drag pans, wheel zooms), ``draw`` (click vertices of a hazard
polygon, double-click or right-click to finish, Esc to cancel) and ``place`` (click picks a point
to place or move a site).
"""
from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import numpy as np
import shapely
from PySide6.QtCore import QObject, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
)

from desktop.mapitems import (
    BUILDING_FILL,
    BUILDING_MIN_SCALE,
    BUILDING_PEN,
    BUILTUP_FILL,
    DEFAULT_HIDDEN,
    KIND_COLOURS,
    KIND_ROLE,
    LAYER_ROLE,
    LAYERS,
    PINNED,
    RIVER_PEN,
    ROAD_GROUPS,
    WATER_FILL,
    IsolatedMark,
    LinesItem,
    Projection,
    SiteItem,
    UnitItem,
    isolated_pen,
    polyline_path,
    site_state,
    symbol,
)
from desktop.tables import OUTCOME_COLOURS, unit_outcome
from planner import registry
from planner.engine.results import typed

log = logging.getLogger(__name__)


class _RoadImages(QObject):
    """Pictures of big road classes drawn on a worker thread arrive here (a queued signal) and go
    to their items, unless the map was redrawn meanwhile."""

    ready = Signal(object)      # (LinesItem, px per unit, scene rect, QImage)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ready.connect(self._arrived)

    def _arrived(self, msg: Any) -> None:
        item, lod, rect, image = msg
        try:
            if item.scene() is not None:
                item.image_ready(lod, rect, image)
        except RuntimeError:    # the item went with a plan opened meanwhile
            log.debug("a road picture arrived for a map drawn again since")


#: one worker thread prepares what the map draws (desktop.mapcanvas.MapCanvas._prepare)
_PREPARE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="esplan-map")
WAIT = 0.01


class MapCanvas(QGraphicsView):
    siteSelected = Signal(int)            # 0 = none
    unitSelected = Signal(int)
    hazardDrawn = Signal(list)            # [(lon, lat), …]
    pointPicked = Signal(float, float)    # lon, lat
    cursorMoved = Signal(float, float)
    modeChanged = Signal(str)
    # right-click in select mode: ("site" | "unit" | "", id or 0, lon, lat, global position)
    contextRequested = Signal(str, int, float, float, QPoint)
    itemDoubleClicked = Signal(str, int)  # ("site" | "unit", id)
    viewChanged = Signal()                # panned, zoomed or resized (the tile layer follows)
    layersChanged = Signal()              # a layer shown, hidden or moved
    measured = Signal(float, object)      # measure mode: length m of the line, area m² of the closed ring (or None)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # scrolling copies pixels (fast panning); the legend, scale bar, north arrow and attribution
        # are drawn in view coordinates, so scrollContentsBy repaints where they are and where the
        # copy dragged them (they smeared across the map otherwise)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setBackgroundBrush(QBrush(QColor(246, 244, 238)))
        self.setMouseTracking(True)
        self.proj: Projection | None = None
        self.site_items: dict[int, SiteItem] = {}
        self.unit_items: dict[int, UnitItem] = {}
        self.hazard_items: list[QGraphicsPathItem] = []
        self.service_item: QGraphicsPathItem | None = None
        self.road_items: list[QGraphicsPathItem] = []
        self.mode = "select"
        self.draw_points: list[QPointF] = []
        self.draw_item: QGraphicsPathItem | None = None
        self._hover: QPointF | None = None
        self.show_legend = True
        self.layer_order: list[str] = list(LAYERS)                 # bottom to top
        self.layer_visible: dict[str, bool] = {k: k not in DEFAULT_HIDDEN for k in LAYERS}
        self.isolated_items: dict[int, IsolatedMark] = {}          # unit id → its ring
        self.basemap_counts: dict[str, int] = {}
        self.tile_attribution = ""                                 # set by the tile layer while shown
        self.tile_layer: Any = None                                # desktop.tiles.TileLayer, when made
        self._basemap_cache: Any = None                            # (key, counts, [(layer, path, …)])
        self.assignment_items: list[Any] = []   # lines from the selected unit to its shelters
        self.result_view: Any = None
        self.legend: dict[str, str] = {}
        self.unlocated_note = ""
        self.attribution = ""
        self._data_rect = QRectF()
        self.scene().selectionChanged.connect(self._on_selection)
        self._syncing = False
        self._no_menu = False              # the right click that finished a hazard zone opens no menu
        self.overlays: list[QRect] = []    # where drawForeground drew in view coordinates
        self._measure_done = False         # measure mode: the line is finished (double/right click)
        self.measure_area = True           # a finished measurement of ≥ 3 points is closed: area
        self.drawn = True                  # False while load_steps draws a plan
        self._road_images = _RoadImages(self)

    # -- loading ----------------------------------------------------------------------------
    def load(self, plan: Any) -> None:
        """Draw the plan (all at once; the window uses :meth:`load_steps` to keep its event loop
        turning while a plan opens)."""
        for step in self.load_steps(plan):
            if step:
                time.sleep(step)

    def load_steps(self, plan: Any) -> Iterator[float | None]:
        """Draw the plan in steps, each well under 100 ms on a county plan; the caller may let the
        event loop run between them. A step yields None, or :data:`WAIT` (seconds) while work runs
        off the GUI thread: look again after that long rather than at once."""
        sc = self.scene()
        self.drawn = False
        if self.tile_layer is not None:
            self.tile_layer.clear()     # its items go with the scene; its requests with the old projection
        sc.clear()
        self.site_items.clear()
        self.unit_items.clear()
        self.hazard_items = []
        self.service_item = None
        self.road_items = []
        self.draw_item = None
        self.draw_points = []
        self.rec_items = []
        self.assignment_items = []   # scene.clear() removed them
        self.isolated_items = {}
        self.result_view = None
        # what takes long on a city's network (reading and decoding the roads, projecting them,
        # their simplified pictures) is done off the GUI thread; the scene is filled here
        job = _PREPARE.submit(self._prepare, plan)
        while not job.done():
            yield WAIT
        prep = job.result()
        self.attribution = prep.attribution
        bounds, sites, units = prep.bounds, prep.sites, prep.units
        self.proj = proj = prep.proj
        # boundaries: the district's white paper under everything, the outlines a layer
        for b in sorted(bounds, key=lambda b: b.role != "district"):
            path = self._geom_path(b.geometry)
            if b.role == "district":
                paper = sc.addPath(path, QPen(Qt.PenStyle.NoPen), QBrush(QColor(255, 255, 255)))
                paper.setZValue(-1000)
            item = sc.addPath(path)
            if b.role == "district":
                pen = QPen(QColor(70, 70, 90), 2.2)
            else:
                pen = QPen(QColor(120, 120, 150), 1.0, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            item.setPen(pen)
            self._tag(item, "boundary", 0.5 if b.role == "district" else 0.0)
        self._load_basemap(plan)
        yield
        # roads: one path per class group (its levels of detail made by _prepare)
        for g, _hws, width, colour in reversed(ROAD_GROUPS):
            item = LinesItem(prep.road_levels[g])
            item.notify = self._road_images.ready        # a city's class is drawn off the GUI thread
            sc.addItem(item)
            pen = QPen(colour, width)
            pen.setCosmetic(True)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            item.setPen(pen)
            self._tag(item, f"roads_{g}")
            self.road_items.append(item)
        yield
        # demand units and sites
        for k, u in enumerate(units, 1):
            if u["lon"] is None or u["lat"] is None:
                continue
            it = UnitItem(u)
            it.setPos(proj.xy(u["lon"], u["lat"]))
            sc.addItem(it)
            self._tag(it, "demand")
            self.unit_items[u["id"]] = it
            if k % 500 == 0:
                yield
        for k, srow in enumerate(sites, 1):
            if srow["lon"] is None or srow["lat"] is None:
                continue
            it = SiteItem(srow)
            it.setPos(proj.xy(srow["lon"], srow["lat"]))
            sc.addItem(it)
            self._tag(it, srow["kind"])
            self.site_items[srow["id"]] = it
            if k % 500 == 0:
                yield
        n_unloc = sum(1 for u in units if u["lon"] is None or u["lat"] is None)
        p_unloc = sum(u["population"] or 0 for u in units if u["lon"] is None or u["lat"] is None)
        s_unloc = sum(1 for r in sites if r["lon"] is None or r["lat"] is None)
        self.unlocated = (n_unloc, p_unloc, s_unloc)
        # the data's extent (not the basemap of the buffer around it) from the paths and the
        # symbols' positions (the symbols' and labels' shapes cost 80 ms on Andorra)
        rect = QRectF()
        for it in sc.items():
            if it.data(LAYER_ROLE) in ("builtup", "water", "river", "building", "tiles"):
                continue
            if isinstance(it, QGraphicsPathItem) and not isinstance(it, SiteItem):
                rect = rect.united(it.path().boundingRect())
        for it in (*self.unit_items.values(), *self.site_items.values()):
            rect = rect.united(QRectF(it.pos(), it.pos()).adjusted(-1, -1, 1, 1))
        self._data_rect = rect if not rect.isEmpty() else sc.itemsBoundingRect()
        pad = max(self._data_rect.width(), self._data_rect.height(), 1000) * 0.05
        sc.setSceneRect(self._data_rect.adjusted(-pad * 4, -pad * 4, pad * 4, pad * 4))
        self._update_labels()
        self.drawn = True

    def _prepare(self, plan: Any) -> SimpleNamespace:
        """What the map draws, read and made ready without touching the scene (runs on a worker
        thread: registry reads, the projection, the roads' paths at every level of detail)."""
        info = registry.read(plan, "plan_info", ["attribution"])
        bounds = [SimpleNamespace(**b) for b in registry.read(plan, "boundary", ["role", "geometry"])]
        sites = registry.read(plan, "site", ["id", "code", "name", "kind", "status", "lon", "lat"])
        units = registry.read(plan, "demand_unit", ["id", "code", "name", "population", "lon", "lat", "town_code"])
        roads = registry.values(plan, "road_edge", "highway", "geometry", "u", "v")
        nodes = {}
        if roads and any(r[1] is None for r in roads):
            nodes = {r[0]: (r[1], r[2]) for r in registry.values(plan, "road_node", "id", "lon", "lat")}
        proj = self._projection(bounds, sites, units, roads, nodes)
        group_of = {hw: g for g, hws, _w, _c in ROAD_GROUPS for hw in hws}
        by_group: dict[str, list[Any]] = {g: [] for g, *_ in ROAD_GROUPS}
        for hw, geom, u, v in roads:
            if geom is None:
                if u not in nodes or v not in nodes:
                    continue
                geom = (nodes[u], nodes[v])
            by_group[group_of.get(hw, "local")].append(geom)
        return SimpleNamespace(
            attribution=(info[0]["attribution"] or "") if info else "", bounds=bounds, sites=sites, units=units,
            proj=proj, road_levels={g: self._lines_levels(by_group[g], proj) for g, *_ in ROAD_GROUPS})

    #: the simplification tolerances (metres) of the zoomed-out road pictures: about half a pixel
    #: from street level (1 m/px) to a whole prefecture (250 m/px)
    LOD_TOLERANCES = (2.0, 8.0, 32.0, 128.0)

    def _lines_levels(self, geoms: list[Any], p: Projection) -> list[tuple[float, QPainterPath]]:
        """The road class at full detail and simplified for zoomed-out views (shapely lines or
        ((lon, lat), (lon, lat)) pairs), in projection ``p``."""
        if not geoms:
            return [(0.0, QPainterPath())]
        lines = np.asarray([g if hasattr(g, "geom_type") else shapely.linestrings(g) for g in geoms], dtype=object)
        lines = shapely.transform(lines, p.coords)
        levels = [(0.0, self._projected_lines_path(lines))]
        for tol in self.LOD_TOLERANCES:
            # Douglas–Peucker on lines (no topology to keep: 10× quicker), each level from the
            # finer one
            lines = shapely.simplify(lines, tol, preserve_topology=False)
            levels.append((tol, self._projected_lines_path(lines)))
        return levels

    @staticmethod
    def _projected_lines_path(lines: np.ndarray) -> QPainterPath:
        coords, index = shapely.get_coordinates(lines, return_index=True)
        start = np.ones(len(index), dtype=bool)
        start[1:] = index[1:] != index[:-1]
        return polyline_path(coords[:, 0], coords[:, 1], start)

    def _projection(self, bounds, sites, units, roads, nodes) -> Projection:
        lons, lats = [], []
        for b in bounds:
            if b.role == "district":
                minx, miny, maxx, maxy = b.geometry.bounds
                lons += [minx, maxx]
                lats += [miny, maxy]
        if not lons:
            for r in sites + units:
                if r["lon"] is not None and r["lat"] is not None:
                    lons.append(r["lon"])
                    lats.append(r["lat"])
        if not lons:
            for _hw, geom, *_ in roads[:200]:
                if geom is not None:
                    x, y = geom.coords[0][:2]
                    lons.append(x)
                    lats.append(y)
        if not lons:
            return Projection(0.0, 0.0)
        return Projection((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2)

    def _geom_path(self, geom: Any) -> QPainterPath:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.OddEvenFill)
        polys = getattr(geom, "geoms", [geom])
        for poly in polys:
            rings = [poly.exterior, *poly.interiors] if hasattr(poly, "exterior") else [poly]
            for ring in rings:
                pts = [self.proj.xy(*c[:2]) for c in ring.coords]
                if pts:
                    path.addPolygon(QPolygonF(pts))
                    path.closeSubpath()
        return path

    def _geojson_path(self, g: dict[str, Any]) -> QPainterPath:
        path = QPainterPath()
        if not g:
            return path
        polys = g["coordinates"] if g.get("type") == "MultiPolygon" else [g.get("coordinates", [])]
        for poly in polys:
            for ring in poly:
                pts = [self.proj.xy(c[0], c[1]) for c in ring]
                if pts:
                    path.addPolygon(QPolygonF(pts))
                    path.closeSubpath()
        return path

    def set_hazards(self, zones: list[tuple[int, str, Any]]) -> None:
        """zones: (id, effect, shapely polygon)."""
        for it in self.hazard_items:
            self.scene().removeItem(it)
        self.hazard_items = []
        if self.proj is None:
            return
        for hid, effect, geom in zones:
            item = self.scene().addPath(self._geom_path(geom))
            colour = QColor(40, 110, 230) if effect == "block" else QColor(90, 160, 230)
            fill = QColor(colour)
            fill.setAlpha(70)
            item.setBrush(QBrush(fill))
            pen = QPen(colour, 2)
            pen.setCosmetic(True)
            item.setPen(pen)
            item.setData(KIND_ROLE, ("hazard", hid))
            self._tag(item, "hazards")
            self.hazard_items.append(item)

    def set_result(self, result: Any, closed_codes: set[str] = frozenset()) -> None:
        self.result_view = typed(result) if result is not None else None
        self.show_assignments(None)
        for it in self.unit_items.values():
            it.outcome = unit_outcome(it.row, self.result_view.unit(it.row["code"])) if self.result_view else None
            it.restyle()
        for it in self.site_items.values():
            it.row["_closed"] = it.row["code"] in closed_codes
            it.restyle()
        if self.service_item is not None:
            self.scene().removeItem(self.service_item)
            self.service_item = None
        if result is not None and self.proj is not None:
            path = QPainterPath()
            path.setFillRule(Qt.FillRule.WindingFill)
            for g in (result.coverage.get("service_areas") or {}).values():
                path.addPath(self._geojson_path(g))
            item = self.scene().addPath(path)
            item.setBrush(QBrush(QColor(60, 170, 90, 45)))
            pen = QPen(QColor(60, 150, 90, 120), 1)
            pen.setCosmetic(True)
            item.setPen(pen)
            self._tag(item, "service_areas")
            self.service_item = item
        self._mark_isolated()
        self.viewport().update()

    def _mark_isolated(self) -> None:
        """A dashed ring on every demand unit the run finds cut off by road (status ``isolated``:
        no open supply source reaches it), as the printed plan's map draws them."""
        for it in self.isolated_items.values():
            self.scene().removeItem(it)
        self.isolated_items = {}
        if self.result_view is None:
            return
        codes = {u.code for u in self.result_view.isolation if u.status == "isolated"}
        tip = self.legend.get("isolated", "isolated")
        for pk, unit in self.unit_items.items():
            if unit.row["code"] in codes:
                mark = IsolatedMark(unit, f"{unit.row['code']} {unit.row['name']}: {tip}")
                self.scene().addItem(mark)
                self._tag(mark, "isolated")
                self.isolated_items[pk] = mark

    def set_recommendations(self, points: list[tuple[float, float, str]]) -> None:
        """Recommended new sites: gold stars with labels."""
        for it in getattr(self, "rec_items", []):
            self.scene().removeItem(it)
        self.rec_items = []
        if self.proj is None:
            return
        star = QPainterPath()
        pts = []
        for k in range(10):
            r = 9 if k % 2 == 0 else 4
            a = math.pi / 2 + k * math.pi / 5
            pts.append(QPointF(r * math.cos(a), -r * math.sin(a)))
        star.addPolygon(QPolygonF(pts + [pts[0]]))
        for lon, lat, label in points:
            it = QGraphicsPathItem(star)
            it.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            it.setBrush(QBrush(QColor(245, 180, 20)))
            it.setPen(QPen(QColor(120, 70, 0), 1))
            it.setZValue(10.0 * (len(LAYERS) + 2))   # over every layer
            it.setToolTip(label)
            it.setPos(self.proj.xy(lon, lat))
            self.scene().addItem(it)
            self.rec_items.append(it)

    def set_site_row(self, row: dict[str, Any]) -> None:
        """Add, move or restyle one site after an edit."""
        it = self.site_items.get(row["id"])
        located = row.get("lon") is not None and row.get("lat") is not None
        if it is not None and not located:
            self.scene().removeItem(it)
            del self.site_items[row["id"]]
            return
        if it is None:
            if not located or self.proj is None:
                return
            it = SiteItem(dict(row))
            self.scene().addItem(it)
            self.site_items[row["id"]] = it
        it.row.update({k: row[k] for k in ("code", "name", "kind", "status", "lon", "lat") if k in row})
        it.label.setText(it.row["name"])
        it.setPos(self.proj.xy(row["lon"], row["lat"]))
        self._tag(it, it.row["kind"])
        it.restyle()
        self._update_labels()

    def remove_site(self, pk: int) -> None:
        it = self.site_items.pop(pk, None)
        if it is not None:
            self.scene().removeItem(it)

    # -- view -------------------------------------------------------------------------------
    def fit(self) -> None:
        if not self._data_rect.isEmpty():
            self.fitInView(self._data_rect, Qt.AspectRatioMode.KeepAspectRatio)
        self._update_labels()
        self.viewChanged.emit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.viewChanged.emit()

    def zoom(self, factor: float) -> None:
        cur = self.transform().m11()
        if (factor > 1 and cur > 50) or (factor < 1 and cur < 1e-4):
            return
        self.scale(factor, factor)
        self._update_labels()
        self.viewChanged.emit()

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(1.25 ** steps)
        event.accept()

    def _update_labels(self) -> None:
        """What depends on the zoom: shelter labels (from 0.06 px/m), where labels go so that none
        overprints another, and buildings."""
        scale = self.transform().m11()
        on = self.layer_visible.get("labels", True)
        want = [it for it in self.site_items.values()
                if on and it.isVisible() and (it.row["kind"] != "shelter" or scale > 0.06)]
        for it in self.site_items.values():
            it.label.setVisible(False)
        self._place_labels(want)
        for it in self.layer_items("building"):
            it.setVisible(self._shown("building"))

    #: label places round a symbol, in order of preference: right (as before), left, above, below
    _LABEL_SPOTS = ("right", "right_low", "left", "left_low", "above", "below")

    def _place_labels(self, items: list[SiteItem]) -> None:
        """Greedy placement in view pixels (the symbols and labels keep their pixel size, so a
        placement holds while the map pans): warehouses first, then reserve points, then shelters;
        each label takes the first spot round its symbol that overlaps no label placed and no other
        symbol, or is left out (its site's tooltip and the identify panel still name it)."""
        order = {"warehouse": 0, "reserve_point": 1, "shelter": 2}
        items = sorted(items, key=lambda it: (order.get(it.row["kind"], 3), str(it.row.get("code") or "")))
        cell = 64.0
        labels: dict[tuple[int, int], list[QRectF]] = {}    # placed labels: never overprinted
        symbols: dict[tuple[int, int], list[QRectF]] = {}   # site symbols: avoided where possible

        def cells(r: QRectF):
            for gx in range(int(r.left() // cell), int(r.right() // cell) + 1):
                for gy in range(int(r.top() // cell), int(r.bottom() // cell) + 1):
                    yield gx, gy

        def free(r: QRectF, grid: dict[tuple[int, int], list[QRectF]]) -> bool:
            return not any(r.intersects(o) for c in cells(r) for o in grid.get(c, ()))

        def take(r: QRectF, grid: dict[tuple[int, int], list[QRectF]]) -> None:
            for c in cells(r):
                grid.setdefault(c, []).append(r)

        view = QRectF(self.viewport().rect())
        for r in self.overlays:               # the legend, scale bar, north arrow as last drawn
            take(QRectF(r), symbols)
        centres = {id(it): self.mapFromScene(it.pos()) for it in self.site_items.values() if it.isVisible()}
        for it in self.site_items.values():
            if id(it) in centres:
                p = QPointF(centres[id(it)])
                h = it.path().boundingRect().width() / 2 + 1
                take(QRectF(p.x() - h, p.y() - h, 2 * h, 2 * h), symbols)
        for it in items:
            c = centres.get(id(it))
            if c is None:
                continue
            lab = it.label
            br = lab.boundingRect()
            w, hgt = br.width(), br.height()
            h = it.path().boundingRect().width() / 2
            spots = {"right": (h + 2, -h - 2), "right_low": (h + 2, 2 - hgt / 2),
                     "left": (-h - 2 - w, -h - 2), "left_low": (-h - 2 - w, 2 - hgt / 2),
                     "above": (-w / 2, -h - 1 - hgt), "below": (-w / 2, h + 1)}
            rects = [(spots[n], QRectF(c.x() + spots[n][0], c.y() + spots[n][1], w, hgt)) for n in self._LABEL_SPOTS]
            # clear of labels and symbols inside the map's window; then clear of labels inside it
            # (over a symbol rather than cut by the edge); then clear of both anywhere
            tiers = ([sr for sr in rects if view.contains(sr[1]) and free(sr[1], symbols)],
                     [sr for sr in rects if view.contains(sr[1])],
                     [sr for sr in rects if free(sr[1], symbols)])
            chosen = next(((dx, dy), r) for tier in tiers for (dx, dy), r in tier if free(r, labels)) \
                if any(free(r, labels) for tier in tiers for _d, r in tier) else None
            if chosen is not None:
                (dx, dy), r = chosen
                take(r, labels)
                lab.setPos(dx, dy)
                lab.setVisible(True)

    # -- layers -------------------------------------------------------------------------------
    @property
    def show_labels(self) -> bool:
        return self.layer_visible.get("labels", True)

    @property
    def show_service_areas(self) -> bool:
        return self.layer_visible.get("service_areas", True)

    def _z(self, layer: str) -> float:
        try:
            return 10.0 * (self.layer_order.index(layer) + 1)
        except ValueError:
            return 10.0 * (len(self.layer_order) + 1)

    def _shown(self, layer: str) -> bool:
        on = self.layer_visible.get(layer, True)
        if layer == "building":
            on = on and self.transform().m11() >= BUILDING_MIN_SCALE
        return on

    def _tag(self, item: QGraphicsItem, layer: str, dz: float = 0.0) -> None:
        """Put ``item`` on ``layer``: its z from the layer's place (+ ``dz`` within the layer)
        and shown as the layer is."""
        item.setData(LAYER_ROLE, layer)
        item.setData(LAYER_ROLE + 1, dz)
        item.setZValue(self._z(layer) + dz)
        item.setVisible(self._shown(layer))

    def layer_items(self, layer: str) -> list[QGraphicsItem]:
        """The scene's items on ``layer`` (site labels are their sites' children: ``labels`` has none)."""
        return [it for it in self.scene().items() if it.data(LAYER_ROLE) == layer]

    def set_layer_visible(self, layer: str, on: bool) -> None:
        if layer not in self.layer_visible:
            raise ValueError(f"unknown map layer {layer!r}")
        if self.layer_visible[layer] == on:
            return
        self.layer_visible[layer] = on
        if layer == "labels":
            self._update_labels()
        for it in self.layer_items(layer):
            it.setVisible(self._shown(layer))
        self.layersChanged.emit()
        self.viewport().update()

    def set_layer_order(self, order: list[str]) -> None:
        """Restack the layers: ``order`` bottom to top (unknown names are ignored, missing ones
        keep their place at the end; the pinned labels stay on top)."""
        new = [k for k in order if k in LAYERS and k not in PINNED]
        new += [k for k in LAYERS if k not in new and k not in PINNED]
        new += list(PINNED)
        if new == self.layer_order:
            return
        self.layer_order = new
        for it in self.scene().items():
            layer = it.data(LAYER_ROLE)
            if layer:
                it.setZValue(self._z(layer) + float(it.data(LAYER_ROLE + 1) or 0.0))
        self.layersChanged.emit()
        self.viewport().update()

    def set_show_labels(self, on: bool) -> None:
        self.set_layer_visible("labels", on)

    def set_show_service_areas(self, on: bool) -> None:
        self.set_layer_visible("service_areas", on)

    # -- the offline basemap ------------------------------------------------------------------
    def _load_basemap(self, plan: Any) -> None:
        """Built-up areas, water, rivers and buildings from the plan's OSM import: one path item
        per kind (buildings: one per 500 m cell, so only the cells in view are painted). The
        paths are kept while the plan, its basemap and the projection stay the same (an edit
        reloads the map without rebuilding them)."""
        from planner.io.basemap import basemap_geometries, basemap_stamp

        key = (getattr(plan, "url", id(plan)), basemap_stamp(plan), self.proj.lon0, self.proj.lat0)
        if self._basemap_cache is None or self._basemap_cache[0] != key:
            self._basemap_cache = (key, *self._basemap_paths(basemap_geometries(plan)))
        _key, counts, layers = self._basemap_cache
        self.basemap_counts = dict(counts)
        sc = self.scene()
        for layer, path, pen, brush, dz in layers:
            if isinstance(path, _LazyPolygons):
                item = _LazyPolygonsItem(path, pen, brush)
                sc.addItem(item)
            else:
                item = sc.addPath(path, pen, brush)
            self._tag(item, layer, dz)

    def _xy(self, coords: np.ndarray) -> tuple[list[float], list[float]]:
        xy = self.proj.coords(coords)
        return xy[:, 0].tolist(), xy[:, 1].tolist()

    def _polygons_path(self, geoms: np.ndarray) -> QPainterPath:
        """All rings of the (multi)polygons in ``geoms`` as one odd-even path (vectorised)."""
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.OddEvenFill)
        parts = shapely.get_parts(geoms)
        parts = parts[shapely.get_type_id(parts) == 3]          # polygons
        if not len(parts):
            return path
        coords, ring = shapely.get_coordinates(shapely.get_rings(parts), return_index=True)
        xs, ys = self._xy(coords)
        cuts = [0, *(np.flatnonzero(np.diff(ring)) + 1).tolist(), len(xs)]
        for a, b in zip(cuts[:-1], cuts[1:], strict=False):
            path.addPolygon(QPolygonF([QPointF(x, y) for x, y in zip(xs[a:b], ys[a:b], strict=True)]))
            path.closeSubpath()
        return path

    def _lines_path(self, geoms: np.ndarray) -> QPainterPath:
        path = QPainterPath()
        parts = shapely.get_parts(geoms)
        parts = parts[shapely.get_type_id(parts) == 1]          # linestrings
        if not len(parts):
            return path
        parts = parts[shapely.get_num_coordinates(parts) >= 2]
        return self._projected_lines_path(shapely.transform(parts, self.proj.coords)) if len(parts) else path

    def _basemap_paths(self, feats: dict[str, tuple[list[str | None], np.ndarray]]
                       ) -> tuple[dict[str, int], list[tuple[str, Any, QPen, QBrush, float]]]:
        counts = {k: len(g) for k, (_s, g) in feats.items()}
        out: list[tuple[str, Any, QPen, QBrush, float]] = []
        no_pen, no_brush = QPen(Qt.PenStyle.NoPen), QBrush(Qt.BrushStyle.NoBrush)
        for kind, fill in (("builtup", BUILTUP_FILL), ("water", WATER_FILL)):
            geoms = feats.get(kind, ([], np.array([], object)))[1]
            if len(geoms):
                # overlapping polygons (a riverbank over a lake) would cut holes with odd-even filling
                merged = shapely.union_all(geoms)
                out.append((kind, self._polygons_path(np.array([merged], dtype=object)), no_pen, QBrush(fill), 0.0))
        subs, rivers = feats.get("river", ([], np.array([], object)))
        if len(rivers):
            wide = np.array([s in ("river", "canal") for s in subs])
            for sel, width, dz in ((~wide, 1.0, 0.0), (wide, 2.2, 0.5)):
                if sel.any():
                    pen = QPen(RIVER_PEN, width)
                    pen.setCosmetic(True)
                    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
                    out.append(("river", self._lines_path(rivers[sel]), pen, no_brush, dz))
        buildings = feats.get("building", ([], np.array([], object)))[1]
        if len(buildings):
            # one item per 500 m cell, its path built when first painted (zoomed in), not at load
            b = shapely.bounds(buildings)
            x0, y0 = self._xy(b[:, [0, 3]])        # north-west corners …
            x1, y1 = self._xy(b[:, [2, 1]])        # … and south-east corners on the map
            cx = np.floor((np.array(x0) + np.array(x1)) / 1000).astype(np.int64)
            cy = np.floor((np.array(y0) + np.array(y1)) / 1000).astype(np.int64)
            order = np.lexsort((cy, cx))
            key = cx[order] * 1_000_003 + cy[order]
            cuts = [0, *(np.flatnonzero(np.diff(key)) + 1).tolist(), len(order)]
            ax0, ay0, ax1, ay1 = np.array(x0), np.array(y0), np.array(x1), np.array(y1)
            pen = QPen(BUILDING_PEN, 0.6)
            pen.setCosmetic(True)
            for a, z in zip(cuts[:-1], cuts[1:], strict=False):
                idx = order[a:z]
                rect = QRectF(QPointF(float(ax0[idx].min()), float(ay0[idx].min())),
                              QPointF(float(ax1[idx].max()), float(ay1[idx].max())))
                out.append(("building", _LazyPolygons(self, buildings[idx], rect), pen, QBrush(BUILDING_FILL), 0.0))
        return counts, out

    # -- selection & highlight ----------------------------------------------------------------
    def _on_selection(self) -> None:
        if self._syncing:
            return
        sel = self.scene().selectedItems()
        kinds = [it.data(KIND_ROLE) for it in sel if it.data(KIND_ROLE)]
        site = next((k[1] for k in kinds if k[0] == "site"), 0)
        unit = next((k[1] for k in kinds if k[0] == "unit"), 0)
        self.show_assignments(unit or None)
        if site:
            self.siteSelected.emit(site)
        elif unit:
            self.unitSelected.emit(unit)

    def select_site(self, pk: int, center: bool = True) -> None:
        self._select(self.site_items.get(pk), center)

    def select_unit(self, pk: int, center: bool = True) -> None:
        self._select(self.unit_items.get(pk), center)
        self.show_assignments(pk)

    def show_assignments(self, unit_pk: int | None) -> None:
        """Lines from a demand unit to the shelters the last run sent its people to (width by
        people), or none."""
        for it in self.assignment_items:
            self.scene().removeItem(it)
        self.assignment_items = []
        unit_item = self.unit_items.get(unit_pk) if unit_pk else None
        if unit_item is None or self.result_view is None:
            return
        u = self.result_view.unit(unit_item.row["code"])
        if u is None:
            return
        by_code = {it.row["code"]: it for it in self.site_items.values()}
        top = max((a.people for a in u.assignments), default=0.0) or 1.0
        for a in u.assignments:
            target = by_code.get(a.shelter)
            if target is None:
                continue
            pen = QPen(QColor(30, 90, 200, 200), 1.0 + 3.0 * a.people / top)
            pen.setCosmetic(True)
            line = self.scene().addLine(unit_item.pos().x(), unit_item.pos().y(), target.pos().x(),
                                        target.pos().y(), pen)
            line.setZValue(self._z("demand") + 5)
            line.setToolTip(f"{a.shelter}: {a.people:,.0f}")
            self.assignment_items.append(line)

    def _select(self, item: QGraphicsItem | None, center: bool) -> None:
        self._syncing = True
        try:
            self.scene().clearSelection()
            if item is not None:
                item.setSelected(True)
                if center and not self.viewport().rect().contains(self.mapFromScene(item.pos())):
                    self.centerOn(item)
        finally:
            self._syncing = False

    def set_highlight(self, site_ids: set[int], unit_ids: set[int]) -> None:
        for pk, it in self.site_items.items():
            it.highlighted = pk in site_ids
            it.restyle()
        for pk, it in self.unit_items.items():
            it.highlighted = pk in unit_ids
            it.restyle()
        items = [self.site_items[p] for p in site_ids if p in self.site_items] + \
                [self.unit_items[p] for p in unit_ids if p in self.unit_items]
        if items:
            # the bounds of the points themselves (QRectF.united ignores empty rects, so uniting
            # zero-size point rects would keep only the first point)
            xs = [it.pos().x() for it in items]
            ys = [it.pos().y() for it in items]
            rect = QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
            if not all(self.viewport().rect().contains(self.mapFromScene(it.pos())) for it in items):
                pad = max(rect.width(), rect.height(), 500) * 0.15
                self.fitInView(rect.adjusted(-pad, -pad, pad, pad), Qt.AspectRatioMode.KeepAspectRatio)
                self._update_labels()

    def zoom_to_selection(self) -> bool:
        """Fit the view to what is selected, else to what is highlighted (a check's places);
        False when there is neither."""
        items = [it for it in self.scene().selectedItems() if isinstance(it, (SiteItem, UnitItem))]
        if not items:
            items = [it for it in (*self.site_items.values(), *self.unit_items.values()) if it.highlighted]
        if not items:
            return False
        xs = [it.pos().x() for it in items]
        ys = [it.pos().y() for it in items]
        rect = QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        pad = max(rect.width(), rect.height(), 500) * 0.15       # a lone point: 75 m round it
        self.fitInView(rect.adjusted(-pad, -pad, pad, pad), Qt.AspectRatioMode.KeepAspectRatio)
        self._update_labels()
        self.viewChanged.emit()
        return True

    # -- modes --------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self._cancel_draw()
        self.mode = mode
        if mode == "select":
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
            self.viewport().unsetCursor()
        else:
            self.setDragMode(QGraphicsView.DragMode.NoDrag)
            self.viewport().setCursor(Qt.CursorShape.CrossCursor)
        self.modeChanged.emit(mode)

    def _cancel_draw(self) -> None:
        self.draw_points = []
        self._hover = None
        self._measure_done = False
        if self.draw_item is not None:
            self.scene().removeItem(self.draw_item)
            self.draw_item = None

    def _redraw_sketch(self) -> None:
        if self.draw_item is None:
            self.draw_item = self.scene().addPath(QPainterPath())
            pen = QPen(QColor(20, 90, 220), 2, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            self.draw_item.setPen(pen)
            self.draw_item.setBrush(QBrush(QColor(40, 110, 230, 50)))
            self.draw_item.setZValue(10.0 * (len(LAYERS) + 3))
        pts = list(self.draw_points) + ([self._hover] if self._hover is not None else [])
        path = QPainterPath()
        if pts:
            path.addPolygon(QPolygonF(pts))
        self.draw_item.setPath(path)

    # -- measuring (the map's projection is metric: scene units are metres) -----------------------
    @staticmethod
    def measure(points: list[QPointF], closed: bool) -> tuple[float, float | None]:
        """Length (m) of the line through ``points`` (open: the distance walked along it) and,
        when ``closed`` with ≥ 3 points, the area (m²) of the polygon they enclose, else None."""
        length = sum(math.hypot(b.x() - a.x(), b.y() - a.y()) for a, b in zip(points, points[1:], strict=False))
        if not closed or len(points) < 3:
            return length, None
        area = 0.5 * abs(sum(a.x() * b.y() - b.x() * a.y()
                             for a, b in zip(points, points[1:] + points[:1], strict=True)))
        return length, area

    def _redraw_measure(self) -> None:
        if self.draw_item is None:
            self.draw_item = self.scene().addPath(QPainterPath())
            pen = QPen(QColor(200, 40, 120), 2)
            pen.setCosmetic(True)
            self.draw_item.setPen(pen)
            self.draw_item.setBrush(QBrush(QColor(200, 40, 120, 35)))
            self.draw_item.setZValue(10.0 * (len(LAYERS) + 3))
        pts = list(self.draw_points)
        if self._hover is not None and not self._measure_done:
            pts.append(self._hover)
        closed = self._measure_done and len(pts) >= 3 and self.measure_area
        path = QPainterPath()
        if pts:
            path.addPolygon(QPolygonF(pts))
            if closed:
                path.closeSubpath()
        self.draw_item.setBrush(QBrush(QColor(200, 40, 120, 35)) if closed else QBrush(Qt.BrushStyle.NoBrush))
        self.draw_item.setPath(path)
        length, area = self.measure(pts, closed)
        self.measured.emit(length, area)

    def _finish_draw(self) -> None:
        pts = self.draw_points
        if len(pts) >= 3 and self.proj is not None:
            lonlat = [self.proj.lonlat(p) for p in pts]
            self._cancel_draw()
            self.set_mode("select")
            self.hazardDrawn.emit(lonlat)
        else:
            self._cancel_draw()

    def mousePressEvent(self, event) -> None:
        if self.mode == "measure":
            p = self.mapToScene(event.position().toPoint())
            if event.button() == Qt.MouseButton.LeftButton:
                if self._measure_done:          # a finished measurement: a click starts a new one
                    self._cancel_draw()
                    self._measure_done = False
                if not self.draw_points or (self.draw_points[-1] - p).manhattanLength() > 1e-9:
                    self.draw_points.append(p)
                self._redraw_measure()
            elif event.button() == Qt.MouseButton.RightButton:
                self._no_menu = True
                self._measure_done = True
                self._redraw_measure()
            event.accept()
            return
        if self.mode == "draw":
            p = self.mapToScene(event.position().toPoint())
            if event.button() == Qt.MouseButton.LeftButton:
                if not self.draw_points or (self.draw_points[-1] - p).manhattanLength() > 1e-9:
                    self.draw_points.append(p)
                self._redraw_sketch()
            elif event.button() == Qt.MouseButton.RightButton:
                self._no_menu = True
                self._finish_draw()
            event.accept()
            return
        if self.mode == "place" and event.button() == Qt.MouseButton.LeftButton and self.proj is not None:
            lon, lat = self.proj.lonlat(self.mapToScene(event.position().toPoint()))
            self.set_mode("select")
            self.pointPicked.emit(lon, lat)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        if self.mode == "measure":
            self._measure_done = True
            self._redraw_measure()
            event.accept()
            return
        if self.mode == "draw":
            self._finish_draw()
            event.accept()
            return
        hit = self.item_at(event.position().toPoint()) if self.mode == "select" else None
        if hit is not None:
            self.itemDoubleClicked.emit(*hit)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def item_at(self, pos: QPoint) -> tuple[str, int] | None:
        """The site or demand unit drawn at viewport position ``pos`` (its label counts), if any."""
        for it in self.items(pos):
            while it is not None:
                k = it.data(KIND_ROLE)
                if k and k[0] in ("site", "unit"):
                    return k[0], int(k[1])
                it = it.parentItem()
        return None

    def contextMenuEvent(self, event) -> None:
        if self._no_menu or self.mode != "select" or self.proj is None:
            self._no_menu = False
            event.accept()
            return
        hit = self.item_at(event.pos())
        lon, lat = self.proj.lonlat(self.mapToScene(event.pos()))
        self.contextRequested.emit(hit[0] if hit else "", hit[1] if hit else 0, lon, lat, event.globalPos())
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        p = self.mapToScene(event.position().toPoint())
        if self.proj is not None:
            self.cursorMoved.emit(*self.proj.lonlat(p))
        if self.mode == "draw" and self.draw_points:
            self._hover = p
            self._redraw_sketch()
        if self.mode == "measure" and self.draw_points and not self._measure_done:
            self._hover = p
            self._redraw_measure()
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.mode != "select":
            self.set_mode("select")
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.mode == "draw":
            self._finish_draw()
            return
        super().keyPressEvent(event)

    # -- legend, scale bar, attribution ------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        painter.save()
        painter.resetTransform()
        vw, vh = self.viewport().width(), self.viewport().height()
        f = QFont(self.font())
        f.setPointSizeF(8.5)
        painter.setFont(f)
        fm = painter.fontMetrics()
        self.overlays = []
        if self.show_legend:
            self._draw_legend(painter, fm)
        self._draw_scale_and_attribution(painter, fm, vw, vh)
        self._draw_north_arrow(painter, fm, vw)
        painter.restore()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.viewChanged.emit()
        vp = self.viewport()
        for r in self.overlays:
            vp.update(r.adjusted(-3, -3, 3, 3))                    # drawn again where it belongs …
            vp.update(r.translated(dx, dy).adjusted(-3, -3, 3, 3))  # … and the copied pixels repainted

    def legend_keys(self) -> list[str]:
        """The legend's entries, top to bottom: only what the map draws now (the site kinds and
        states, the villages' outcomes of the run shown, isolated rings, hazard zones and
        service areas present on a layer shown), so a 1366 × 768 screen keeps its map."""
        on = self.layer_visible
        sites = [it for it in self.site_items.values() if on.get(it.row["kind"], True)]
        kinds = {it.row["kind"] for it in sites}
        keys = [k for k in ("warehouse", "reserve_point", "shelter") if k in kinds]
        states = {site_state(it.row) for it in sites}
        keys += [k for k in ("planned", "closed") if k in states]
        if on.get("demand", True) and self.unit_items:
            outcomes = {it.outcome for it in self.unit_items.values()}
            keys += [k for k in ("served", "over_capacity", "unreachable", "off_network") if k in outcomes]
            if outcomes - set(OUTCOME_COLOURS):          # drawn in the plain colour:
                # no run shown yet, or (in a run) a village without people known, not counted
                keys.append("demand" if self.result_view is None else "no_people")
        if on.get("isolated", True) and self.isolated_items:
            keys.append("isolated")
        if on.get("hazards", True) and self.hazard_items:
            keys.append("hazard")
        if on.get("service_areas", True) and self.service_item is not None \
                and not self.service_item.path().isEmpty():
            keys.append("service_area")
        # the basemap (water, rivers, built-up areas, buildings) is context, named in the layer
        # panel
        return keys

    def _legend_swatch(self, painter: QPainter, key: str, cx: float, cy: float, lh: float) -> None:
        painter.save()
        painter.translate(cx, cy)
        if key in KIND_COLOURS:
            painter.setPen(QPen(QColor(255, 255, 255), 1))
            painter.setBrush(QBrush(KIND_COLOURS[key]))
            painter.drawPath(symbol(key, 10))
        elif key == "planned":              # the same pens and brushes as SiteItem.restyle
            painter.setPen(QPen(KIND_COLOURS["shelter"], 2.0))
            painter.setBrush(QBrush(QColor(255, 255, 255)))
            painter.drawPath(symbol("shelter", 10))
        elif key == "closed":
            painter.setPen(QPen(QColor(180, 30, 30), 1.5))
            painter.setBrush(QBrush(QColor(200, 200, 200)))
            painter.drawPath(symbol("shelter", 10))
        elif key in OUTCOME_COLOURS:
            painter.setPen(QPen(QColor(255, 255, 255), 1))
            painter.setBrush(QBrush(QColor(OUTCOME_COLOURS[key])))
            painter.drawEllipse(QPointF(0, 0), 5, 5)
        elif key in ("demand", "no_people"):   # UnitItem's plain colour
            painter.setPen(QPen(QColor(255, 255, 255), 1))
            painter.setBrush(QBrush(QColor(90, 120, 170, 190)))
            painter.drawEllipse(QPointF(0, 0), 5, 5)
        elif key == "isolated":             # as IsolatedMark: a dashed ring round a unit
            painter.setPen(QPen(QColor(255, 255, 255), 1))
            painter.setBrush(QBrush(QColor(90, 120, 170, 190)))
            painter.drawEllipse(QPointF(0, 0), 3, 3)
            painter.setPen(isolated_pen())
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(0, 0), 6.5, 6.5)
        elif key == "hazard":
            painter.setBrush(QBrush(QColor(40, 110, 230, 90)))
            painter.setPen(QPen(QColor(40, 110, 230), 1.5))
            painter.drawRect(QRectF(-6, -lh / 2 + 3, 12, lh - 6))
        elif key == "service_area":
            painter.setBrush(QBrush(QColor(60, 170, 90, 45)))
            painter.setPen(QPen(QColor(60, 150, 90, 120), 1))
            painter.drawRect(QRectF(-6, -lh / 2 + 3, 12, lh - 6))
        painter.restore()

    def _draw_legend(self, painter: QPainter, fm: Any) -> None:
        entries = [(k, self.legend.get(k, k)) for k in self.legend_keys()]
        if not entries and not self.unlocated_note:
            return
        lh = fm.height() + 3
        col_w = max([fm.horizontalAdvance(t) for _k, t in entries] + [0]) + 34
        # a narrow map (1366 × 768 with the docks open: ~490 px) gets the entries in two columns
        ncol = 2 if len(entries) > 5 and self.viewport().width() < 760 else 1
        rows = -(-len(entries) // ncol)
        w = max(ncol * col_w, fm.horizontalAdvance(self.unlocated_note) + 16)
        h = (rows + (1 if self.unlocated_note else 0)) * lh + 10
        x0, y0 = 10, 10
        painter.setPen(QPen(QColor(180, 180, 180)))
        painter.setBrush(QBrush(QColor(255, 255, 255, 225)))
        painter.drawRoundedRect(QRectF(x0, y0, w, h), 4, 4)
        self.overlays.append(QRectF(x0, y0, w, h).toAlignedRect())
        for k, (key, text) in enumerate(entries):
            x = x0 + (k // rows) * col_w
            y = y0 + 6 + (k % rows) * lh
            self._legend_swatch(painter, key, x + 14, y + lh / 2, lh)
            painter.setPen(QColor(30, 30, 30))
            painter.drawText(QPointF(x + 28, y + fm.ascent() + 1), text)
        if self.unlocated_note:
            painter.setPen(QColor(150, 80, 0))
            painter.drawText(QPointF(x0 + 8, y0 + 6 + rows * lh + fm.ascent() + 1), self.unlocated_note)

    def _draw_scale_and_attribution(self, painter: QPainter, fm: Any, vw: int, vh: int) -> None:
        scale = self.transform().m11()  # px per metre
        if scale > 0:
            target_m = 120 / scale
            nice = 10 ** math.floor(math.log10(target_m))
            for mult in (5, 2, 1):
                if mult * nice <= target_m:
                    nice *= mult
                    break
            px = nice * scale
            bx, by = 14, vh - 24
            painter.setPen(QPen(QColor(40, 40, 40), 2))
            painter.drawLine(QPointF(bx, by), QPointF(bx + px, by))
            painter.drawLine(QPointF(bx, by - 4), QPointF(bx, by + 4))
            painter.drawLine(QPointF(bx + px, by - 4), QPointF(bx + px, by + 4))
            label = f"{nice / 1000:g} km" if nice >= 1000 else f"{nice:g} m"
            painter.drawText(QPointF(bx + px + 6, by + fm.ascent() / 2 - 1), label)
            self.overlays.append(QRect(bx - 2, by - fm.height(), int(px + 12 + fm.horizontalAdvance(label)),
                                       2 * fm.height()))
        # attribution
        parts = ["© OpenStreetMap contributors (ODbL)"] if "OpenStreetMap" in self.attribution else []
        if self.tile_attribution and self.layer_visible.get("tiles") and self.tile_attribution not in parts:
            parts.insert(0, self.tile_attribution)
        attr = " · ".join(parts)
        if attr:
            painter.setPen(QColor(90, 90, 90))
            painter.drawText(QPointF(vw - fm.horizontalAdvance(attr) - 8, vh - 8), attr)
            self.overlays.append(QRect(vw - fm.horizontalAdvance(attr) - 10, vh - 10 - fm.height(),
                                       fm.horizontalAdvance(attr) + 12, fm.height() + 8))

    def _draw_north_arrow(self, painter: QPainter, fm: Any, vw: int) -> None:
        """North is up in the map's local projection: an arrow and N in the top right corner."""
        cx, top = vw - 22, 10
        self.overlays.append(QRect(cx - 10, top - 2, 20, fm.height() + 28))
        painter.setPen(QPen(QColor(40, 40, 40), 1))
        painter.setBrush(QBrush(QColor(40, 40, 40)))
        painter.drawPolygon(QPolygonF([QPointF(cx, top + fm.height() + 2), QPointF(cx + 7, top + fm.height() + 22),
                                       QPointF(cx, top + fm.height() + 17), QPointF(cx - 7, top + fm.height() + 22)]))
        painter.drawText(QPointF(cx - fm.horizontalAdvance("N") / 2, top + fm.ascent()), "N")

    def set_show_legend(self, on: bool) -> None:
        self.show_legend = on
        self.viewport().update()


class _LazyPolygons:
    """Polygons whose drawing path is built on first use (a cell of buildings: most are never
    drawn — buildings show only zoomed in — so the map loads without building their paths)."""

    def __init__(self, canvas: MapCanvas, geoms: np.ndarray, rect: QRectF):
        self.canvas, self.geoms, self.rect = canvas, geoms, rect
        self._path: QPainterPath | None = None

    def path(self) -> QPainterPath:
        if self._path is None:
            self._path = self.canvas._polygons_path(self.geoms)
        return self._path


class _LazyPolygonsItem(QGraphicsItem):
    def __init__(self, polys: _LazyPolygons, pen: QPen, brush: QBrush):
        super().__init__()
        self.polys, self._pen, self._brush = polys, pen, brush
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def boundingRect(self) -> QRectF:
        return self.polys.rect

    def paint(self, painter: QPainter, _option: Any, _widget: Any = None) -> None:
        painter.setPen(self._pen)
        painter.setBrush(self._brush)
        painter.drawPath(self.polys.path())
