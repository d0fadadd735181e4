"""The one progress / cancel protocol of the core (no Qt: the GUI adapts it to signals).

A leaf module (imports nothing of planner) so that every layer can use it: the importers (io),
the engine, the report. The engine re-exports it as :mod:`planner.engine.progress`.

* A *progress object* has ``set_progress(fraction, message)`` and ``is_cancelled()``
  (:class:`Progress`); ``None`` means "nobody is listening" everywhere.
* :class:`Cancelled` is the only cancel exception: raised by :func:`tell` / :func:`check_cancel`
  when ``is_cancelled()`` turns True. It subclasses :class:`InterruptedError` so code written
  for the importers' old ``InterruptedError`` still catches it (note: that makes it an
  ``OSError`` too — do not wrap cancellable work in a bare ``except OSError``).
* :class:`Span` maps a sub-task's 0..1 onto ``[lo, hi]`` of the caller's progress;
  :class:`Stepper` is a Span whose range moves from step to step (the engine's run).
"""
from __future__ import annotations

from typing import Any, Protocol

__all__ = ["Cancelled", "Progress", "Span", "Stepper", "check_cancel", "tell"]


class Cancelled(InterruptedError):
    """The user cancelled: raised when the progress object reports ``is_cancelled()``."""


class Progress(Protocol):
    def set_progress(self, fraction: float, message: str) -> None: ...

    def is_cancelled(self) -> bool: ...


def _cancelled(progress: Any) -> bool:
    fn = getattr(progress, "is_cancelled", None)
    return bool(fn()) if fn is not None else False


def check_cancel(progress: Any) -> None:
    """Raise :class:`Cancelled` if ``progress`` (may be None) reports ``is_cancelled()``."""
    if progress is not None and _cancelled(progress):
        raise Cancelled("cancelled by the user")


def tell(progress: Any, fraction: float, message: str) -> None:
    """Check for cancellation (:class:`Cancelled`), then report ``fraction`` (not clamped) and
    ``message``. ``progress`` may be None; an object without ``set_progress`` only cancels."""
    if progress is None:
        return
    check_cancel(progress)
    fn = getattr(progress, "set_progress", None)
    if fn is not None:
        fn(float(fraction), message)


class Span:
    """A progress object for a sub-task: its 0..1 (clamped) maps onto ``[lo, hi]`` of ``progress``.

    ``progress`` may be None (then the span reports nothing and is never cancelled)."""

    def __init__(self, progress: Any, lo: float = 0.0, hi: float = 1.0):
        self.progress, self.lo, self.hi = progress, float(lo), float(hi)

    def map(self, fraction: float) -> float:
        return self.lo + (self.hi - self.lo) * max(0.0, min(1.0, float(fraction)))

    def set_progress(self, fraction: float, message: str) -> None:
        if self.progress is not None:
            self.progress.set_progress(self.map(fraction), message)

    def is_cancelled(self) -> bool:
        return self.progress is not None and _cancelled(self.progress)


class Stepper(Span):
    """A :class:`Span` moved from step to step; calling it checks for cancellation, then reports."""

    def __init__(self, progress: Progress | None):
        super().__init__(progress, 0.0, 1.0)

    def step(self, lo: float, hi: float, message: str) -> None:
        self.lo, self.hi = lo, hi
        self(0.0, message)

    def __call__(self, fraction: float, message: str) -> None:
        if self.progress is None:
            return
        tell(self, fraction, message)

    def done(self) -> None:
        if self.progress is not None:
            self.progress.set_progress(1.0, "done")
