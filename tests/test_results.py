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
