"""15-minute coverage on the tiny district, every number worked out by hand.

Walking times (1 m/s, snap distance walked and added):
  U1 (n1):            S1 400 s, S2 800 + 50 = 850 s
  U2 (n2):            S1 800 s, S2 400 + 50 = 450 s
  U3 (100 m off n4):  S2 100 + 400 + 50 = 550 s; S1 100 + 1600 = 1700 s (> 900)
  U4 (n6):            S2 3000 + 800 + 50 = 3850 s (> 900: unreachable); nearest = 64.1667 min
  U7 (n7):            S1 600 s
  U5 no coordinates (unlocated), U6 2000 m from the network (off network)
Capacities: S1 short, floor(200/2 + 1000/2) = 600 (indoor floor(200/2) = 100); S2 stated 300
(indoor 0); S3 planned and S4 closed are not open.
Assignment (max people served, then min person-seconds): the 900 places fill completely.
S2's cheapest candidates are U2 (450 s) then U3 (550 s); S1's are U1 (400), U7 (600), U2 (800).
Optimum: S2 ← U2 300; S1 ← U1 500 + U7 30 + U2 70 (U2 then has 370 of 400 placed);
cost 300·450 + 500·400 + 30·600 + 70·800 = 409 000 person-seconds. Putting U3 into S2 instead of
U2 would cost +100 s a head and serve nobody more, so U3 (200) is "reachable but over capacity".
"""
from __future__ import annotations

import dataclasses

import pytest
from engine_fixtures import lonlat, site, tiny_input

from planner.engine.coverage import compute_coverage
from planner.engine.graph import RoadGraph
from planner.engine.snapshot import TownTable


def _cov(**kw):
    inp = tiny_input(**kw)
    return compute_coverage(inp, RoadGraph(inp)).result


@pytest.fixture(scope="module")
def cov():
    return _cov()


def units(c):
    return {u["code"]: u for u in c["units"]}


def test_nearest_times_and_shelter(cov):
    u = units(cov)
    assert u["U1"]["nearest_min"] == pytest.approx(400 / 60, abs=1e-3) and u["U1"]["nearest_shelter"] == "S1"
    assert u["U2"]["nearest_min"] == pytest.approx(450 / 60, abs=1e-3) and u["U2"]["nearest_shelter"] == "S2"
    assert u["U3"]["nearest_min"] == pytest.approx(550 / 60, abs=1e-3) and u["U3"]["snap_m"] == pytest.approx(100)
    assert u["U4"]["nearest_min"] == pytest.approx(3850 / 60, abs=1e-3)
    assert u["U7"]["nearest_min"] == pytest.approx(10.0, abs=1e-3)
    assert u["U5"]["nearest_min"] is None and u["U6"]["nearest_min"] is None


def test_capacity_from_area_and_stated(cov):
    s = {x["code"]: x for x in cov["shelters"]}
    assert s["S1"]["capacity"] == 600 and s["S1"]["indoor_capacity"] == 100
    assert s["S2"]["capacity"] == 300 and s["S2"]["indoor_capacity"] == 0
    assert not s["S3"]["open"] and not s["S4"]["open"]
    assert s["S3"]["assigned"] == 0 and s["S4"]["assigned"] == 0
    assert cov["totals"]["capacity"] == 900


