"""Road-network import from real OpenStreetMap extracts (planner.io.osm, planner.io.roads_geojson).

The data are the real extracts in ../shared/data/networks (see SOURCES.md there): Andorra 2013
(graphhopper test file) and pyrosm's southern-Finland test file. Set ESPLAN_SHARED to use
another copy of the shared folder.
"""
from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import box
from sqlalchemy import select

from planner import models as m
from planner.io.errors import ImportFailed
from planner.io.osm import (
    DRIVABLE_CLASSES,
    OSM_SOURCE,
    import_osm,
    parse_maxspeed,
    read_osm_candidates,
    read_osm_network,
)
from planner.io.roads_geojson import import_road_geojson, read_road_geojson
from planner.progress import Cancelled
from planner.store import create_plan

REPO = Path(__file__).resolve().parents[1]
GEOD = Geod(ellps="WGS84")


def _networks_dir() -> Path | None:
    from conftest import shared_dir

    d = shared_dir()
    return d / "data" / "networks" if d is not None else None


NETWORKS = _networks_dir()
needs_data = pytest.mark.skipif(
    NETWORKS is None,
    reason="real OSM extracts not found: expected ../shared/data/networks next to the repo "
           "(or set ESPLAN_SHARED to the shared folder)")


@pytest.fixture(scope="module")
def andorra() -> Path:
    if NETWORKS is None:
        pytest.skip("shared data not found")
    return NETWORKS / "andorra_2013_graphhopper.osm.pbf"


@pytest.fixture(scope="module")
def finland() -> Path:
    if NETWORKS is None:
        pytest.skip("shared data not found")
    return NETWORKS / "finland_test_pyrosm.osm.pbf"


@pytest.fixture(scope="module")
def andorra_plan(andorra, tmp_path_factory):
    plan = create_plan(tmp_path_factory.mktemp("andorra") / "a.esplan", name="t")
    report = import_osm(plan, andorra)
    yield plan, report
    plan.dispose()


def _edges(plan) -> list[m.RoadEdge]:
    with plan.session() as s:
        return list(s.scalars(select(m.RoadEdge)))


def _drive_graph(edges) -> nx.DiGraph:
    g = nx.DiGraph()
    for e in edges:
        if e.highway not in DRIVABLE_CLASSES:
            continue
        g.add_edge(e.u, e.v, length=e.length_m)
        if not e.oneway:
            g.add_edge(e.v, e.u, length=e.length_m)
    return g


# -- Andorra --------------------------------------------------------------------------------------
@needs_data
def test_andorra_drivable_length_and_counts(andorra_plan):
    plan, rep = andorra_plan
    print(f"\nAndorra: {rep}")
    counts = plan.counts()
    assert counts["road_edges"] == rep.stats["edges"] > 2000
    assert counts["road_nodes"] == rep.stats["nodes"] > 1500
    # pyrosm 0.25 'driving' gives 396.7 km; our drivable class set keeps service roads such as
    # parking aisles that pyrosm drops, so a little more is expected
    assert 330 <= rep.stats["drivable_km"] <= 470, rep.stats
    # pyrosm walking: 820 km
    assert 700 <= rep.stats["walkable_km"] <= 950, rep.stats
    assert rep.stats["km"] >= rep.stats["drivable_km"]
    with plan.session() as s:
        used = set(s.scalars(select(m.RoadEdge.u))) | set(s.scalars(select(m.RoadEdge.v)))
        nodes = set(s.scalars(select(m.RoadNode.id)))
    assert used == nodes  # no dangling node, no edge without its nodes


@needs_data
def test_andorra_driving_graph_is_connected(andorra_plan):
    plan, _ = andorra_plan
    edges = _edges(plan)
    g = _drive_graph(edges)
    comps = sorted(nx.weakly_connected_components(g), key=len, reverse=True)
    biggest = comps[0]
    drive = [e for e in edges if e.highway in DRIVABLE_CLASSES]
    total = sum(e.length_m for e in drive)
    in_big = sum(e.length_m for e in drive if e.u in biggest and e.v in biggest)
    print(f"\nAndorra driving graph: {g.number_of_nodes()} nodes, {len(comps)} weak components, "
          f"largest holds {in_big / total:.1%} of {total / 1000:.1f} km")
    assert in_big / total >= 0.90


