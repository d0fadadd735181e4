"""Import a road network (and candidate shelter sites) from an OpenStreetMap extract.

Reading is done with pyosmium (``.osm``, ``.osm.pbf``, ``.osm.bz2``, ``.osm.gz``, ``.o5m``,
``.opl``; a file with another suffix is recognised by its first bytes). Everything is read and
checked *before* the plan is touched; the write is one transaction, so a refused or cancelled
import leaves the plan exactly as it was.

Which ways become roads
-----------------------
* The way has ``highway=<class>`` with ``<class>`` one of :data:`ROAD_CLASSES`: motorway, trunk,
  primary, secondary, tertiary, unclassified, residential, service, the ``*_link`` classes,
  living_street, road, track, path, footway, pedestrian, steps, cycleway, bridleway. Anything
  else (proposed, construction, platform, bus_stop, corridor, elevator, raceway …) is skipped.
* ``area=yes`` ways (pedestrian squares drawn as polygons) are skipped.
* ``access=no`` or ``access=private`` ways are skipped unless one of ``foot``, ``vehicle``,
  ``motor_vehicle``, ``motorcar`` or ``bicycle`` is ``yes``/``permissive``/``designated``/
  ``destination``.
* Nodes missing from the extract (ways cut at the extract border) are dropped; a way is split
  where nodes are missing rather than joined across the gap.

The graph
---------
Each kept way is split at every node it shares with another kept way (or that it visits twice)
and at its ends. :class:`~planner.models.RoadNode` rows are those nodes (``id`` = the OSM node
id); each :class:`~planner.models.RoadEdge` is the piece of way between two of them, with its
full WGS84 ``LineString``, ``length_m`` = geodesic length on the WGS84 ellipsoid (sum of the
segment lengths), ``highway``, ``name`` (``name:zh`` preferred, then ``name``), ``maxspeed_kmh``
(numeric values; ``mph`` and ``knots`` are converted; ``none``, ``walk``, ``RU:urban`` … give
NULL), ``osm_way_id`` and ``oneway``:

* ``oneway=yes|true|1``, ``junction=roundabout|circular`` and ``highway=motorway`` → True
  (an explicit ``oneway=no`` wins over the implied cases);
* ``oneway=-1|reverse`` → True and the geometry is reversed so that travel is always u → v;
* anything else (``no``, ``reversible``, ``alternating`` …) → False.

``oneway`` is a driving restriction; walking routes should ignore it.

Drivable classes (:data:`DRIVABLE_CLASSES`) are motorway … service, the links, living_street and
road; track, path, footway, pedestrian, steps, cycleway and bridleway are not drivable.
Walkable is every kept class except motorway / motorway_link, and not ways tagged ``foot=no``
(walkable km is only reported in the statistics; it is not stored).

Clipping
--------
``boundary="plan"`` uses the plan's :class:`~planner.models.Boundary` rows with role
``district`` (several are united; no row → no clipping); a shapely (Multi)Polygon in WGS84 clips
to it; ``None`` keeps everything. An edge is kept when any of its vertices lies inside (or on)
the boundary buffered by ``clip_buffer_m`` metres (the buffer is computed in the UTM zone of the
boundary's centroid). Nodes no longer used by any edge are dropped.

Candidate sites
---------------
OSM nodes, closed ways and multipolygon relations tagged ``amenity=school|college|university``
(kind ``school``), ``amenity=townhall`` (``townhall``), ``amenity=community_centre``
(``community``), ``leisure=park|playground`` and ``landuse=recreation_ground`` (``park``),
``leisure=sports_centre|stadium|pitch`` (``sports``) and ``place=square`` (``square``). Polygons
give their centroid (or a representative point when the centroid falls outside) and a geodesic
``area_m2``; nodes give ``area_m2 = NULL``. A node inside a polygon candidate of the same kind
(the school's node inside the school grounds) is dropped as a duplicate. With a boundary only
candidates whose point lies inside the (unbuffered) boundary are kept. ``source`` is
``"OpenStreetMap (ODbL)"``.

Replacing
---------
``replace=True`` deletes every road edge and node, and (when candidates are imported) every
candidate site whose source is OpenStreetMap, then inserts the new rows. ``replace=False`` adds
to what is there: nodes whose id already exists and edges with the same (u, v, osm_way_id) are
not inserted again; candidates with an existing ``osm_ref`` are skipped.
"""
from __future__ import annotations

import logging
import math
import os
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry.base import BaseGeometry

from planner.io.errors import ImportFailed, ImportProblem, ImportReport

