"""The plan figures (规划人口, 避难需求 share, 保障人口, 灾害发生日期): ``esplan-cli plan show|set|
set-town-share`` and the service behind it (planner.plan_figures), on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from planner import models as m, plan_figures as F
from planner.cli import main
from planner.store import EditConflict


@pytest.fixture
def plan(new_plan):
    """Two towns, three demand units: 1,200 + 800 people and one unit of unknown population."""
    with new_plan.transaction(reason="test data") as s:
        s.add_all([m.AdminUnit(code="370406001", name="山城街道", level="town"),
                   m.AdminUnit(code="370406002", name="北庄镇", level="town")])
        s.add_all([m.DemandUnit(code="U1", name="甲村", town_code="370406001", population=1200),
                   m.DemandUnit(code="U2", name="乙村", town_code="370406002", population=800),
                   m.DemandUnit(code="U3", name="丙村", town_code="370406002", population=None)])
    return new_plan


def _show(capsys, location: str) -> dict:
    capsys.readouterr()
    assert main(["plan", "show", location, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _audit(plan, entity: str = "plan_info") -> list[m.AuditLog]:
    """The updates of ``entity`` in the audit log (the inserts of the test data left out)."""
    with plan.session() as s:
        return list(s.scalars(select(m.AuditLog).where(m.AuditLog.entity == entity, m.AuditLog.action == "update")
                              .order_by(m.AuditLog.id)))


def _info(plan) -> dict:
    with plan.session() as s:
        i = s.scalars(select(m.PlanInfo)).one()
        return {"version": i.version, "planning_population": i.planning_population,
                "sheltering_share": i.sheltering_share, "target_population": i.target_population,
                "event_date": i.event_date}


def test_a_new_plan_states_every_default(plan, plan_location, capsys):
    got = _show(capsys, plan_location)
    f = got["figures"]
    assert got["units"] == {"count": 3, "population": 2000, "unknown": 1}
    assert f["planning_population"] == {"value": 2000, "set": None, "source": "default", "default": 2000,
                                        "rule": "units"}
    assert f["sheltering_share"] | {} == {"value": 1.0, "set": None, "source": "default", "default": 1.0,
                                          "rule": "engine_default"}
    assert f["supply_population"]["value"] == 2000 and f["supply_population"]["rule"] == "planning_population"
    assert f["supply_population"]["source"] == "default"    # nothing silently set to 300,000
    assert f["event_date"] == {"value": dt.date.today().isoformat(), "set": None, "source": "default",
                               "default": dt.date.today().isoformat(), "rule": "today"}
    # the table says where each comes from, in both languages
    assert main(["--lang", "zh", "plan", "show", plan_location]) == 0
    out = capsys.readouterr().out
    assert "未设定，按需求单元人口合计" in out and "未设定，按规划人口计" in out and "未设定，按计算当天计" in out
    assert "人口合计 2,000" in out and "1 个单元人口未知" in out
    assert main(["--lang", "en", "plan", "show", plan_location]) == 0
    out = capsys.readouterr().out
    assert "unset: the planning population" in out and "1 with unknown population" in out


def test_set_show_and_clear_round_trip_audited(plan, plan_location, capsys):
    assert main(["plan", "set", plan_location, "--planning-population", "120,000", "--sheltering-share", "0.6",
                 "--supply-population", "300000", "--event-date", "2026-06-01", "--reason", "2026年工作计划"]) == 0
    f = _show(capsys, plan_location)["figures"]
    assert {k: (v["value"], v["source"]) for k, v in f.items()} == {
        "planning_population": (120000, "plan"), "sheltering_share": (0.6, "plan"),
        "supply_population": (300000, "plan"), "event_date": ("2026-06-01", "plan")}
    rows = _audit(plan)
    assert len(rows) == 1           # one change, one audited update
    a = rows[0]
    assert a.action == "update" and a.user == "pytest" and a.reason == "2026年工作计划"
    assert a.before == {"planning_population": None, "sheltering_share": None, "target_population": None,
                        "event_date": None}
    assert a.after == {"planning_population": 120000, "sheltering_share": 0.6, "target_population": 300000,
                       "event_date": "2026-06-01"}
    # none clears: the default applies again and says so
    assert main(["--lang", "zh", "plan", "set", plan_location, "--supply-population", "none"]) == 0
    assert "保障人口：300,000 → 未设定" in capsys.readouterr().out
    f = _show(capsys, plan_location)["figures"]
    assert f["supply_population"] == {"value": 120000, "set": None, "source": "default", "default": 120000,
                                      "rule": "planning_population"}
    assert main(["plan", "set", plan_location, "--planning-population", "none", "--event-date", "NONE"]) == 0
    f = _show(capsys, plan_location)["figures"]
    assert f["planning_population"]["value"] == 2000 and f["supply_population"]["value"] == 2000
    assert f["event_date"]["source"] == "default"
    rows = _audit(plan)
    assert len(rows) == 3
    assert rows[1].before == {"target_population": 300000} and rows[1].after == {"target_population": None}
    assert rows[2].after == {"planning_population": None, "event_date": None}
    # setting what is already there writes nothing
    assert main(["plan", "set", plan_location, "--sheltering-share", "0.6"]) == 0
    assert len(_audit(plan)) == 3


@pytest.mark.parametrize("args, field", [
    (["--sheltering-share", "1.5"], "sheltering_share"),
    (["--sheltering-share", "0"], "sheltering_share"),
    (["--sheltering-share", "60%"], "sheltering_share"),
    (["--event-date", "2026-13-01"], "event_date"),
    (["--event-date", "20260601"], "event_date"),
    (["--supply-population", "-5"], "supply_population"),
    (["--supply-population", "0"], "supply_population"),
    (["--planning-population", "1.5"], "planning_population"),
    (["--planning-population", "lots"], "planning_population"),
])
def test_bad_values_are_refused_naming_the_field_and_nothing_is_written(plan, plan_location, capsys, args, field):
    assert main(["plan", "set", plan_location, "--supply-population", "300000"]) == 0
    before, audit = _info(plan), len(_audit(plan))
    capsys.readouterr()
    # a good value next to the bad one is not written either
    assert main(["--lang", "en", "plan", "set", plan_location, "--planning-population", "5000", *args]) == 2
    err = capsys.readouterr().err
    assert f"({field})" in err and args[1] in err
    assert "error" in err and "Traceback" not in err
    assert _info(plan) == before and len(_audit(plan)) == audit


def test_every_refusal_is_listed_at_once(plan, plan_location, capsys):
    assert main(["--lang", "zh", "plan", "set", plan_location, "--sheltering-share", "1.5",
                 "--event-date", "2026-13-01", "--supply-population", "-5"]) == 2
    err = capsys.readouterr().err
    assert "避难需求比例（sheltering_share）" in err and "保障人口（supply_population）" in err \
        and "灾害发生日期（event_date）" in err
    assert _audit(plan) == []


def test_set_needs_a_figure(plan, plan_location, capsys):
    assert main(["plan", "set", plan_location]) == 2
    assert "--supply-population" in capsys.readouterr().err


def test_town_share_set_clear_and_refused(plan, plan_location, capsys):
    assert main(["--lang", "en", "plan", "set-town-share", plan_location, "370406002", "0.4",
                 "--reason", "山区"]) == 0
    assert "北庄镇 370406002: unset → 40.0%" in capsys.readouterr().out
    towns = {t["code"]: t["sheltering_share"] for t in _show(capsys, plan_location)["towns"]}
    assert towns == {"370406001": None, "370406002": 0.4}
    assert main(["--lang", "en", "plan", "show", plan_location]) == 0
    assert "Towns with their own sheltering share: 北庄镇 370406002 40.0%" in capsys.readouterr().out
    rows = _audit(plan, "admin_unit")
    assert [(r.before, r.after, r.reason) for r in rows] == [
        ({"sheltering_share": None}, {"sheltering_share": 0.4}, "山区")]
    for bad, what in ((["370406002", "2"], "'2'"), (["999", "0.5"], "999")):
        assert main(["--lang", "en", "plan", "set-town-share", plan_location, *bad]) == 2
        assert what in capsys.readouterr().err
    assert len(_audit(plan, "admin_unit")) == 1
    assert main(["plan", "set-town-share", plan_location, "370406002", "none"]) == 0
    towns = {t["code"]: t["sheltering_share"] for t in _show(capsys, plan_location)["towns"]}
    assert towns["370406002"] is None


def test_service_returns_what_undo_needs_and_detects_conflicts(plan):
    figs = F.read_figures(plan)
    before = F.set_figures(plan, {"supply_population": 300000, "event_date": dt.date(2026, 6, 1)})
    assert before == {"supply_population": None, "event_date": None}
    assert F.read_figures(plan)["supply_population"].value == 300000
    F.set_figures(plan, before)                           # undo
    assert F.read_figures(plan).set_values() == figs.set_values()
    # somebody saved after this user read the figures: refused, with the other side's values
    with pytest.raises(EditConflict):
        F.set_figures(plan, {"sheltering_share": 0.5}, expected_version=figs.version)
    assert F.read_figures(plan)["sheltering_share"].value is None
    with pytest.raises(F.FigureError) as e:
        F.set_figures(plan, {"target_affected": 1})
    assert "target_affected" in str(e.value)


def test_plan_and_scenario_refuse_the_same_values(plan):
    from planner.scenario import store as S

    S.create_scenario(plan, "A")
    for name, bad in (("sheltering_share", 1.5), ("sheltering_share", 0), ("supply_population", -5),
                      ("planning_population", 0), ("event_date", "2026-13-01")):
        with pytest.raises(F.FigureError, match=name):
            F.parse_figure(name, bad)
        with pytest.raises(S.ScenarioError, match=name):
            S.set_params(plan, "A", **{name: bad})
    for name, good in (("sheltering_share", 1), ("supply_population", 300000), ("event_date", "2026-06-01")):
        F.parse_figure(name, good)
        S.set_params(plan, "A", **{name: good})


def test_a_run_uses_the_figures_the_cli_set(plan, plan_location):
    from planner.scenario.runs import load_snapshot

    assert main(["plan", "set", plan_location, "--supply-population", "300000", "--sheltering-share", "0.5",
                 "--event-date", "2026-06-01"]) == 0
    inp = load_snapshot(plan)
    assert inp.params["supply_population"] == 300000 and inp.param_sources["supply_population"].startswith("plan")
    assert inp.params["sheltering_share"] == 0.5 and inp.params["event_date"] == "2026-06-01"
    assert inp.params["planning_population"] is None      # unset: the engine takes the units' sum