@needs_data
def test_andorra_lengths_are_geodesic_lengths_of_the_geometry(andorra_plan):
    plan, _ = andorra_plan
    edges = _edges(plan)
    with plan.session() as s:
        node_xy = {i: (x, y) for i, x, y in s.execute(select(m.RoadNode.id, m.RoadNode.lon, m.RoadNode.lat))}
    total_db = total_geom = 0.0
    for e in edges:
        assert e.geometry.geom_type == "LineString"
        geo = GEOD.geometry_length(e.geometry)
        assert e.length_m == pytest.approx(geo, rel=1e-6, abs=1e-3)
        total_db += e.length_m
        total_geom += geo
        # the geometry runs from u to v
        assert e.geometry.coords[0] == pytest.approx(node_xy[e.u])
        assert e.geometry.coords[-1] == pytest.approx(node_xy[e.v])
    assert total_db == pytest.approx(total_geom, rel=1e-9)


@needs_data
def test_andorra_attributes(andorra_plan):
    plan, _ = andorra_plan
    edges = _edges(plan)
    oneway = [e for e in edges if e.oneway]
    assert len(oneway) > 50
    assert {e.highway for e in edges} >= {"primary", "secondary", "residential", "track", "path"}
    assert any(e.maxspeed_kmh == 50 for e in edges)
    assert any(e.name for e in edges)
    assert all(e.osm_way_id for e in edges)
    assert not {e.highway for e in edges} & {"construction", "proposed", "platform"}


@needs_data
def test_andorra_candidates(andorra_plan):
    plan, rep = andorra_plan
    with plan.session() as s:
        cands = list(s.scalars(select(m.CandidateSite)))
    assert rep.stats["candidates"] == len(cands) > 10
    kinds = {c.kind for c in cands}
    assert {"school", "park", "sports"} <= kinds
    parks = [c for c in cands if c.kind == "park" and c.area_m2]
    assert parks and all(100 < c.area_m2 < 1e6 for c in parks)
    central = [c for c in cands if c.name == "Parc Central"]
    assert central and 10_000 < central[0].area_m2 < 30_000  # about 1.7 ha
    for c in cands:
        assert c.source == OSM_SOURCE
        assert c.osm_ref[0] in "nwr" and c.osm_ref[1:].isdigit()
        assert 1.4 < c.lon < 1.8 and 42.4 < c.lat < 42.7
        assert (c.area_m2 is None) == c.osm_ref.startswith("n")


# -- Finland --------------------------------------------------------------------------------------
@needs_data
def test_finland_imports(finland, tmp_path):
    plan = create_plan(tmp_path / "f.esplan", name="t")
    rep = import_osm(plan, finland)
    print(f"\nFinland: {rep}")
    # pyrosm driving: 44.6 km
    assert 38 <= rep.stats["drivable_km"] <= 55, rep.stats
    assert plan.counts()["road_edges"] == rep.stats["edges"]
    assert any("missing from the extract" in n for n in rep.notes)
    g = _drive_graph(_edges(plan))
    assert g.number_of_edges() > 500
    plan.dispose()


# -- clipping -------------------------------------------------------------------------------------
@needs_data
def test_clip_to_small_polygon(andorra):
    full = read_osm_network(andorra)
    area = box(1.515, 42.500, 1.530, 42.512)  # central Andorra la Vella
    clipped = read_osm_network(andorra, boundary=area)
    assert 20 < clipped.n_edges < full.n_edges / 5
    for g in clipped.edge_geometry:
        assert shapely.intersects_xy(area, *shapely.get_coordinates(g).T).any()
    # nodes are exactly those used by the kept edges
    assert set(clipped.node_id.tolist()) == set(clipped.edge_u.tolist()) | set(clipped.edge_v.tolist())
    buffered = read_osm_network(andorra, boundary=area, clip_buffer_m=300)
    assert buffered.n_edges > clipped.n_edges
    cands = read_osm_candidates(andorra, boundary=area)
    assert cands and all(area.contains(shapely.Point(c["lon"], c["lat"])) for c in cands)
    assert len(cands) < len(read_osm_candidates(andorra))


