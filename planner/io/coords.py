"""Chinese web-map coordinate systems ↔ WGS84 (vectorised with numpy).

What a planner copies from a web map is rarely WGS84:

* **WGS84 / CGCS2000** (EPSG:4326 / EPSG:4490) — GPS, 天地图, OpenStreetMap, official surveys.
  CGCS2000 and WGS84 agree to well under a metre, so they are treated as identical here.
* **GCJ-02** (国测局坐标, "Mars coordinates") — 高德 AMap, 腾讯 Tencent, Google Maps in China.
  An obfuscating, smoothly varying offset of up to ~700 m, applied only inside China.
* **BD-09** — 百度 Baidu: GCJ-02 plus a further offset.

The forward transforms follow the widely published algorithm (ellipsoid constants
``a = 6378245.0``, ``ee = 0.00669342162296594323``; e.g. npm ``coordtransform`` /
``eviltransform``). The inverses are *not* the common one-step approximation (which errs by up
to a few metres): they iterate the forward transform (fixed-point / Newton with a Jacobian close
to the identity) until the residual is below 1e-10° (≈ 0.01 mm), so a round trip is exact to far
better than the 0.5 m the planner needs.

All functions take scalars or array-likes and return numpy arrays (0-d arrays for scalars, which
behave like floats); NaN inputs stay NaN.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planner.text import text as _t

__all__ = [
    "CRS_NAMES", "out_of_china", "wgs84_to_gcj02", "gcj02_to_wgs84", "gcj02_to_bd09",
    "bd09_to_gcj02", "wgs84_to_bd09", "bd09_to_wgs84", "to_wgs84", "normalise_crs",
]

A = 6378245.0                     # Krasovsky 1940 semi-major axis used by GCJ-02
EE = 0.00669342162296594323       # its first eccentricity squared
X_PI = np.pi * 3000.0 / 180.0     # BD-09 constant

#: accepted ``crs`` names (case-insensitive) → canonical name
CRS_NAMES: dict[str, str] = {
    "wgs84": "wgs84", "wgs-84": "wgs84", "epsg:4326": "wgs84", "4326": "wgs84",
    "cgcs2000": "wgs84", "epsg:4490": "wgs84", "4490": "wgs84",
    "gcj02": "gcj02", "gcj-02": "gcj02", "gcj": "gcj02",
    "bd09": "bd09", "bd-09": "bd09", "bd09ll": "bd09",
}

_MAX_ITER = 30
_TOL_DEG = 1e-10

Arr = NDArray[np.float64]


def normalise_crs(crs: str | None) -> str:
    """The canonical name (``wgs84``, ``gcj02`` or ``bd09``) of a user-given CRS name.

    ``None`` or an empty string means WGS84. Unknown names raise :class:`ValueError`.
    """
    if crs is None or str(crs).strip() == "":
        return "wgs84"
    key = str(crs).strip().lower().replace(" ", "")
    try:
        return CRS_NAMES[key]
    except KeyError:
        raise ValueError(_t("import.crs.unknown", crs=repr(crs))) from None


def _arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[Arr, Arr]:
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    x, y = np.broadcast_arrays(x, y)
    return x.astype(np.float64, copy=True), y.astype(np.float64, copy=True)


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """The usual rough bounding-box test: True where GCJ-02 leaves coordinates unchanged."""
    x, y = _arrays(lon, lat)
    with np.errstate(invalid="ignore"):
        return ~((x >= 72.004) & (x <= 137.8347) & (y >= 0.8293) & (y <= 55.8271))


def _gcj_offset(x: Arr, y: Arr) -> tuple[Arr, Arr]:
    """GCJ-02 minus WGS84 (degrees) at WGS84 position (x, y), applied unconditionally."""
    dx = x - 105.0
    dy = y - 35.0
    sq = np.sqrt(np.abs(dx))
    common = (20.0 * np.sin(6.0 * dx * np.pi) + 20.0 * np.sin(2.0 * dx * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * dx + 3.0 * dy + 0.2 * dy * dy + 0.1 * dx * dy + 0.2 * sq + common
    dlat += (20.0 * np.sin(dy * np.pi) + 40.0 * np.sin(dy / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(dy / 12.0 * np.pi) + 320.0 * np.sin(dy * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + dx + 2.0 * dy + 0.1 * dx * dx + 0.1 * dx * dy + 0.1 * sq + common
    dlon += (20.0 * np.sin(dx * np.pi) + 40.0 * np.sin(dx / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(dx / 12.0 * np.pi) + 300.0 * np.sin(dx / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = y / 180.0 * np.pi
    magic = 1.0 - EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _wgs_to_gcj_raw(x: Arr, y: Arr) -> tuple[Arr, Arr]:
    dlon, dlat = _gcj_offset(x, y)
    return x + dlon, y + dlat


def _gcj_to_bd_raw(x: Arr, y: Arr) -> tuple[Arr, Arr]:
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _invert(forward, tx: Arr, ty: Arr) -> tuple[Arr, Arr]:
    """Solve forward(x, y) = (tx, ty) by fixed-point iteration (the Jacobian is ≈ identity)."""
    fx, fy = forward(tx, ty)
    x = tx - (fx - tx)
    y = ty - (fy - ty)
    for _ in range(_MAX_ITER):
        fx, fy = forward(x, y)
        ex, ey = fx - tx, fy - ty
        x = x - ex
        y = y - ey
        resid = np.abs(np.concatenate([np.ravel(ex), np.ravel(ey)]))
        resid = resid[np.isfinite(resid)]
        if resid.size == 0 or resid.max() < _TOL_DEG:
            break
    return x, y


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Arr, Arr]:
    """WGS84 → GCJ-02 (points outside China are returned unchanged)."""
    x, y = _arrays(lon, lat)
    gx, gy = _wgs_to_gcj_raw(x, y)
    out = out_of_china(x, y)
    return np.where(out, x, gx), np.where(out, y, gy)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Arr, Arr]:
    """GCJ-02 → WGS84, exact inverse of :func:`wgs84_to_gcj02` (iterated, < 1 mm).

    A point whose WGS84 solution would lie outside China is returned unchanged (the forward
    transform does not move such points).
    """
    x, y = _arrays(lon, lat)
    wx, wy = _invert(_wgs_to_gcj_raw, x, y)
    out = out_of_china(wx, wy) | out_of_china(x, y)
    return np.where(out, x, wx), np.where(out, y, wy)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Arr, Arr]:
    """GCJ-02 → BD-09 (Baidu)."""
    x, y = _arrays(lon, lat)
    return _gcj_to_bd_raw(x, y)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Arr, Arr]:
    """BD-09 → GCJ-02, exact inverse of :func:`gcj02_to_bd09` (iterated)."""
    x, y = _arrays(lon, lat)
    return _invert(_gcj_to_bd_raw, x, y)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Arr, Arr]:
    """WGS84 → BD-09 (via GCJ-02). Outside China only the BD-09 step applies, as Baidu does."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Arr, Arr]:
    """BD-09 → WGS84 (via GCJ-02), exact inverse of :func:`wgs84_to_bd09`."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def to_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str | None = "wgs84") -> tuple[Arr, Arr]:
    """Convert coordinates given in ``crs`` to WGS84.

    ``crs`` is one of ``wgs84``, ``cgcs2000``, ``epsg:4326``, ``epsg:4490`` (no change),
    ``gcj02`` or ``bd09`` (case-insensitive). Anything else raises :class:`ValueError`.
    """
    name = normalise_crs(crs)
    if name == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if name == "bd09":
        return bd09_to_wgs84(lon, lat)
    return _arrays(lon, lat)
