"""Small geodesy shared by the whole core: the local UTM zone, projecting to metres, areas.

A leaf module (imports nothing of planner): io, engine, scenario, report and demo all use it.

UTM zone rule (one rule for every caller)
-----------------------------------------
* The longitude is first wrapped into [-180, 180) (so 180° is -180°, 190° is -170°).
* Zone ``floor((lon + 180) / 6) + 1``: zones are half-open intervals ``[west, east)``, a point
  exactly on a zone boundary belongs to the zone to its **east** (lon 0.0 → 31, lon 6.0 → 32,
  lon -0.0001 → 30, lon 180.0 → 1).
* Hemisphere: ``lat >= 0`` → north (EPSG 326zz), ``lat < 0`` → south (EPSG 327zz). The equator
  (and -0.0) counts as north.
* The Norway (32V) and Svalbard (31X–37X) exceptions of the military grid are *not* applied:
  the zone is only a local metric frame for distances, buffers and areas, and the plain zone is as
  good a frame there as the exceptional one.

Areas
-----
:func:`area_km2` is the planar area in the UTM zone of the geometry's centroid — what the
boundary import and the scenario's hazard zones report. Inside one zone the UTM scale error is
below ±0.1 % (k = 0.9996 on the central meridian, ~1.001 at the zone edge at the equator), so it
agrees with the ellipsoidal area (:func:`geodesic_area_m2`) to about that. Use
:func:`geodesic_area_m2` where a geometry may span zones or the exact ellipsoidal area matters.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    import pyproj

__all__ = ["geod", "WGS84", "area_km2", "from_metric", "geodesic_area_m2", "geodesic_length_m",
           "to_metric", "transformer", "utm_crs", "utm_epsg", "utm_zone"]

WGS84 = "EPSG:4326"


@lru_cache(maxsize=1)
def geod() -> pyproj.Geod:
    """The WGS84 ellipsoid for geodesic lengths and areas. pyproj loads on first use, not when the
    module is imported (the desktop program starts without it)."""
    import pyproj

    return pyproj.Geod(ellps="WGS84")


def utm_zone(lon: float) -> int:
    """UTM zone number 1..60 of a longitude (boundaries belong to the eastern zone; see above)."""
    lon = ((float(lon) + 180.0) % 360.0) - 180.0  # wrap into [-180, 180)
    return min(60, int(math.floor((lon + 180.0) / 6.0)) + 1)


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS84 / UTM zone holding (lon, lat): 326zz north (lat >= 0), 327zz south."""
    return (32600 if float(lat) >= 0 else 32700) + utm_zone(lon)


def utm_crs(lon: float, lat: float) -> pyproj.CRS:
    """The WGS84 / UTM :class:`pyproj.CRS` holding (lon, lat) (:func:`utm_epsg`)."""
    return _crs(utm_epsg(lon, lat))


@lru_cache(maxsize=64)
def _crs(epsg: int) -> pyproj.CRS:
    import pyproj

    return pyproj.CRS.from_epsg(epsg)


def _key(crs: Any) -> Any:
    import pyproj

    if isinstance(crs, pyproj.CRS):
        return crs.to_epsg() or crs.to_wkt()
    return crs


@lru_cache(maxsize=64)
def _transformer(src: Any, dst: Any) -> pyproj.Transformer:
    import pyproj

    src = _crs(src) if isinstance(src, int) else src
    dst = _crs(dst) if isinstance(dst, int) else dst
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


def transformer(src: Any, dst: Any) -> pyproj.Transformer:
    """A cached lon/lat-order (``always_xy``) transformer between two CRS (EPSG int, string or CRS)."""
    return _transformer(_key(src), _key(dst))


def _apply(obj: Any, tr: pyproj.Transformer) -> Any:
    if isinstance(obj, BaseGeometry):
        return shapely.transform(obj, lambda a: np.column_stack(tr.transform(a[:, 0], a[:, 1])))
    x, y = obj
    if np.ndim(x) == 0 and np.ndim(y) == 0:
        px, py = tr.transform(float(x), float(y))
        return float(px), float(py)
    px, py = tr.transform(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return np.asarray(px), np.asarray(py)


def to_metric(obj: Any, crs: Any = None) -> Any:
    """WGS84 → metres. ``obj``: a shapely geometry or an ``(x, y)`` pair of scalars or arrays.

    ``crs``: the target (EPSG int, string or CRS); None → the UTM zone of ``obj``'s centroid (of
    the mean point for arrays). Returns the same kind of object."""
    if crs is None:
        if isinstance(obj, BaseGeometry):
            c = obj.centroid
            crs = utm_epsg(c.x, c.y)
        else:
            crs = utm_epsg(float(np.mean(obj[0])), float(np.mean(obj[1])))
    return _apply(obj, transformer(WGS84, crs))


def from_metric(obj: Any, crs: Any) -> Any:
    """The inverse of :func:`to_metric`: metres in ``crs`` → WGS84 lon/lat (same kinds of object)."""
    return _apply(obj, transformer(crs, WGS84))


def area_km2(geom: BaseGeometry) -> float:
    """Area of a WGS84 (Multi)Polygon in km²: planar, in the UTM zone of its centroid (see above)."""
    return float(to_metric(geom).area) / 1e6


def geodesic_area_m2(geom: BaseGeometry) -> float:
    """Area in m² on the WGS84 ellipsoid of a (Multi)Polygon, holes subtracted, whatever the ring
    orientation (0 for anything without polygons)."""
    total = 0.0
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        x, y = poly.exterior.coords.xy
        total += abs(geod().polygon_area_perimeter(x, y)[0])
        for ring in poly.interiors:
            x, y = ring.coords.xy
            total -= abs(geod().polygon_area_perimeter(x, y)[0])
    return max(total, 0.0)


def geodesic_length_m(geom: BaseGeometry) -> float:
    """Length in metres on the WGS84 ellipsoid of a (Multi)LineString (or a polygon's rings)."""
    return float(geod().geometry_length(geom))
