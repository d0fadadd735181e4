"""The planning engine: snapshot → road graph → coverage · supply · allocation · isolation.

Public API::

    from planner.engine import load_snapshot, run_plan, save_run, Cancelled
    inp = load_snapshot(plan, scenario="洪水")      # PlanInput (plain data + numpy), scenario applied
    inp2 = apply_scenario(base_inp, {"site_changes": [...], "hazards": [...]})  # in memory
    result = run_plan(inp, progress)                # PlanResult (to_json / from_json)
    save_run(plan, inp, result, user="张三")         # a PlanRun row for audit

No Qt here; the progress object only needs ``set_progress(fraction, message)`` and
``is_cancelled()``.
"""
from planner.engine.progress import Cancelled

ENGINE_VERSION = "0.2.0"

__all__ = ["Cancelled", "ENGINE_VERSION", "PlanInput", "PlanResult", "ScenarioError", "apply_scenario",
           "load_snapshot", "make_input", "run_plan", "save_run"]


def __getattr__(name):  # lazy: importing the package stays cheap
    if name in ("PlanInput", "load_snapshot", "make_input"):
        from planner.engine import snapshot

        return getattr(snapshot, name)
    if name in ("apply_scenario", "ScenarioError"):
        from planner.engine import apply

        return getattr(apply, name)
    if name in ("PlanResult", "run_plan", "save_run"):
        from planner.engine import run

        return getattr(run, name)
    raise AttributeError(name)
