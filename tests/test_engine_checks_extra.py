"""Vulnerable walking speed and the GB/T 51327 §7.2.2 indoor-area check (tiny district, by hand).

Assignments (walk 1 m/s): U1 → S1 500 people at 400 s; U2 → S1 70 at 800 s and → S2 300 at
450 s; U7 → S1 30 at 600 s. Vulnerable people walk at 0.5 m/s: times double.
"""
from __future__ import annotations

import pytest
from engine_fixtures import TINY_UNITS, tiny_input

from planner.engine.run import run_plan


def _check(res, cid):
    return next((c for c in res.checks if c["id"] == cid), None)


def test_vulnerable_served_share():
    units = [dict(u) for u in TINY_UNITS]
    vul = {"U1": 100, "U2": 40, "U7": 30}
    for u in units:
        if u["code"] in vul:
            u["vulnerable"] = vul[u["code"]]
    res = run_plan(tiny_input(units=units))
    c = _check(res, "vulnerable_served_within_threshold")
    # U1: 800 s ≤ 900 → 500 × 100/500 = 100; U2: S1 1600 s no, S2 900 s ≤ 900 → 300 × 40/400 = 30;
    # U7: 1200 s no → 0. Vulnerable demand 100 + 40 + 30 = 170 → 130 / 170
    assert c["value"] == pytest.approx(130 / 170, abs=1e-6) and c["passed"]
    assert res.coverage["totals"]["vulnerable_served"] == 130
    # slower still: 0.4 m/s → U1 1000 s, U2 → S2 1125 s: nobody
    res = run_plan(tiny_input(units=units, vulnerable_walk_speed_mps=0.4))
    c = _check(res, "vulnerable_served_within_threshold")
    assert c["value"] == 0 and not c["passed"]
    # no vulnerable data: no check
    assert _check(run_plan(tiny_input()), "vulnerable_served_within_threshold") is None


def test_indoor_share_of_fixed_effective_area():
    res = run_plan(tiny_input())
    c = _check(res, "indoor_area_share_of_fixed")
    # open fixed shelters: S1 (short) indoor 200 + outdoor 1000; S2 is an emergency shelter
    assert c["value"] == pytest.approx(200 / 1200, abs=1e-6) and c["target"] == 0.3 and not c["passed"]
    from engine_fixtures import TINY_SITES

    sites = [dict(s) for s in TINY_SITES]
    sites[0]["indoor_area"] = 600.0          # 600 / 1600 = 0.375 ≥ 0.3
    c = _check(run_plan(tiny_input(sites=sites)), "indoor_area_share_of_fixed")
    assert c["value"] == pytest.approx(0.375) and c["passed"]
