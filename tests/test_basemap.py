"""The offline basemap from an OSM import: water, rivers, built-up areas and buildings, clipped to
the plan's boundary, counted in the summary, replaced by a new import, kept by migration 0004.

A small hand-made .osm file carries every kind (the Andorra extract has them too: the demo test
checks the built demo holds a basemap)."""
from __future__ import annotations

import sqlite3

import shapely
from sqlalchemy import create_engine

from planner.io.basemap import basemap_features, read_basemap
from planner.io.dispatch import import_file
from planner.models import SCHEMA_REVISION, Boundary
from planner.store import open_plan

# a 0.01° square (≈ 1.1 km) around (1.5, 42.5); nodes 1–4 a road across it
_SQUARE = [(1.495, 42.495), (1.505, 42.495), (1.505, 42.505), (1.495, 42.505)]


def _osm(path, *, with_far_building=True, with_lake=True):
    nodes: list[tuple[int, float, float]] = [
        (1, 1.496, 42.500), (2, 1.500, 42.500), (3, 1.504, 42.500),
        # a lake (closed way), partly outside the square
        (10, 1.497, 42.501), (11, 1.507, 42.501), (12, 1.507, 42.503), (13, 1.497, 42.503),
        # a river crossing the square, a stream inside
        (20, 1.490, 42.498), (21, 1.500, 42.4985), (22, 1.510, 42.499),
        (25, 1.498, 42.496), (26, 1.499, 42.4965),
        # a residential area and a building inside; a building far outside
        (30, 1.4955, 42.4955), (31, 1.4985, 42.4955), (32, 1.4985, 42.4975), (33, 1.4955, 42.4975),
        (40, 1.5010, 42.5010), (41, 1.5012, 42.5010), (42, 1.5012, 42.5012), (43, 1.5010, 42.5012),
        (50, 1.6010, 42.6010), (51, 1.6012, 42.6010), (52, 1.6012, 42.6012), (53, 1.6010, 42.6012),
    ]
    ways = [
        (100, [1, 2, 3], {"highway": "residential"}),
        (101, [20, 21, 22], {"waterway": "river", "name": "Gran Valira"}),
        (102, [25, 26], {"waterway": "stream"}),
        (103, [30, 31, 32, 33, 30], {"landuse": "residential"}),
        (104, [40, 41, 42, 43, 40], {"building": "yes"}),
    ]
    if with_lake:
        ways.append((105, [10, 11, 12, 13, 10], {"natural": "water", "name": "Estany"}))
    if with_far_building:
        ways.append((106, [50, 51, 52, 53, 50], {"building": "house"}))
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    out += [f'<node id="{i}" version="1" lat="{lat}" lon="{lon}"/>' for i, lon, lat in nodes]
    for wid, refs, tags in ways:
        out.append(f'<way id="{wid}" version="1">')
        out += [f'<nd ref="{r}"/>' for r in refs]
        out += [f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        out.append("</way>")
    out.append("</osm>")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def test_basemap_is_read_clipped_and_counted(new_plan, tmp_path):
    with new_plan.transaction() as s:
        s.add(Boundary(name="square", code="X", role="district", geometry=shapely.Polygon(_SQUARE)))
    rep = import_file(new_plan, "osm", _osm(tmp_path / "small.osm"))
    assert {k: rep.stats[f"basemap_{k}"] for k in ("water", "river", "builtup", "building")} == \
        {"water": 1, "river": 2, "builtup": 1, "building": 1}          # the far building is clipped away
    assert any("basemap: 1 water areas, 2 rivers and streams, 1 built-up areas, 1 buildings" in n
               for n in rep.notes)
    feats = basemap_features(new_plan)
    square = shapely.Polygon(_SQUARE)
    lake = feats["water"][0][1]
    assert lake.geom_type in ("Polygon", "MultiPolygon") and square.buffer(1e-9).contains(lake)  # cut at the edge
    assert lake.area < shapely.box(1.497, 42.501, 1.507, 42.503).area
    assert sorted(sub for sub, _g in feats["river"]) == ["river", "stream"]
    assert all(g.geom_type in ("LineString", "MultiLineString") for _s, g in feats["river"])
    assert feats["builtup"][0][0] == "residential"
    # importing again replaces the basemap (the lake and the far building are gone from the file)
    rep2 = import_file(new_plan, "osm", _osm(tmp_path / "small2.osm", with_lake=False, with_far_building=False),
                       replace=True)
    assert rep2.stats["basemap_water"] == 0
    assert {k: len(v) for k, v in basemap_features(new_plan).items()} == \
        {"builtup": 1, "water": 0, "river": 2, "building": 1}


def test_without_a_boundary_nothing_is_clipped(tmp_path):
    data = read_basemap(_osm(tmp_path / "small.osm"))
    assert data.counts() == {"builtup": 1, "water": 1, "river": 2, "building": 2}


def test_a_refused_road_import_leaves_the_basemap_as_it_was(new_plan, tmp_path):
    import pytest

    from planner.io.errors import ImportFailed

    import_file(new_plan, "osm", _osm(tmp_path / "small.osm"))
    before = {k: len(v) for k, v in basemap_features(new_plan).items()}
    assert before["building"] == 2
    noroads = tmp_path / "noroads.osm"
    noroads.write_text(_osm(tmp_path / "x.osm").read_text().replace('k="highway"', 'k="not_highway"'))
    with pytest.raises(ImportFailed):
        import_file(new_plan, "osm", noroads)
    assert {k: len(v) for k, v in basemap_features(new_plan).items()} == before


def test_migration_0004_adds_an_empty_basemap_to_an_older_plan(tmp_path):
    from tests.test_plan_files import _plan_at

    path = _plan_at(tmp_path / "old.esplan", "0003")
    plan = open_plan(path)
    assert plan.schema_revision() == SCHEMA_REVISION
    assert basemap_features(plan) == {"builtup": [], "water": [], "river": [], "building": []}
    plan.dispose()
    cols = [r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(basemap_feature)")]
    assert cols == ["id", "kind", "subkind", "name", "osm_ref", "geometry"]
    create_engine(f"sqlite:///{path}").dispose()


def test_the_andorra_demo_has_a_basemap():
    from planner.demo import demo_path

    plan = open_plan(demo_path("andorra"), readonly=True)
    try:
        n = {k: len(v) for k, v in basemap_features(plan).items()}
    finally:
        plan.dispose()
    assert all(n[k] > 10 for k in ("water", "river", "builtup", "building")), n
