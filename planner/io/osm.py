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
  ``destination`` (they are kept, with the permissions below).
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

``oneway`` is a driving restriction; walking routes ignore it.

Who may use a road (``walk_access``, ``drive_access``)
------------------------------------------------------
Which classes are walked and driven is the norms profile's choice (``network.walk_classes`` /
``drive_classes``; by default every kept class but motorway/motorway_link is walked, and
motorway … service, the links, living_street and road are driven — not track, path, footway,
pedestrian, steps, cycleway, bridleway). A way's own tags can override that; the importer
stores the result per edge (:func:`planner.io.network.access_from_tags`), NULL = the class
decides:

* walking: ``foot`` = yes / designated / permissive / destination / official → allowed (even a
  motorway); ``foot`` = no / private → forbidden; otherwise ``access`` = no / private or
  ``motorroad=yes`` → forbidden;
* driving: the most specific tag with a known value decides, ``motorcar`` > ``motor_vehicle`` >
  ``vehicle`` > ``access``: no / private / agricultural / forestry → forbidden; an allowing value
  (yes, designated, permissive, destination, official) → allowed whatever the class for
  ``motorcar`` / ``motor_vehicle``, and for ``vehicle`` / ``access`` the class decides (they
  include bicycles or everyone: ``access=yes`` does not open a footway to cars).

So a ``foot=no`` tunnel is driven but not walked, a ``motor_vehicle=no`` lane is walked but not
driven, a track with ``motor_vehicle=yes`` is driven, ``access=private`` + ``foot=yes`` is
walked only. The engine honours both columns (:mod:`planner.engine.graph`); the import
statistics count the edges whose tags forbid walking (``walk_forbidden_edges``) and driving
(``drive_forbidden_edges``), and ``walkable_km`` / ``drivable_km`` apply the default classes
and these permissions.

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
import os
import time
from array import array
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from planner.geo import geodesic_area_m2
from planner.io.errors import ImportFailed, ImportProblem, ImportReport, explain
from planner.io.network import (
    DRIVABLE_CLASSES,
    OSM_SOURCE,
    ROAD_CLASSES,
    WALKABLE_CLASSES,
    RoadNetworkData,
    Way,
    WayColumns,
    access_from_tags,
    build_graph,
    clip_name,
    network_report,
    parse_maxspeed,
    resolve_boundary,
    write_network,
)
from planner.progress import Cancelled, Span, tell
from planner.text import text as _t

log = logging.getLogger(__name__)

__all__ = [
    "OSM_SOURCE", "ROAD_CLASSES", "DRIVABLE_CLASSES", "WALKABLE_CLASSES", "RoadNetworkData",
    "import_osm", "read_osm_network", "read_osm_candidates",
    "resolve_boundary", "parse_maxspeed",
]

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


# -- candidate geometry -------------------------------------------------------------------------
#: osmium's coordinate of a location that is not in the file (a node missing from the extract)
_UNDEFINED = 2147483647


def _point_of(geom: BaseGeometry) -> tuple[float, float]:
    c = geom.centroid
    if not geom.contains(c):
        c = geom.representative_point()
    return float(c.x), float(c.y)


# -- reading OSM --------------------------------------------------------------------------------
_SUFFIX_OK = (".osm", ".pbf", ".osm.pbf", ".osm.bz2", ".osm.gz", ".o5m", ".opl", ".osm.xml")


def _osm_file(path: Path) -> Any:
    """An ``osmium.io.File`` with the format from the suffix or, failing that, the first bytes."""
    import osmium  # lazy for start-up speed: the C++ extension loads only when a file is read

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
        raise _fail(p, _t("import.file.not_found"))
    if not p.is_file():
        raise _fail(p, _t("import.file.not_a_file"))
    if p.stat().st_size == 0:
        raise _fail(p, _t("import.file.empty"))
    return p


def _way_props(tags: Any, skipped: Counter) -> tuple[str, bool, bool, bool | None, bool | None] | None:
    """(highway, oneway, reverse, walk_access, drive_access) or None when the way is not kept."""
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
    walk, drive = access_from_tags(tags.get)
    return hw, oneway, reverse, walk, drive


def _candidate_kind(tags: Any) -> str | None:
    for key in _CANDIDATE_KEYS:
        val = tags.get(key)
        if val is not None:
            kind = CANDIDATE_TAGS.get((key, val))
            if kind:
                return kind
    return None


