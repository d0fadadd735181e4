"""What-if scenarios: management (``store``), side-by-side comparison (``compare``), site
recommendations (``recommend``), and the storage side of engine runs (``runs``: load_snapshot
reads a plan into a PlanInput, save_run stores a PlanResult). Qt-free; uses the engine's public
API.

    from planner.scenario import store
    from planner.scenario.compare import compare_plan
    from planner.scenario.recommend import apply_actions, recommend

    store.create_scenario(plan, "洪水", copy_from=None)
    store.import_hazards_geojson(plan, "洪水", "flood.geojson")
    results, cmp = compare_plan(plan, ["baseline", "洪水"])
    rec = recommend(plan, "shelters", scenario="洪水")
    apply_actions(plan, "洪水+新建", rec["actions"], copy_from="洪水")

(The package re-exports nothing: a function named like its submodule ``recommend`` would be
shadowed by the submodule as soon as that is imported.)
"""
