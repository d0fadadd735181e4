"""Run the side-by-side benchmarks: ``python -m benchmarks all [--quick] [--base DIR]``.

``all`` runs bench_engine.py, bench_startup.py, bench_import_osm.py, bench_recommend.py and
bench_gui.py in turn (each writes its ``benchmarks/results/*.json``); ``--quick`` is meant to finish
within 5 minutes on 2 cores (50k-node what-if, 6 rounds; start-up, 3 rounds; OSM import of a
250-street grid, 2 rounds; recommendations on a 22k-node district, 1 round; the window on Andorra,
2 rounds). ``--base DIR`` compares with another source tree.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = {"engine": "bench_engine.py", "startup": "bench_startup.py", "import_osm": "bench_import_osm.py",
           "recommend": "bench_recommend.py", "gui": "bench_gui.py"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("which", choices=["all", *SCRIPTS])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--base", default=None)
    a = ap.parse_args(argv)
    names = list(SCRIPTS) if a.which == "all" else [a.which]
    rc = 0
    for name in names:
        cmd = [sys.executable, str(HERE / SCRIPTS[name]), *(["--quick"] if a.quick else []),
               *(["--base", a.base] if a.base else [])]
        t = time.perf_counter()
        print(f"== {name}: {' '.join(cmd[1:])}", flush=True)
        r = subprocess.run(cmd)
        print(f"== {name}: exit {r.returncode} after {time.perf_counter() - t:.0f} s", flush=True)
        rc = rc or r.returncode
    return rc


if __name__ == "__main__":
    sys.exit(main())
