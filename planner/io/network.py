"""The road network shared by the importers (:mod:`planner.io.osm`, :mod:`planner.io.roads_geojson`).

Road classes, ``maxspeed`` parsing, the clip boundary, :class:`RoadNetworkData` (the graph as
column arrays), :func:`build_graph` (split ways at shared nodes and ends, measure on the WGS84
ellipsoid, clip) and :func:`write_network` (one transaction, replace or add). The rules are
documented in :mod:`planner.io.osm` ("The graph", "Clipping", "Replacing"); both file readers
turn their input into :class:`Way` lists and hand them to :func:`build_graph`.
"""
from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, func, insert, select

from planner.geo import from_metric, geod, to_metric, utm_epsg
from planner.io.errors import ImportFailed, ImportProblem, ImportReport
from planner.models import Boundary, CandidateSite, RoadEdge, RoadNode, table_of
from planner.progress import check_cancel, tell
from planner.text import text as _t

__all__ = [
    "DRIVABLE_CLASSES", "NON_DRIVABLE_CLASSES", "OSM_SOURCE", "ROAD_CLASSES", "WALKABLE_CLASSES",
    "RoadNetworkData", "Way", "WayColumns", "access_from_tags", "build_graph", "check_cancel", "clip_name",
    "network_report",
    "parse_maxspeed", "resolve_boundary", "tell", "utm_crs_for", "write_network",
]

#: ``source`` of candidate sites read from OpenStreetMap (``replace=True`` deletes only these)
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

_NAME_MAX = 200

# -- walk / drive permissions from access tags (rules: planner.io.osm, "Who may use a road") ----
ALLOW_VALUES = frozenset({"yes", "designated", "permissive", "destination", "official"})
DENY_VALUES = frozenset({"no", "private"})
DRIVE_DENY_VALUES = DENY_VALUES | {"agricultural", "forestry", "agricultural;forestry"}
#: most specific first: the first of these tags with a value in ALLOW / DRIVE_DENY decides
DRIVE_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")
#: only these keys ADMIT a road for driving whatever its class (vehicle=yes includes bicycles,
#: access=yes is generic: they lift a less specific ban but leave the class to decide)
DRIVE_ADMIT_KEYS = ("motorcar", "motor_vehicle")


def _tag(get: Any, key: str) -> str:
    val = get(key)
    return "" if val is None else str(val).strip().lower()


def access_from_tags(get: Any) -> tuple[bool | None, bool | None]:
    """(walk_access, drive_access) of a road from its tags (``get(key)`` → value or None):
    True = allowed whatever the class, False = forbidden, None = by highway class.

    Walking: ``foot`` = yes/designated/permissive/destination/official → True; ``foot`` =
    no/private → False; otherwise ``access`` = no/private or ``motorroad=yes`` → False; else None
    (so ``highway=motorway`` is walked only with ``foot=yes``: the class lists leave it out).
    Driving: the most specific of ``motorcar`` > ``motor_vehicle`` > ``vehicle`` > ``access``
    with a known value decides: no/private/agricultural/forestry → False; an allowing value →
    True for motorcar/motor_vehicle, None (the class decides) for vehicle/access. So a footway,
    path, track … is driven only with ``motor_vehicle``/``motorcar`` = yes, and ``access=no`` +
    ``motor_vehicle=yes`` is driven but not walked.
    """
    foot = _tag(get, "foot")
    if foot in ALLOW_VALUES:
        walk: bool | None = True
    elif foot in DENY_VALUES:
        walk = False
    elif _tag(get, "access") in DENY_VALUES or _tag(get, "motorroad") == "yes":
        walk = False
    else:
        walk = None
    drive: bool | None = None
    for key in DRIVE_KEYS:
        val = _tag(get, key)
        if val in DRIVE_DENY_VALUES:
            drive = False
            break
        if val in ALLOW_VALUES:
            drive = True if key in DRIVE_ADMIT_KEYS else None
            break
    return walk, drive


