"""WGS84 ↔ GCJ-02 ↔ BD-09 conversions (planner.io.coords)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from planner.io import coords as c

R_EARTH = 6371008.8


def metres(lon1, lat1, lon2, lat2):
    """Haversine distance in metres (arrays)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * R_EARTH * np.arcsin(np.sqrt(a))


@pytest.fixture(scope="module")
def china_grid():
    # every 0.5° over mainland China's extent, kept 0.5° off the GCJ-02 bbox edges
    lon, lat = np.meshgrid(np.arange(73.0, 135.01, 0.5), np.arange(18.0, 53.51, 0.5))
    return lon.ravel(), lat.ravel()


# Reference values: README and unit tests of the npm package ``coordtransform`` (wandergis,
# github.com/wandergis/coordtransform, index.test.js), which implements the published algorithm
# with a = 6378245.0, ee = 0.00669342162296594323:
#   wgs84togcj02(116.404, 39.915) = [116.41024449916938, 39.91640428150164]
#   gcj02tobd09(116.404, 39.915)  = [116.41036949371029, 39.92133699351021]
#   bd09togcj02(116.404, 39.915)  = [116.39762729119315, 39.90865673957631]  (one-step inverse)
#   gcj02towgs84(116.404, 39.915) = [116.39775550083061, 39.91359571849836]  (one-step inverse)
def test_reference_point_forward():
    lon, lat = c.wgs84_to_gcj02(116.404, 39.915)
    assert float(lon) == pytest.approx(116.41024449916938, abs=1e-11)
    assert float(lat) == pytest.approx(39.91640428150164, abs=1e-11)
    lon, lat = c.gcj02_to_bd09(116.404, 39.915)
    assert float(lon) == pytest.approx(116.41036949371029, abs=1e-11)
    assert float(lat) == pytest.approx(39.92133699351021, abs=1e-11)


def test_reference_point_inverse_is_exact():
    lon, lat = c.gcj02_to_wgs84(116.41024449916938, 39.91640428150164)
    assert metres(lon, lat, 116.404, 39.915) < 0.001
    # the published one-step inverses are within a few metres of ours (ours is the exact one)
    lon, lat = c.gcj02_to_wgs84(116.404, 39.915)
    assert 0.01 < metres(lon, lat, 116.39775550083061, 39.91359571849836) < 5.0
    lon, lat = c.bd09_to_gcj02(116.404, 39.915)
    assert metres(lon, lat, 116.39762729119315, 39.90865673957631) < 0.5
    blon, blat = c.gcj02_to_bd09(lon, lat)
    assert metres(blon, blat, 116.404, 39.915) < 0.001


def test_offset_size_is_plausible():
    # GCJ-02 moves points by a few hundred metres inside China (Shanting district here)
    lon, lat = c.wgs84_to_gcj02(117.45778, 35.07528)
    d = metres(117.45778, 35.07528, lon, lat)
    assert 100 < d < 1000


def test_round_trips_across_china(china_grid):
    lon, lat = china_grid
    glon, glat = c.wgs84_to_gcj02(lon, lat)
    assert np.all(metres(lon, lat, glon, glat) > 1)  # really moved
    back = c.gcj02_to_wgs84(glon, glat)
    err = metres(lon, lat, *back)
    assert err.max() < 0.5
    assert err.max() < 0.01  # in fact millimetres
    blon, blat = c.wgs84_to_bd09(lon, lat)
    err = metres(lon, lat, *c.bd09_to_wgs84(blon, blat))
    assert err.max() < 0.5
    # and the other way round: GCJ-02 → WGS84 → GCJ-02
    err = metres(lon, lat, *c.wgs84_to_gcj02(*c.gcj02_to_wgs84(lon, lat)))
    assert err.max() < 0.5


def test_to_wgs84_dispatch_and_names(china_grid):
    lon, lat = china_grid
    glon, glat = c.wgs84_to_gcj02(lon, lat)
    for name in ("gcj02", "GCJ02", "gcj-02"):
        assert metres(lon, lat, *c.to_wgs84(glon, glat, name)).max() < 0.5
    blon, blat = c.wgs84_to_bd09(lon, lat)
    assert metres(lon, lat, *c.to_wgs84(blon, blat, "BD09")).max() < 0.5
    for name in ("wgs84", "WGS84", "cgcs2000", "EPSG:4326", "epsg:4490", None):
        x, y = c.to_wgs84(lon, lat, name)
        assert np.array_equal(x, lon) and np.array_equal(y, lat)


def test_unknown_crs_names_the_value():
    with pytest.raises(ValueError, match="utm50n"):
        c.to_wgs84(117.0, 35.0, "utm50n")
    with pytest.raises(ValueError, match="EPSG:3857"):
        c.normalise_crs("EPSG:3857")


@pytest.mark.parametrize("lon,lat", [(2.35, 48.85), (-74.0, 40.7), (1.52, 42.51), (151.2, -33.9),
                                     (139.7, 56.5), (70.0, 30.0)])
def test_outside_china_unchanged(lon, lat):
    for f in (c.wgs84_to_gcj02, c.gcj02_to_wgs84):
        x, y = f(lon, lat)
        assert float(x) == lon and float(y) == lat
    for name in ("gcj02",):
        x, y = c.to_wgs84(lon, lat, name)
        assert float(x) == lon and float(y) == lat


def test_vectorised_shapes_and_nan():
    lon = np.array([[117.4, 2.35], [np.nan, 117.5]])
    lat = np.array([[35.0, 48.85], [35.0, np.nan]])
    x, y = c.gcj02_to_wgs84(lon, lat)
    assert x.shape == (2, 2)
    assert math.isnan(x[1, 0]) and math.isnan(y[1, 1])
    assert x[0, 1] == 2.35 and x[0, 0] != 117.4
    x, y = c.to_wgs84([117.4, 117.5], 35.0, "bd09")  # broadcasting
    assert x.shape == (2,)
