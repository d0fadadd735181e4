"""The printed plan of the SYNTHETIC city, A/B: the report step alone, two source trees, one city plan.

    python benchmarks/bench_report_city.py --base DIR [--quick] [--repeat 2] [--plan PATH] [--keep]
                                           [--out PATH] [bench_city.py's size options]

``bench_city.py`` times the report once, after 15 minutes of import and engine runs, and removes
its plan. This makes the city plan once (``bench_city.py``'s build stage, same sizes and seed;
or reuses ``--plan``), then runs the report step in a fresh process per repetition for each side —
A = the tree ``--base`` (e.g. ``git archive main | tar -x -C DIR``), B = this tree — interleaved
(A B A B …). Each process opens the plan, runs 洪水 (untimed: the GUI hands its result over) and
then, timed, ``write_report(plan, pdf, scenario="洪水", compare=["baseline"], result=…)`` as
``bench_city.py`` does: two snapshots, the baseline run for the comparison, the layout (timed
separately: ``build_pdf``), the file written. Wall and CPU seconds, the peak Pss of the process
during the step (sampled every 0.2 s), the process tree's peak, the load average before and after.

Both sides must print the same document: the page count and, per page, the text
(``pdftotext -layout``) and the page's drawing commands (its content stream) are compared
(asserted). Writes ``benchmarks/results/report-city.json`` (``--quick``: ``report-city-quick.json``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from common import PeakSampler, side_command, stats, write_results  # noqa: E402


def digests(pdf: Path) -> dict[str, Any]:
    """Page count and per-page digests of the text and of the drawing commands."""
    import pypdf

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")
    if text and not text[-1].strip():
        text = text[:-1]
    streams = []
    for page in pypdf.PdfReader(str(pdf)).pages:
        # the page's content stream as written (reportlab compresses alike: same drawing, same bytes;
        # a city map page inflates past pypdf's decompression limit)
        c = page.get("/Contents")
        c = c.get_object() if c is not None else None
        parts = [x.get_object() for x in c] if isinstance(c, list) else [c] if c is not None else []
        streams.append(hashlib.sha1(b"".join(x._data for x in parts)).hexdigest())
    return {"pages": len(streams), "text": [hashlib.sha1(t.encode()).hexdigest() for t in text],
            "streams": streams}


def run_child(a: argparse.Namespace) -> dict[str, Any]:
    from bench_city import Steps

    import planner.report.pdf as rpdf
    from planner.engine.session import WhatIf
    from planner.report import write_report
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    plan = open_plan(a.plan)
    w = WhatIf()
    r1 = w.run_input(load_snapshot(plan, "洪水"))
    layout: list[float] = []
    build = rpdf.build_pdf

    def timed_build(*args: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return build(*args, **kw)
        finally:
            layout.append(time.perf_counter() - t)

    rpdf.build_pdf = timed_build           # write_report imports it when called
    steps = Steps()
    with steps.step("report 洪水 vs baseline (PDF)") as row:
        write_report(plan, a.pdf, scenario="洪水", compare=["baseline"], result=r1, lang="zh")
    row["layout_s"] = round(layout[0], 2)
    steps.close()
    plan.dispose()
    w.close()
    return {"step": row, "document": digests(Path(a.pdf))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", help="side A: a source tree (its planner/ is imported)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--plan", help="a city plan made before (else made here)")
    ap.add_argument("--keep", action="store_true", help="make the plan in the temp folder and keep it")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--streets", type=int, default=None)
    ap.add_argument("--villages", type=int, default=None)
    ap.add_argument("--shelters", type=int, default=None)
    ap.add_argument("--sources", type=int, default=None)
    ap.add_argument("--people", type=int, default=None)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", default=None)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--pdf", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(run_child(a), ensure_ascii=False), flush=True)
        return 0
    if not a.base:
        ap.error("--base DIR (the tree to compare with) is required")
    q = a.quick
    a.streets = a.streets or (200 if q else 1100)
    a.villages = a.villages or (5000 if q else 50000)
    a.shelters = a.shelters or (200 if q else 2000)
    a.sources = a.sources or (40 if q else 200)
    a.people = a.people or (300000 if q else 3000000)
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-city-"))
    try:
        if a.plan:
            plan = Path(a.plan)
        else:
            import bench_city

            # --keep: made where it stays (also when a side fails)
            plan = (Path(tempfile.gettempdir()) / f"bench-report-city-{'quick-' if q else ''}{a.seed}.esplan"
                    if a.keep else tmp / "city.esplan")
            plan.unlink(missing_ok=True)
            print(f"building the city plan {plan}", file=sys.stderr, flush=True)
            bench_city.child("build", a, plan, tmp / "unused.pdf")
        sides = {"A": Path(a.base).resolve(), "B": ROOT}
        runs: dict[str, list[dict[str, Any]]] = {"A": [], "B": []}
        first: dict[str, Any] | None = None
        for rep in range(a.repeat):
            for label, root in sides.items():
                pdf = tmp / f"{label}{rep}.pdf"
                cmd = side_command(root, Path(__file__).resolve(), "--child", "--plan", str(plan), "--pdf", str(pdf))
                t = time.perf_counter()
                proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
                with PeakSampler(proc.pid, interval=0.5) as peak:
                    text, _ = proc.communicate()
                if proc.returncode:
                    raise RuntimeError(f"side {label} failed (exit {proc.returncode})")
                ans = json.loads([ln for ln in text.splitlines() if ln.startswith("{")][-1])
                doc = ans.pop("document")
                if first is None:
                    first = doc
                assert doc["pages"] == first["pages"], f"{label}{rep}: {doc['pages']} pages, not {first['pages']}"
                for key in ("text", "streams"):
                    assert len(doc[key]) == len(first[key]), f"{label}{rep}: {key} of {len(doc[key])} pages"
                    diff = [i + 1 for i, (x, y) in enumerate(zip(doc[key], first[key], strict=True)) if x != y]
                    assert not diff, f"{label}{rep}: pages {diff[:10]} differ ({key})"
                s = ans["step"]
                s.update(process_wall_s=round(time.perf_counter() - t, 1), process_tree_peak_mb=round(peak.peak or 0),
                         pages=doc["pages"])
                runs[label].append(s)
                print(f"  {label} rep {rep}: report {s['wall_s']:7.2f} s (layout {s['layout_s']:7.2f} s)  cpu "
                      f"{s['cpu_s']:7.2f} s  peak {s['peak_mb']} MB  pages {doc['pages']}  load "
                      f"{s['load_before'][0]}→{s['load_after'][0]}", file=sys.stderr, flush=True)
        if a.keep and not a.plan:
            print(f"kept the plan: {plan}", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert first is not None
    summary = {label: {"report_s": stats([r["wall_s"] for r in rs], 2),
                       "layout_s": stats([r["layout_s"] for r in rs], 2),
                       "cpu_s": stats([r["cpu_s"] for r in rs], 2), "peak_mb": max(r["peak_mb"] for r in rs)}
               for label, rs in runs.items()}
    res = {"parameters": {"streets": a.streets, "villages": a.villages, "shelters": a.shelters, "sources": a.sources,
                          "people": a.people, "seed": a.seed, "quick": q, "repeat": a.repeat},
           "sides": {"A": str(sides["A"]), "B": str(sides["B"])}, "pages": first["pages"], "same_document": True,
           "summary": summary, "runs": runs}
    for label in ("A", "B"):
        sm = summary[label]
        print(f"{label}: report min {sm['report_s']['min']} s median {sm['report_s']['median']} s; layout min "
              f"{sm['layout_s']['min']} s median {sm['layout_s']['median']} s ({first['pages']} pages, "
              f"{1000 * sm['layout_s']['min'] / first['pages']:.1f} ms a page); peak {sm['peak_mb']} MB")
    path = write_results("report-city-quick" if q and not a.out else "report-city", res, a.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
