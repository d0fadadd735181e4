"""Cold start: ``esplan-cli check`` on the Andorra demo and the GUI's first paint, fresh processes.

    python benchmarks/bench_startup.py [--quick] [--reps 7] [--base /path/to/main] [--out …]

Every repetition starts a new Python process per measure and side, interleaved (the side order
rotates every round), and times it from ``Popen`` to:

* ``check`` — the process's exit after ``esplan-cli check andorra.esplan`` (a copy of the demo);
  every side must print the same checks (asserted);
* ``paint`` — the first paint of the main window's map, opening the Andorra demo (offscreen Qt,
  ``QT_QPA_PLATFORM=offscreen``), reported on stdout;
* ``shown`` — the first paint of the map once the plan is drawn on it (the window opens a plan in
  steps after its first paint; a tree that opens it in the constructor shows it at the first
  paint);
* ``ready`` — the plan fully open (tables filled and fitted: the window's ``loaded`` signal, or
  ``shown`` for a tree without it); the process then exits without tear-down.

Sides: this tree, and with ``--base`` another source tree (e.g. a worktree of ``main``) whose
``planner``/``desktop`` are imported instead (benchmarks/common.side_command). One more run per
side and measure with ``python -X importtime`` gives the evidence: the cumulative import time of
``scipy.optimize``, ``alembic``, ``planner.scenario.recommend`` and of all imports together (the
self times summed). Goals (issue 14): check ≤ 0.8 s, first paint ≤ 1.0 s. Results:
``benchmarks/results/startup.json`` (``--quick``: 3 rounds, ``startup-quick.json``).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import ROOT, side_command, stats, write_results  # noqa: E402

WATCH = ("scipy.optimize", "alembic", "planner.scenario.recommend", "scipy.sparse.csgraph", "sqlalchemy",
         "PySide6.QtWidgets", "shapely")


def run_check(plan: str) -> None:
    from planner.cli import main

    code = main(["check", plan])
    sys.stdout.flush()
    os._exit(code if isinstance(code, int) else 0)


def run_paint(plan: str) -> None:
    """Print "painted" at the window's first paint and "shown" at the first paint after the plan
    is on screen (a tree that opens the plan inside the constructor: the same paint)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    from desktop.mainwindow import MainWindow

    w = MainWindow(plan)

    class First(QObject):
        painted = shown = False

        def eventFilter(self, obj, ev):  # noqa: N802 - Qt's name
            if ev.type() == QEvent.Type.Paint:
                if not self.painted:
                    self.painted = True
                    print("painted", flush=True)
                if not self.shown and getattr(w.canvas, "drawn", True):
                    self.shown = True
                    print("shown", flush=True)
                    ready()
            return False

    def ready() -> None:
        if not getattr(w, "loading", False) and f.shown:
            print("ready", flush=True)
            os._exit(0)

    if hasattr(w, "loaded"):
        w.loaded.connect(ready)
    f = First()
    w.canvas.viewport().installEventFilter(f)
    w.show()
    app.exec()


def importtime(stderr: str) -> dict[str, Any]:
    """Cumulative µs → s of the watched modules; total = the self times summed."""
    out: dict[str, Any] = {}
    total = 0
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if not m:
            continue
        total += int(m.group(1))
        name = m.group(4)
        if name in WATCH:
            out[name] = round(int(m.group(2)) / 1e6, 3)
    out["all_imports"] = round(total / 1e6, 3)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--run":
        {"check": run_check, "paint": run_paint}[argv[1]](argv[2])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 rounds")
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--base", default=None)
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    reps = a.reps or (3 if a.quick else 7)
    script = Path(__file__).resolve()
    trees = {"this": ROOT, **({"base": Path(a.base).resolve()} if a.base else {})}
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    tmp = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    times: dict[str, dict[str, list[float]]] = {m: {s: [] for s in trees} for m in ("check", "paint", "shown", "ready")}
    evidence: dict[str, dict[str, Any]] = {}
    try:
        plans = {}
        for s in trees:
            plans[s] = tmp / f"andorra-{s}.esplan"
            # each tree opens its own demo (a plan is read by a program that knows its schema)
            shutil.copyfile(trees[s] / "resources" / "demo" / "andorra.esplan", plans[s])

        def once(measure: str, side: str, extra: tuple[str, ...] = ()) -> tuple[float, str, str]:
            cmd = side_command(trees[side], script, "--run", measure, str(plans[side]))
            cmd[1:1] = list(extra)
            t = time.perf_counter()
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            if measure in ("paint", "shown"):
                assert p.stdout is not None
                walls = {}
                for line in p.stdout:
                    walls[line.strip()] = time.perf_counter() - t
                    if line.startswith("ready"):
                        break
                out, err = p.communicate()
                assert {"painted", "shown", "ready"} <= set(walls), err[-2000:]
                if not extra:       # not the -X importtime run
                    times["shown"][side].append(walls["shown"])
                    times["ready"][side].append(walls["ready"])
                return walls["painted"], "painted", err
            out, err = p.communicate()
            wall = time.perf_counter() - t
            assert p.returncode in (0, 1), err[-2000:]
            return wall, out, err

        labels = list(trees)
        answers: dict[str, set[str]] = {"check": set(), "paint": set()}
        for k in range(reps):
            order = labels[k % len(labels):] + labels[:k % len(labels)]
            for measure in ("check", "paint"):      # "paint" also records "shown"
                for side in order:
                    wall, out, _err = once(measure, side)
                    times[measure][side].append(wall)
                    # the input digest's definition changed (the tables' own digests): the rest
                    # of the check's output must be the same
                    answers[measure].add(re.sub(r"inputs [0-9a-f]{12}", "inputs …", out))
            print(f"round {k}: " + "; ".join(f"{m} {s} {times[m][s][-1]:.2f} s" for m in times for s in labels),
                  flush=True)
        assert len(answers["check"]) == 1, "the sides' checks differ"
        for side in labels:
            evidence[side] = {m: importtime(once(m, side, ("-X", "importtime"))[2]) for m in ("check", "paint")}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    summary = {m: {s: stats(v) for s, v in d.items()} for m, d in times.items()}
    print(f"\ncold start, fresh processes, {reps} interleaved rounds (min / median s)")
    for m, d in summary.items():
        for s, st in d.items():
            ev = evidence[s].get(m)
            line = f"  {m:5s} {s:4s} min {st['min']:.2f} median {st['median']:.2f}"
            if ev is not None:
                line += f"; -X importtime: all imports {ev['all_imports']:.2f} s, " + ", ".join(
                    f"{k} {v:.2f}" for k, v in ev.items() if k != "all_imports")
            print(line)
    name = "startup-quick" if a.quick and not a.out else "startup"
    path = write_results(name, {"parameters": {"reps": reps, "base": str(trees.get("base") or "")},
                                "summary": summary, "times": times, "importtime": evidence,
                                "goals_s": {"check": 0.8, "paint": 1.0}}, a.out)
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
