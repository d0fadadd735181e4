"""The result's rules and typed rows (planner.engine.results): one status per check, unknown
never counted as failed, closures, outcomes, places behind a check — and the typed view reads
exactly what the JSON says."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from planner.engine.results import (
    UnitOutcome,
    check_status,
    closed_site_codes,
    count_checks,
    places_for,
    typed,
)
from planner.engine.run import PlanResult, run_plan
from planner.scenario.compare import compare_results
from tests.engine_fixtures import site, tiny_input, unit


def _result(**parts):
    base = dict(scenario="baseline", plan_name="t", inputs_hash="h", engine_version="x", parameters=[],
                summary={}, checks=[], findings=[], coverage={}, supply={}, allocation={}, isolation={})
    base.update(parts)
    return SimpleNamespace(**base)


def test_check_status_and_counts():
    checks = [{"id": "a", "passed": True, "status": "pass"}, {"id": "b", "passed": False, "status": "fail"},
              {"id": "c", "passed": False, "status": "unknown"}, {"id": "old", "passed": False}]
    assert [check_status(c) for c in checks] == ["pass", "fail", "unknown", "fail"]  # old saved runs: derived
    c = count_checks(checks)
    assert (c.passed, c.failed, c.unknown, c.total, c.all_passed) == (1, 2, 1, 4, False)
    assert count_checks([{"status": "pass"}, {"status": "unknown"}]).all_passed is False  # unknown is no pass


@pytest.mark.parametrize("parts, expected", [
    ({"served": 10.0}, "served"),
    ({"served": 90.0, "over_capacity": 10.0}, "over_capacity"),       # anybody over capacity shows
    ({"served": 90.0, "over_capacity": 5.0, "unreachable": 1.0}, "unreachable"),
    ({"served": 0.0, "off_network": 3.0}, "off_network"),
    ({"unlocated": 40.0}, "unlocated"),
    ({"population": 0.0}, None),                                       # nobody: no outcome
    ({"population": 12.0}, "served"),                                  # people, none needing shelter
])
def test_unit_outcome(parts, expected):
    assert UnitOutcome(code="U", **parts).outcome == expected


def test_closed_shelters_are_closed_and_planned_ones_are_not():
    r = _result(coverage={"shelters": [
        {"code": "A", "open": False, "status": "closed"},                       # closed in the scenario
        {"code": "B", "open": False, "status": "built", "closed_by_hazard": "洪水"},
        {"code": "C", "open": False, "status": "planned"},                      # planned, not used
        {"code": "D", "open": True, "status": "built"},
    ]})
    assert closed_site_codes(r) == {"A", "B"}
    assert places_for(r, "closed_by_hazard") == ({"A", "B"}, set())
    assert places_for(r, "capacity_share_of_demand") == ({"D"}, set())


def test_places_behind_checks():
    r = _result(coverage={"threshold_min": 15.0, "units": [
        {"code": "u1", "population": 100.0, "served": 100.0, "nearest_min": 5.0},
        {"code": "u2", "population": 50.0, "over_capacity": 20.0, "served": 30.0, "nearest_min": 9.0},
        {"code": "u3", "population": 10.0, "unreachable": 10.0, "nearest_min": None},
        {"code": "u4", "population": 0.0, "nearest_min": None, "snap_status": "unlocated"},
    ], "shelters": [{"code": "S1", "open": True, "utilisation": 1.0, "indoor_capacity": 0.0},
                    {"code": "S2", "open": True, "utilisation": 0.4, "indoor_capacity": 50.0}]},
        supply={"lots": [{"id": 1, "site": "W1", "norm_key": "quilt", "usable": False},
                         {"id": 2, "site": "W2", "norm_key": "quilt", "usable": True}]},
        isolation={"units": [{"code": "u3", "status": "isolated", "covered_72h": False},
                             {"code": "u1", "status": "isolated", "covered_72h": True}]})
    assert places_for(r, "served_within_threshold") == ({"S1"}, {"u2", "u3"})
    assert places_for(r, "unreachable") == (set(), {"u3"})
    assert places_for(r, "max_time_min") == (set(), {"u3"})          # u4 has nobody
    assert places_for(r, "indoor_share_of_capacity") == ({"S1"}, set())
    assert places_for(r, "unlocated") == (set(), {"u4"})
    assert places_for(r, "isolation") == (set(), {"u3"})
    assert places_for(r, "supply_quilt") == ({"W1"}, set())


def test_typed_view_reads_what_the_json_says():
    inp = tiny_input(sites=[site("S1", "shelter", 100, 0, stated_capacity=30), site("W1", "warehouse", 0, 0)],
                     units=[unit("U1", 40, 0, 100), unit("U2", 10, 300, 0), unit("U3", 5)])
    res = PlanResult.from_json(run_plan(inp).to_json())   # what a saved run or a script reads
    d = json.loads(res.to_json())
    r = typed(res)
    assert typed(res) is r                                  # built once per result
    assert [(c.id, c.status, c.value, c.target) for c in r.checks] == \
        [(c["id"], c["status"], c["value"], c["target"]) for c in d["checks"]]
    for k, v in d["summary"].items():
        assert getattr(r.summary, k) == v, k
    assert (r.counts.passed, r.counts.failed, r.counts.unknown) == \
        (d["summary"]["checks_passed"], d["summary"]["checks_failed"], d["summary"]["checks_unknown"])
    by_code = {u["code"]: u for u in d["coverage"]["units"]}
    for u in r.units:
        assert (u.served, u.over_capacity, u.unreachable, u.snap_status) == (
            by_code[u.code]["served"], by_code[u.code]["over_capacity"], by_code[u.code]["unreachable"],
            by_code[u.code]["snap_status"])
    assert r.unit("U3").snap_status == "unlocated" and r.unit("U3").outcome == "unlocated"
    assert r.shelter("S1").capacity == 30 and r.shelter("S1").shelter_class == d["coverage"]["shelters"][0]["class"]


def test_compare_marks_unknown_as_neither_pass_nor_fail():
    a = {"checks": [{"id": "x", "status": "pass", "passed": True, "value": 1}], "coverage": {}, "summary": {}}
    b = {"checks": [{"id": "x", "status": "unknown", "passed": False, "value": None}], "coverage": {},
         "summary": {}}
    cmp = compare_results([SimpleNamespace(to_dict=lambda d=a: d, scenario="baseline", **a),
                           SimpleNamespace(to_dict=lambda d=b: d, scenario="s", **b)])
    row = cmp["checks"][0]
    assert row["status"] == ["pass", "unknown"] and row["passed"] == [True, None]


def test_typed_rows_for_totals_supply_allocation_and_isolation():
    r = typed(_result(
        coverage={"totals": {"population": 100.0, "served": 60.0, "open_shelters": 2}, "mode": "walk",
                  "demand_basis": "unit population", "service_areas": {"S1": {"type": "Polygon"}}},
        supply={"people": 50.0, "days": 3.0, "event_date": "2026-12-01", "no_norm": ["X"],
                "items": [{"key": "water", "basis": "per_person_per_day", "rate": 3.0, "daily_need": 150.0,
                           "unusable": {"expired": 5.0}, "catalogue_items": ["W"], "src": "Sphere", "conf": "S"}],
                "towns": [{"town": "T1", "share": 0.5,
                           "items": {"water": {"required": 225.0, "shipped": 100.0}}}],
                "phases": [{"day": 1, "days": 1.0, "deadline_h": 6.0}, {"day": 2, "days": 1.0, "deadline_h": 24.0}],
                "shortfall_cost_unpriced": ["tent"]},
        allocation={"deadline_h": 6.0, "items": [{"key": "water", "demand": 10.0, "shipped": 8.0}],
                    "shelters": [{"shelter": "S1", "people": 4.0,
                                  "manifest": [{"item": "water", "quantity": 8.0, "source": "W1", "eta_min": 3.5}],
                                  "unmet": [{"item": "water", "quantity": 2.0, "reason": "insufficient_stock"}]}],
                    "sources": [{"source": "W1", "name": "库", "dispatch": [{"item": "water", "shelter": "S1"}]}]},
        isolation={"isolated_units": 1, "isolated_population": 7.0,
                   "units": [{"code": "U1", "status": "isolated", "local_points": ["R1"], "flags": ["易失联"]}],
                   "flagged": [{"code": "U1", "flags": ["易失联"], "reachable": False, "supplied_72h": None}],
                   "pools": [{"town": "T1", "units": ["U1"], "people": 7.0, "covered_72h": False,
                              "items": [{"item": "water", "required": 63.0, "local_stock": 0.0, "covered": False}]}]}))
    tt = r.coverage_totals
    assert (tt.population, tt.served, tt.open_shelters) == (100.0, 60.0, 2)
    assert tt.unreachable is None and tt.capacity is None                      # not written: None, never 0
    assert (r.mode, r.demand_basis, list(r.service_areas)) == ("walk", "unit population", ["S1"])
    si = r.supply_info
    assert (si.people, si.days, si.event_date, si.no_norm) == (50.0, 3.0, "2026-12-01", ("X",))
    assert si.deadline_h is None and si.shortfall_cost_total is None
    it = r.supply[0]
    assert (it.basis, it.rate, it.daily_need, it.src, it.conf) == ("per_person_per_day", 3.0, 150.0, "Sphere", "S")
    assert it.unusable == {"expired": 5.0} and it.catalogue_items == ("W",)
    assert it.days_of_autonomy is None and it.required is None
    tw = r.supply_towns[0]
    assert (tw.town, tw.share, tw.name, tw.population) == ("T1", 0.5, None, None)
    assert (tw.items["water"].required, tw.items["water"].shipped, tw.items["water"].unmet) == \
        (225.0, 100.0, None)
    assert si.deadlines_h == {1: 6.0, 2: 24.0} and si.shortfall_cost_unpriced == ("tent",)
    al = r.allocation
    assert (al.deadline_h, al.note) == (6.0, None)
    assert (al.items[0].key, al.items[0].shipped, al.items[0].stock) == ("water", 8.0, None)
    sh = al.shelters[0]
    assert (sh.shelter, sh.people, sh.name) == ("S1", 4.0, None)
    assert (sh.manifest[0].source, sh.manifest[0].eta_min, sh.manifest[0].ready_h) == ("W1", 3.5, None)
    assert (sh.unmet[0].quantity, sh.unmet[0].reason) == (2.0, "insufficient_stock")
    assert (al.sources[0].name, al.sources[0].dispatch[0].shelter, al.sources[0].dispatch[0].quantity) == \
        ("库", "S1", None)
    iso = r.isolation_info
    assert (iso.isolated_units, iso.isolated_population, iso.open_warehouses) == (1, 7.0, None)
    p = iso.pools[0]
    assert (p.town, p.units, p.people, p.local_points, p.covered_72h) == ("T1", ("U1",), 7.0, (), False)
    assert (p.items[0].item, p.items[0].local_stock, p.items[0].covered) == ("water", 0.0, False)
    assert r.isolation[0].local_points == ("R1",) and r.isolation[0].flags == ("易失联",)
    f = iso.flagged[0]
    assert (f.code, f.flags, f.reachable, f.supplied_72h) == ("U1", ("易失联",), False, None)


def test_typed_rows_of_an_empty_result_are_unknown():
    r = typed(_result())
    assert r.coverage_totals.population is None and r.mode is None and r.service_areas == {}
    assert r.supply_info.people is None and r.supply_info.no_norm is None and r.supply_towns == ()
    assert r.allocation.deadline_h is None and r.allocation.shelters == () and r.allocation.sources == ()
    assert r.isolation_info.isolated_units is None and r.isolation_info.pools == ()


def test_new_typed_rows_survive_a_json_round_trip():
    inp = tiny_input(sites=[site("S1", "shelter", 100, 0, stated_capacity=30), site("W1", "warehouse", 0, 0)],
                     units=[unit("U1", 40, 0, 100), unit("U2", 10, 300, 0), unit("U3", 5)])
    res = run_plan(inp)
    back = PlanResult.from_json(res.to_json())
    a, b = typed(res), typed(back)
    assert a == b
    d = json.loads(back.to_json())
    assert b.coverage_totals.served == d["coverage"]["totals"]["served"]
    assert b.mode == d["coverage"]["mode"] and b.demand_basis == d["coverage"]["demand_basis"]
    assert b.supply_info.people == d["supply"]["people"] and b.supply_info.days == d["supply"]["days"]
    assert [(i.key, i.basis, i.rate, i.src, i.conf) for i in b.supply] == \
        [(i["key"], i["basis"], i["rate"], i["src"], i["conf"]) for i in d["supply"]["items"]]
    assert [t.town for t in b.supply_towns] == [t["town"] for t in d["supply"]["towns"]]
    assert [(i.key, i.demand, i.shipped) for i in b.allocation.items] == \
        [(i["key"], i["demand"], i["shipped"]) for i in d["allocation"]["items"]]
    assert [len(s.manifest) for s in b.allocation.shelters] == \
        [len(s["manifest"]) for s in d["allocation"]["shelters"]]
    assert b.isolation_info.isolated_units == d["isolation"]["isolated_units"]


def test_data_gaps_name_the_rows_and_the_checks_that_need_them():
    import shutil
    import tempfile

    from planner.demo import demo_path
    from planner.engine.results import data_gaps
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    d = tempfile.mkdtemp()
    shutil.copy(demo_path("shanting"), d + "/s.esplan")
    plan = open_plan(d + "/s.esplan")
    try:
        r = run_plan(load_snapshot(plan, None))
        gaps = {g.code: g for g in data_gaps(r, plan.counts()["road_edges"])}
    finally:
        plan.dispose()
    assert gaps["units_unlocated"].n == 280 and "served_within_threshold" in gaps["units_unlocated"].checks
    assert gaps["no_roads"].n is None and "mean_time_min" in gaps["no_roads"].checks
    assert gaps["units_unknown"].n == 280
    assert {c.id for c in typed(r).checks if c.status == "unknown"} <= {c for g in gaps.values() for c in g.checks}
    assert data_gaps(r, 10) and "no_roads" not in {g.code for g in data_gaps(r, 10)}