@needs_data
def test_plan_boundary_is_used(andorra, tmp_path):
    plan = create_plan(tmp_path / "b.esplan", name="t")
    area = box(1.515, 42.500, 1.530, 42.512)
    with plan.transaction() as s:
        s.add(m.Boundary(name="test district", role="district", geometry=area))
    rep = import_osm(plan, andorra)  # boundary="plan" by default
    assert rep.stats["edges"] == read_osm_network(andorra, boundary=area).n_edges
    rep_all = import_osm(plan, andorra, boundary=None)
    assert rep_all.stats["edges"] > rep.stats["edges"] * 5
    assert plan.counts()["road_edges"] == rep_all.stats["edges"]
    with pytest.raises(ImportFailed, match="inside the clip boundary"):
        import_osm(plan, andorra, boundary=box(10, 10, 10.01, 10.01))
    assert plan.counts()["road_edges"] == rep_all.stats["edges"]
    plan.dispose()


# -- refusals leave the plan untouched ------------------------------------------------------------
def _bad_files(tmp_path: Path, andorra: Path) -> dict[str, Path]:
    rng = (b"\x8a\x01\xff\x00esplan" * 700)[:5000]
    files = {
        "random.osm.pbf": rng,
        "truncated.osm.pbf": andorra.read_bytes()[:200_000],
        "noways.osm": b'<?xml version="1.0"?>\n<osm version="0.6" generator="test">\n'
                      b'<node id="1" lat="42.5" lon="1.5" version="1"/>\n</osm>\n',
        "broken.osm": b'<?xml version="1.0"?>\n<osm version="0.6"><node id="1" lat="42.5"',
        "empty.osm.pbf": b"",
    }
    out = {}
    for name, data in files.items():
        p = tmp_path / name
        p.write_bytes(data)
        out[name] = p
    out["missing.osm.pbf"] = tmp_path / "missing.osm.pbf"
    return out


@needs_data
def test_bad_files_are_refused_and_plan_unchanged(andorra, finland, tmp_path):
    plan = create_plan(tmp_path / "p.esplan", name="t")
    import_osm(plan, finland)
    before = plan.counts()
    edges_before = sorted((e.u, e.v, e.length_m) for e in _edges(plan))
    for name, path in _bad_files(tmp_path, andorra).items():
        with pytest.raises(ImportFailed) as ei:
            import_osm(plan, path)
        prob = ei.value.problems[0]
        assert prob.file == str(path)
        print(f"\n{name}: {prob}")
        if name == "noways.osm":
            assert "no road ways" in prob.message
        assert plan.counts() == before, name
    assert sorted((e.u, e.v, e.length_m) for e in _edges(plan)) == edges_before
    plan.dispose()


@needs_data
def test_replace_twice_is_idempotent(finland, tmp_path):
    plan = create_plan(tmp_path / "p.esplan", name="t")
    r1 = import_osm(plan, finland)
    c1 = plan.counts()
    r2 = import_osm(plan, finland)
    assert plan.counts() == c1
    assert r1.stats["drivable_km"] == r2.stats["drivable_km"]
    r3 = import_osm(plan, finland, replace=False)  # adds nothing new
    assert plan.counts() == c1 and r3.inserted == 0
    plan.dispose()


class _Cancel:
    def __init__(self, after: int):
        self.calls = 0
        self.after = after
        self.messages: list[tuple[float, str]] = []

    def set_progress(self, fraction, message):
        self.messages.append((fraction, message))

    def is_cancelled(self):
        self.calls += 1
        return self.calls > self.after


