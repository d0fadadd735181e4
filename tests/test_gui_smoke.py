"""The real window opens on a plan (offscreen) and shows its registry."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from planner import models as m
from planner.store import create_plan


def test_main_window_shows_sites(qtbot, tmp_path):
    from desktop.app import MainWindow

    plan = create_plan(tmp_path / "p.esplan", name="山亭区测试")
    with plan.transaction() as s:
        s.add(m.Site(code="SH-01", kind=m.SiteKind.shelter, name="山亭文化广场",
                     shelter_class=m.ShelterClass.long))
    win = MainWindow(tmp_path / "p.esplan")
    qtbot.addWidget(win)
    win.show()
    assert "山亭区测试" in win.windowTitle()
    assert win.sites.rowCount() == 1
    assert win.sites.item(0, 2).text() == "山亭文化广场"
    assert win.sites.item(0, 8).text() == "not yet located"


def test_first_start_copies_the_demo(qtbot, tmp_path, monkeypatch):
    from desktop import app
    from planner.demo import demo_path

    if not demo_path("andorra").exists():
        import pytest

        pytest.fail("the shipped Andorra demo plan is missing (esplan-cli demo build andorra)")
    monkeypatch.setattr(app, "user_data_dir", lambda: tmp_path / "data")
    p = app.first_start_plan()
    assert p.exists() and p.parent == tmp_path / "data"
    win = app.MainWindow(p)
    qtbot.addWidget(win)
    assert win.sites.rowCount() > 10
