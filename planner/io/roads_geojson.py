"""Import a road network from a GeoJSON FeatureCollection of (Multi)LineStrings.

For road data that does not come as an OSM extract (a surveyed network, a shapefile converted
with ``ogr2ogr -f GeoJSON -t_srs EPSG:4326``, Geofabrik/OpenMapTiles/Overture exports …).

Input
-----
* A ``FeatureCollection``; coordinates WGS84 (or CGCS2000, the same to under a metre) lon/lat.
  A ``crs`` member naming anything else is refused.
* Every feature is a ``LineString`` or ``MultiLineString`` (each part ≥ 2 positions,
  −180 ≤ lon ≤ 180, −90 ≤ lat ≤ 90).
* Road class, required: property ``highway``; failing that ``class``, ``fclass`` or ``type``
  (first non-empty one). The value is an OSM ``highway`` class (see
  :data:`planner.io.network.ROAD_CLASSES`) or one of the aliases in :data:`CLASS_ALIASES`:
  Geofabrik ``fclass`` (``track_grade1``…``5`` → track, ``unknown`` → road), OpenMapTiles /
  Overture ``class`` (``minor`` → residential, ``trunk`` …), and Chinese road grades (高速公路 →
  motorway, 国道 → trunk, 省道 → primary, 县道 → secondary, 乡道 → tertiary, 村道 →
  unclassified, 快速路 → trunk, 主干路 → primary, 次干路 → secondary, 支路 → residential …).
  Classes that are not usable roads (proposed, construction, platform, raceway …) are skipped
  with a note; any other value is an error.
* Optional ``oneway``: ``yes/true/1`` (or JSON true / 1), ``no/false/0``, ``-1/reverse``, and the
  Geofabrik codes ``F`` (forward only), ``T`` (backward only → reversed), ``B`` (both).
  Anything else is an error.
* Optional ``name`` (``name:zh`` preferred), ``maxspeed`` (as for OSM; an unreadable value or
  0 gives NULL with a note), ``osm_id`` / ``osm_way_id`` (stored as ``osm_way_id``), and the
  access properties ``foot``, ``access``, ``motorroad``, ``vehicle``, ``motor_vehicle``,
  ``motorcar`` — read with the OSM rules into ``walk_access`` / ``drive_access`` (see
  :mod:`planner.io.osm`, "Who may use a road"; without them the class decides).

The graph
---------
Positions are rounded to 1e-7° (about 1 cm); positions that then coincide are one node. Each
line is split at every position it shares with another line (or visits twice) and at its ends.
Node ids are 1 … N. With ``replace=False`` new nodes at the location of an existing node join
it, the others get ids after the largest existing one. Lengths, clipping and writing are as in
:mod:`planner.io.osm` (the shared code is :mod:`planner.io.network`).

Every bad feature is reported (feature index, property, value) in one
:class:`~planner.io.errors.ImportFailed`; nothing is written then.
"""
from __future__ import annotations

import json
import math
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from planner.io.errors import ImportFailed, ImportProblem, ImportReport, explain, json_message
from planner.io.network import (
    ROAD_CLASSES,
    RoadNetworkData,
    Way,
    access_from_tags,
    build_graph,
    clip_name,
    network_report,
    parse_maxspeed,
    resolve_boundary,
    write_network,
)
from planner.progress import tell
from planner.text import text as _t

__all__ = ["CLASS_ALIASES", "SKIPPED_CLASSES", "read_road_geojson", "import_road_geojson"]

CLASS_KEYS = ("highway", "class", "fclass", "type")

CLASS_ALIASES: dict[str, str] = {
    # Geofabrik shapefile fclass
    "track_grade1": "track", "track_grade2": "track", "track_grade3": "track",
    "track_grade4": "track", "track_grade5": "track", "unknown": "road",
    # OpenMapTiles / Overture / misc
    "minor": "residential", "motorway_junction": "motorway_link", "major": "primary",
    "highway": "motorway", "expressway": "motorway", "freeway": "motorway",
    "street": "residential", "local": "residential", "alley": "service", "driveway": "service",
    "footpath": "footway", "sidewalk": "footway", "crossing": "footway", "trail": "path",
    "stairs": "steps", "bicycle": "cycleway", "bike": "cycleway",
    # Chinese road grades (公路技术等级 / 行政等级 and 城市道路等级)
    "高速公路": "motorway", "高速": "motorway", "国道": "trunk", "省道": "primary",
    "县道": "secondary", "乡道": "tertiary", "村道": "unclassified", "专用公路": "service",
    "城市快速路": "trunk", "快速路": "trunk", "主干路": "primary", "主干道": "primary",
    "次干路": "secondary", "次干道": "secondary", "支路": "residential", "街巷": "residential",
    "机耕路": "track", "乡村道路": "unclassified", "步行道": "footway", "人行道": "footway",
    "小路": "path", "台阶": "steps", "自行车道": "cycleway", "匝道": "motorway_link",
}

