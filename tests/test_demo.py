"""The demo plans build reproducibly from ../shared/data and hold the real figures."""
from __future__ import annotations

import csv

import pytest
from pyproj import Geod
from sqlalchemy import func, select

from planner import models as m
from planner.demo import build_demo, demo_path
from planner.store import open_plan

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def andorra(shared, tmp_path_factory):
    path, seconds = build_demo("andorra", shared=shared, out=tmp_path_factory.mktemp("d") / "andorra.esplan")
    plan = open_plan(path)
    yield plan
    plan.dispose()


@pytest.fixture(scope="module")
def shanting(shared, tmp_path_factory):
    path, seconds = build_demo("shanting", shared=shared, out=tmp_path_factory.mktemp("d") / "shanting.esplan")
    plan = open_plan(path)
    yield plan
    plan.dispose()


def test_andorra_population_accounts_for_every_poblacio(andorra, shared):
    official = list(csv.DictReader((shared / "data/andorra/poblacions_population_2010.csv").open(encoding="utf-8")))
    total = sum(int(r["population_2010"]) for r in official)
    assert total == 85015
    with andorra.session() as s:
        assert s.scalar(select(func.sum(m.DemandUnit.population))) == total
        unlocated = s.scalars(select(m.DemandUnit).where(m.DemandUnit.lon.is_(None))).all()
        # no place node in the 2013 extract: kept, with population, not located
        assert sorted(u.name for u in unlocated) == ["El Pas de la Casa", "Incles", "L'Aldosa de la Massana"]
        esc = s.scalars(select(m.DemandUnit).where(m.DemandUnit.name == "les Escaldes")).one()
        assert esc.population == 16920 and esc.town_code == "AD08"
        aldosa = s.scalars(select(m.DemandUnit).where(m.DemandUnit.name == "l’Aldosa de Canillo")
                           .order_by(m.DemandUnit.code)).all()
        assert sorted(a.population or 0 for a in aldosa) == [0, 243]  # one figure, two nodes
        towns = {t.code: t.population for t in s.scalars(select(m.AdminUnit))}
        assert len(towns) == 7 and sum(towns.values()) == total


def test_andorra_network_boundary_and_sites(andorra):
    c = andorra.counts()
    assert c["boundaries"] == 8  # the country + 7 parishes
    with andorra.session() as s:
        country = s.scalars(select(m.Boundary).where(m.Boundary.role == "district")).one()
        area_km2 = abs(GEOD.geometry_area_perimeter(country.geometry)[0]) / 1e6
        assert 460 < area_km2 < 470  # official 468 km²
        drive = {"motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
                 "living_street", "service", "road", "motorway_link", "trunk_link", "primary_link",
                 "secondary_link", "tertiary_link"}
        km = (s.scalar(select(func.sum(m.RoadEdge.length_m)).where(m.RoadEdge.highway.in_(drive))) or 0) / 1000
        assert 250 < km < 470, km
        kinds = dict(s.execute(select(m.Site.kind, func.count()).group_by(m.Site.kind)).all())
        assert kinds[m.SiteKind.shelter] >= 15
        assert kinds[m.SiteKind.warehouse] >= 1
        assert kinds[m.SiteKind.reserve_point] >= 8
        shelters = s.scalars(select(m.Site).where(m.Site.kind == m.SiteKind.shelter)).all()
        assert all(x.located and x.location_source.startswith("OSM") for x in shelters)
        assert any((x.indoor_area_m2 or 0) > 0 for x in shelters)
        lots = s.scalars(select(m.StockLot)).all()
        assert any(x.mode is m.StockMode.agreement for x in lots)
        assert all(x.quantity >= 0 for x in lots)
    assert "OpenStreetMap" in andorra.info().attribution


