"""72-hour supply (time-phased, reach-aware), allocation and isolation on the tiny district, by hand.

保障人口 1000 spread over the units by population (Σ 1350): f = 1000/1350. Coverage places
sheltering people: S1 ← U1 500 + U2 70 + U7 30 = 600, S2 ← U2 300; the rest stay home: U2 30,
U3 200, U4 100, U5 50 (no coordinates), U6 70 (off the network). Supply people = × f: S1 444.44,
S2 222.22, homes U2 22.22, U3 148.15 (100 m from n4: on the driving network), U4 74.07 (n6 is on
a track, not driven: 3000 m from the driving network), U5 37.04, U6 51.85 — the last three
cannot be reached (``not_on_network``: 162.96 people).

Days: day 1 by 6 h (and every per-person item), day 2 by 24 h, day 3 by 48 h; event 2026-06-01.
Water 3 L/p/d: 3000 a day, 9000 in all; not on network 3 × 162.96 × 3 = 1466.67. Usable W1 5000
(L2 2000 expired) + R3 300 (usable on its expiry day) = 5300, all deliverable in time; day 1 and 2
(2511.11 each on the network) are met, day 3 gets 277.78 → shipped 5300, unmet 3700 (1466.67 not on
network + 2233.33 insufficient), ¥7400 at ¥2/L.
Quilts (1 per person, countable, rounded up per destination): S1 445, S2 223, U2 23, U3 149,
U4 75, U5 38, U6 52 = 1005; usable: L3 600 (agreement, ready 4 h: 4 h + 120 s ≤ 6 h) + L11 40 = 640
shipped; L4 300 (8 h) and L9 50 (5.99 h + ≥ 120 s > 6 h) arrive after day 1, when quilts are due
→ ``too_far``; unmet 365 (165 not on network), ¥36 500.
Tents (1 per 4, per destination): 112 + 56 + 6 + 38 + 19 + 10 + 13 = 254; usable W1 120 + R3 10 =
130 shipped (R1 is off the driving network, R2 closed); unmet 124, ¥186 000. Total ¥229 900.
"""
from __future__ import annotations

import pytest
from engine_fixtures import TINY_LOTS, TINY_SITES, cut_n7, lonlat, site, tiny_input

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
    assert (w["required"], w["shipped"], w["shortfall"], w["shortfall_cost"]) == (9000, 5300, 3700, 7400)
    assert w["usable"] == 5300 and w["unusable"] == {"expired": 2000}
    assert w["days_of_autonomy"] == pytest.approx(5300 / 3000, abs=1e-4) and w["daily_need"] == 3000
    days = {p["day"]: p for p in w["phases"]}
    assert days[1]["required"] == 3000 and days[1]["shipped"] == pytest.approx(2511.111, abs=1e-3)
    assert days[3]["shipped"] == pytest.approx(5300 - 2 * 2511.111, abs=1e-2)
    assert days[1]["reasons"] == {"not_on_network": pytest.approx(488.889, abs=1e-3)}
    assert days[3]["reasons"]["insufficient_stock"] == pytest.approx(2233.333, abs=1e-2)
    assert (q["required"], q["shipped"], q["shortfall"], q["shortfall_cost"]) == (1005, 640, 365, 36500)
    assert q["unusable"] == {"too_far": 350}
    assert q["phases"][0]["reasons"] == {"not_on_network": 165, "insufficient_stock": 200}
    assert (t["required"], t["shipped"], t["shortfall"], t["shortfall_cost"]) == (254, 130, 124, 186000)
    assert t["unusable"] == {"off_network": 100, "site_closed": 50}
    assert res.supply["no_norm"] == [{"code": "ROPE", "name_zh": "绳索", "norm_key": None, "stock": 10}]
    assert res.supply["shortfall_cost_total"] == 229900 and res.supply["shortfall_cost_unpriced"] == []
    reasons = {lot["id"]: lot["reason"] for lot in res.supply["lots"]}
    assert reasons == {1: None, 2: "expired", 3: None, 4: "too_far", 5: "off_network",
                       6: "site_closed", 7: None, 8: None, 9: "too_far", 10: None, 11: None, 12: None}
    # the check is the flow: shipped ÷ required, with both printed
    c = {x["id"]: x for x in res.checks}["supply_drinking_water"]
    assert (c["numerator"], c["denominator"]) == (5300, 9000) and c["value"] == pytest.approx(5300 / 9000)


