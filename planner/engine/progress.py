"""Progress / cancel protocol for engine steps: the core's one protocol (:mod:`planner.progress`),
re-exported here so ``from planner.engine.progress import Cancelled`` keeps working."""
from __future__ import annotations

from planner.progress import Cancelled, Progress, Span, Stepper, check_cancel, tell

__all__ = ["Cancelled", "Progress", "Span", "Stepper", "check_cancel", "tell"]
