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
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal

from planner.progress import Cancelled

if TYPE_CHECKING:
    from planner.engine.session import WhatIf

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


def run_plan_task(plan: Any, scenario: str | None, session: WhatIf | None, state: TaskState) -> tuple[Any, Any]:
    """Snapshot + run + save (the plain function the GUI runs on a thread; ``Task`` passes
    ``state`` last). ``session``: the engine's what-if session of this plan
    (:class:`planner.engine.session.WhatIf`), which reuses or rebuilds its road graph itself;
    None runs the engine from scratch."""
    # imported on the worker thread, at the first run: the engine (numpy, scipy, OR-Tools) is not
    # loaded when the window starts
    from planner.engine import run_plan
    from planner.scenario.runs import load_snapshot, save_run

    state.set_progress(0.0, "snapshot")
    inp = load_snapshot(plan, scenario)
    if state.is_cancelled():
        raise Cancelled("cancelled")
    result = session.run_input(inp, progress=state) if session is not None else run_plan(inp, state)
    try:
        save_run(plan, inp, result)
    except Exception:  # noqa: BLE001 - a read-only or busy plan still shows its result; logged
        log.warning("the run's result could not be saved in the plan (shown, not stored)", exc_info=True)
    # the typed view the window reads (kept on the result) is built here, not on the GUI thread
    from planner.engine.results import typed

    view = typed(result)
    view.unit(""), view.shelter("")      # their lookup tables too
    return inp, result
