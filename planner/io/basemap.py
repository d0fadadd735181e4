"""The offline basemap: water, rivers, built-up areas and buildings from an OSM extract.

The window's map draws these under the plan's layers so that a district is recognisable without
any network connection. They are display data only: the engine never reads them.

What is kept (``kind`` ← OSM tags)
----------------------------------
* ``water``: areas tagged ``natural=water``, ``waterway=riverbank`` or ``landuse=reservoir|basin``;
* ``river``: ways tagged ``waterway=river|stream|canal`` (``subkind`` = the value; drawn wider
  for rivers and canals than for streams);
* ``builtup``: areas tagged ``landuse=residential|commercial|industrial|retail``;
* ``building``: areas tagged ``building=*`` (any value but ``no``).

Each geometry is clipped to the plan's district boundary buffered by ``clip_buffer_m`` (the
same area the road import keeps; no boundary → nothing is clipped) and simplified for drawing
(:data:`SIMPLIFY_M` metres, topology kept) before it is stored as WKB in the table
``basemap_feature``. Broken polygons are skipped and counted. Importing again replaces the whole
basemap (one transaction).

The OSM import (:func:`planner.io.dispatch.import_file` with kind ``osm``) reads the basemap
before it writes the roads and writes it after them; the counts per kind are in the import
summary (``basemap_water`` … in the statistics, and a note).
"""
from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import LargeBinary, delete, func, insert, select, type_coerce

from planner.geo import from_metric, to_metric, utm_epsg
from planner.io.errors import ImportFailed, ImportProblem, ImportReport, explain
from planner.models import BasemapFeature, table_of
from planner.progress import Cancelled, check_cancel, tell
from planner.text import text as _t

log = logging.getLogger(__name__)

#: the kinds, bottom to top as the map draws them
KINDS = ("builtup", "water", "river", "building")
#: drawing tolerance per kind in metres (Douglas–Peucker, topology preserved)
SIMPLIFY_M = {"water": 3.0, "river": 3.0, "builtup": 3.0, "building": 0.5}
WATER_TAGS = {("natural", "water"), ("waterway", "riverbank"), ("landuse", "reservoir"), ("landuse", "basin")}
BUILTUP = ("residential", "commercial", "industrial", "retail")
RIVERS = ("river", "stream", "canal")
_KEYS = ("natural", "waterway", "landuse", "building")
_M_PER_DEG = 111_320.0
_BATCH = 2000


@dataclass
class BasemapData:
    """Basemap features read from a file: kind, subkind, name, osm_ref and WGS84 geometry each."""

    kind: list[str] = field(default_factory=list)
    subkind: list[str | None] = field(default_factory=list)
    name: list[str | None] = field(default_factory=list)
    osm_ref: list[str] = field(default_factory=list)
    geometry: list[BaseGeometry] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    def counts(self) -> dict[str, int]:
        c = Counter(self.kind)
        return {k: c.get(k, 0) for k in KINDS}

    def __len__(self) -> int:
        return len(self.kind)


def area_kind(tags: Any) -> tuple[str, str] | None:
    """(kind, subkind) of an OSM area, or None when the basemap does not draw it."""
    for key in ("natural", "waterway", "landuse"):
        val = tags.get(key)
        if val is not None and (key, val) in WATER_TAGS:
            return "water", val
    lu = tags.get("landuse")
    if lu in BUILTUP:
        return "builtup", lu
    b = tags.get("building")
    if b is not None and b != "no":
        return "building", b[:32]
    return None


def _clip_area(boundary: BaseGeometry | None, clip_buffer_m: float) -> BaseGeometry | None:
    if boundary is None:
        return None
    if not clip_buffer_m:
        return boundary
    c = boundary.centroid
    crs = utm_epsg(c.x, c.y)
    return from_metric(shapely.buffer(to_metric(boundary, crs), clip_buffer_m), crs)