@needs_data
def test_progress_and_cancel(andorra, finland, tmp_path):
    plan = create_plan(tmp_path / "p.esplan", name="t")
    prog = _Cancel(after=10**9)
    import_osm(plan, finland, progress=prog)
    fr = [f for f, _ in prog.messages]
    assert fr[0] == 0.0 and fr[-1] == 1.0 and fr == sorted(fr)
    before = plan.counts()
    for after in (0, 3, 5):
        with pytest.raises(Cancelled):
            import_osm(plan, andorra, progress=_Cancel(after=after))
        assert plan.counts() == before
    plan.dispose()


# -- small hand-made OSM file: oneway, maxspeed, access, splitting -----------------------------
_OSM_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="42.5000" lon="1.5000" version="1"/>
  <node id="2" lat="42.5000" lon="1.5010" version="1"/>
  <node id="3" lat="42.5000" lon="1.5020" version="1"/>
  <node id="4" lat="42.5010" lon="1.5010" version="1"/>
  <node id="5" lat="42.4990" lon="1.5010" version="1"/>
  <node id="6" lat="42.5010" lon="1.5020" version="1"/>
  <node id="7" lat="42.5020" lon="1.5020" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="primary"/><tag k="name" v="Main"/><tag k="name:zh" v="主街"/>
    <tag k="maxspeed" v="30 mph"/></way>
  <way id="11" version="1"><nd ref="4"/><nd ref="2"/><nd ref="5"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="-1"/></way>
  <way id="12" version="1"><nd ref="3"/><nd ref="6"/>
    <tag k="highway" v="service"/><tag k="access" v="private"/></way>
  <way id="13" version="1"><nd ref="3"/><nd ref="6"/><nd ref="7"/>
    <tag k="highway" v="footway"/><tag k="access" v="no"/><tag k="foot" v="designated"/></way>
  <way id="14" version="1"><nd ref="6"/><nd ref="7"/><tag k="highway" v="proposed"/></way>
  <way id="15" version="1"><nd ref="1"/><nd ref="4"/><tag k="highway" v="motorway"/></way>
  <way id="16" version="1"><nd ref="5"/><nd ref="3"/><tag k="highway" v="tertiary"/>
    <tag k="oneway" v="no"/><tag k="junction" v="roundabout"/></way>
</osm>
"""


def test_small_osm_rules(tmp_path):
    p = tmp_path / "small.osm"
    p.write_text(_OSM_XML, encoding="utf-8")
    d = read_osm_network(p)
    rows = {(r["osm_way_id"], r["u"], r["v"]): r for r in d.edge_rows()}
    # way 10 is split at node 2 (shared with way 11)
    assert (10, 1, 2) in rows and (10, 2, 3) in rows
    assert rows[(10, 1, 2)]["name"] == "主街"
    assert rows[(10, 1, 2)]["maxspeed_kmh"] == pytest.approx(48.28, abs=0.01)
    assert rows[(10, 1, 2)]["oneway"] is False
    # oneway=-1: reversed so travel is u -> v
    assert (11, 5, 2) in rows and (11, 2, 4) in rows
    assert rows[(11, 5, 2)]["oneway"] is True
    assert rows[(11, 5, 2)]["geometry"].coords[0] == (1.5010, 42.4990)
    # access=private dropped; access=no with foot=designated kept; proposed dropped
    assert not any(k[0] in (12, 14) for k in rows)
    assert (13, 3, 7) in rows or (13, 3, 6) in rows
    assert rows[(15, 1, 4)]["oneway"] is True  # motorway implies oneway
    assert rows[(16, 5, 3)]["oneway"] is False  # explicit oneway=no wins
    assert set(d.node_id.tolist()) == {1, 2, 3, 4, 5, 7} | ({6} if (13, 3, 6) in rows else set())
    assert d.skipped == 2
    assert rows[(10, 1, 2)]["length_m"] == pytest.approx(GEOD.inv(1.5, 42.5, 1.501, 42.5)[2])
    # compressed XML, and a file whose suffix says nothing (format from the first bytes)
    import bz2
    import gzip

    variants = {"small.osm.gz": gzip.compress(_OSM_XML.encode()),
                "small.osm.bz2": bz2.compress(_OSM_XML.encode()),
                "small.download": _OSM_XML.encode()}
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        assert read_osm_network(tmp_path / name).n_edges == d.n_edges, name


# -- the reader's two ways to a way's coordinates: one C++ call (WKB) or vertex by vertex ------------
_GAPS_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="42.5000000" lon="1.5000000" version="1"/>
  <node id="2" lat="42.5000000" lon="1.5010001" version="1"/>
  <node id="3" lat="42.5000000" lon="1.5010001" version="1"/>
  <node id="4" lat="42.5000000" lon="1.5020000" version="1"/>
  <node id="6" lat="42.5000000" lon="1.5040000" version="1"/>
  <node id="7" lat="42.5000003" lon="1.5050000" version="1"/>
  <node id="8" lat="42.5010000" lon="1.5050000" version="1"/>
  <way id="1" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/>
    <tag k="highway" v="residential"/></way>
  <way id="2" version="1"><nd ref="4"/><nd ref="5"/><nd ref="6"/><nd ref="7"/><nd ref="8"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="-1"/></way>
</osm>
"""


