"""run_plan end to end: snapshot from a real plan DB, scenarios, JSON, progress/cancel,
save_run, parameters in force and the ``check`` CLI."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import shapely
from engine_fixtures import build_db_plan, lonlat, site, tiny_input, tiny_norms, unit

from planner.engine import Cancelled, run_plan
from planner.engine.run import PlanResult
from planner.scenario.check_cli import cmd_check, main as cli_main
from planner.scenario.runs import load_snapshot, save_run

FLOOD = shapely.Polygon([lonlat(950, -10), lonlat(1050, -10), lonlat(1050, 10), lonlat(950, 10)])


@pytest.fixture
def db_plan(tmp_path):
    plan = build_db_plan(tmp_path / "tiny.esplan", scenarios=[
        ("规划场所", {"include_planned": True}),
        ("洪水", {"event_date": "2026-06-01"}, [("河道", "block", 1.0, FLOOD)])])
    yield plan
    plan.dispose()


def test_snapshot_from_db_matches_hand_built(db_plan):
    inp = load_snapshot(db_plan, event_date="2026-06-01")
    assert len(inp.sites) == 8 and len(inp.demand) == 7 and len(inp.lots) == 12
    assert inp.roads.n_nodes == 8 and inp.roads.n_edges == 8
    assert inp.params["supply_population"] == 1000
    assert inp.param_sources["supply_population"] == "plan: supply_population"
    assert inp.params["norms_profile"] == "tiny"
    a = run_plan(inp)
    b = run_plan(tiny_input(norms={**tiny_norms(), "name": "tiny"}))
    def same(x):   # the numbers, not where a target came from (plan file vs caller)
        if isinstance(x, dict):
            return {k: same(v) for k, v in x.items()
                    if k not in ("target_source", "figures", "people_source", "event_date_source")}
        return [same(v) for v in x] if isinstance(x, list) else x

    for part in ("coverage", "supply", "allocation", "isolation", "checks"):
        assert json.dumps(same(getattr(a, part)), sort_keys=True) == json.dumps(same(getattr(b, part)),
                                                                                sort_keys=True), part


def test_scenario_params_and_hazards(db_plan):
    inp = load_snapshot(db_plan, "规划场所", event_date="2026-06-01")
    assert inp.params["include_planned"] is True
    assert inp.param_sources["include_planned"].startswith("override: scenario")
    assert run_plan(inp).coverage["totals"]["served"] == 1050
    flood = load_snapshot(db_plan, "洪水")
    assert len(flood.hazards) == 1 and flood.hazards[0].effect == "block"
    # n2–n3 cut: U1 and U2 reach only S1 (600: U1 500 + U7 30 + U2 70), S2 only U3 (200) → 800
    r = run_plan(flood)
    assert r.coverage["totals"]["served"] == 800 and r.scenario == "洪水"
    with pytest.raises(KeyError):
        load_snapshot(db_plan, "no such scenario")


def test_inputs_hash_and_determinism():
    a, b = tiny_input(), tiny_input()
    assert a.inputs_hash == b.inputs_hash and len(a.inputs_hash) == 64
    assert a.with_params(threshold_min=10).inputs_hash != a.inputs_hash
    # any table's content counts (the digest is made of the tables' own digests)
    roads = a.roads
    slower = dataclasses.replace(roads, maxspeed=np.where(np.arange(roads.n_edges) == 0, 5.0, roads.maxspeed))
    moved = a.demand.lon.copy()
    moved[0] += 1e-6
    more = a.lots.quantity.copy()
    more[0] += 1
    for changed in (dataclasses.replace(a, roads=slower),
                    dataclasses.replace(a, demand=dataclasses.replace(a.demand, lon=moved)),
                    dataclasses.replace(a, lots=dataclasses.replace(a.lots, quantity=more))):
        changed.__dict__.pop("_hash", None)
        assert changed.inputs_hash != a.inputs_hash
    r1, r2 = run_plan(a), run_plan(b)
    assert r1.to_json() == r2.to_json()


def test_json_round_trip():
    r = run_plan(tiny_input())
    text = r.to_json()
    back = PlanResult.from_json(text)
    assert back.to_json() == text
    assert back.summary["served"] == 900 and not back.passed
    assert json.loads(r.to_json(timings=True))["timings"]["total"] > 0


def test_parameters_in_force_are_reported_with_sources():
    r = run_plan(tiny_input())
    p = {x["name"]: x for x in r.parameters}
    assert p["threshold_min"]["value"] == 15 and p["threshold_min"]["source"] == "override: caller"
    assert p["horizon_h"]["value"] == 72 and "supplies.horizon_hours" in p["horizon_h"]["source"]
    assert p["snap_max_m"]["source"].startswith("norms cn_standard: network.snap_max_m")
    assert p["include_planned"]["source"] == "engine default"


class Recorder:
    def __init__(self, cancel_at: float | None = None):
        self.calls: list[tuple[float, str]] = []
        self.cancel_at = cancel_at

    def set_progress(self, fraction, message):
        self.calls.append((fraction, message))

    def is_cancelled(self):
        return self.cancel_at is not None and bool(self.calls) and self.calls[-1][0] >= self.cancel_at


def test_progress_and_cancel():
    rec = Recorder()
    run_plan(tiny_input(), rec)
    fr = [f for f, _ in rec.calls]
    assert fr == sorted(fr) and fr[-1] == 1.0 and fr[0] == 0.0
    with pytest.raises(Cancelled):
        run_plan(tiny_input(), Recorder(cancel_at=0.5))


def test_run_restores_the_garbage_collector():
    """run_plan pauses Python's cyclic garbage collector while it builds the result; afterwards
    (also when cancelled) the collector is as it was — on stays on, off stays off."""
    import gc

    class Seen(Recorder):
        def set_progress(self, fraction, message):
            super().set_progress(fraction, message)
            paused.append(not gc.isenabled())

    assert gc.isenabled()
    paused: list[bool] = []
    run_plan(tiny_input(), Seen())
    assert gc.isenabled() and paused and all(paused)
    with pytest.raises(Cancelled):
        run_plan(tiny_input(), Recorder(cancel_at=0.5))
    assert gc.isenabled()
    gc.disable()
    try:
        run_plan(tiny_input())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_save_run(db_plan):
    from sqlalchemy import select

    from planner import models as m

    inp = load_snapshot(db_plan, "洪水", event_date="2026-06-01")
    r = run_plan(inp)
    rid = save_run(db_plan, inp, r, user="张三")
    with db_plan.session() as s:
        row = s.get(m.PlanRun, rid)
        assert row.inputs_hash == inp.inputs_hash and row.created_by == "张三"
        assert row.scenario_name == "洪水" and row.scenario_id is not None
        assert row.parameters["threshold_min"]["value"] == 15
        assert PlanResult.from_json(row.result).to_json() == r.to_json()
        assert s.scalar(select(m.PlanRun.engine_version)) == r.engine_version


def test_cli_check_fails_and_prints(db_plan, capsys):
    code = cli_main(["check", db_plan.location, "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 1
    assert "Indoor capacity / total capacity" in out and "FAIL" in out and "threshold_min = 15" in out
    assert cli_main(["check", db_plan.location, "--scenario", "洪水"]) == 1
    out = capsys.readouterr().out
    assert "未达标" in out and "72小时物资缺口" in out
    assert cli_main(["check", db_plan.location, "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["summary"]["served"] == 900


def test_cli_check_errors(tmp_path, capsys):
    assert cli_main(["check", str(tmp_path / "missing.esplan")]) == 2
    assert "error" in capsys.readouterr().err


def test_cli_check_passes(tmp_path, capsys):
    # one shelter (short, indoor 1000 m² → 500 places, all indoor) next to 100 people; water only:
    # 100 × 3 L × 3 d = 900 L ≤ 1000 L at a warehouse 400 m away.
    nodes = [(0, 0), (400, 0)]
    edges = [(0, 1, "residential", False)]
    plan = build_db_plan(
        tmp_path / "good.esplan", nodes=nodes, edges=edges, target_population=100,
        norms=tiny_norms(("drinking_water",)),
        sites=[site("S1", "shelter", 0, 0, shelter_class="short", indoor_area=1000.0, town="T1"),
               site("W1", "warehouse", 400, 0)],
        units=[unit("U1", 100, 0, 0)],
        items=[{"code": "WATER", "name_zh": "水", "unit": "L", "norm_key": "drinking_water"}],
        lots=[{"site_id": 2, "item_id": 1, "quantity": 1000}])
    try:
        assert cli_main(["check", plan.location, "--save"]) == 0
        assert "全部达标" in capsys.readouterr().out
        assert plan.counts()["plan_runs"] == 1
    finally:
        plan.dispose()


def test_add_check_parser_plugs_into_main_cli():
    import argparse

    from planner.scenario.check_cli import add_check_parser

    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command")
    add_check_parser(sub)
    args = ap.parse_args(["check", "x.esplan", "-s", "洪水", "--json"])
    assert args.func is cmd_check and args.scenario == "洪水" and args.json