# -- small helpers ------------------------------------------------------------------------------
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


def clip_name(name: Any) -> str | None:
    if name is None:
        return None
    s = str(name).strip()
    return s[:_NAME_MAX] if s else None


def utm_crs_for(lon: float, lat: float) -> str:
    """``"EPSG:326zz"`` / ``"EPSG:327zz"`` of the UTM zone holding (lon, lat) (:func:`planner.geo.utm_epsg`)."""
    return f"EPSG:{utm_epsg(lon, lat)}"


def _buffer_wgs84(geom: BaseGeometry, metres: float) -> BaseGeometry:
    """Buffer a WGS84 geometry by ``metres`` in the UTM zone of its centroid."""
    if not metres:
        return geom
    c = geom.centroid
    crs = utm_epsg(c.x, c.y)
    return from_metric(shapely.buffer(to_metric(geom, crs), metres), crs)


def resolve_boundary(plan: Any, boundary: Any) -> BaseGeometry | None:
    """``"plan"`` → the plan's district boundary (or None), a geometry → itself, None → None."""
    if boundary is None:
        return None
    if isinstance(boundary, str):
        if boundary != "plan":
            raise ValueError(f"boundary must be 'plan', None or a shapely polygon, not {boundary!r}")
        if plan is None:
            return None
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
    edge_walk_access: list[bool | None]   # from access tags (access_from_tags); None = by class
    edge_drive_access: list[bool | None]
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
        """Driven with the default classes (:data:`DRIVABLE_CLASSES`) and the edges' own access."""
        return np.fromiter(((h in DRIVABLE_CLASSES) if a is None else a
                            for h, a in zip(self.edge_highway, self.edge_drive_access, strict=True)),
                           bool, self.n_edges)

    @property
    def edge_walkable(self) -> np.ndarray:
        """Walked with the default classes (:data:`WALKABLE_CLASSES`) and the edges' own access."""
        return np.fromiter(((h in WALKABLE_CLASSES) if a is None else a
                            for h, a in zip(self.edge_highway, self.edge_walk_access, strict=True)),
                           bool, self.n_edges)

    @property
    def drivable_km(self) -> float:
        return self._km(self.drivable_mask)

    @property
    def walkable_km(self) -> float:
        return self._km(self.edge_walkable)

    def stats(self) -> dict[str, float]:
        return {"nodes": self.n_nodes, "edges": self.n_edges, "km": round(self.total_km, 3),
                "drivable_km": round(self.drivable_km, 3), "walkable_km": round(self.walkable_km, 3),
                "oneway_edges": int(self.edge_oneway.sum()), **self.access_counts()}

    def access_counts(self) -> dict[str, int]:
        """Edges whose own tags forbid walking / driving (not counting the class rules)."""
        return {"walk_forbidden_edges": sum(1 for a in self.edge_walk_access if a is False),
                "drive_forbidden_edges": sum(1 for a in self.edge_drive_access if a is False)}

    def node_rows(self) -> list[dict[str, Any]]:
        return [{"id": int(i), "lon": float(x), "lat": float(y)}
                for i, x, y in zip(self.node_id.tolist(), self.node_lon.tolist(), self.node_lat.tolist(),
                                               strict=True)]

    def edge_rows(self, wkb: bool = False) -> list[dict[str, Any]]:
        """The edges as rows to insert; ``wkb``: geometries encoded as WKB in one vectorised call
        (``shapely.to_wkb`` on the whole column; the Geometry column takes bytes as they are)
        rather than one call per row while binding — the same bytes, much faster for big networks."""
        geoms = shapely.to_wkb(self.edge_geometry).tolist() if wkb and len(self.edge_geometry) else \
            self.edge_geometry.tolist()
        return [{"u": u, "v": v, "highway": h, "oneway": o, "length_m": ln, "name": nm,
                 "maxspeed_kmh": ms, "osm_way_id": w, "geometry": g, "walk_access": wa, "drive_access": da}
                for u, v, h, o, ln, nm, ms, w, g, wa, da in zip(
                    self.edge_u.tolist(), self.edge_v.tolist(), self.edge_highway,
                    self.edge_oneway.tolist(), self.edge_length_m.tolist(), self.edge_name,
                    self.edge_maxspeed, self.edge_way_id, geoms,
                    self.edge_walk_access, self.edge_drive_access, strict=True)]

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
            edge_walk_access=[self.edge_walk_access[i] for i in idx],
            edge_drive_access=[self.edge_drive_access[i] for i in idx], notes=list(self.notes),
            skipped=self.skipped)