def test_repeated_positions_missing_nodes_and_reversed_runs(tmp_path):
    """Way 1 repeats a position (nodes 2 and 3: read vertex by vertex, both kept); way 2 lacks
    node 5 (split there: the run [4] is too short, [6, 7, 8] is kept) and is oneway=-1 (the run
    reversed: 8 → 7 → 6). Positions are osmium's to the last digit."""
    from planner.io.osm import _read_osm

    p = tmp_path / "gaps.osm"
    p.write_text(_GAPS_XML, encoding="utf-8")
    d = read_osm_network(p)
    rows = {(r["osm_way_id"], r["u"], r["v"]): r for r in d.edge_rows()}
    assert set(rows) == {(1, 1, 4), (2, 8, 6)}
    assert list(rows[(1, 1, 4)]["geometry"].coords) == [(1.5, 42.5), (1.5010001, 42.5), (1.5010001, 42.5),
                                                        (1.502, 42.5)]
    assert list(rows[(2, 8, 6)]["geometry"].coords) == [(1.505, 42.501), (1.505, 42.5000003), (1.504, 42.5)]
    assert rows[(2, 8, 6)]["oneway"] is True
    assert any("1" in n and ("missing" in n or "缺" in n) for n in d.notes), d.notes
    ways, _sk, _c, missing = _read_osm(p, network=True, candidates=False)
    assert missing == 1
    assert [(w.ids, w.lon, w.lat) for w in ways] == [
        ([1, 2, 3, 4], [1.5, 1.5010001, 1.5010001, 1.502], [42.5] * 4),
        ([8, 7, 6], [1.505, 1.505, 1.504], [42.501, 42.5000003, 42.5])]


# -- who may use a road: walk_access / drive_access from the access tags --------------------------
# n1 (1.500, 42.500) ── 20: primary tunnel foot=no ── n2 (1.502, 42.500)
#  └─ 21: residential n2 → n4 (1.502, 42.501) → n3 (1.500, 42.501) → n1 (the detour on foot)
# n2 ─ 22: residential motor_vehicle=no ─ n5 ─ 23: track motor_vehicle=yes ─ n6 ─ 24: service
# access=private foot=yes ─ n7 ─ 25: motorway foot=yes ─ n8 ─ 26: footway access=yes ─ n9 ─
# 27: residential vehicle=no motorcar=yes ─ n10 ─ 28: residential access=no motor_vehicle=yes ─
# n11 ─ 29: unclassified motorroad=yes ─ n12 ─ 30: residential vehicle=yes access=no ─ n13
_ACCESS_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="42.5000" lon="1.5000" version="1"/>
  <node id="2" lat="42.5000" lon="1.5020" version="1"/>
  <node id="3" lat="42.5010" lon="1.5000" version="1"/>
  <node id="4" lat="42.5010" lon="1.5020" version="1"/>
