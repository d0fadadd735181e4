"""Plan files that survive upgrades and damage (issue 13): the upgrade backup holds the edits still
in the write-ahead log, a failing migration is rolled back and leaves the plan openable at its old
revision, newer/unknown revisions and damaged schemas are refused with a clear message, a file that
is not a plan is never written to, a read-only plan opens without writing."""
from __future__ import annotations

import shutil
import sqlite3
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from planner import migrations, models as m
from planner.cli import main
from planner.store import PlanError, create_plan, open_plan


def _plan_at(path: Path, revision: str) -> Path:
    """A plan file at an older schema revision (with its plan_info row)."""
    eng = create_engine(f"sqlite:///{path}")
    from alembic import command

    with eng.begin() as c:
        command.upgrade(migrations.config(c), revision)
        c.exec_driver_sql("INSERT INTO plan_info (name, default_norms, created_at, extra, version) "
                          "VALUES ('old', 'cn_standard', CURRENT_TIMESTAMP, '{}', 1)")
    eng.dispose()
    return path


@pytest.fixture
def scripts_with(tmp_path, monkeypatch):
    """A temporary copy of the migrations with one more revision (body given), made the head."""
    def make(body: str) -> str:
        d = tmp_path / "migrations"
        shutil.copytree(migrations.HERE, d, ignore=shutil.ignore_patterns("__pycache__"))
        head = migrations.head_revision()
        code = (f"import sqlalchemy as sa\nfrom alembic import op\n\nrevision = '9999'\n"
                f"down_revision = '{head}'\nbranch_labels = None\ndepends_on = None\n\n\n"
                "def upgrade() -> None:\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\n")
        (d / "versions" / "9999_test.py").write_text(code, encoding="utf-8")
        monkeypatch.setattr(migrations, "SCRIPT_LOCATION", d)
        return "9999"
    return make


def _site_item(s) -> tuple[int, int]:
    site = m.Site(code="W1", kind=m.SiteKind.warehouse, name="仓库")
    item = m.SupplyItem(code="water", name_zh="饮用水", unit="L", category=m.ItemCategory.living)
    s.add_all([site, item])
    s.flush()
    return site.id, item.id


def test_upgrade_backup_holds_the_edits_still_in_the_wal(tmp_path, scripts_with):
    path = tmp_path / "p.esplan"
    create_plan(path, name="p").dispose()
    # an edit committed but not checkpointed: it lives only in p.esplan-wal
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("UPDATE plan_info SET name = 'edited in the WAL'")
    con.commit()
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(path, alone / "main-only.esplan")
    assert sqlite3.connect(alone / "main-only.esplan").execute("SELECT name FROM plan_info").fetchone()[0] == "p"
    old = m.SCHEMA_REVISION
    new = scripts_with("op.add_column('plan_info', sa.Column('extra_note', sa.Text(), nullable=True))")
    plan = open_plan(path)           # upgrades to 9999, backing up first
    assert plan.schema_revision() == new
    plan.dispose()
    con.close()
    bak = path.with_name(f"p.esplan.bak-{old}")
    assert bak.exists() and not Path(str(bak) + "-wal").exists()
    shutil.copy(bak, alone / "bak-only.esplan")      # the backup alone, no -wal beside it
    b = sqlite3.connect(alone / "bak-only.esplan")
    assert b.execute("SELECT name FROM plan_info").fetchone()[0] == "edited in the WAL"
    assert b.execute("SELECT version_num FROM alembic_version").fetchone()[0] == old


def test_failing_migration_is_rolled_back_and_the_plan_still_opens(tmp_path, scripts_with, monkeypatch):
    path = tmp_path / "p.esplan"
    create_plan(path, name="p").dispose()
    scripts_with("""\
        op.add_column('plan_info', sa.Column('extra_note', sa.Text(), nullable=True))
        op.create_table('half_made', sa.Column('id', sa.Integer(), primary_key=True))
        raise RuntimeError('migration bug')
        """)
    for _ in range(2):   # the second try fails the same clean way (no "duplicate column name")
        with pytest.raises(PlanError, match=f"rolled back.*unchanged at schema {m.SCHEMA_REVISION}") as ei:
            open_plan(path)
        assert "migration bug" in str(ei.value)
        con = sqlite3.connect(path)
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == m.SCHEMA_REVISION
        cols = [r[1] for r in con.execute("PRAGMA table_info(plan_info)")]
        assert "extra_note" not in cols
        assert not con.execute("SELECT name FROM sqlite_master WHERE name='half_made'").fetchall()
        con.close()
    monkeypatch.setattr(migrations, "SCRIPT_LOCATION", migrations.HERE)
    plan = open_plan(path)     # this esplan opens it at its old (its own) revision
    assert plan.info().name == "p"
    plan.dispose()


