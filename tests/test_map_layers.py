"""The window's map: units cut off by road marked as the engine finds them, the offline basemap,
the layer panel (show, hide, restack, remembered) and the online tile layer against a local server."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings

from tests.test_gui import messages, run_and_wait  # noqa: F401  (the fixture and helper)


@pytest.fixture
def flood_win(qtbot, tmp_path, monkeypatch, messages):  # noqa: F811
    """The Andorra demo with the valley flood scenario, in the main window."""
    from desktop.app import setup_application
    from desktop.mainwindow import MainWindow
    from desktop.settings import Settings
    from planner.demo import copy_demo_to
    from planner.demo.andorra import add_valley_flood
    from planner.store import open_plan

    monkeypatch.setenv("ESPLAN_NO_OPEN", "1")
    setup_application(language="en")
    path = tmp_path / "andorra.esplan"
    copy_demo_to("andorra", path)
    p = open_plan(path)
    add_valley_flood(p)
    p.dispose()
    w = MainWindow(str(path), settings=Settings(QSettings(str(tmp_path / "esplan.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w._stop_task()
    w.close()


def _select_scenario(w, name):
    lst = w.scenarios.list
    from PySide6.QtCore import Qt

    lst.setCurrentItem(next(lst.item(i) for i in range(lst.count())
                            if lst.item(i).data(Qt.ItemDataRole.UserRole) == name))


def test_units_cut_off_by_road_in_the_flood_are_marked_on_the_map(flood_win, qtbot):
    w = flood_win
    _select_scenario(w, "洪水")
    res = run_and_wait(qtbot, w)
    assert res.scenario == "洪水"
    isolated = {u.code for u in w.canvas.result_view.isolation if u.status == "isolated"}
    assert isolated, "the valley flood cuts some units off (the demo's premise)"
    marked = {w.canvas.unit_items[pk].row["code"] for pk in w.canvas.isolated_items}
    assert marked == isolated
    for pk, mark in w.canvas.isolated_items.items():
        assert mark.pos() == w.canvas.unit_items[pk].pos() and mark.isVisible()
    assert "isolated" in w.canvas.legend_keys()
    assert "Cut off by road" in w.canvas.legend["isolated"]
    # the baseline reaches every unit: no marks, no legend entry
    _select_scenario(w, None)
    run_and_wait(qtbot, w)
    base_iso = {u.code for u in w.canvas.result_view.isolation if u.status == "isolated"}
    assert {w.canvas.unit_items[pk].row["code"] for pk in w.canvas.isolated_items} == base_iso
    if not base_iso:
        assert "isolated" not in w.canvas.legend_keys()