def test_supply_per_town(res):
    """T2 = U7's 30 people × f = 22.22, all at S1 (1/20 of S1's people): water 3 × 22.22 × 3 = 200 L,
    and 1/20 of what S1 lacks. Every destination the same stock reaches shares a shortage in
    proportion to need (day 3: 277.78 of 2511.11 for each)."""
    towns = {t["town"]: t for t in res.supply["towns"]}
    t2 = towns["T2"]
    assert t2["population"] == pytest.approx(30 * 1000 / 1350, abs=1e-3)
    assert t2["items"]["drinking_water"]["required"] == pytest.approx(200, abs=1e-3)
    s1 = next(s for s in res.allocation["shelters"] if s["shelter"] == "S1")
    s1_unmet = sum(u["quantity"] for u in s1["unmet"] if u["item"] == "drinking_water")
    assert s1_unmet == pytest.approx(3 * 444.444 * (1 - 277.778 / 2511.111), abs=1e-2)
    assert t2["items"]["drinking_water"]["unmet"] == pytest.approx(s1_unmet / 20, abs=1e-2)
    assert towns["T1"]["items"]["drinking_water"]["unmet"] + t2["items"]["drinking_water"]["unmet"] == \
        pytest.approx(3700, abs=1e-2)


def test_agreement_stock_counts_from_its_lead_time():
    """Agreement water with an 8 h lead time misses day 1 (6 h) but serves days 2 and 3."""
    lots = [lot for lot in TINY_LOTS if lot["id"] not in (1, 10)] + [
        {"id": 20, "site_id": 5, "item_id": 1, "quantity": 4000, "mode": "agreement", "lead_time_h": 8.0}]
    w = items(run_plan(tiny_input(lots=lots)))["drinking_water"]
    days = {p["day"]: p for p in w["phases"]}
    assert days[1]["shipped"] == 0 and days[1]["reasons"]["too_late"] == pytest.approx(2511.111, abs=1e-3)
    assert days[2]["shipped"] == pytest.approx(2511.111, abs=1e-3)
    assert w["shipped"] == 4000


def test_flood_raises_the_cut_off_units_shortfall():
    """Without R3's stock, cutting the n0–n7 road leaves U7 (T2) at home, out of everybody's
    reach: T2's water shortfall rises from 0 to its whole need (200 L)."""
    lots = [lot for lot in TINY_LOTS if lot["site_id"] != 8]
    before = {t["town"]: t for t in run_plan(tiny_input(lots=lots)).supply["towns"]}
    after_r = run_plan(tiny_input(lots=lots, hazards=[cut_n7()]))
    after = {t["town"]: t for t in after_r.supply["towns"]}
    assert before["T2"]["items"]["drinking_water"]["unmet"] < 100
    assert after["T2"]["items"]["drinking_water"]["unmet"] == pytest.approx(200, abs=1e-3)
    w = items(after_r)["drinking_water"]
    assert w["phases"][0]["reasons"]["unreachable"] == pytest.approx(3 * 30 * 1000 / 1350, abs=1e-3)


def test_stock_in_a_cut_off_town_serves_its_people():
    """With the n0–n7 road cut, R3 (at n7) still serves U7 (at n7): T2's need is met."""
    r = run_plan(tiny_input(hazards=[cut_n7()]))
    t2 = {t["town"]: t for t in r.supply["towns"]}["T2"]
    assert t2["items"]["drinking_water"]["unmet"] == pytest.approx(0, abs=1e-6)
    homes = {v["unit"]: v for v in r.allocation["villages"]}
    water = 3 * 30 * 1000 / 1350        # U7's 22.2 people × 3 L, each day
    assert homes["U7"]["received"]["drinking_water"] == pytest.approx([water] * 3, abs=1e-3)
    assert "drinking_water" not in homes["U7"]["unmet"]
    r3 = next(s for s in r.allocation["sources"] if s["source"] == "R3")["dispatch"]
    assert any(x["to_kind"] == "villages" and x["item"] == "drinking_water" for x in r3)


def test_closing_every_shelter_leaves_stock_usable():
    """No open shelter: everybody is at home and the warehouse still serves the homes it reaches."""
    sites = [dict(s, status="closed") if s["kind"] == "shelter" else s for s in TINY_SITES]
    r = run_plan(tiny_input(sites=sites))
    w = items(r)["drinking_water"]
    assert w["shipped"] == 5300 and w["unusable"] == {"expired": 2000}
    assert r.allocation["shelters"] == [] and {v["unit"] for v in r.allocation["villages"]} >= {"U1", "U2", "U7"}