""" + "".join(f'  <node id="{k}" lat="42.5000" lon="{1.5020 + 0.001 * (k - 4):.4f}" version="1"/>\n'
              for k in range(5, 14)) + """  <way id="20" version="1"><nd ref="1"/><nd ref="2"/>
    <tag k="highway" v="primary"/><tag k="tunnel" v="yes"/><tag k="foot" v="no"/></way>
  <way id="21" version="1"><nd ref="2"/><nd ref="4"/><nd ref="3"/><nd ref="1"/>
    <tag k="highway" v="residential"/></way>
  <way id="22" version="1"><nd ref="2"/><nd ref="5"/>
    <tag k="highway" v="residential"/><tag k="motor_vehicle" v="no"/></way>
  <way id="23" version="1"><nd ref="5"/><nd ref="6"/>
    <tag k="highway" v="track"/><tag k="motor_vehicle" v="yes"/></way>
  <way id="24" version="1"><nd ref="6"/><nd ref="7"/>
    <tag k="highway" v="service"/><tag k="access" v="private"/><tag k="foot" v="yes"/></way>
  <way id="25" version="1"><nd ref="7"/><nd ref="8"/>
    <tag k="highway" v="motorway"/><tag k="foot" v="yes"/></way>
  <way id="26" version="1"><nd ref="8"/><nd ref="9"/>
    <tag k="highway" v="footway"/><tag k="access" v="yes"/></way>
  <way id="27" version="1"><nd ref="9"/><nd ref="10"/>
    <tag k="highway" v="residential"/><tag k="vehicle" v="no"/><tag k="motorcar" v="yes"/></way>
  <way id="28" version="1"><nd ref="10"/><nd ref="11"/>
    <tag k="highway" v="residential"/><tag k="access" v="no"/><tag k="motor_vehicle" v="yes"/></way>
  <way id="29" version="1"><nd ref="11"/><nd ref="12"/>
    <tag k="highway" v="unclassified"/><tag k="motorroad" v="yes"/></way>
  <way id="30" version="1"><nd ref="12"/><nd ref="13"/>
    <tag k="highway" v="residential"/><tag k="access" v="no"/><tag k="vehicle" v="yes"/></way>
