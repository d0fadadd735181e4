"""The district map of the printed plan, drawn with reportlab graphics in a metric projection.

Layers (bottom to top): district fill, town boundaries, shelter service areas (one dissolved
area, one outline), hazard zones (blue hatch), roads by class, district outline, demand units
(circles sized by population, split served / over capacity / unreachable / off the network),
markers of isolated, flagged and (against a baseline) newly uncovered units, sites by kind
(closed: hollow with a black cross), labels placed so that none overprints another (leader
lines where the place beside the symbol is taken); then the frame, scale bar, north arrow,
attribution and the legend under the map — with an entry only for what is drawn. Anything
without coordinates is listed in :attr:`MapResult.notes` instead of being drawn.

Symbology is readable in greyscale and by colour-blind readers: the four unit states differ in
lightness (dark / mid / light with a hatch / white with a dashed rim), hazard zones are hatched,
closed sites are crossed out, and every colour has one meaning — dark red only "no shelter
within reach", blue only "hazard zone".
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
from planner.engine.results import UnitOutcome, closed_site_codes, typed
from planner.geo import WGS84, transformer, utm_epsg
from planner.report import fmt
from planner.report.data import ReportData, located

log = logging.getLogger(__name__)

C = colors.HexColor
# demand units: four states, four lightnesses (greyscale ≈ 0.42 / 0.76 + hatch / 0.13 / white)
SERVED, OVER, UNREACH, OFFNET = C("#1A9850"), C("#FDB863"), C("#67001F"), colors.white
OVER_HATCH = C("#B35806")
UNIT_RIM = C("#404040")
# sites: teal shelters (their service area is a tint of the same teal), brown supply sites
SHELTER_FIXED, SHELTER_EMERG = C("#01665E"), C("#5AB4AC")
WAREHOUSE, RP_TOWN, RP_VILLAGE = C("#3E2723"), C("#8D6E63"), C("#D7CCC8")
SERVICE = SHELTER_FIXED
CLOSED_LINE = colors.black
HAZARD, HAZARD_FILL = C("#2166AC"), C("#D1E5F0")
DISTRICT_LINE = C("#6A3D9A")
TOWN_LINE, TOWN_TEXT = C("#8C7AA9"), C("#3C2A5A")
MARK = colors.black            # isolated / flagged / newly uncovered markers, the detail box
LEADER = C("#555555")

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
UNIT_STATES = ("served", "over", "unreach", "offnet")


@dataclass
class MapResult:
    """The map and what goes with it.

    ``notes``: sentences on what is not drawn, and why (print them under the map);
    ``callouts``: ``(number, code, name)`` of the sites labelled on the map by a number instead of
    their code because no free place for the code was found — print them as a key under the map
    (empty when every label fitted; the numbers are unique on one map);
    ``newly_uncovered``: codes of the units a ``compare_result`` map marks (served in the baseline,
    less served in this scenario);
    ``labels``: every placed label ``(text, (x0, y0, x1, y1))`` in drawing coordinates (tests);
    ``legend_keys`` / ``road_classes``: what is drawn (the legend of :func:`paired_maps`).
    """

    drawing: Drawing
    notes: list[str] = field(default_factory=list)   # what is not drawn, and why
    scale_denominator: int | None = None
    callouts: list[tuple[int, str, str]] = field(default_factory=list)
    newly_uncovered: list[str] = field(default_factory=list)
    labels: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)
    legend_keys: set[str] = field(default_factory=set)     # what the map shows (legend entries)
    road_classes: set[str] = field(default_factory=set)


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


def _single_parts(geoms, type_id: int) -> np.ndarray:
    """The single parts of shapely type ``type_id`` (1 LineString, 3 Polygon) in ``geoms``
    (multi-geometries and collections split, empties and None skipped)."""
    arr = np.asarray([g for g in geoms if g is not None], dtype=object)
    if not len(arr):
        return arr
    for _ in range(2):        # a collection may hold multi-geometries
        arr = shapely.get_parts(arr)
    return arr[(shapely.get_type_id(arr) == type_id) & ~shapely.is_empty(arr)]


def _path(parts: np.ndarray, *, min_points: int, close: bool, **kw) -> Path | None:
    """One reportlab Path of many polylines / rings (moveTo, lineTo …, closePath when ``close``),
    built with numpy: a district's roads are thousands of segments."""
    if not len(parts):
        return None
    coords, idx = shapely.get_coordinates(parts, return_index=True)
    counts = np.bincount(idx, minlength=len(parts))
    keep = counts >= min_points
    if not keep.any():
        return None
    coords = coords[keep[idx]]
    counts = counts[keep]
    ops = np.ones(int(counts.sum()) + (len(counts) if close else 0), dtype=int)
    ends = np.cumsum(counts + (1 if close else 0))
    starts = ends - counts - (1 if close else 0)
    ops[starts] = 0
    if close:
        ops[ends - 1] = 3
    p = Path(**kw)
    # set directly: reportlab's attribute check walks every number of a list this long
    p.__dict__["points"] = coords.ravel().tolist()
    p.__dict__["operators"] = ops.tolist()
    return p


def _path_from_lines(geoms, **kw) -> Path | None:
    return _path(_single_parts(geoms, 1), min_points=2, close=False, fillColor=None, **kw)


def _path_from_polygons(geoms, **kw) -> Path | None:
    rings = shapely.get_rings(_single_parts(geoms, 3))
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


def _shelter_symbol(x, y, s, fill, stroke, dashed=False, width=0.5) -> Polygon:
    """A small house: square body with a roof."""
    h = s / 2
    return Polygon([x - h, y - h, x + h, y - h, x + h, y + h * 0.35, x, y + h * 1.25, x - h, y + h * 0.35],
                   fillColor=fill, strokeColor=stroke, strokeWidth=width,
                   strokeDashArray=[1, 1] if dashed else None)


def _warehouse_symbol(x, y, s, fill, stroke, dashed=False, bar=colors.white, width=0.6) -> Group:
    h = s / 2
    g = Group()
    g.add(Rect(x - h, y - h, s, s, fillColor=fill, strokeColor=stroke, strokeWidth=width,
               strokeDashArray=[1, 1] if dashed else None))
    if bar is not None:
        g.add(Line(x - h, y, x + h, y, strokeColor=bar, strokeWidth=0.6))
    return g


def _triangle(x, y, s, fill, stroke, dashed=False, width=0.5) -> Polygon:
    h = s / 2
    return Polygon([x - h, y - h * 0.8, x + h, y - h * 0.8, x, y + h * 0.95], fillColor=fill,
                   strokeColor=stroke, strokeWidth=width, strokeDashArray=[1, 1] if dashed else None)