def test_unknown_price_makes_the_cost_incomplete():
    its = [dict(i) for i in __import__("engine_fixtures").TINY_ITEMS]
    its[2] = {**its[2], "unit_price": None}   # tents without a price
    r = run_plan(tiny_input(items=its))
    assert items(r)["tent_12m2"]["shortfall_cost"] is None
    assert r.supply["shortfall_cost_unpriced"] == ["tent_12m2"]
    assert r.supply["shortfall_cost_total"] == 7400 + 36500
    assert "items_without_price" in str(next(f for f in r.findings if f["ref"] == "data_gaps")["args"])
    f = next(f for f in r.findings if f["ref"] == "supply_tent_12m2")
    assert "金额未知" in f["zh"]


def test_supply_agreement_without_lead_time_and_unlocated_site():
    sites = TINY_SITES + [site("W9", "warehouse")]  # no coordinates
    lots = TINY_LOTS + [
        {"id": 13, "site_id": 1 + 4, "item_id": 1, "quantity": 10, "mode": "agreement"},
        {"id": 14, "site_id": len(sites), "item_id": 1, "quantity": 20}]
    r = run_plan(tiny_input(sites=sites, lots=lots))
    assert items(r)["drinking_water"]["unusable"] == {"expired": 2000, "agreement_no_lead_time": 10,
                                                       "unlocated": 20}


def test_allocation_is_the_supply_flow(res):
    """The manifests add up to the check's shipped figures, per item; nothing ships to a closed or
    planned shelter, nor more than a source holds."""
    ship: dict = {}
    for s in res.allocation["sources"]:
        for row in s["dispatch"]:
            ship[row["item"]] = ship.get(row["item"], 0) + row["quantity"]
            assert row["to"] not in ("S3", "S4")
    for it in res.supply["items"]:
        assert ship.get(it["key"], 0) == pytest.approx(it["shipped"], abs=1e-3)
    per_src: dict = {}
    for s in res.allocation["sources"]:
        for row in s["dispatch"]:
            per_src[(row["source"], row["item"])] = per_src.get((row["source"], row["item"]), 0) + row["quantity"]
    stock = {("W1", "drinking_water"): 5000, ("R3", "drinking_water"): 300, ("W1", "quilt"): 600,
             ("R3", "quilt"): 40, ("W1", "tent_12m2"): 120, ("R3", "tent_12m2"): 10}
    for k, q in per_src.items():
        assert q <= stock[k] + 1e-6
    sh = {s["shelter"]: s for s in res.allocation["shelters"]}
    assert sh["S1"]["people"] == pytest.approx(600 * 1000 / 1350, abs=1e-3)
    # day 1 quilts at S1 (445) arrive: R3's 40 within 3 min, W1's agreement quilts at 4 h + 2 min
    # quilts: 640 for the 840 needed on the network, shared in proportion: S1 445 × 640/840 → 339
    q1 = [r for r in sh["S1"]["manifest"] if r["item"] == "quilt"]
    assert sum(r["quantity"] for r in q1) == 339 and {r["day"] for r in q1} == {1}
    assert all(r["eta_min"] <= 360 for r in q1)
    assert all(r["quantity"] == int(r["quantity"]) for r in q1)


def test_isolation(res):
    assert res.isolation["isolated_units"] == 0
    # the n0–n7 road cut: U7 (n7) is still reached by R3 (at n7, holding stock) → not isolated
    iso = run_plan(tiny_input(hazards=[cut_n7()])).isolation
    assert iso["isolated_units"] == 0
    # without R3's stock nothing holding stock reaches U7: isolated, not covered
    lots = [lot for lot in TINY_LOTS if lot["site_id"] != 8]
    r = run_plan(tiny_input(lots=lots, hazards=[cut_n7()]))
    u = {x["code"]: x for x in r.isolation["units"]}
    assert r.isolation["isolated_units"] == 1 and r.isolation["isolated_population"] == 30
    assert u["U7"]["status"] == "isolated" and u["U7"]["covered_72h"] is False
    assert u["U4"]["status"] == "off_network" and u["U5"]["status"] == "unlocated"
    assert "U1" not in u
    assert any(f["code"] == "isolated_village" and f["args"]["unit"] == "U7" for f in r.findings)