def test_served_over_capacity_unreachable_split(cov):
    u = units(cov)
    expect = {  # served, over capacity, unreachable, off network, unlocated
        "U1": (500, 0, 0, 0, 0), "U2": (370, 30, 0, 0, 0), "U3": (0, 200, 0, 0, 0),
        "U4": (0, 0, 100, 0, 0), "U5": (0, 0, 0, 0, 50), "U6": (0, 0, 0, 70, 0), "U7": (30, 0, 0, 0, 0)}
    for code, (sv, ov, ur, off, unl) in expect.items():
        got = u[code]
        assert (got["served"], got["over_capacity"], got["unreachable"], got["off_network"],
                got["unlocated"]) == pytest.approx((sv, ov, ur, off, unl), abs=1e-6), code
    t = cov["totals"]
    assert (t["demand"], t["served"], t["over_capacity"], t["unreachable"]) == (1350, 900, 230, 100)
    # the assignment's person-seconds
    cost = sum(a["people"] * a["seconds"] for x in cov["units"] for a in x["assignments"])
    assert cost == pytest.approx(409000, rel=1e-5)
    assert {(a["shelter"], a["people"]) for a in u["U2"]["assignments"]} == {("S1", 70), ("S2", 300)}
    towns = {t["town"]: t for t in cov["towns"]}
    assert towns["T1"]["served"] == 870 and towns["T2"]["served"] == 30


def test_checks(cov):
    """One demand model: every coverage share divides by 避难需求 1350 (the units' population ×
    share 1), the fixed rule by 规划人口 1350 (the units' sum; none entered)."""
    c = {x["id"]: x for x in cov["checks"]}
    # the 15-minute circle: served 900 / 避难需求 1350 = 0.6667 ≥ served_share_target 0.6
    s = c["served_within_threshold"]
    assert s["value"] == pytest.approx(900 / 1350, abs=1e-6) and s["passed"]
    assert (s["numerator"], s["denominator"], s["numerator_of"], s["denominator_of"]) == (
        900, 1350, "served", "sheltering_demand")
    assert "served_share_target" in s["target_source"]
    # capacity 900 / 避难需求 1350 = 0.667 ≥ 0.6 (the same denominator as the served share)
    k = c["capacity_share_of_demand"]
    assert k["value"] == pytest.approx(900 / 1350, abs=1e-6) and k["passed"]
    assert (k["numerator"], k["denominator"]) == (900, 1350)
    # indoor 100 / 900 = 0.111 < 0.2
    assert c["indoor_share_of_capacity"]["value"] == pytest.approx(100 / 900, abs=1e-6)
    assert (c["indoor_share_of_capacity"]["numerator"], c["indoor_share_of_capacity"]["denominator"]) == (100, 900)
    assert not c["indoor_share_of_capacity"]["passed"]
    # fixed (short) S1 600 / 规划人口 1350 = 0.444 ≥ 0.15
    f = c["fixed_capacity_share_of_population"]
    assert f["value"] == pytest.approx(600 / 1350, abs=1e-6) and f["passed"]
    assert (f["numerator"], f["denominator"], f["denominator_of"]) == (600, 1350, "planning_population")
    # response time = time to the ASSIGNED shelter: S1 ← U1 500 @ 400 s, U2 70 @ 800 s, U7 30 @ 600 s;
    # S2 ← U2 300 @ 450 s: mean (200000 + 56000 + 18000 + 135000) / 900 = 454.44 s
    assert c["mean_time_min"]["value"] == pytest.approx(409000 / 900 / 60, abs=1e-5)
    assert c["mean_time_min"]["passed"]
    # 450 of 1350 have no place within 15 min (U3 200 over capacity, U4 100 unreachable, U5 50
    # unlocated, U6 70 off the network, U2 30 over capacity): beyond the threshold → p95 and max fail
    assert c["p95_time_min"]["value"] is None and c["p95_time_min"]["status"] == "fail"
    assert not c["max_time_min"]["passed"]
    assert "450 of 1350" in c["max_time_min"]["detail"]
    for x in cov["checks"]:
        assert {"id", "name_zh", "name_en", "value", "target", "unit", "passed", "status", "detail", "numerator",
                "denominator", "numerator_of", "denominator_of", "target_source", "incomplete", "quantity_unit",
                "mode"} == set(x)
        assert x["status"] == ("pass" if x["passed"] else "fail")


