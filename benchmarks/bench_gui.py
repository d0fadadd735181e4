"""GUI responsiveness on the Andorra demo (a benchmark, not a timed test — issue 16).

Measures, on the real main window:

- **first paint**: from constructing the window on the plan to the map's first paint;
- the **longest event-loop stall** (the largest gap between ticks of a 5 ms timer) while
  running the checks (F5), while rerunning after a hazard zone is added, and while opening a plan;
- each phase's wall time.

Goals from issue 16: first paint ≤ 1 s, no stall > 100 ms on Andorra. Writes
``benchmarks/results/gui.json``.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py        (or under xvfb-run for xcb)

Not covered yet: the synthetic 100k-node district (``benchmarks/synthetic.py`` builds an engine
input, not a plan file the window can open).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ESPLAN_NO_OPEN", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class StallMeter:
    """The largest gap between ticks of a 5 ms timer while it runs."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.worst, self.last = 0.0, time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        return self.worst


def main() -> int:
    from PySide6.QtCore import QEvent, QObject, QSettings

    from desktop.app import setup_application
    from desktop.mainwindow import MainWindow
    from desktop.settings import Settings
    from planner.demo import copy_demo_to
    from planner.scenario import store as S

    app = setup_application(language="zh_CN")
    tmp = Path(tempfile.mkdtemp(prefix="esplan-bench-gui-"))
    plan = tmp / "andorra.esplan"
    copy_demo_to("andorra", plan)
    out: dict[str, float] = {}

    class FirstPaint(QObject):
        at: float | None = None

        def eventFilter(self, obj, event):   # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and self.at is None:
                self.at = time.perf_counter()
            return False

    def pump_until(cond, timeout: float = 120.0) -> None:
        end = time.perf_counter() + timeout
        while not cond() and time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)

    t0 = time.perf_counter()
    win = MainWindow(str(plan), settings=Settings(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)))
    spy = FirstPaint()
    win.canvas.viewport().installEventFilter(spy)
    win.resize(1366, 768)
    win.show()
    pump_until(lambda: spy.at is not None)
    out["first_paint_s"] = round((spy.at or time.perf_counter()) - t0, 3)

    meter = StallMeter()
    for phase, prepare in (("run", None), ("rerun_after_hazard", "hazard")):
        if prepare == "hazard":
            from shapely.geometry import box

            S.create_scenario(win.plan, "洪水")
            S.add_hazard(win.plan, "洪水", box(1.52, 42.50, 1.54, 42.52), name="河谷")
            win.scenarios.reload(select_name="洪水")
        meter.start()
        t = time.perf_counter()
        win.run_plan()
        pump_until(lambda: win.task is None)
        pump_until(lambda: False, timeout=0.3)       # the result's repaint
        out[f"{phase}_s"] = round(time.perf_counter() - t, 3)
        out[f"{phase}_longest_stall_ms"] = round(meter.stop() * 1000, 1)

    meter.start()
    t = time.perf_counter()
    win.open_location(str(plan))
    pump_until(lambda: False, timeout=0.3)
    out["open_plan_s"] = round(time.perf_counter() - t, 3)
    out["open_plan_longest_stall_ms"] = round(meter.stop() * 1000, 1)

    win._stop_task()
    win.close()
    res = ROOT / "benchmarks" / "results"
    res.mkdir(parents=True, exist_ok=True)
    (res / "gui.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    for k, v in out.items():
        print(f"{k:32s} {v}")
    print("goals: first paint ≤ 1 s, no stall > 100 ms")
    return 0


if __name__ == "__main__":
    code = main()
    os._exit(code)   # skip interpreter teardown of Qt objects