log = logging.getLogger(__name__)

__all__ = [
    "OSM_SOURCE", "ROAD_CLASSES", "DRIVABLE_CLASSES", "WALKABLE_CLASSES", "RoadNetworkData",
    "import_osm", "import_road_geojson", "read_osm_network", "read_osm_candidates",
    "resolve_boundary", "parse_maxspeed",
]

OSM_SOURCE = "OpenStreetMap (ODbL)"

DRIVABLE_CLASSES = frozenset({
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
    "service", "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link",
    "living_street", "road",
})
NON_DRIVABLE_CLASSES = frozenset({
    "track", "path", "footway", "pedestrian", "steps", "cycleway", "bridleway",
})
ROAD_CLASSES = DRIVABLE_CLASSES | NON_DRIVABLE_CLASSES
WALKABLE_CLASSES = ROAD_CLASSES - {"motorway", "motorway_link"}

_ALLOW_VALUES = frozenset({"yes", "permissive", "designated", "destination"})
_ALLOW_KEYS = ("foot", "vehicle", "motor_vehicle", "motorcar", "bicycle")
_ONEWAY_YES = frozenset({"yes", "true", "1"})
_ONEWAY_REVERSE = frozenset({"-1", "reverse"})
_ONEWAY_NO = frozenset({"no", "false", "0"})

CANDIDATE_TAGS: dict[tuple[str, str], str] = {
    ("amenity", "school"): "school",
    ("amenity", "college"): "school",
    ("amenity", "university"): "school",
    ("amenity", "townhall"): "townhall",
    ("amenity", "community_centre"): "community",
    ("leisure", "park"): "park",
    ("leisure", "playground"): "park",
    ("landuse", "recreation_ground"): "park",
    ("leisure", "sports_centre"): "sports",
    ("leisure", "stadium"): "sports",
    ("leisure", "pitch"): "sports",
    ("place", "square"): "square",
}
_CANDIDATE_KEYS = tuple(sorted({k for k, _ in CANDIDATE_TAGS}))

_GEOD = Geod(ellps="WGS84")
_NAME_MAX = 200


class Progress(Protocol):  # pragma: no cover - typing only
    def set_progress(self, fraction: float, message: str) -> None: ...
    def is_cancelled(self) -> bool: ...


# -- small helpers ------------------------------------------------------------------------------
def _tell(progress: Any, fraction: float, message: str) -> None:
    if progress is None:
        return
    if getattr(progress, "is_cancelled", lambda: False)():
        raise InterruptedError("import cancelled")
    fn = getattr(progress, "set_progress", None)
    if fn is not None:
        fn(float(fraction), message)


def _check_cancel(progress: Any) -> None:
    if progress is not None and getattr(progress, "is_cancelled", lambda: False)():
        raise InterruptedError("import cancelled")


_SPEED_RE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(km/h|kmh|kph|mph|knots|kn)?\s*$", re.I)


def parse_maxspeed(value: Any) -> float | None:
    """``"50"`` → 50, ``"50 km/h"`` → 50, ``"30 mph"`` → 48.28; non-numeric values → None.

    For a list (``"50;30"``) the first value is used."""
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) and value > 0 else None
    s = str(value).split(";")[0].strip()
    m = _SPEED_RE.match(s)
    if not m:
        return None
    v = float(m.group(1).replace(",", "."))
    unit = (m.group(2) or "").lower()
    if unit == "mph":
        v *= 1.609344
    elif unit in ("knots", "kn"):
        v *= 1.852
    return round(v, 2) if v > 0 else None


def _clip_name(name: Any) -> str | None:
    if name is None:
        return None
    s = str(name).strip()
    return s[:_NAME_MAX] if s else None


