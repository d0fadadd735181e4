"""GUI responsiveness on the Andorra demo, side by side (a benchmark, not a timed test — issue 16).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py [--quick] [--reps N] [--base DIR]

Every round starts one fresh process per side (this tree, and with ``--base`` another source tree
whose ``planner``/``desktop`` are imported instead), interleaved (the order rotates every round).
Each process builds the real main window on a copy of the demo and measures, from the
constructor on:

* ``first_paint_s`` — the map's first paint; ``shown_s`` — the first paint with the plan drawn;
  ``ready_s`` — the plan fully open (tables filled: the window's ``loaded`` signal; a tree that
  opens the plan inside its constructor is ready at its first paint);
* ``open_stall_ms`` — the longest event-loop stall (the largest gap between ticks of a 5 ms
  timer) from the first paint to ``ready`` (before the first paint there is no window to stall:
  that time is ``first_paint_s``);
* ``idle_stall_ms`` — the longest stall in the 1.5 s after ``ready`` with nothing asked of the
  window (it imports the engine a module at a time then; a tree without that idles);
* ``run_*`` — F5 after that pause (the first run: what of the engine is not imported yet is
  imported on the worker thread), wall time to the result on screen and the longest stall;
  ``rerun_*`` — the same after a hazard zone is drawn;
  ``reopen_*`` — opening the plan again (File ▸ Open) until it is ready;
* ``peak_mb`` — the process's peak proportional set size (Pss; the window has no child process).

Both sides must end with the same run result (checks and served share; asserted). Goals (issue
16): first paint ≤ 1 s, no stall > 100 ms. Results: ``benchmarks/results/gui.json``
(``--quick``: 2 rounds, ``gui-quick.json``).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import ROOT, PeakSampler, prepare_plan, side_command, stats, write_results  # noqa: E402

MEASURES = ("first_paint_s", "shown_s", "ready_s", "open_stall_ms", "idle_stall_ms", "run_s", "run_stall_ms",
            "rerun_s", "rerun_stall_ms", "reopen_s", "reopen_stall_ms")


def run_side(plan_file: str, scenario: str = "") -> None:
    """One measurement in this process (the child); prints one JSON line."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("ESPLAN_NO_OPEN", "1")
    from PySide6.QtCore import QEvent, QObject, QSettings, QTimer

    from desktop.app import setup_application
    from desktop.mainwindow import MainWindow
    from desktop.settings import Settings
    from planner.engine.results import typed
    from planner.scenario import store as S

    app = setup_application(language="zh_CN")
    tmp = Path(tempfile.mkdtemp(prefix="esplan-bench-gui-"))
    out: dict[str, Any] = {}

    class Meter:
        """The largest gap between ticks of a 5 ms timer while it runs."""

        def __init__(self) -> None:
            self.timer = QTimer()
            self.timer.setInterval(5)
            self.timer.timeout.connect(self.tick)
            self.last = self.worst = 0.0

        def tick(self) -> None:
            now = time.perf_counter()
            self.worst = max(self.worst, now - self.last)
            self.last = now

        def start(self, at: float | None = None) -> None:
            self.worst, self.last = 0.0, at or time.perf_counter()
            self.timer.start()

        def stop(self) -> float:
            self.tick()
            self.timer.stop()
            return round(self.worst * 1000, 1)

    def pump_until(cond, timeout: float = 300.0) -> None:
        end = time.perf_counter() + timeout
        while not cond() and time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)
        if not cond():
            raise TimeoutError("the window did not get there in time")

    def pump_for(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)

    def is_loading(w: Any) -> bool:
        return bool(getattr(w, "loading", False))

    marks: dict[str, float] = {}
    meter = Meter()
    t0 = time.perf_counter()
    win = MainWindow(plan_file, settings=Settings(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)))

    class Paints(QObject):
        def eventFilter(self, obj, event):   # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                now = time.perf_counter()
                marks.setdefault("first_paint", now)
                if getattr(win.canvas, "drawn", True):
                    marks.setdefault("shown", now)
            return False

    spy = Paints()
    win.canvas.viewport().installEventFilter(spy)
    win.resize(1366, 768)
    win.show()
    pump_until(lambda: "first_paint" in marks)
    meter.start()                   # from the first paint: the window is on screen from here on
    pump_until(lambda: "shown" in marks and not is_loading(win))
    out["ready_s"] = time.perf_counter() - t0
    out["open_stall_ms"] = meter.stop()
    out["first_paint_s"] = marks["first_paint"] - t0
    out["shown_s"] = marks["shown"] - t0
    # a planner looks at the plan before pressing F5: 1.5 s with the window idle (the window
    # imports the engine a module at a time meanwhile: its stalls count here)
    meter.start()
    pump_for(1.5)
    out["idle_stall_ms"] = meter.stop()

    answer: list[Any] = []
    for phase in ("run", "rerun"):
        if phase == "rerun" and scenario:            # the plan's own flood (the synthetic river band)
            win.scenarios.reload(select_name=scenario)
        elif phase == "rerun":
            from shapely.geometry import box

            S.create_scenario(win.plan, "洪水")
            S.add_hazard(win.plan, "洪水", box(1.52, 42.50, 1.54, 42.52), name="河谷")
            win.scenarios.reload(select_name="洪水")
        meter.start()
        t = time.perf_counter()
        win.run_plan()
        pump_until(lambda: win.task is None and win.result is not None
                   and win.result.scenario == (win.scenarios.current_name() or "baseline"))
        out[f"{phase}_s"] = time.perf_counter() - t
        pump_for(0.3)                      # the result's repaint
        out[f"{phase}_stall_ms"] = meter.stop()
        tr = typed(win.result)
        answer.append([tr.counts.passed, tr.counts.failed, tr.counts.unknown, tr.summary.served_share])

    meter.start()
    t = time.perf_counter()
    win.open_location(plan_file)
    pump_until(lambda: not is_loading(win))
    out["reopen_s"] = time.perf_counter() - t
    pump_for(0.3)
    out["reopen_stall_ms"] = meter.stop()
    out = {k: round(v, 3) for k, v in out.items()}
    out["answer"] = answer
    print(json.dumps(out), flush=True)
    os._exit(0)   # skip interpreter teardown of Qt objects


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--run":
        run_side(argv[1], argv[2] if len(argv) > 2 else "")
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="2 rounds")
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--base", default=None, help="another source tree to compare with")
    ap.add_argument("--out", default=None)
    ap.add_argument("--district", choices=("andorra", "synthetic"), default="andorra",
                    help="the Andorra demo (default) or the SYNTHETIC 100k-node district "
                         "(benchmarks/synthetic_plan.py; this tree only: an older tree may not open it)")
    a = ap.parse_args(argv)
    reps = a.reps or (2 if a.quick else 5)
    trees = {"this": ROOT, **({"base": Path(a.base).resolve()} if a.base else {})}
    if a.district == "synthetic":
        from synthetic_plan import cached

        source_plan = {side: cached() for side in trees}
        scenario = "洪水"
    else:   # each tree opens its own demo (a plan file is read by the program that wrote its schema)
        source_plan = {side: tree / "resources" / "demo" / "andorra.esplan" for side, tree in trees.items()}
        scenario = ""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ESPLAN_NO_OPEN": "1"}
    tmp = Path(tempfile.mkdtemp(prefix="bench-gui-"))
    results: dict[str, dict[str, list[float]]] = {s: {m: [] for m in (*MEASURES, "peak_mb")} for s in trees}
    answers: dict[str, Any] = {}
    load = os.getloadavg()
    try:
        if a.district == "synthetic":   # each side's copy at its own schema before the rounds
            for side, tree in trees.items():
                prepared = tmp / f"{a.district}-{side}.esplan"
                shutil.copyfile(source_plan[side], prepared)
                prepare_plan(tree, prepared, env)
                source_plan[side] = prepared
        labels = list(trees)
        for k in range(reps):
            for side in labels[k % len(labels):] + labels[:k % len(labels)]:
                plan = tmp / f"{a.district}-{side}-{k}.esplan"
                shutil.copyfile(source_plan[side], plan)
                cmd = side_command(trees[side], Path(__file__).resolve(), "--run", str(plan), scenario)
                p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                with PeakSampler(p.pid) as peak:
                    stdout, stderr = p.communicate(timeout=900)
                lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
                assert lines, stderr[-3000:]
                got = json.loads(lines[-1])
                answers.setdefault(side, got["answer"])
                assert got["answer"] == answers[side], f"{side}: the run's result changed between rounds"
                for m in MEASURES:
                    results[side][m].append(got[m])
                results[side]["peak_mb"].append(peak.peak or 0.0)
                print(f"round {k} {side:4s}: " + ", ".join(f"{m} {got[m]}" for m in MEASURES), flush=True)
        first = next(iter(answers.values()))
        assert all(v == first for v in answers.values()), f"the sides' results differ: {answers}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    summary = {s: {m: stats(v) for m, v in d.items()} for s, d in results.items()}
    print(f"\nGUI on {a.district}, offscreen, 1366×768, {reps} interleaved rounds (min / median)")
    for m in (*MEASURES, "peak_mb"):
        print(f"  {m:16s} " + "; ".join(f"{s} {summary[s][m]['min']} / {summary[s][m]['median']}" for s in trees))
    print("goals: first paint ≤ 1 s, no stall > 100 ms")
    name = ("gui" if a.district == "andorra" else f"gui-{a.district}") + ("-quick" if a.quick and not a.out else "")
    path = write_results(name, {"parameters": {"reps": reps, "base": str(trees.get("base") or ""),
                                               "district": a.district,
                                               "loadavg_before": load},
                                "summary": summary, "runs": results, "answer": first,
                                "goals": {"first_paint_s": 1.0, "stall_ms": 100}}, a.out)
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
