"""Road graph: travel times by mode and class, oneway, snapping, what-if edge edits.

Network and numbers: see tests/engine_fixtures.py (walk 1 m/s; drive residential 20 km/h × 0.6
= 10/3 m/s, so a 400 m block takes 120 s; motorway 100 × 0.6 = 60 km/h, 2000 m in 120 s).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from engine_fixtures import EDGES, NODES, roads_from_xy, tiny_input
from scipy.sparse.csgraph import dijkstra

from planner.engine.graph import RoadGraph
from planner.engine.snapshot import make_input


def _d(mg, a, b):
    return float(dijkstra(mg.csr, directed=True, indices=a)[b])


@pytest.fixture(scope="module")
def g():
    return RoadGraph(tiny_input())


def test_utm_zone_from_data(g):
    assert g.crs.to_epsg() == 32650
    # node positions come back as the metres they were built from
    assert np.allclose(g.node_xy - [500000, 3900000], NODES, atol=1e-6)


def test_walking_times(g):
    # residential 400 m blocks at 1 m/s; motorway is not walkable, track is; oneway ignored
    assert _d(g.walk, 0, 5) == pytest.approx(2000.0)
    assert _d(g.walk, 5, 0) == pytest.approx(2000.0)
    assert _d(g.walk, 5, 6) == pytest.approx(3000.0)
    assert _d(g.walk, 0, 7) == pytest.approx(600.0)
    assert g.walk.node_in.all()


def test_driving_times_classes_and_oneway(g):
    assert _d(g.drive, 0, 5) == pytest.approx(5 * 120.0)   # motorway is oneway 5 → 0
    assert _d(g.drive, 5, 0) == pytest.approx(120.0)       # motorway 2000 m at 60 km/h
    assert _d(g.drive, 7, 0) == pytest.approx(600 / (10 / 3))  # 180 s
    assert _d(g.drive, 0, 7) == pytest.approx(180.0)
    oneway = RoadGraph(tiny_input(edges=EDGES[:-1] + [(7, 0, "residential", True, 600.0)]))
    assert math.isinf(_d(oneway.drive, 0, 7))              # oneway n7 → n0
    assert not g.drive.node_in[6]                          # track is not driven
    # transposed graph gives times *to* a node
    assert float(dijkstra(g.drive.csr_t, directed=True, indices=0)[5]) == pytest.approx(120.0)


def test_maxspeed_overrides_class_speed():
    roads = roads_from_xy([(0, 0), (600, 0)], [(0, 1, "residential", False)])
    roads = type(roads).from_arrays(roads.node_lon, roads.node_lat, [0], [1], ["residential"], [False],
                                    [600.0], [36.0])
    g = RoadGraph(make_input(roads=roads))
    # 36 km/h × 0.6 = 21.6 km/h = 6 m/s → 100 s
    assert _d(g.drive, 0, 1) == pytest.approx(100.0)


def test_snapping_status_distance_and_mode_networks(g):
    from engine_fixtures import lonlat

    lon, lat = zip(lonlat(1600, 100), lonlat(0, 2000), lonlat(5000, 0), strict=True)
    s = g.snap("walk", list(lon) + [np.nan], list(lat) + [np.nan])
    assert list(s.node[:3]) == [4, 0, 6] and s.node[3] == -1
    assert s.dist_m[0] == pytest.approx(100.0, abs=1e-6)
    assert list(s.status) == ["ok", "off_network", "ok", "unlocated"]
    assert s.time_s[0] == pytest.approx(100.0)  # snap walk at 1 m/s
    # driving: n6 is not in the driving network, nearest drivable node n5 is 3000 m away
    d = g.snap("drive", [lon[2]], [lat[2]])
    assert d.node[0] == 5 and d.dist_m[0] == pytest.approx(3000.0) and d.status[0] == "off_network"


def test_edge_factors_cut_and_restore(g):
    fac = np.ones(len(EDGES))
    fac[2] = np.inf                      # cut n2–n3
    cut = g.with_edge_factors(fac)
    assert math.isinf(_d(cut.walk, 0, 5))
    assert math.isinf(_d(cut.drive, 0, 5))
    assert _d(cut.drive, 5, 0) == pytest.approx(120.0)   # the motorway still runs 5 → 0
    assert _d(g.walk, 0, 5) == pytest.approx(2000.0)     # the original is untouched
    fac[2] = 2.0                          # slowed instead: 400 s → 800 s on foot
    assert _d(g.with_edge_factors(fac).walk, 0, 5) == pytest.approx(2400.0)


def test_parallel_edges_keep_minimum_and_fall_back():
    roads = roads_from_xy([(0, 0), (500, 0)], [(0, 1, "residential", False, 500.0),
                                                (0, 1, "footway", False, 800.0)])
    g = RoadGraph(make_input(roads=roads, params={"walk_speed_mps": 1.0}))
    assert _d(g.walk, 0, 1) == pytest.approx(500.0)
    fac = np.array([np.inf, 1.0])
    assert _d(g.with_edge_factors(fac).walk, 0, 1) == pytest.approx(800.0)


def test_hazard_polygon_cuts_intersecting_edges(g):
    import shapely
    from engine_fixtures import lonlat

    from planner.engine.snapshot import Hazard

    box = shapely.Polygon([lonlat(950, -10), lonlat(1050, -10), lonlat(1050, 10), lonlat(950, 10)])
    fac = g.hazard_edge_factors([Hazard("flood", "block", 1.0, True, box)])
    # edge 2 (n2–n3) and the straight motorway n5 → n0 (edge 6, drawn along y = 0) cross the box
    assert list(np.nonzero(np.isinf(fac))[0]) == [2, 6]
    slow = g.hazard_edge_factors([Hazard("mud", "slow", 0.5, False, box)])
    assert slow[2] == pytest.approx(2.0) and slow[0] == 1.0
