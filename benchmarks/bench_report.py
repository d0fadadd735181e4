"""The report step: time to lay out and write the printed plan from a computed result.

    python benchmarks/bench_report.py [--repeat N] [--out benchmarks/results/report.json]

Three documents — Andorra (baseline), Andorra under a valley flood compared with the baseline,
Shanting — each written ``--repeat`` times, the documents interleaved (A B C A B C …) so that a
slow moment of the machine touches all of them alike. The engine runs once per document before
the timed region (the GUI hands its result to the report the same way); the timed region is
``write_report(plan, out, result=…)``: snapshot, maps, two layout passes (the 目录's page
numbers), the file written. Every repetition must write the same pages (asserted: page count and
text of each page), so each timing is of the same work with the same answer.

Prints min and median per document, and the peak resident memory of this process and of any
child (``resource.getrusage``; the report starts no process). Goal (issue 12): the Andorra
report step ≤ 1.5 s on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo"


def _flood(plan: Path) -> None:
    from planner.demo.andorra import add_valley_flood
    from planner.store import open_plan

    p = open_plan(plan)
    try:
        add_valley_flood(p)
    finally:
        p.dispose()


def _pages(pdf: Path) -> list[str]:
    import pypdf

    return [p.extract_text() or "" for p in pypdf.PdfReader(str(pdf)).pages]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "report.json"))
    a = ap.parse_args(argv)

    from planner.engine.run import run_plan
    from planner.report import write_report
    from planner.report.fonts import register_cjk_font
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    register_cjk_font()
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        andorra = tmp / "andorra.esplan"
        shutil.copyfile(DEMO / "andorra.esplan", andorra)
        _flood(andorra)
        shanting = tmp / "shanting.esplan"
        shutil.copyfile(DEMO / "shanting.esplan", shanting)
        docs = {"andorra": (andorra, None, []), "andorra-flood": (andorra, "洪水", ["baseline"]),
                "shanting": (shanting, None, [])}
        plans, results = {}, {}
        for key, (path, scen, _cmp) in docs.items():
            plans[key] = open_plan(path)
            results[key] = run_plan(load_snapshot(plans[key], scen))
        times: dict[str, list[float]] = {k: [] for k in docs}
        answers: dict[str, list[str]] = {}
        for rep in range(a.repeat):
            for key, (_path, scen, cmp) in docs.items():
                out = tmp / f"{key}-{rep}.pdf"
                t = time.perf_counter()
                write_report(plans[key], out, scenario=scen, compare=cmp, result=results[key])
                times[key].append(time.perf_counter() - t)
                pages = _pages(out)
                if key in answers:
                    assert pages == answers[key], f"{key}: repetition {rep} wrote other pages"
                else:
                    answers[key] = pages
                out.unlink()
        for p in plans.values():
            p.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows = {k: {"min_s": round(min(v), 3), "median_s": round(statistics.median(v), 3), "n": len(v),
                "pages": len(answers[k])} for k, v in times.items()}
    print(f"report step, {a.repeat} interleaved repetitions each (seconds):")
    for k, r in rows.items():
        print(f"  {k:14s} min {r['min_s']:.3f}  median {r['median_s']:.3f}  ({r['pages']} pages)")
    print(f"peak RSS: this process {own:.0f} MB, children {kids:.0f} MB")
    goal = rows["andorra"]["median_s"] <= 1.5
    print(f"goal (Andorra median ≤ 1.5 s): {'met' if goal else 'NOT met'}")
    out_path = Path(a.out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps({
        "benchmark": "report", "documents": rows, "peak_rss_mb": {"self": round(own), "children": round(kids)},
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                    "cpus": __import__("os").cpu_count()},
        "date": time.strftime("%Y-%m-%d %H:%M:%S"), "goal_met": goal}, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {out_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