def _diamond(x, y, s, fill, stroke, dashed=False, width=0.5) -> Polygon:
    h = s / 2
    return Polygon([x, y - h, x + h, y, x, y + h, x - h, y], fillColor=fill, strokeColor=stroke,
                   strokeWidth=width, strokeDashArray=[1, 1] if dashed else None)


def _closed_cross(x, y, s) -> Group:
    h = s / 2
    g = Group()
    for dx in (-h, h):
        g.add(Line(x - dx, y - h, x + dx, y + h, strokeColor=CLOSED_LINE, strokeWidth=1.0))
    return g


def site_symbol(kind: str, tier: Any, shelter_class: Any, status: Any, x: float, y: float,
                size: float = 6.0) -> Group:
    """The map/legend symbol of a site: the kind by shape and colour; planned: hollow with a
    dashed rim in the kind's colour; closed: hollow with a black rim and a black cross."""
    g = Group()
    closed = status == "closed"
    planned = status == "planned"
    if kind == "shelter":
        col = SHELTER_EMERG if shelter_class == "emergency" else SHELTER_FIXED
    elif kind == "warehouse":
        col = WAREHOUSE
    else:
        col = RP_VILLAGE if tier == "village" else RP_TOWN
    if closed:
        fill, stroke, width = colors.white, CLOSED_LINE, 0.7
    elif planned:
        fill, stroke, width = colors.white, col, 0.8
    else:
        fill, stroke, width = col, (C("#5D4037") if col is RP_VILLAGE else colors.white), 0.5
    if kind == "shelter":
        g.add(_shelter_symbol(x, y, size, fill, stroke, dashed=planned, width=width))
    elif kind == "warehouse":
        g.add(_warehouse_symbol(x, y, size * 1.1, fill, stroke, dashed=planned,
                                bar=None if (closed or planned) else colors.white, width=width))
    elif tier == "village":
        g.add(_diamond(x, y, size * 0.95, fill, stroke, dashed=planned, width=width))
    else:
        g.add(_triangle(x, y, size * 1.15, fill, stroke, dashed=planned, width=width))
    if closed:
        g.add(_closed_cross(x, y, size * 1.05))
    return g


_STATE_FILL = {"served": SERVED, "over": OVER, "unreach": UNREACH, "offnet": OFFNET}


def _wedge_poly(x: float, y: float, r: float, a0: float, a1: float):
    if a1 - a0 >= 359.999:
        return shapely.Point(x, y).buffer(r, 8)
    n = max(3, int((a1 - a0) / 10))
    t = np.radians(np.linspace(a0, a1, n + 1))
    return shapely.Polygon([(x, y), *zip(x + r * np.cos(t), y + r * np.sin(t), strict=True)])


def _unit_symbol(x: float, y: float, r: float, parts: list[tuple[float, str]]) -> Group:
    """A unit's circle: one fill per state (a pie when the unit is split), over-capacity hatched,
    off-network white with a dashed rim."""
    g = Group()
    nonzero = [(v, s) for v, s in parts if v > 0] or [(1.0, "offnet")]
    total = sum(v for v, _ in nonzero)
    if len(nonzero) == 1:
        s = nonzero[0][1]
        g.add(Circle(x, y, r, fillColor=_STATE_FILL[s], strokeColor=UNIT_RIM, strokeWidth=0.5,
                     strokeDashArray=[1.2, 0.8] if s == "offnet" else None))
        spans = [(0.0, 360.0, s)]
    else:
        a = 90.0
        spans = []
        for v, s in nonzero:
            sweep = 360.0 * v / total
            g.add(Wedge(x, y, r, a, a + sweep, fillColor=_STATE_FILL[s], strokeColor=colors.white,
                        strokeWidth=0.3))
            spans.append((a, a + sweep, s))
            a += sweep
        g.add(Circle(x, y, r, fillColor=None, strokeColor=UNIT_RIM, strokeWidth=0.5))
    for a0, a1, s in spans:
        if s == "over" and r >= 1.5:
            hp = _path_from_lines(_hatch(_wedge_poly(x, y, r, a0, a1), 1.8), strokeColor=OVER_HATCH,
                                  strokeWidth=0.3)
            if hp is not None:
                g.add(hp)
    return g


def _isolated_ring(x: float, y: float, r: float) -> Circle:
    return Circle(x, y, r + 2.0, fillColor=None, strokeColor=MARK, strokeWidth=0.9, strokeDashArray=[1.6, 1.0])


def _uncovered_square(x: float, y: float, r: float) -> Rect:
    h = r + 3.0
    return Rect(x - h, y - h, 2 * h, 2 * h, fillColor=None, strokeColor=MARK, strokeWidth=0.8)


def _flag(x: float, y: float, r: float) -> Group:
    """A pennant on the unit's rim: a village the bureau flags (易失联 / 防汛重点村)."""
    g = Group()
    bx, by = x + r * 0.7, y + r * 0.7
    g.add(Line(bx, by, bx, by + 5.5, strokeColor=MARK, strokeWidth=0.6))
    g.add(Polygon([bx, by + 5.5, bx + 3.6, by + 4.4, bx, by + 3.3], fillColor=MARK, strokeColor=MARK,
                  strokeWidth=0.3))
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


# -- labels -----------------------------------------------------------------------------------------
def _text_box(x: float, y: float, s: str, font: str, size: float, anchor: str = "start"
              ) -> tuple[float, float, float, float]:
    """The box a String drawn at (x, y) covers (descender to cap height)."""
    w = stringWidth(s, font, size)
    x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
    return (x0, y - 0.22 * size, x0 + w, y + 0.88 * size)


