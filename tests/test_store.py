"""Plan storage: create/open, transactions, audit log, optimistic locking, migrations."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import select, text

from planner import models as m
from planner.store import EditConflict, Plan, PlanError, create_plan, open_plan


def _add_shelter(plan: Plan, code: str = "S1", **kw) -> int:
    with plan.transaction(user="张三", reason="登记避难场所") as s:
        site = m.Site(code=code, kind=m.SiteKind.shelter, name=kw.pop("name", "实验小学"),
                      shelter_class=m.ShelterClass.short, outdoor_area_m2=4000.0, **kw)
        s.add(site)
        s.flush()
        return site.id


def test_create_and_reopen(new_plan):
    info = new_plan.info()
    assert info.name == "测试规划"
    assert new_plan.schema_revision() == m.SCHEMA_REVISION
    counts = new_plan.counts()
    assert counts["norms_profiles"] == 2  # cn_standard and sphere shipped with every new plan
    again = open_plan(new_plan.location)
    assert again.info().district_name == "测试区"
    again.dispose()


def test_sqlite_pragmas(tmp_path):
    plan = create_plan(tmp_path / "p.esplan", name="x")
    with plan.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"


def test_refuses_to_overwrite_and_bad_files(tmp_path):
    create_plan(tmp_path / "p.esplan", name="x").dispose()
    with pytest.raises(PlanError, match="already exists"):
        create_plan(tmp_path / "p.esplan", name="y")
    with pytest.raises(PlanError, match="not found"):
        open_plan(tmp_path / "missing.esplan")
    junk = tmp_path / "junk.esplan"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(PlanError, match="cannot open|not an esplan plan"):
        open_plan(junk)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("create table t(x)").connection.commit()
    with pytest.raises(PlanError, match="not an esplan plan"):
        open_plan(other)


def test_transaction_is_all_or_nothing(new_plan):
    before = new_plan.counts()
    with pytest.raises(ZeroDivisionError):
        with new_plan.transaction() as s:
            s.add(m.SupplyItem(code="W", name_zh="饮用水", unit="L"))
            s.flush()
            _ = 1 / 0
    assert new_plan.counts() == before


def test_database_refuses_negative_quantity(new_plan):
    site_id = _add_shelter(new_plan)
    with new_plan.transaction() as s:
        s.add(m.SupplyItem(code="W", name_zh="饮用水", unit="L"))
    before = new_plan.counts()
    with pytest.raises(Exception, match="(?i)check|constraint"):
        with new_plan.transaction() as s:
            item = s.scalars(select(m.SupplyItem)).one()
            s.add(m.StockLot(site_id=site_id, item_id=item.id, quantity=-5))
    assert new_plan.counts() == before


def test_audit_log_records_who_what_why(new_plan):
    site_id = _add_shelter(new_plan)
    with new_plan.transaction(user="李四", reason="改名") as s:
        s.get(m.Site, site_id).name = "第一实验小学"
    with new_plan.transaction(user="王五", reason="撤销") as s:
        s.delete(s.get(m.Site, site_id))
    with new_plan.session() as s:
        rows = s.scalars(select(m.AuditLog).where(m.AuditLog.entity == "site").order_by(m.AuditLog.id)).all()
    assert [(r.action, r.user, r.reason) for r in rows] == [
        ("insert", "张三", "登记避难场所"), ("update", "李四", "改名"), ("delete", "王五", "撤销")]
    assert rows[1].before == {"name": "实验小学"} and rows[1].after == {"name": "第一实验小学"}
    assert rows[0].entity_code == "S1" and rows[0].after["outdoor_area_m2"] == 4000.0
    assert rows[2].before["name"] == "第一实验小学"
    assert all(isinstance(r.at, dt.datetime) for r in rows)


def test_concurrent_edit_raises_conflict(new_plan):
    """Two planners read the same shelter; the second save must not silently overwrite."""
    site_id = _add_shelter(new_plan)
    other = open_plan(new_plan.location)  # a second planner's program on the same plan
    with new_plan.session() as s:
        read_version = s.get(m.Site, site_id).version  # both read version 1
    new_plan.update(m.Site, site_id, {"outdoor_area_m2": 5000.0}, expected_version=read_version,
                    user="张三", reason="复核面积")
    with pytest.raises(EditConflict) as err:
        other.update(m.Site, site_id, {"outdoor_area_m2": 3000.0}, expected_version=read_version,
                     user="李四")
    e = err.value
    assert e.entity == "site" and e.entity_id == site_id
    assert e.theirs["outdoor_area_m2"] == 5000.0 and e.theirs["version"] == 2
    assert e.mine["outdoor_area_m2"] == 3000.0
    assert "5000" in str(e) and "3000" in str(e)
    with new_plan.session() as s:
        assert s.get(m.Site, site_id).outdoor_area_m2 == 5000.0  # nothing lost
    # deleted by the other side meanwhile
    with new_plan.transaction() as s:
        s.delete(s.get(m.Site, site_id))
    with pytest.raises(EditConflict, match="deleted"):
        other.update(m.Site, site_id, {"name": "x"}, expected_version=2)
    other.dispose()


def test_stale_transaction_becomes_edit_conflict(new_plan):
    """The race the version column guards: both sessions loaded the row before either saved."""
    site_id = _add_shelter(new_plan)
    other = open_plan(new_plan.location)
    s1 = new_plan.session()
    a = s1.get(m.Site, site_id)
    with pytest.raises(EditConflict) as err:
        with other.transaction(user="李四") as s2:
            b = s2.get(m.Site, site_id)  # version 1 in memory
            a.name = "甲"
            s1.commit()  # the first planner saves in between
            b.name = "乙"
    assert err.value.theirs["name"] == "甲"
    s1.close()
    other.dispose()


def test_conflict_on_plain_stale_session(new_plan):
    site_id = _add_shelter(new_plan)
    other = open_plan(new_plan.location)
    s1, s2 = new_plan.session(), other.session()
    a, b = s1.get(m.Site, site_id), s2.get(m.Site, site_id)
    a.name = "甲"
    s1.commit()
    b.name = "乙"
    from sqlalchemy.orm.exc import StaleDataError

    with pytest.raises(StaleDataError):
        s2.commit()
    s1.close(), s2.close(), other.dispose()


def test_migrations_match_models(new_plan):
    """`alembic check`: the migrations describe exactly the models (no pending change)."""
    from planner.migrations import check

    check(new_plan.engine)


def test_geometry_roundtrip(new_plan):
    from shapely.geometry import Polygon

    poly = Polygon([(117.3, 35.0), (117.5, 35.0), (117.5, 35.2), (117.3, 35.0)])
    with new_plan.transaction() as s:
        s.add(m.Boundary(name="山亭区", code="370406", geometry=poly))
    with new_plan.session() as s:
        got = s.scalars(select(m.Boundary)).one().geometry
    assert got.equals(poly)


def test_open_refuses_unknown_schema_revision(tmp_path):
    plan = create_plan(tmp_path / "old.esplan", name="old")
    with plan.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    plan.dispose()
    with pytest.raises(PlanError, match="ffff"):
        open_plan(tmp_path / "old.esplan")  # unknown revision → refused, file untouched
    assert (tmp_path / "old.esplan").exists()
