"""Writing a road network into a plan: (A) SQLAlchemy Core inserts with the geometry encoded per
row while binding, as before, against (B) one vectorised ``shapely.to_wkb`` over the whole column
and, on SQLite, the rows handed to the driver's executemany as tuples.

    python benchmarks/bench_network_write.py [--copies 20] [--repeat 3]

The network is N side-by-side copies of the Andorra extract (../shared/data/networks/
andorra_2013_graphhopper.osm.pbf), built once;
each repetition writes it into a fresh SQLite plan with ``write_network`` (one transaction), the
sides interleaved A B A B … The two plans of a repetition must hold the same road tables, byte for
byte (asserted: every node and edge row, the WKB included). Prints min and median per side and
this process's peak memory (the write starts no other process); writes
``benchmarks/results/network_write.json``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _tables_digest(path: Path) -> str:
    con = sqlite3.connect(str(path))
    h = hashlib.sha256()
    for table, cols in (("road_node", "id, lon, lat"),
                        ("road_edge", "u, v, highway, oneway, walk_access, drive_access, length_m, name, "
                                      "maxspeed_kmh, osm_way_id, geometry")):
        for row in con.execute(f"SELECT {cols} FROM {table} ORDER BY 1, 2, 3"):   # noqa: S608 - fixed names
            h.update(repr(row).encode())
    con.close()
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "network_write.json"))
    a = ap.parse_args(argv)

    from bench_import_osm import networks_dir  # type: ignore[import-not-found]

    from planner.io.network import Way, build_graph, write_network
    from planner.io.osm import _read_osm
    from planner.store import create_plan

    src = networks_dir() / "andorra_2013_graphhopper.osm.pbf"
    ways, _, _, _ = _read_osm(src, network=True, candidates=False)
    big: list[Way] = []
    off = 10**10
    for k in range(a.copies):
        for w in ways:
            big.append(Way([i + k * off for i in w.ids], [x + k * 1.0 for x in w.lon], list(w.lat),
                           w.highway, w.oneway, w.name, w.maxspeed,
                           None if w.way_id is None else w.way_id + k * off, w.walk_access, w.drive_access))
    data = build_graph(big, "synthetic")
    print(f"{a.copies}× Andorra: {data.n_nodes:,} nodes, {data.n_edges:,} edges")
    sides = {"A per row (Core)": False, "B bulk (driver)": True}
    times: dict[str, list[float]] = {k: [] for k in sides}
    tmp = Path(tempfile.mkdtemp(prefix="bench-netwrite-"))
    try:
        for rep in range(a.repeat):
            digests = {}
            for label, bulk in sides.items():
                loc = tmp / f"{rep}-{bulk}.esplan"
                plan = create_plan(loc, name="bench")
                t = time.perf_counter()
                write_network(plan, data, candidates=[], replace=True, reason="benchmark", bulk_wkb=bulk)
                times[label].append(time.perf_counter() - t)
                plan.dispose()
                digests[label] = _tables_digest(loc)
                loc.unlink()
            assert len(set(digests.values())) == 1, f"repetition {rep}: the sides wrote different tables"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = {k: {"min_s": round(min(v), 3), "median_s": round(statistics.median(v), 3), "n": len(v)}
            for k, v in times.items()}
    for k, r in rows.items():
        print(f"  {k:16s} min {r['min_s']:.3f} s  median {r['median_s']:.3f} s")
    print(f"same tables on both sides (asserted); peak RSS of this process {peak:.0f} MB, no child process")
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "network_write", "copies": a.copies, "nodes": data.n_nodes,
                               "edges": data.n_edges, "sides": rows, "peak_rss_mb": round(peak),
                               "machine": {"python": sys.version.split()[0], "platform": platform.platform()},
                               "date": time.strftime("%Y-%m-%d %H:%M:%S")}, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