class _Labeller:
    """Greedy label placement: each label takes the first free candidate (beside the symbol,
    then further out on a leader line); free = inside the frame, clear of every placed label,
    leader, site symbol and the map furniture. Unit circles are avoided where possible."""

    PAD = 0.8

    def __init__(self, w: float, h: float, font: str):
        self.w, self.h, self.font = w, h, font
        self.hard: list[tuple[float, float, float, float]] = []
        self.soft: list[tuple[float, float, float, float]] = []
        self.leaders: list[tuple[float, float, float, float]] = []
        self.placed: list[tuple[str, tuple[float, float, float, float]]] = []
        self.items: list[Any] = []

    def block(self, box, soft: bool = False) -> None:
        x0, y0, x1, y1 = (float(v) for v in box)
        (self.soft if soft else self.hard).append((x0, y0, x1, y1))

    @staticmethod
    def _hits(cand: np.ndarray, boxes: list) -> np.ndarray:
        if not boxes:
            return np.zeros(len(cand), dtype=int)
        b = np.asarray(boxes, dtype=float)
        ov = ((cand[:, None, 0] < b[None, :, 2]) & (cand[:, None, 2] > b[None, :, 0])
              & (cand[:, None, 1] < b[None, :, 3]) & (cand[:, None, 3] > b[None, :, 1]))
        return ov.sum(axis=1)

    @staticmethod
    def _seg_hits(segs: np.ndarray, boxes: list) -> np.ndarray:
        """Leader segments (n×4) crossing any of ``boxes`` (sampled every ~1.5 pt)."""
        if not boxes or not len(segs):
            return np.zeros(len(segs), dtype=bool)
        b = np.asarray(boxes, dtype=float)
        t = np.linspace(0.08, 1.0, 24)
        px = segs[:, None, 0] + (segs[:, None, 2] - segs[:, None, 0]) * t[None, :]
        py = segs[:, None, 1] + (segs[:, None, 3] - segs[:, None, 1]) * t[None, :]
        inside = ((px[:, :, None] > b[None, None, :, 0]) & (px[:, :, None] < b[None, None, :, 2])
                  & (py[:, :, None] > b[None, None, :, 1]) & (py[:, :, None] < b[None, None, :, 3]))
        return inside.any(axis=(1, 2))

    def place(self, s: str, x: float, y: float, r: float, size: float, color: Any,
              town: bool = False) -> bool:
        w = stringWidth(s, self.font, size)
        hgt = 1.1 * size
        p = self.PAD
        cands: list[tuple[float, float, float | None, float | None]] = []   # box x0, y0, leader end x, y
        g = r + 1.2
        near = [(x - w / 2, y + g), (x + g, y - hgt / 2), (x - g - w, y - hgt / 2), (x - w / 2, y - g - hgt),
                (x + g * 0.7, y + g * 0.7), (x - g * 0.7 - w, y + g * 0.7), (x + g * 0.7, y - g * 0.7 - hgt),
                (x - g * 0.7 - w, y - g * 0.7 - hgt)]
        if not town:
            near = near[1:2] + near[0:1] + near[2:]
        cands += [(nx, ny, None, None) for nx, ny in near]
        for ring, d in enumerate((r + 9, r + 15, r + 23, r + 33, r + 46, r + 62)):
            for k in range(16):
                th = math.radians(k * 22.5 + (11.25 if ring % 2 else 0.0))
                lx, ly = x + d * math.cos(th), y + d * math.sin(th)
                c = math.cos(th)
                cx = lx + 0.8 if c > 0.3 else lx - w - 0.8 if c < -0.3 else lx - w / 2
                cy = ly - hgt / 2 if abs(c) > 0.3 else (ly + 0.8 if math.sin(th) > 0 else ly - hgt - 0.8)
                cands.append((cx, cy, lx, ly))
        arr = np.array([(bx - p, by - p, bx + w + p, by + hgt + p) for bx, by, _, _ in cands])
        ok = (arr[:, 0] >= 1) & (arr[:, 1] >= 1) & (arr[:, 2] <= self.w - 1) & (arr[:, 3] <= self.h - 1)
        ok &= self._hits(arr, self.hard + [b for _, b in self.placed]) == 0
        if self.leaders:      # a label box must not lie on an earlier leader line
            t = np.linspace(0.0, 1.0, 24)
            lead = np.asarray(self.leaders, dtype=float)
            px = (lead[:, 0:1] + (lead[:, 2:3] - lead[:, 0:1]) * t).ravel()
            py = (lead[:, 1:2] + (lead[:, 3:4] - lead[:, 1:2]) * t).ravel()
            on = ((px[None, :] > arr[:, 0:1]) & (px[None, :] < arr[:, 2:3])
                  & (py[None, :] > arr[:, 1:2]) & (py[None, :] < arr[:, 3:4])).any(axis=1)
            ok &= ~on
        segs = np.array([(x, y, ex, ey) if ex is not None else (x, y, x, y) for _, _, ex, ey in cands], dtype=float)
        has_leader = np.array([ex is not None for _, _, ex, _ in cands])
        if has_leader.any():
            # a leader must not cross a placed label
            ok[has_leader] &= ~self._seg_hits(segs[has_leader], [b for _, b in self.placed])
        if not ok.any():
            return False
        soft = self._hits(arr, self.soft)
        order = np.arange(len(cands))
        cost = np.where(ok, order + 1000 * soft, np.inf)
        k = int(np.argmin(cost))
        bx, by, ex, ey = cands[k]
        box = (float(arr[k, 0]), float(arr[k, 1]), float(arr[k, 2]), float(arr[k, 3]))
        if ex is not None and ey is not None:
            # leader from the symbol's rim to the label box edge
            th = math.atan2(ey - y, ex - x)
            sx, sy = x + (r + 0.5) * math.cos(th), y + (r + 0.5) * math.sin(th)
            self.leaders.append((sx, sy, ex, ey))
            self.items.append(Line(sx, sy, ex, ey, strokeColor=LEADER, strokeWidth=0.4))
        self.placed.append((s, box))
        self.items.append(Rect(box[0], box[1], box[2] - box[0], box[3] - box[1], fillColor=colors.white,
                               fillOpacity=0.8, strokeColor=None))
        self.items.append(_text(bx, by + 0.24 * size, s, self.font, size, color))
        return True