@dataclass
class Way:
    """One run of a road as read from a file: node ids and positions in travel order."""

    ids: list[int]
    lon: list[float]
    lat: list[float]
    highway: str
    oneway: bool
    name: str | None
    maxspeed: float | None
    way_id: int | None
    walk_access: bool | None = None    # access_from_tags: None = by class
    drive_access: bool | None = None


@dataclass
class WayColumns:
    """Runs of roads as read from a file, in flat columns: the compact form of a list of
    :class:`Way` (no Python object per vertex — what keeps a city-size import small).

    ``ids``/``lon``/``lat`` hold every vertex of every run, run after run; ``lens`` the vertex
    count of each run; the other columns one value per run."""

    ids: np.ndarray               # int64
    lon: np.ndarray               # float64
    lat: np.ndarray
    lens: np.ndarray              # int64, per run
    highway: list[str]
    oneway: list[bool]
    name: list[str | None]
    maxspeed: list[float | None]
    way_id: list[int | None]
    walk_access: list[bool | None]
    drive_access: list[bool | None]

    def __len__(self) -> int:
        return int(len(self.lens))

    @classmethod
    def from_ways(cls, ways: list[Way]) -> WayColumns:
        ways = [w for w in ways if len(w.ids) >= 2]
        n = len(ways)
        lens = np.fromiter((len(w.ids) for w in ways), np.int64, n)
        total = int(lens.sum())
        return cls(np.fromiter((i for w in ways for i in w.ids), np.int64, total),
                   np.fromiter((x for w in ways for x in w.lon), np.float64, total),
                   np.fromiter((y for w in ways for y in w.lat), np.float64, total), lens,
                   [w.highway for w in ways], [w.oneway for w in ways], [w.name for w in ways],
                   [w.maxspeed for w in ways], [w.way_id for w in ways], [w.walk_access for w in ways],
                   [w.drive_access for w in ways])

    def ways(self) -> list[Way]:
        """The runs as :class:`Way` objects."""
        out = []
        ends = np.cumsum(self.lens).tolist()
        ids, lon, lat = self.ids.tolist(), self.lon.tolist(), self.lat.tolist()
        a = 0
        for k, b in enumerate(ends):
            out.append(Way(ids[a:b], lon[a:b], lat[a:b], self.highway[k], self.oneway[k], self.name[k],
                           self.maxspeed[k], self.way_id[k], self.walk_access[k], self.drive_access[k]))
            a = b
        return out


def _pick(values: list[Any], idx: np.ndarray) -> list[Any]:
    """``[values[i] for i in idx]`` done in C (an object array gathered, then listed)."""
    arr = np.empty(len(values), object)
    arr[:] = values
    return arr[idx].tolist()


