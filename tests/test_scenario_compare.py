"""Hazard zones make the expected units unreachable (small network and Andorra); comparison
schema; ``esplan-cli compare`` on a copy of the Andorra demo with a flood over the CG-2."""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
import shapely
from engine_fixtures import lonlat, roads_from_xy

from planner.engine.run import run_plan
from planner.engine.snapshot import Hazard, make_input
from planner.scenario.compare import compare_results

REPO = Path(__file__).resolve().parents[1]
ANDORRA = REPO / "resources" / "demo" / "andorra.esplan"

# the CG-2 valley road between Encamp and Canillo, buffered ~50 m (drawn from the demo's roads)
CG2_FLOOD = ("POLYGON ((1.588 42.5544, 1.5888 42.5599, 1.5938 42.5665, 1.6005 42.5671, 1.6004 42.5662, "
             "1.5977 42.5652, 1.5945 42.5654, 1.5899 42.5592, 1.5892 42.5544, 1.5917 42.551, 1.5925 42.5403, "
             "1.5922 42.5387, 1.5894 42.5364, 1.5888 42.5373, 1.5913 42.5403, 1.5904 42.5506, 1.588 42.5544))")


def line_input(hazards=()):
    """n0 … n5 along y = 0, 400 m residential links; shelter at n2; units U0…U5 at the nodes.

    Walking 1 m/s, 15 min = 900 s: from n2 every node within 800 m (n0 … n4) is covered; n5
    (1200 m) is not.
    """
    nodes = [(400 * k, 0) for k in range(6)]
    edges = [(k, k + 1, "residential", False) for k in range(5)]
    roads = roads_from_xy(nodes, edges)
    lon, lat = lonlat(800, 0)
    sites = [{"code": "S", "name": "S", "kind": "shelter", "shelter_class": "emergency", "stated_capacity": 1e6,
              "lon": lon, "lat": lat}]
    units = []
    for k in range(6):
        ulon, ulat = lonlat(400 * k, 0)
        units.append({"code": f"U{k}", "name": f"U{k}", "town": "T", "population": 100 * (k + 1),
                      "lon": ulon, "lat": ulat})
    return make_input(sites=sites, demand=units, roads=roads, towns=[{"code": "T", "name": "镇", "population": 2100}],
                      params={"supply_population": 2100, "event_date": "2026-06-01", "walk_speed_mps": 1.0},
                      hazards=hazards,
                      scenario_name="flood" if hazards else "baseline")


def box_at(x0, x1, y0=-50, y1=50):
    a, b = lonlat(x0, y0), lonlat(x1, y1)
    return shapely.box(a[0], a[1], b[0], b[1])


def status(result):
    return {u["code"]: (u["served"] > 0, u["unreachable"] > 0) for u in result.coverage["units"]}


def test_block_zone_on_a_small_network():
    base = run_plan(line_input())
    assert {c for c, (srv, _u) in status(base).items() if srv} == {"U0", "U1", "U2", "U3", "U4"}
    # a flood across the n2–n3 link (x 900–1100 m): U3 and U4 lose their shelter
    flood = run_plan(line_input((Hazard("flood", "block", 1.0, False, box_at(900, 1100)),)))
    st = status(flood)
    assert {c for c, (_s, unr) in st.items() if unr} == {"U3", "U4", "U5"}
    cmp = compare_results([base, flood])
    assert cmp["scenarios"] == ["baseline", "flood"]
    assert [u["code"] for u in cmp["units_newly_uncovered"][1]] == ["U3", "U4"]
    assert cmp["units_newly_uncovered"][0] == []
    served = next(c for c in cmp["checks"] if c["id"] == "served_within_threshold")
    assert served["values"][0] == pytest.approx(1500 / 2100, abs=1e-6)
    assert served["values"][1] == pytest.approx(600 / 2100, abs=1e-6)
    assert served["deltas"] == [0.0, pytest.approx(-900 / 2100, abs=1e-6)]
    assert cmp["towns"][0]["served"] == [1500.0, 600.0] and cmp["towns"][0]["delta_served"] == [0.0, -900.0]


def test_slow_zone_on_a_small_network():
    # walking at half speed over n1–n2 (x 500–700): U0 needs 400 + 800 s > 900 s, U1 still 800 s
    slow = run_plan(line_input((Hazard("mud", "slow", 0.5, False, box_at(500, 700)),)))
    st = status(slow)
    assert st["U0"] == (False, True) and st["U1"] == (True, False)


def test_compare_schema_shape_and_overflow_and_shortfall():
    base = run_plan(line_input())
    # the same plan with a tiny shelter: it overflows
    small = dataclasses.replace(line_input(), scenario_name="small")
    recs = small.sites.records()
    recs[0]["stated_capacity"] = 100.0
    from planner.engine.snapshot import SiteTable

    small = dataclasses.replace(small, sites=SiteTable.from_records(recs))
    r2 = run_plan(small)
    cmp = compare_results([base, r2, base])
    assert set(cmp) >= {"scenarios", "checks", "towns", "units_newly_uncovered", "units_newly_isolated",
                        "shelters_overflowing", "items_shortfall_growth"}
    for key in ("units_newly_uncovered", "units_newly_isolated", "shelters_overflowing", "items_shortfall_growth"):
        assert len(cmp[key]) == 3 and cmp[key][0] == [] and cmp[key][2] == []
    assert cmp["shelters_overflowing"][1] == [{"code": "S", "name": "S", "capacity": 100.0, "assigned": 100.0}]
    for c in cmp["checks"]:
        assert set(c) >= {"id", "name_zh", "name_en", "unit", "target", "values", "deltas", "passed"}
        assert len(c["values"]) == len(c["deltas"]) == len(c["passed"]) == 3
    json.dumps(cmp)  # plain data


