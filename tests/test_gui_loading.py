"""Opening a plan in steps (the window keeps its event loop turning), and the pieces that make a
county plan quick to draw: roads built from coordinate arrays, registers read column-wise."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPainterPath
from sqlalchemy import select

from desktop.tables import RowRole
from planner import registry


@pytest.fixture
def andorra(tmp_path):
    from planner.demo import copy_demo_to

    p = tmp_path / "andorra.esplan"
    copy_demo_to("andorra", p)
    return p


def _window(tmp_path, plan_path):
    from desktop.app import setup_application
    from desktop.mainwindow import MainWindow
    from desktop.settings import Settings

    setup_application(language="en")
    return MainWindow(str(plan_path), settings=Settings(QSettings(str(tmp_path / "s.ini"),
                                                                  QSettings.Format.IniFormat)))


def test_plan_opens_in_steps_and_a_run_asked_meanwhile_waits(qtbot, tmp_path, andorra, monkeypatch):
    monkeypatch.setenv("ESPLAN_NO_OPEN", "1")
    w = _window(tmp_path, andorra)
    qtbot.addWidget(w)
    # the constructor returns before the plan is drawn: the window can paint first
    assert w.loading and not w.canvas.site_items
    w.show()
    w.run_plan()                          # F5 while the plan is still being drawn
    assert w.task is None                 # … waits for the plan to be on screen
    ticks = []
    with qtbot.waitSignal(w.loaded, timeout=30000):
        while w.loading:
            ticks.append(1)               # the event loop turned between the steps
            qtbot.wait(1)
    assert len(ticks) > 1
    assert len(w.canvas.site_items) > 10 and w.canvas.road_items
    assert w.site_model.rowCount() > 10 and w.stock_model.rowCount() > 0
    # the run asked for during the opening starts now and ends with a result
    qtbot.waitUntil(lambda: w.result is not None and w.task is None, timeout=60000)
    w._stop_task()

    # the same plan drawn at once (finish_loading) gives the same picture
    w2 = _window(tmp_path, andorra)
    qtbot.addWidget(w2)
    w2.finish_loading()
    assert not w2.loading
    assert sorted(w2.canvas.site_items) == sorted(w.canvas.site_items)
    assert sorted(w2.canvas.unit_items) == sorted(w.canvas.unit_items)
    assert [i.path().elementCount() for i in w2.canvas.road_items] == \
        [i.path().elementCount() for i in w.canvas.road_items]


def test_opening_another_plan_while_one_loads_keeps_only_the_second(qtbot, tmp_path, andorra, monkeypatch):
    from planner.demo import copy_demo_to

    monkeypatch.setenv("ESPLAN_NO_OPEN", "1")
    shanting = tmp_path / "shanting.esplan"
    copy_demo_to("shanting", shanting)
    w = _window(tmp_path, andorra)
    qtbot.addWidget(w)
    assert w.loading
    w.open_location(str(shanting))
    qtbot.waitUntil(lambda: not w.loading, timeout=30000)
    n_sites = len(registry.read(w.plan, "site", ["id"]))
    assert w.site_model.rowCount() == n_sites
    assert "shanting" in w.plan.display_location


def test_roads_path_from_arrays_equals_vertex_by_vertex():
    from desktop.mapitems import polyline_path

    rng = np.random.default_rng(1)
    x, y = rng.random(1000) * 1e4, rng.random(1000) * 1e4
    # polylines of 2–9 vertices, as road edges are (Qt merges consecutive move-tos)
    start = np.zeros(1000, dtype=bool)
    k = 0
    while k < 999:
        start[k] = True
        k += int(rng.integers(2, 10))
    ref = QPainterPath()
    for a, b, s in zip(x.tolist(), y.tolist(), start.tolist(), strict=True):
        (ref.moveTo if s else ref.lineTo)(a, b)
    got = polyline_path(x, y, start)
    assert got.elementCount() == 1000
    assert got == ref


def test_canvas_roads_cover_every_edge_vertex(qtbot, tmp_path, andorra):
    """The road layer holds each edge's vertices, projected: no edge lost, none joined to the next."""
    from desktop.mapcanvas import MapCanvas
    from planner.store import open_plan

    plan = open_plan(str(andorra))
    c = MapCanvas()
    qtbot.addWidget(c)
    c.load(plan)
    edges = registry.values(plan, "road_edge", "geometry")
    n_vertices = sum(len(g.coords) for (g,) in edges)
    n_moves = sum(1 for it in c.road_items for k in range(it.path().elementCount())
                  if it.path().elementAt(k).isMoveTo())
    assert sum(it.path().elementCount() for it in c.road_items) == n_vertices
    assert n_moves == len(edges)
    # a vertex lands where the projection puts it
    g = edges[0][0]
    p = c.proj.xy(*g.coords[0][:2])
    assert any(it.path().contains(p) or it.path().boundingRect().contains(p) for it in c.road_items)
    plan.dispose()


def test_register_read_by_columns_equals_the_rows(andorra):
    from planner.store import open_plan

    plan = open_plan(str(andorra))
    for entity in ("site", "stock_lot", "demand_unit", "supply_item", "boundary", "plan_info"):
        keys = registry.columns(entity)
        got = registry.read(plan, entity, keys)
        cls = registry.ENTITIES[entity]
        with plan.session() as s:
            want = [{k: registry._plain(getattr(o, k)) for k in keys}
                    for o in s.scalars(select(cls).order_by(cls.id))]
        assert len(got) == len(want) > 0
        for a, b in zip(got, want, strict=True):
            for k in keys:
                va, vb = a[k], b[k]
                if hasattr(va, "equals"):
                    assert va.equals(vb), (entity, k)
                else:
                    assert va == vb and type(va) is type(vb), (entity, k)
    assert type(registry.read(plan, "site", ["kind"])[0]["kind"]) is str   # the value, not the enum
    plan.dispose()


