"""The code and name columns of a register stay in view while the others scroll sideways."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt


@pytest.fixture
def sites(qtbot, tmp_path):
    """The Andorra demo's site register in its panel: (plan, panel)."""
    from desktop.app import setup_application
    from desktop.registers import SitesPanel
    from planner.demo import copy_demo_to
    from planner.store import open_plan

    setup_application(language="en")
    p = tmp_path / "a.esplan"
    copy_demo_to("andorra", p)
    plan = open_plan(p)
    panel = SitesPanel()
    qtbot.addWidget(panel)
    panel.model.set_plan(plan)
    yield plan, panel
    plan.dispose()


def test_code_and_name_stay_when_the_table_scrolls_sideways(qtbot, sites):
    plan, panel = sites
    panel.resize(420, 400)
    panel.show()
    qtbot.waitExposed(panel)
    panel.fit_columns()
    v, f = panel.view, panel.frozen.frozen
    # the overlay shows exactly the first two columns, as wide as the table's
    assert f.isVisible()
    assert [c for c in range(panel.model.columnCount()) if not f.isColumnHidden(c)] == [0, 1]
    assert f.width() == v.columnWidth(0) + v.columnWidth(1)
    assert f.model() is v.model() and f.selectionModel() is v.selectionModel()
    # scrolled fully to the right: the table's own first column is out of view, the overlay's is not
    bar = v.horizontalScrollBar()
    assert bar.maximum() > 0, "the register is wider than the panel"
    bar.setValue(bar.maximum())
    qtbot.wait(10)
    assert v.columnViewportPosition(0) < 0
    assert f.columnViewportPosition(0) == 0 and f.columnViewportPosition(1) == v.columnWidth(0)
    # scrolled down: the overlay's rows follow the table's
    v.verticalScrollBar().setValue(5)
    assert f.verticalScrollBar().value() == 5
    assert f.rowAt(1) == v.rowAt(1)
    # a width changed on either side is changed on both
    v.setColumnWidth(1, 150)
    assert f.columnWidth(1) == 150 and f.width() == v.columnWidth(0) + 150
    f.setColumnWidth(0, 90)
    assert v.columnWidth(0) == 90
    # sorting by clicking the overlay's header sorts the register and shows on both headers
    f.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert v.horizontalHeader().sortIndicatorSection() == 1
    assert panel.model._sort_by == (1, Qt.SortOrder.DescendingOrder)
    names = [panel.proxy.index(r, 1).data() for r in range(panel.proxy.rowCount())]
    assert names == sorted(names, reverse=True)


def test_registers_open_sorted_by_code_ascending(sites):
    _plan, panel = sites
    codes = [panel.proxy.index(r, 0).data() for r in range(panel.proxy.rowCount())]
    assert codes == sorted(codes) and len(codes) > 10
    assert panel.view.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.AscendingOrder


def test_a_filtered_register_follows_changed_values(sites):
    """Filters apply again when a row's values change (an edit), not only when a filter is set;
    a highlight changes nothing in what is shown."""
    from planner import registry

    plan, panel = sites
    panel.proxy.set_field_filter("status", "planned")
    before = panel.proxy.rowCount()
    site = next(r for r in panel.model.rows if r["status"] == "built")
    registry.update(plan, "site", site["id"], {"status": "planned"}, expected_version=site["version"])
    panel.model.refresh_row(site["id"])
    assert panel.proxy.rowCount() == before + 1
    panel.model.set_highlight({site["id"]})
    assert panel.proxy.rowCount() == before + 1
    panel.proxy.set_field_filter("status", None)
    assert panel.proxy.rowCount() == panel.model.rowCount()