def build_graph(ways: list[Way] | WayColumns, source: str, *, boundary: BaseGeometry | None = None,
                clip_buffer_m: float = 0.0, progress: Any = None) -> RoadNetworkData:
    """Split ways at shared nodes and ends, measure and (optionally) clip. Vectorised.

    ``ways``: a list of :class:`Way` or their compact :class:`WayColumns`. Only the edges kept by
    the clip get a geometry."""
    cols = ways if isinstance(ways, WayColumns) else WayColumns.from_ways(ways)
    nway = len(cols)
    if nway == 0:
        raise ValueError("no ways")
    lens, ids, lon, lat = cols.lens, cols.ids, cols.lon, cols.lat
    total = int(lens.sum())
    starts = np.zeros(nway, np.int64)
    starts[1:] = np.cumsum(lens)[:-1]
    ends = starts + lens - 1
    way_of = np.repeat(np.arange(nway), lens)

    # graph nodes: ends of ways and vertices used more than once
    # (a sort: numpy's hashing np.unique is several times slower on millions of ids)
    order = np.argsort(ids, kind="stable")
    sid = ids[order]
    dup = np.zeros(total, bool)
    if total > 1:
        eq = sid[1:] == sid[:-1]
        dup[1:] |= eq
        dup[:-1] |= eq
        del eq
    is_node = np.empty(total, bool)
    is_node[order] = dup
    del order, sid, dup
    is_node[starts] = True
    is_node[ends] = True
    pos = np.flatnonzero(is_node)
    del is_node
    same_way = way_of[pos[:-1]] == way_of[pos[1:]]
    a = pos[:-1][same_way]
    b = pos[1:][same_way]
    del pos, same_way
    msg = _t("import.progress.building_graph") if progress is not None else ""
    tell(progress, 0.1, msg)

    # geodesic lengths: per-segment, cumulated (segments across ways zeroed)
    seg = np.zeros(total, np.float64)
    if total > 1:
        seg_len = np.asarray(geod().line_lengths(lon, lat), dtype=np.float64)
        seg_len[way_of[:-1] != way_of[1:]] = 0.0
        seg[1:] = seg_len
        del seg_len
    cum = np.cumsum(seg)
    del seg
    length = cum[b] - cum[a]
    del cum
    length = np.maximum(length, 0.0)
    tell(progress, 0.4, msg)

    # graph nodes (of all edges, before clipping: a node's position is its first use)
    mark = np.zeros(total, bool)
    mark[a] = True
    mark[b] = True
    node_pos = np.flatnonzero(mark)
    del mark
    # the first position of each id (np.unique(..., return_index=True) by a stable sort)
    order = np.argsort(ids[node_pos], kind="stable")
    sid = ids[node_pos][order]
    head = np.r_[True, sid[1:] != sid[:-1]] if len(sid) else np.zeros(0, bool)
    nid, npos = sid[head], node_pos[order[head]]
    del node_pos, order, sid, head

    ne = len(a)
    notes: list[str] = []
    if boundary is not None:
        # vertex indices of every edge (edges share their split vertex)
        nv = b - a + 1
        offs = np.zeros(ne, np.int64)
        offs[1:] = np.cumsum(nv)[:-1]
        vidx = np.arange(int(nv.sum()), dtype=np.int64) - np.repeat(offs - a, nv)
        area = _buffer_wgs84(boundary, clip_buffer_m) if clip_buffer_m else boundary
        shapely.prepare(area)
        inside = shapely.intersects_xy(area, lon[vidx], lat[vidx])
        del vidx
        keep = np.logical_or.reduceat(inside, offs) if ne else np.zeros(0, bool)
        del inside, offs, nv
        dropped = int(ne - keep.sum())
        if dropped:
            notes.append(_t("import.network.dropped", n=dropped,
                            buffer=_t("import.roads.buffer", m=f"{clip_buffer_m:g}") if clip_buffer_m else ""))
            a, b, length = a[keep], b[keep], length[keep]
            nmask = np.zeros(len(nid), bool)   # nid is sorted: the kept edges' ends by bisection
            nmask[np.searchsorted(nid, ids[a])] = True
            nmask[np.searchsorted(nid, ids[b])] = True
            nid, npos = nid[nmask], npos[nmask]
    tell(progress, 0.6, msg)
    ne = len(a)
    nv = b - a + 1
    offs = np.zeros(ne, np.int64)
    offs[1:] = np.cumsum(nv)[:-1]
    vidx = np.arange(int(nv.sum()), dtype=np.int64) - np.repeat(offs - a, nv)
    eidx = np.repeat(np.arange(ne), nv)
    geoms = shapely.linestrings(lon[vidx], lat[vidx], indices=eidx) if ne else np.empty(0, object)
    del vidx, eidx, offs, nv
    tell(progress, 0.9, msg)
    w_of_e = way_of[a]
    return RoadNetworkData(
        source=source, node_id=nid, node_lon=lon[npos], node_lat=lat[npos], edge_u=ids[a], edge_v=ids[b],
        edge_highway=_pick(cols.highway, w_of_e),
        edge_oneway=np.asarray(cols.oneway, bool)[w_of_e],
        edge_length_m=length,
        edge_name=_pick(cols.name, w_of_e),
        edge_maxspeed=_pick(cols.maxspeed, w_of_e),
        edge_way_id=_pick(cols.way_id, w_of_e),
        edge_geometry=geoms,
        edge_walk_access=_pick(cols.walk_access, w_of_e),
        edge_drive_access=_pick(cols.drive_access, w_of_e),
        notes=notes)


