"""A rerun as the window does it, phase by phase, side by side: snapshot, run, save, typed view.

    python benchmarks/bench_rerun.py [--base /path/to/other/tree] [--reps 5] [--side 316]
                                     [--out benchmarks/results/rerun.json]

Each side is a process of its own tree (``--base``: another source tree, e.g. a worktree of an
older main) holding one plan file — the SYNTHETIC 100k-node district as a plan
(``synthetic_plan.py``: the grid through the real OSM import, 5,000 villages, a river-band
scenario 洪水), copied and brought to that tree's schema before the rounds — and one
:class:`planner.engine.session.WhatIf`, and doing on a worker thread what the window's run task
does (``desktop.worker.run_plan_task``: ``load_snapshot``, ``WhatIf.run_input``, ``save_run``, the
typed view) while its main thread measures how long it could not run (sleeping 1 ms at a time:
the longest gap is the longest the interpreter lock was held away from it — the window's stall).

Set-up per side: the baseline, then 洪水 (the first what-if). A round is 洪水 again, then the
baseline again (both reuse the session's graph; the sides alternate, the order rotating each
round). Per step and phase: min / median seconds; the longest stall; the side's memory (Pss of its
process). The sides' answers (checks passed / failed / unknown, served share) must agree.
Results: ``benchmarks/results/rerun.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import ROOT, Side, prepare_plan, serve, side_command, stats, tree_mb, write_results  # noqa: E402

PHASES = ("snapshot", "run", "save", "typed")


def side_main(plan_file: str) -> None:
    from planner.engine.results import typed
    from planner.engine.session import WhatIf
    from planner.scenario.runs import load_snapshot, save_run
    from planner.store import open_plan

    plan = open_plan(plan_file)
    w = WhatIf()

    def task(scenario: str | None, t: dict[str, float], out: dict[str, Any]) -> None:
        t0 = time.perf_counter()
        inp = load_snapshot(plan, scenario)
        t1 = time.perf_counter()
        r = w.run_input(inp)
        t2 = time.perf_counter()
        save_run(plan, inp, r)
        t3 = time.perf_counter()
        v = typed(r)
        v.unit(""), v.shelter("")
        t4 = time.perf_counter()
        t.update(snapshot=t1 - t0, run=t2 - t1, save=t3 - t2, typed=t4 - t3)
        out["answer"] = [v.counts.passed, v.counts.failed, v.counts.unknown, v.summary.served_share]

    def step(scenario: str) -> dict[str, Any]:
        t: dict[str, float] = {}
        out: dict[str, Any] = {}
        th = threading.Thread(target=task, args=(scenario or None, t, out))
        start = time.perf_counter()
        th.start()
        gap = 0.0
        while th.is_alive():
            a = time.perf_counter()
            time.sleep(0.001)
            gap = max(gap, time.perf_counter() - a)
        th.join()
        return {"total": time.perf_counter() - start, **t, "stall_ms": 1000 * gap, "answer": out["answer"],
                "mb": tree_mb(os.getpid())["mb"]}

    serve({"step": step})


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--serve":
        side_main(argv[1])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default=None, help="another source tree to compare with")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--side", type=int, default=316)
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    from synthetic_plan import cached

    trees = {"this": ROOT, **({"base": Path(a.base).resolve()} if a.base else {})}
    source = cached(a.side)
    tmp = Path(tempfile.mkdtemp(prefix="bench-rerun-"))
    script = Path(__file__).resolve()
    load = os.getloadavg()
    sides: dict[str, Side] = {}
    results: dict[str, dict[str, list[Any]]] = {s: {} for s in trees}
    answers: dict[str, set[str]] = {}
    try:
        for label, tree in trees.items():
            plan = tmp / f"{label}.esplan"
            shutil.copyfile(source, plan)
            prepare_plan(tree, plan)
            sides[label] = Side(label, side_command(tree, script, "--serve", str(plan)))
        steps = [("first run (baseline)", ""), ("first what-if 洪水", "洪水")]
        for name, scen in steps:
            for label, s in sides.items():
                got = s.ask(cmd="step", scenario=scen)
                results[label].setdefault(name, []).append(got)
                answers.setdefault(name, set()).add(json.dumps(got["answer"]))
                print(f"{name:22s} {label}: " + ", ".join(f"{k} {got[k]:.3f}" for k in ("total", *PHASES))
                      + f", stall {got['stall_ms']:.0f} ms", flush=True)
        labels = list(sides)
        for k in range(a.reps):
            order = labels[k % len(labels):] + labels[:k % len(labels)]
            for name, scen in (("rerun 洪水", "洪水"), ("rerun baseline", "")):
                for label in order:
                    got = sides[label].ask(cmd="step", scenario=scen)
                    results[label].setdefault(name, []).append(got)
                    answers.setdefault(name, set()).add(json.dumps(got["answer"]))
                    print(f"round {k} {name:15s} {label}: " + ", ".join(
                        f"{p} {got[p]:.3f}" for p in ("total", *PHASES)) + f", stall {got['stall_ms']:.0f} ms",
                          flush=True)
        for name, ans in answers.items():
            assert len(ans) == 1, f"{name}: the sides' answers differ: {ans}"
    finally:
        for s in sides.values():
            s.close()
        shutil.rmtree(tmp, ignore_errors=True)
    summary = {label: {name: {m: stats([g[m] for g in got]) for m in ("total", *PHASES, "stall_ms", "mb")}
                       for name, got in by.items()} for label, by in results.items()}
    print(f"\nrerun as the window does it, {a.reps} interleaved rounds (min / median s; stall ms)")
    for name in ("rerun 洪水", "rerun baseline"):
        for m in ("total", *PHASES, "stall_ms"):
            print(f"  {name:15s} {m:9s} " + "; ".join(
                f"{s} {summary[s][name][m]['min']} / {summary[s][name][m]['median']}" for s in trees))
    path = write_results("rerun", {"parameters": {"reps": a.reps, "side": a.side, "base": str(trees.get("base") or ""),
                                                  "loadavg_before": load, "loadavg_after": os.getloadavg()},
                                   "summary": summary, "runs": results,
                                   "answers": {k: json.loads(next(iter(v))) for k, v in answers.items()}}, a.out)
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
