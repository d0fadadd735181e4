"""Cross-check the engine against an independent networkx computation.

Real networks: the Andorra (2013) and Finland test OSM extracts imported with
planner.io.osm.import_osm; plus a synthetic perturbed grid. Shelters, demand units and
warehouses are placed (seeded) near random nodes. networkx computes, from the RoadEdge rows
and without engine code: snapping (brute force onto the nearest edge segment in the same UTM
zone, the edge cut there), nearest-shelter walking time (super-source Dijkstra), the
capacity-aware assignment (max_flow_min_cost, integer milliseconds) and driving times source →
shelter (oneway respected).
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


NO_SNAP = {"motorway", "motorway_link"}   # controlled access: never snapped to
MERGE_M = 1.0                              # a projection within 1 m of a node is that node


def _oracle_mode(inp: PlanInput, mode: str, lon, lat):
    """The mode's networkx graph split at the points, brute force, without engine code.

    Points go to the nearest point (segment by segment, in the UTM zone) of an edge of the mode
    (class listed in the profile, unless the edge's own access says otherwise) whose two ends
    lie in one strongly connected component of ≥ min(max(20, ⌈1 %⌉ of nodes),
    largest) nodes (motorways excluded); the edge is cut there (within 1 m of a node or of the
    previous cut: that node). Returns (graph, node per point, off-road metres, node xy dict)."""
    prof = inp.norms
    classes = set(prof["network"][f"{mode}_classes"])
    speeds = {k: v["value"] for k, v in prof["speeds_kmh"].items()}
    f = inp.params["post_disaster_speed_factor"]
    ws = inp.params["walk_speed_mps"]
    r = inp.roads
    fwd = pyproj.Transformer.from_crs("EPSG:4326", RoadGraph(inp).crs, always_xy=True)
    nx_, ny_ = fwd.transform(r.node_lon, r.node_lat)
    access = r.access(mode)   # the edge's own permission (OSM tags): 1 / 0, nan = by class
    edges = []   # (k, u, v, seconds, both ways)
    for k in range(r.n_edges):
        u, v, hw, L = int(r.edge_u[k]), int(r.edge_v[k]), r.highway[k], float(r.length_m[k])
        allowed = hw in classes if np.isnan(access[k]) else access[k] == 1.0
        if not allowed or u == v:
            continue
        if mode == "walk":
            edges.append((k, u, v, L / ws, True))
        else:
            ms = r.maxspeed[k]
            kmh = ms if np.isfinite(ms) and ms > 0 else speeds.get(hw, speeds["road"])
            edges.append((k, u, v, L / (kmh / 3.6 * f), not r.oneway[k]))
    B = nx.DiGraph()
    for _k, u, v, _w, both in edges:
        B.add_edge(u, v)
        if both:
            B.add_edge(v, u)
    comps = list(nx.strongly_connected_components(B))
    need = min(max(20, int(np.ceil(0.01 * B.number_of_nodes()))), max(len(c) for c in comps))
    label = {n: i for i, c in enumerate(comps) for n in c}
    big = {i for i, c in enumerate(comps) if len(c) >= need}
    # segments of the candidate edges, in edge order
    A, Bq, seg_e, seg_before, total = [], [], [], [], {}
    lines = r.lines()
    for k, u, v, _w, _b in edges:
        if r.highway[k] in NO_SNAP or label[u] != label[v] or label[u] not in big:
            continue
        g = None if lines is None else lines[k]
        if g is None:
            xs, ys = [nx_[u], nx_[v]], [ny_[u], ny_[v]]
        else:
            c = np.asarray(g.coords)
            xs, ys = fwd.transform(c[:, 0], c[:, 1])
        pts = np.column_stack([xs, ys])
        seg = np.hypot(*np.diff(pts, axis=0).T)
        before = np.concatenate([[0.0], np.cumsum(seg)[:-1]])
        for j in range(len(seg)):
            A.append(pts[j])
            Bq.append(pts[j + 1])
            seg_e.append(k)
            seg_before.append(before[j])
        total[k] = float(seg.sum())
    A, Bq, seg_e, seg_before = np.array(A), np.array(Bq), np.array(seg_e), np.array(seg_before)
    px, py = fwd.transform(np.asarray(lon), np.asarray(lat))
    P = np.column_stack([px, py])
    AB = Bq - A
    ab2 = np.maximum((AB ** 2).sum(1), 1e-18)
    on_edge = {}   # road edge → [(position along, point index)]
    dist = np.full(len(P), np.nan)
    xy: dict = {n: (nx_[n], ny_[n]) for n in range(r.n_nodes)}
    for i, p in enumerate(P):
        t = np.clip(((p - A) * AB).sum(1) / ab2, 0.0, 1.0)
        q = A + t[:, None] * AB
        d = np.hypot(*(p - q).T)
        j = int(np.argmin(d))   # first minimum: the lowest edge index
        dist[i] = d[j]
        if d[j] <= inp.params["snap_max_m"]:
            k = int(seg_e[j])
            frac = (seg_before[j] + t[j] * np.sqrt(ab2[j])) / total[k] if total[k] > 0 else 0.0
            on_edge.setdefault(k, []).append((frac, i, tuple(q[j])))
    node = [None] * len(P)
    G = nx.DiGraph()

    def add(a, b, w):
        w = max(w, 1e-6)
        if a != b and (not G.has_edge(a, b) or G[a][b]["weight"] > w):
            G.add_edge(a, b, weight=w)

    for k, u, v, w, both in edges:
        L = float(r.length_m[k])
        seq = [(0.0, u)]
        for frac, i, q in sorted(on_edge.get(k, [])):
            if frac * L <= MERGE_M:
                node[i] = u
            elif L - frac * L <= MERGE_M:
                node[i] = v
            elif seq[-1][1] not in (u,) and (frac - seq[-1][0]) * L <= MERGE_M:
                node[i] = seq[-1][1]
            else:
                node[i] = ("p", k, i)
                xy[node[i]] = q
                seq.append((frac, node[i]))
        seq.append((1.0, v))
        for (fa, a), (fb, b) in zip(seq[:-1], seq[1:], strict=True):
            add(a, b, w * (fb - fa))
            if both:
                add(b, a, w * (fb - fa))
    return G, node, dist, xy


def _crosscheck(inp: PlanInput):
    ws = inp.params["walk_speed_mps"]
    thr = inp.params["threshold_min"] * 60
    st, du = inp.sites, inp.demand
    sh = np.nonzero(st.kind == "shelter")[0]
    lon = np.concatenate([st.lon[sh], du.lon])
    lat = np.concatenate([st.lat[sh], du.lat])
    W, nodes, d_all, w_xy = _oracle_mode(inp, "walk", lon, lat)
    sh_node, sh_d = nodes[:len(sh)], d_all[:len(sh)]
    u_node, u_d = nodes[len(sh):], d_all[len(sh):]
    assert all(n is not None for n in nodes)   # every point is on the network here

    g = RoadGraph(inp)
    cov = compute_coverage(inp, g, service_areas=False)
    # snapping agrees to the millimetre: the same off-road distance, the same point on the road
    assert np.allclose(cov.snap_units.dist_m, u_d, atol=1e-3)
    assert np.allclose(g.node_xy[cov.snap_units.node], [w_xy[n] for n in u_node], atol=1e-3)
    assert np.allclose(g.node_xy[cov.snap_sites.node[sh]], [w_xy[n] for n in sh_node], atol=1e-3)
    assert (cov.snap_units.node >= inp.roads.n_nodes).any()   # some points split an edge

    # nearest shelter time (super-source with snap offsets)
    G = W.copy()
    for k in range(len(sh)):
        G.add_edge("SRC", ("sh", k), weight=sh_d[k] / ws)
        G.add_edge(("sh", k), sh_node[k], weight=0.0)
    R = W.reverse(copy=True)  # times *to* shelters (walking is symmetric anyway)
    R.add_edges_from(G.edges("SRC", data=True))
    R.add_edges_from((("sh", k), sh_node[k], {"weight": 0.0}) for k in range(len(sh)))
    dist = nx.single_source_dijkstra_path_length(R, "SRC")
    want = np.array([dist.get(n, np.inf) + u_d[k] / ws for k, n in enumerate(u_node)])
    got = cov.nearest_s
    assert np.allclose(got[np.isfinite(want)], want[np.isfinite(want)], rtol=1e-9, atol=1e-6)
    assert np.array_equal(np.isinf(got), np.isinf(want))

    # capacity-aware assignment: max flow, then min cost (integer milliseconds)
    cap, _, _ = shelter_capacities(inp)
    F = nx.DiGraph()
    pop = du.population.astype(int)
    total_cost_s = 0.0
    for k in range(len(sh)):
        lengths = nx.single_source_dijkstra_path_length(W, sh_node[k], cutoff=thr)
        F.add_edge(("s", k), "T", capacity=int(cap[sh[k]]), weight=0)
        for u in range(len(du)):
            t = lengths.get(u_node[u], np.inf) + sh_d[k] / ws + u_d[u] / ws
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
    D, s_node, s_d, d_xy = _oracle_mode(inp, "drive", st.lon, st.lat)
    assert np.allclose(dts.snap.dist_m, s_d, atol=1e-3)
    on = np.array([n is not None for n in s_node])
    assert np.array_equal(dts.snap.ok, on)
    assert np.allclose(g.node_xy[dts.snap.node[on]], [d_xy[n] for n in s_node if n is not None], atol=1e-3)
    for r_, s in enumerate(dts.src):
        lengths = nx.single_source_dijkstra_path_length(D, s_node[s])
        for c, h in enumerate(dts.shelters):
            t = lengths.get(s_node[h], np.inf) + (s_d[s] + s_d[h]) / ws
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
    if name.startswith("andorra"):   # foot=no on the main roads: their own access is honoured
        assert (base.roads.access("walk") == 0).sum() > 100
    res = _crosscheck(_place(base, seed=7, n_sh=15, n_units=80, n_src=4))
    assert res["totals"]["served"] > 0
