"""The planning engine: snapshot → road graph → coverage · supply · allocation · isolation.

Computation only: the engine reads no database and writes none (it imports neither
planner.models nor planner.store; tests/test_architecture.py and import-linter check it).
Loading a plan and saving a run are the storage side's job, ``planner.scenario.runs``.

Public API::

    from planner.engine import apply_scenario, make_input, run_plan, Cancelled
    from planner.scenario.runs import load_snapshot, save_run   # the storage side
    inp = load_snapshot(plan, scenario="洪水")      # PlanInput (plain data + numpy), scenario applied
    inp = make_input(sites=[...], demand=[...])     # or built from plain dicts (tests, benchmarks)
    inp2 = apply_scenario(base_inp, {"site_changes": [...], "hazards": [...]})  # in memory
    result = run_plan(inp, progress)                # PlanResult (to_json / from_json)
    save_run(plan, inp, result, user="张三")         # a PlanRun row for audit

No Qt here; the progress object only needs ``set_progress(fraction, message)`` and
``is_cancelled()``.
"""
from planner.engine.progress import Cancelled
from planner.engine.version import ENGINE_VERSION

__all__ = ["Cancelled", "ENGINE_VERSION", "PlanInput", "PlanResult", "ScenarioError", "apply_scenario",
           "make_input", "run_plan"]

#: names that moved out of the engine (to the storage side), for a helpful AttributeError
_MOVED = {"load_snapshot": "planner.scenario.runs", "save_run": "planner.scenario.runs"}


def __getattr__(name):  # lazy: importing the package stays cheap (no numpy/scipy/shapely yet)
    if name in ("PlanInput", "make_input"):
        from planner.engine import snapshot

        return getattr(snapshot, name)
    if name in ("apply_scenario", "ScenarioError"):
        from planner.engine import apply

        return getattr(apply, name)
    if name in ("PlanResult", "run_plan"):
        from planner.engine import run

        return getattr(run, name)
    if name in _MOVED:
        raise AttributeError(f"planner.engine.{name} moved to {_MOVED[name]}.{name} "
                             "(the engine computes; loading and saving are the storage side's)")
    raise AttributeError(name)