def test_a_road_too_slow_for_the_deadlines_does_not_isolate():
    """Isolation is about a road, not about time: the n0–n7 road slowed 10⁶-fold (a trip of
    weeks, beyond every supply deadline) still connects U7 — not isolated, although no driving
    time to it is within the horizon; the same road cut does isolate it (the searches' inf then
    means *no road*, which the engine may conclude without another search)."""
    from planner.engine.snapshot import Hazard

    lots = [lot for lot in TINY_LOTS if lot["site_id"] != 8]
    slow = Hazard("n0–n7 mud", "slow", 1e-6, False, cut_n7().geometry)
    r = run_plan(tiny_input(lots=lots, hazards=[slow]))
    u = {x["code"]: x for x in r.isolation["units"]}
    assert r.isolation["isolated_units"] == 0 and "U7" not in u
    # … while no stock reaches its people within the horizon
    assert r.supply["items"][0]["phases"][0]["reasons"].get("unreachable", 0) > 0
    r = run_plan(tiny_input(lots=lots, hazards=[cut_n7()]))
    assert r.isolation["isolated_units"] == 1


def test_a_reserve_point_prevents_isolation():
    """W1 (the warehouse) closed, every road intact: R3 (open, holding stock) reaches every
    village by road, so none is isolated (before: all were, warehouse-only)."""
    sites = [dict(s, status="closed") if s["code"] == "W1" else s for s in TINY_SITES]
    iso = run_plan(tiny_input(sites=sites)).isolation
    assert iso["isolated_units"] == 0 and iso["open_warehouses"] == 0 and iso["open_sources"] == 1


def test_isolated_village_judged_by_its_own_point():
    """U7 cut off; R3 names U7 as its village: its stock covers U7's own need (22.2 people:
    water 200 L ≤ 300, quilts 23 ≤ 40, tents 6 ≤ 10) — covered; with 150 L of water it is not."""
    sites = [dict(s, village="U7") if s["code"] == "R3" else s for s in TINY_SITES]
    r = run_plan(tiny_input(sites=sites, hazards=[cut_n7()]))
    assert r.isolation["isolated_units"] == 0      # R3 reaches U7 (same node)
    # move R3 off every road (village point without road access): it still serves its village
    sites2 = [dict(s, village="U7", lon=lonlat(0, -4000)[0], lat=lonlat(0, -4000)[1]) if s["code"] == "R3" else s
              for s in TINY_SITES]
    r = run_plan(tiny_input(sites=sites2, hazards=[cut_n7()]))
    u = {x["code"]: x for x in r.isolation["units"]}
    assert u["U7"]["status"] == "isolated" and u["U7"]["local_points"] == ["R3"] and u["U7"]["covered_72h"]
    lots = [dict(lot, quantity=150) if lot["id"] == 10 else lot for lot in TINY_LOTS]
    r = run_plan(tiny_input(sites=sites2, lots=lots, hazards=[cut_n7()]))
    assert {x["code"]: x for x in r.isolation["units"]}["U7"]["covered_72h"] is False


def test_flagged_villages_listed_every_run():
    us = [dict(u, flags=["易失联"]) if u["code"] == "U7" else u for u in __import__("engine_fixtures").TINY_UNITS]
    plenty = TINY_LOTS + [{"id": 30, "site_id": 5, "item_id": it, "quantity": 10000} for it in (1, 2, 3)]
    r = run_plan(tiny_input(units=us, lots=plenty))
    f = r.isolation["flagged"]
    assert [x["code"] for x in f] == ["U7"] and f[0]["reachable"] and f[0]["supplied_72h"] is True
    lots = [lot for lot in TINY_LOTS if lot["site_id"] != 8]
    r = run_plan(tiny_input(units=us, lots=lots, hazards=[cut_n7()]))
    f = r.isolation["flagged"][0]
    assert not f["reachable"] and f["supplied_72h"] is False
    assert any(x["code"] == "flagged_village" for x in r.findings)


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


def test_supply_unknown_when_nobody_is_on_a_network():
    """No roads: nobody can be reached — whether the stock would arrive is unknown (not 0 %);
    with no usable stock at all the shortfall is certain (fail)."""
    r = run_plan(tiny_input(edges=[]))
    st = {c["id"]: c["status"] for c in r.checks}
    assert st["supply_drinking_water"] == "unknown"
    r = run_plan(tiny_input(edges=[], lots=[]))
    assert {c["id"]: c["status"] for c in r.checks}["supply_drinking_water"] == "fail"