# -- outline checks ---------------------------------------------------------------------------------
def _despike(geom: Any, max_angle: float = 20.0, max_share: float = 0.002) -> tuple[Any, list[tuple[float, float]]]:
    """``geom`` without spike vertices: where the outline runs out and straight back (the two
    edges meet at less than ``max_angle`` degrees) around a sliver of less than ``max_share`` of
    the polygon's area — what a simplified outline of a narrow strip degenerates to. Returns the
    cleaned geometry and the lon/lat of the vertices left out."""
    removed: list[tuple[float, float]] = []

    def sharp(c: np.ndarray, kx: float, area: float) -> np.ndarray:
        """Indices of the spike vertices of ring ``c`` (open, n×2)."""
        v1 = np.roll(c, 1, axis=0) - c
        v2 = np.roll(c, -1, axis=0) - c
        v1[:, 0] *= kx
        v2[:, 0] *= kx
        n = np.hypot(v1[:, 0], v1[:, 1]) * np.hypot(v2[:, 0], v2[:, 1])
        with np.errstate(invalid="ignore", divide="ignore"):
            cos = np.einsum("ij,ij->i", v1, v2) / n
        tri = np.abs(v1[:, 0] * v2[:, 1] - v1[:, 1] * v2[:, 0]) / 2 / kx
        return np.nonzero((n > 0) & (cos > math.cos(math.radians(max_angle))) & (tri < max_share * area))[0]

    def ring(coords: np.ndarray, area: float) -> np.ndarray:
        c = coords[:-1]
        kx = math.cos(math.radians(float(np.mean(c[:, 1])))) if len(c) else 1.0
        while len(c) > 4:
            hit = sharp(c, kx, area)
            if not len(hit):
                break
            k = int(hit[0])          # one at a time: removing a vertex changes its neighbours' angles
            removed.append((float(c[k, 0]), float(c[k, 1])))
            c = np.delete(c, k, axis=0)
        return np.vstack([c, c[:1]])

    def poly(p):
        area = p.area
        return shapely.Polygon(ring(np.asarray(p.exterior.coords), area),
                               [ring(np.asarray(i.coords), area) for i in p.interiors])

    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return geom, removed
    out = poly(geom) if geom.geom_type == "Polygon" else shapely.MultiPolygon([poly(p) for p in geom.geoms])
    if not removed:
        return geom, removed
    return (out if out.is_valid else shapely.make_valid(out)), removed


def _val(v: Any) -> Any:
    """An enum member's value (site kind, status …), anything else unchanged."""
    return getattr(v, "value", v)


def _service_union(areas: Any) -> Any:
    """The shelters' service areas (GeoJSON by code) dissolved into one clean (multi)polygon:
    drawn as one even-odd path, the internal edges of the areas (a triangle mesh) vanish."""
    geoms = []
    for code, gj in sorted((areas or {}).items()):
        try:
            g = shapely.geometry.shape(gj)
        except Exception:  # a malformed polygon is left out, not fatal
            log.warning("service area of %s is malformed; left out of the map", code, exc_info=True)
            continue
        if not g.is_empty:
            geoms.append(g if g.is_valid else shapely.make_valid(g))
    if not geoms:
        return None
    u = shapely.union_all(geoms).buffer(0)
    return None if u.is_empty else u


def _service_union_of(result: Any) -> Any:
    """:func:`_service_union` of a result's service areas, computed once per result object."""
    hit = getattr(result, "_map_service_union", False)
    if hit is False:
        hit = _service_union(typed(result).service_areas)
        try:
            object.__setattr__(result, "_map_service_union", hit)
        except (AttributeError, TypeError):   # a result that takes no attributes: no cache
            pass
    return hit


def _districts(data: ReportData) -> tuple[list[Any], list[tuple[float, float]]]:
    """The district outlines to draw (spikes left out, :func:`_despike`) and the spikes' lon/lat,
    computed once per report."""
    hit = data.__dict__.get("_map_districts")
    if hit is None:
        districts, spikes = [], []
        for b in data.boundaries:
            if b.role == "district":
                g, rm = _despike(b.geometry)
                districts.append(g)
                spikes += rm
        hit = data.__dict__["_map_districts"] = (districts, spikes)
    return hit


