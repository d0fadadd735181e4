"""The window's map: units cut off by road marked as the engine finds them, the offline basemap,
the layer panel (show, hide, restack, remembered) and the online tile layer against a local server."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QRectF, QSettings, Qt

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
    w.finish_loading()
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


@pytest.fixture
def win(qtbot, tmp_path, monkeypatch, messages):  # noqa: F811
    from desktop.app import setup_application
    from desktop.mainwindow import MainWindow
    from desktop.settings import Settings
    from planner.demo import copy_demo_to

    monkeypatch.setenv("ESPLAN_NO_OPEN", "1")
    setup_application(language="en")
    path = tmp_path / "andorra.esplan"
    copy_demo_to("andorra", path)
    ini = str(tmp_path / "esplan.ini")
    w = MainWindow(str(path), settings=Settings(QSettings(ini, QSettings.Format.IniFormat)))
    w.finish_loading()
    w.ini = ini
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w._stop_task()
    w.close()


def _by_layer(canvas):
    from desktop.mapitems import LAYER_ROLE

    out: dict[str, list] = {}
    for it in canvas.scene().items():
        k = it.data(LAYER_ROLE)
        if k:
            out.setdefault(k, []).append(it)
    return out


def test_the_basemap_is_drawn_under_the_plan_and_buildings_only_zoomed_in(win):
    c = win.canvas
    items = _by_layer(c)
    for k in ("water", "river", "builtup", "building"):
        assert items.get(k), f"no {k} items: the Andorra demo's basemap is not drawn"
    top_basemap = max(it.zValue() for k in ("water", "river", "builtup", "building") for it in items[k])
    assert top_basemap < min(it.zValue() for it in items["roads_paths"] + items["boundary"] + items["demand"])
    c.fit()
    assert c.transform().m11() < 0.25 and not any(it.isVisible() for it in items["building"])
    c.zoom(0.5 / c.transform().m11())
    assert all(it.isVisible() for it in items["building"])
    assert not {"water", "river", "builtup", "building"} & set(c.legend_keys())    # context, not in the legend


def test_toggling_a_layer_hides_its_items_and_only_those(win, qtbot):
    from PySide6.QtCore import Qt

    c, panel = win.canvas, win.layers
    c.zoom(0.5 / c.transform().m11())              # buildings shown too
    before = {k: [it.isVisible() for it in v] for k, v in _by_layer(c).items()}
    row = next(i for i in range(panel.list.count()) if panel.list.item(i).data(Qt.ItemDataRole.UserRole) == "shelter")
    panel.list.item(row).setCheckState(Qt.CheckState.Unchecked)          # as a click on the checkbox
    after = {k: [it.isVisible() for it in v] for k, v in _by_layer(c).items()}
    assert after["shelter"] and not any(after["shelter"])
    assert all(before["shelter"])
    assert {k: v for k, v in after.items() if k != "shelter"} == {k: v for k, v in before.items() if k != "shelter"}
    assert "shelter" not in c.legend_keys() and "warehouse" in c.legend_keys()
    # roads of one class
    panel.set_visible("roads_major", False)
    assert not any(it.isVisible() for it in _by_layer(c)["roads_major"])
    assert all(it.isVisible() for it in _by_layer(c)["roads_local"])
    # labels: the site labels, nothing else
    panel.set_visible("labels", False)
    assert not any(it.label.isVisible() for it in c.site_items.values())
    assert not win.act_labels.isChecked()
    # remembered: a new window with the same settings starts so
    from desktop.settings import Settings

    s = Settings(QSettings(win.ini, QSettings.Format.IniFormat))
    assert {"shelter", "roads_major", "labels", "tiles"} <= set(s.layers_hidden)


def test_restacking_layers_changes_z_values(win, qtbot):
    from PySide6.QtCore import Qt

    c, panel = win.canvas, win.layers
    z = lambda k: max(it.zValue() for it in _by_layer(c)[k])          # noqa: E731
    assert z("demand") < z("shelter")
    assert z("water") < z("roads_local")
    # up/down buttons: the demand units one step up, past the isolated rings? (no result: no rings)
    keys = panel.keys_top_first()
    assert keys[0] == "labels"
    # move water above every road and the sites by selecting it and pressing "up" repeatedly
    row = keys.index("water")
    panel.list.setCurrentRow(row)
    for _ in range(row):
        panel.btn_up.click()
    assert panel.keys_top_first()[:2] == ["labels", "water"]                # labels stay pinned on top
    assert z("water") > max(z("shelter"), z("warehouse"), z("roads_major"), z("demand"))
    # a drag in the list (a row moved in the model) restacks too
    keys = panel.keys_top_first()
    src = keys.index("demand")
    panel.list.model().moveRow(panel.list.rootIndex(), src, panel.list.rootIndex(), len(keys))
    assert panel.keys_top_first()[-1] == "demand"
    assert z("demand") < min(z(k) for k in ("builtup", "roads_paths", "boundary"))
    assert c.layer_order[0] == "demand"
    from desktop.settings import Settings

    assert Settings(QSettings(win.ini, QSettings.Format.IniFormat)).layer_order[0] == "demand"
    del Qt


@pytest.fixture
def tile_server():
    """A local XYZ tile server in a thread: every /z/x/y.png is a 256 px PNG; requests counted."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    img = QImage(256, 256, QImage.Format.Format_RGB32)
    img.fill(QColor(200, 230, 200))
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    png = bytes(ba.data())
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            parts = self.path.strip("/").split("/")
            if len(parts) != 3 or not parts[2].endswith(".png"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    srv.hits = hits
    srv.url = f"http://127.0.0.1:{srv.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    yield srv
    srv.shutdown()
    srv.server_close()


def test_online_tiles_from_a_local_server_are_placed_cached_and_drawn_offline(win, qtbot, tmp_path, tile_server,
                                                                              caplog):
    import logging

    # the tile arithmetic against PROJ's Web Mercator (EPSG:3857): Andorra la Vella at zoom 12
    import math

    from pyproj import Transformer

    from desktop.tiles import TILE_ROLE, TileCache, lonlat_to_tile, tile_bounds

    mx, my = Transformer.from_crs(4326, 3857, always_xy=True).transform(1.5218, 42.5063)
    half = math.pi * 6378137.0
    fx, fy = lonlat_to_tile(1.5218, 42.5063, 12)
    assert fx == pytest.approx((mx + half) / (2 * half) * 4096, abs=1e-6)
    assert fy == pytest.approx((half - my) / (2 * half) * 4096, abs=1e-6)
    assert (int(fx), int(fy)) == (2065, 1512)
    c, panel = win.canvas, win.layers
    tiles = panel.tiles
    tiles.cache = TileCache(tmp_path / "tiles", 50 * 1024 * 1024)
    assert not c.layer_visible["tiles"] and not tiles.items             # off by default: no request
    panel.cmb_source.setCurrentIndex(panel.cmb_source.findData("custom"))
    panel.ed_url.setText(tile_server.url)
    panel._tiles_changed()
    panel.set_visible("tiles", True)
    qtbot.waitUntil(lambda: bool(tiles.items) and not tiles.pending and not tiles.queue, timeout=15000)
    n = len(tiles.items)
    z, wanted = tiles.wanted()
    assert set(tiles.items) == set(wanted) and len(tile_server.hits) == n == tiles.requests
    for (tz, x, y), it in tiles.items.items():
        assert it.data(TILE_ROLE) == (tz, x, y) and it.isVisible()
        w, s, e, nn = tile_bounds(tz, x, y)
        # the image's north-west pixel corner on the tile's north-west corner, south-east likewise
        nw, se = it.mapToScene(0, 0), it.mapToScene(256, 256)
        tl, br = c.proj.xy(w, nn), c.proj.xy(e, s)
        assert abs(nw.x() - tl.x()) < 0.5 and abs(nw.y() - tl.y()) < 0.5      # metres on the map
        assert abs(se.x() - br.x()) < 0.5 and abs(se.y() - br.y()) < 0.5
        assert it.zValue() < min(i.zValue() for i in _by_layer(c)["water"])    # under the basemap
    centre = c.mapToScene(c.viewport().rect().center())
    assert any(it.sceneBoundingRect().contains(centre) for it in tiles.items.values())
    # the second load comes from the cache, the server stopped
    tile_server.shutdown()
    tile_server.server_close()
    tiles.clear()
    placed: list[bool] = []
    tiles.tilePlaced.connect(lambda *a: placed.append(a[3]))
    tiles.refresh()
    assert len(tiles.items) == n and placed == [True] * n and tiles.requests == n
    # offline where nothing is cached: one warning, no error per tile, no retry at once
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="desktop.tiles"):
        c.zoom(2.0)                                 # the next zoom level: none of its tiles cached
        tiles.refresh()
        assert tiles.wanted()[0] == z + 1 and tiles.requests > n
        qtbot.waitUntil(lambda: not tiles.pending, timeout=15000)
        asked = tiles.requests
        tiles.refresh()
        assert tiles.requests == asked
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name == "desktop.tiles"]
    assert len(warnings) == 1 and "cached tiles only" in warnings[0].getMessage()
    # hidden: the tiles go from view
    panel.set_visible("tiles", False)
    assert not any(it.isVisible() for it in tiles.items.values())


