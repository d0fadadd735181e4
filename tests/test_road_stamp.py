"""The road network is read once while it stays the same (migration 0005's change stamp).

A what-if rerun reads the plan again; at a city's size most of that is the road network. The
database renews a stamp whenever ``road_node`` or ``road_edge`` changes (triggers, whichever
program writes), and the snapshot reuses the network it read under the same stamp while it is
still held. These tests change the roads every way a plan's roads change and check that the
snapshot then reads what is stored — on SQLite and on PostgreSQL.
"""
from __future__ import annotations

import gc
import json
import logging
import sqlite3
import weakref

import numpy as np
import pytest
from sqlalchemy import select, update

from planner import models as m
from planner.io.roads_geojson import import_road_geojson
from planner.scenario import runs
from planner.scenario.runs import load_snapshot


def _geojson(path, n: int = 4, highway: str = "residential"):
    """n parallel east–west roads of three points each near Andorra (lon/lat)."""
    feats = [{"type": "Feature", "properties": {"highway": highway, "name": f"路{k}"},
              "geometry": {"type": "LineString",
                           "coordinates": [[1.50, 42.50 + 0.001 * k], [1.505, 42.50 + 0.001 * k],
                                           [1.51, 42.50 + 0.001 * k]]}}
             for k in range(n)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return path


def _same(a, b) -> bool:
    return (np.array_equal(a.node_lon, b.node_lon) and np.array_equal(a.edge_u, b.edge_u)
            and np.array_equal(a.maxspeed, b.maxspeed, equal_nan=True)
            and list(a.highway) == list(b.highway) and len(a.geometry) == len(b.geometry))


def _fresh(plan):
    with plan.session() as s:
        return runs._read_roads(s)


def test_unchanged_roads_are_read_once_and_every_write_renews_the_stamp(new_plan, tmp_path):
    plan = new_plan
    import_road_geojson(plan, _geojson(tmp_path / "a.geojson"), boundary=None)
    first = load_snapshot(plan)
    assert first.roads.n_edges == 4
    again = load_snapshot(plan)
    assert again.roads is first.roads                       # not read again
    assert _same(again.roads, _fresh(plan))

    # an edit of one edge (the ORM, this program)
    with plan.transaction(user="test", reason="speed") as s:
        eid = s.scalars(select(m.RoadEdge.id).order_by(m.RoadEdge.id).limit(1)).one()
        s.execute(update(m.RoadEdge).where(m.RoadEdge.id == eid).values(maxspeed_kmh=20.0))
    edited = load_snapshot(plan)
    assert edited.roads is not first.roads and edited.roads.maxspeed[0] == 20.0
    assert _same(edited.roads, _fresh(plan))

    # a node added, then the network replaced by a bigger one (the bulk writer)
    with plan.transaction(user="test", reason="node") as s:
        s.add(m.RoadNode(id=10**9, lon=1.52, lat=42.52))
    added = load_snapshot(plan)
    assert added.roads is not edited.roads and added.roads.n_nodes == edited.roads.n_nodes + 1
    import_road_geojson(plan, _geojson(tmp_path / "b.geojson", n=6), boundary=None)
    replaced = load_snapshot(plan)
    assert replaced.roads is not added.roads and replaced.roads.n_edges == 6
    with plan.session() as s:
        assert runs._roads_stamp(s) is not None             # the bulk writer put the triggers back
    assert load_snapshot(plan).roads is replaced.roads

    # the network deleted
    with plan.transaction(user="test", reason="none") as s:
        s.execute(m.RoadEdge.__table__.delete())
    assert load_snapshot(plan).roads.n_edges == 0


def test_a_change_by_another_program_is_seen(tmp_path):
    """The stamp is the database's own: an UPDATE through sqlite3, outside esplan, renews it."""
    from planner.store import create_plan

    path = tmp_path / "p.esplan"
    plan = create_plan(path, name="t")
    try:
        import_road_geojson(plan, _geojson(tmp_path / "a.geojson"), boundary=None)
        before = load_snapshot(plan)
        con = sqlite3.connect(path)
        con.execute("UPDATE road_edge SET highway = 'primary' WHERE id = (SELECT min(id) FROM road_edge)")
        con.commit()
        con.close()
        after = load_snapshot(plan)
        assert after.roads is not before.roads and after.roads.highway[0] == "primary"
    finally:
        plan.dispose()


def test_without_its_triggers_the_stamp_is_not_trusted(tmp_path, caplog):
    from planner.store import create_plan

    path = tmp_path / "p.esplan"
    plan = create_plan(path, name="t")
    try:
        import_road_geojson(plan, _geojson(tmp_path / "a.geojson"), boundary=None)
        con = sqlite3.connect(path)
        con.execute("DROP TRIGGER road_edge_stamp_update")
        con.commit()
        con.close()
        first = load_snapshot(plan)
        with caplog.at_level(logging.WARNING, logger="planner.scenario.runs"):
            again = load_snapshot(plan)
        assert again.roads is not first.roads
        assert "triggers are missing" in caplog.text
    finally:
        plan.dispose()


def test_the_reuse_keeps_no_network_alive(tmp_path):
    from planner.store import create_plan

    plan = create_plan(tmp_path / "p.esplan", name="t")
    try:
        import_road_geojson(plan, _geojson(tmp_path / "a.geojson"), boundary=None)
        inp = load_snapshot(plan)
        ref = weakref.ref(inp.roads)
        del inp
        gc.collect()
        assert ref() is None
        assert load_snapshot(plan).roads.n_edges == 4
    finally:
        plan.dispose()


@pytest.mark.parametrize("revision", ["0004"])
def test_an_older_plan_gets_the_stamp_and_its_triggers(tmp_path, revision):
    from planner.store import open_plan
    from tests.test_plan_files import _plan_at

    plan = open_plan(_plan_at(tmp_path / "old.esplan", revision))
    try:
        with plan.session() as s:
            assert runs._roads_stamp(s) is not None
        import_road_geojson(plan, _geojson(tmp_path / "a.geojson"), boundary=None)
        first = load_snapshot(plan)
        assert load_snapshot(plan).roads is first.roads
    finally:
        plan.dispose()
