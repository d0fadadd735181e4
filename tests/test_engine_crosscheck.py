"""Cross-check the engine against an independent networkx computation.

Real networks: the Andorra (2013) and Finland test OSM extracts imported with
planner.io.osm.import_osm; plus a synthetic perturbed grid. Shelters, demand units and
warehouses are placed (seeded) near random nodes. networkx computes, from the RoadEdge rows
and without engine code: snapping (brute force in the same UTM zone), nearest-shelter walking
time (super-source Dijkstra), the capacity-aware assignment (max_flow_min_cost, integer
milliseconds) and driving times source → shelter (oneway respected).
"""
from __future__ import annotations

import networkx as nx
import numpy as np
import pyproj
import pytest

from planner.engine.coverage import compute_coverage, shelter_capacities
from planner.engine.graph import RoadGraph
from planner.engine.snapshot import PlanInput, make_input
from planner.engine.supply import drive_times


def _place(inp: PlanInput, seed: int, n_sh: int, n_units: int, n_src: int) -> PlanInput:
    rng = np.random.default_rng(seed)
    r = inp.roads
    fwd = pyproj.Transformer.from_crs("EPSG:4326", RoadGraph(inp).crs, always_xy=True)
    inv = pyproj.Transformer.from_crs(RoadGraph(inp).crs, "EPSG:4326", always_xy=True)
    x, y = fwd.transform(r.node_lon, r.node_lat)

    def near(k):
        j = rng.integers(0, r.n_nodes)
        lon, lat = inv.transform(x[j] + rng.normal(0, 40), y[j] + rng.normal(0, 40))
        return float(lon), float(lat)

    sites = []
    for k in range(n_sh):
        lon, lat = near(k)
        sites.append(dict(id=len(sites) + 1, code=f"S{k}", kind="shelter", shelter_class="short",
                          stated_capacity=int(rng.integers(50, 800)), lon=lon, lat=lat))
    for k in range(n_src):
        lon, lat = near(k)
        sites.append(dict(id=len(sites) + 1, code=f"W{k}", kind="warehouse", lon=lon, lat=lat))
    units = []
    for k in range(n_units):
        lon, lat = near(k)
        units.append(dict(id=k + 1, code=f"U{k}", name=f"U{k}", population=int(rng.integers(10, 600)),
                          lon=lon, lat=lat))
    lots = [dict(id=k + 1, site_id=n_sh + 1 + k, item_id=1, quantity=1000) for k in range(n_src)]
    return make_input(sites=sites, demand=units, lots=lots, roads=r,
                      items=[dict(id=1, code="W", name_zh="水", unit="L", norm_key="drinking_water")],
                      params={"supply_population": 10000, "event_date": "2026-06-01", "threshold_min": 15,
                              "snap_max_m": 5000})


def _oracle_graphs(inp: PlanInput):
    prof = inp.norms
    walk_cls = set(prof["network"]["walk_classes"])
    drive_cls = set(prof["network"]["drive_classes"])
    speeds = {k: v["value"] for k, v in prof["speeds_kmh"].items()}
    f = inp.params["post_disaster_speed_factor"]
    ws = inp.params["walk_speed_mps"]
    r = inp.roads
    W, D = nx.DiGraph(), nx.DiGraph()

    def add(G, a, b, w):
        if a == b:
            return
        if not G.has_edge(a, b) or G[a][b]["weight"] > w:
            G.add_edge(a, b, weight=w)

    for k in range(r.n_edges):
        u, v, hw, L = int(r.edge_u[k]), int(r.edge_v[k]), r.highway[k], float(r.length_m[k])
        if hw in walk_cls:
            add(W, u, v, L / ws)
            add(W, v, u, L / ws)
        if hw in drive_cls:
            ms = r.maxspeed[k]
            kmh = ms if np.isfinite(ms) and ms > 0 else speeds.get(hw, speeds["road"])
            t = L / (kmh / 3.6 * f)
            add(D, u, v, t)
            if not r.oneway[k]:
                add(D, v, u, t)
    return W, D


def _oracle_snappable(G) -> list[int]:
    """Nodes of strongly connected components with ≥ min(max(20, ⌈1 %⌉ of nodes), largest) nodes."""
    comps = [c for c in nx.strongly_connected_components(G)]
    need = min(max(20, int(np.ceil(0.01 * G.number_of_nodes()))), max(len(c) for c in comps))
    return sorted(n for c in comps if len(c) >= need for n in c)


def _oracle_snap(inp, G, lon, lat):
    g = RoadGraph(inp)  # only for the CRS choice (UTM zone); the search below is brute force
    fwd = pyproj.Transformer.from_crs("EPSG:4326", g.crs, always_xy=True)
    nodes = np.array(_oracle_snappable(G))
    nx_, ny_ = fwd.transform(inp.roads.node_lon[nodes], inp.roads.node_lat[nodes])
    px, py = fwd.transform(np.asarray(lon), np.asarray(lat))
    d = np.hypot(np.subtract.outer(px, nx_), np.subtract.outer(py, ny_))
    j = d.argmin(axis=1)
    return nodes[j], d[np.arange(len(j)), j]