def read_basemap(path: str | os.PathLike[str], *, boundary: BaseGeometry | None = None,
                 clip_buffer_m: float = 0.0, progress: Any = None) -> BasemapData:
    """One pass over an OSM file: the basemap features, clipped and simplified (no database).

    Raises :class:`ImportFailed` for a missing or unreadable file and
    :class:`planner.progress.Cancelled` when cancelled."""
    import osmium  # lazy: the C++ extension loads only when a file is read

    from planner.io.osm import _check_path, _osm_file  # the road import's file checks and format sniffing

    p = _check_path(path)
    tell(progress, 0.0, _t("import.progress.basemap", file=p.name))
    out = BasemapData()
    wkb = osmium.geom.WKBFactory()
    raw: list[tuple[str, str | None, str | None, str, str]] = []   # …, hex WKB
    try:
        fp = (osmium.FileProcessor(_osm_file(p)).with_locations()
              .with_areas(osmium.filter.KeyFilter(*_KEYS)).with_filter(osmium.filter.KeyFilter(*_KEYS)))
        seen = 0
        for o in fp:
            seen += 1
            if progress is not None and seen % 5000 == 0:
                check_cancel(progress)
            if isinstance(o, osmium.osm.Area):
                ka = area_kind(o.tags)
                if ka is None:
                    continue
                ref = ("w" if o.from_way() else "r") + str(o.orig_id())
                try:
                    g = wkb.create_multipolygon(o)
                except Exception:  # an area osmium cannot close: skipped, counted in the summary
                    log.debug("OSM area %s: broken basemap polygon, skipped", ref, exc_info=True)
                    out.skipped["broken polygon"] += 1
                    continue
                raw.append((ka[0], ka[1], o.tags.get("name:zh") or o.tags.get("name"), ref, g))
            elif isinstance(o, osmium.osm.Way):
                ww = o.tags.get("waterway")
                if ww not in RIVERS:
                    continue
                ref = f"w{o.id}"
                try:
                    g = wkb.create_linestring(o)
                except Exception:  # fewer than two located nodes (cut at the extract's edge)
                    log.debug("OSM way %s: river without two located nodes, skipped", ref, exc_info=True)
                    out.skipped["river without two located nodes"] += 1
                    continue
                raw.append(("river", ww, o.tags.get("name:zh") or o.tags.get("name"), ref, g))
    except (Cancelled, ImportFailed):
        raise
    except Exception as exc:  # osmium: RuntimeError for bad PBF/XML, truncated files …
        raise ImportFailed([ImportProblem(str(p), None, None, _t("import.osm.unreadable", why=explain(exc)))]) from exc
    tell(progress, 0.7, _t("import.progress.basemap_clip"))
    if not raw:
        return out
    geoms = shapely.from_wkb(np.array([r[4] for r in raw], dtype=object))
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms[bad] = shapely.make_valid(geoms[bad])
    area = _clip_area(boundary, clip_buffer_m)
    keep = ~shapely.is_empty(geoms)
    if area is not None:
        shapely.prepare(area)
        keep &= shapely.intersects(area, geoms)
        n_out = int((~keep).sum())
        if n_out:
            out.skipped["outside the boundary"] += n_out
        inside = shapely.contains(area, geoms)
        cut = keep & ~inside
        if cut.any():
            geoms[cut] = shapely.intersection(geoms[cut], area)
    kinds = np.array([r[0] for r in raw], dtype=object)
    tol = np.array([SIMPLIFY_M[k] / _M_PER_DEG for k in kinds])
    geoms[keep] = shapely.simplify(geoms[keep], tol[keep], preserve_topology=True)
    # a clipped area may leave lines or points behind; keep the parts of the kind's dimension
    for i in np.nonzero(keep)[0].tolist():
        geom = _of_dimension(geoms[i], 1 if kinds[i] == "river" else 2)
        if geom is None:
            continue
        kind, sub, name, ref, _ = raw[i]
        out.kind.append(kind)
        out.subkind.append(sub)
        out.name.append(name[:200] if name else None)
        out.osm_ref.append(ref)
        out.geometry.append(geom)
    tell(progress, 1.0, _t("import.progress.basemap_clip"))
    return out