def utm_crs_for(lon: float, lat: float) -> str:
    """EPSG code of the UTM zone holding (lon, lat)."""
    zone = min(60, max(1, int((lon + 180.0) // 6) + 1))
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def _buffer_wgs84(geom: BaseGeometry, metres: float) -> BaseGeometry:
    """Buffer a WGS84 geometry by ``metres`` in the UTM zone of its centroid."""
    if not metres:
        return geom
    c = geom.centroid
    crs = utm_crs_for(c.x, c.y)
    fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    projected = shapely.transform(geom, lambda x, y: fwd.transform(x, y), interleaved=False)
    buffered = shapely.buffer(projected, metres)
    return shapely.transform(buffered, lambda x, y: back.transform(x, y), interleaved=False)


def _geodesic_area(geom: BaseGeometry) -> float:
    """Area in m² on the WGS84 ellipsoid (holes subtracted)."""
    total = 0.0
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        x, y = poly.exterior.coords.xy
        total += abs(_GEOD.polygon_area_perimeter(x, y)[0])
        for ring in poly.interiors:
            x, y = ring.coords.xy
            total -= abs(_GEOD.polygon_area_perimeter(x, y)[0])
    return max(total, 0.0)


def _point_of(geom: BaseGeometry) -> tuple[float, float]:
    c = geom.centroid
    if not geom.contains(c):
        c = geom.representative_point()
    return float(c.x), float(c.y)


def resolve_boundary(plan: Any, boundary: Any) -> BaseGeometry | None:
    """``"plan"`` → the plan's district boundary (or None), a geometry → itself, None → None."""
    if boundary is None:
        return None
    if isinstance(boundary, str):
        if boundary != "plan":
            raise ValueError(f"boundary must be 'plan', None or a shapely polygon, not {boundary!r}")
        if plan is None:
            return None
        from sqlalchemy import select

        from planner.models import Boundary

        with plan.session() as s:
            geoms = [g for g in s.scalars(select(Boundary.geometry).where(Boundary.role == "district"))
                     if g is not None and not g.is_empty]
        if not geoms:
            return None
        return shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
    if isinstance(boundary, BaseGeometry):
        if boundary.is_empty:
            raise ValueError("the clip boundary is empty")
        if boundary.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
            raise ValueError(f"the clip boundary must be a polygon, not a {boundary.geom_type}")
        return boundary
    raise TypeError(f"boundary must be 'plan', None or a shapely polygon, not {type(boundary).__name__}")


# -- the network data ---------------------------------------------------------------------------
@dataclass
class RoadNetworkData:
    """A road graph read from a file, ready to be written to a plan (column arrays)."""

    source: str
    node_id: np.ndarray          # int64
    node_lon: np.ndarray
    node_lat: np.ndarray
    edge_u: np.ndarray           # int64
    edge_v: np.ndarray           # int64
    edge_highway: list[str]
    edge_oneway: np.ndarray      # bool
    edge_length_m: np.ndarray
    edge_name: list[str | None]
    edge_maxspeed: list[float | None]
    edge_way_id: list[int | None]
    edge_geometry: np.ndarray    # shapely LineStrings (WGS84)
    edge_walkable: np.ndarray    # bool (class and foot=no), statistics only
    notes: list[str] = field(default_factory=list)
    skipped: int = 0

    @property
    def n_nodes(self) -> int:
        return int(len(self.node_id))

    @property
    def n_edges(self) -> int:
        return int(len(self.edge_u))

    def _km(self, mask: np.ndarray | None = None) -> float:
        if mask is None:
            return float(self.edge_length_m.sum()) / 1000.0
        return float(self.edge_length_m[mask].sum()) / 1000.0

    @property
    def total_km(self) -> float:
        return self._km()

    @property
    def drivable_mask(self) -> np.ndarray:
        return np.fromiter((h in DRIVABLE_CLASSES for h in self.edge_highway), bool, self.n_edges)

    @property
    def drivable_km(self) -> float:
        return self._km(self.drivable_mask)

    @property
    def walkable_km(self) -> float:
        return self._km(self.edge_walkable)

    def stats(self) -> dict[str, float]:
        return {"nodes": self.n_nodes, "edges": self.n_edges, "km": round(self.total_km, 3),
                "drivable_km": round(self.drivable_km, 3), "walkable_km": round(self.walkable_km, 3),
                "oneway_edges": int(self.edge_oneway.sum())}

    def node_rows(self) -> list[dict[str, Any]]:
        return [{"id": int(i), "lon": float(x), "lat": float(y)}
                for i, x, y in zip(self.node_id.tolist(), self.node_lon.tolist(), self.node_lat.tolist(), strict=True)]

    def edge_rows(self) -> list[dict[str, Any]]:
        return [{"u": u, "v": v, "highway": h, "oneway": o, "length_m": ln, "name": nm,
                 "maxspeed_kmh": ms, "osm_way_id": w, "geometry": g}
                for u, v, h, o, ln, nm, ms, w, g in zip(
                    self.edge_u.tolist(), self.edge_v.tolist(), self.edge_highway,
                    self.edge_oneway.tolist(), self.edge_length_m.tolist(), self.edge_name,
                    self.edge_maxspeed, self.edge_way_id, self.edge_geometry.tolist(), strict=True)]

    def subset(self, keep: np.ndarray) -> RoadNetworkData:
        """Only the edges where ``keep`` is True (and the nodes they use)."""
        idx = np.flatnonzero(keep)
        u, v = self.edge_u[idx], self.edge_v[idx]
        used = np.unique(np.concatenate([u, v]))
        nmask = np.isin(self.node_id, used)
        return RoadNetworkData(
            source=self.source, node_id=self.node_id[nmask], node_lon=self.node_lon[nmask],
            node_lat=self.node_lat[nmask], edge_u=u, edge_v=v,
            edge_highway=[self.edge_highway[i] for i in idx], edge_oneway=self.edge_oneway[idx],
            edge_length_m=self.edge_length_m[idx], edge_name=[self.edge_name[i] for i in idx],
            edge_maxspeed=[self.edge_maxspeed[i] for i in idx],
            edge_way_id=[self.edge_way_id[i] for i in idx], edge_geometry=self.edge_geometry[idx],
            edge_walkable=self.edge_walkable[idx], notes=list(self.notes), skipped=self.skipped)


@dataclass
class _Way:
    ids: list[int]
    lon: list[float]
    lat: list[float]
    highway: str
    oneway: bool
    name: str | None
    maxspeed: float | None
    way_id: int | None
    walkable: bool


def build_graph(ways: list[_Way], source: str, *, boundary: BaseGeometry | None = None,
                clip_buffer_m: float = 0.0) -> RoadNetworkData:
    """Split ways at shared nodes and ends, measure and (optionally) clip. Vectorised."""
    ways = [w for w in ways if len(w.ids) >= 2]
    nway = len(ways)
    if nway == 0:
        raise ValueError("no ways")
    lens = np.fromiter((len(w.ids) for w in ways), np.int64, nway)
    total = int(lens.sum())
    ids = np.fromiter((i for w in ways for i in w.ids), np.int64, total)
    lon = np.fromiter((x for w in ways for x in w.lon), np.float64, total)
    lat = np.fromiter((y for w in ways for y in w.lat), np.float64, total)
    starts = np.zeros(nway, np.int64)
    starts[1:] = np.cumsum(lens)[:-1]
    ends = starts + lens - 1
    way_of = np.repeat(np.arange(nway), lens)

    # graph nodes: ends of ways and vertices used more than once
    _, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    is_node = counts[inverse] >= 2
    is_node[starts] = True
    is_node[ends] = True
    pos = np.flatnonzero(is_node)
    same_way = way_of[pos[:-1]] == way_of[pos[1:]]
    a = pos[:-1][same_way]
    b = pos[1:][same_way]

    # geodesic lengths: per-segment, cumulated (segments across ways zeroed)
    seg = np.zeros(total, np.float64)
    if total > 1:
        seg_len = np.asarray(_GEOD.line_lengths(lon, lat), dtype=np.float64)
        seg_len[way_of[:-1] != way_of[1:]] = 0.0
        seg[1:] = seg_len
    cum = np.cumsum(seg)
    length = cum[b] - cum[a]
    length = np.maximum(length, 0.0)

    # vertex indices of every edge (edges share their split vertex)
    nv = b - a + 1
    ne = len(a)
    offs = np.zeros(ne, np.int64)
    offs[1:] = np.cumsum(nv)[:-1]
    vidx = np.arange(int(nv.sum()), dtype=np.int64) - np.repeat(offs - a, nv)
    eidx = np.repeat(np.arange(ne), nv)

    keep = None
    notes: list[str] = []
    if boundary is not None:
        area = _buffer_wgs84(boundary, clip_buffer_m) if clip_buffer_m else boundary
        shapely.prepare(area)
        inside = shapely.intersects_xy(area, lon[vidx], lat[vidx])
        keep = np.logical_or.reduceat(inside, offs) if ne else np.zeros(0, bool)
        dropped = int(ne - keep.sum())
        if dropped:
            notes.append(f"{dropped} road segments outside the clip boundary"
                         + (f" (+{clip_buffer_m:g} m)" if clip_buffer_m else "") + " were dropped")

    geoms = shapely.linestrings(lon[vidx], lat[vidx], indices=eidx)
    w_of_e = way_of[a]
    u = ids[a]
    v = ids[b]
    node_pos = np.unique(np.concatenate([a, b]))
    nid, first = np.unique(ids[node_pos], return_index=True)
    npos = node_pos[first]
    data = RoadNetworkData(
        source=source, node_id=nid, node_lon=lon[npos], node_lat=lat[npos], edge_u=u, edge_v=v,
        edge_highway=[ways[i].highway for i in w_of_e.tolist()],
        edge_oneway=np.fromiter((ways[i].oneway for i in w_of_e.tolist()), bool, ne),
        edge_length_m=length,
        edge_name=[ways[i].name for i in w_of_e.tolist()],
        edge_maxspeed=[ways[i].maxspeed for i in w_of_e.tolist()],
        edge_way_id=[ways[i].way_id for i in w_of_e.tolist()],
        edge_geometry=geoms,
        edge_walkable=np.fromiter((ways[i].walkable for i in w_of_e.tolist()), bool, ne),
        notes=notes)
    if keep is not None:
        data = data.subset(keep)
    return data


# -- reading OSM --------------------------------------------------------------------------------
_SUFFIX_OK = (".osm", ".pbf", ".osm.pbf", ".osm.bz2", ".osm.gz", ".o5m", ".opl", ".osm.xml")


def _osm_file(path: Path) -> Any:
    """An ``osmium.io.File`` with the format from the suffix or, failing that, the first bytes."""
    import osmium

    name = path.name.lower()
    if name.endswith(_SUFFIX_OK):
        fmt = "osm" if name.endswith(".osm.xml") else ""
        return osmium.io.File(str(path), fmt) if fmt else osmium.io.File(str(path))
    with path.open("rb") as fh:
        head = fh.read(64)
    if head[:2] == b"\x1f\x8b":
        fmt = "osm.gz"
    elif head[:3] == b"BZh":
        fmt = "osm.bz2"
    elif head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        fmt = "osm"
    else:
        fmt = "pbf"
    return osmium.io.File(str(path), fmt)


def _fail(path: Any, message: str) -> ImportFailed:
    return ImportFailed([ImportProblem(str(path), None, None, message)])


def _check_path(path: Any) -> Path:
    p = Path(path)
    if not p.exists():
        raise _fail(p, "file not found")
    if not p.is_file():
        raise _fail(p, "not a file")
    if p.stat().st_size == 0:
        raise _fail(p, "the file is empty")
    return p


def _way_props(tags: Any, skipped: Counter) -> tuple[str, bool, bool, bool] | None:
    """(highway, oneway, reverse, walkable) or None when the way is not kept."""
    hw = tags.get("highway")
    if hw not in ROAD_CLASSES:
        skipped[f"highway={hw}"] += 1
        return None
    if tags.get("area") == "yes":
        skipped["area=yes"] += 1
        return None
    access = tags.get("access")
    if access in ("no", "private") and not any(tags.get(k) in _ALLOW_VALUES for k in _ALLOW_KEYS):
        skipped[f"access={access}"] += 1
        return None
    ow = (tags.get("oneway") or "").strip().lower()
    reverse = ow in _ONEWAY_REVERSE
    if ow in _ONEWAY_YES or reverse:
        oneway = True
    elif ow in _ONEWAY_NO:
        oneway = False
    else:
        oneway = hw == "motorway" or tags.get("junction") in ("roundabout", "circular")
    walkable = hw in WALKABLE_CLASSES and tags.get("foot") != "no"
    return hw, oneway, reverse, walkable


def _candidate_kind(tags: Any) -> str | None:
    for key in _CANDIDATE_KEYS:
        val = tags.get(key)
        if val is not None:
            kind = CANDIDATE_TAGS.get((key, val))
            if kind:
                return kind
    return None


def _read_osm(path: Any, *, network: bool, candidates: bool, progress: Any = None
              ) -> tuple[list[_Way], Counter, list[dict[str, Any]], int]:
    """One pass over the file: kept highway ways, skip reasons, raw candidates, missing nodes."""
    import osmium

    p = _check_path(path)
    keys = (("highway",) if network else ()) + (_CANDIDATE_KEYS if candidates else ())
    ways: list[_Way] = []
    skipped: Counter = Counter()
    cands: list[dict[str, Any]] = []
    missing = 0
    wkb = osmium.geom.WKBFactory() if candidates else None
    try:
        fp = osmium.FileProcessor(_osm_file(p)).with_locations()
        if candidates:
            fp = fp.with_areas(osmium.filter.KeyFilter(*_CANDIDATE_KEYS))
        fp = fp.with_filter(osmium.filter.KeyFilter(*keys))
        seen = 0
        for o in fp:
            seen += 1
            if progress is not None and seen % 5000 == 0:
                _check_cancel(progress)
            if isinstance(o, osmium.osm.Way):
                if not network or "highway" not in o.tags:
                    continue
                props = _way_props(o.tags, skipped)
                if props is None:
                    continue
                hw, oneway, reverse, walkable = props
                tags = o.tags
                name = _clip_name(tags.get("name:zh") or tags.get("name"))
                speed = parse_maxspeed(tags.get("maxspeed"))
                wid = o.id
                # runs of nodes with a known location (split where nodes are missing)
                runs: list[tuple[list[int], list[float], list[float]]] = []
                ids: list[int] = []
                xs: list[float] = []
                ys: list[float] = []
                for nd in o.nodes:
                    loc = nd.location
                    if loc.valid():
                        ids.append(nd.ref)
                        xs.append(loc.lon)
                        ys.append(loc.lat)
                    else:
                        missing += 1
                        if ids:
                            runs.append((ids, xs, ys))
                            ids, xs, ys = [], [], []
                if ids:
                    runs.append((ids, xs, ys))
                for ids, xs, ys in runs:
                    if len(ids) < 2:
                        continue
                    if reverse:
                        ids.reverse()
                        xs.reverse()
                        ys.reverse()
                    ways.append(_Way(ids, xs, ys, hw, oneway, name, speed, wid, walkable))
            elif isinstance(o, osmium.osm.Node):
                if not candidates:
                    continue
                kind = _candidate_kind(o.tags)
                if kind is None:
                    continue
                loc = o.location
                if not loc.valid():
                    continue
                tags = o.tags
                cands.append({"kind": kind, "name": _clip_name(tags.get("name:zh") or tags.get("name")),
                              "lon": loc.lon, "lat": loc.lat, "area_m2": None,
                              "osm_ref": f"n{o.id}", "geometry": None})
            elif isinstance(o, osmium.osm.Area):
                if not candidates or wkb is None:  # wkb exists exactly when candidates are read
                    continue
                kind = _candidate_kind(o.tags)
                if kind is None:
                    continue
                try:
                    geom = shapely.from_wkb(wkb.create_multipolygon(o))
                except Exception:  # broken polygon: skip it (counted in the import summary)
                    log.debug("OSM area %s%s: broken candidate polygon, skipped", "w" if o.from_way() else "r",
                              o.orig_id(), exc_info=True)
                    skipped["broken candidate polygon"] += 1
                    continue
                if geom is None or geom.is_empty:
                    continue
                if not geom.is_valid:
                    geom = shapely.make_valid(geom)
                tags = o.tags
                ref = ("w" if o.from_way() else "r") + str(o.orig_id())
                cands.append({"kind": kind, "name": _clip_name(tags.get("name:zh") or tags.get("name")),
                              "lon": None, "lat": None, "area_m2": None, "osm_ref": ref,
                              "geometry": geom})
    except InterruptedError:
        raise
    except ImportFailed:
        raise
    except Exception as exc:  # osmium: RuntimeError for bad PBF/XML, truncated files …
        raise _fail(p, f"cannot read this file as OpenStreetMap data: {exc}") from exc
    return ways, skipped, cands, missing


def _finish_candidates(raw: list[dict[str, Any]], boundary: BaseGeometry | None
                       ) -> tuple[list[dict[str, Any]], list[str]]:
    notes: list[str] = []
    polys = [c for c in raw if c["geometry"] is not None]
    points = [c for c in raw if c["geometry"] is None]
    for c in polys:
        c["lon"], c["lat"] = _point_of(c["geometry"])
        c["area_m2"] = round(_geodesic_area(c["geometry"]), 1)
    # drop nodes lying inside a polygon candidate of the same kind (duplicates of the polygon)
    if polys and points:
        tree = shapely.STRtree([c["geometry"] for c in polys])
        pts = shapely.points([c["lon"] for c in points], [c["lat"] for c in points])
        pidx, gidx = tree.query(pts, predicate="within")
        dup = {int(i) for i, j in zip(pidx.tolist(), gidx.tolist(), strict=True)
               if points[i]["kind"] == polys[j]["kind"]}
        if dup:
            notes.append(f"{len(dup)} candidate nodes inside a polygon of the same kind were "
                         "merged into the polygon")
            points = [c for i, c in enumerate(points) if i not in dup]
    out = polys + points
    if boundary is not None and out:
        shapely.prepare(boundary)
        inside = shapely.intersects_xy(boundary, [c["lon"] for c in out], [c["lat"] for c in out])
        n_out = int((~inside).sum())
        if n_out:
            notes.append(f"{n_out} candidate sites outside the boundary were dropped")
        out = [c for c, ok in zip(out, inside.tolist(), strict=True) if ok]
    for c in out:
        c.pop("geometry", None)
        c["source"] = OSM_SOURCE
    out.sort(key=lambda c: (c["kind"], c["osm_ref"]))
    return out, notes


def _network_from(path: Any, ways: list[_Way], skipped: Counter, missing: int,
                  boundary: BaseGeometry | None, clip_buffer_m: float) -> RoadNetworkData:
    if not ways:
        detail = ""
        if skipped:
            detail = " (skipped: " + ", ".join(f"{k} ×{n}" for k, n in skipped.most_common(8)) + ")"
        raise _fail(path, "no road ways (highway=motorway … path) in this file" + detail)
    data = build_graph(ways, str(path), boundary=boundary, clip_buffer_m=clip_buffer_m)
    if data.n_edges == 0:
        raise _fail(path, "no road lies inside the clip boundary"
                    + (f" (+{clip_buffer_m:g} m)" if clip_buffer_m else ""))
    notes = []
    n_skip = sum(skipped.values())
    if n_skip:
        notes.append(f"{n_skip} highway ways skipped: "
                     + ", ".join(f"{k} ×{n}" for k, n in skipped.most_common(10)))
    if missing:
        notes.append(f"{missing} way nodes missing from the extract were left out "
                     "(ways split at the gap)")
    data.notes = notes + data.notes
    data.skipped = n_skip
    return data


def read_osm_network(path: str | os.PathLike[str], *, boundary: BaseGeometry | None = None,
                     clip_buffer_m: float = 0.0, progress: Any = None) -> RoadNetworkData:
    """Read the road graph of an OSM file (no database). Raises :class:`ImportFailed`."""
    boundary = resolve_boundary(None, boundary)
    ways, skipped, _, missing = _read_osm(path, network=True, candidates=False, progress=progress)
    return _network_from(path, ways, skipped, missing, boundary, clip_buffer_m)


def read_osm_candidates(path: str | os.PathLike[str], *, boundary: BaseGeometry | None = None
                        ) -> list[dict[str, Any]]:
    """Candidate sites (schools, parks, squares …) of an OSM file as row dicts (no database).

    Keys: ``kind, name, lon, lat, area_m2, osm_ref, source``."""
    boundary = resolve_boundary(None, boundary)
    _, _, raw, _ = _read_osm(path, network=False, candidates=True)
    return _finish_candidates(raw, boundary)[0]


# -- writing ------------------------------------------------------------------------------------
_BATCH = 20000


def _batches(rows: list[dict[str, Any]], n: int = _BATCH) -> Iterable[list[dict[str, Any]]]:
    for i in range(0, len(rows), n):
        yield rows[i:i + n]


def write_network(plan: Any, data: RoadNetworkData, *, candidates: list[dict[str, Any]] | None,
                  replace: bool, reason: str, progress: Any = None,
                  match_nodes_by_location: bool = False) -> dict[str, int]:
    """Write a network (and candidates) in ONE transaction. Returns inserted counts."""
    from sqlalchemy import delete, insert, select

    from planner.models import CandidateSite, RoadEdge, RoadNode, table_of

    node_rows = data.node_rows()
    edge_rows = data.edge_rows()
    cand_rows = list(candidates or [])
    _tell(progress, 0.7, "writing the road network")
    with plan.transaction(reason=reason) as s:
        if replace:
            s.execute(delete(table_of(RoadEdge)))
            s.execute(delete(table_of(RoadNode)))
            if candidates is not None:
                s.execute(delete(table_of(CandidateSite)).where(CandidateSite.source == OSM_SOURCE))
        else:
            existing_ids = set(s.scalars(select(RoadNode.id)))
            if match_nodes_by_location:
                # new node ids (1..N from a GeoJSON) are renumbered after the existing ones,
                # except nodes at the very location of an existing node, which join it
                by_loc = {(round(x, 7), round(y, 7)): i
                          for i, x, y in s.execute(select(RoadNode.id, RoadNode.lon, RoadNode.lat))}
                nxt = max(existing_ids, default=0) + 1
                remap: dict[int, int] = {}
                for r in node_rows:
                    hit = by_loc.get((round(r["lon"], 7), round(r["lat"], 7)))
                    if hit is None:
                        remap[r["id"]] = nxt
                        nxt += 1
                    else:
                        remap[r["id"]] = hit
                for r in node_rows:
                    r["id"] = remap[r["id"]]
                for r in edge_rows:
                    r["u"], r["v"] = remap[r["u"]], remap[r["v"]]
            node_rows = [r for r in node_rows if r["id"] not in existing_ids]
            have = {(u, v, w) for u, v, w in s.execute(select(RoadEdge.u, RoadEdge.v, RoadEdge.osm_way_id))}
            edge_rows = [r for r in edge_rows if (r["u"], r["v"], r["osm_way_id"]) not in have]
            if cand_rows:
                refs = set(s.scalars(select(CandidateSite.osm_ref).where(CandidateSite.osm_ref.is_not(None))))
                cand_rows = [c for c in cand_rows if c["osm_ref"] not in refs]
        total = max(1, len(node_rows) + len(edge_rows) + len(cand_rows))
        done = 0
        for table, rows in ((table_of(RoadNode), node_rows), (table_of(RoadEdge), edge_rows),
                            (table_of(CandidateSite), cand_rows)):
            for chunk in _batches(rows):
                _check_cancel(progress)
                s.execute(insert(table), chunk)
                done += len(chunk)
                _tell(progress, 0.7 + 0.29 * done / total, f"writing {table.name}")
        _check_cancel(progress)
    return {"nodes": len(node_rows), "edges": len(edge_rows), "candidates": len(cand_rows)}


def _report(path: Any, kind: str, data: RoadNetworkData, written: dict[str, int],
            n_candidates: int | None, notes: list[str], t0: float) -> ImportReport:
    stats: dict[str, float] = {
        "nodes": data.n_nodes, "edges": data.n_edges, "km": round(data.total_km, 3),
        "drivable_km": round(data.drivable_km, 3), "walkable_km": round(data.walkable_km, 3),
        "oneway_edges": int(data.edge_oneway.sum()),
    }
    if n_candidates is not None:
        stats["candidates"] = n_candidates
    rep = ImportReport(file=str(path), kind=kind,
                       inserted=written["nodes"] + written["edges"] + written["candidates"],
                       skipped=data.skipped, notes=list(data.notes) + notes, stats=stats)
    if written["nodes"] < data.n_nodes or written["edges"] < data.n_edges:
        rep.notes.append(f"{data.n_nodes - written['nodes']} nodes and "
                         f"{data.n_edges - written['edges']} edges were already in the plan")
    if n_candidates is not None and written["candidates"] < n_candidates:
        rep.notes.append(f"{n_candidates - written['candidates']} candidate sites were already "
                         "in the plan")
    rep.seconds = round(time.perf_counter() - t0, 3)
    stats["seconds"] = rep.seconds
    return rep


def import_osm(plan: Any, path: str | os.PathLike[str], *, boundary: Any = "plan",
               clip_buffer_m: float = 0.0, replace: bool = True, with_candidates: bool = True,
               progress: Any = None) -> ImportReport:
    """Import the road network (and candidate sites) of an OSM file into ``plan``.

    Reads and checks everything first; writes in one transaction. Raises
    :class:`ImportFailed` (nothing written) for unreadable files or files without roads, and
    ``InterruptedError`` when ``progress.is_cancelled()`` turns True (nothing written)."""
    t0 = time.perf_counter()
    _tell(progress, 0.0, f"reading {Path(path).name}")
    clip = resolve_boundary(plan, boundary)
    ways, skipped, raw, missing = _read_osm(path, network=True, candidates=with_candidates,
                                            progress=progress)
    _tell(progress, 0.45, "building the road graph")
    data = _network_from(path, ways, skipped, missing, clip, clip_buffer_m)
    cands: list[dict[str, Any]] | None = None
    notes: list[str] = []
    if with_candidates:
        _tell(progress, 0.65, "candidate sites")
        cands, notes = _finish_candidates(raw, clip)
    if clip is None and boundary == "plan":
        notes.append("the plan has no district boundary: the network was not clipped")
    written = write_network(plan, data, candidates=cands, replace=replace, progress=progress,
                            reason=f"import road network from {Path(path).name}")
    _tell(progress, 1.0, "done")
    return _report(path, "osm road network", data, written,
                   None if cands is None else len(cands), notes, t0)


def import_road_geojson(plan: Any, path: str | os.PathLike[str], *, boundary: Any = "plan",
                        clip_buffer_m: float = 0.0, replace: bool = True,
                        progress: Any = None) -> ImportReport:
    """See :func:`planner.io.roads_geojson.import_road_geojson`."""
    from planner.io.roads_geojson import import_road_geojson as _imp

    return _imp(plan, path, boundary=boundary, clip_buffer_m=clip_buffer_m, replace=replace,
                progress=progress)
