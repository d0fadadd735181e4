"""The district map of the printed plan, drawn with reportlab graphics in a metric projection.

Layers (bottom to top): district fill, town boundaries, service areas (translucent), hazard
zones (red, hatched), roads by class, district outline, demand units (circles sized by
population, split served / over capacity / unreachable), sites by kind, town labels; then the
frame, scale bar (round numbers), north arrow, attribution and the legend under the map.
Anything without coordinates is listed in :attr:`MapResult.notes` instead of being drawn.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Path, Polygon, Rect, String, Wedge
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from planner import text as tx
from planner.engine.results import UnitOutcome, typed
from planner.geo import WGS84, transformer, utm_epsg
from planner.report import fmt
from planner.report.data import ReportData, located

log = logging.getLogger(__name__)

C = colors.HexColor
SERVED, OVER, UNREACH, OFFNET = C("#2E8B57"), C("#F0A020"), C("#D7263D"), C("#9AA0A6")
SHELTER_FIXED, SHELTER_EMERG = C("#1B7F3B"), C("#6CC070")
WAREHOUSE, RP_TOWN, RP_VILLAGE = C("#0B3C8C"), C("#1F77D0"), C("#7E57C2")
HAZARD = C("#D7263D")
DISTRICT_LINE = C("#6A3D9A")

#: class → (width pt, colour, casing?) ; classes not listed are drawn as "minor"
ROAD_STYLE: dict[str, tuple[float, Any, bool]] = {
    "motorway": (1.9, C("#E3672B"), True), "trunk": (1.6, C("#EE8F3A"), True),
    "primary": (1.3, C("#F6B94A"), True), "secondary": (1.0, C("#F7D774"), True),
    "tertiary": (0.8, C("#FFFFFF"), True), "minor": (0.5, C("#A7A7A7"), False),
    "track": (0.4, C("#B89B72"), False), "path": (0.3, C("#BDBDBD"), False),
}
ROAD_GROUP = {
    "motorway": "motorway", "motorway_link": "motorway", "trunk": "trunk", "trunk_link": "trunk",
    "primary": "primary", "primary_link": "primary", "secondary": "secondary",
    "secondary_link": "secondary", "tertiary": "tertiary", "tertiary_link": "tertiary",
    "track": "track", "path": "path", "footway": "path", "steps": "path", "pedestrian": "path",
    "cycleway": "path", "bridleway": "path",
}
ROAD_LABEL = {
    "zh": {"motorway": "高速公路", "trunk": "国道/快速路", "primary": "主干道", "secondary": "次干道",
           "tertiary": "支路", "minor": "村道/街巷", "track": "机耕路", "path": "步道"},
    "en": {"motorway": "motorway", "trunk": "trunk road", "primary": "primary road",
           "secondary": "secondary road", "tertiary": "tertiary road", "minor": "minor / residential",
           "track": "track", "path": "path"},
}
ROAD_ORDER = ["path", "track", "minor", "tertiary", "secondary", "primary", "trunk", "motorway"]


@dataclass
class MapResult:
    drawing: Drawing
    notes: list[str] = field(default_factory=list)   # what is not drawn, and why
    scale_denominator: int | None = None


def _utm_transformer(lon: float, lat: float):
    epsg = utm_epsg(lon, lat)
    return transformer(WGS84, epsg), epsg


def nice_length(target: float) -> float:
    """The largest of 1, 2, 5 × 10ⁿ not above ``target`` (metres)."""
    if target <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(target))
    for m_ in (5, 2, 1):
        if m_ * p <= target:
            return m_ * p
    return p


def _nice_denominator(d: float) -> int:
    p = 10 ** max(0, math.floor(math.log10(d)) - 1)
    return int(round(d / p) * p)


class _Proj:
    """lon/lat → page points inside the map frame."""

    def __init__(self, tr, x0: float, y0: float, scale: float, ox: float, oy: float):
        self.tr, self.x0, self.y0, self.scale, self.ox, self.oy = tr, x0, y0, scale, ox, oy

    def xy(self, lon, lat):
        x, y = self.tr.transform(np.asarray(lon, float), np.asarray(lat, float))
        return self.ox + (np.asarray(x) - self.x0) * self.scale, self.oy + (np.asarray(y) - self.y0) * self.scale

    def geom(self, g):
        def f(coords):
            x, y = self.xy(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(g, f)


def _parts(geoms, geom_type: str):
    """The single parts of ``geom_type`` in ``geoms`` (multi-geometries split, empties skipped)."""
    for g in geoms:
        if g is None or g.is_empty:
            continue
        for part in (g.geoms if hasattr(g, "geoms") else [g]):
            if part.geom_type == geom_type:
                yield part


def _path(coord_arrays, *, min_points: int, close: bool, **kw) -> Path | None:
    """One reportlab Path of many polylines (moveTo, lineTo …, closePath when ``close``)."""
    pts: list[float] = []
    ops: list[int] = []
    for c in coord_arrays:
        c = np.asarray(c)
        if len(c) < min_points:
            continue
        pts.extend(c[:, :2].ravel().tolist())
        ops.append(0)
        ops.extend([1] * (len(c) - 1))
        if close:
            ops.append(3)
    return Path(points=pts, operators=ops, **kw) if ops else None


def _path_from_lines(geoms, **kw) -> Path | None:
    return _path((ls.coords for ls in _parts(geoms, "LineString")), min_points=2, close=False,
                 fillColor=None, **kw)


def _path_from_polygons(geoms, **kw) -> Path | None:
    rings = (r.coords for poly in _parts(geoms, "Polygon") for r in (poly.exterior, *poly.interiors))
    return _path(rings, min_points=3, close=True, fillMode=0, **kw)   # even-odd: holes stay holes


def _hatch(poly, spacing: float):
    """45° hatch lines clipped to ``poly`` (page coordinates)."""
    minx, miny, maxx, maxy = poly.bounds
    lines = []
    d = (maxx - minx) + (maxy - miny)
    k = minx - (maxy - miny)
    while k < maxx:
        lines.append(shapely.LineString([(k, miny), (k + d, miny + d)]))
        k += spacing
    if not lines:
        return []
    cut = shapely.intersection(np.array(lines, dtype=object), poly)
    return [g for g in cut if not g.is_empty]


def _text(x, y, s, font, size, color=colors.black, anchor="start") -> String:
    return String(x, y, s, fontName=font, fontSize=size, fillColor=color, textAnchor=anchor)


def _shelter_symbol(x, y, s, fill, stroke, dashed=False) -> Group:
    """A small house: square body with a roof."""
    h = s / 2
    g = Group()
    g.add(Polygon([x - h, y - h, x + h, y - h, x + h, y + h * 0.35, x, y + h * 1.25, x - h, y + h * 0.35],
                  fillColor=fill, strokeColor=stroke, strokeWidth=0.5,
                  strokeDashArray=[1, 1] if dashed else None))
    return g


def _warehouse_symbol(x, y, s, fill, stroke) -> Group:
    h = s / 2
    g = Group()
    g.add(Rect(x - h, y - h, s, s, fillColor=fill, strokeColor=stroke, strokeWidth=0.6))
    g.add(Line(x - h, y, x + h, y, strokeColor=colors.white, strokeWidth=0.6))
    return g


def _triangle(x, y, s, fill, stroke) -> Polygon:
    h = s / 2
    return Polygon([x - h, y - h * 0.8, x + h, y - h * 0.8, x, y + h * 0.95], fillColor=fill,
                   strokeColor=stroke, strokeWidth=0.5)


def _diamond(x, y, s, fill, stroke) -> Polygon:
    h = s / 2
    return Polygon([x, y - h, x + h, y, x, y + h, x - h, y], fillColor=fill, strokeColor=stroke,
                   strokeWidth=0.5)


def _closed_cross(x, y, s) -> Group:
    h = s / 2
    g = Group()
    g.add(Line(x - h, y - h, x + h, y + h, strokeColor=HAZARD, strokeWidth=1))
    g.add(Line(x - h, y + h, x + h, y - h, strokeColor=HAZARD, strokeWidth=1))
    return g


def site_symbol(kind: str, tier: Any, shelter_class: Any, status: Any, x: float, y: float,
                size: float = 6.0) -> Group:
    """The map/legend symbol of a site (planned: hollow; closed: grey with a red cross)."""
    g = Group()
    closed = status == "closed"
    planned = status == "planned"
    if kind == "shelter":
        fill = SHELTER_EMERG if shelter_class == "emergency" else SHELTER_FIXED
        if closed:
            fill = OFFNET
        g.add(_shelter_symbol(x, y, size, colors.white if planned else fill,
                              fill if planned else colors.white, dashed=planned))
    elif kind == "warehouse":
        g.add(_warehouse_symbol(x, y, size * 1.1, colors.white if planned else (OFFNET if closed else WAREHOUSE),
                                WAREHOUSE if planned else colors.white))
    else:
        if tier == "village":
            fill = RP_VILLAGE
            shape = _diamond(x, y, size * 0.95, colors.white if planned else (OFFNET if closed else fill),
                             fill if planned else colors.white)
        else:
            fill = RP_TOWN
            shape = _triangle(x, y, size * 1.15, colors.white if planned else (OFFNET if closed else fill),
                              fill if planned else colors.white)
        g.add(shape)
    if closed:
        g.add(_closed_cross(x, y, size * 0.9))
    return g


def _unit_symbol(x, y, r, parts: list[tuple[float, Any]]) -> Group:
    g = Group()
    total = sum(v for v, _ in parts)
    nonzero = [(v, c) for v, c in parts if v > 0]
    if total <= 0 or len(nonzero) <= 1:
        col = nonzero[0][1] if nonzero else OFFNET
        g.add(Circle(x, y, r, fillColor=col, strokeColor=colors.white, strokeWidth=0.4, fillOpacity=0.9))
        return g
    a = 90.0
    for v, col in nonzero:
        sweep = 360.0 * v / total
        g.add(Wedge(x, y, r, a, a + sweep, fillColor=col, strokeColor=None, strokeWidth=0, fillOpacity=0.9))
        a += sweep
    g.add(Circle(x, y, r, fillColor=None, strokeColor=colors.white, strokeWidth=0.4))
    return g


def _radius(pop: float, max_pop: float, r_max: float = 8.0, r_min: float = 1.6) -> float:
    if not pop or pop <= 0 or max_pop <= 0:
        return r_min
    return max(r_min, r_max * math.sqrt(pop / max_pop))


def _nice_pops(max_pop: float) -> list[float]:
    if max_pop <= 0:
        return []
    top = nice_length(max_pop)
    vals = [top, nice_length(top / 4), nice_length(top / 20)]
    return sorted({v for v in vals if v >= 1}, reverse=True)


def district_map(data: ReportData, font: str, width: float = 170 * mm, max_height: float = 165 * mm,
                 min_height: float = 110 * mm, *, extent: tuple[float, float, float, float] | None = None,
                 legend: bool = True, mark_box: tuple[float, float, float, float] | None = None,
                 mark_label: str | None = None, site_labels: bool = False) -> MapResult:
    """Build the district map (frame + legend) as a reportlab Drawing of the given width.

    ``extent``: a lon/lat box to show instead of the whole district (an enlarged detail);
    ``mark_box``: a lon/lat box outlined on this map (where the detail is), labelled ``mark_label``.
    """
    lang = data.lang
    inp, res = data.inp, typed(data.result)
    T = data.t
    notes: list[str] = []

    # -- what can be drawn (WGS84) -------------------------------------------------------------
    districts = [b.geometry for b in data.boundaries if b.role == "district"]
    town_bounds = [b for b in data.boundaries if b.role == "town"]
    du, st = inp.demand, inp.sites
    du_loc = located(du.lon, du.lat)
    st_loc = located(st.lon, st.lat)
    roads = inp.roads
    hazards = [h for h in inp.hazards if h.geometry is not None and not h.geometry.is_empty]
    service = []
    for code, gj in sorted(res.service_areas.items()):
        try:
            g = shapely.geometry.shape(gj)
        except Exception:  # a malformed polygon is left out, not fatal
            log.warning("service area of %s is malformed; left out of the map", code, exc_info=True)
            continue
        if not g.is_empty:
            service.append(g)
    town_pts = {c: t for c, t in data.towns.items() if t.lon is not None and t.lat is not None}

    extent_geoms = [shapely.box(*extent)] if extent is not None else list(districts)
    if not extent_geoms:
        pts = []
        if du_loc.any():
            pts += list(zip(du.lon[du_loc], du.lat[du_loc], strict=True))
        if st_loc.any():
            pts += list(zip(st.lon[st_loc], st.lat[st_loc], strict=True))
        pts += [(t.lon, t.lat) for t in town_pts.values()]
        if roads.n_nodes:
            pts += [(float(np.nanmin(roads.node_lon)), float(np.nanmin(roads.node_lat))),
                    (float(np.nanmax(roads.node_lon)), float(np.nanmax(roads.node_lat)))]
        if pts:
            extent_geoms.append(shapely.MultiPoint(pts).envelope)
        extent_geoms += [b.geometry for b in town_bounds]
    nothing = not extent_geoms

    # -- frame size and projection -------------------------------------------------------------
    if nothing:
        frame_w, frame_h = width, min_height
        proj = None
        denominator = None
    else:
        env = shapely.union_all([shapely.envelope(g) for g in extent_geoms])
        minx, miny, maxx, maxy = env.bounds
        tr, _epsg = _utm_transformer((minx + maxx) / 2, (miny + maxy) / 2)
        ring = shapely.segmentize(shapely.box(minx, miny, maxx, maxy), max(maxx - minx, maxy - miny) / 20)
        xs, ys = tr.transform(*np.asarray(ring.exterior.coords).T)
        x0, x1, y0, y1 = float(np.min(xs)), float(np.max(xs)), float(np.min(ys)), float(np.max(ys))
        dx, dy = max(x1 - x0, 200.0), max(y1 - y0, 200.0)
        pad = 0.05
        x0, x1 = (x0 + x1) / 2 - dx * (0.5 + pad), (x0 + x1) / 2 + dx * (0.5 + pad)
        y0, y1 = (y0 + y1) / 2 - dy * (0.5 + pad), (y0 + y1) / 2 + dy * (0.5 + pad)
        dx, dy = x1 - x0, y1 - y0
        frame_w = width
        frame_h = min(max_height, max(min_height, width * dy / dx))
        scale = min(frame_w / dx, frame_h / dy)
        ox = (frame_w - dx * scale) / 2
        oy = (frame_h - dy * scale) / 2
        denominator = _nice_denominator((1.0 / scale) / (0.0254 / 72.0))

    # legend content first (its height decides the frame position)
    legend_cols = _legend_items(data, font, roads, service, hazards, du, du_loc, st, lang) if legend else []
    col_heights = [sum(h for _, _, h in col) for col in legend_cols]
    legend_h = max(col_heights) + 22 if any(legend_cols) else 0.0
    fy = legend_h
    total_h = frame_h + legend_h
    d = Drawing(width, total_h, initialFontName=font)

    frame = Group()
    frame.add(Rect(0, fy, frame_w, frame_h, fillColor=C("#F7F9FB"), strokeColor=None))
    content = Group()

    if not nothing:
        proj = _Proj(tr, x0, y0, scale, ox, oy)
        tol = 0.25

        def page(gs):
            out = []
            for g in gs:
                pg = proj.geom(g)
                pg = shapely.clip_by_rect(pg, 0, 0, frame_w, frame_h)
                if not pg.is_empty:
                    out.append(shapely.simplify(pg, tol))
            return out

        # district area tint (inside white, outside the light frame colour)
        pd = page(districts)
        p = _path_from_polygons(pd, fillColor=colors.white, strokeColor=None)
        if p is not None:
            content.add(p)
        elif not nothing:
            content.add(Rect(0, 0, frame_w, frame_h, fillColor=colors.white, strokeColor=None))
        # town boundaries
        pt = page([b.geometry for b in town_bounds])
        p = _path_from_polygons(pt, fillColor=None, strokeColor=C("#8C7AA9"), strokeWidth=0.6,
                                strokeDashArray=[3, 1.5, 0.8, 1.5])
        if p is not None:
            content.add(p)
        # service areas
        ps = page(service)
        p = _path_from_polygons(ps, fillColor=SERVED, fillOpacity=0.13, strokeColor=SERVED,
                                strokeWidth=0.25, strokeOpacity=0.5)
        if p is not None:
            p.fillMode = 1  # nonzero: overlapping areas do not cancel out
            content.add(p)
        # hazard zones
        for h in hazards:
            for ph in page([h.geometry]):
                p = _path_from_polygons([ph], fillColor=HAZARD, fillOpacity=0.12, strokeColor=HAZARD,
                                        strokeWidth=0.9)
                if p is not None:
                    content.add(p)
                hp = _path_from_lines(_hatch(ph, 3.5), strokeColor=HAZARD, strokeWidth=0.35,
                                      strokeOpacity=0.8)
                if hp is not None:
                    content.add(hp)
        # roads
        if roads.n_edges:
            if roads.geometry is not None:
                geoms = np.array([g if g is not None else shapely.LineString(
                    [(roads.node_lon[u], roads.node_lat[u]), (roads.node_lon[v], roads.node_lat[v])])
                    for g, u, v in zip(roads.geometry, roads.edge_u, roads.edge_v, strict=True)], dtype=object)
            else:
                coords = np.stack([np.column_stack([roads.node_lon[roads.edge_u], roads.node_lat[roads.edge_u]]),
                                   np.column_stack([roads.node_lon[roads.edge_v], roads.node_lat[roads.edge_v]])],
                                  axis=1)
                geoms = shapely.linestrings(coords)
            pg = proj.geom(geoms)
            pg = shapely.simplify(shapely.clip_by_rect(pg, 0, 0, frame_w, frame_h), tol)
            groups = np.array([ROAD_GROUP.get(str(h), "minor") for h in roads.highway], dtype=object)
            for pass_ in ("casing", "fill"):
                for cls in ROAD_ORDER:
                    w, col, casing = ROAD_STYLE[cls]
                    sel = pg[groups == cls]
                    if not len(sel):
                        continue
                    if pass_ == "casing":
                        if casing:
                            p = _path_from_lines(sel, strokeColor=C("#8A8A8A"), strokeWidth=w + 0.5,
                                                 strokeLineCap=1, strokeLineJoin=1)
                            if p is not None:
                                content.add(p)
                        continue
                    kw = {"strokeDashArray": [1.2, 0.8]} if cls == "path" else {}
                    p = _path_from_lines(sel, strokeColor=col, strokeWidth=w, strokeLineCap=1,
                                         strokeLineJoin=1, **kw)
                    if p is not None:
                        content.add(p)
        # district outline on top of the roads
        p = _path_from_polygons(pd, fillColor=None, strokeColor=DISTRICT_LINE, strokeWidth=1.4,
                                strokeDashArray=[6, 2, 1.2, 2])
        if p is not None:
            content.add(p)

        # demand units
        units = {u.code: u for u in res.units}
        if du_loc.any():
            px, py = proj.xy(du.lon[du_loc], du.lat[du_loc])
            pops = np.nan_to_num(du.population[du_loc].astype(float))
            max_pop = float(pops.max()) if len(pops) else 0.0
            order = np.argsort(-pops)   # big circles below small ones
            codes = du.code[du_loc]
            for k in order:
                x, y = float(px[k]), float(py[k])
                if not (0 <= x <= frame_w and 0 <= y <= frame_h):
                    continue
                u = units.get(codes[k]) or UnitOutcome(code=str(codes[k]))
                parts = [(u.served or 0, SERVED), (u.over_capacity or 0, OVER),
                         (u.unreachable or 0, UNREACH),
                         ((u.off_network or 0) + (u.unlocated or 0), OFFNET)]
                if sum(v for v, _ in parts) <= 0:
                    parts = [(1, OFFNET)]
                content.add(_unit_symbol(x, y, _radius(pops[k], max_pop), parts))
        # sites
        if st_loc.any():
            px, py = proj.xy(st.lon[st_loc], st.lat[st_loc])
            idx = np.nonzero(st_loc)[0]
            rank = {"shelter": 0, "reserve_point": 1, "warehouse": 2}
            for j in sorted(range(len(idx)), key=lambda j: rank.get(st.kind[idx[j]], 0)):
                k = idx[j]
                x, y = float(px[j]), float(py[j])
                if not (0 <= x <= frame_w and 0 <= y <= frame_h):
                    continue
                content.add(site_symbol(st.kind[k], st.tier[k], st.shelter_class[k], st.status[k], x, y,
                                        6.0 if st.kind[k] != "shelter" else 5.2))
                if site_labels and st.code[k]:
                    lab = str(st.code[k])
                    content.add(_text(x + 3.6, y + 1.5, lab, font, 4.6, C("#1A1A1A")))
        # town labels
        label_pts: list[tuple[str, float, float]] = []
        tb = {b.code: b for b in town_bounds if b.code}
        for code, t in sorted(data.towns.items()):
            if t.lon is not None and t.lat is not None:
                lon, lat = t.lon, t.lat
            elif code in tb:
                rp = tb[code].geometry.representative_point()
                lon, lat = rp.x, rp.y
            else:
                continue
            x, y = proj.xy(lon, lat)
            label_pts.append((t.name, float(x), float(y)))
        for name, x, y in label_pts:
            size = 7.5
            w_ = stringWidth(name, font, size)
            if not (w_ / 2 < x < frame_w - w_ / 2 and 4 < y < frame_h - 10):
                continue
            content.add(Rect(x - w_ / 2 - 1.5, y + 5, w_ + 3, size + 2.5, fillColor=colors.white,
                             fillOpacity=0.75, strokeColor=None))
            content.add(_text(x, y + 6.8, name, font, size, C("#3C2A5A"), "middle"))
            if not data.boundaries or code_is_point_only(data, name):
                content.add(Circle(x, y, 1.6, fillColor=C("#3C2A5A"), strokeColor=colors.white,
                                   strokeWidth=0.4))
        if mark_box is not None:
            mb = proj.geom(shapely.box(*mark_box))
            x0b, y0b, x1b, y1b = mb.bounds
            content.add(Rect(x0b, y0b, x1b - x0b, y1b - y0b, fillColor=None, strokeColor=C("#D7263D"),
                             strokeWidth=1.0, strokeDashArray=[3, 2]))
            if mark_label:
                w_ = stringWidth(mark_label, font, 7)
                content.add(Rect(x1b - w_ - 3, y1b + 1, w_ + 3, 9, fillColor=colors.white, fillOpacity=0.8,
                                 strokeColor=None))
                content.add(_text(x1b - 1.5, y1b + 3, mark_label, font, 7, C("#D7263D"), "end"))
        content.transform = (1, 0, 0, 1, 0, fy)
    frame.add(content)

    # -- furniture: frame, north arrow, scale bar, attribution ----------------------------------
    furn = Group()
    furn.add(Rect(0, fy, frame_w, frame_h, fillColor=None, strokeColor=colors.black, strokeWidth=0.8))
    if nothing:
        msg = T("report.map.nothing_in_this_plan_has_a")
        furn.add(_text(frame_w / 2, fy + frame_h / 2, msg, font, 9, C("#555555"), "middle"))
    else:
        _north_arrow(furn, frame_w - 16, fy + frame_h - 30, font, lang)
        bar_m = nice_length((frame_w * 0.22) / scale)
        _scale_bar(furn, 8, fy + 8, bar_m, scale, font, lang, denominator)
    attr = []
    if data.osm_attribution:
        attr.append("© OpenStreetMap contributors, ODbL")
    if not data.boundary_authoritative:
        attr.append(T("report.map.sketch_map_simplified_outline_not_an"))
    for n_, s in enumerate(reversed(attr)):
        size = 6.0
        w_ = stringWidth(s, font, size)
        yy = fy + 3 + n_ * (size + 2.5)
        furn.add(Rect(frame_w - w_ - 6, yy - 1.2, w_ + 4, size + 2.4, fillColor=colors.white, fillOpacity=0.8,
                      strokeColor=None))
        furn.add(_text(frame_w - 4, yy + 0.6, s, font, size, C("#333333"), "end"))

    d.add(frame)
    d.add(furn)

    # -- legend ----------------------------------------------------------------------------------
    if legend_h:
        lg = Group()
        col_w = width / len(legend_cols)
        lg.add(_text(0, legend_h - 11, T("report.map.legend"), font, 8.5, colors.black))
        lg.add(Line(0, legend_h - 14, width, legend_h - 14, strokeColor=C("#999999"), strokeWidth=0.4))
        for c_, col in enumerate(legend_cols):
            x = c_ * col_w
            y = legend_h - 18
            for draw, text, h in col:
                y -= h
                if draw is None:   # a sub-heading
                    lg.add(_text(x, y + 2.5, text, font, 7.2, C("#444444")))
                    continue
                draw(lg, x + 8, y + h / 2)
                lg.add(_text(x + 19, y + h / 2 - 2.5, text, font, 7.2, colors.black))
        d.add(lg)

    if not legend:
        return MapResult(d, [], denominator)
    # -- notes: what is not on the map -------------------------------------------------------------
    n_unloc = int((~du_loc).sum())
    if n_unloc:
        pop_unloc = float(np.nansum(du.population[~du_loc].astype(float)))
        pop_known = int(np.isfinite(du.population[~du_loc].astype(float)).sum())
        by_town: dict[str, list[str]] = {}
        for k in np.nonzero(~du_loc)[0]:
            by_town.setdefault(data.town_name(du.town[k]), []).append(str(du.name[k]))
        towns_txt = "；".join(f"{t}（{len(v)}）" for t, v in sorted(by_town.items())) if lang == "zh" else \
            "; ".join(f"{t} ({len(v)})" for t, v in sorted(by_town.items()))
        pop_txt = (T("report.map.known_population", pop_unloc=fmt.integer(pop_unloc))
                   if pop_known else T("report.map.population_also_unknown"))
        notes.append(T("report.map.not_on_the_map_demand_units", n_unloc=n_unloc, pop_txt=pop_txt, towns_txt=towns_txt))
    n_st = int((~st_loc).sum())
    if n_st:
        names = [f"{st.code[k]} {st.name[k]}" for k in np.nonzero(~st_loc)[0]]
        names_txt = T("report.list_sep").join(names)
        notes.append(T("report.map.not_on_the_map_sites_have", n_st=n_st, names_txt=names_txt))
    if not roads.n_edges:
        notes.append(T("report.map.no_road_network_imported_yet_travel"))
    if not districts:
        notes.append(T("report.map.no_district_boundary_imported_the_map"))
    if not data.towns and not town_bounds:
        pass
    elif data.towns and not town_pts and not town_bounds:
        notes.append(T("report.map.towns_have_no_points_or_boundaries"))
    return MapResult(d, notes, denominator)


def code_is_point_only(data: ReportData, name: str) -> bool:
    """Towns with no boundary polygon get a dot at their point."""
    return not any(b.role == "town" and b.name == name for b in data.boundaries)


def _north_arrow(g: Group, x: float, y: float, font: str, lang: str) -> None:
    h, w = 18.0, 6.0
    g.add(Circle(x, y + h / 2, 11.5, fillColor=colors.white, fillOpacity=0.8, strokeColor=None))
    g.add(Polygon([x, y + h, x - w, y, x, y + h * 0.3], fillColor=colors.black, strokeColor=colors.black,
                  strokeWidth=0.5))
    g.add(Polygon([x, y + h, x + w, y, x, y + h * 0.3], fillColor=colors.white, strokeColor=colors.black,
                  strokeWidth=0.5))
    g.add(_text(x, y + h + 2.5, tx.text("report.map.north", lang), font, 8, colors.black, "middle"))


def _scale_bar(g: Group, x: float, y: float, metres: float, scale: float, font: str, lang: str,
               denominator: int | None) -> None:
    length = metres * scale
    unit, div = ("km", 1000.0) if metres >= 1000 else ("m", 1.0)
    g.add(Rect(x - 3, y - 3, length + 40, 24, fillColor=colors.white, fillOpacity=0.85, strokeColor=None))
    half = length / 2
    for k in range(4):
        g.add(Rect(x + k * half / 2, y + 4, half / 2, 3, fillColor=colors.black if k % 2 == 0 else colors.white,
                   strokeColor=colors.black, strokeWidth=0.4))

    def lab(v: float) -> str:
        v = v / div
        return f"{v:g}"

    for frac in (0.0, 0.5, 1.0):
        g.add(_text(x + length * frac, y + 9, lab(metres * frac), font, 6.5, colors.black, "middle"))
    g.add(_text(x + length + 4, y + 4, unit, font, 6.5, colors.black))
    if denominator:
        g.add(_text(x, y - 1.5, tx.text("report.map.scale", lang, denominator=denominator),
                    font, 5.5, C("#333333")))


def _legend_items(data: ReportData, font: str, roads, service, hazards, du, du_loc, st, lang: str):
    """Three legend columns, each [(draw(group, x, y_centre) or None for a heading, label, height)]."""
    T = data.t
    ROW = 11.0
    units: list[tuple[Any, str, float]] = []
    sites: list[tuple[Any, str, float]] = []
    lines: list[tuple[Any, str, float]] = []

    def line_item(color, width, dash=None, casing=False):
        def draw(g, x, y):
            if casing:
                g.add(Line(x - 6, y, x + 6, y, strokeColor=C("#8A8A8A"), strokeWidth=width + 0.5))
            g.add(Line(x - 6, y, x + 6, y, strokeColor=color, strokeWidth=width, strokeDashArray=dash))
        return draw

    def circle_item(color, r=3.2):
        def draw(g, x, y):
            g.add(Circle(x, y, r, fillColor=color, strokeColor=colors.white, strokeWidth=0.4))
        return draw

    def swatch(fill, opacity, stroke, hatch=False):
        def draw(g, x, y):
            g.add(Rect(x - 6, y - 3.5, 12, 7, fillColor=fill, fillOpacity=opacity, strokeColor=stroke,
                       strokeWidth=0.6))
            if hatch:
                for k in range(4):
                    g.add(Line(x - 6 + k * 3.5 - 1, y - 3.5, x - 6 + k * 3.5 + 2.5, y + 3.5, strokeColor=HAZARD,
                               strokeWidth=0.35))
        return draw

    # demand units
    units.append((None, T("report.map.demand_units_villages_communities"), ROW))
    units.append((circle_item(SERVED), T("report.map.served_within_15_min"), ROW))
    units.append((circle_item(OVER), T("report.map.reachable_but_shelters_full"), ROW))
    units.append((circle_item(UNREACH), T("report.map.no_shelter_within_15_min"), ROW))
    units.append((circle_item(OFFNET), T("report.map.off_the_road_network"), ROW))
    units.append((lambda g, x, y: g.add(_unit_symbol(x, y, 3.6, [(2, SERVED), (1, OVER), (1, UNREACH)])),
                  T("report.map.pie_shares_of_one_unit"), ROW))
    if du_loc.any():
        pops = np.nan_to_num(du.population[du_loc].astype(float))
        max_pop = float(pops.max()) if len(pops) else 0.0
        for v in _nice_pops(max_pop):
            r = _radius(v, max_pop)

            def draw(g, x, y, r=r):
                g.add(Circle(x, y, r, fillColor=None, strokeColor=C("#555555"), strokeWidth=0.5))
            units.append((draw, T("report.map.people_area_population", people=fmt.integer(v)),
                          max(ROW, 2 * r + 3)))
    # sites
    kinds = set()
    for k in range(len(st)):
        kinds.add((st.kind[k], st.tier[k] if st.kind[k] == "reserve_point" else None,
                   "emergency" if st.kind[k] == "shelter" and st.shelter_class[k] == "emergency" else None))
    statuses = set(st.status)

    def sym(kind, tier, cls, status="built"):
        return lambda g, x, y: g.add(site_symbol(kind, tier, cls, status, x, y, 6.0))

    sites.append((None, T("report.map.sites"), ROW))
    sites.append((sym("shelter", None, "long"), T("report.map.fixed_shelter"), ROW))
    if any(k[0] == "shelter" and k[2] == "emergency" for k in kinds):
        sites.append((sym("shelter", None, "emergency"), T("report.map.emergency_shelter"), ROW))
    sites.append((sym("warehouse", None, None), T("report.map.reserve_warehouse"), ROW))
    if any(k[0] == "reserve_point" and k[1] != "village" for k in kinds) or not kinds:
        sites.append((sym("reserve_point", "town", None), T("report.map.town_reserve_station"), ROW))
    if any(k[0] == "reserve_point" and k[1] == "village" for k in kinds):
        sites.append((sym("reserve_point", "village", None), T("report.map.village_reserve_point"), ROW))
    if "planned" in statuses:
        sites.append((sym("shelter", None, "long", "planned"), T("report.map.planned_hollow_symbol"), ROW))
    if "closed" in statuses or any(h.closes_sites for h in hazards):
        sites.append((sym("shelter", None, "long", "closed"), T("report.map.closed"), ROW))
    if service:
        sites.append((swatch(SERVED, 0.18, SERVED), T("report.map.15_min_service_area"), ROW))
    if hazards:
        sites.append((swatch(HAZARD, 0.12, HAZARD, hatch=True), T("report.map.hazard_zone"), ROW))
    # lines
    lines.append((None, T("report.map.boundaries_and_roads"), ROW))
    lines.append((line_item(DISTRICT_LINE, 1.4, [6, 2, 1.2, 2]), T("report.map.district_boundary"), ROW))
    if any(b.role == "town" for b in data.boundaries):
        lines.append((line_item(C("#8C7AA9"), 0.6, [3, 1.5, 0.8, 1.5]), T("report.map.town_boundary"), ROW))
    if any(t.lon is not None and t.lat is not None and code_is_point_only(data, t.name)
           for t in data.towns.values()):
        lines.append((lambda g, x, y: g.add(Circle(x, y, 1.8, fillColor=C("#3C2A5A"), strokeColor=colors.white,
                                                   strokeWidth=0.4)), T("report.map.town_seat"), ROW))
    if roads.n_edges:
        present = {ROAD_GROUP.get(str(h), "minor") for h in set(roads.highway)}
        for cls in reversed(ROAD_ORDER):
            if cls in present:
                w, col, casing = ROAD_STYLE[cls]
                lines.append((line_item(col, w, [1.2, 0.8] if cls == "path" else None, casing),
                              ROAD_LABEL[lang if lang in ROAD_LABEL else "en"][cls], ROW))
    else:
        lines.append((line_item(C("#CCCCCC"), 0.5, [1, 2]), T("report.map.no_road_network_yet"), ROW))
    return [units, sites, lines]


def detail_extent(data: ReportData, share: float = 0.13, min_features: int = 12
                  ) -> tuple[float, float, float, float] | None:
    """A lon/lat box around the densest cluster of sites and units, for an enlarged detail map.

    None when the plan is too sparse for a detail to help (fewer than ``min_features`` located
    sites and units in the box) or nothing is located.
    """
    inp = data.inp
    st, du = inp.sites, inp.demand
    pts = []
    for tbl in (st, du):
        ok = located(tbl.lon, tbl.lat)
        pts += list(zip(tbl.lon[ok].astype(float), tbl.lat[ok].astype(float), strict=True))
    if len(pts) < min_features:
        return None
    arr = np.array(pts)
    tr, epsg = _utm_transformer(float(arr[:, 0].mean()), float(arr[:, 1].mean()))
    x, y = tr.transform(arr[:, 0], arr[:, 1])
    x, y = np.asarray(x), np.asarray(y)
    geoms = [b.geometry for b in data.boundaries if b.role == "district"]
    if geoms:
        env = shapely.union_all([shapely.envelope(g) for g in geoms]).bounds
        bx, by = tr.transform(np.array([env[0], env[2]]), np.array([env[1], env[3]]))
        span = max(abs(bx[1] - bx[0]), abs(by[1] - by[0]))
    else:
        span = max(np.ptp(x), np.ptp(y))
    half = max(500.0, span * share / 2)
    # the point with the most features within the half-width window
    counts = [int(np.sum((np.abs(x - x[k]) <= half) & (np.abs(y - y[k]) <= half))) for k in range(len(x))]
    k = int(np.argmax(counts))
    if counts[k] < min_features or counts[k] > 0.9 * len(x) and span <= 4 * half:
        return None
    sel = (np.abs(x - x[k]) <= half) & (np.abs(y - y[k]) <= half)
    cx, cy = float(np.median(x[sel])), float(np.median(y[sel]))
    inv = transformer(epsg, WGS84)
    lon0, lat0 = inv.transform(cx - half, cy - half * 0.8)
    lon1, lat1 = inv.transform(cx + half, cy + half * 0.8)
    return (float(lon0), float(lat0), float(lon1), float(lat1))