def district_map(data: ReportData, font: str, width: float = 170 * mm, max_height: float = 165 * mm,
                 min_height: float = 110 * mm, *, extent: tuple[float, float, float, float] | None = None,
                 legend: bool = True, mark_box: tuple[float, float, float, float] | None = None,
                 mark_label: str | None = None, site_labels: bool = False,
                 compare_result: Any = None) -> MapResult:
    """Build the district map (frame + legend) as a reportlab Drawing of the given width.

    ``extent``: a lon/lat box to show instead of the whole district (an enlarged detail);
    ``mark_box``: a lon/lat box outlined on this map (where the detail is), labelled ``mark_label``;
    ``site_labels``: label the sites with their codes (a number and a :attr:`MapResult.callouts`
    key where the code does not fit);
    ``compare_result``: the baseline's result when ``data.result`` is a scenario — the baseline's
    service area is outlined for reference and units less served than in the baseline are boxed
    (listed in :attr:`MapResult.newly_uncovered`), so the scenario map reads beside the baseline map.
    """
    lang = data.lang
    inp, res = data.inp, typed(data.result)
    T = data.t
    notes: list[str] = []              # what is not on the map
    drawing_notes: list[str] = []      # how the drawing departs from the data (after ``notes``)
    drawn: set[str] = set()            # legend keys of what is on the map
    road_classes: set[str] = set()
    thr = fmt.qty(res.threshold_min) if res.threshold_min is not None else "15"

    # -- what can be drawn (WGS84) -------------------------------------------------------------
    districts = _districts(data)[0]
    town_bounds = [b for b in data.boundaries if b.role == "town"]
    du, st = inp.demand, inp.sites
    du_loc = located(du.lon, du.lat)
    st_loc = located(st.lon, st.lat)
    roads = inp.roads
    hazards = [h for h in inp.hazards if h.geometry is not None and not h.geometry.is_empty]
    service = _service_union_of(data.result)
    base = typed(compare_result) if compare_result is not None else None
    base_service = _service_union_of(compare_result) if compare_result is not None else None
    town_pts = {c: t for c, t in data.towns.items() if t.lon is not None and t.lat is not None}
    closed = {str(st.code[k]) for k in range(len(st)) if _val(st.status[k]) == "closed"}
    closed |= closed_site_codes(data.result)
    isolated = {u.code for u in res.isolation if u.status == "isolated"}
    flagged = {f.code for f in res.isolation_info.flagged}
    flagged |= {str(du.code[k]) for k in range(len(du)) if len(du.flags[k] or ())}
    newly: set[str] = set()
    if base is not None:
        for u in res.units:
            b_ = base.unit(u.code)
            if b_ is None:
                continue
            lost = (b_.served or 0.0) - (u.served or 0.0)
            if lost >= max(1.0, 0.005 * float(u.population or b_.population or 0.0)):
                newly.add(u.code)

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
    scale = 1.0
    if nothing:
        frame_w, frame_h = width, min_height
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

    content = Group()
    content.add(Rect(0, 0, frame_w, frame_h, fillColor=C("#F7F9FB"), strokeColor=None))
    lab = _Labeller(frame_w, frame_h, font)
    callouts: list[tuple[int, str, str]] = []
    unplaced: list[str] = []

    # -- furniture boxes first: labels keep clear of them -----------------------------------------
    bar_m = 0.0
    scale_right = 0.0
    if not nothing:
        lab.block((frame_w - 28, frame_h - 34, frame_w - 4, frame_h - 2))          # north arrow
        bar_m = nice_length((frame_w * 0.22) / scale)
        sw = stringWidth(tx.text("report.map.scale", lang, denominator=denominator or 0), font, 5.5)
        scale_right = max(8 + bar_m * scale + 40, 8 + sw)
        lab.block((5, 3, scale_right, 29))                                         # scale bar
    attr = []
    if data.osm_attribution:
        attr.append("© OpenStreetMap contributors, ODbL")
    if not data.boundary_authoritative:
        attr.append(T("report.map.sketch_map_simplified_outline_not_an"))
    attr_boxes = []
    widths = [stringWidth(s, font, 6.0) for s in attr]
    # beside the scale bar when there is room, above it on a narrow map
    y_attr = 3.0 if not widths or frame_w - max(widths) - 6 > scale_right + 2 else 31.0
    for n_, s in enumerate(reversed(attr)):
        size = 6.0
        w_ = stringWidth(s, font, size)
        if w_ > frame_w - 8:
            size *= (frame_w - 8) / w_
            w_ = frame_w - 8
        yy = y_attr + n_ * (6.0 + 2.5)
        attr_boxes.append((s, frame_w - w_ - 6, yy - 1.2, w_ + 4, size + 2.4, yy + 0.6, size))
        lab.block((frame_w - w_ - 6, yy - 1.2, frame_w - 2, yy - 1.2 + size + 2.4))
    missing = []
    n_unloc, n_st_unloc = int((~du_loc).sum()), int((~st_loc).sum())
    if len(du) and not du_loc.any():
        missing.append(T("report.map.n_units_no_coords", n=n_unloc))
    if len(st) and not st_loc.any():
        missing.append(T("report.map.n_sites_no_coords", n=n_st_unloc))
    if missing and not roads.n_edges:
        missing.append(T("report.map.roads_not_imported"))
    if missing and not nothing:
        msg = T("report.map.not_drawn_in_frame", what=T("report.list_sep").join(missing))
        size = 7.5
        w_ = min(stringWidth(msg, font, size), frame_w - 40)
        size = size * w_ / stringWidth(msg, font, size)
        content.add(Rect(4, frame_h - 16, w_ + 6, size + 6, fillColor=colors.white, fillOpacity=0.9,
                         strokeColor=C("#777777"), strokeWidth=0.4))
        content.add(_text(7, frame_h - 12.5, msg, font, size, C("#333333")))
        lab.block((4, frame_h - 16, w_ + 10, frame_h - 10 + size))

    if not nothing:
        proj = _Proj(tr, x0, y0, scale, ox, oy)
        tol = 0.25

        def page(gs):
            out = []
            for g in gs:
                if g is None:
                    continue
                pg = proj.geom(g)
                pg = shapely.clip_by_rect(pg, 0, 0, frame_w, frame_h)
                if not pg.is_empty:
                    out.append(shapely.simplify(pg, tol))
            return out

        # district area tint (inside white, outside the light frame colour)
        pd = page(districts)
        p = _path_from_polygons(pd, fillColor=colors.white, strokeColor=None)
        content.add(p if p is not None else Rect(0, 0, frame_w, frame_h, fillColor=colors.white, strokeColor=None))
        # town boundaries
        pt = page([b.geometry for b in town_bounds])
        p = _path_from_polygons(pt, fillColor=None, strokeColor=TOWN_LINE, strokeWidth=0.6,
                                strokeDashArray=[3, 1.5, 0.8, 1.5])
        if p is not None:
            content.add(p)
            drawn.add("town_boundary")
        # service areas: one dissolved area, one fill, its outline only
        ps = page([service])
        p = _path_from_polygons(ps, fillColor=SERVICE, fillOpacity=0.12, strokeColor=SERVICE,
                                strokeWidth=0.4, strokeOpacity=0.6)
        if p is not None:
            content.add(p)
            drawn.add("service")
        pb = page([base_service])
        p = _path_from_polygons(pb, fillColor=None, strokeColor=SERVICE, strokeWidth=0.7,
                                strokeDashArray=[2.5, 1.5])
        if p is not None:
            content.add(p)
            drawn.add("base_service")
        # hazard zones: light blue, blue 45° hatch, blue rim
        hazard_names: list[tuple[str, float, float]] = []
        for h in hazards:
            for ph in page([h.geometry]):
                if h.name and ph.area > 0:
                    big = max(getattr(ph, "geoms", [ph]), key=lambda g: g.area)
                    rp = big.representative_point()
                    hazard_names.append((str(h.name), rp.x, rp.y))
                p = _path_from_polygons([ph], fillColor=HAZARD_FILL, fillOpacity=0.55, strokeColor=HAZARD,
                                        strokeWidth=0.9)
                if p is not None:
                    content.add(p)
                    drawn.add("hazard")
                hp = _path_from_lines(_hatch(ph, 3.0), strokeColor=HAZARD, strokeWidth=0.45)
                if hp is not None:
                    content.add(hp)
        # roads
        if roads.n_edges:
            lines = roads.lines()
            if lines is not None:
                geoms = np.array([g if g is not None else shapely.LineString(
                    [(roads.node_lon[u], roads.node_lat[u]), (roads.node_lon[v], roads.node_lat[v])])
                    for g, u, v in zip(lines, roads.edge_u, roads.edge_v, strict=True)], dtype=object)
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
                        road_classes.add(cls)
        # district outline on top of the roads
        p = _path_from_polygons(pd, fillColor=None, strokeColor=DISTRICT_LINE, strokeWidth=1.4,
                                strokeDashArray=[6, 2, 1.2, 2])
        if p is not None:
            content.add(p)
            drawn.add("district")

        # demand units
        units = {u.code: u for u in res.units}
        max_pop = 0.0
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
                code = str(codes[k])
                u = units.get(code) or UnitOutcome(code=code)
                parts = [(u.served or 0.0, "served"), (u.over_capacity or 0.0, "over"),
                         (u.unreachable or 0.0, "unreach"), ((u.off_network or 0.0) + (u.unlocated or 0.0), "offnet")]
                parts = [(v, s) for v, s in parts if v > 0] or [(1.0, "offnet")]
                r = _radius(pops[k], max_pop)
                content.add(_unit_symbol(x, y, r, parts))
                drawn |= {s for _, s in parts} | {"unit_size"}
                if len(parts) > 1:
                    drawn.add("pie")
                rr = r
                if code in isolated:
                    content.add(_isolated_ring(x, y, r))
                    drawn.add("isolated")
                    rr = r + 2.5
                if code in newly:
                    content.add(_uncovered_square(x, y, r))
                    drawn.add("newly")
                    rr = r + 3.5
                if code in flagged:
                    content.add(_flag(x, y, r))
                    drawn.add("flagged")
                lab.block((x - rr, y - rr, x + rr, y + rr + (5 if code in flagged else 0)), soft=True)
        # sites
        site_pts: list[tuple[int, float, float, float]] = []
        if st_loc.any():
            px, py = proj.xy(st.lon[st_loc], st.lat[st_loc])
            idx = np.nonzero(st_loc)[0]
            rank = {"shelter": 0, "reserve_point": 1, "warehouse": 2}
            for j in sorted(range(len(idx)), key=lambda j: rank.get(st.kind[idx[j]], 0)):
                k = int(idx[j])
                x, y = float(px[j]), float(py[j])
                if not (0 <= x <= frame_w and 0 <= y <= frame_h):
                    continue
                kind, tier = _val(st.kind[k]), _val(st.tier[k])
                status = "closed" if str(st.code[k]) in closed else _val(st.status[k])
                size = 6.0 if kind != "shelter" else 5.2
                content.add(site_symbol(kind, tier, st.shelter_class[k], status, x, y, size))
                if status in ("closed", "planned"):
                    drawn.add(f"site_{status}")
                if status != "closed":
                    key = ("shelter_emergency" if _val(st.shelter_class[k]) == "emergency" else "shelter_fixed") \
                        if kind == "shelter" else kind if kind == "warehouse" else \
                        ("rp_village" if tier == "village" else "rp_town")
                    drawn.add(key)
                half = size * 0.65
                lab.block((x - half, y - half, x + half, y + half * 1.1))
                site_pts.append((k, x, y, half))
        # town labels
        tb = {b.code: b for b in town_bounds if b.code}
        no_place = []
        town_marks = []
        for code, t in sorted(data.towns.items()):
            if t.lon is not None and t.lat is not None:
                lon, lat = t.lon, t.lat
            elif code in tb:
                rp = tb[code].geometry.representative_point()
                lon, lat = rp.x, rp.y
            else:
                no_place.append(t.name)
                continue
            x, y = proj.xy(lon, lat)
            x, y = float(x), float(y)
            if not (0 <= x <= frame_w and 0 <= y <= frame_h):
                continue
            dot = not data.boundaries or code_is_point_only(data, t.name)
            if dot:
                content.add(Circle(x, y, 1.6, fillColor=TOWN_TEXT, strokeColor=colors.white, strokeWidth=0.4))
                lab.block((x - 1.8, y - 1.8, x + 1.8, y + 1.8))
                drawn.add("town_seat")
            town_marks.append((t.name, x, y, 1.8 if dot else 0.0))
        for name, x, y, r in town_marks:
            if not lab.place(name, x, y, r, 7.5 if width >= 120 * mm else 6.5, TOWN_TEXT, town=True):
                unplaced.append(name)
        if no_place and (town_pts or town_bounds) and legend:
            drawing_notes.append(T("report.map.towns_not_labelled", n=len(no_place),
                                   names=T("report.list_sep").join(no_place)))
        # hazard zone names, in the hazard colour
        for name, x, y in hazard_names:
            if not lab.place(name, x, y, 0.0, 7.0, HAZARD, town=True):
                unplaced.append(name)
        # the detail box
        if mark_box is not None:
            mb = proj.geom(shapely.box(*mark_box))
            x0b, y0b, x1b, y1b = mb.bounds
            content.add(Rect(x0b, y0b, x1b - x0b, y1b - y0b, fillColor=None, strokeColor=MARK,
                             strokeWidth=1.0, strokeDashArray=[3, 2]))
            if mark_label and not lab.place(mark_label, x1b, y1b, 0.0, 7.0, MARK, town=True):
                unplaced.append(mark_label)
        # site codes: the most crowded first, so they get the places nearest their symbols
        if site_labels and site_pts:
            xy = np.array([(x, y) for _, x, y, _ in site_pts])
            crowd = ((np.abs(xy[:, None, 0] - xy[None, :, 0]) < 25)
                     & (np.abs(xy[:, None, 1] - xy[None, :, 1]) < 12)).sum(axis=1)
            for j in sorted(range(len(site_pts)), key=lambda j: (-crowd[j], str(st.code[site_pts[j][0]]))):
                k, x, y, half = site_pts[j]
                code = str(st.code[k])
                if not code:
                    continue
                if lab.place(code, x, y, half, 5.2, C("#1A1A1A")):
                    continue
                n = len(callouts) + 1
                if lab.place(str(n), x, y, half, 5.2, C("#1A1A1A")):
                    callouts.append((n, code, data.site_name(code)))
                else:
                    unplaced.append(code)
        for item in lab.items:
            content.add(item)
        if unplaced and legend:
            drawing_notes.append(T("report.map.labels_not_placed", n=len(unplaced),
                                   names=T("report.list_sep").join(unplaced)))
        elif unplaced:
            log.info("map labels not placed: %s", unplaced)
    drawing_notes += _spike_note(data)

    # -- legend (only what is drawn) and the drawing -----------------------------------------------
    legend_cols = _legend_items(data, font, drawn, road_classes, roads, du, du_loc, max_pop_of(du, du_loc),
                                lang, thr) if legend else []
    lg, legend_h = _legend_group(legend_cols, width, font, T)
    fy = legend_h
    d = Drawing(width, frame_h + legend_h, initialFontName=font)
    content.transform = (1, 0, 0, 1, 0, fy)
    d.add(content)

    furn = Group()
    furn.add(Rect(0, fy, frame_w, frame_h, fillColor=None, strokeColor=colors.black, strokeWidth=0.8))
    if nothing:
        msg = T("report.map.nothing_in_this_plan_has_a")
        furn.add(_text(frame_w / 2, fy + frame_h / 2, msg, font, 9, C("#555555"), "middle"))
    else:
        _north_arrow(furn, frame_w - 16, fy + frame_h - 30, font, lang)
        _scale_bar(furn, 8, fy + 8, bar_m, scale, font, lang, denominator)
    for s, bx, by, bw, bh, ty, size in attr_boxes:
        furn.add(Rect(bx, fy + by, bw, bh, fillColor=colors.white, fillOpacity=0.8, strokeColor=None))
        furn.add(_text(frame_w - 4, fy + ty, s, font, size, C("#333333"), "end"))
    d.add(furn)

    if lg is not None:
        d.add(lg)

    placed = [(s, (b[0], b[1] + fy, b[2], b[3] + fy)) for s, b in lab.placed]
    if not legend:
        return MapResult(d, [], denominator, callouts, sorted(newly), placed, drawn, road_classes)
    notes = map_notes(data)
    return MapResult(d, notes + drawing_notes, denominator, callouts, sorted(newly), placed, drawn, road_classes)