# -- writing ------------------------------------------------------------------------------------
_BATCH = 20000


#: a replacing network must keep at least this share of the edges it replaces (else: --replace)
SHRINK_LIMIT = 0.5


def _batches(rows: list[dict[str, Any]], n: int = _BATCH) -> Iterable[list[dict[str, Any]]]:
    for i in range(0, len(rows), n):
        yield rows[i:i + n]


def write_network(plan: Any, data: RoadNetworkData, *, candidates: list[dict[str, Any]] | None,
                  replace: bool, reason: str, progress: Any = None,
                  match_nodes_by_location: bool = False, allow_smaller: bool = False,
                  file: str = "", bulk_wkb: bool = True) -> dict[str, int]:
    """Write a network (and candidates) in ONE transaction. Returns inserted counts.

    Replacing a network by one with fewer than :data:`SHRINK_LIMIT` of its edges is refused
    (:class:`ImportFailed`, nothing written) unless ``allow_smaller``: a cut extract or a .pbf
    truncated between blocks reads as a valid but tiny network.

    A replacing write (``replace=True``, ``bulk_wkb``) streams the columns in chunks (no row dicts,
    the WKB of one chunk at a time): SQLite through the driver's executemany, PostgreSQL with psycopg
    through ``COPY``; the stored rows are those of the general path (asserted by the benchmark)."""
    if replace and bulk_wkb and not match_nodes_by_location:
        return _write_columns(plan, data, candidates=candidates, reason=reason, progress=progress,
                              allow_smaller=allow_smaller, file=file)
    node_rows = data.node_rows()
    edge_rows = data.edge_rows(wkb=bulk_wkb)
    cand_rows = list(candidates or [])
    tell(progress, 0.7, _t("import.progress.writing_network"))
    with plan.transaction(reason=reason) as s:
        if replace and not allow_smaller:
            have_edges = s.scalar(select(func.count()).select_from(table_of(RoadEdge))) or 0
            if have_edges and len(edge_rows) < SHRINK_LIMIT * have_edges:
                raise ImportFailed([ImportProblem(
                    file or reason, None, None,
                    _t("import.network.smaller", edges=f"{len(edge_rows):,}", have=f"{have_edges:,}"))])
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
        # SQLite: the road rows are plain values already (WKB bytes, numbers, text, booleans), so
        # they go to the driver's executemany as tuples — SQLAlchemy's per-row parameter and type
        # processing cost more than the insert itself; the stored rows are the same (a test and the
        # benchmark assert it). Other databases, and candidate sites (JSON), go through Core.
        raw = bulk_wkb and s.get_bind().dialect.name == "sqlite"
        for table, rows in ((table_of(RoadNode), node_rows), (table_of(RoadEdge), edge_rows),
                            (table_of(CandidateSite), cand_rows)):
            direct = raw and table.name in ("road_node", "road_edge") and rows
            if direct:
                cols = list(rows[0])
                sql = (f"INSERT INTO {table.name} ({', '.join(cols)}) "  # noqa: S608 - fixed names
                       f"VALUES ({', '.join('?' * len(cols))})")
            for chunk in _batches(rows):
                check_cancel(progress)
                if direct:
                    s.connection().exec_driver_sql(sql, [tuple(r[c] for c in cols) for r in chunk])
                else:
                    s.execute(insert(table), chunk)
                done += len(chunk)
                tell(progress, 0.7 + 0.29 * done / total, _t("import.progress.writing_table", table=table.name))
        check_cancel(progress)
    return {"nodes": len(node_rows), "edges": len(edge_rows), "candidates": len(cand_rows)}