SKIPPED_CLASSES = frozenset({
    "proposed", "construction", "planned", "abandoned", "disused", "razed", "platform",
    "bus_stop", "raceway", "corridor", "elevator", "escalator", "bus_guideway", "busway",
    "via_ferrata", "rest_area", "services", "ferry", "rail", "railway", "water",
})

_ONEWAY = {
    "yes": (True, False), "true": (True, False), "1": (True, False), "f": (True, False),
    "no": (False, False), "false": (False, False), "0": (False, False), "b": (False, False),
    "": (False, False), "-1": (True, True), "reverse": (True, True), "t": (True, True),
}

_CRS_OK = ("4326", "crs84", "4490", "wgs84", "wgs 84", "cgcs2000")


def _fail(path: Any, message: str) -> ImportFailed:
    return ImportFailed([ImportProblem(str(path), None, None, message)])


def _class_of(props: dict[str, Any]) -> tuple[str | None, Any]:
    for key in CLASS_KEYS:
        val = props.get(key)
        if val not in (None, ""):
            return key, val
    return None, None


def _parse_lines(geom: Any) -> list[list[Any]] | str:
    """The line parts of a geometry, or an error message."""
    if not isinstance(geom, dict):
        return _t("import.roads.no_geometry")
    gtype = geom.get("type")
    coords = geom.get("coordinates")
    parts: list[Any] | None
    if gtype == "LineString":
        parts = [coords]
    elif gtype == "MultiLineString":
        parts = coords if isinstance(coords, list) else None
    else:
        return _t("import.roads.line_type", type=gtype)
    if not isinstance(parts, list) or not parts:
        return _t("import.roads.no_coordinates")
    for part in parts:
        if not isinstance(part, list) or len(part) < 2:
            return _t("import.roads.two_positions")
        for pos in part:
            if (not isinstance(pos, (list, tuple)) or len(pos) < 2
                    or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in pos[:2])
                    or not all(math.isfinite(c) for c in pos[:2])):
                return _t("import.roads.bad_position", position=repr(pos))
            lon, lat = pos[0], pos[1]
            if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
                return _t("import.roads.out_of_range", lon=lon, lat=lat)
    return parts


