"""Benchmark: site recommendations on the SYNTHETIC 100k-node district (benchmarks/synthetic.py).

1,000 candidates (half population-weighted, half uniform; 500–8,000 m² each) and 5,000 demand
units; 300 existing shelters fixed. Runs best-k (k = 20), fewest shelters to the 60 % target,
and reserve points (deadline 20 min, existing sources fixed) with the flood band. Prints
figures: reach, model size after merging rows, greedy and exact (MILP) times, gap, verification.

    /work/venv/bin/python benchmarks/bench_recommend.py [--time-limit 20] [--side 316]
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import district, river_hazard, to_lonlat  # noqa: E402

from planner.engine.graph import RoadGraph  # noqa: E402
from planner.scenario.recommend import Options, recommend_points, recommend_shelters  # noqa: E402


def candidates(inp, n: int, side: int, seed: int = 7) -> list[dict]:
    rng = np.random.default_rng(seed)
    ext = side * 100.0

    pop = np.nan_to_num(inp.demand.population)
    half = n // 2
    pick = rng.choice(len(pop), half, p=pop / pop.sum())
    # unit positions back in metres: invert through the synthetic projection
    import pyproj

    fwd = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)
    ux, uy = fwd.transform(inp.demand.lon[pick], inp.demand.lat[pick])
    from synthetic import X0, Y0

    pts = np.vstack([np.column_stack([np.asarray(ux) - X0, np.asarray(uy) - Y0]) + rng.normal(0, 300, (half, 2)),
                     rng.uniform(0, ext, (n - half, 2))])
    pts = np.clip(pts, 0, ext - 100)
    lon, lat = to_lonlat(pts[:, 0], pts[:, 1])
    kinds = ["school", "park", "square", "sports"]
    return [{"id": j + 1, "name": None, "kind": kinds[j % 4], "lon": float(lon[j]), "lat": float(lat[j]),
             "area_m2": float(rng.uniform(500, 8000)), "osm_ref": f"synthetic{j}"} for j in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", type=int, default=316)
    ap.add_argument("--candidates", type=int, default=1000)
    ap.add_argument("--units", type=int, default=5000)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--time-limit", type=float, default=20.0)
    a = ap.parse_args()

    t0 = time.perf_counter()
    inp = district(side=a.side, n_units=a.units)
    cands = candidates(inp, a.candidates, a.side)
    t_data = time.perf_counter() - t0
    t0 = time.perf_counter()
    graph = RoadGraph(inp)
    t_graph = time.perf_counter() - t0
    print(f"SYNTHETIC district: {inp.roads.n_nodes:,} nodes, {inp.roads.n_edges:,} edges, {len(inp.demand):,} units, "
          f"{int((inp.sites.kind == 'shelter').sum())} shelters, {len(cands):,} candidates "
          f"(data {t_data:.1f} s, graph {t_graph:.2f} s)")

    def show(label, r, t):
        m = r.get("model", {})
        e = r.get("exact") or {}
        g = r.get("greedy") or {}
        v = r.get("verification") or {}
        gap = r.get("gap")
        print(f"\n== {label}: total {t:.2f} s (status {r.get('status')}, answer from {r.get('answer_from')})")
        if "pairs" in m:
            print(f"   model: rows merged {m.get('demand_rows_merged')} "
                  f"(of {m.get('demand_units_in_reach', m.get('demand_rows'))}), "
                  f"pairs {m.get('pairs'):,} (unmerged {m.get('pairs_unmerged', '—')}), "
                  f"reach {m.get('reach_s', '—')} s")
        print(f"   greedy: {g.get('sites')} sites, share {g.get('share')}, {g.get('solve_s')} s")
        print(f"   exact:  {e.get('sites')} sites, {e.get('rows')}×{e.get('cols')} ({e.get('binaries')} binaries), "
              f"{e.get('solve_s')} s, gap {'—' if gap is None else f'{gap:.4%}'}: {e.get('message')}")
        if r["problem"] != "points":
            print(f"   served share: base {r.get('base_share')} → promised {r.get('promised_share')} → "
                  f"verified {v.get('served_share')} ({'ok' if v.get('meets_promise') else 'NOT MET'}; "
                  f"rerun {v.get('rerun_s')} s)")
        else:
            print(f"   units within deadline: {r['units_within_deadline']} "
                  f"→ promised {r.get('promised_units_within_deadline')} "
                  f"→ verified {v.get('units_within_deadline')} of {r['units_on_network']} "
                  f"({'ok' if v.get('meets_promise') else 'NOT MET'}; uncoverable {len(r['units_uncoverable'])})")
        if r.get("actions"):
            print(f"   e.g. {r['actions'][0]['zh']}")

    t0 = time.perf_counter()
    r = recommend_shelters(inp, problem="best-k", candidates=cands, graph=graph,
                           options=Options(k=a.k, time_limit=a.time_limit))
    show(f"best-k (k={a.k})", r, time.perf_counter() - t0)

    t0 = time.perf_counter()
    r = recommend_shelters(inp, problem="shelters", candidates=cands, graph=graph,
                           options=Options(time_limit=a.time_limit, target_share=0.6))
    show("fewest shelters to 60 % served", r, time.perf_counter() - t0)

    flood = dataclasses.replace(inp, hazards=(river_hazard(a.side),), scenario_name="flood")
    t0 = time.perf_counter()
    gflood = graph.with_hazards(flood.hazards)
    r = recommend_points(flood, candidates=cands, graph=gflood,
                         options=Options(deadline_min=20, time_limit=a.time_limit, include_units=True))
    show("reserve points, flood, 20 min", r, time.perf_counter() - t0)


if __name__ == "__main__":
    main()