def test_layer_state_is_restored_in_a_new_window(win, qtbot):
    from desktop.mainwindow import MainWindow
    from desktop.settings import Settings

    win.layers.set_visible("hazards", False)
    win.layers.set_visible("tiles", True)
    win.layers.list.setCurrentRow(win.layers.keys_top_first().index("boundary"))
    win.layers.btn_up.click()
    order = list(win.canvas.layer_order)
    w2 = MainWindow(win.plan.location, settings=Settings(QSettings(win.ini, QSettings.Format.IniFormat)))
    w2.finish_loading()
    qtbot.addWidget(w2)
    try:
        assert w2.canvas.layer_order == order
        assert not w2.canvas.layer_visible["hazards"] and w2.canvas.layer_visible["tiles"]
        assert all(w2.canvas.layer_visible[k] for k in ("shelter", "labels", "water"))
        assert w2.layers.keys_top_first() == win.layers.keys_top_first()
    finally:
        w2._stop_task()
        w2.close()


def test_tile_sources_urls_and_keys():
    from desktop.tiles import SOURCES, custom_source, tile_url, zoom_for

    assert tile_url(SOURCES["osm"], 12, 2065, 1512) == "https://tile.openstreetmap.org/12/2065/1512.png"
    u = tile_url(SOURCES["tianditu"], 12, 2065, 1512, key="abc123")
    assert u.startswith("https://t") and ".tianditu.gov.cn/vec_w/wmts?" in u
    assert "TILEMATRIX=12&TILEROW=1512&TILECOL=2065&tk=abc123" in u and "LAYER=vec" in u
    assert custom_source("http://h/{s}/{z}/{x}/{y}.png").subdomains
    # zoom: a tile pixel about a screen pixel (0.033 px/m at 42.5° N → zoom 12)
    assert zoom_for(0.033, 42.5, 19) == 12 and zoom_for(100.0, 42.5, 18) == 18


