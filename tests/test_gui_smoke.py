"""The real window opens on a plan (offscreen) and shows its registry."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings

from planner import models as m
from planner.store import create_plan


def _settings(tmp_path):
    from desktop.settings import Settings

    return Settings(QSettings(str(tmp_path / "esplan.ini"), QSettings.Format.IniFormat))


def test_main_window_shows_sites(qtbot, tmp_path):
    from desktop.app import MainWindow, setup_application

    setup_application(language="en")
    plan = create_plan(tmp_path / "p.esplan", name="山亭区测试")
    with plan.transaction() as s:
        s.add(m.Site(code="SH-01", kind=m.SiteKind.shelter, name="山亭文化广场",
                     shelter_class=m.ShelterClass.long))
    plan.dispose()
    win = MainWindow(tmp_path / "p.esplan", settings=_settings(tmp_path))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: not win.loading, timeout=60000)   # the plan is drawn in steps after the window shows
    assert "山亭区测试" in win.windowTitle()
    model = win.site_model
    assert model.rowCount() == 1
    col = {c.key: k for k, c in enumerate(model.COLUMNS)}
    assert model.index(0, col["name"]).data() == "山亭文化广场"
    assert model.index(0, col["located"]).data() == "not yet located"


def test_first_start_copies_the_demo(qtbot, tmp_path, monkeypatch):
    from desktop import app
    from planner.demo import demo_path

    if not demo_path("andorra").exists():
        import pytest

        pytest.fail("the shipped Andorra demo plan is missing (esplan-cli demo build andorra)")
    monkeypatch.setattr(app, "user_data_dir", lambda: tmp_path / "data")
    p = app.first_start_plan()
    assert p.exists() and p.parent == tmp_path / "data"
    app.setup_application(language="en")
    win = app.MainWindow(p, settings=_settings(tmp_path))
    qtbot.addWidget(win)
    win.finish_loading()
    assert win.site_model.rowCount() > 10
    assert len(win.canvas.site_items) > 10 and win.canvas.road_items


def test_qt_void_calls_keep_none_alive(qtbot):
    """PySide6 6.12.0 on Python < 3.12 lost a reference to None per void call and aborted."""
    import sys

    from PySide6.QtWidgets import QLabel

    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
    assert abs(sys.getrefcount(None) - before) < 100


def test_whatif_session_reruns_incrementally_with_identical_results(tmp_path, caplog):
    """The window keeps the engine's what-if session between runs: same results as a full run;
    snapshots re-loaded from the plan (new objects, same roads) reuse its graph; an edited road
    network makes the session rebuild (logged) — the GUI never compares digests itself."""
    import shutil

    from shapely.geometry import box
    from sqlalchemy import select

    from desktop.worker import TaskState, run_plan_task
    from planner.demo import demo_path
    from planner.engine import run_plan
    from planner.engine.session import WhatIf
    from planner.scenario import store as S
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    shutil.copy(demo_path("andorra"), tmp_path / "a.esplan")
    plan = open_plan(tmp_path / "a.esplan")
    S.create_scenario(plan, "洪水")
    S.add_hazard(plan, "洪水", box(1.52, 42.50, 1.54, 42.52), name="河谷")
    session = WhatIf()
    _, base = run_plan_task(plan, None, session, TaskState())
    graph = session.graph
    _, flood = run_plan_task(plan, "洪水", session, TaskState())
    _, again = run_plan_task(plan, None, session, TaskState())
    assert session.graph is graph and session.builds == 1  # the graph and memos were reused
    assert base.to_json() == run_plan(load_snapshot(plan, None)).to_json() == again.to_json()
    assert flood.to_json() == run_plan(load_snapshot(plan, "洪水")).to_json()
    assert flood.to_json() != base.to_json()

    with plan.transaction(reason="test: a road gets longer") as s:
        edge = s.scalars(select(m.RoadEdge).order_by(m.RoadEdge.id)).first()
        edge.length_m = edge.length_m * 50
    with caplog.at_level("INFO", logger="planner.engine.session"):
        _, edited = run_plan_task(plan, None, session, TaskState())
    assert session.builds == 2 and session.graph is not graph
    assert any("road network changed" in r.getMessage() for r in caplog.records)
    assert edited.to_json() == run_plan(load_snapshot(plan, None)).to_json()
    session.close()
    plan.dispose()


def test_qt_standard_buttons_follow_the_language(qtbot):
    """Qt's own texts (OK/Cancel/Yes, file dialogs) come from qtbase_zh_CN, not English."""
    from PySide6.QtWidgets import QMessageBox

    from desktop import i18n
    from desktop.app import setup_application

    setup_application(language="zh_CN")
    try:
        box = QMessageBox()
        box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        assert box.button(QMessageBox.StandardButton.Ok).text() == "确定"
        assert box.button(QMessageBox.StandardButton.Cancel).text() == "取消"
    finally:
        i18n.install_language("en")