def map_notes(data: ReportData) -> list[str]:
    """What is not on the map, and why (units and sites without coordinates, no roads, no
    district boundary, towns without points): the notes printed under the map."""
    T, lang = data.t, data.lang
    inp = data.inp
    du, st, roads = inp.demand, inp.sites, inp.roads
    du_loc, st_loc = located(du.lon, du.lat), located(st.lon, st.lat)
    n_unloc, n_st_unloc = int((~du_loc).sum()), int((~st_loc).sum())
    town_bounds = [b for b in data.boundaries if b.role == "town"]
    town_pts = {c: t for c, t in data.towns.items() if t.lon is not None and t.lat is not None}
    districts = [b for b in data.boundaries if b.role == "district"]
    notes: list[str] = []
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
        notes.append(T("report.map.not_on_the_map_demand_units", n_unloc=n_unloc, pop_txt=pop_txt,
                          towns_txt=towns_txt))
    if n_st_unloc:
        names = [f"{st.code[k]} {st.name[k]}" for k in np.nonzero(~st_loc)[0]]
        names_txt = T("report.list_sep").join(names)
        notes.append(T("report.map.not_on_the_map_sites_have", n_st=n_st_unloc, names_txt=names_txt))
    if not roads.n_edges:
        notes.append(T("report.map.no_road_network_imported_yet_travel"))
    if not districts:
        notes.append(T("report.map.no_district_boundary_imported_the_map"))
    if data.towns and not town_pts and not town_bounds:
        notes.append(T("report.map.towns_have_no_points_or_boundaries"))
    return notes


