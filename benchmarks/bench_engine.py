"""Engine benchmark on the SYNTHETIC district (benchmarks/synthetic.py).

    /work/venv/bin/python benchmarks/bench_engine.py [--side 316] [--nx]

Measures: run_plan end to end (graph build included); a what-if rerun after a river band cuts
roads (STRtree lookup + CSR slots := inf, then run_plan on the edited graph); the same coverage
computation (nearest shelter + per-shelter reach + the same assignment LP) with plain networkx
shortest paths; peak memory (ru_maxrss).
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

from planner.engine.coverage import compute_coverage, shelter_capacities, open_shelter_mask, unit_demand  # noqa: E402
from planner.engine.graph import RoadGraph  # noqa: E402
from planner.engine.lp import transport  # noqa: E402
from planner.engine.run import run_plan  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def networkx_coverage(inp, graph: RoadGraph) -> tuple[float, float]:
    """Coverage with networkx shortest paths (snapping reused); returns (seconds, served)."""
    import networkx as nx

    t0 = time.perf_counter()
    W = graph.walk.csr.tocoo()
    G = nx.DiGraph()
    G.add_weighted_edges_from(zip(W.row.tolist(), W.col.tolist(), W.data.tolist()))
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
    flows = transport(dem, cap, np.array(pi), np.array(pj), np.array(pc))
    return time.perf_counter() - t0, float(flows.sum())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", type=int, default=316)
    ap.add_argument("--no-nx", action="store_true", help="skip the networkx baseline")
    a = ap.parse_args(argv)

    t = time.perf_counter()
    inp = district(side=a.side)
    print(f"SYNTHETIC district: {inp.roads.n_nodes:,} nodes, {inp.roads.n_edges:,} edges, "
          f"{len(inp.demand):,} units ({np.nansum(inp.demand.population):,.0f} people), "
          f"{int((inp.sites.kind == 'shelter').sum())} shelters, "
          f"{int((inp.sites.kind != 'shelter').sum())} sources, {len(inp.items)} items, "
          f"{len(inp.lots)} lots; built in {time.perf_counter() - t:.2f} s")

    t = time.perf_counter()
    graph = RoadGraph(inp)
    t_graph = time.perf_counter() - t
    t = time.perf_counter()
    res = run_plan(inp, graph=graph)
    t_run = time.perf_counter() - t
    print(f"graph build {t_graph * 1000:.0f} ms; run_plan {t_run:.2f} s "
          f"({', '.join(f'{k} {v * 1000:.0f} ms' for k, v in res.timings.items())})")
    s = res.summary
    print(f"  served {s['served']:,.0f} / {s['sheltering_demand']:,.0f} ({s['served_share']:.1%}); "
          f"mean {s['mean_time_min']} min; checks failed {s['checks_failed']}; "
          f"shipped share {s['allocation_shipped_share']}; isolated units {s['isolated_units']}")

    t = time.perf_counter()
    res_full = run_plan(inp)
    print(f"run_plan incl. graph build: {time.perf_counter() - t:.2f} s")
    del res_full

    # what-if: river band cuts roads
    hz = river_hazard(a.side)
    t = time.perf_counter()
    graph.hazard_edge_factors([])  # nothing
    fac = graph.hazard_edge_factors([hz])  # builds the STRtree once
    t_tree = time.perf_counter() - t
    t = time.perf_counter()
    fac = graph.hazard_edge_factors([hz])
    cut = graph.with_edge_factors(fac)
    t_cut = time.perf_counter() - t
    t = time.perf_counter()
    wres = run_plan(inp, graph=cut, service_areas=False)
    t_whatif = time.perf_counter() - t
    t = time.perf_counter()
    wres_sa = run_plan(inp, graph=cut, service_areas=True)
    t_whatif_sa = time.perf_counter() - t
    print(f"what-if: {int(np.isinf(fac).sum()):,} edges cut; STRtree build {t_tree * 1000:.0f} ms (once), "
          f"polygon lookup + CSR slots := inf {t_cut * 1000:.0f} ms")
    print(f"what-if rerun (no service areas) {t_whatif:.2f} s "
          f"({', '.join(f'{k} {v * 1000:.0f} ms' for k, v in wres.timings.items())}); "
          f"with service areas {t_whatif_sa:.2f} s; served {wres.summary['served']:,.0f}")

    # coverage alone: engine vs networkx
    t = time.perf_counter()
    cov = compute_coverage(inp, graph, service_areas=False)
    t_cov = time.perf_counter() - t
    print(f"coverage (engine, csgraph): {t_cov * 1000:.0f} ms, served {cov.result['totals']['served']:,.0f}")
    if not a.no_nx:
        t_nx, served_nx = networkx_coverage(inp, graph)
        print(f"coverage (networkx shortest paths, same LP): {t_nx:.2f} s, served {served_nx:,.0f}; "
              f"ratio {t_nx / t_cov:.1f}x")
    print(f"peak memory (ru_maxrss): {peak_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
