"""Long work off the GUI thread: a plain function plus a progress/cancel state.

``Task(fn, *args)`` runs ``fn(*args, state)`` on a QThread. ``state`` is a
:class:`TaskState` with the engine's progress protocol — ``set_progress(fraction, message)``
and ``is_cancelled()`` — so ``run_plan``/``write_report``/``import_osm`` run unchanged. The
result (or the exception) comes back to the GUI thread through queued signals; the GUI never
touches the function's objects while it runs.
"""
from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

log = logging.getLogger(__name__)


class TaskState(QObject):
    progress = Signal(float, str)

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()
        self._last = -1.0

    def set_progress(self, fraction: float, message: str) -> None:
        if fraction - self._last >= 0.01 or fraction >= 1.0 or fraction < self._last:
            self._last = fraction
            self.progress.emit(float(fraction), str(message))

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


class Task(QThread):
    succeeded = Signal(object)
    failed = Signal(object, str)    # exception, traceback text
    cancelled = Signal()

    def __init__(self, fn: Callable[..., Any], *args: Any, parent: QObject | None = None):
        super().__init__(parent)
        self.fn, self.args = fn, args
        self.state = TaskState()
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:  # in the worker thread
        from planner.engine import Cancelled

        try:
            self.result = self.fn(*self.args, self.state)
        except Cancelled:  # planner.progress.Cancelled: the one cancel exception (an InterruptedError)
            self.cancelled.emit()
            return
        except BaseException as exc:  # noqa: BLE001 - reported to the user
            self.error = exc
            self.failed.emit(exc, traceback.format_exc())
            return
        if self.state.is_cancelled():
            self.cancelled.emit()
        else:
            self.succeeded.emit(self.result)

    def cancel(self) -> None:
        self.state.cancel()

    def stop(self, timeout_ms: int = 30000) -> None:
        """Cancel and wait (window closing, plan switching)."""
        self.cancel()
        if self.isRunning():
            self.wait(timeout_ms)


class EngineCache:
    """The engine's what-if state (``planner.engine.session.WhatIf``) kept between runs of one
    plan, so a rerun after a scenario change only redoes what the change affects (a hazard
    zone: the cut roads' searches; a stock edit: supply and allocation). Rebuilt when the road
    network changes. Used by one task at a time (the window runs one task at a time)."""

    def __init__(self) -> None:
        self.digest: str | None = None
        self.whatif: Any = None

    def clear(self) -> None:
        self.digest, self.whatif = None, None

    @staticmethod
    def roads_digest(inp: Any) -> str:
        import hashlib

        import numpy as np

        r = inp.roads
        h = hashlib.sha1()
        for a in (r.node_lon, r.node_lat, r.edge_u, r.edge_v, r.oneway, r.length_m, r.maxspeed):
            h.update(np.ascontiguousarray(a).tobytes())
        h.update("\x1f".join(map(str, r.highway)).encode())
        return h.hexdigest()

    def run(self, plan: Any, inp: Any, state: TaskState) -> Any:
        import dataclasses

        from planner.engine.session import WhatIf
        from planner.scenario.runs import load_snapshot

        digest = self.roads_digest(inp)
        if self.whatif is None or digest != self.digest:
            base = inp if inp.scenario_name == "baseline" else load_snapshot(plan, None)
            self.whatif = WhatIf(base, run_baseline=False)
            self.digest = digest
        inp = dataclasses.replace(inp, roads=self.whatif.base.roads)  # same network: reuse the graph
        return self.whatif.run_input(inp, progress=state)


def run_plan_task(plan: Any, scenario: str | None, cache: EngineCache | None,
                  state: TaskState) -> tuple[Any, Any]:
    """Snapshot + run + save (the plain function the GUI runs on a thread; ``Task`` passes
    ``state`` last). ``cache`` None runs the engine from scratch."""
    from planner.engine import run_plan
    from planner.scenario.runs import load_snapshot, save_run

    state.set_progress(0.0, "snapshot")
    inp = load_snapshot(plan, scenario)
    if state.is_cancelled():
        from planner.engine import Cancelled

        raise Cancelled("cancelled")
    result = cache.run(plan, inp, state) if cache is not None else run_plan(inp, state)
    try:
        save_run(plan, inp, result)
    except Exception:  # noqa: BLE001 - a read-only or busy plan still shows its result; logged
        log.warning("the run's result could not be saved in the plan (shown, not stored)", exc_info=True)
    return inp, result
