"""The new-plan wizard (desktop.wizard), driven as a user would, offscreen: from the Shanting
registry (its own columns, matched in the column dialog), its boundary and an OSM extract to a
checked plan whose checks say 无法评估 where data is missing and whose completeness panel lists
the villages without coordinates; a failing step leaves no plan file; a confirmed mapping is
remembered."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import select
from test_mapping import SHANTING, needs_shanting, write_csv, write_osm_grid

from planner import models as m
from planner.store import open_plan

pytestmark = needs_shanting


@pytest.fixture
def win(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from desktop.app import setup_application
    from desktop.mainwindow import MainWindow
    from desktop.settings import Settings

    monkeypatch.setenv("ESPLAN_NO_OPEN", "1")
    for kind in ("warning", "information", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(lambda *a, **k: QMessageBox.StandardButton.Ok))
    setup_application(language="zh_CN")
    w = MainWindow(None, settings=Settings(QSettings(str(tmp_path / "esplan.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(w)
    w.show()
    yield w
    w._stop_task()
    w.close()


def _fill_first_pages(wiz, path: Path, osm: Path | None):
    p = wiz.plan_page
    p.path.setText(str(path))
    p.name.setText("山亭区应急物资与避难场所规划 2026")
    p.district_name.setText("山亭区")
    p.code.setText("370406")
    assert wiz.currentPage() is p
    wiz.next()
    assert wiz.currentPage() is wiz.boundary_page
    wiz.boundary_page.path.setText(str(SHANTING / "district_boundary.geojson"))
    assert wiz.boundary_page.read()
    assert "1,021 平方公里" in wiz.boundary_page.info.text()       # its area is shown
    wiz.next()
    assert wiz.currentPage() is wiz.osm_page
    assert wiz.osm_page.buffer.value() == 2000 and wiz.osm_page.buffer.isEnabled()   # the default, shown
    if osm is not None:
        wiz.osm_page.path.setText(str(osm))
    wiz.next()
    assert wiz.currentPage() is wiz.tables_page


def test_wizard_from_the_shanting_registry_to_a_checked_plan(win, qtbot, tmp_path):
    osm = write_osm_grid(tmp_path / "shanting_roads.osm", 117.44, 35.08)
    plan_path = tmp_path / "山亭区.esplan"
    wiz = win.new_plan()
    qtbot.addWidget(wiz)
    # page 1 refuses a bad district code, naming it
    wiz.plan_page.path.setText(str(plan_path))
    wiz.plan_page.name.setText("x")
    wiz.plan_page.code.setText("370400")
    wiz.next()
    assert wiz.currentPage() is wiz.plan_page and "370400" in wiz.plan_page.problem.text()
    _fill_first_pages(wiz, plan_path, osm)

    tables = wiz.tables_page
    towns, villages = tables.choosers["towns"], tables.choosers["demand"]
    villages.set_path(str(SHANTING / "villages_2023.csv"))
    assert villages.is_ready()                  # code, name, kind, town_code: the template's own names
    towns.set_path(str(SHANTING / "towns_2023.csv"))
    assert not towns.is_ready()                 # seat_lat → lat is a guess; population: two columns
    wiz.next()                                  # not before the columns are matched: the dialog opens
    assert wiz.currentPage() is tables
    assert "towns_2023.csv" in tables.problem.text()
    dlg = towns.dialog
    assert dlg is not None and dlg.isVisible()
    row = list(dlg.combos).index("population")
    assert dlg.fields.item(row, 2).text() == "多列可选，请选择一列"
    dlg.accept()                                # population not chosen: refused, named, not guessed
    assert dlg.isVisible() and "population" in dlg.problems.text()
    assert "pop_2000_census_mapped" in dlg.problems.text() and "pop_2010_census" in dlg.problems.text()
    dlg.choose("population", "pop_2000_census_mapped")
    dlg.choose("location_source", "seat_coord_source")
    dlg.accept()
    assert not dlg.isVisible() and towns.is_ready()
    assert towns.columns()["pop_2000_census_mapped"] == "population"
    assert towns.columns()["pop_2010_census"] == ""        # not imported
    wiz.next()
    assert wiz.currentPage() is wiz.summary_page
    assert "2,000" in wiz.summary_page.summary.text() or "2000" in wiz.summary_page.summary.text()

    with qtbot.waitSignal(wiz.created, timeout=60000):
        wiz.accept()                            # Create: the build runs off the GUI thread
    qtbot.waitUntil(lambda: win.result is not None and win.task is None, timeout=60000)
    assert win.plan is not None and Path(win.plan.location).resolve() == plan_path.resolve()

    # the plan: boundary, towns (through the mapping), villages, roads
    plan = open_plan(plan_path)
    c = plan.counts()
    assert (c["admin_units"], c["demand_units"]) == (11, 280) and c["road_edges"] > 0
    with plan.session() as s:
        assert s.scalars(select(m.Boundary)).one().code == "370406"
        town = s.scalars(select(m.AdminUnit).where(m.AdminUnit.code == "370406001")).one()
        assert town.population == 78618 and town.location_source.startswith("GeoNames")
        assert s.scalar(select(m.PlanInfo.district_code)) == "370406"
    plan.dispose()

    # the check ran; what lacks data is 无法评估 (unknown, no value), never a pass or a fail on 0
    from planner.engine.results import typed

    r = typed(win.result)
    by_id = {ch.id: ch for ch in r.checks}
    for cid in ("served_within_threshold", "capacity_share_of_demand", "supply_drinking_water"):
        assert by_id[cid].status == "unknown" and by_id[cid].value is None, by_id[cid]
    assert not [ch for ch in r.checks if ch.status in ("pass", "fail") and not ch.value]
    # the completeness panel says what is missing, first the villages without coordinates
    codes = [g.code for g in win.completeness.gaps]
    assert "units_unlocated" in codes
    assert "280 个村（社区）无坐标" in win.completeness.view.toPlainText()

    # the mapping was remembered for this layout: a second wizard takes it without asking
    wiz2 = win.new_plan()
    qtbot.addWidget(wiz2)
    ch = wiz2.tables_page.choosers["towns"]
    ch.set_path(str(SHANTING / "towns_2023.csv"))
    assert ch.is_ready() and ch.columns()["pop_2000_census_mapped"] == "population"
    wiz2.reject()


def test_a_failing_step_shows_the_problem_and_leaves_no_plan_file(win, qtbot, tmp_path):
    bad = write_csv(tmp_path / "村.csv", ["编码", "名称", "人口"],
                    [["370406001001", "双山居委会", "1200"], ["370406001002", "东山亭居委会", "-5"]])
    plan_path = tmp_path / "bad.esplan"
    wiz = win.new_plan()
    qtbot.addWidget(wiz)
    _fill_first_pages(wiz, plan_path, None)
    ch = wiz.tables_page.choosers["demand"]
    ch.set_path(str(bad))
    assert ch.is_ready()                        # 编码 / 名称 / 人口: known names
    wiz.next()
    assert wiz.currentPage() is wiz.summary_page
    wiz.accept()
    qtbot.waitUntil(lambda: wiz.task is None and wiz.failure is not None, timeout=30000)
    page = wiz.summary_page
    t = page.problems
    assert page.problems.isVisible() and t.rowCount() == 1
    assert [t.item(0, c).text() for c in range(3)] == ["村.csv", "3", "人口 (population)"]   # the file's column too
    assert "没有留下规划文件" in page.status.text()
    assert not any(tmp_path.glob("bad.esplan*"))
    assert wiz.isVisible() and win.plan is None       # nothing opened; the user can go back and fix it
    wiz.reject()


def test_a_required_field_no_column_holds_is_named(win, qtbot, tmp_path):
    f = write_csv(tmp_path / "sites.csv", ["编号", "名字"], [["S1", "广场"]])
    wiz = win.new_plan()
    qtbot.addWidget(wiz)
    _fill_first_pages(wiz, tmp_path / "s.esplan", None)
    ch = wiz.tables_page.choosers["sites"]
    ch.set_path(str(f))
    assert not ch.is_ready() and [p.field for p in ch.refusal] == ["kind"]
    assert "kind" in ch.status.text() and "缺少必填列" in ch.status.text()
    wiz.next()
    assert wiz.currentPage() is wiz.tables_page
    wiz.reject()


def test_import_dialog_reads_through_the_mapping_and_an_import_is_one_undo_step(win, qtbot, tmp_path, monkeypatch):
    """File ▸ Import… on a file with its own columns: the mapping dialog decides what is read; the
    import is one step on the undo stack (undo removes what it inserted, restores what it updated)."""
    import desktop.mainwindow as mw
    from desktop.dialogs import ImportDialog
    from planner.store import create_plan

    create_plan(tmp_path / "p.esplan", name="p", district_code="370406").dispose()
    assert win.open_location(str(tmp_path / "p.esplan"))
    win.finish_loading()
    steps = []

    class Driven(ImportDialog):        # the user's clicks, in place of the modal exec()
        def exec(self):
            steps.append(self)
            self.kind.setCurrentIndex(self.kind.findData("towns"))
            self.path.setText(self._file)
            self.mode.setCurrentIndex(self.mode.findData(self._mode))
            self.preview()
            if self.mapper.is_ready():     # remembered from the first import: to change, open Columns…
                assert self.mapper.columns()["pop_2000_census_mapped"] == "population"
                self.mapper.open_mapping()
            else:
                self.run_import()          # not before the columns are matched: the dialog opens
                assert self.task is None and self.report is None
            assert self.mapper.dialog is not None and self.mapper.dialog.isVisible()
            self.mapper.dialog.choose("population", self._population)
            self.mapper.dialog.accept()
            self.run_import()
            qtbot.waitUntil(lambda: self.task is None, timeout=20000)
            return 0

    def towns():
        with win.plan.session() as s:
            return {t.code: t.population for t in s.scalars(select(m.AdminUnit))}

    monkeypatch.setattr(mw, "ImportDialog", Driven)
    Driven._file, Driven._mode = str(SHANTING / "towns_2023.csv"), "insert"
    Driven._population = "pop_2000_census_mapped"
    win.import_dialog()
    assert steps[-1].report is not None and steps[-1].report.inserted == 11
    assert towns()["370406001"] == 78618              # read through the mapping the user chose
    assert win.editor.stack.count() == 1

    # an upsert with another population column: undo restores the values it replaced
    Driven._mode, Driven._population = "upsert", "pop_2010_census"
    win.import_dialog()
    assert steps[-1].report.updated == 10          # one town has neither census figure: unchanged
    assert towns()["370406104"] == 38827 and towns()["370406001"] is None   # 2010 census: only 北庄镇
    assert win.editor.stack.count() == 2
    win.undo()
    assert towns()["370406104"] == 38188 and towns()["370406001"] == 78618
    win.undo()
    assert towns() == {}
    win.redo()
    assert len(towns()) == 11 and towns()["370406001"] == 78618
    win.redo()
    assert towns()["370406104"] == 38827
