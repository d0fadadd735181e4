"""The main window's background work: one job at a time, never a silent drop.

A request names its *kind* ("run", "compare", "recommend" …). While a job runs:

* a new request of the **same kind** cancels it and runs when it has stopped — the newest
  inputs win (drawing a hazard zone during a run ends with the result of the plan *with* that
  zone, never the old result shown as current);
* a request of **another kind** waits its turn (one waiting request per kind, the newest).

A cancelled or superseded job's result is dropped; the user's Cancel drops the waiting requests
too. The jobs themselves are plain functions ``fn(*args, state)`` run by :class:`desktop.worker.Task`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.worker import Task

log = logging.getLogger(__name__)


@dataclass
class Request:
    kind: str
    fn: Callable[..., Any]
    on_done: Callable[[Any], None]
    message: str
    args: tuple[Any, ...]


class Runner(QObject):
    started = Signal(str)             # the job's message
    progress = Signal(float, str)
    idle = Signal()                   # nothing runs and nothing waits
    failed = Signal(object, str)      # exception, traceback
    cancelled = Signal(str)           # kind of the job that stopped without a result

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.task: Task | None = None
        self.current: Request | None = None
        self.waiting: dict[str, Request] = {}
        self._superseded = False

    @property
    def busy(self) -> bool:
        return self.task is not None

    def submit(self, kind: str, fn: Callable[..., Any], on_done: Callable[[Any], None], message: str,
               *args: Any) -> None:
        req = Request(kind, fn, on_done, message, args)
        if self.task is None:
            self._start(req)
            return
        self.waiting.pop(kind, None)
        self.waiting[kind] = req          # the newest request of a kind, in arrival order
        if self.current is not None and self.current.kind == kind and not self._superseded:
            log.info("%s requested again while running: cancelling the running one and restarting", kind)
            self._superseded = True
            self.task.cancel()

    def cancel(self) -> None:
        """The user's Cancel: stop the running job and forget the waiting ones."""
        self.waiting.clear()
        if self.task is not None:
            self.task.cancel()

    def stop(self) -> None:
        """Cancel and wait (window closing, another plan opened)."""
        self.waiting.clear()
        if self.task is not None:
            task, self.task, self.current = self.task, None, None
            task.stop()
            task.deleteLater()

    # -- internals ----------------------------------------------------------------------------
    def _start(self, req: Request) -> None:
        self.current, self._superseded = req, False
        task = Task(req.fn, *req.args)
        task.state.progress.connect(self.progress)
        task.succeeded.connect(lambda res, t=task: self._ended(t, "ok", res))
        task.failed.connect(lambda exc, tb, t=task: self._ended(t, "failed", (exc, tb)))
        task.cancelled.connect(lambda t=task: self._ended(t, "cancelled", None))
        self.task = task
        self.started.emit(req.message)
        task.start()

    def _ended(self, task: Task, how: str, value: Any) -> None:
        if task is not self.task:        # a job stopped by stop(): its end is not news
            return
        req, superseded = self.current, self._superseded
        task.wait()
        task.deleteLater()
        self.task, self.current = None, None
        assert req is not None
        if how == "ok" and not superseded:
            req.on_done(value)
        elif how == "failed" and not superseded:
            self.failed.emit(*value)
        elif how == "cancelled" or superseded:
            self.cancelled.emit(req.kind)
        if self.task is None and self.waiting:   # on_done may have started a job itself
            kind = next(iter(self.waiting))
            self._start(self.waiting.pop(kind))
        elif self.task is None:
            self.idle.emit()