@pytest.fixture
def andorra(tmp_path):
    dst = tmp_path / "andorra.esplan"
    shutil.copy(ANDORRA, dst)
    return dst


def test_andorra_flood_over_the_cg2(andorra, capsys):
    from planner.cli import main
    from planner.scenario import store as S
    from planner.scenario.compare import compare_plan
    from planner.store import open_plan

    assert main(["scenario", str(andorra), "create", "CG-2 洪水", "--description", "Valira d'Orient flood"]) == 0
    assert main(["scenario", str(andorra), "hazard-add", "CG-2 洪水", "--wkt", CG2_FLOOD,
                 "--zone-name", "CG-2 Encamp–Canillo"]) == 0
    capsys.readouterr()
    plan = open_plan(andorra)
    try:
        assert len(S.get_scenario(plan, "CG-2 洪水")["hazards"]) == 1
        results, cmp = compare_plan(plan, ["baseline", "CG-2 洪水"])
        # one what-if session for both, identical to a full run of each
        from planner.scenario.runs import run

        assert [r.to_json() for r in results] == [run(plan, n)[1].to_json() for n in ("baseline", "CG-2 洪水")]
    finally:
        plan.dispose()
    base_u = {u["code"]: u for u in results[0].coverage["units"]}
    flood_u = {u["code"]: u for u in results[1].coverage["units"]}
    # Canillo village (on the CG-2) has a shelter within 15 min before and none after
    canillo = "AD-n64954433"
    assert base_u[canillo]["nearest_min"] is not None and base_u[canillo]["nearest_min"] <= 15
    assert flood_u[canillo]["served"] == 0 and flood_u[canillo]["unreachable"] > 0
    # Meritxell (on the valley road) cannot reach any shelter at all
    assert flood_u["AD-n64954601"]["nearest_min"] is None
    assert canillo in [u["code"] for u in cmp["units_newly_uncovered"][1]]
    served = next(c for c in cmp["checks"] if c["id"] == "served_within_threshold")
    assert served["values"][1] < served["values"][0]
    canillo_town = next(t for t in cmp["towns"] if t["code"] == "AD02")
    assert canillo_town["delta_served"][1] < 0

    code = main(["compare", str(andorra), "baseline", "CG-2 洪水", "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 1  # the demo fails some checks in both
    assert "CG-2 洪水" in out and "Canillo (AD-n64954433" in out and "pp)" in out
    code = main(["compare", str(andorra), "baseline", "CG-2 洪水", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["scenarios"] == ["baseline", "CG-2 洪水"]
    assert main(["compare", str(andorra), "baseline", "no such scenario"]) == 2


def test_compare_exit_zero_when_every_check_passes(tmp_path, capsys):
    """A plan whose every check passes in both scenarios: exit 0 (the tiny good plan of
    test_engine_run: one shelter next to 100 people, water for 72 h at a warehouse 400 m away)."""
    from engine_fixtures import build_db_plan, site, tiny_norms, unit

    from planner.cli import main

    plan = build_db_plan(
        tmp_path / "good.esplan", nodes=[(0, 0), (400, 0)], edges=[(0, 1, "residential", False)],
        target_population=100, norms=tiny_norms(("drinking_water",)),
        sites=[site("S1", "shelter", 0, 0, shelter_class="short", indoor_area=1000.0, town="T1"),
               site("W1", "warehouse", 400, 0)],
        units=[unit("U1", 100, 0, 0)],
        items=[{"code": "WATER", "name_zh": "水", "unit": "L", "norm_key": "drinking_water"}],
        lots=[{"site_id": 2, "item_id": 1, "quantity": 1000}])
    loc = plan.location
    plan.dispose()
    for name in ("easy", "easy2"):
        assert main(["scenario", loc, "create", name]) == 0
    assert main(["scenario", loc, "set-param", "easy2", "threshold_min=10"]) == 0
    capsys.readouterr()
    code = main(["compare", loc, "easy", "easy2", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in data["checks"] if not all(c["passed"])] == []
    assert code == 0
    # and 1 as soon as one check fails in one of them
    assert main(["scenario", loc, "set-param", "easy2", "supply_population=1000"]) == 0
    capsys.readouterr()
    assert main(["compare", loc, "easy", "easy2", "--json"]) == 1

def test_compare_plan_reports_progress_and_cancels_between_scenarios(andorra):
    from planner.progress import Cancelled
    from planner.scenario import store as S
    from planner.scenario.compare import compare_plan
    from planner.store import open_plan

    class Progress:
        def __init__(self, stop_after: int):
            self.seen: list[str] = []
            self.stop_after = stop_after

        def set_progress(self, fraction: float, message: str) -> None:
            self.seen.append(message)

        def is_cancelled(self) -> bool:
            return len(self.seen) >= self.stop_after

    plan = open_plan(andorra)
    try:
        S.create_scenario(plan, "甲")
        p = Progress(stop_after=99)
        results, _ = compare_plan(plan, [None, "甲"], p)
        assert p.seen == ["baseline", "甲"] and [r.scenario for r in results] == ["baseline", "甲"]
        with pytest.raises(Cancelled):
            compare_plan(plan, [None, "甲"], Progress(stop_after=1))   # cancelled after the first
    finally:
        plan.dispose()