def _read_osm(path: Any, *, network: bool, candidates: bool, progress: Any = None
              ) -> tuple[list[Way], Counter, list[dict[str, Any]], int]:
    """One pass over the file: kept highway ways, skip reasons, raw candidates, missing nodes."""
    cols, skipped, cands, missing = _read_osm_columns(path, network=network, candidates=candidates,
                                                      progress=progress)
    return cols.ways(), skipped, cands, missing


#: the WKB of this many ways is decoded at a time (bounded memory while reading)
_FLUSH = 20000


def _read_osm_columns(path: Any, *, network: bool, candidates: bool, progress: Any = None
                      ) -> tuple[WayColumns, Counter, list[dict[str, Any]], int]:
    """One pass over the file: kept highway ways as compact :class:`WayColumns` (split at missing
    nodes, reversed for ``oneway=-1``), skip reasons, raw candidates, missing nodes.

    The loop keeps only three flat integer arrays per vertex (node id and osmium's fixed-point
    coordinates); positions are checked and converted, and ways split at missing nodes, with
    numpy afterwards — the same values as ``Location.lon``/``lat`` (x ÷ 10⁷)."""
    import osmium  # lazy for start-up speed: the C++ extension loads only when a file is read

    p = _check_path(path)
    keys = (("highway",) if network else ()) + (_CANDIDATE_KEYS if candidates else ())
    skipped: Counter = Counter()
    cands: list[dict[str, Any]] = []
    ids = array("q")
    xs = array("i")
    ys = array("i")
    lens: list[int] = []
    props: list[tuple[str, bool, bool, bool | None, bool | None, str | None, float | None, int]] = []
    wkb = osmium.geom.WKBFactory() if candidates else None
    name_file = p.name
    # a guess of the file's road ways for the progress bar (≈ 60 bytes per road way in a .pbf;
    # the bar stops short of the next step when the guess is low)
    guess = max(1000.0, p.stat().st_size / 60.0)
    way_cls = osmium.osm.Way
    node_cls = osmium.osm.Node
    area_cls = osmium.osm.Area
    try:
        fp = osmium.FileProcessor(_osm_file(p)).with_locations()
        if candidates:
            fp = fp.with_areas(osmium.filter.KeyFilter(*_CANDIDATE_KEYS))
        fp = fp.with_filter(osmium.filter.KeyFilter(*keys))
        seen = 0
        ax, ay = xs.append, ys.append
        linestring = osmium.geom.WKBFactory().create_linestring
        bad_location = osmium.InvalidLocationError
        hexes: list[str] = []        # the WKB of the ways read in one call (not yet decoded)
        fast_x: list[np.ndarray] = []  # … decoded: fixed-point coordinates
        fast_y: list[np.ndarray] = []
        fast: list[bool] = []        # per way: its coordinates are in hexes (else in xs, ys)
        for o in fp:
            seen += 1
            if progress is not None and seen % 5000 == 0:
                tell(progress, 0.4 * min(0.95, len(lens) / guess),
                     _t("import.progress.reading_roads", file=name_file, n=f"{len(lens):,}"))
            if isinstance(o, way_cls):
                if not network or "highway" not in o.tags:
                    continue
                wp = _way_props(o.tags, skipped)
                if wp is None:
                    continue
                tags = o.tags
                nodes = o.nodes
                refs = [nd.ref for nd in nodes]
                n = len(refs)
                try:   # the way's coordinates in one C++ call (hex WKB: 9-byte header, 16 bytes a point)
                    h = linestring(nodes)
                except (bad_location, RuntimeError):   # a missing node, < 2 distinct points: below
                    h = ""
                ids.extend(refs)
                if len(h) == 18 + 32 * n:
                    hexes.append(h)
                    fast.append(True)
                    if len(hexes) >= _FLUSH:
                        fx, fy = _decode_wkb(hexes)
                        fast_x.append(fx)
                        fast_y.append(fy)
                        hexes.clear()
                else:   # consecutive duplicate positions were dropped, or a missing node
                    fast.append(False)
                    for nd in nodes:
                        loc = nd.location
                        ax(loc.x)
                        ay(loc.y)
                lens.append(n)
                props.append((*wp, clip_name(tags.get("name:zh") or tags.get("name")),
                              parse_maxspeed(tags.get("maxspeed")), o.id))
            elif isinstance(o, node_cls):
                if not candidates:
                    continue
                kind = _candidate_kind(o.tags)
                if kind is None:
                    continue
                loc = o.location
                if not loc.valid() and (loc.x != _UNDEFINED or loc.y != _UNDEFINED):
                    raise _fail(p, _t("import.osm.node_coordinates", node=o.id, lon=f"{loc.lon_without_check():.7f}",
                                           lat=f"{loc.lat_without_check():.7f}"))
                if not loc.valid():
                    continue
                tags = o.tags
                cands.append({"kind": kind, "name": clip_name(tags.get("name:zh") or tags.get("name")),
                              "lon": loc.lon, "lat": loc.lat, "area_m2": None,
                              "osm_ref": f"n{o.id}", "geometry": None})
            elif isinstance(o, area_cls):
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
                cands.append({"kind": kind, "name": clip_name(tags.get("name:zh") or tags.get("name")),
                              "lon": None, "lat": None, "area_m2": None, "osm_ref": ref,
                              "geometry": geom})
    except Cancelled:
        raise
    except ImportFailed:
        raise
    except Exception as exc:  # osmium: RuntimeError for bad PBF/XML, truncated files …
        raise _fail(p, _t("import.osm.unreadable", why=explain(exc))) from exc
    lens_a = np.asarray(lens, np.int64)
    if hexes:
        fx, fy = _decode_wkb(hexes)
        fast_x.append(fx)
        fast_y.append(fy)
    x, y = _coordinates(fast_x, fast_y, np.asarray(fast, bool), lens_a, np.frombuffer(xs, np.int32),
                        np.frombuffer(ys, np.int32))
    del fast_x, fast_y, xs, ys
    cols, missing = _runs(p, np.frombuffer(ids, np.int64), x, y, lens_a, props)
    return cols, skipped, cands, missing


