"""A SYNTHETIC city-scale district end to end: import, full run, what-if reruns, printed plan.

    python benchmarks/bench_city.py [--quick] [--streets 1100] [--villages 50000] [--shelters 2000]
                                    [--sources 200] [--people 3000000] [--seed 11] [--out PATH]

Not real data. The road network is the SYNTHETIC ``.osm.pbf`` of ``synthetic.osm_pbf`` (1,100 × 1,100
streets: 3.6 M OSM nodes, clipped to ≈ 1.0 M graph nodes and 2.0 M edges; cached under /tmp) with
its boundary (``synthetic.osm_boundary``, written as GeoJSON). Steps, one after the other:

1. **import** (a child process): a new SQLite plan (``planner.store.create_plan``), the boundary
   and the ``.osm.pbf`` through the real importer (``planner.io.dispatch.import_file``: roads,
   candidate sites, offline basemap), then the rest of the district as ORM rows in one
   ``plan.transaction`` (like ``synthetic_plan.py``): ``--villages`` villages (lognormal
   populations totalling ``--people``, 70 % around 20 Zipf-weighted towns), ``--shelters``
   shelters (population-weighted, lognormal capacities, four classes), ``--sources`` sources (a
   quarter warehouses, the rest reserve points) with stock of every cn_standard item, the towns,
   and a scenario "洪水" with a meandering river band (1.5 km wide) across the whole city.
2. **engine** (a second child process, the plan re-opened as a user would): the snapshot
   (``load_snapshot``), the full baseline run (``WhatIf().run_input``: what ``esplan-cli check``
   computes), the what-if rerun of "洪水" on the same session, three more reruns (the flood
   again, a wider band, the baseline re-read), and the printed plan
   (``write_report(plan, pdf, scenario="洪水", compare=["baseline"], result=…)`` as the GUI calls
   it: the flood result handed over, the baseline run again for the comparison; Chinese).

Per step: wall seconds, CPU seconds of the process (``time.process_time``) and the peak Pss of the
process during the step (sampled every 0.2 s in a thread: the engine starts no other process, its
driving worker being off by default; the whole child's tree peak and ``ru_maxrss`` are recorded
too). Each step must give a sane answer (asserted): the run has checks, its served share is a
number in [0, 1], the flood closes shelters, the PDF has more than 10 pages. Also recorded: the
plan file's size, the PDF's pages and size, the load average before and after every step.
Writes ``benchmarks/results/city.json`` (``--quick``: 200 streets, 5,000 villages, 200 shelters,
40 sources → ``city-quick.json``).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import PeakSampler, pss_mb, write_results  # noqa: E402
from synthetic import osm_boundary, osm_pbf, to_lonlat  # noqa: E402
from synthetic_plan import add_stock  # noqa: E402

BLOCK, SPACING = 2, 20.0        # synthetic.osm_pbf's defaults


def extent_m(streets: int) -> float:
    return BLOCK * (streets - 1) * SPACING


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class Steps:
    """Times steps of this process: wall, CPU, peak Pss (own process, sampled in a thread)."""

    def __init__(self, interval: float = 0.2):
        self.rows: list[dict[str, Any]] = []
        self._peak = 0.0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._interval = interval
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _sample(self) -> float:
        v = pss_mb(os.getpid()) or 0.0
        with self._lock:
            self._peak = max(self._peak, v)
        return v

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self._interval)

    def step(self, name: str):
        steps = self

        class _Ctx:
            def __enter__(self) -> dict[str, Any]:
                with steps._lock:
                    steps._peak = 0.0
                self.row: dict[str, Any] = {"step": name, "load_before": load(),
                                            "pss_before_mb": round(steps._sample())}
                self.w, self.c = time.perf_counter(), time.process_time()
                return self.row

            def __exit__(self, *exc) -> None:
                self.row["wall_s"] = round(time.perf_counter() - self.w, 2)
                self.row["cpu_s"] = round(time.process_time() - self.c, 2)
                after = steps._sample()
                self.row["peak_mb"] = round(steps._peak)
                self.row["pss_after_mb"] = round(after)
                self.row["load_after"] = load()
                steps.rows.append(self.row)
                print(f"  {name:28s} wall {self.row['wall_s']:8.2f} s  cpu {self.row['cpu_s']:8.2f} s  "
                      f"peak {self.row['peak_mb']:6d} MB  load {self.row['load_after'][0]}",
                      file=sys.stderr, flush=True)

        return _Ctx()

    def close(self) -> None:
        self._stop.set()
        self._t.join()


def river_band(ext: float, width: float, phase: float = 0.0):
    """A meandering band across the whole city (WGS84 shapely Polygon), like synthetic.river_hazard."""
    import shapely

    xs = np.linspace(-0.02 * ext, 1.02 * ext, 400)
    ys = ext * 0.5 + ext * 0.12 * np.sin(xs / ext * 2 * np.pi * 1.5 + phase)
    band = shapely.LineString(np.column_stack([xs, ys])).buffer(width / 2)
    blon, blat = to_lonlat(*np.asarray(band.exterior.coords).T)
    return shapely.Polygon(np.column_stack([blon, blat]))


# -- child 1: the plan ----------------------------------------------------------------------------
def build(a: argparse.Namespace, plan_path: Path) -> dict[str, Any]:
    import shapely

    from planner import models as m
    from planner.io.dispatch import import_file
    from planner.norms import shipped_profile
    from planner.store import create_plan

    steps = Steps()
    out: dict[str, Any] = {}
    pbf = osm_pbf(a.streets)
    geo = plan_path.with_suffix(".boundary.geojson")
    geo.write_text(json.dumps({"type": "Feature", "properties": {"name": "合成市 (SYNTHETIC city)"},
                               "geometry": shapely.geometry.mapping(osm_boundary(a.streets))}), encoding="utf-8")
    with steps.step("create plan + boundary"):
        plan = create_plan(plan_path, name="合成城市（SYNTHETIC city）", district_code="999999")
        import_file(plan, "boundary", geo, name="合成市（SYNTHETIC）", code="999999")
    with steps.step("import OSM (.osm.pbf)") as row:
        rep = import_file(plan, "osm", pbf)
        row["stats"] = {k: v for k, v in rep.stats.items() if isinstance(v, (int, float, str))}
    out["osm_stats"] = row["stats"]

    rng = np.random.default_rng(a.seed)
    ext = extent_m(a.streets)
    lo_, hi_ = 0.03 * ext, 0.97 * ext
    with steps.step("district rows (ORM)") as row:
        n_towns = 20
        centres = rng.uniform(0.15 * ext, 0.85 * ext, (n_towns, 2))
        w = 1.0 / np.arange(1, n_towns + 1)
        w /= w.sum()
        n = a.villages
        n_town = int(n * 0.7)
        town_of = rng.choice(n_towns, n_town, p=w)
        pts = np.vstack([centres[town_of] + rng.normal(0, 0.05 * ext, (n_town, 2)),
                         rng.uniform(lo_, hi_, (n - n_town, 2))])
        pts = np.clip(pts, lo_, hi_)
        rest = pts[n_town:]
        near = np.argmin(((rest[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
        town_code = np.concatenate([town_of, near])
        pop = rng.lognormal(0, 1.0, n)
        pop = np.maximum(1, np.round(pop / pop.sum() * a.people)).astype(int)
        lon, lat = to_lonlat(pts[:, 0], pts[:, 1])
        # shelters: population-weighted, lognormal capacities (total 40 % of the population)
        pick = rng.choice(n, a.shelters, p=pop / pop.sum())
        spos = np.clip(pts[pick] + rng.normal(0, 300, (a.shelters, 2)), lo_, hi_)
        cap = rng.lognormal(0, 0.7, a.shelters)
        cap = np.round(cap / cap.sum() * 0.4 * pop.sum())
        slon, slat = to_lonlat(spos[:, 0], spos[:, 1])
        qpos = rng.uniform(0.05 * ext, 0.95 * ext, (a.sources, 2))
        qlon, qlat = to_lonlat(qpos[:, 0], qpos[:, 1])
        classes = [m.ShelterClass.emergency, m.ShelterClass.short, m.ShelterClass.medium, m.ShelterClass.long]
        items = shipped_profile("cn_standard")["supplies"]["items"]
        with plan.transaction(user="benchmark", reason="SYNTHETIC city") as s:
            for k in range(n_towns):
                s.add(m.AdminUnit(code=f"T{k:02d}", name=f"合成街道{k:02d}", level="town",
                                  population=float(pop[town_code == k].sum())))
            for k in range(n):
                s.add(m.DemandUnit(code=f"V{k:05d}", name=f"合成社区{k:05d}", kind="village",
                                   town_code=f"T{town_code[k]:02d}", population=int(pop[k]),
                                   lon=float(lon[k]), lat=float(lat[k]), location_source="SYNTHETIC"))
            for k in range(a.shelters):
                s.add(m.Site(code=f"S{k:04d}", name=f"合成避难场所{k:04d}", kind=m.SiteKind.shelter,
                             lon=float(slon[k]), lat=float(slat[k]), town_code=f"T{k % n_towns:02d}",
                             status=m.SiteStatus.built, source="SYNTHETIC", shelter_class=classes[k % 4],
                             stated_capacity=float(cap[k]), indoor_area_m2=float(cap[k] * 0.5)))
            sources = []
            for k in range(a.sources):
                wh = k < a.sources // 4
                site = m.Site(code=f"Q{k:03d}", name=f"合成{'仓库' if wh else '储备点'}{k:03d}",
                              kind=m.SiteKind.warehouse if wh else m.SiteKind.reserve_point,
                              lon=float(qlon[k]), lat=float(qlat[k]), town_code=f"T{k % n_towns:02d}",
                              status=m.SiteStatus.built, source="SYNTHETIC",
                              tier=m.PointTier.district if wh else m.PointTier.town)
                s.add(site)
                sources.append(site)
            s.flush()
            add_stock(s, items, sources, rng, a.people * 2)
            sc = m.Scenario(name="洪水", description="SYNTHETIC river band across the city", params={})
            s.add(sc)
            s.flush()
            s.add(m.HazardZone(scenario_id=sc.id, name="合成河道（SYNTHETIC）", effect=m.HazardEffect.block,
                               factor=1.0, closes_sites=True, geometry=river_band(ext, 1500.0)))
        row["rows"] = {"villages": n, "shelters": a.shelters, "sources": a.sources, "towns": n_towns,
                       "items": len(items), "lots": len(items) * a.sources, "people": int(pop.sum())}
    out["district"] = row["rows"]
    plan.dispose()
    geo.unlink()
    steps.close()
    out["steps"] = steps.rows
    out["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


# -- child 2: the engine and the report -----------------------------------------------------------
def check_result(r, label: str) -> dict[str, Any]:
    s = r.summary
    assert r.checks, f"{label}: the run has no checks"
    share = s.get("served_share")
    assert isinstance(share, (int, float)) and 0.0 <= share <= 1.0, f"{label}: served share {share!r}"
    return {"checks": len(r.checks), "checks_passed": s["checks_passed"], "checks_failed": s["checks_failed"],
            "checks_unknown": s["checks_unknown"], "served_share": share, "open_shelters": s["open_shelters"],
            "population": s["population"], "isolated_units": s["isolated_units"],
            "closed_by_hazard": len((r.scenario_effects or {}).get("closed_by_hazard") or [])}


def engine(a: argparse.Namespace, plan_path: Path, pdf: Path) -> dict[str, Any]:
    from planner.engine.session import WhatIf
    from planner.engine.snapshot import Hazard
    from planner.report import write_report
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    steps = Steps()
    out: dict[str, Any] = {"answers": {}}
    ans = out["answers"]
    with steps.step("open plan + snapshot"):
        plan = open_plan(plan_path)
        base = load_snapshot(plan, None)
    w = WhatIf()
    with steps.step("full run (baseline)") as row:
        r0 = w.run_input(base)
        row["timings"] = {k: round(v, 2) for k, v in r0.timings.items()}
    ans["baseline"] = check_result(r0, "baseline")
    with steps.step("what-if rerun 洪水") as row:
        t = time.perf_counter()
        flood_inp = load_snapshot(plan, "洪水")
        row["snapshot_s"] = round(time.perf_counter() - t, 2)
        r1 = w.run_input(flood_inp)
        row["timings"] = {k: round(v, 2) for k, v in r1.timings.items()}
    ans["flood"] = check_result(r1, "洪水")
    closed = [e for e in r1.scenario_effects.get("closed_by_hazard", []) if e.get("kind") == "shelter"]
    assert closed, "the flood closes no shelter"
    ans["flood"]["shelters_closed"] = len(closed)
    assert w.builds == 1, f"the session rebuilt its graph ({w.builds} builds)"
    with steps.step("rerun 洪水 again") as row:
        t = time.perf_counter()
        again = load_snapshot(plan, "洪水")
        row["snapshot_s"] = round(time.perf_counter() - t, 2)
        r2 = w.run_input(again)
    assert r2.to_json() == r1.to_json(), "the flood rerun gave another answer"
    ext = extent_m(a.streets)
    with steps.step("rerun wider band (3 km)") as row:
        r3 = w.run({"name": "洪水加宽", "hazards": [Hazard("合成河道加宽（SYNTHETIC）", "block", 1.0, True,
                                                       river_band(ext, 3000.0))]})
    ans["wider"] = check_result(r3, "wider band")
    with steps.step("rerun baseline (re-read)") as row:
        t = time.perf_counter()
        again = load_snapshot(plan, None)
        row["snapshot_s"] = round(time.perf_counter() - t, 2)
        r4 = w.run_input(again)
    assert r4.to_json() == r0.to_json(), "the baseline rerun gave another answer"
    out["graph_builds"] = w.builds
    del r2, r3, r4
    gc.collect()
    with steps.step("report 洪水 vs baseline (PDF)") as row:
        write_report(plan, pdf, scenario="洪水", compare=["baseline"], result=r1, lang="zh")
    import pypdf

    pages = len(pypdf.PdfReader(str(pdf)).pages)
    assert pages > 10, f"the PDF has {pages} pages"
    ans["pdf"] = {"pages": pages, "mb": round(pdf.stat().st_size / 1e6, 2)}
    plan.dispose()
    w.close()
    steps.close()
    out["steps"] = steps.rows
    out["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


# -- driver ---------------------------------------------------------------------------------------
def child(stage: str, a: argparse.Namespace, plan_path: Path, pdf: Path) -> dict[str, Any]:
    args = [sys.executable, str(Path(__file__).resolve()), "--stage", stage, "--plan", str(plan_path),
            "--pdf", str(pdf), "--streets", str(a.streets), "--villages", str(a.villages),
            "--shelters", str(a.shelters), "--sources", str(a.sources), "--people", str(a.people),
            "--seed", str(a.seed)]
    t = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    with PeakSampler(proc.pid, interval=0.5) as peak:
        text, _ = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"stage {stage} failed (exit {proc.returncode})")
    ans = json.loads([ln for ln in text.splitlines() if ln.startswith("{")][-1])
    ans["process_wall_s"] = round(time.perf_counter() - t, 1)
    ans["process_tree_peak_mb"] = round(peak.peak or 0)
    return ans


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="200 streets, 5,000 villages, 200 shelters, 40 sources")
    ap.add_argument("--streets", type=int, default=None)
    ap.add_argument("--villages", type=int, default=None)
    ap.add_argument("--shelters", type=int, default=None)
    ap.add_argument("--sources", type=int, default=None)
    ap.add_argument("--people", type=int, default=None)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", default=None)
    ap.add_argument("--stage", choices=["build", "engine"], help=argparse.SUPPRESS)
    ap.add_argument("--plan", help=argparse.SUPPRESS)
    ap.add_argument("--pdf", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    q = a.quick
    a.streets = a.streets or (200 if q else 1100)
    a.villages = a.villages or (5000 if q else 50000)
    a.shelters = a.shelters or (200 if q else 2000)
    a.sources = a.sources or (40 if q else 200)
    a.people = a.people or (300000 if q else 3000000)
    if a.stage:
        fn = build(a, Path(a.plan)) if a.stage == "build" else engine(a, Path(a.plan), Path(a.pdf))
        print(json.dumps(fn, ensure_ascii=False, default=float), flush=True)
        return 0

    t = time.perf_counter()
    pbf = osm_pbf(a.streets)
    print(f"SYNTHETIC OSM file {pbf} ({Path(pbf).stat().st_size / 1e6:.1f} MB, {time.perf_counter() - t:.1f} s)",
          file=sys.stderr, flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-city-"))
    load0 = load()
    try:
        plan_path, pdf = tmp / "city.esplan", tmp / "city-flood.pdf"
        print("stage build (import + district rows)", file=sys.stderr, flush=True)
        b = child("build", a, plan_path, pdf)
        size_built = plan_path.stat().st_size
        print("stage engine (full run, what-if reruns, report)", file=sys.stderr, flush=True)
        e = child("engine", a, plan_path, pdf)
        size_after = plan_path.stat().st_size
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res = {"parameters": {"streets": a.streets, "villages": a.villages, "shelters": a.shelters,
                          "sources": a.sources, "people": a.people, "seed": a.seed, "quick": q,
                          "osm_file_mb": round(Path(pbf).stat().st_size / 1e6, 1)},
           "load_avg_start": load0, "load_avg_end": load(),
           "plan_file_mb": round(size_built / 1e6, 1), "plan_file_mb_after_runs": round(size_after / 1e6, 1),
           "osm_stats": b["osm_stats"], "district": b["district"], "answers": e["answers"],
           "graph_builds": e["graph_builds"],
           "steps": b["steps"] + e["steps"],
           "processes": {"build": {k: b[k] for k in ("process_wall_s", "process_tree_peak_mb", "maxrss_mb")},
                         "engine": {k: e[k] for k in ("process_wall_s", "process_tree_peak_mb", "maxrss_mb")}}}
    print(f"{'step':30s} {'wall s':>8s} {'cpu s':>8s} {'peak MB':>8s}  load")
    for r in res["steps"]:
        print(f"{r['step']:30s} {r['wall_s']:8.2f} {r['cpu_s']:8.2f} {r['peak_mb']:8d}  "
              f"{r['load_before'][0]}→{r['load_after'][0]}")
    print(f"plan file {res['plan_file_mb']} MB; PDF {e['answers']['pdf']['pages']} pages; "
          f"answers {json.dumps(e['answers'], ensure_ascii=False)}")
    path = write_results("city-quick" if q and not a.out else "city", res, a.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
