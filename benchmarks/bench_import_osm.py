"""Benchmark the OSM road-network importer on the real extracts in ../shared/data/networks.

    /work/venv/bin/python benchmarks/bench_import_osm.py [--scale N]

Prints, for Andorra (2013) and the pyrosm Finland test extract: import seconds, nodes, edges,
drivable km, walkable km, candidate sites and the plan-file size in MB.

``--scale N`` (default 60) also times graph building + writing for N side-by-side copies of the
Andorra ways (node ids offset, longitudes shifted): a stand-in for a large district network
(the real extracts are small). It is labelled "synthetic" in the output.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from planner.io.network import Way, build_graph, write_network  # noqa: E402
from planner.io.osm import _read_osm, import_osm  # noqa: E402
from planner.store import create_plan  # noqa: E402


def networks_dir() -> Path:
    from planner.demo import find_shared

    try:
        return find_shared() / "data" / "networks"
    except FileNotFoundError as exc:
        sys.exit(str(exc))


def plan_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def bench_file(label: str, src: Path, tmp: Path) -> None:
    loc = tmp / f"{label}.esplan"
    plan = create_plan(loc, name=label)
    plan.dispose()
    size0 = plan_size_mb(loc)
    t0 = time.perf_counter()
    rep = import_osm(plan, src)
    secs = time.perf_counter() - t0
    plan.dispose()  # closes the connections (checkpoints the WAL)
    st = rep.stats
    print(f"{label:<10} {secs:7.2f} s  nodes {int(st['nodes']):>7,}  edges {int(st['edges']):>7,}  "
          f"drivable {st['drivable_km']:8.1f} km  walkable {st['walkable_km']:8.1f} km  "
          f"candidates {int(st['candidates']):>4}  plan file {plan_size_mb(loc):6.2f} MB "
          f"(empty plan {size0:.2f} MB)")


def bench_scaled(src: Path, copies: int, tmp: Path) -> None:
    ways, _, _, _ = _read_osm(src, network=True, candidates=False)
    span = 1.0  # degrees of longitude between copies
    big: list[Way] = []
    off = 10**10
    for k in range(copies):
        for w in ways:
            big.append(Way([i + k * off for i in w.ids], [x + k * span for x in w.lon], list(w.lat),
                            w.highway, w.oneway, w.name, w.maxspeed,
                            None if w.way_id is None else w.way_id + k * off, w.walk_access, w.drive_access))
    t0 = time.perf_counter()
    data = build_graph(big, "synthetic")
    t1 = time.perf_counter()
    loc = tmp / "scaled.esplan"
    plan = create_plan(loc, name="scaled")
    write_network(plan, data, candidates=[], replace=True, reason="benchmark")
    t2 = time.perf_counter()
    plan.dispose()
    print(f"synthetic {copies}× Andorra: {data.n_nodes:,} nodes, {data.n_edges:,} edges, "
          f"{data.total_km:,.0f} km: graph {t1 - t0:.2f} s, write {t2 - t1:.2f} s, "
          f"plan file {plan_size_mb(loc):.1f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=60, help="copies of Andorra for the synthetic run (0: skip)")
    args = ap.parse_args()
    nets = networks_dir()
    with tempfile.TemporaryDirectory(prefix="esplan-bench-") as d:
        tmp = Path(d)
        bench_file("andorra", nets / "andorra_2013_graphhopper.osm.pbf", tmp)
        bench_file("finland", nets / "finland_test_pyrosm.osm.pbf", tmp)
        if args.scale:
            bench_scaled(nets / "andorra_2013_graphhopper.osm.pbf", args.scale, tmp)


if __name__ == "__main__":
    main()
