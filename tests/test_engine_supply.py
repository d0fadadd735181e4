"""72-hour supply, first-batch allocation and isolation on the tiny district (by hand).

People = target_affected 1000; horizon 72 h = 3 days; deadline 6 h = 21 600 s; event 2026-06-01.
Driving (10/3 m/s residential, 50/3 m/s motorway): W1 (n5) → S1 (n0) 120 s by the motorway;
W1 → S2: n5 → n3 240 s + 50 m snap walked at 1 m/s = 290 s; R3 (n7) → S1 180 s;
R3 → S2 180 + 360 + 50 = 590 s. R1 (n6) is 3000 m from the driving network.

Requirement: water 1000 × 3 L × 3 d = 9000 L; quilt 1000 × 1 = 1000; tent ceil(1000 / 4) = 250.
Lots: water L1 5000 usable, L2 2000 expired (2026-05-01), L10 300 at R3 usable on its expiry
day → usable 5300, shortfall 3700, ¥7400, autonomy 5300 / 3000 = 1.7667 d.
Quilt: L3 600 agreement 4 h (4 h + 120 s ≤ 6 h) usable, L4 300 agreement 8 h too slow, L9 50
agreement 5.99 h (21 564 + 120 = 21 684 s > 21 600) too far, L11 40 at R3 → usable 640,
shortfall 360, ¥36 000. Tent: L7 120 + L12 10 usable, L5 100 at R1 off network, L6 50 at
closed R2 → usable 130, shortfall 120, ¥180 000. ROPE has no norm.
"""
from __future__ import annotations

import pytest
from engine_fixtures import TINY_LOTS, TINY_SITES, cut_n7, site, tiny_input

from planner.engine.coverage import compute_coverage
from planner.engine.graph import RoadGraph
from planner.engine.run import run_plan
from planner.engine.supply import required_qty


@pytest.fixture(scope="module")
def res():
    return run_plan(tiny_input())


def items(r):
    return {i["key"]: i for i in r.supply["items"]}


def test_required_formulas():
    assert required_qty("per_person_per_day", 3.0, 1000, 3) == 9000
    assert required_qty("per_person", 0.1, 1000, 3) == pytest.approx(100)
    assert required_qty("per_n_persons", 4.0, 1001, 3) == 251
    assert required_qty("per_n_persons", 50.0, 0, 3) == 0


def test_supply_required_usable_reasons(res):
    it = items(res)
    w, q, t = it["drinking_water"], it["quilt"], it["tent_12m2"]
    assert (w["required"], w["usable"], w["shortfall"], w["shortfall_cost"]) == (9000, 5300, 3700, 7400)
    assert w["unusable"] == {"expired": 2000}
    assert w["days_of_autonomy"] == pytest.approx(5300 / 3000, abs=1e-4) and w["daily_need"] == 3000
    assert (q["required"], q["usable"], q["shortfall"], q["shortfall_cost"]) == (1000, 640, 360, 36000)
    assert q["unusable"] == {"agreement_too_slow": 300, "too_far": 50}
    assert q["days_of_autonomy"] is None
    assert (t["required"], t["usable"], t["shortfall"], t["shortfall_cost"]) == (250, 130, 120, 180000)
    assert t["unusable"] == {"off_network": 100, "site_closed": 50}
    assert res.supply["no_norm"] == [{"code": "ROPE", "name_zh": "绳索", "norm_key": None, "stock": 10}]
    assert res.supply["shortfall_cost_total"] == 223400
    reasons = {lot["id"]: lot["reason"] for lot in res.supply["lots"]}
    assert reasons == {1: None, 2: "expired", 3: None, 4: "agreement_too_slow", 5: "off_network",
                       6: "site_closed", 7: None, 8: None, 9: "too_far", 10: None, 11: None, 12: None}