def test_fixed_rule_per_town(cov):
    """Fixed-shelter rule per town (责任区): T1's fixed capacity (S1 600, short) ÷ T1's units'
    population; T2 has no fixed shelter → 0 < 0.15."""
    rows = {t["town"]: t for t in cov["fixed_by_town"]}
    t1_pop = rows["T1"]["population"]
    assert rows["T1"]["fixed_capacity"] == 600 and rows["T1"]["share"] == pytest.approx(600 / t1_pop, abs=1e-5)
    assert rows["T2"]["fixed_capacity"] == 0 and rows["T2"]["passed"] is False
    c = {x["id"]: x for x in cov["checks"]}["fixed_share_towns_met"]
    assert (c["numerator"], c["denominator"]) == (sum(r["passed"] for r in rows.values()), len(rows))
    assert not c["passed"]


def test_unknown_population_is_unknown_not_zero():
    """A unit with a blank population is unknown: left out of the sums, counted, said incomplete;
    its row says None, not 0."""
    from engine_fixtures import TINY_UNITS

    units = [dict(u) for u in TINY_UNITS]
    units[0] = {**units[0], "population": None}       # U1 (500) unknown
    c = _cov(units=units)
    u1 = units_of = {u["code"]: u for u in c["units"]}["U1"]
    assert u1["population"] is None and u1["demand"] is None
    del units_of
    served = {x["id"]: x for x in c["checks"]}["served_within_threshold"]
    assert served["denominator"] == 850 and served["incomplete"] == {"units_unknown": 1}
    assert c["totals"]["units_unknown"] == 1


def test_checks_without_data_are_unknown_not_failed():
    """A registry with no roads, no locations and shelters of unknown size (the Shanting demo):
    the coverage and capacity checks cannot be evaluated; supply checks still fail for lack of
    registered stock. Unknown checks do not pass."""
    from planner.demo import demo_path
    from planner.engine import run_plan
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    plan = open_plan(demo_path("shanting"), upgrade=False)
    try:
        r = run_plan(load_snapshot(plan))
    finally:
        plan.dispose()
    st = {c["id"]: c["status"] for c in r.checks}
    for cid in ("served_within_threshold", "capacity_share_of_demand", "indoor_share_of_capacity",
                "fixed_capacity_share_of_population", "mean_time_min", "max_time_min"):
        assert st[cid] == "unknown", cid
    assert all(c["value"] is None and not c["passed"] for c in r.checks if c["status"] == "unknown")
    assert st["supply_drinking_water"] == "fail"
    refs = {f["ref"] for f in r.findings}
    assert {"not_evaluable", "data_gaps"} <= refs
    gaps = next(f for f in r.findings if f["ref"] == "data_gaps")["zh"]
    assert "3 个避难场所无有效面积或容量数据" in gaps


def test_include_planned_shelter_serves_more():
    # S3 (planned, stated 150) at n5: U3 reaches it in 100 + 400 = 500 s. S3 ← U3 150;
    # S2 ← U2 300; S1 ← U1 500 + U7 30 + U2 70 → 1050 served; U3 has 50 over capacity.
    c = _cov(include_planned=True)
    assert c["totals"]["served"] == pytest.approx(1050)
    assert units(c)["U3"]["served"] == pytest.approx(150) and units(c)["U3"]["over_capacity"] == pytest.approx(50)


def test_threshold_and_walk_speed_parameters():
    # threshold 10 min = 600 s: U1→S1 400, U2→S2 450, U3→S2 550, U7→S1 600; U1→S2 850 and
    # U2→S1 800 drop out. S1 ← U1 500 + U7 30 = 530; S2 ← U2 300 (cheaper than U3)
    c = _cov(threshold_min=10)
    u = units(c)
    assert (u["U1"]["served"], u["U2"]["served"], u["U3"]["served"], u["U7"]["served"]) == (500, 300, 0, 30)
    assert u["U2"]["over_capacity"] == 100 and u["U3"]["over_capacity"] == 200
    # walking at 0.5 m/s doubles every time: U1→S1 800 s, U7→S1 1200 s (> 900: unreachable)
    u = units(_cov(walk_speed_mps=0.5))
    assert u["U1"]["nearest_min"] == pytest.approx(800 / 60, abs=1e-3)
    assert u["U7"]["unreachable"] == 30


