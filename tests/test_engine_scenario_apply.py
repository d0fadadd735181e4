"""apply_scenario on the tiny district (numbers by hand; see tests/engine_fixtures.py).

Baseline coverage (walk 1 m/s, 15 min): S1 600 places (n0), S2 300 (n3 + 50 m). S1 ← U1 500 +
U7 30 + U2 70; S2 ← U2 300 → 900 served of 1130 reachable (U3 200 reaches only S2).
Baseline water: W1 5000 usable (+ 2000 expired), R3 300 → 5300; quilts: W1 agreement 600 (4 h)
+ R3 40 → 640.
"""
from __future__ import annotations

import numpy as np
import pytest
import shapely
from engine_fixtures import build_db_plan, lonlat, tiny_input, tiny_norms

from planner.engine.apply import ScenarioError, apply_scenario
from planner.engine.run import run_plan
from planner.engine.snapshot import Hazard
from planner.scenario.runs import load_snapshot


def _served(inp):
    return run_plan(inp, service_areas=False).coverage["totals"]["served"]


def _usable(res, key):
    return next(i["usable"] for i in res.supply["items"] if i["key"] == key)


@pytest.fixture(scope="module")
def base():
    return tiny_input()


def test_site_closure_reopening_and_capacity(base):
    assert _served(base) == 900
    # S1 closed: only S2 (300) is left
    assert _served(apply_scenario(base, site_changes=[{"site_code": "S1", "status": "closed"}])) == 300
    # S4 (closed, 1000 at n1) re-opened: U1 → S4 500, U2 → S4 300 + S2 100, U3 → S2 200, U7 → S1 30
    assert _served(apply_scenario(base, site_changes=[{"site_code": "S4", "status": "built"}])) == 1130
    # S2 capacity 300 → 500: capacity 1100 < 1130 reachable, all of it used
    r = apply_scenario(base, site_changes=[{"site_code": "S2", "stated_capacity": 500}])
    assert _served(r) == 1100
    # S1 area change: 400 m² outdoor only → 200 places: S1 ← U1 200; S2 ← 300
    r = apply_scenario(base, site_changes=[{"site_code": "S1", "indoor_area_m2": 0, "outdoor_area_m2": 400}])
    assert _served(r) == 500
    # the baseline rows are never modified
    assert list(base.sites.status) == ["built", "built", "planned", "closed", "built", "built", "closed", "built"]
    assert np.isnan(base.sites.stated_capacity[0]) and base.sites.stated_capacity[1] == 300


def test_hazard_closes_sites_and_marks_them(base):
    box = shapely.Polygon([lonlat(1190, 40), lonlat(1210, 40), lonlat(1210, 60), lonlat(1190, 60)])
    inp = apply_scenario(base, name="S2 flooded", hazards=[Hazard("低洼", "block", 1.0, True, box)])
    assert inp.effects["closed_by_hazard"] == [{"site": "S2", "kind": "shelter", "hazard": "低洼"}]
    res = run_plan(inp)
    assert res.coverage["totals"]["served"] == 600       # S1 only: U1 500 + U7 30 + U2 70
    sh = {s["code"]: s for s in res.coverage["shelters"]}
    assert sh["S2"]["closed_by_hazard"] == "低洼" and not sh["S2"]["open"]
    assert sh["S1"]["closed_by_hazard"] is None
    assert res.scenario_effects["closed_by_hazard"][0]["site"] == "S2"
    assert any(f["ref"] == "closed_by_hazard" for f in res.findings)
    # closes_sites=False: the roads under it are affected, the site stays open
    keep = apply_scenario(base, hazards=[Hazard("低洼", "block", 1.0, False, box)])
    assert keep.effects["closed_by_hazard"] == [] and _served(keep) == 900


def test_stock_changes(base):
    b = run_plan(base)
    assert _usable(b, "drinking_water") == 5300 and _usable(b, "quilt") == 640
    # a warehouse lost: every item at W1 × 0
    r = run_plan(apply_scenario(base, stock_changes=[{"site_code": "W1", "item_code": None, "factor": 0}]))
    assert _usable(r, "drinking_water") == 300 and _usable(r, "quilt") == 40 and _usable(r, "tent_12m2") == 10
    # one item halved
    r = run_plan(apply_scenario(base, stock_changes=[{"site_code": "W1", "item_code": "WATER", "factor": 0.5}]))
    assert _usable(r, "drinking_water") == 2500 + 300
    # + delta: a new physical, non-expiring lot; − delta: taken from the lots in order (L1 first)
    r = run_plan(apply_scenario(base, stock_changes=[{"site_code": "W1", "item_code": "WATER", "delta": 1000}]))
    assert _usable(r, "drinking_water") == 6300
    r = run_plan(apply_scenario(base, stock_changes=[{"site_code": "W1", "item_code": "WATER", "delta": -1000}]))
    assert _usable(r, "drinking_water") == 4300
    # an agreement supplier unavailable (L3: 600 quilts, 4 h)
    lots = [dict(lot) for lot in base.lots.records()]
    lots[2]["supplier"] = "某公司"
    b2 = tiny_input(lots=lots)
    r = run_plan(apply_scenario(b2, stock_changes=[{"supplier": "某公司", "factor": 0}]))
    assert _usable(r, "quilt") == 40
    assert list(b2.lots.quantity) == [lot["quantity"] for lot in lots]   # baseline untouched