def test_supply_per_town(res):
    # no town table: populations from the units, T1 1320, T2 30 → T2 share 30/1350
    towns = {t["town"]: t for t in res.supply["towns"]}
    t2 = towns["T2"]
    assert t2["share"] == pytest.approx(30 / 1350, abs=1e-6)
    assert t2["items"]["drinking_water"]["required"] == pytest.approx(9000 * 30 / 1350, abs=1e-3)  # 200 L
    assert t2["items"]["drinking_water"]["usable_local"] == 300          # R3 is in T2
    assert towns["T1"]["items"]["drinking_water"]["usable_local"] == 5000  # W1
    assert towns["T1"]["items"]["tent_12m2"]["usable_local"] == 120       # R1 off network, R2 closed


def test_supply_agreement_without_lead_time_and_unlocated_site():
    sites = TINY_SITES + [site("W9", "warehouse")]  # no coordinates
    lots = TINY_LOTS + [
        {"id": 13, "site_id": 1 + 4, "item_id": 1, "quantity": 10, "mode": "agreement"},
        {"id": 14, "site_id": len(sites), "item_id": 1, "quantity": 20}]
    r = run_plan(tiny_input(sites=sites, lots=lots))
    assert items(r)["drinking_water"]["unusable"] == {"expired": 2000, "agreement_no_lead_time": 10,
                                                       "unlocated": 20}


def test_allocation_quantities_and_etas(res):
    # coverage assigns S1 600, S2 300 people. Water demand S1 600·9 = 5400, S2 2700; stock
    # W1 5000 (ETA S1 2 min) + R3 300 (S1 3 min): all 5300 go to S1 (cheapest), S1 short 100.
    # Quilts: S1 600, S2 300; R3 40 → S1 (3 min); W1 600 ready at 4 h → S1 560 (242 min) and
    # S2 40 (14 400 + 290 s = 244.833 min). Tents: S1 150, S2 75; W1 120 + R3 10 → S1.
    sh = {s["shelter"]: s for s in res.allocation["shelters"]}
    assert set(sh) == {"S1", "S2"} and sh["S1"]["people"] == 600 and sh["S2"]["people"] == 300
    m1 = {(r["item"], r["source"]): (r["quantity"], r["eta_min"]) for r in sh["S1"]["manifest"]}
    assert m1 == {("drinking_water", "W1"): (5000, 2.0), ("drinking_water", "R3"): (300, 3.0),
                  ("quilt", "W1"): (560, 242.0), ("quilt", "R3"): (40, 3.0),
                  ("tent_12m2", "W1"): (120, 2.0), ("tent_12m2", "R3"): (10, 3.0)}
    m2 = {(r["item"], r["source"]): (r["quantity"], r["eta_min"]) for r in sh["S2"]["manifest"]}
    assert m2 == {("quilt", "W1"): (40, pytest.approx(244.833, abs=1e-3))}
    assert {(u["item"], u["quantity"], u["reason"]) for u in sh["S1"]["unmet"]} == {
        ("drinking_water", 100, "insufficient_stock"), ("tent_12m2", 20, "insufficient_stock")}
    assert {(u["item"], u["quantity"]) for u in sh["S2"]["unmet"]} == {
        ("drinking_water", 2700), ("quilt", 260), ("tent_12m2", 75)}
    src = {s["source"]: s for s in res.allocation["sources"]}
    assert sum(r["quantity"] for r in src["W1"]["dispatch"] if r["item"] == "quilt") == 600
    it = {i["key"]: i for i in res.allocation["items"]}
    assert (it["drinking_water"]["demand"], it["drinking_water"]["shipped"]) == (8100, 5300)


def test_allocation_beyond_deadline_and_unreachable():
    # deadline 0.04 h = 144 s: W1 → S1 120 s is in time, W1 → S2 290 s is not; R3 → S1 180 s is
    # too late, so R3's lots are "too far"; agreement quilts (4 h) are too slow. A new shelter S5
    # at n6 (off the driving network) serves U4 (100) on foot and cannot be supplied.
    sites = TINY_SITES + [site("S5", "shelter", 5000, 0, shelter_class="short", stated_capacity=100)]
    r = run_plan(tiny_input(sites=sites, first_batch_deadline_h=0.04))
    sh = {s["shelter"]: s for s in r.allocation["shelters"]}
    assert sh["S5"]["people"] == 100
    un = {s: {u["item"]: (u["quantity"], u["reason"]) for u in sh[s]["unmet"]} for s in sh}
    assert un["S2"]["drinking_water"] == (2700, "beyond_deadline")
    assert un["S5"]["drinking_water"] == (900, "unreachable")
    assert un["S1"]["quilt"] == (600, "no_stock")
    assert un["S1"]["drinking_water"] == (400, "insufficient_stock")  # 5400 − 5000
    assert items(r)["drinking_water"]["unusable"] == {"expired": 2000, "too_far": 300}


