"""Progress / cancel protocol for engine steps (no Qt: the GUI adapts it to signals)."""
from __future__ import annotations

from typing import Protocol


class Cancelled(Exception):
    """Raised by the engine when the progress object reports ``is_cancelled()``."""


class Progress(Protocol):
    def set_progress(self, fraction: float, message: str) -> None: ...

    def is_cancelled(self) -> bool: ...


class Stepper:
    """Maps step-local fractions onto the overall range and checks for cancellation."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.lo, self.hi = 0.0, 1.0

    def step(self, lo: float, hi: float, message: str) -> None:
        self.lo, self.hi = lo, hi
        self(0.0, message)

    def __call__(self, fraction: float, message: str) -> None:
        if self.progress is None:
            return
        if self.progress.is_cancelled():
            raise Cancelled("cancelled by the user")
        self.progress.set_progress(self.lo + (self.hi - self.lo) * max(0.0, min(1.0, fraction)), message)

    def done(self) -> None:
        if self.progress is not None:
            self.progress.set_progress(1.0, "done")