_NODE_COLS = ("id", "lon", "lat")
_EDGE_COLS = ("u", "v", "highway", "oneway", "length_m", "name", "maxspeed_kmh", "osm_way_id", "geometry",
              "walk_access", "drive_access")
#: rows per chunk of the streaming write (WKB of one chunk at a time)
_CHUNK = 50000


def _node_chunks(data: RoadNetworkData) -> Iterable[list[tuple[Any, ...]]]:
    for i in range(0, data.n_nodes, _CHUNK):
        j = i + _CHUNK
        yield list(zip(data.node_id[i:j].tolist(), data.node_lon[i:j].tolist(), data.node_lat[i:j].tolist(),
                       strict=True))


def _edge_chunks(data: RoadNetworkData) -> Iterable[list[tuple[Any, ...]]]:
    for i in range(0, data.n_edges, _CHUNK):
        j = i + _CHUNK
        wkb = shapely.to_wkb(data.edge_geometry[i:j]).tolist()
        yield list(zip(data.edge_u[i:j].tolist(), data.edge_v[i:j].tolist(), data.edge_highway[i:j],
                       data.edge_oneway[i:j].tolist(), data.edge_length_m[i:j].tolist(), data.edge_name[i:j],
                       data.edge_maxspeed[i:j], data.edge_way_id[i:j], wkb, data.edge_walk_access[i:j],
                       data.edge_drive_access[i:j], strict=True))