class _NotJson(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotJson(_t("import.json.constant", name=name))


def read_road_geojson(path: str | os.PathLike[str], *, boundary: Any = None,
                      clip_buffer_m: float = 0.0) -> RoadNetworkData:
    """Read a GeoJSON road file into a graph (no database). Raises :class:`ImportFailed`."""
    boundary = resolve_boundary(None, boundary)
    p = Path(path)
    if not p.is_file():
        raise _fail(p, _t("import.file.not_found"))
    try:
        with p.open("rb") as fh:
            doc = json.load(fh, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ImportFailed([ImportProblem(str(p), None, None,
                                          _t("import.roads.json_at", line=exc.lineno, column=exc.colno,
                                             why=json_message(exc.msg)))]
                           ) from exc
    except _NotJson as exc:
        raise _fail(p, _t("import.roads.json", why=explain(exc))) from exc
    except (UnicodeDecodeError, OSError) as exc:
        raise _fail(p, _t("import.file.cannot_read", why=explain(exc))) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise _fail(p, _t("import.roads.not_collection"))
    crs = doc.get("crs")
    if crs:
        crs_name = str((crs.get("properties") or {}).get("name", "") if isinstance(crs, dict) else crs)
        if not any(k in crs_name.lower() for k in _CRS_OK):
            raise _fail(p, _t("import.roads.crs", crs=repr(crs_name)))
    feats = doc.get("features")
    if not isinstance(feats, list) or not feats:
        raise _fail(p, _t("import.roads.no_features"))

    problems: list[ImportProblem] = []
    skipped: Counter = Counter()
    bad_speed = 0
    node_of: dict[tuple[float, float], int] = {}
    ways: list[Way] = []
    for i, feat in enumerate(feats):
        row = i + 1

        def bad(fieldname: str | None, msg: str, value: Any = None, _row: int = row, _i: int = i) -> None:
            problems.append(ImportProblem(str(p), _row, fieldname, _t("import.roads.feature", index=_i, message=msg),
                                          value))

        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            bad(None, _t("import.geojson.not_feature"))
            continue
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            bad("properties", _t("import.roads.properties"))
            continue
        parts = _parse_lines(feat.get("geometry"))
        if isinstance(parts, str):
            bad("geometry", parts)
        key, raw_cls = _class_of(props)
        cls: str | None = None
        if key is None:
            bad("highway", _t("import.roads.no_class"))
        else:
            val = str(raw_cls).strip()
            low = val.lower()
            if low in ROAD_CLASSES:
                cls = low
            elif low in CLASS_ALIASES or val in CLASS_ALIASES:
                cls = CLASS_ALIASES.get(low, CLASS_ALIASES.get(val))
            elif low in SKIPPED_CLASSES:
                skipped[f"{key}={val}"] += 1
                continue
            else:
                bad(key, _t("import.roads.unknown_class"), raw_cls)
        ow_raw = props.get("oneway")
        ow: tuple[bool, bool] | None
        if isinstance(ow_raw, bool):
            ow = (ow_raw, False)
        elif isinstance(ow_raw, (int, float)) and ow_raw in (-1, 0, 1):
            ow = {1: (True, False), 0: (False, False), -1: (True, True)}[int(ow_raw)]
        elif ow_raw is None:
            ow = (False, False)
        else:
            ow = _ONEWAY.get(str(ow_raw).strip().lower())
            if ow is None:
                bad("oneway", _t("import.roads.oneway"), ow_raw)
        if isinstance(parts, str) or cls is None or ow is None:
            continue
        oneway, reverse = ow
        speed_raw = props.get("maxspeed")
        speed = parse_maxspeed(speed_raw)
        if speed is None and speed_raw not in (None, "", 0, "0"):
            bad_speed += 1
        wid = props.get("osm_way_id", props.get("osm_id"))
        try:
            way_id = int(wid) if wid not in (None, "") else None
        except (TypeError, ValueError):
            way_id = None
        name = clip_name(props.get("name:zh") or props.get("name"))
        walk, drive = access_from_tags(props.get)
        for part in parts:
            ids: list[int] = []
            xs: list[float] = []
            ys: list[float] = []
            seq = list(reversed(part)) if reverse else part
            for pos in seq:
                k = (round(float(pos[0]), 7), round(float(pos[1]), 7))
                nid = node_of.get(k)
                if nid is None:
                    nid = node_of[k] = len(node_of) + 1
                if ids and ids[-1] == nid:
                    continue  # repeated position
                ids.append(nid)
                xs.append(k[0])
                ys.append(k[1])
            if len(ids) >= 2:
                ways.append(Way(ids, xs, ys, cls, oneway, name, speed, way_id, walk, drive))
            else:
                skipped["zero-length line"] += 1
    if problems:
        raise ImportFailed(problems)
    if not ways:
        raise _fail(p, _t("import.roads.no_lines"))
    data = build_graph(ways, str(p), boundary=boundary, clip_buffer_m=clip_buffer_m)
    if data.n_edges == 0:
        raise _fail(p, _t("import.roads.none_inside", buffer=""))
    notes = []
    if skipped:
        notes.append(_t("import.roads.skipped", n=sum(skipped.values()),
                        what=", ".join(f"{k} ×{n}" for k, n in skipped.most_common(10))))
    if bad_speed:
        notes.append(_t("import.roads.bad_speed", n=bad_speed))
    data.notes = notes + data.notes
    data.skipped = sum(skipped.values())
    return data


def import_road_geojson(plan: Any, path: str | os.PathLike[str], *, boundary: Any = "plan",
                        clip_buffer_m: float = 0.0, replace: bool = True,
                        progress: Any = None, allow_smaller: bool = False) -> ImportReport:
    """Import a GeoJSON road network into ``plan`` (one transaction; candidate sites untouched)."""
    t0 = time.perf_counter()
    tell(progress, 0.0, _t("import.progress.reading", file=Path(path).name))
    clip = resolve_boundary(plan, boundary)
    data = read_road_geojson(path, boundary=clip, clip_buffer_m=clip_buffer_m)
    notes: list[str] = []
    if clip is None and boundary == "plan":
        notes.append(_t("import.roads.not_clipped"))
    written = write_network(plan, data, candidates=None, replace=replace, progress=progress,
                            reason=f"import road network from {Path(path).name}",
                            match_nodes_by_location=not replace, allow_smaller=allow_smaller, file=str(path))
    tell(progress, 1.0, _t("import.progress.done"))
    return network_report(path, "geojson road network", data, written, None, notes, t0)
