"""OSM import at city scale, side by side: the full ``import_osm`` path (read the file, build the
graph, clip, candidates, write) on a SYNTHETIC ``.osm.pbf`` (benchmarks/synthetic.osm_pbf).

    python benchmarks/bench_import_osm.py [--quick] [--streets 1100] [--repeat 3] [--base DIR]
                                          [--out benchmarks/results/import_osm.json]

The file: a road-like grid of ``--streets`` × ``--streets`` streets with a degree-2 chain node
between junctions, highway classes, names, maxspeed, oneway / access tags, candidate schools and
parks, a boundary (written once with osmium's SimpleWriter and cached under /tmp). The default
1,100 streets make 3.6 M OSM nodes; clipped to the boundary ≈ 1.0 M graph nodes and 2.0 M edges.

Each repetition imports the file into a fresh SQLite plan in a NEW process per side (this tree;
``--base DIR``: another source tree's ``planner``, e.g. ``git clone /work/main /tmp/base``), the
sides interleaved and their order rotated every round. Measured per import: wall seconds of
``import_osm`` in the side process, the phases from its progress messages, and the peak memory of
the side's whole process tree (sum of Pss, sampled every 0.2 s; benchmarks/common.py). Both sides
must write the same tables — every road_node, road_edge (id and WKB included) and candidate_site
row, hashed in key order (asserted). Writes ``benchmarks/results/import_osm.json``
(``--quick``: 250 streets, 2 rounds, ``import_osm-quick.json``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import ROOT, PeakSampler, side_command, stats, write_results  # noqa: E402


def tables_digest(path: Path) -> str:
    """sha-256 of every road_node, road_edge and candidate_site row in key order."""
    con = sqlite3.connect(str(path))
    h = hashlib.sha256()
    for sql in ("SELECT id, lon, lat FROM road_node ORDER BY id",
                "SELECT id, u, v, highway, oneway, walk_access, drive_access, length_m, name, maxspeed_kmh, "
                "osm_way_id, geometry FROM road_edge ORDER BY id",
                "SELECT kind, name, lon, lat, area_m2, osm_ref, source FROM candidate_site ORDER BY osm_ref"):
        for row in con.execute(sql):
            h.update(repr(row).encode())
    con.close()
    return h.hexdigest()


def side_main(pbf: str, plan_path: str, streets: int) -> None:
    """One import in this process; prints one JSON line."""
    from synthetic import osm_boundary

    from planner.io.osm import import_osm
    from planner.store import create_plan

    plan = create_plan(plan_path, name="bench")
    marks: list[tuple[float, float, str]] = []
    t0 = time.perf_counter()

    class Progress:
        def set_progress(self, f: float, msg: str) -> None:
            marks.append((time.perf_counter() - t0, f, msg))

        def is_cancelled(self) -> bool:
            return False

    t0 = time.perf_counter()
    rep = import_osm(plan, pbf, boundary=osm_boundary(streets), progress=Progress())
    secs = time.perf_counter() - t0
    plan.dispose()
    phases: dict[str, float] = {}
    # phase = time from its first progress message to the next phase's first message
    keys = [("read", "reading"), ("graph", "building the road graph"), ("candidates", "candidate sites"),
            ("write", "writing"), ("done", "done")]
    firsts = []
    for name, prefix in keys:
        hit = next((t for t, _f, m in marks if m.startswith(prefix)), None)
        firsts.append((name, hit))
    for k in range(len(firsts) - 1):
        a, b = firsts[k][1], firsts[k + 1][1]
        if a is not None and b is not None:
            phases[firsts[k][0]] = round(b - a, 3)
    print(json.dumps({"seconds": round(secs, 3), "phases": phases, "stats": rep.stats,
                      "progress_messages": len(marks),
                      "longest_silence_s": round(max((b[0] - a[0] for a, b in zip(marks, marks[1:], strict=False)),
                                                     default=0), 3)}))


def run_side(label: str, root: Path, pbf: str, plan_path: Path, streets: int) -> dict[str, Any]:
    cmd = side_command(root, Path(__file__), "--side", pbf, str(plan_path), str(streets))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    with PeakSampler(proc.pid, interval=0.2) as peak:   # 0.2 s: the sampler scans /proc (a long run)
        out, _ = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"side {label} failed (exit {proc.returncode})")
    ans = json.loads([ln for ln in out.splitlines() if ln.startswith("{")][-1])
    ans["peak_mb"] = peak.peak
    ans["processes"] = peak.processes
    ans["digest"] = tables_digest(plan_path)
    return ans


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--side":
        side_main(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="250 streets, 2 rounds")
    ap.add_argument("--streets", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--base", default=None, help="another source tree to compare with")
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    streets = a.streets or (250 if a.quick else 1100)
    repeat = a.repeat or (2 if a.quick else 3)
    from synthetic import osm_pbf

    t = time.perf_counter()
    pbf = osm_pbf(streets)
    print(f"synthetic OSM file {pbf} ({Path(pbf).stat().st_size / 1e6:.1f} MB, {time.perf_counter() - t:.1f} s)",
          flush=True)
    sides = {"this": ROOT}
    if a.base:
        sides = {"base": Path(a.base).resolve(), "this": ROOT}
    labels = list(sides)
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in labels}
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-osm-"))
    try:
        for rnd in range(repeat):
            order = labels[rnd % len(labels):] + labels[:rnd % len(labels)]
            digests = {}
            for label in order:
                loc = tmp / f"{label}-{rnd}.esplan"
                r = run_side(label, sides[label], pbf, loc, streets)
                runs[label].append(r)
                digests[label] = r["digest"]
                for f in tmp.glob(loc.name + "*"):
                    f.unlink()
                print(f"round {rnd} {label:5s} {r['seconds']:7.2f} s  peak {r['peak_mb']:7.0f} MB "
                      f"({r['processes']} proc)  phases {r['phases']}  nodes {int(r['stats']['nodes']):,} "
                      f"edges {int(r['stats']['edges']):,}", flush=True)
            assert len(set(digests.values())) == 1, f"round {rnd}: the sides wrote different tables {digests}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out: dict[str, Any] = {"parameters": {"streets": streets, "repeat": repeat, "quick": a.quick,
                                          "file_mb": round(Path(pbf).stat().st_size / 1e6, 1)},
                           "same_tables": True, "sides": {}}
    for label in labels:
        rs = runs[label]
        out["sides"][label] = {
            "root": str(sides[label]), "seconds": stats([r["seconds"] for r in rs]),
            "peak_mb": stats([r["peak_mb"] for r in rs if r["peak_mb"] is not None], 0),
            "phases_median": {k: round(sorted(r["phases"].get(k, 0) for r in rs)[len(rs) // 2], 3)
                              for k in rs[0]["phases"]},
            "longest_progress_silence_s": max(r["longest_silence_s"] for r in rs),
            "nodes": rs[0]["stats"]["nodes"], "edges": rs[0]["stats"]["edges"]}
        s = out["sides"][label]
        print(f"{label:5s} min {s['seconds']['min']:.2f} s  median {s['seconds']['median']:.2f} s  "
              f"peak {s['peak_mb'].get('max')} MB  phases {s['phases_median']}  "
              f"longest silence {s['longest_progress_silence_s']} s")
    print("same tables on both sides (asserted)" if len(labels) > 1 else "one side only (no --base)")
    path = write_results("import_osm-quick" if a.quick and not a.out else "import_osm", out, a.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