def test_roads_drawn_at_the_detail_the_zoom_needs(qtbot, andorra):
    """Zoomed out, a road class is drawn simplified to half a pixel; zoomed in, exactly."""
    from desktop.mapcanvas import MapCanvas
    from planner.store import open_plan

    plan = open_plan(str(andorra))
    c = MapCanvas()
    qtbot.addWidget(c)
    c.load(plan)
    local = max(c.road_items, key=lambda it: it.path().elementCount())
    full = local.levels[0][1]
    assert local.path_for(0.1) is full                      # 10 px per metre: every vertex
    coarse = local.path_for(300.0)                          # a prefecture on screen
    assert coarse is local.levels[-1][1] and coarse.elementCount() < full.elementCount()
    # the coarse picture keeps every edge (a subpath each) and stays within half a pixel
    moves = sum(1 for k in range(coarse.elementCount()) if coarse.elementAt(k).isMoveTo())
    assert moves == sum(1 for k in range(full.elementCount()) if full.elementAt(k).isMoveTo())
    assert local.boundingRect().contains(full.controlPointRect())
    assert local.shape().isEmpty()                          # never hit-tested or stroked for a click
    plan.dispose()


def test_registers_sort_numbers_as_numbers_and_keep_the_selection(qtbot, andorra):
    """Sorting is the model's (a key per row): blanks first, numbers as numbers, the selected
    village stays selected, and a run's new values re-sort a table sorted by them."""
    from PySide6.QtCore import Qt

    from desktop.registers import DemandPanel
    from planner.store import open_plan

    plan = open_plan(str(andorra))
    panel = DemandPanel()
    qtbot.addWidget(panel)
    panel.model.set_plan(plan)
    m, v = panel.model, panel.view
    col = next(k for k, c in enumerate(m.COLUMNS) if c.key == "population")
    v.selectRow(3)
    chosen = v.currentIndex().data(RowRole)["id"]
    v.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    pops = [r["population"] for r in m.rows]
    known = [p for p in pops if p is not None]
    assert pops[: len(pops) - len(known)] == [None] * (len(pops) - len(known))    # blanks first
    assert known == sorted(known) and len(set(known)) > 5                         # 9 < 10 < 100
    assert v.currentIndex().data(RowRole)["id"] == chosen                         # still selected
    v.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    assert [r["population"] for r in m.rows if r["population"] is not None] == sorted(known, reverse=True)
    # what the view shows follows the model's order
    shown = [panel.proxy.index(r, col).data(RowRole)["population"] for r in range(panel.proxy.rowCount())]
    assert shown == [r["population"] for r in m.rows]
    plan.dispose()


def test_a_city_sized_road_class_is_drawn_off_the_gui_thread(qtbot):
    """Over LinesItem.BACKGROUND path elements a road class is drawn into an image on a worker
    thread: the view's paint does not stroke it; the picture arrives, fits the view and shows lines;
    after a zoom the old picture is shown scaled until the new one comes."""
    from PySide6.QtGui import QPen
    from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

    from desktop.mapcanvas import _RoadImages
    from desktop.mapitems import LinesItem, polyline_path

    rng = np.random.default_rng(2)
    n = 2 * (LinesItem.BACKGROUND // 2 + 1000)
    x, y = rng.random(n) * 10_000, rng.random(n) * 10_000
    start = np.zeros(n, dtype=bool)
    start[::2] = True
    path = polyline_path(x, y, start)
    item = LinesItem([(0.0, path)])
    assert item.big
    notify = _RoadImages()
    item.notify = notify.ready
    item.setPen(QPen(Qt.GlobalColor.black, 1.0))
    scene = QGraphicsScene()
    scene.addItem(item)
    view = QGraphicsView(scene)
    qtbot.addWidget(view)
    view.resize(400, 400)
    view.show()
    qtbot.waitExposed(view)
    view.fitInView(item.boundingRect())

    def current() -> bool:      # the picture of the view as it is now (the view repaints meanwhile)
        view.viewport().update()
        s = view.transform().m11()   # (the painter's level of detail agrees to ~1e-5)
        return item.image is not None and abs(item.image_scale - s) <= 1e-4 * s

    qtbot.waitUntil(current, timeout=30000)
    visible = view.mapToScene(view.viewport().rect()).boundingRect().intersected(item.boundingRect())
    assert item.image_rect.contains(visible)
    img = item.image
    assert any(img.pixelColor(i, j).alpha() > 0 for i in range(0, img.width(), 5) for j in range(0, img.height(), 5))
    old = item.image
    view.scale(3, 3)
    view.viewport().repaint()
    assert item.image is old                                   # until the new one arrives …
    qtbot.waitUntil(current, timeout=30000)                    # … drawn at the new zoom
    assert item.image is not old


def test_a_county_road_class_is_drawn_directly(andorra, qtbot):
    from desktop.mapcanvas import MapCanvas
    from planner.store import open_plan

    plan = open_plan(str(andorra))
    c = MapCanvas()
    qtbot.addWidget(c)
    c.load(plan)
    assert c.road_items and not any(it.big for it in c.road_items)
    plan.dispose()