def _spike_note(data: ReportData) -> list[str]:
    spikes = _districts(data)[1]
    if not spikes:
        return []
    where = data.t("report.list_sep").join(f"{lo:.4f}, {la:.4f}" for lo, la in spikes)
    return [data.t("report.map.outline_spike", n=len(spikes), where=where)]


def _legend_group(cols: list, width: float, font: str, T: Any) -> tuple[Group | None, float]:
    """The legend (heading, rule, columns) and its height; (None, 0) without entries."""
    if not any(cols):
        return None, 0.0
    legend_h = max(sum(h for _, _, h in col) for col in cols) + 22
    lg = Group()
    col_w = width / len(cols)
    lg.add(_text(0, legend_h - 11, T("report.map.legend"), font, 8.5, colors.black))
    lg.add(Line(0, legend_h - 14, width, legend_h - 14, strokeColor=C("#999999"), strokeWidth=0.4))
    for c_, col in enumerate(cols):
        x = c_ * col_w
        y = legend_h - 18
        for draw, text, h in col:
            y -= h
            room = col_w - 22
            size = 7.2
            while size > 5.0 and stringWidth(text, font, size) > room:
                size -= 0.2
            if draw is None:   # a sub-heading
                lg.add(_text(x, y + 2.5, text, font, size, C("#444444")))
                continue
            draw(lg, x + 8, y + h / 2)
            lg.add(_text(x + 19, y + h / 2 - 2.5, text, font, size, colors.black))
    return lg, legend_h


def paired_maps(base: ReportData, scen: ReportData, font: str, width: float = 170 * mm,
                max_height: float = 110 * mm, min_height: float = 60 * mm) -> MapResult:
    """The baseline map (a, left) and a scenario map (b, right) side by side at one scale with one
    legend under both: the scenario map "beside the baseline". The scenario map is drawn with
    ``compare_result=base.result`` (the baseline's service area outlined, units less served
    boxed). ``base`` and ``scen`` are the report data of the two runs of one plan; the notes are
    the scenario map's (what is not drawn), :attr:`MapResult.newly_uncovered` the scenario's."""
    T = scen.t
    gap = 4 * mm
    half = (width - gap) / 2
    mb = district_map(base, font, half, max_height, min_height, legend=False)
    ms = district_map(scen, font, half, max_height, min_height, legend=False, compare_result=base.result)
    du = scen.inp.demand
    du_loc = located(du.lon, du.lat)
    res = typed(scen.result)
    thr = fmt.qty(res.threshold_min) if res.threshold_min is not None else "15"
    cols = _legend_items(scen, font, mb.legend_keys | ms.legend_keys, mb.road_classes | ms.road_classes,
                         scen.inp.roads, du, du_loc, max_pop_of(du, du_loc), scen.lang, thr)
    lg, legend_h = _legend_group(cols, width, font, T)
    head = 13.0
    fh = max(mb.drawing.height, ms.drawing.height)
    d = Drawing(width, legend_h + fh + head, initialFontName=font)
    scen_name = str(scen.result.scenario or "")
    caps = (T("report.map.pair_baseline"), T("report.map.pair_scenario", scenario=scen_name))
    for k, (m, cap) in enumerate(((mb, caps[0]), (ms, caps[1]))):
        g = Group(*m.drawing.contents)
        g.transform = (1, 0, 0, 1, k * (half + gap), legend_h + fh - m.drawing.height)
        d.add(g)
        size = 8.5
        while size > 6 and stringWidth(cap, font, size) > half:
            size -= 0.25
        d.add(_text(k * (half + gap), legend_h + fh + 4, cap, font, size, colors.black))
    if lg is not None:
        d.add(lg)
    notes = map_notes(scen) + _spike_note(scen)
    return MapResult(d, notes, ms.scale_denominator, [], ms.newly_uncovered, [],
                     mb.legend_keys | ms.legend_keys, mb.road_classes | ms.road_classes)


def max_pop_of(du: Any, du_loc: np.ndarray) -> float:
    if not du_loc.any():
        return 0.0
    pops = np.nan_to_num(du.population[du_loc].astype(float))
    return float(pops.max()) if len(pops) else 0.0


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

    for frac in (0.0, 0.5):
        g.add(_text(x + length * frac, y + 9, lab(metres * frac), font, 6.5, colors.black, "middle"))
    # the unit follows the last number (a separate unit beside the bar ran into the numbers)
    end = lab(metres)
    g.add(_text(x + length - stringWidth(end, font, 6.5) / 2, y + 9, f"{end} {unit}", font, 6.5, colors.black))
    if denominator:
        g.add(_text(x, y - 1.5, tx.text("report.map.scale", lang, denominator=denominator),
                    font, 5.5, C("#333333")))