def test_scale_to_target_and_sheltering_share():
    # sheltering_share 0.5: demand halves (U1 250 …); total 675
    c = _cov(sheltering_share=0.5)
    assert c["totals"]["demand"] == pytest.approx(675)
    # scale_to_target: unit populations × 1000/1350 so that the total is the entered 规划人口 1000
    c = _cov(scale_to_target=True, planning_population=1000)
    assert c["totals"]["demand"] == pytest.approx(1000)
    assert units(c)["U1"]["demand"] == pytest.approx(500 * 1000 / 1350, abs=1e-3)
    # without an entered 规划人口 there is nothing to scale to
    assert _cov(scale_to_target=True)["totals"]["demand"] == pytest.approx(1350)
    # a town's own share and a unit's own demand override the plan's share
    from engine_fixtures import TINY_UNITS

    us = [dict(u) for u in TINY_UNITS]
    us[0] = {**us[0], "sheltering_demand": 100}          # U1: 100 instead of 500
    inp = tiny_input(units=us)
    inp = dataclasses.replace(inp, towns=TownTable.from_records([{"code": "T2", "sheltering_share": 0.5}]))
    c = compute_coverage(inp, RoadGraph(inp)).result
    assert units(c)["U1"]["demand"] == 100 and units(c)["U7"]["demand"] == 15   # T2 at 0.5
    assert c["totals"]["demand"] == pytest.approx(1350 - 400 - 15)


def test_units_on_the_same_node_are_merged_but_reported_separately():
    from engine_fixtures import TINY_SITES, unit

    us = [unit("A", 400, 400, 0), unit("B", 400, 400, 0), unit("C", 100, 800, 0)]
    inp = tiny_input(units=us, sites=[TINY_SITES[0]])  # S1 only: 600 places
    c = compute_coverage(inp, RoadGraph(inp)).result
    u = units(c)
    # A and B (same node, 400 s) share one group of 800: S1 takes all 800 of A+B first
    # (400 s < C's 800 s) up to 600 places → 300 each; C over capacity.
    assert u["A"]["served"] == pytest.approx(300) and u["B"]["served"] == pytest.approx(300)
    assert u["C"]["over_capacity"] == pytest.approx(100)


def test_service_area_polygons_in_wgs84(cov):
    import shapely
    from shapely.geometry import shape

    areas = cov["service_areas"]
    assert set(areas) == {"S1", "S2"}
    a1 = shape(areas["S1"])
    # S1 reaches n0, n1 (400 s), n2 (800 s) and n7 (600 s): a triangle n2–n0–n7
    assert a1.geom_type == "Polygon"
    assert a1.buffer(1e-6).contains(shapely.Point(lonlat(400, 0)))
    assert not a1.contains(shapely.Point(lonlat(1600, 0)))
    lon, lat = lonlat(0, 0)
    assert abs(a1.centroid.x - lon) < 0.02 and abs(a1.centroid.y - lat) < 0.02


def test_no_shelters_and_no_roads_do_not_crash():
    from engine_fixtures import TINY_UNITS

    inp = tiny_input(sites=[site("W", "warehouse", 0, 0)])
    c = compute_coverage(inp, RoadGraph(inp)).result
    assert c["totals"]["served"] == 0 and c["totals"]["unreachable"] == 1230
    from planner.engine.snapshot import make_input

    inp = make_input(demand=[{"id": 1, **TINY_UNITS[0]}], params={"supply_population": 10})
    c = compute_coverage(inp, RoadGraph(inp)).result
    assert c["totals"]["off_network"] == 500
