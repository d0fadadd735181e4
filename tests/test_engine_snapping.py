"""Snapping only to the main (strongly) connected components of the baseline graph.

Regression: on the Andorra demo the only warehouse snapped to the end of a oneway road (a
strongly connected component of one node), so all its stock was "too far" and every town was
reported cut off from warehouses.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import shapely
from engine_fixtures import roads_from_xy, site, unit

from planner.engine.graph import SNAP_MIN_NODES, RoadGraph, snappable_nodes
from planner.engine.run import run_plan

# main network: n0 … n5 along y = 0 (residential, two-way, 400 m apart);
# n6 (2000, 300): a oneway spur n5 → n6 — a dead end for driving (its SCC is {n6});
# n7, n8 (5000, 0), (5100, 0): a two-node fragment, not connected to anything.
SPUR_NODES = [(0, 0), (400, 0), (800, 0), (1200, 0), (1600, 0), (2000, 0), (2000, 300), (5000, 0), (5100, 0)]
SPUR_EDGES = [(k, k + 1, "residential", False) for k in range(5)] + [
    (5, 6, "residential", True, 300.0), (7, 8, "residential", False)]


def _with_nodes(sites, units, lots, items, **kw):
    from engine_fixtures import tiny_norms

    from planner.engine.snapshot import make_input

    params = {"target_affected": 100, "event_date": "2026-06-01", "snap_max_m": 3500, **kw}
    ids = lambda rows: [{"id": k + 1, **r} for k, r in enumerate(rows)]  # noqa: E731
    return make_input(sites=ids(sites), items=ids(items), lots=lots, demand=ids(units),
                      roads=roads_from_xy(SPUR_NODES, SPUR_EDGES), norms=tiny_norms(("drinking_water",)),
                      params=params)


def test_oneway_dead_end_is_not_snapped_to():
    inp = _with_nodes(*_parts())
    g = RoadGraph(inp)
    # drive: SCCs {n0..n5} (6 nodes), {n6}, {n7, n8}; threshold = min(20, largest 6) = 6
    assert g.drive.min_component == 6
    assert list(np.nonzero(g.drive.snappable)[0]) == [0, 1, 2, 3, 4, 5]
    s = g.snap("drive", inp.sites.lon, inp.sites.lat)
    assert s.node[1] == 5 and s.dist_m[1] == pytest.approx(280.0, abs=1e-3) and s.status[1] == "ok"
    # walking: the two-node fragment is not snapped to either: U2 (5050, 10) goes onto the
    # n5–n6 spur (walked both ways) at (2000, 10), 3050 m away — a new node splitting the spur
    w = g.snap("walk", inp.demand.lon, inp.demand.lat)
    assert w.node[1] >= len(SPUR_NODES) and w.dist_m[1] == pytest.approx(3050.0, abs=1e-3)
    assert np.allclose(g.node_xy[w.node[1]] - [500000, 3900000], (2000, 10), atol=1e-3)
    # the warehouse's stock is usable (before the fix: "too_far", W1 stuck on the dead end)
    r = run_plan(inp)
    assert r.supply["lots"][0]["usable"] and r.supply["lots"][0]["reason"] is None
    assert r.isolation["isolated_units"] == 0


def _parts():
    sites = [site("S1", "shelter", 0, 0, shelter_class="short", stated_capacity=1000),
             site("W1", "warehouse", 2000, 280, tier="district")]
    units = [unit("U1", 100, 400, 0), unit("U2", 50, 5050, 10)]
    lots = [{"id": 1, "site_id": 2, "item_id": 1, "quantity": 3000}]
    items = [{"code": "WATER", "name_zh": "水", "unit": "L", "norm_key": "drinking_water"}]
    return sites, units, lots, items


def test_large_enough_island_stays_snappable():
    # two separate 5 × 5 grids (25 nodes each ≥ SNAP_MIN_NODES) + a 3-node fragment
    from scipy.sparse import csr_matrix

    def grid(off):
        e = []
        for r in range(5):
            for c in range(5):
                k = off + r * 5 + c
                if c < 4:
                    e.append((k, k + 1))
                if r < 4:
                    e.append((k, k + 5))
        return e

    e = grid(0) + grid(25) + [(50, 51), (51, 52)]
    u = np.array([a for a, b in e] + [b for a, b in e])
    v = np.array([b for a, b in e] + [a for a, b in e])
    csr = csr_matrix((np.ones(len(u)), (u, v)), shape=(53, 53))
    ok, _lab, need = snappable_nodes(csr, np.ones(53, bool), symmetric=True)
    assert need == SNAP_MIN_NODES
    assert ok[:50].all() and not ok[50:].any()
    # a directed cycle is strongly connected; a oneway path is not
    cyc = csr_matrix((np.ones(25), (np.arange(25), (np.arange(25) + 1) % 25)), shape=(30, 30))
    node_in = np.zeros(30, bool)
    node_in[:25] = True
    ok, _lab, _ = snappable_nodes(cyc, node_in, symmetric=False)
    assert ok[:25].all() and not ok[25:].any()


DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo" / "andorra.esplan"


@pytest.mark.skipif(not DEMO.exists(), reason="demo plan not built")
def test_andorra_demo_warehouse_stock_usable_and_no_town_cut_off(tmp_path):
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    copy = tmp_path / "andorra.esplan"
    shutil.copy(DEMO, copy)
    plan = open_plan(copy)
    try:
        inp = load_snapshot(plan)
    finally:
        plan.dispose()
    r = run_plan(inp)
    wh = [x for x in r.supply["lots"] if x["site"] == "WH-01"]
    assert wh and not any(x["reason"] == "too_far" for x in wh)
    assert sum(x["quantity"] for x in wh if x["usable"]) > 0
    assert r.isolation["isolated_units"] == 0 and r.isolation["pools"] == []
    assert not any(f["ref"] == "isolation" for f in r.findings)
    for it in r.supply["items"]:
        assert it["unusable"].get("too_far", 0) == 0, it["key"]


@pytest.mark.skipif(not DEMO.exists(), reason="demo plan not built")
def test_snapshot_reads_every_road_geometry_as_stored_in_edge_order(tmp_path):
    """The snapshot decodes the road geometries for the whole column at once: each edge keeps its
    own stored line (same WKB, same order as the edge columns), a missing one stays missing."""
    from sqlalchemy import select, update

    from planner import models as m
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    copy = tmp_path / "andorra.esplan"
    shutil.copy(DEMO, copy)
    plan = open_plan(copy)
    try:
        with plan.transaction(user="test", reason="one edge without geometry") as s:
            first = s.scalars(select(m.RoadEdge.id).order_by(m.RoadEdge.id).limit(1)).one()
            s.execute(update(m.RoadEdge).where(m.RoadEdge.id == first).values(geometry=None))
        with plan.session() as s:
            stored = s.execute(select(m.RoadEdge.u, m.RoadEdge.v, m.RoadEdge.geometry).order_by(m.RoadEdge.id)).all()
        inp = load_snapshot(plan)
    finally:
        plan.dispose()
    roads = inp.roads
    lines = roads.lines()
    assert lines is not None and len(lines) == len(stored) > 1000
    assert lines[0] is None and roads.geometry[0] is None and stored[0][2] is None
    node = roads.node_id
    for k, (u, v, g) in enumerate(stored[1:], start=1):
        assert (node[roads.edge_u[k]], node[roads.edge_v[k]]) == (u, v)
        assert shapely.to_wkb(lines[k]) == shapely.to_wkb(g), k


# -- road-true access: points are projected onto the nearest edge, which is split there -----------
def _line_input(nodes, edges, sites=(), units=(), walk_access=None, drive_access=None, hazards=(), **params):
    """A hand-built network (metres, see engine_fixtures) with per-edge access and a few points."""
    from engine_fixtures import lonlat_arrays, tiny_norms

    from planner.engine.snapshot import RoadTable, make_input

    xy = np.asarray(nodes, float)
    lon, lat = lonlat_arrays(xy)
    length = [e[4] if len(e) > 4 else float(np.hypot(*(xy[e[0]] - xy[e[1]]))) for e in edges]
    roads = RoadTable.from_arrays(lon, lat, [e[0] for e in edges], [e[1] for e in edges], [e[2] for e in edges],
                                  [e[3] for e in edges], length, walk_access=walk_access, drive_access=drive_access)
    ids = lambda rows: [{"id": k + 1, **r} for k, r in enumerate(rows)]  # noqa: E731
    return make_input(sites=ids(sites), demand=ids(units), roads=roads, norms=tiny_norms(("drinking_water",)),
                      hazards=hazards, params={"event_date": "2026-06-01", "walk_speed_mps": 1.0, **params})


ROAD_2200 = ([(0, 0), (2200, 0)], [(0, 1, "residential", False)])   # one straight edge, no vertex between


def _shelter(code, x, y, cap=1000):
    return site(code, "shelter", x, y, shelter_class="short", stated_capacity=cap)


def test_roadside_village_mid_edge_is_on_the_road():
    """A village 9 m from the middle of a 2.2 km road: 9 m off-road, then 1,100 m along the road
    (nearest-node snapping put it 1,100 m from the nearest node: off the network, dropped)."""
    from planner.engine.coverage import compute_coverage

    inp = _line_input(*ROAD_2200, sites=[_shelter("S", 2200, 0)], units=[unit("V", 100, 1100, 9)])
    g = RoadGraph(inp)
    s = g.snap("walk", inp.demand.lon, inp.demand.lat)
    assert s.status[0] == "ok" and s.dist_m[0] == pytest.approx(9.0, abs=1e-3)
    assert s.time_s[0] == pytest.approx(9.0, abs=1e-3)            # off-road speed = walking speed
    assert np.allclose(g.node_xy[s.node[0]] - [500000, 3900000], (1100, 0), atol=1e-3)
    assert g.n == 3                                                 # one node inserted
    cov = compute_coverage(inp, g, service_areas=False)
    assert cov.nearest_s[0] == pytest.approx(9.0 + 1100.0, abs=1e-3)
    u = cov.result["units"][0]
    assert u["snap_status"] == "ok" and u["snap_m"] == pytest.approx(9.0) and u["served"] == 0  # 1,109 s > 900 s
    # a slower off-road leg (offroad_speed_mps) only slows the 9 m
    slow = _line_input(*ROAD_2200, sites=[_shelter("S", 2200, 0)], units=[unit("V", 100, 1100, 9)],
                       offroad_speed_mps=0.5)
    assert compute_coverage(slow, RoadGraph(slow), service_areas=False).nearest_s[0] == pytest.approx(18.0 + 1100.0)
    # within the threshold it is served
    near = _line_input(*ROAD_2200, sites=[_shelter("S", 1900, 0)], units=[unit("V", 100, 1100, 9)])
    r = run_plan(near)
    assert r.coverage["units"][0]["served"] == 100 and r.coverage["units"][0]["snap_status"] == "ok"


def test_two_points_on_one_edge_split_it_in_order():
    from planner.engine.coverage import compute_coverage

    inp = _line_input(*ROAD_2200, sites=[_shelter("S", 700, 10)],
                      units=[unit("A", 10, 500, 5), unit("B", 10, 1500, -5)])
    g = RoadGraph(inp)
    assert g.n == 5 and set(g.walk.entry_edge.tolist()) == {0}      # three new nodes, all on edge 0
    cov = compute_coverage(inp, g, service_areas=False)
    # straight along the road between the points, not round by the ends
    assert cov.nearest_s[0] == pytest.approx(5 + 200 + 10, abs=1e-3)
    assert cov.nearest_s[1] == pytest.approx(5 + 800 + 10, abs=1e-3)
    # a point within 1 m (along the road) of a node or of another point reuses that node
    close = _line_input(*ROAD_2200, sites=[_shelter("S", 0.6, 30)],
                        units=[unit("A", 10, 500, 5), unit("B", 10, 500.8, -5)])
    g2 = RoadGraph(close)
    s = g2.snap("walk", close.demand.lon, close.demand.lat)
    assert s.node[0] == s.node[1] and g2.n == 3
    assert g2.snap("walk", close.sites.lon, close.sites.lat).node[0] == 0


def test_oneway_road_split_keeps_its_direction_for_driving():
    from scipy.sparse.csgraph import dijkstra

    # a block: n0 → n1 oneway primary (2 km), back n1 – n2 – n3 – n0 (residential, both ways)
    nodes = [(0, 0), (2000, 0), (2000, 1000), (0, 1000)]
    edges = [(0, 1, "primary", True), (1, 2, "residential", False), (2, 3, "residential", False),
             (3, 0, "residential", False)]
    inp = _line_input(nodes, edges, sites=[site("W", "warehouse", 500, 10), _shelter("S", 1500, 10)])
    g = RoadGraph(inp)
    s = g.snap("drive", inp.sites.lon, inp.sites.lat)
    assert s.ok.all() and (s.node >= 4).all()
    f = inp.params["post_disaster_speed_factor"]
    tp = 1.0 / (g.edge_speed_kmh[0] / 3.6 * f)     # seconds per metre, primary
    tr = 1.0 / (g.edge_speed_kmh[1] / 3.6 * f)     # residential
    D = dijkstra(g.drive.csr, directed=True, indices=s.node)
    assert D[0, s.node[1]] == pytest.approx(1000 * tp)                             # with the oneway
    assert D[1, s.node[0]] == pytest.approx(500 * tp + 4000 * tr + 500 * tp)       # round the block
    W = dijkstra(g.walk.csr, directed=True, indices=g.snap("walk", inp.sites.lon, inp.sites.lat).node)
    assert W[1, s.node[0]] == pytest.approx(1000.0)                                # walking ignores it


def test_hazard_on_a_split_road_cuts_and_slows_both_parts():
    from engine_fixtures import lonlat

    from planner.engine.coverage import compute_coverage
    from planner.engine.session import WhatIf
    from planner.engine.snapshot import Hazard

    def zone(x, effect="block", factor=1.0):
        poly = shapely.Polygon([lonlat(x - 20, -20), lonlat(x + 20, -20), lonlat(x + 20, 20), lonlat(x - 20, 20)])
        return Hazard("zone", effect, factor, False, poly)

    def inp(*hz):   # the 2.2 km road (edge 0) and a spur n1 – n2 (edge 1) the zones do not touch
        return _line_input([(0, 0), (2200, 0), (2200, 500)],
                           [(0, 1, "residential", False), (1, 2, "residential", False)],
                           sites=[_shelter("S", 2200, 0)], units=[unit("V", 100, 1100, 9)], hazards=hz)

    base = inp()
    g = RoadGraph(base)
    for x in (1800, 300):   # on the part towards the shelter, and on the other part
        cut = g.with_hazards([zone(x)])
        for mg in (cut.walk, cut.drive):
            road = mg.entry_edge == 0
            assert road.sum() == 4 and np.isinf(mg.csr.data[mg.entry_slot[road]]).all()    # both parts
            assert np.isfinite(mg.csr.data[mg.entry_slot[~road]]).all()                    # the spur
        assert np.isinf(compute_coverage(base, cut, service_areas=False).nearest_s[0])
    slow = g.with_hazards([zone(1800, "slow", 0.5)])
    assert compute_coverage(base, slow, service_areas=False).nearest_s[0] == pytest.approx(9 + 2 * 1100, abs=1e-3)
    # the what-if session reuses the graph (hazards do not move any point) and equals full runs
    w = WhatIf(base)
    for hz in (zone(1800), zone(1800, "slow", 0.5)):
        assert w.run_input(inp(hz)).to_json() == run_plan(inp(hz)).to_json()
    assert w.builds == 1


def test_foot_no_edge_is_not_walked_but_driven():
    from scipy.sparse.csgraph import dijkstra

    from planner.engine.coverage import compute_coverage

    # A — B direct 400 m (a foot=no tunnel), or A – C – D – B: 300 + 400 + 300 m
    nodes = [(0, 0), (400, 0), (0, 300), (400, 300)]
    edges = [(0, 1, "primary", False), (0, 2, "residential", False), (2, 3, "residential", False),
             (3, 1, "residential", False)]
    kw = dict(sites=[_shelter("S", 400, -5)], units=[unit("V", 10, 0, -5)])
    inp = _line_input(nodes, edges, walk_access=[False, None, None, None], **kw)
    g = RoadGraph(inp)
    assert 0 not in g.walk.entry_edge and 0 in g.drive.entry_edge
    cov = compute_coverage(inp, g, service_areas=False)
    assert cov.nearest_s[0] == pytest.approx(5 + 300 + 400 + 300 + 5, abs=1e-3)   # the detour
    D = dijkstra(g.drive.csr, directed=True, indices=[0])
    t_primary = 400 / (g.edge_speed_kmh[0] / 3.6 * inp.params["post_disaster_speed_factor"])
    assert D[0, 1] == pytest.approx(t_primary)                                     # driven through
    # without the tag the tunnel is walked
    free = _line_input(nodes, edges, **kw)
    assert compute_coverage(free, RoadGraph(free), service_areas=False).nearest_s[0] == pytest.approx(410, abs=1e-3)
    # the only road forbidden to walkers: unreachable, never snapped onto the tunnel
    only = _line_input([(0, 0), (400, 0)], [(0, 1, "primary", False)], walk_access=[False], **kw)
    cov = compute_coverage(only, RoadGraph(only), service_areas=False)
    assert cov.result["units"][0]["snap_status"] == "off_network"


def test_motor_vehicle_no_edge_is_not_driven_and_true_admits_a_class():
    from scipy.sparse.csgraph import dijkstra

    nodes = [(0, 0), (400, 0), (0, 300), (400, 300)]
    edges = [(0, 1, "residential", False), (0, 2, "residential", False), (2, 3, "residential", False),
             (3, 1, "footway", False)]
    inp = _line_input(nodes, edges, drive_access=[False, None, None, True])
    g = RoadGraph(inp)
    assert 0 not in g.drive.entry_edge and 0 in g.walk.entry_edge
    assert 3 in g.drive.entry_edge          # a footway admitted by its own tag (motor_vehicle=yes)
    res = 1.0 / (g.edge_speed_kmh[0] / 3.6 * inp.params["post_disaster_speed_factor"])
    foot = 1.0 / (g.edge_speed_kmh[3] / 3.6 * inp.params["post_disaster_speed_factor"])
    D = dijkstra(g.drive.csr, directed=True, indices=[0])
    assert D[0, 1] == pytest.approx(700 * res + 300 * foot)                         # the detour
    assert dijkstra(g.walk.csr, directed=True, indices=[0])[0, 1] == pytest.approx(400.0)
    # the access columns are part of the road digest (the graph cache key)
    plain = _line_input(nodes, edges)
    assert plain.roads.digest != inp.roads.digest
    assert plain.roads.digest == _line_input(nodes, edges, drive_access=[None] * 4).roads.digest


def test_point_beyond_snap_max_is_off_network_with_its_distance():
    inp = _line_input([(0, 0), (2000, 0)], [(0, 1, "residential", False)], sites=[_shelter("S", 0, 0)],
                      units=[unit("FAR", 10, 1000, 600), unit("NEAR", 10, 1000, 400)], snap_max_m=500)
    g = RoadGraph(inp)
    s = g.snap("walk", inp.demand.lon, inp.demand.lat)
    assert list(s.status) == ["off_network", "ok"]
    assert s.dist_m[0] == pytest.approx(600.0, abs=1e-3) and s.dist_m[1] == pytest.approx(400.0, abs=1e-3)
    r = run_plan(inp)
    far = r.coverage["units"][0]
    assert far["snap_status"] == "off_network" and far["snap_m"] == pytest.approx(600.0)
    assert r.coverage["totals"]["off_network"] == 10
    assert g.n == 3        # only the point on the network split the road


def test_points_unknown_to_the_graph_are_never_faster_than_the_truth():
    """snap() of a point that was not split into the graph (a candidate site): never shorter
    than with the point split in (extra_points), and equal within 1 m of a node."""
    from engine_fixtures import grid_roads, lonlat_arrays, roads_from_xy
    from scipy.sparse.csgraph import dijkstra

    from planner.engine.snapshot import make_input

    xy, edges = grid_roads(12, 12, seed=5)
    rng = np.random.default_rng(3)
    pts = xy[rng.integers(0, len(xy), 40)] + rng.normal(0, 40, (40, 2))
    lon, lat = lonlat_arrays(pts)
    ulon, ulat = lonlat_arrays(xy[rng.integers(0, len(xy), 15)] + rng.normal(0, 40, (15, 2)))
    inp = make_input(roads=roads_from_xy(xy, edges), params={"event_date": "2026-06-01"},
                     demand=[{"id": k + 1, "code": f"U{k}", "population": 10, "lon": float(a), "lat": float(b)}
                             for k, (a, b) in enumerate(zip(ulon, ulat, strict=True))])
    plain = RoadGraph(inp)
    exact = RoadGraph(inp, extra_points=(lon, lat))
    assert plain.key != exact.key
    n = inp.roads.n_nodes
    for mode in ("walk",):
        a, b = plain.snap(mode, lon, lat), exact.snap(mode, lon, lat)
        assert np.allclose(a.dist_m, b.dist_m) and (a.status == b.status).all()
        Da = dijkstra(plain.mode(mode).csr_t, directed=True, indices=np.arange(n))[:, a.node].T + a.time_s[:, None]
        Db = dijkstra(exact.mode(mode).csr_t, directed=True, indices=np.arange(n))[:, b.node].T + b.time_s[:, None]
        ok = a.ok
        assert (Da[ok] >= Db[ok] - 1e-6).all()
        assert (Da[ok] <= Db[ok] + 2 * 150 / inp.params["walk_speed_mps"]).all()   # at most a block more
        # the anchors (demand units) are exact in both graphs
        ua, ub = plain.snap(mode, ulon, ulat), exact.snap(mode, ulon, ulat)
        assert np.array_equal(ua.time_s, ub.time_s)
