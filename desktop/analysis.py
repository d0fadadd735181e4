"""The open plan's analyses — runs, scenario comparisons, recommendations — off the GUI thread.

:class:`Analysis` owns the plan's background runner (:mod:`desktop.runner`: the same request again
cancels and restarts, nothing is dropped silently) and the engine's what-if session
(:class:`planner.engine.session.WhatIf`, made by the first run and kept while the plan is open,
so a rerun only redoes what a change affects). It counts the plan's edits: a run that an edit
overtook is reported stale. The window shows what it emits; it holds no engine state itself.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from desktop.runner import Runner
from desktop.worker import Task, run_plan_task

if TYPE_CHECKING:
    from planner.engine.session import WhatIf

log = logging.getLogger(__name__)



class Analysis(QObject):
    resultReady = Signal(object, bool)     # PlanResult, stale (the plan changed while it ran)
    compared = Signal(object)              # {"results": {scenario name: PlanResult}, "maps": [...] | None}
    recommended = Signal(object)           # the recommendation (planner.scenario.recommend)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = Runner(self)
        self.plan: Any = None
        self.whatif: WhatIf | None = None
        self.edits = 0

    # -- the plan ---------------------------------------------------------------------------
    def set_plan(self, plan: Any) -> None:
        """Another plan: stop what runs and forget the old plan's engine session."""
        self.stop()
        self.plan = plan
        self.edits = 0

    def plan_changed(self) -> None:
        """An edit was saved: a run started before it is stale when it ends."""
        self.edits += 1

    @property
    def task(self) -> Task | None:
        return self.runner.task

    def cancel(self) -> None:
        self.runner.cancel()

    def stop(self) -> None:
        """Stop and wait (another plan, window closing); the engine session is closed."""
        self.runner.stop()
        if self.whatif is not None:
            self.whatif.close()
            self.whatif = None

    # -- the analyses -----------------------------------------------------------------------
    def run(self, scenario: str | None) -> None:
        """Run the plan (a scenario or the baseline); a run already going is cancelled and
        restarted with the plan as it is now."""
        if self.plan is None:
            return
        edits = self.edits
        plan = self.plan

        def job(state: Any) -> Any:
            # the engine (numpy, scipy, OR-Tools) is imported with the first run, on the worker
            # thread: imported on the GUI thread it froze the window for 0.8 s; one job runs at a
            # time, so the session is never used by two threads at once
            if self.whatif is None:
                from planner.engine.session import WhatIf

                self.whatif = WhatIf()
            return run_plan_task(plan, scenario, self.whatif, state)

        self.runner.submit("run", job, lambda out: self.resultReady.emit(out[1], edits != self.edits),
                           QCoreApplication.translate("Analysis", "Running the checks ({scenario})…").format(
                               scenario=scenario or QCoreApplication.translate("Analysis", "baseline")))

    def compare(self, names: list[str | None], lang: str = "zh", font_family: str | None = None) -> None:
        """Run each scenario (None = the baseline, first: the reference) on one what-if session,
        then draw each scenario's map beside the reference's (the printed plan's figure)."""
        if self.plan is None:
            return
        plan = self.plan

        def job(state: Any) -> dict[str, Any]:
            # the engine and the report's map code load on the worker thread
            from planner.report.compare_maps import paired_map_svgs
            from planner.scenario.compare import compare_runs

            runs = compare_runs(plan, names, state)
            state.set_progress(0.95, "maps")
            try:
                maps = paired_map_svgs(plan, runs, lang, font_family=font_family)
            except Exception:  # noqa: BLE001 - the table still shows; the failure is logged and said
                log.warning("the comparison maps could not be drawn", exc_info=True)
                maps = None
            return {"results": {r.scenario: r for _i, r in runs}, "maps": maps}

        self.runner.submit("compare", job, self.compared.emit,
                           QCoreApplication.translate("Analysis", "Comparing {n} scenarios…").format(n=len(names)))

    def recommend(self, scenario: str | None, problem: str = "shelters", k: int = 3) -> None:
        """Where to add sites for a scenario (or the baseline): ``problem`` "shelters" (fewest new
        shelters to reach the target), "best-k" (the best ``k``) or "points" (reserve points so
        every village is within the delivery deadline)."""
        if self.plan is None:
            return
        plan = self.plan

        def job(state: Any) -> Any:
            # on the worker thread: recommend.py pulls in scipy.optimize (~0.5 s of start-up otherwise)
            from planner.scenario.recommend import Options, recommend

            state.set_progress(0.1, "recommend")
            return recommend(plan, problem, scenario=scenario, options=Options(k=k))

        self.runner.submit("recommend", job, self.recommended.emit,
                           QCoreApplication.translate("Analysis", "Looking for shelter sites to close the gap…"))
