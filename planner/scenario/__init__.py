"""What-if scenarios: management (store), side-by-side comparison (compare) and site
recommendations (recommend). Qt-free; uses the engine's public API only.

    from planner.scenario import store, compare_plan, recommend
    store.create_scenario(plan, "洪水", copy_from=None)
    store.import_hazards_geojson(plan, "洪水", "flood.geojson")
    results, cmp = compare_plan(plan, ["baseline", "洪水"])
    rec = recommend(plan, "shelters", scenario="洪水")
    apply_actions(plan, "洪水+新建", rec["actions"], copy_from="洪水")
"""
from __future__ import annotations

__all__ = ["ScenarioError", "compare_plan", "compare_results", "recommend", "apply_actions", "load_input"]


def __getattr__(name):  # lazy: importing the package stays cheap
    if name in ("compare_plan", "compare_results"):
        from planner.scenario import compare

        return getattr(compare, name)
    if name in ("recommend", "apply_actions", "Options", "recommend_shelters", "recommend_points",
                "verify_actions"):
        from planner.scenario import recommend as r

        return getattr(r, name)
    if name == "ScenarioError":
        from planner.scenario.store import ScenarioError

        return ScenarioError
    if name == "load_input":
        from planner.scenario.runs import load_input

        return load_input
    raise AttributeError(name)