</osm>
"""
#: way → (walk_access, drive_access); None = the class decides
_ACCESS_WANT = {20: (False, None), 21: (None, None), 22: (None, False), 23: (None, True), 24: (True, False),
                25: (True, None), 26: (None, None), 27: (None, True), 28: (False, True), 29: (False, None),
                30: (False, None)}


def test_access_tags_give_walk_and_drive_permissions(tmp_path, new_plan):
    from scipy.sparse.csgraph import dijkstra

    from planner.engine.graph import RoadGraph
    from planner.scenario.runs import load_snapshot

    p = tmp_path / "access.osm"
    p.write_text(_ACCESS_XML, encoding="utf-8")
    d = read_osm_network(p)
    got = {r["osm_way_id"]: (r["walk_access"], r["drive_access"]) for r in d.edge_rows()}
    assert got == _ACCESS_WANT
    assert d.stats()["walk_forbidden_edges"] == 4 and d.stats()["drive_forbidden_edges"] == 2
    # stored (SQLite and PostgreSQL), read back into the snapshot, honoured by the graph
    rep = import_osm(new_plan, p, boundary=None, with_candidates=False)
    assert rep.stats["walk_forbidden_edges"] == 4
    with new_plan.session() as s:
        stored = {e.osm_way_id: (e.walk_access, e.drive_access) for e in s.scalars(select(m.RoadEdge))}
    assert stored == _ACCESS_WANT
    inp = load_snapshot(new_plan, event_date="2026-06-01")
    r = inp.roads
    way_of = _way_of(r, d)
    edges_of = {w: [k for k, x in way_of.items() if x == w] for w in _ACCESS_WANT}
    assert all(len(v) == 1 for v in edges_of.values())
    g = RoadGraph(inp)
    walked = {way_of[k] for k in g.walk.entry_edge.tolist()}
    driven = {way_of[k] for k in g.drive.entry_edge.tolist()}
    assert 20 not in walked and 20 in driven              # the foot=no tunnel: driven, not walked
    assert 22 in walked and 22 not in driven              # motor_vehicle=no
    assert 23 in driven and 25 in walked and 27 in driven  # admitted by their own tags
    assert 26 not in driven and 29 not in walked and 28 not in walked
    assert 30 in driven and 30 not in walked              # vehicle=yes lifts access=no; the class decides
    n1, n2 = (int(np.searchsorted(r.node_id, k)) for k in (1, 2))
    walk = dijkstra(g.walk.csr, directed=True, indices=[n1])[0, n2]
    drive = dijkstra(g.drive.csr, directed=True, indices=[n1])[0, n2]
    detour = sum(r.length_m[k] for k in edges_of[21])
    assert walk == pytest.approx(detour / g.walk_speed)    # on foot round by n3, n4
    tunnel = r.length_m[edges_of[20][0]]
    assert drive == pytest.approx(tunnel / (g.edge_speed_kmh[edges_of[20][0]] / 3.6
                                            * inp.params["post_disaster_speed_factor"]))


def _way_of(r, d) -> dict[int, int]:
    """Snapshot edge index → OSM way id."""
    by_nodes = {(e["u"], e["v"]): e["osm_way_id"] for e in d.edge_rows()}
    return {k: by_nodes[(int(r.node_id[r.edge_u[k]]), int(r.node_id[r.edge_v[k]]))] for k in range(r.n_edges)}


def test_geojson_access_properties(tmp_path):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"highway": "primary", "foot": "no"},
         "geometry": {"type": "LineString", "coordinates": [[117.40, 35.00], [117.41, 35.00]]}},
        {"type": "Feature", "properties": {"highway": "residential", "motor_vehicle": "no"},
         "geometry": {"type": "LineString", "coordinates": [[117.41, 35.00], [117.42, 35.00]]}},
        {"type": "Feature", "properties": {"highway": "track", "motorcar": "yes"},
         "geometry": {"type": "LineString", "coordinates": [[117.42, 35.00], [117.43, 35.00]]}},
        {"type": "Feature", "properties": {"highway": "residential"},
         "geometry": {"type": "LineString", "coordinates": [[117.43, 35.00], [117.44, 35.00]]}},
    ]}
    p = tmp_path / "r.geojson"
    p.write_text(json.dumps(fc), encoding="utf-8")
    d = read_road_geojson(p)
    got = {(r["highway"], r["walk_access"], r["drive_access"]) for r in d.edge_rows()}
    assert got == {("primary", False, None), ("residential", None, False), ("residential", None, None),
                   ("track", None, True)}


def test_parse_maxspeed():
    assert parse_maxspeed("50") == 50
    assert parse_maxspeed("50 km/h") == 50
    assert parse_maxspeed("30 mph") == pytest.approx(48.28, abs=0.01)
    assert parse_maxspeed("60;80") == 60
    for bad in (None, "none", "signals", "RU:urban", "walk", "", "0"):
        assert parse_maxspeed(bad) is None


# -- GeoJSON --------------------------------------------------------------------------------------
def _network_geojson(data, path: Path, tweak=None) -> Path:
    feats = []
    for r in data.edge_rows():
        feats.append({"type": "Feature", "geometry": json.loads(shapely.to_geojson(r["geometry"])),
                      "properties": {"highway": r["highway"], "oneway": "yes" if r["oneway"] else "no",
                                     "name": r["name"], "maxspeed": r["maxspeed_kmh"],
                                     "osm_id": r["osm_way_id"]}})
    if tweak:
        tweak(feats)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return path


@needs_data
def test_geojson_round_trip(finland, tmp_path):
    src = read_osm_network(finland)
    gj = _network_geojson(src, tmp_path / "roads.geojson")
    plan = create_plan(tmp_path / "g.esplan", name="t")
    rep = import_road_geojson(plan, gj)
    assert rep.stats["drivable_km"] == pytest.approx(src.drivable_km, abs=0.002)
    # same topology: OSM nodes that coincide in position stay apart in OSM but merge here,
    # so there can only be as many or fewer nodes
    assert rep.stats["edges"] == src.n_edges
    assert rep.stats["nodes"] <= src.n_nodes
    assert plan.counts()["road_edges"] == src.n_edges
    # adding the same file again with replace=False joins the existing nodes: nothing new
    rep2 = import_road_geojson(plan, gj, replace=False)
    assert rep2.inserted == 0
    plan.dispose()


@needs_data
def test_geojson_class_aliases_and_splitting(tmp_path):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"fclass": "track_grade2", "oneway": "T"},
         "geometry": {"type": "LineString", "coordinates": [[117.40, 35.00], [117.41, 35.00], [117.42, 35.00]]}},
        {"type": "Feature", "properties": {"type": "县道", "name": "X001"},
         "geometry": {"type": "MultiLineString",
                      "coordinates": [[[117.41, 34.99], [117.41, 35.00], [117.41, 35.01]]]}},
        {"type": "Feature", "properties": {"highway": "construction"},
         "geometry": {"type": "LineString", "coordinates": [[117.0, 35.0], [117.1, 35.0]]}},
    ]}
    p = tmp_path / "r.geojson"
    p.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    d = read_road_geojson(p)
    assert d.n_edges == 4 and d.n_nodes == 5  # both lines split at the crossing (117.41, 35.00)
    assert sorted(d.edge_highway) == ["secondary", "secondary", "track", "track"]
    track = [r for r in d.edge_rows() if r["highway"] == "track"]
    assert all(r["oneway"] for r in track)
    assert all(r["geometry"].coords[0][0] > r["geometry"].coords[-1][0] for r in track)  # reversed
    assert d.skipped == 1


@needs_data
def test_geojson_bad_features_refused(finland, tmp_path):
    plan = create_plan(tmp_path / "g.esplan", name="t")
    import_osm(plan, finland)
    before = plan.counts()

    def tweak(feats):
        del feats[3]["properties"]["highway"]
        feats[7]["geometry"]["coordinates"][0] = [2_950_000.0, 6_710_000.0]  # projected metres
        feats[9]["properties"]["oneway"] = "sometimes"
        feats[11]["properties"]["highway"] = "superhighway"
        feats[12]["geometry"] = {"type": "Point", "coordinates": [26.95, 60.53]}

    gj = _network_geojson(read_osm_network(finland), tmp_path / "bad.geojson", tweak)
    with pytest.raises(ImportFailed) as ei:
        import_road_geojson(plan, gj)
    probs = {(p.row, p.field) for p in ei.value.problems}
    print("\n" + str(ei.value))
    assert probs == {(4, "highway"), (8, "geometry"), (10, "oneway"), (12, "highway"), (13, "geometry")}
    assert any("feature index 7" in p.message and "lon/lat" in p.message for p in ei.value.problems)
    assert plan.counts() == before
    for text in ("{not json", json.dumps({"type": "Feature"}),
                 json.dumps({"type": "FeatureCollection", "features": []})):
        (tmp_path / "x.geojson").write_text(text)
        with pytest.raises(ImportFailed):
            import_road_geojson(plan, tmp_path / "x.geojson")
    assert plan.counts() == before
    plan.dispose()


def test_bulk_network_write_stores_the_same_rows(andorra, tmp_path):
    """The fast writer (WKB for the whole column, the driver's executemany on SQLite) stores
    exactly what the per-row SQLAlchemy path stores."""
    import sqlite3

    from planner.io.network import build_graph, write_network
    from planner.io.osm import _read_osm
    from planner.store import create_plan

    ways, _, _, _ = _read_osm(andorra, network=True, candidates=False)
    data = build_graph(ways, "test")
    tables = []
    for bulk in (False, True):
        loc = tmp_path / f"{bulk}.esplan"
        plan = create_plan(loc, name="t")
        try:
            write_network(plan, data, candidates=[], replace=True, reason="test", bulk_wkb=bulk)
        finally:
            plan.dispose()
        con = sqlite3.connect(str(loc))
        tables.append([con.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()   # noqa: S608
                       for t in ("road_node", "road_edge")])
        con.close()
    assert tables[0] == tables[1] and len(tables[0][1]) == data.n_edges