def test_migration_0003_gives_duplicate_lots_their_own_identity(tmp_path):
    path = _plan_at(tmp_path / "old.esplan", "0002")
    eng = create_engine(f"sqlite:///{path}")
    with eng.begin() as c:
        c.exec_driver_sql("INSERT INTO site (code, kind, name, status, facilities, version) "
                          "VALUES ('W1', 'warehouse', '仓库', 'built', '[]', 1)")
        c.exec_driver_sql("INSERT INTO supply_item (code, name_zh, unit, category, version) "
                          "VALUES ('water', '水', 'L', 'living', 1)")
        for batch, q in ((None, 1), (None, 2), ("A", 3), ("A", 4), ("B", 5)):
            c.exec_driver_sql("INSERT INTO stock_lot (site_id, item_id, quantity, mode, batch, version) "
                              "VALUES (1, 1, ?, 'physical', ?, 1)", (q, batch))
    eng.dispose()
    plan = open_plan(path)
    with plan.session() as s:
        lots = {lot.quantity: lot.batch for lot in s.scalars(select(m.StockLot))}
        audits = list(s.scalars(select(m.AuditLog).where(m.AuditLog.entity == "stock_lot")))
    assert lots == {1: None, 2: "#2", 3: "A", 4: "A#4", 5: "B"}   # nothing merged, nothing lost
    assert sorted(a.after["batch"] for a in audits) == ["#2", "A#4"]
    with pytest.raises(Exception, match="(?i)unique"), plan.transaction() as s:
        s.add(m.StockLot(site_id=1, item_id=1, quantity=9, batch=None))
    plan.dispose()


def test_newer_or_unknown_revision_is_refused_untouched(tmp_path, capsys):
    path = tmp_path / "new.esplan"
    create_plan(path, name="new").dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = 'ffff'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(PlanError, match="made by a newer esplan.*ffff"):
        open_plan(path)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.bak-*"))
    assert main(["info", str(path)]) == 2
    assert "newer esplan" in capsys.readouterr().err


@pytest.mark.parametrize("damage, expect", [
    ("DROP TABLE hazard_zone", "table hazard_zone is missing"),
    ("ALTER TABLE site DROP COLUMN village_code", "column village_code is missing"),
])
def test_damaged_schema_is_named(tmp_path, capsys, damage, expect):
    path = tmp_path / "d.esplan"
    create_plan(path, name="d").dispose()
    con = sqlite3.connect(path)
    con.execute(damage)
    con.commit()
    con.close()
    with pytest.raises(PlanError, match=f"damaged plan.*{expect}"):
        open_plan(path)
    assert main(["info", str(path)]) == 2
    assert expect in capsys.readouterr().err


@pytest.mark.parametrize("content", [b"", b"name,code\nx,1\n", b"SQLite format"])
def test_a_file_that_is_not_a_plan_is_never_written(tmp_path, content, capsys):
    path = tmp_path / "x.esplan"
    path.write_bytes(content)
    with pytest.raises(PlanError, match="not an esplan plan"):
        open_plan(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.esplan"]   # no -wal, no -shm
    assert main(["import", str(path), "sites", str(path)]) == 2
    assert path.read_bytes() == content


def test_readonly_open_changes_nothing(tmp_path):
    path = tmp_path / "r.esplan"
    create_plan(path, name="r").dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=DELETE")   # e.g. a plan copied from a CD or a share
    con.close()
    before = path.read_bytes()
    plan = open_plan(path, readonly=True)
    assert plan.readonly and plan.info().name == "r"
    assert plan.counts()["sites"] == 0
    with pytest.raises(Exception, match="(?i)readonly|read-only"), plan.transaction() as s:
        s.add(m.Site(code="S1", kind=m.SiteKind.shelter, name="x"))
    plan.dispose()
    assert path.read_bytes() == before
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_readonly_plan_at_an_old_revision_is_not_upgraded(tmp_path):
    path = _plan_at(tmp_path / "old.esplan", "0002")
    before = path.read_bytes()
    with pytest.raises(PlanError, match="read-only"):
        open_plan(path, readonly=True)
    assert path.read_bytes() == before


def test_plan_in_a_readonly_folder_opens_without_writing(tmp_path, monkeypatch):
    """(Tests run as root, for whom every folder is writable: the check is made to say no.)"""
    import os

    from planner import store

    path = tmp_path / "r.esplan"
    plan = create_plan(path, name="r")
    plan.dispose()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    before = path.read_bytes()
    real = os.access
    monkeypatch.setattr(store.os, "access", lambda p, mode: False if mode == os.W_OK else real(p, mode))
    plan = open_plan(path)
    assert plan.readonly and plan.info().name == "r"
    plan.dispose()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.esplan"]     # no -wal, no -shm made


def test_upgrade_from_0002_on_every_backend(plan_location):
    """The same upgrade (with duplicate lots to give their own identity) on SQLite and PostgreSQL."""
    from alembic import command

    from planner.store import _url_for

    eng = create_engine(_url_for(plan_location))
    with eng.begin() as c:
        command.upgrade(migrations.config(c), "0002")
        c.exec_driver_sql("INSERT INTO plan_info (name, default_norms, created_at, extra, version) "
                          "VALUES ('old', 'cn_standard', CURRENT_TIMESTAMP, '{}', 1)")
        c.exec_driver_sql("INSERT INTO site (id, code, kind, name, status, facilities, version) "
                          "VALUES (1, 'W1', 'warehouse', '仓库', 'built', '[]', 1)")
        c.exec_driver_sql("INSERT INTO supply_item (id, code, name_zh, unit, category, version) "
                          "VALUES (1, 'water', '水', 'L', 'living', 1)")
        for q in (1, 2):
            c.exec_driver_sql(f"INSERT INTO stock_lot (site_id, item_id, quantity, mode, version) "
                              f"VALUES (1, 1, {q}, 'physical', 1)")
    eng.dispose()
    plan = open_plan(plan_location)
    assert plan.schema_revision() == m.SCHEMA_REVISION
    with plan.session() as s:
        assert sorted((lot.batch or "") for lot in s.scalars(select(m.StockLot))) == ["", f"#{2}"]
    plan.dispose()