def test_parameter_overrides(base):
    r = apply_scenario(base, params={"supply_population": 2000, "event_date": "2026-04-30"})
    assert r.params["supply_population"] == 2000 and r.param_sources["supply_population"].startswith("override")
    # the old name in an older plan file's scenario still means 保障人口
    old = apply_scenario(base, params={"target_affected": 2000})
    assert old.params["supply_population"] == 2000
    res = run_plan(r)
    water = next(i for i in res.supply["items"] if i["key"] == "drinking_water")
    assert water["required"] == 18000 and water["usable"] == 7300      # L2 not yet expired
    # walking at 0.5 m/s: U7 → S1 1200 s > 900 s
    res = run_plan(apply_scenario(base, params={"walk_speed_mps": 0.5}))
    assert {u["code"]: u for u in res.coverage["units"]}["U7"]["unreachable"] == 30
    # threshold 10 min: U1→S1 400, U2→S2 450, U3→S2 550, U7→S1 600 → 500 + 300 + 30
    assert _served(apply_scenario(base, params={"threshold_min": 10})) == 830
    assert _served(apply_scenario(base, params={"sheltering_share": 0.5})) == 565
    # another norms profile
    sp = apply_scenario(base, params={"norms_profile": "sphere"})
    assert sp.params["norms_profile"] == "sphere" and sp.norms["name"] == "sphere"
    assert sp.params["supply_population"] == 1000        # the caller's override is kept
    assert run_plan(sp).supply["items"]


def test_unknown_codes_name_the_entry(base):
    with pytest.raises(ScenarioError, match=r"site_changes\[0\].*unknown site code 'NOPE'"):
        apply_scenario(base, site_changes=[{"site_code": "NOPE", "status": "closed"}])
    with pytest.raises(ScenarioError, match=r"stock_changes\[1\].*unknown item code 'MILK'"):
        apply_scenario(base, stock_changes=[{"site_code": "W1", "item_code": "WATER", "factor": 1},
                                            {"site_code": "W1", "item_code": "MILK", "factor": 0}])
    with pytest.raises(ScenarioError, match="unknown supplier"):
        apply_scenario(base, stock_changes=[{"supplier": "nobody", "factor": 0}])
    with pytest.raises(ScenarioError, match="status must be"):
        apply_scenario(base, site_changes=[{"site_code": "S1", "status": "gone"}])
    with pytest.raises(ScenarioError, match="unknown parameter"):
        apply_scenario(base, params={"speed_of_light": 1})
    with pytest.raises(ScenarioError, match="unknown norms profile"):
        apply_scenario(base, params={"norms_profile": "no-such-profile"})


def test_load_snapshot_applies_stored_scenario(tmp_path):
    from planner import models as m

    plan = build_db_plan(tmp_path / "t.esplan", norms={**tiny_norms(), "name": "tiny"})
    try:
        with plan.transaction(user="pytest", reason="scenario") as s:
            s.add(m.Scenario(name="S1 closed", params={"event_date": "2026-06-01"},
                             site_changes=[{"site_code": "S1", "status": "closed"}],
                             stock_changes=[{"site_code": "W1", "item_code": None, "factor": 0}]))
            s.add(m.Scenario(name="bad", params={}, site_changes=[{"site_code": "X9", "status": "closed"}]))
        inp = load_snapshot(plan, "S1 closed")
        assert inp.scenario_name == "S1 closed" and inp.sites.status[0] == "closed"
        res = run_plan(inp)
        assert res.coverage["totals"]["served"] == 300 and _usable(res, "drinking_water") == 300
        assert res.scenario_effects["site_changes"] == [{"site": "S1", "status": "closed"}]
        assert load_snapshot(plan, event_date="2026-06-01").sites.status[0] == "built"
        with pytest.raises(ScenarioError, match="X9"):
            load_snapshot(plan, "bad")
    finally:
        plan.dispose()