def _legend_items(data: ReportData, font: str, drawn: set[str], road_classes: set[str], roads: Any, du: Any,
                  du_loc: np.ndarray, max_pop: float, lang: str, thr: str):
    """Three legend columns, each [(draw(group, x, y_centre) or None for a heading, label, height)],
    with an entry only for what the map shows."""
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

    def unit_item(parts, r=3.4, marker=None):
        def draw(g, x, y):
            g.add(_unit_symbol(x, y, r, parts))
            if marker is not None:
                g.add(marker(x, y, r))
        return draw

    def swatch(fill, opacity, stroke, hatch=None, dash=None):
        def draw(g, x, y):
            g.add(Rect(x - 6, y - 3.5, 12, 7, fillColor=fill, fillOpacity=opacity, strokeColor=stroke,
                       strokeWidth=0.6, strokeDashArray=dash))
            if hatch is not None:
                hp = _path_from_lines(_hatch(shapely.box(x - 6, y - 3.5, x + 6, y + 3.5), 3.0),
                                      strokeColor=hatch, strokeWidth=0.45)
                if hp is not None:
                    g.add(hp)
        return draw

    # demand units
    unit_rows = [
        ("served", unit_item([(1, "served")]), T("report.map.served_within_thr", thr=thr)),
        ("over", unit_item([(1, "over")]), T("report.map.reachable_but_shelters_full")),
        ("unreach", unit_item([(1, "unreach")]), T("report.map.no_shelter_within_thr", thr=thr)),
        ("offnet", unit_item([(1, "offnet")]), T("report.map.off_the_road_network")),
        ("pie", unit_item([(2, "served"), (1, "over"), (1, "unreach")]), T("report.map.pie_shares_of_one_unit")),
        ("isolated", unit_item([(1, "unreach")], 2.6, _isolated_ring), T("report.map.isolated_unit")),
        ("flagged", unit_item([(1, "served")], 2.6, _flag), T("report.map.flagged_unit")),
        ("newly", unit_item([(1, "unreach")], 2.2, _uncovered_square), T("report.map.newly_uncovered")),
    ]
    for key, draw, label in unit_rows:
        if key in drawn:
            units.append((draw, label, ROW))
    if "unit_size" in drawn:
        for v in _nice_pops(max_pop):
            r = _radius(v, max_pop)

            def draw_size(g, x, y, r=r):
                g.add(Circle(x, y, r, fillColor=None, strokeColor=C("#555555"), strokeWidth=0.5))
            units.append((draw_size, T("report.map.people_area_population", people=fmt.integer(v)),
                          max(ROW, 2 * r + 3)))
    if units:
        units.insert(0, (None, T("report.map.demand_units_villages_communities"), ROW))

    # sites
    def sym(kind, tier, cls, status="built"):
        return lambda g, x, y: g.add(site_symbol(kind, tier, cls, status, x, y, 6.0))

    site_rows = [
        ("shelter_fixed", sym("shelter", None, "long"), T("report.map.fixed_shelter")),
        ("shelter_emergency", sym("shelter", None, "emergency"), T("report.map.emergency_shelter")),
        ("warehouse", sym("warehouse", None, None), T("report.map.reserve_warehouse")),
        ("rp_town", sym("reserve_point", "town", None), T("report.map.town_reserve_station")),
        ("rp_village", sym("reserve_point", "village", None), T("report.map.village_reserve_point")),
        ("site_planned", sym("shelter", None, "long", "planned"), T("report.map.planned_hollow_symbol")),
        ("site_closed", sym("shelter", None, "long", "closed"), T("report.map.closed_site")),
        ("service", swatch(SERVICE, 0.12, SERVICE), T("report.map.service_area_thr", thr=thr)),
        ("base_service", swatch(None, 1, SERVICE, dash=[2.5, 1.5]), T("report.map.baseline_service_area")),
        ("hazard", swatch(HAZARD_FILL, 0.55, HAZARD, hatch=HAZARD), T("report.map.hazard_zone")),
    ]
    for key, draw, label in site_rows:
        if key in drawn:
            sites.append((draw, label, ROW))
    if sites:
        sites.insert(0, (None, T("report.map.sites"), ROW))

    # lines
    if "district" in drawn:
        lines.append((line_item(DISTRICT_LINE, 1.4, [6, 2, 1.2, 2]), T("report.map.district_boundary"), ROW))
    if "town_boundary" in drawn:
        lines.append((line_item(TOWN_LINE, 0.6, [3, 1.5, 0.8, 1.5]), T("report.map.town_boundary"), ROW))
    if "town_seat" in drawn:
        lines.append((lambda g, x, y: g.add(Circle(x, y, 1.8, fillColor=TOWN_TEXT, strokeColor=colors.white,
                                                   strokeWidth=0.4)), T("report.map.town_seat"), ROW))
    for cls in reversed(ROAD_ORDER):
        if cls in road_classes:
            w, col, casing = ROAD_STYLE[cls]
            lines.append((line_item(col, w, [1.2, 0.8] if cls == "path" else None, casing),
                          ROAD_LABEL[lang if lang in ROAD_LABEL else "en"][cls], ROW))
    if not roads.n_edges:
        lines.append((line_item(C("#CCCCCC"), 0.5, [1, 2]), T("report.map.no_road_network_yet"), ROW))
    if lines:
        lines.insert(0, (None, T("report.map.boundaries_and_roads"), ROW))
    return [col for col in (units, sites, lines) if col]


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
    # fit the box to the cluster (a margin for symbols and labels), no larger than the window,
    # at a page-like shape (height 0.7 – 1.15 × width) so the enlargement is as large as it can be
    sx0, sx1, sy0, sy1 = float(x[sel].min()), float(x[sel].max()), float(y[sel].min()), float(y[sel].max())
    w_ = min(2 * half, max(800.0, (sx1 - sx0) * 1.25 + 200.0))
    h_ = min(2 * half * 0.8, max(600.0, (sy1 - sy0) * 1.25 + 200.0))
    w_, h_ = max(w_, h_ / 1.15), max(h_, w_ * 0.7)
    cx, cy = (sx0 + sx1) / 2, (sy0 + sy1) / 2
    inv = transformer(epsg, WGS84)
    lon0, lat0 = inv.transform(cx - w_ / 2, cy - h_ / 2)
    lon1, lat1 = inv.transform(cx + w_ / 2, cy + h_ / 2)
    return (float(lon0), float(lat0), float(lon1), float(lat1))
