"""The offline basemap at a city's size: 100,000 buildings (a benchmark, not a timed test).

Measures, each repetition in a fresh process (so no cache of an earlier one helps):

- **write**: ``planner.io.basemap.write_basemap`` of 100k building polygons (the import's last step);
- **read**: ``basemap_geometries`` (the rows fetched, the WKB decoded at once);
- **load**: the map canvas loading the plan (basemap read, water/built-up paths, buildings grouped
  into 500 m cells whose paths are built only when first painted);
- **reload**: loading the same plan again (after an edit: the basemap's paths are kept);
- **zoomed paint**: the first paint at 0.3 px/m, where buildings show (their cells' paths built).

Also the plan file's size. Writes ``benchmarks/results/basemap.json``.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_basemap.py [--n 100000] [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import stats, write_results  # noqa: E402


def one(n: int, folder: Path) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    import shapely

    from planner.io.basemap import BasemapData, basemap_geometries, write_basemap
    from planner.store import create_plan

    path = folder / "basemap.esplan"
    plan = create_plan(path, name="basemap benchmark", overwrite=True)
    rng = np.random.default_rng(1)
    xs, ys = 1.45 + rng.random(n) * 0.15, 42.45 + rng.random(n) * 0.12
    data = BasemapData(kind=["building"] * n, subkind=["yes"] * n, name=[None] * n, osm_ref=["w1"] * n,
                       geometry=list(shapely.box(xs, ys, xs + 0.0002, ys + 0.00015)))
    from planner.models import Boundary

    with plan.transaction() as s:       # the district: the map's projection is centred on it
        s.add(Boundary(name="d", code="D", role="district", geometry=shapely.box(1.45, 42.45, 1.6, 42.57)))
    out: dict[str, float] = {}
    t = time.perf_counter()
    write_basemap(plan, data)
    out["write_s"] = time.perf_counter() - t
    t = time.perf_counter()
    got = basemap_geometries(plan)
    out["read_s"] = time.perf_counter() - t
    assert len(got["building"][1]) == n
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from desktop.mapcanvas import MapCanvas

    c = MapCanvas()
    c.resize(1000, 700)
    t = time.perf_counter()
    c.load(plan)
    out["load_s"] = time.perf_counter() - t
    assert c.basemap_counts["building"] == n
    t = time.perf_counter()
    c.load(plan)
    out["reload_s"] = time.perf_counter() - t
    c.show()
    c.fit()
    app.processEvents()                 # painted at the district's scale: no building drawn
    t = time.perf_counter()
    c.zoom(0.3 / c.transform().m11())
    c.viewport().grab()                 # the first paint with buildings: their cells' paths built
    out["zoomed_paint_s"] = time.perf_counter() - t
    out["file_mb"] = path.stat().st_size / 1e6
    plan.dispose()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.one:
        with tempfile.TemporaryDirectory() as d:
            print(json.dumps(one(a.n, Path(d))))
        return 0
    runs = []
    for _ in range(a.rounds):
        r = subprocess.run([sys.executable, __file__, "--one", "--n", str(a.n)], capture_output=True, text=True,
                           check=True)
        runs.append(json.loads(r.stdout.strip().splitlines()[-1]))
        print(runs[-1], flush=True)
    res = {"buildings": a.n, **{k: stats([r[k] for r in runs]) for k in runs[0]}}
    path = write_results("basemap", res, a.out)
    print("wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