def _write_columns(plan: Any, data: RoadNetworkData, *, candidates: list[dict[str, Any]] | None, reason: str,
                   progress: Any, allow_smaller: bool, file: str) -> dict[str, int]:
    """The replacing write of :func:`write_network`, streamed from the columns."""
    cand_rows = list(candidates or [])
    n_nodes, n_edges = data.n_nodes, data.n_edges
    tell(progress, 0.7, _t("import.progress.writing_network"))
    with plan.transaction(reason=reason) as s:
        if not allow_smaller:
            have_edges = s.scalar(select(func.count()).select_from(table_of(RoadEdge))) or 0
            if have_edges and n_edges < SHRINK_LIMIT * have_edges:
                raise ImportFailed([ImportProblem(
                    file or reason, None, None,
                    _t("import.network.smaller", edges=f"{n_edges:,}", have=f"{have_edges:,}"))])
        conn = s.connection()
        dialect = conn.dialect
        # SQLite: the change-stamp triggers (migration 0005) fire per row — they would double the
        # insert's time and stop SQLite from emptying the tables at once — so they are dropped
        # here, recreated from their own DDL after the insert and the stamp renewed once (all in
        # this transaction). PostgreSQL's fire once per statement and stay.
        triggers: list[str] = []
        if dialect.name == "sqlite":
            for name, ddl in conn.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name IN ('road_node', 'road_edge') ORDER BY name").fetchall():
                triggers.append(ddl)
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        s.execute(delete(table_of(RoadEdge)))
        s.execute(delete(table_of(RoadNode)))
        if candidates is not None:
            s.execute(delete(table_of(CandidateSite)).where(CandidateSite.source == OSM_SOURCE))
        dbapi = conn.connection.driver_connection
        total = max(1, n_nodes + n_edges + len(cand_rows))
        done = 0
        sqlite = dialect.name == "sqlite"
        copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
        old_cache = None
        cur = dbapi.cursor()
        try:
            indexes: list[str] = []
            if sqlite:   # a bigger page cache while the tables grow (restored below)
                old_cache = cur.execute("PRAGMA cache_size").fetchone()[0]
                cur.execute("PRAGMA cache_size=-131072")
                # the road_edge indexes are built once over the sorted column after the insert
                # (faster than growing them row by row; their DDL is read back from the schema,
                # so they are the same indexes — and all of it is one transaction)
                indexes = [r[0] for r in cur.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'road_edge' "
                    "AND sql IS NOT NULL ORDER BY name").fetchall()]
                for (iname,) in cur.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                            "AND tbl_name = 'road_edge' AND sql IS NOT NULL").fetchall():
                    cur.execute(f'DROP INDEX "{iname}"')
            for name, cols, chunks in (("road_node", _NODE_COLS, _node_chunks(data)),
                                       ("road_edge", _EDGE_COLS, _edge_chunks(data))):
                if copy:
                    with cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as cp:
                        for rows in chunks:
                            check_cancel(progress)
                            for r in rows:
                                cp.write_row(r)
                            done += len(rows)
                            tell(progress, 0.7 + 0.29 * done / total,
                                 _t("import.progress.writing_table", table=name))
                    continue
                mark = "?" if dialect.paramstyle == "qmark" else "%s"
                sql = (f"INSERT INTO {name} ({', '.join(cols)}) "  # noqa: S608 - fixed names
                       f"VALUES ({', '.join([mark] * len(cols))})")
                for rows in chunks:
                    check_cancel(progress)
                    cur.executemany(sql, rows)
                    done += len(rows)
                    tell(progress, 0.7 + 0.29 * done / total, _t("import.progress.writing_table", table=name))
            for ddl in indexes:
                cur.execute(ddl)
            for ddl in triggers:
                cur.execute(ddl)
            if triggers:
                cur.execute("UPDATE change_stamp SET stamp = lower(hex(randomblob(16))) WHERE name = 'roads'")
        finally:
            if old_cache is not None:
                cur.execute(f"PRAGMA cache_size={int(old_cache)}")
            cur.close()
        for chunk in _batches(cand_rows):
            check_cancel(progress)
            s.execute(insert(table_of(CandidateSite)), chunk)
            done += len(chunk)
            tell(progress, 0.7 + 0.29 * done / total, _t("import.progress.writing_table", table="candidate_site"))
        check_cancel(progress)
    return {"nodes": n_nodes, "edges": n_edges, "candidates": len(cand_rows)}


def network_report(path: Any, kind: str, data: RoadNetworkData, written: dict[str, int],
                   n_candidates: int | None, notes: list[str], t0: float) -> ImportReport:
    """The ImportReport of a network import (statistics, notes, rows already in the plan)."""
    stats: dict[str, float] = {
        "nodes": data.n_nodes, "edges": data.n_edges, "km": round(data.total_km, 3),
        "drivable_km": round(data.drivable_km, 3), "walkable_km": round(data.walkable_km, 3),
        "oneway_edges": int(data.edge_oneway.sum()), **data.access_counts(),
    }
    if n_candidates is not None:
        stats["candidates"] = n_candidates
    rep = ImportReport(file=str(path), kind=kind,
                       inserted=written["nodes"] + written["edges"] + written["candidates"],
                       skipped=data.skipped, notes=list(data.notes) + notes, stats=stats)
    if written["nodes"] < data.n_nodes or written["edges"] < data.n_edges:
        rep.notes.append(_t("import.network.already", nodes=data.n_nodes - written["nodes"],
                                edges=data.n_edges - written["edges"]))
    if n_candidates is not None and written["candidates"] < n_candidates:
        rep.notes.append(_t("import.network.candidates_already", n=n_candidates - written["candidates"]))
    rep.seconds = round(time.perf_counter() - t0, 3)
    stats["seconds"] = rep.seconds
    return rep