def _crosscheck(inp: PlanInput):
    ws = inp.params["walk_speed_mps"]
    thr = inp.params["threshold_min"] * 60
    W, D = _oracle_graphs(inp)
    st, du = inp.sites, inp.demand
    sh = np.nonzero(st.kind == "shelter")[0]
    sh_node, sh_d = _oracle_snap(inp, W, st.lon[sh], st.lat[sh])
    u_node, u_d = _oracle_snap(inp, W, du.lon, du.lat)

    g = RoadGraph(inp)
    cov = compute_coverage(inp, g, service_areas=False)
    # snapping agrees to the millimetre
    assert np.array_equal(cov.snap_units.node, u_node)
    assert np.allclose(cov.snap_units.dist_m, u_d, atol=1e-3)

    # nearest shelter time (super-source with snap offsets)
    G = W.copy()
    for k in range(len(sh)):
        G.add_edge("SRC", ("sh", k), weight=sh_d[k] / ws)
        G.add_edge(("sh", k), int(sh_node[k]), weight=0.0)
    R = W.reverse(copy=True)  # times *to* shelters (walking is symmetric anyway)
    R.add_edges_from(G.edges("SRC", data=True))
    R.add_edges_from((("sh", k), int(sh_node[k]), {"weight": 0.0}) for k in range(len(sh)))
    dist = nx.single_source_dijkstra_path_length(R, "SRC")
    want = np.array([dist.get(int(n), np.inf) + u_d[k] / ws for k, n in enumerate(u_node)])
    got = cov.nearest_s
    assert np.allclose(got[np.isfinite(want)], want[np.isfinite(want)], rtol=1e-9, atol=1e-6)
    assert np.array_equal(np.isinf(got), np.isinf(want))

    # capacity-aware assignment: max flow, then min cost (integer milliseconds)
    cap, _, _ = shelter_capacities(inp)
    F = nx.DiGraph()
    pop = du.population.astype(int)
    total_cost_s = 0.0
    for k in range(len(sh)):
        lengths = nx.single_source_dijkstra_path_length(W, int(sh_node[k]), cutoff=thr)
        F.add_edge(("s", k), "T", capacity=int(cap[sh[k]]), weight=0)
        for u in range(len(du)):
            t = lengths.get(int(u_node[u]), np.inf) + sh_d[k] / ws + u_d[u] / ws
            if t <= thr + 1e-9:
                F.add_edge(("u", u), ("s", k), capacity=int(pop[u]), weight=int(round(t * 1000)))
    for u in range(len(du)):
        F.add_edge("S", ("u", u), capacity=int(pop[u]), weight=0)
    flow = nx.max_flow_min_cost(F, "S", "T")
    served_nx = sum(flow["S"].values())
    cost_nx_ms = nx.cost_of_flow(F, flow)
    res = cov.result
    assert res["totals"]["served"] == pytest.approx(served_nx, abs=1e-6)
    total_cost_s = sum(a["people"] * a["seconds"] for x in res["units"] for a in x["assignments"])
    # same optimum up to the millisecond rounding of the oracle's integer costs
    assert total_cost_s == pytest.approx(cost_nx_ms / 1000.0, abs=served_nx * 0.001 + 1e-3)

    # driving times source → shelter (oneway respected)
    dts = drive_times(inp, g)
    s_node, s_d = _oracle_snap(inp, D, st.lon, st.lat)
    for r_, s in enumerate(dts.src):
        lengths = nx.single_source_dijkstra_path_length(D, int(s_node[s]))
        for c, h in enumerate(dts.shelters):
            t = lengths.get(int(s_node[h]), np.inf) + (s_d[s] + s_d[h]) / ws
            if t > dts.limit_s:
                t = np.inf
            e = dts.T[r_, c]
            assert (np.isinf(t) and np.isinf(e)) or e == pytest.approx(t, rel=1e-9, abs=1e-6)
    return res


def test_synthetic_grid_against_networkx():
    from engine_fixtures import grid_roads, roads_from_xy

    xy, edges = grid_roads(40, 40, seed=3)
    inp = make_input(roads=roads_from_xy(xy, edges), params={"event_date": "2026-06-01"})
    res = _crosscheck(_place(inp, seed=1, n_sh=12, n_units=60, n_src=3))
    assert 0 < res["totals"]["served"] < res["totals"]["demand"]  # a non-trivial case


@pytest.mark.slow
@pytest.mark.parametrize("name", ["andorra_2013_graphhopper.osm.pbf", "finland_test_pyrosm.osm.pbf"])
def test_real_osm_network_against_networkx(shared, tmp_path, name):
    from planner.io import osm
    from planner.scenario.runs import load_snapshot
    from planner.store import create_plan

    plan = create_plan(tmp_path / "osm.esplan", name="osm")
    try:
        osm.import_osm(plan, shared / "data" / "networks" / name, boundary=None, with_candidates=False)
        base = load_snapshot(plan, event_date="2026-06-01")
    finally:
        plan.dispose()
    assert base.roads.n_edges > 100 and base.roads.oneway.any()
    res = _crosscheck(_place(base, seed=7, n_sh=15, n_units=80, n_src=4))
    assert res["totals"]["served"] > 0
