"""Scenario management: audited CRUD, hazard import with per-feature errors, validation,
and the baseline is never changed."""
from __future__ import annotations

import json

import pytest
import shapely
from sqlalchemy import func, select

from planner import models as m
from planner.scenario import store as S
from planner.scenario.runs import load_input
from planner.store import row_dict

BOX = {"type": "Polygon",
       "coordinates": [[[117.0, 35.0], [117.01, 35.0], [117.01, 35.01], [117.0, 35.01], [117.0, 35.0]]]}


@pytest.fixture
def plan(new_plan):
    with new_plan.transaction(reason="fixture") as s:
        s.add(m.Site(code="SH1", kind=m.SiteKind.shelter, name="一号避难场所", shelter_class=m.ShelterClass.emergency,
                     outdoor_area_m2=1000.0, lon=117.005, lat=35.005))
        s.add(m.Site(code="SH2", kind=m.SiteKind.shelter, name="二号", status=m.SiteStatus.closed,
                     stated_capacity=300, lon=117.05, lat=35.05))
        s.add(m.Site(code="WH", kind=m.SiteKind.warehouse, name="仓库", lon=117.1, lat=35.1))
        s.add(m.SupplyItem(code="WATER", name_zh="水", unit="L", norm_key="drinking_water"))
        s.flush()
        s.add(m.StockLot(site_id=s.scalars(select(m.Site.id).where(m.Site.code == "WH")).one(),
                         item_id=s.scalars(select(m.SupplyItem.id)).one(), quantity=100, supplier="某公司",
                         mode=m.StockMode.agreement, lead_time_h=2))
    return new_plan


def _baseline_rows(plan):
    with plan.session() as s:
        return [row_dict(r) for cls in (m.Site, m.StockLot) for r in s.scalars(select(cls).order_by(cls.id))]


def test_create_copy_rename_delete_and_audit(plan):
    before = _baseline_rows(plan)
    S.create_scenario(plan, "洪水", description="河谷洪水", user="张三")
    hid = S.add_hazard(plan, "洪水", BOX, name="淹没区", effect="slow", factor=0.5, closes_sites=False)
    S.close_site(plan, "洪水", "SH1")
    S.set_params(plan, "洪水", supply_population=5000, sheltering_share=0.5)
    S.adjust_stock(plan, "洪水", "WH", item_code="WATER", factor=0.5)
    S.supplier_unavailable(plan, "洪水", "某公司")
    S.copy_scenario(plan, "洪水", "洪水2")
    c = S.get_scenario(plan, "洪水2")
    assert c["params"] == {"supply_population": 5000, "sheltering_share": 0.5}
    assert c["site_changes"] == [{"site_code": "SH1", "status": "closed"}]
    assert len(c["stock_changes"]) == 2 and c["stock_changes"][1] == {"supplier": "某公司", "factor": 0.0}
    assert [(h["name"], h["effect"], h["factor"], h["closes_sites"]) for h in c["hazards"]] \
        == [("淹没区", "slow", 0.5, False)]
    assert c["hazards"][0]["id"] != hid  # a real copy of the zone
    S.rename_scenario(plan, "洪水2", "洪水-副本")
    assert [x["name"] for x in S.list_scenarios(plan)] == ["洪水", "洪水-副本"]
    S.delete_scenario(plan, "洪水-副本")
    assert [x["name"] for x in S.list_scenarios(plan)] == ["洪水"]
    with plan.session() as s:
        assert s.scalar(select(func.count()).select_from(m.HazardZone)) == 1
        audit = s.scalars(select(m.AuditLog).where(m.AuditLog.entity.in_(("scenario", "hazard_zone")))).all()
    assert {a.action for a in audit} == {"insert", "update", "delete"}
    assert any(a.user == "张三" and a.reason == "create scenario 洪水" for a in audit)
    assert _baseline_rows(plan) == before  # the baseline is never changed


def test_refusals(plan):
    S.create_scenario(plan, "A")
    with pytest.raises(S.ScenarioError, match="already exists"):
        S.create_scenario(plan, "A")
    with pytest.raises(S.ScenarioError, match="reserved"):
        S.create_scenario(plan, "baseline")
    with pytest.raises(S.ScenarioError, match="no scenario"):
        S.close_site(plan, "B", "SH1")
    with pytest.raises(S.ScenarioError, match="no site"):
        S.close_site(plan, "A", "NOPE")
    with pytest.raises(S.ScenarioError, match="0 < factor < 1"):
        S.add_hazard(plan, "A", BOX, effect="slow", factor=1.5)
    with pytest.raises(S.ScenarioError, match="not a Polygon"):
        S.add_hazard(plan, "A", "LINESTRING (117 35, 117.1 35.1)")
    with pytest.raises(S.ScenarioError) as e:
        S.set_params(plan, "A", supply_population=0, sheltering_share=1.5, walk_speed_mps=5, threshold_min=0.5,
                     event_date="2026-13-01", norms_profile="nope", bogus=1)
    msg = str(e.value)
    for part in ("supply_population", "sheltering_share", "walk_speed_mps", "threshold_min", "event_date",
                 "norms_profile", "bogus"):
        assert part in msg
    assert S.get_scenario(plan, "A")["params"] == {}
    assert S.set_params(plan, "A", threshold_min=10, event_date="2026-07-01", norms_profile="sphere") == \
        {"threshold_min": 10.0, "event_date": "2026-07-01", "norms_profile": "sphere"}
    assert S.set_params(plan, "A", threshold_min=None) == {"event_date": "2026-07-01", "norms_profile": "sphere"}