def test_allocation_never_exceeds_stock_or_ships_to_closed(res):
    shipped: dict = {}
    for s in res.allocation["sources"]:
        for row in s["dispatch"]:
            shipped[(row["source"], row["item"])] = shipped.get((row["source"], row["item"]), 0) + row["quantity"]
            assert row["shelter"] in ("S1", "S2")  # S3 planned, S4 closed
    stock = {("W1", "drinking_water"): 5000, ("R3", "drinking_water"): 300, ("W1", "quilt"): 600,
             ("R3", "quilt"): 40, ("W1", "tent_12m2"): 120, ("R3", "tent_12m2"): 10}
    for k, q in shipped.items():
        assert q <= stock[k] + 1e-6


def test_isolation(res):
    assert res.isolation["isolated_units"] == 0
    # the n0–n7 road is cut: no warehouse reaches U7 (n7). R3 (same town T2, at n7; its lots are
    # now "too far" from every shelter, which still counts locally) holds water 300 ≥ 30·9 = 270,
    # quilts 40 ≥ 30, tents 10 ≥ ceil(30/4) = 8 → covered.
    iso = run_plan(tiny_input(hazards=[cut_n7()])).isolation
    assert iso["isolated_units"] == 1 and iso["isolated_population"] == 30
    u = {x["code"]: x for x in iso["units"]}
    assert u["U7"]["status"] == "isolated" and u["U7"]["local_points"] == ["R3"] and u["U7"]["covered_72h"]
    assert u["U4"]["status"] == "off_network" and u["U5"]["status"] == "unlocated"
    assert "U1" not in u
    pool = iso["pools"][0]
    assert {(i["item"], i["required"], i["local_stock"]) for i in pool["items"]} == {
        ("drinking_water", 270, 300), ("quilt", 30, 40), ("tent_12m2", 8, 10)}


def test_isolation_not_covered_when_local_stock_short():
    lots = [dict(lot) for lot in TINY_LOTS]
    lots[9]["quantity"] = 200  # R3 water 200 < 270
    r = run_plan(tiny_input(lots=lots, hazards=[cut_n7()]))
    pool = r.isolation["pools"][0]
    assert not pool["covered_72h"]
    assert any(f["ref"] == "isolation" for f in r.findings)


def test_coverage_assigned_feeds_allocation():
    inp = tiny_input()
    cov = compute_coverage(inp, RoadGraph(inp))
    st = list(inp.sites.code)
    assert cov.assigned[st.index("S1")] == 600 and cov.assigned[st.index("S2")] == 300


def test_countable_items_ship_in_whole_units():
    """Folding beds, tents, lamps … are whole things: every shipped quantity is an integer and
    each shelter's need is rounded up (the Andorra demo has shelters whose 10 % bed share is
    fractional)."""
    from planner.demo import demo_path
    from planner.engine import run_plan
    from planner.engine.allocation import is_countable
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    assert is_countable("张") and is_countable("顶") and not is_countable("L") and not is_countable("kg")
    plan = open_plan(demo_path("andorra"), upgrade=False)
    try:
        r = run_plan(load_snapshot(plan), service_areas=False)
    finally:
        plan.dispose()
    rows = [row for s in r.allocation["shelters"] for row in s["manifest"]]
    beds = [row["quantity"] for row in rows if row["item"] == "folding_bed"]
    assert beds and all(q == int(q) for q in beds)
    assert all(row["quantity"] == int(row["quantity"]) for row in rows if is_countable(row["unit"]))
    assert any(row["quantity"] != int(row["quantity"]) for row in rows if row["unit"] == "L")