def _of_dimension(g: BaseGeometry, dim: int) -> BaseGeometry | None:
    if g.is_empty:
        return None
    if g.geom_type == "GeometryCollection":
        parts = [p for p in getattr(g, "geoms", []) if shapely.get_dimensions(p) == dim and not p.is_empty]
        if not parts:
            return None
        g = shapely.union_all(parts) if len(parts) > 1 else parts[0]
    return g if shapely.get_dimensions(g) == dim else None


def write_basemap(plan: Any, data: BasemapData, *, reason: str = "import basemap") -> int:
    """Replace the plan's basemap by ``data`` in one transaction; returns the rows written."""
    t = table_of(BasemapFeature)
    wkbs = shapely.to_wkb(np.array(data.geometry, dtype=object)) if len(data) else []
    rows = [{"kind": k, "subkind": s, "name": n, "osm_ref": r, "geometry": bytes(w)}
            for k, s, n, r, w in zip(data.kind, data.subkind, data.name, data.osm_ref, wkbs, strict=True)]
    with plan.transaction(reason=reason) as s:
        s.execute(delete(t))
        for i in range(0, len(rows), _BATCH):
            s.execute(insert(t), rows[i:i + _BATCH])
    return len(rows)


def add_to_report(rep: ImportReport, data: BasemapData) -> None:
    """The basemap's counts per kind in an import's statistics and notes."""
    c = data.counts()
    for k in KINDS:
        rep.stats[f"basemap_{k}"] = c[k]
    rep.inserted += len(data)
    rep.notes.append(_t("import.basemap.counts", water=c["water"], river=c["river"], builtup=c["builtup"],
                        building=c["building"]))
    if data.skipped:
        rep.notes.append(_t("import.basemap.skipped", what=", ".join(
            f"{k} ×{n}" for k, n in data.skipped.most_common())))


def import_basemap(plan: Any, path: str | os.PathLike[str], *, boundary: BaseGeometry | None = None,
                   clip_buffer_m: float = 0.0, progress: Any = None) -> BasemapData:
    """Read the basemap of ``path`` and replace the plan's with it (the demo builder's way)."""
    data = read_basemap(path, boundary=boundary, clip_buffer_m=clip_buffer_m, progress=progress)
    write_basemap(plan, data, reason=f"import basemap from {Path(path).name}")
    return data


def basemap_stamp(plan: Any) -> tuple[int, int]:
    """(rows, largest id) of the plan's basemap: changes whenever an import replaces it (the map
    keeps what it drew while the stamp stays the same)."""
    t = table_of(BasemapFeature)
    with plan.session() as s:
        n, top = s.execute(select(func.count(), func.max(t.c.id)).select_from(t)).one()
    return int(n or 0), int(top or 0)


def basemap_geometries(plan: Any, kinds: Iterable[str] = KINDS) -> dict[str, tuple[list[str | None], np.ndarray]]:
    """The plan's basemap for drawing: kind → (subkinds, array of WGS84 geometries), decoded at once."""
    t = table_of(BasemapFeature)
    want = list(kinds)
    with plan.session() as s:
        rows = s.execute(select(t.c.kind, t.c.subkind, type_coerce(t.c.geometry, LargeBinary))
                         .where(t.c.kind.in_(want)).order_by(t.c.id)).all()
    out: dict[str, tuple[list[str | None], np.ndarray]] = {}
    geoms = shapely.from_wkb(np.array([bytes(r[2]) for r in rows], dtype=object)) if rows else np.array([], object)
    kind_of = np.array([r[0] for r in rows], dtype=object)
    subs = [r[1] for r in rows]
    for k in want:
        idx = np.flatnonzero(kind_of == k) if rows else np.array([], int)
        out[k] = ([subs[i] for i in idx.tolist()], geoms[idx] if len(idx) else np.array([], object))
    return out


def basemap_features(plan: Any, kinds: Iterable[str] = KINDS) -> dict[str, list[tuple[str | None, BaseGeometry]]]:
    """The plan's basemap: kind → [(subkind, WGS84 geometry)]."""
    return {k: list(zip(subs, geoms.tolist(), strict=True))
            for k, (subs, geoms) in basemap_geometries(plan, kinds).items()}