def test_shanting_registry_is_real_and_unguessed(shanting, shared):
    with shanting.session() as s:
        towns = s.scalars(select(m.AdminUnit)).all()
        assert len(towns) == 11
        assert sum(t.population or 0 for t in towns) == 443983
        units = s.scalars(select(m.DemandUnit)).all()
        assert len(units) == 280
        assert all(len(u.code) == 12 and u.code.startswith("370406") for u in units)
        assert all(u.lon is None and u.population is None for u in units)  # nothing invented
        src = {r["code"]: r["name"] for r in csv.DictReader(
            (shared / "data/shanting/villages_2023.csv").open(encoding="utf-8"))}
        assert {u.code: u.name for u in units} == src
        shelters = s.scalars(select(m.Site).where(m.Site.kind == m.SiteKind.shelter)).all()
        names = {x.name for x in shelters}
        assert {"山亭文化广场", "山亭太清湖广场", "山亭汉诺庄园"} <= names
        assert any(x.status is m.SiteStatus.planned and "体育公园" in x.name for x in shelters)
        assert all(not x.located for x in shelters)
        b = s.scalars(select(m.Boundary)).one()
        assert 1000 < abs(GEOD.geometry_area_perimeter(b.geometry)[0]) / 1e6 < 1040
    assert shanting.info().target_population == 300000


def test_demo_plan_figures_are_set_explicitly_or_left_to_their_stated_default(andorra, shanting):
    """山亭区 sets 保障人口 300,000 from its work plan (the quote in the audit log); 安道尔 sets no
    figure, so 规划人口 and 保障人口 are its units' population and its stock is sized on that."""
    from planner.plan_figures import read_figures

    st = read_figures(shanting)
    assert {k: f.value for k, f in st.figures.items()} == {
        "planning_population": None, "sheltering_share": None, "supply_population": 300000, "event_date": None}
    with shanting.session() as s:
        why = s.scalars(select(m.AuditLog.reason).where(m.AuditLog.entity == "plan_info",
                                                        m.AuditLog.action == "update")).all()
    assert any("满足30万潜在受灾人口的72小时基础生活保障" in (r or "") for r in why)
    ad = read_figures(andorra)
    assert ad.set_values() == dict.fromkeys(ad.figures)          # nothing set
    assert ad["supply_population"].effective == ad["planning_population"].effective == 85015
    with andorra.session() as s:
        water = s.scalars(select(m.SupplyItem).where(m.SupplyItem.norm_key == "drinking_water")).one()
        fresh = sum(x.quantity for x in s.scalars(select(m.StockLot).where(
            m.StockLot.item_id == water.id, m.StockLot.batch == "2025-A")))
    from planner.demo.andorra import STOCK_LEVEL
    from planner.engine.supply import item_required
    from planner.norms import shipped_profile

    need = item_required(shipped_profile("cn_standard")["supplies"]["items"]["drinking_water"], 85015, 3)
    assert fresh == pytest.approx(need * STOCK_LEVEL["drinking_water"], rel=0.01)


@pytest.mark.parametrize("name", ["andorra", "shanting"])
def test_shipped_demo_matches_a_rebuild(name, request):
    """resources/demo/*.esplan is what the builder makes from the shared data today."""
    shipped = demo_path(name)
    if not shipped.exists():
        pytest.fail(f"{shipped} is missing: run 'esplan-cli demo build {name}'")
    rebuilt = request.getfixturevalue(name)
    plan = open_plan(shipped, upgrade=False)
    try:
        assert plan.counts() | {"audit_log": 0} == rebuilt.counts() | {"audit_log": 0}
        with plan.session() as a, rebuilt.session() as b:
            q = select(func.sum(m.DemandUnit.population))
            assert a.scalar(q) == b.scalar(q)
            q = select(func.sum(m.StockLot.quantity))
            assert a.scalar(q) == pytest.approx(b.scalar(q))
            q = select(func.sum(m.RoadEdge.length_m))
            assert a.scalar(q) == pytest.approx(b.scalar(q))
    finally:
        plan.dispose()