def test_tianditu_without_a_key_asks_nothing(win, tmp_path):
    from desktop.tiles import TileCache

    panel = win.layers
    panel.tiles.cache = TileCache(tmp_path / "t", 10 * 1024 * 1024)
    panel.cmb_source.setCurrentIndex(panel.cmb_source.findData("tianditu"))
    panel.ed_key.setText("")
    panel._tiles_changed()
    panel.set_visible("tiles", True)
    panel.tiles.refresh()
    assert not panel.tiles.usable() and panel.tiles.requests == 0 and not panel.tiles.items
    assert panel.ed_key.isEnabled() and not panel.ed_url.isEnabled()


def test_the_legend_lists_only_what_the_map_draws(flood_win, qtbot):
    """Before a run the villages are one plain colour (one entry, no outcomes); after the flood
    run the outcome entries are exactly the outcomes drawn, "closed" appears with the closures,
    the hazard zone with its zone; a narrow map puts the entries in two columns."""
    from desktop.mapitems import site_state

    w = flood_win
    keys = w.canvas.legend_keys()
    assert "demand" in keys and not {"served", "over_capacity", "unreachable", "hazard"} & set(keys)
    assert ("closed" in keys) == any(site_state(it.row) == "closed" for it in w.canvas.site_items.values())
    _select_scenario(w, "洪水")
    run_and_wait(qtbot, w)
    keys = w.canvas.legend_keys()
    drawn = {it.outcome for it in w.canvas.unit_items.values()}
    assert {k for k in keys if k in ("served", "over_capacity", "unreachable", "off_network")} == \
        drawn & {"served", "over_capacity", "unreachable", "off_network"}
    assert "demand" not in keys                           # a run is shown
    assert ("no_people" in keys) == (None in drawn)      # villages without people known
    assert "closed" in keys and "hazard" in keys          # the flood closes shelters inside it
    # a narrow map (the docks open on a 1366 × 768 screen) gets two columns of entries
    c = w.canvas
    c.setFixedWidth(490)
    qtbot.waitUntil(lambda: c.viewport().width() < 760)
    c.overlays.clear()
    c.viewport().repaint()
    lh = c.fontMetrics().height() + 3
    box = max(c.overlays, key=lambda r: r.height())     # the legend: the tallest overlay
    assert box.top() == 10 and box.height() <= (-(-len(keys) // 2) + 1) * lh + 10


def test_measure_a_distance_and_an_area_on_the_map(win, qtbot):
    """Measure mode (D): clicks along a line give its length; finished with three points or
    more, the area enclosed too — in the map's metric projection, shown in the status bar."""
    from PySide6.QtCore import QPointF

    c = win.canvas
    c.setFocus()
    win.act_measure.trigger()
    assert c.mode == "measure"
    # a right triangle of 3 km and 4 km legs, clicked at scene points (metres)
    c.fitInView(QRectF(-500, -4500, 4000, 5000), Qt.AspectRatioMode.KeepAspectRatio)
    for x, y in ((0.0, 0.0), (3000.0, 0.0), (3000.0, -4000.0)):
        qtbot.mouseClick(c.viewport(), Qt.MouseButton.LeftButton, pos=c.mapFromScene(QPointF(x, y)))
    got, _ = c.measure(c.draw_points, closed=False)
    assert abs(got - 7000) < 0.02 * 7000                     # 3 km + 4 km (click rounding to pixels)
    qtbot.mouseDClick(c.viewport(), Qt.MouseButton.LeftButton, pos=c.mapFromScene(QPointF(3000.0, -4000.0)))
    length, area = c.measure(c.draw_points, closed=True)
    assert area is not None and abs(area - 6e6) < 0.03 * 6e6  # ½ · 3 km · 4 km
    assert "km²" in win.measure_text and "7." in win.measure_text
    # exact on given points
    assert CanvasMeasure(c)([(0, 0), (30, 0), (30, 40)]) == (70.0, 600.0)
    qtbot.keyClick(c, Qt.Key.Key_Escape)
    assert c.mode == "select" and not c.draw_points


def CanvasMeasure(c):  # noqa: N802 - a small adapter for the exact case
    from PySide6.QtCore import QPointF

    return lambda pts: c.measure([QPointF(x, y) for x, y in pts], closed=True)


def test_zoom_to_selection_fits_the_selected_village(win, qtbot):
    c = win.canvas
    c.fit()
    unit = next(iter(c.unit_items.values()))
    c.select_unit(unit.row["id"], center=False)
    assert win.canvas.zoom_to_selection()
    assert c.viewport().rect().contains(c.mapFromScene(unit.pos()))
    assert c.transform().m11() > 0.1                          # a lone village: ~150 m across
    c.scene().clearSelection()
    for it in c.unit_items.values():
        it.highlighted = False
    for it in c.site_items.values():
        it.highlighted = False
    win.zoom_to_selection()
    assert "Nothing is selected" in win.statusBar().currentMessage()


def test_labels_never_overprint_each_other(win, qtbot):
    """At the zoom that shows the whole district, the sites' labels are placed round their
    symbols so that no two overlap and none is cut by the map's edge; zoomed in, all show."""
    c = win.canvas
    c.fit()
    qtbot.wait(20)

    def shown():
        out = []
        for it in c.site_items.values():
            if it.label.isVisible():
                p = c.mapFromScene(it.pos())
                out.append(it.label.boundingRect().translated(p.x() + it.label.pos().x(), p.y() + it.label.pos().y()))
        return out

    rects = shown()
    assert len(rects) >= 8
    for i, a in enumerate(rects):
        assert QRectF(c.viewport().rect()).contains(a)
        for b in rects[i + 1:]:
            assert not a.intersects(b), (a, b)
    # the warehouses' and reserve points' labels are all placed at this zoom on the demo
    assert all(it.label.isVisible() for it in c.site_items.values() if it.row["kind"] != "shelter")


def test_no_legend_entry_for_service_areas_not_drawn(qtbot, tmp_path, monkeypatch, messages):  # noqa: F811
    """Shanting has no roads: its run draws no service area, and the legend says none."""
    from desktop.app import setup_application
    from desktop.mainwindow import MainWindow
    from desktop.settings import Settings
    from planner.demo import copy_demo_to

    monkeypatch.setenv("ESPLAN_NO_OPEN", "1")
    setup_application(language="en")
    path = tmp_path / "shanting.esplan"
    copy_demo_to("shanting", path)
    w = MainWindow(str(path), settings=Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(w)
    w.finish_loading()
    run_and_wait(qtbot, w)
    c = w.canvas
    assert c.service_item is None or c.service_item.path().isEmpty()
    assert "service_area" not in c.legend_keys()
    w._stop_task()
