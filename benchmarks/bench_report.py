"""Time to print the Andorra demo plan as a PDF (goal: < 3 s in all, engine included).

    python benchmarks/bench_report.py [PLAN] [--repeat N] [--lang zh|en] [--profile]

Prints: load (snapshot), engine (run_plan), report (map + layout + write) and the total, the
page count and the file size. Each repeat is a cold run of write_report() in this process
(the font is registered once per process, as in the GUI).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("plan", nargs="?", default=str(ROOT / "resources" / "demo" / "andorra.esplan"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--lang", default="zh")
    ap.add_argument("--profile", action="store_true", help="cProfile the report step (top 25)")
    a = ap.parse_args(argv)

    t_import = time.perf_counter()
    from planner.engine import run_plan
    from planner.report import write_report
    from planner.report.cli import count_pages
    from planner.report.fonts import find_cjk_font, register_cjk_font
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan
    t_import = time.perf_counter() - t_import

    t = time.perf_counter()
    register_cjk_font()
    t_font = time.perf_counter() - t
    print(f"plan: {a.plan}")
    print(f"font: {find_cjk_font()[0]}  (register {t_font:.2f} s, once per process); imports {t_import:.2f} s")

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plan.pdf"
        for k in range(a.repeat):
            t0 = time.perf_counter()
            plan = open_plan(a.plan)
            inp = load_snapshot(plan)
            t1 = time.perf_counter()
            result = run_plan(inp)
            t2 = time.perf_counter()
            if a.profile and k == a.repeat - 1:
                import cProfile
                import pstats

                pr = cProfile.Profile()
                pr.enable()
            write_report(plan, out, lang=a.lang, result=result)
            t3 = time.perf_counter()
            if a.profile and k == a.repeat - 1:
                pr.disable()
                pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
            plan.dispose()
            rows.append((t1 - t0, t2 - t1, t3 - t2, t3 - t0))
            print(f"run {k + 1}: load {t1 - t0:.2f} s  engine {t2 - t1:.2f} s  report {t3 - t2:.2f} s  "
                  f"total {t3 - t0:.2f} s")
        pages = count_pages(out)
        size = out.stat().st_size
    med = [statistics.median(c) for c in zip(*rows, strict=True)]
    print(f"median: load {med[0]:.2f} s  engine {med[1]:.2f} s  report {med[2]:.2f} s  total {med[3]:.2f} s "
          f"(goal < 3 s)")
    print(f"pages: {pages}  size: {size / 1024:,.0f} KB")
    return 0 if med[3] < 3.0 else 1


if __name__ == "__main__":
    sys.exit(main())