def test_geojson_import_errors_per_feature(plan, tmp_path):
    S.create_scenario(plan, "F")
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "好区"}, "geometry": BOX},
        {"type": "Feature", "properties": {"name": "线"},
         "geometry": {"type": "LineString", "coordinates": [[117, 35], [118, 36]]}},
        {"type": "Feature", "properties": {"name": "蝴蝶"}, "geometry": {"type": "Polygon", "coordinates": [
            [[117, 35], [117.1, 35.1], [117.1, 35], [117, 35.1], [117, 35]]]}},
        {"type": "Feature", "properties": {"name": "投影"}, "geometry": {"type": "Polygon", "coordinates": [
            [[500000, 3900000], [501000, 3900000], [501000, 3901000], [500000, 3900000]]]}},
        {"type": "Feature", "properties": {"name": "慢", "effect": "slow", "factor": 2}, "geometry": BOX},
    ]}
    path = tmp_path / "flood.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(S.ScenarioError) as e:
        S.import_hazards_geojson(plan, "F", path)
    msg = str(e.value)
    assert "4 of 5 features refused" in msg
    assert "feature 2 (线)" in msg and "LineString" in msg
    assert "feature 3 (蝴蝶)" in msg and "invalid polygon" in msg
    assert "feature 4 (投影)" in msg and "WGS84" in msg
    assert "feature 5 (慢)" in msg
    assert S.get_scenario(plan, "F")["hazards"] == []  # nothing written
    fc["features"] = [fc["features"][0],
                      {"type": "Feature", "properties": {"name": "慢", "effect": "slow", "factor": 0.3,
                                                         "closes_sites": "no"}, "geometry": BOX}]
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    ids = S.import_hazards_geojson(plan, "F", path)
    hz = S.get_scenario(plan, "F")["hazards"]
    assert [h["id"] for h in hz] == ids
    assert [(h["name"], h["effect"], h["factor"], h["closes_sites"]) for h in hz] == \
        [("好区", "block", 1.0, True), ("慢", "slow", 0.3, False)]
    assert hz[0]["area_km2"] == pytest.approx(0.91 * 1.11, rel=0.05)
    S.remove_hazard(plan, "F", "好区")
    assert [h["name"] for h in S.get_scenario(plan, "F")["hazards"]] == ["慢"]
    with pytest.raises(S.ScenarioError, match="file not found"):
        S.import_hazards_geojson(plan, "F", tmp_path / "missing.geojson")


def test_site_changes_reach_the_engine_input(plan):
    S.create_scenario(plan, "S")
    S.close_site(plan, "S", "SH1")
    S.open_site(plan, "S", "SH2")
    S.set_capacity(plan, "S", "SH2", stated_capacity=500)
    sc = S.get_scenario(plan, "S")["site_changes"]
    assert sc == [{"site_code": "SH1", "status": "closed"},
                  {"site_code": "SH2", "status": "built", "stated_capacity": 500}]
    inp = load_input(plan, "S")
    st = {c: (s, cap)
          for c, s, cap in zip(inp.sites.code, inp.sites.status, inp.sites.stated_capacity, strict=True)}
    assert st["SH1"][0] == "closed" and st["SH2"] == ("built", 500.0)
    base = load_input(plan, "baseline")
    assert dict(zip(base.sites.code, base.sites.status, strict=True))["SH1"] == "built"
    # re-opening a closure removes the entry; applying twice changes nothing
    S.open_site(plan, "S", "SH1")
    assert S.get_scenario(plan, "S")["site_changes"] == [
        {"site_code": "SH2", "status": "built", "stated_capacity": 500}]
    # a hazard that closes sites closes SH1 (inside BOX)
    S.add_hazard(plan, "S", shapely.box(117.0, 35.0, 117.01, 35.01), name="z")
    closed_inp = load_input(plan, "S")
    assert dict(zip(closed_inp.sites.code, closed_inp.sites.status, strict=True))["SH1"] == "closed"
