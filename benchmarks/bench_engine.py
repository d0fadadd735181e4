"""Engine benchmark on the SYNTHETIC district (benchmarks/synthetic.py).

    /work/venv/bin/python benchmarks/bench_engine.py [--side 316] [--nx]

Measures: run_plan end to end (graph build included); WhatIf (planner.engine.session) set-up
and an incremental what-if rerun after a river band cuts roads, checked identical to a full
run_plan; a stock-only rerun; the same what-if computation with plain networkx shortest paths
(graph copy minus cut edges, nearest shelter, per-shelter reach, the same assignment solver,
one driving Dijkstra per source) and the ratio; peak memory (ru_maxrss); the Andorra demo.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import district, river_hazard  # noqa: E402

from planner.engine.coverage import open_shelter_mask, shelter_capacities, unit_demand  # noqa: E402
from planner.engine.graph import RoadGraph  # noqa: E402
from planner.engine.lp import transport_flow  # noqa: E402
from planner.engine.run import run_plan  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def networkx_coverage(inp, graph: RoadGraph) -> tuple[float, float]:
    """Coverage with networkx shortest paths (snapping reused); returns (seconds, served)."""
    import networkx as nx

    t0 = time.perf_counter()
    W = graph.walk.csr.tocoo()
    G = nx.DiGraph()
    G.add_weighted_edges_from(zip(W.row.tolist(), W.col.tolist(), W.data.tolist(), strict=True))
    thr = inp.params["threshold_min"] * 60.0
    ss = graph.snap("walk", inp.sites.lon, inp.sites.lat)
    su = graph.snap("walk", inp.demand.lon, inp.demand.lat)
    sh = np.nonzero(open_shelter_mask(inp) & ss.ok)[0]
    # (1) nearest shelter
    H = G.copy()
    for s in sh:
        H.add_edge("SRC", int(ss.node[s]), weight=float(ss.time_s[s]))
    nx.single_source_dijkstra_path_length(H, "SRC")
    # (2) per-shelter reach within the threshold and the assignment LP
    cap, _, _ = shelter_capacities(inp)
    _, dem, _ = unit_demand(inp)
    ok = np.nonzero(su.ok)[0]
    node_units: dict[int, list[int]] = {}
    for u in ok:
        node_units.setdefault(int(su.node[u]), []).append(int(u))
    pi, pj, pc = [], [], []
    for s in sh:
        lengths = nx.single_source_dijkstra_path_length(G, int(ss.node[s]), cutoff=thr)
        for node, t in lengths.items():
            for u in node_units.get(node, ()):
                tt = t + ss.time_s[s] + su.time_s[u]
                if tt <= thr:
                    pi.append(u)
                    pj.append(s)
                    pc.append(tt)
    flows = transport_flow(dem, cap, np.array(pi), np.array(pj), np.array(pc), cost_scale=1000.0)
    return time.perf_counter() - t0, float(flows.sum())


def networkx_whatif(inp, graph: RoadGraph, fac) -> float:
    """The what-if with plain networkx: graph copy minus cut edges, coverage (above), and the
    driving times source → shelter (one Dijkstra per source). Returns seconds."""
    import networkx as nx

    from planner.engine.supply import drive_times

    t0 = time.perf_counter()
    cut = graph.with_edge_factors(fac)
    networkx_coverage(inp, cut)
    D = cut.drive.csr.tocoo()
    keep = np.isfinite(D.data)
    G = nx.DiGraph()
    G.add_nodes_from(range(cut.n))
    G.add_weighted_edges_from(zip(D.row[keep].tolist(), D.col[keep].tolist(), D.data[keep].tolist(), strict=True))
    dts = drive_times(inp, graph)  # only for the list of sources/shelters (snapping)
    limit = dts.limit_s
    for s in dts.src:
        nx.single_source_dijkstra_path_length(G, int(dts.snap.node[s]), cutoff=limit)
    return time.perf_counter() - t0


def andorra(path: Path) -> None:
    import shutil
    import tempfile

    import shapely

    from planner.engine.session import WhatIf
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    with tempfile.TemporaryDirectory() as d:
        copy = Path(d) / "andorra.esplan"
        shutil.copy(path, copy)
        plan = open_plan(copy)
        try:
            base = load_snapshot(plan)
        finally:
            plan.dispose()
    t = time.perf_counter()
    r = run_plan(base)
    t_full = time.perf_counter() - t
    t = time.perf_counter()
    w = WhatIf(base)
    t_init = time.perf_counter() - t
    cx, cy = float(base.roads.node_lon.mean()), float(base.roads.node_lat.mean())
    zone = shapely.box(cx - 0.01, cy - 0.01, cx + 0.01, cy + 0.01)
    t = time.perf_counter()
    wr = w.run({"name": "flood", "hazards": [{"name": "flood", "effect": "block", "geometry": zone}]})
    t_inc = time.perf_counter() - t
    t = time.perf_counter()
    w.run({"name": "stock", "stock_changes": [{"site_code": "WH-01", "item_code": None, "factor": 0.5}]})
    t_stock = time.perf_counter() - t
    print(f"ANDORRA demo ({base.roads.n_nodes:,} nodes): run_plan {t_full * 1000:.0f} ms; WhatIf init + baseline "
          f"{t_init * 1000:.0f} ms; hazard rerun {t_inc * 1000:.0f} ms; stock-only rerun {t_stock * 1000:.0f} ms; "
          f"served {r.summary['served']:,.0f} → {wr.summary['served']:,.0f}; isolated units "
          f"{r.summary['isolated_units']} → {wr.summary['isolated_units']}")


def main(argv=None) -> int:
    from planner.engine.session import WhatIf

    ap = argparse.ArgumentParser()
    ap.add_argument("--side", type=int, default=316)
    ap.add_argument("--no-nx", action="store_true", help="skip the networkx baseline")
    ap.add_argument("--andorra",
                    default=str(Path(__file__).resolve().parents[1] / "resources" / "demo" / "andorra.esplan"))
    a = ap.parse_args(argv)

    t = time.perf_counter()
    inp = district(side=a.side)
    print(f"SYNTHETIC district: {inp.roads.n_nodes:,} nodes, {inp.roads.n_edges:,} edges, "
          f"{len(inp.demand):,} units ({np.nansum(inp.demand.population):,.0f} people), "
          f"{int((inp.sites.kind == 'shelter').sum())} shelters, "
          f"{int((inp.sites.kind != 'shelter').sum())} sources, {len(inp.items)} items, "
          f"{len(inp.lots)} lots; built in {time.perf_counter() - t:.2f} s")

    t = time.perf_counter()
    res = run_plan(inp)
    t_full = time.perf_counter() - t
    print(f"run_plan full (graph build included): {t_full:.2f} s "
          f"({', '.join(f'{k} {v * 1000:.0f} ms' for k, v in res.timings.items())})")
    s = res.summary
    print(f"  served {s['served']:,.0f} / {s['sheltering_demand']:,.0f} ({s['served_share']:.1%}); "
          f"checks failed {s['checks_failed']}; shipped share {s['allocation_shipped_share']}")
    del res

    t = time.perf_counter()
    w = WhatIf(inp)
    print(f"WhatIf init (graph, STRtree, snapping trees, baseline run + memo): {time.perf_counter() - t:.2f} s")
    hz = river_hazard(a.side)
    scen = {"name": "river", "hazards": [hz]}
    t = time.perf_counter()
    wres = w.run(scen)
    t_inc = time.perf_counter() - t
    fac = w.graph.hazard_edge_factors([hz])
    print(f"what-if incremental rerun (river band, {int(np.isinf(fac).sum()):,} edges cut): {t_inc:.2f} s "
          f"({', '.join(f'{k} {v * 1000:.0f} ms' for k, v in wres.timings.items())}); "
          f"served {wres.summary['served']:,.0f}")
    reps, sup = [], []
    for k in range(1, 6):  # distinct bands (an identical one would hit the run cache)
        t = time.perf_counter()
        r = w.run({"name": f"river{k}", "hazards": [river_hazard(a.side, width=500.0 + 10 * k)]})
        reps.append(time.perf_counter() - t)
        sup.append(r.timings["supply"])
    t_med = float(np.median(reps))
    print(f"what-if rerun, median of 5 river bands (500–550 m): {t_med:.2f} s "
          f"({', '.join(f'{x:.2f}' for x in reps)}; supply step median {np.median(sup) * 1000:.0f} ms); "
          "driving worker process: "
          f"{'on' if w.pool.batches else 'off'} ({w.pool.batches} batches)")
    t = time.perf_counter()
    w.run({"name": "stock", "stock_changes": [{"site_code": "Q00", "item_code": None, "factor": 0}]})
    print(f"stock-only rerun: {time.perf_counter() - t:.2f} s")
    from planner.engine.apply import apply_scenario

    t = time.perf_counter()
    full = run_plan(apply_scenario(inp, scen))
    print(f"same what-if as a full run_plan: {time.perf_counter() - t:.2f} s; identical JSON: "
          f"{full.to_json() == wres.to_json()}")
    del full
    engine_peak = peak_mb()  # before the networkx baseline builds its own graphs in this process
    print(f"peak memory of the engine (ru_maxrss, before the networkx baseline): {engine_peak:,.0f} MB")
    if not a.no_nx:
        t_nx = networkx_whatif(inp, w.graph, fac)
        print(f"networkx baseline of the same what-if (coverage + drive times, same solvers): {t_nx:.2f} s; "
              f"ratio {t_nx / t_inc:.1f}x "
              f"(vs the median rerun {t_nx / t_med:.1f}x)")
    w.close()
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    worker = f"{child:,.0f} MB" if child else "not counted here (a forkserver grandchild)"
    print(f"peak memory (ru_maxrss, incl. the networkx baseline): {peak_mb():,.0f} MB; worker process: {worker}")
    if a.andorra and Path(a.andorra).exists():
        andorra(Path(a.andorra))
    return 0


if __name__ == "__main__":
    sys.exit(main())
