"""Loading a scenario's engine input and running it (thin layer over the engine's public API).

:func:`load_input` is :func:`planner.engine.load_snapshot` with "baseline" meaning no scenario;
the engine applies the scenario's site changes, stock changes, hazard closures and parameter
overrides (``planner/engine/apply.py``).
"""
from __future__ import annotations

import math
from typing import Any

BASELINE = "baseline"

def load_input(plan: Any, scenario: str | None = None):
    """The engine input of the baseline (``None`` / ``"baseline"``) or of a named scenario."""
    from planner.engine.snapshot import load_snapshot

    name = None if scenario in (None, BASELINE) else scenario
    return load_snapshot(plan, name)


def run(plan: Any, scenario: str | None = None, *, service_areas: bool = False):
    """(PlanInput, PlanResult) of one scenario."""
    from planner.engine.run import run_plan

    inp = load_input(plan, scenario)
    return inp, run_plan(inp, service_areas=service_areas)


def served_share(result) -> float | None:
    v = (result.summary or {}).get("served_share")
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