def _decode_wkb(hexes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The points of hex linestring WKBs, in order, as osmium's fixed-point coordinates (int64):
    x ÷ 10⁷ is how osmium computes ``Location.lon``, so rounding x·10⁷ recovers x exactly."""
    raw = np.frombuffer(bytes.fromhex("".join(hexes)), np.uint8)
    n = (np.fromiter(map(len, hexes), np.int64, len(hexes)) - 18) // 32
    size = 9 + 16 * n
    starts = np.zeros(len(n), np.int64)
    starts[1:] = np.cumsum(size)[:-1]
    if not (raw[starts] == 1).all():
        raise ValueError("osmium wrote big-endian WKB")   # never on the platforms built for
    body = np.ones(len(raw), bool)
    body[(starts[:, None] + np.arange(9)[None, :]).ravel()] = False
    pts = raw[body].view("<f8").reshape(-1, 2)
    return np.rint(pts[:, 0] * 1e7).astype(np.int64), np.rint(pts[:, 1] * 1e7).astype(np.int64)


def _coordinates(fast_x: list[np.ndarray], fast_y: list[np.ndarray], fast: np.ndarray, lens: np.ndarray,
                 xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every vertex's fixed-point coordinates (osmium's 10⁻⁷°, int64) in way order: those of the
    ways read as WKB (``fast``; decoded by :func:`_decode_wkb`) and of the others, read vertex by
    vertex (``xs``, ``ys``)."""
    total = int(lens.sum())
    x = np.empty(total, np.int64)
    y = np.empty(total, np.int64)
    on = np.repeat(fast, lens)
    if fast_x:
        x[on] = np.concatenate(fast_x)
        y[on] = np.concatenate(fast_y)
    x[~on] = xs
    y[~on] = ys
    return x, y


def _runs(p: Path, ids: np.ndarray, x: np.ndarray, y: np.ndarray, lens: np.ndarray,
          props: list[tuple[Any, ...]]) -> tuple[WayColumns, int]:
    """Ways (flat vertices) → runs of vertices with a known location, each of ≥ 2 vertices,
    reversed for ``oneway=-1``; (columns, vertices missing from the extract)."""
    nway = len(lens)
    way_of = np.repeat(np.arange(nway), lens)
    x64 = x
    y64 = y
    undefined = (x64 == _UNDEFINED) & (y64 == _UNDEFINED)
    # osmium's Location.valid(): −180° ≤ lon ≤ 180°, −90° ≤ lat ≤ 90° (fixed point, 10⁷)
    valid = (x64 >= -1800000000) & (x64 <= 1800000000) & (y64 >= -900000000) & (y64 <= 900000000)
    bad = ~valid & ~undefined
    if bad.any():   # present in the file but outside the world: a damaged file, not a gap
        k = int(np.flatnonzero(bad)[0])
        raise _fail(p, _t("import.osm.way_node_coordinates", node=int(ids[k]), way=props[int(way_of[k])][7],
                          lon=f"{x64[k] / 1e7:.7f}", lat=f"{y64[k] / 1e7:.7f}"))
    missing = int((~valid).sum())
    if missing:
        # runs: maximal stretches of valid vertices within one way
        keep = np.flatnonzero(valid)
        kw = way_of[keep]
        brk = np.r_[True, (kw[1:] != kw[:-1]) | (keep[1:] != keep[:-1] + 1)]
        run_start = np.flatnonzero(brk)
        run_len = np.diff(np.r_[run_start, len(keep)])
        run_way = kw[run_start]
        long_ = run_len >= 2
        sel = np.repeat(long_, run_len)
        idx = keep[sel]
        run_len = run_len[long_]
        run_way = run_way[long_]
    else:
        idx = None
        run_len = lens
        run_way = np.arange(nway)
        long_ = run_len >= 2
        if not long_.all():
            idx = np.flatnonzero(np.repeat(long_, run_len))
            run_len, run_way = run_len[long_], run_way[long_]
    # reverse the runs of oneway=-1 ways (travel is always u → v)
    rev = np.fromiter((props[w][2] for w in run_way.tolist()), bool, len(run_way))
    if rev.any():
        base = np.arange(int(run_len.sum())) if idx is None else idx
        starts = np.zeros(len(run_len), np.int64)
        starts[1:] = np.cumsum(run_len)[:-1]
        pos = np.arange(len(base))
        run_of = np.repeat(np.arange(len(run_len)), run_len)
        flip = rev[run_of]
        r_pos = starts[run_of] + (starts[run_of] + run_len[run_of] - 1 - pos)
        idx = base[np.where(flip, r_pos, pos)]
    if idx is not None:
        ids, x64, y64 = ids[idx], x64[idx], y64[idx]
    rw = run_way.tolist()
    cols = WayColumns(np.ascontiguousarray(ids, np.int64), x64 / 1e7, y64 / 1e7, np.asarray(run_len, np.int64),
                      [props[w][0] for w in rw], [props[w][1] for w in rw], [props[w][5] for w in rw],
                      [props[w][6] for w in rw], [props[w][7] for w in rw], [props[w][3] for w in rw],
                      [props[w][4] for w in rw])
    return cols, missing


def _finish_candidates(raw: list[dict[str, Any]], boundary: BaseGeometry | None
                       ) -> tuple[list[dict[str, Any]], list[str]]:
    notes: list[str] = []
    polys = [c for c in raw if c["geometry"] is not None]
    points = [c for c in raw if c["geometry"] is None]
    for c in polys:
        c["lon"], c["lat"] = _point_of(c["geometry"])
        c["area_m2"] = round(geodesic_area_m2(c["geometry"]), 1)
    # drop nodes lying inside a polygon candidate of the same kind (duplicates of the polygon)
    if polys and points:
        tree = shapely.STRtree([c["geometry"] for c in polys])
        pts = shapely.points([c["lon"] for c in points], [c["lat"] for c in points])
        pidx, gidx = tree.query(pts, predicate="within")
        dup = {int(i) for i, j in zip(pidx.tolist(), gidx.tolist(), strict=True)
               if points[i]["kind"] == polys[j]["kind"]}
        if dup:
            notes.append(_t("import.osm.merged_nodes", n=len(dup)))
            points = [c for i, c in enumerate(points) if i not in dup]
    out = polys + points
    if boundary is not None and out:
        shapely.prepare(boundary)
        inside = shapely.intersects_xy(boundary, [c["lon"] for c in out], [c["lat"] for c in out])
        n_out = int((~inside).sum())
        if n_out:
            notes.append(_t("import.osm.outside_dropped", n=n_out))
        out = [c for c, ok in zip(out, inside.tolist(), strict=True) if ok]
    for c in out:
        c.pop("geometry", None)
        c["source"] = OSM_SOURCE
    out.sort(key=lambda c: (c["kind"], c["osm_ref"]))
    return out, notes


def _network_from(path: Any, ways: list[Way] | WayColumns, skipped: Counter, missing: int,
                  boundary: BaseGeometry | None, clip_buffer_m: float, progress: Any = None) -> RoadNetworkData:
    if not len(ways):
        detail = ""
        if skipped:
            detail = _t("import.osm.skipped_detail", what=", ".join(f"{k} ×{n}" for k, n in skipped.most_common(8)))
        raise _fail(path, _t("import.osm.no_roads") + detail)
    data = build_graph(ways, str(path), boundary=boundary, clip_buffer_m=clip_buffer_m, progress=progress)
    if data.n_edges == 0:
        raise _fail(path, _t("import.roads.none_inside",
                               buffer=_t("import.roads.buffer", m=f"{clip_buffer_m:g}") if clip_buffer_m else ""))
    notes = []
    n_skip = sum(skipped.values())
    if n_skip:
        notes.append(_t("import.osm.ways_skipped", n=n_skip,
                        what=", ".join(f"{k} ×{n}" for k, n in skipped.most_common(10))))
    if missing:
        notes.append(_t("import.osm.missing_nodes", n=missing))
    data.notes = notes + data.notes
    data.skipped = n_skip
    return data


def read_osm_network(path: str | os.PathLike[str], *, boundary: BaseGeometry | None = None,
                     clip_buffer_m: float = 0.0, progress: Any = None) -> RoadNetworkData:
    """Read the road graph of an OSM file (no database). Raises :class:`ImportFailed`."""
    boundary = resolve_boundary(None, boundary)
    ways, skipped, _, missing = _read_osm_columns(path, network=True, candidates=False, progress=progress)
    return _network_from(path, ways, skipped, missing, boundary, clip_buffer_m)


def read_osm_candidates(path: str | os.PathLike[str], *, boundary: BaseGeometry | None = None
                        ) -> list[dict[str, Any]]:
    """Candidate sites (schools, parks, squares …) of an OSM file as row dicts (no database).

    Keys: ``kind, name, lon, lat, area_m2, osm_ref, source``."""
    boundary = resolve_boundary(None, boundary)
    _, _, raw, _ = _read_osm(path, network=False, candidates=True)
    return _finish_candidates(raw, boundary)[0]


def import_osm(plan: Any, path: str | os.PathLike[str], *, boundary: Any = "plan",
               clip_buffer_m: float = 0.0, replace: bool = True, with_candidates: bool = True,
               progress: Any = None, allow_smaller: bool = False) -> ImportReport:
    """Import the road network (and candidate sites) of an OSM file into ``plan``.

    Reads and checks everything first; writes in one transaction. Raises
    :class:`ImportFailed` (nothing written) for unreadable files or files without roads, and
    :class:`planner.progress.Cancelled` (an ``InterruptedError``) when ``progress.is_cancelled()``
    turns True (nothing written). A network that would replace one more than twice its size is
    refused unless ``allow_smaller`` (a cut or truncated file must not replace a whole network);
    so is a node with coordinates outside the world."""
    t0 = time.perf_counter()
    tell(progress, 0.0, _t("import.progress.reading", file=Path(path).name))
    clip = resolve_boundary(plan, boundary)
    ways, skipped, raw, missing = _read_osm_columns(path, network=True, candidates=with_candidates,
                                                    progress=progress)
    tell(progress, 0.4, _t("import.progress.building_graph"))
    data = _network_from(path, ways, skipped, missing, clip, clip_buffer_m, progress=Span(progress, 0.4, 0.6))
    del ways
    cands: list[dict[str, Any]] | None = None
    notes: list[str] = []
    if with_candidates:
        tell(progress, 0.6, _t("import.progress.candidates"))
        cands, notes = _finish_candidates(raw, clip)
    if clip is None and boundary == "plan":
        notes.append(_t("import.roads.not_clipped"))
    written = write_network(plan, data, candidates=cands, replace=replace, progress=progress,
                            reason=f"import road network from {Path(path).name}",
                            allow_smaller=allow_smaller, file=str(path))
    tell(progress, 1.0, _t("import.progress.done"))
    return network_report(path, "osm road network", data, written,
                          None if cands is None else len(cands), notes, t0)
