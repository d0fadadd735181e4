"""WhatIf (incremental reruns) gives exactly the JSON of a full run_plan on the same input."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import shapely
from engine_fixtures import cut_n7, grid_roads, lonlat, roads_from_xy, tiny_input

from planner.engine.apply import apply_scenario
from planner.engine.run import run_plan
from planner.engine.session import WhatIf
from planner.engine.snapshot import Hazard, make_input

FLOOD = shapely.Polygon([lonlat(950, -10), lonlat(1050, -10), lonlat(1050, 10), lonlat(950, 10)])


def _same(w: WhatIf, scen):
    inc = w.run(scen)
    full = run_plan(apply_scenario(w.base, scen) if scen is not None else w.base)
    assert inc.to_json() == full.to_json()
    return inc


def test_tiny_hazard_incremental_equals_full():
    w = WhatIf(tiny_input())
    assert w.baseline.to_json() == run_plan(tiny_input()).to_json()
    r = _same(w, {"name": "洪水", "hazards": [Hazard("河道", "block", 1.0, False, FLOOD)]})
    assert r.coverage["totals"]["served"] == 800
    _same(w, {"name": "cut", "hazards": [cut_n7()]})
    _same(w, {"name": "slow", "hazards": [Hazard("slow", "slow", 0.5, False, FLOOD)]})
    _same(w, {"name": "stock", "stock_changes": [{"site_code": "W1", "item_code": None, "factor": 0}]})
    _same(w, {"name": "closed", "site_changes": [{"site_code": "S1", "status": "closed"}],
              "hazards": [Hazard("河道", "block", 1.0, False, FLOOD)]})
    _same(w, {"name": "speed", "params": {"walk_speed_mps": 0.5}})    # rebuilds the graph
    _same(w, None)


def test_grid_hazard_reuses_unaffected_searches():
    xy, edges = grid_roads(30, 30, seed=5)
    roads = roads_from_xy(xy, edges)
    sites = [dict(id=k + 1, code=f"S{k}", kind="shelter", shelter_class="short", stated_capacity=300,
                  lon=float(roads.node_lon[j]), lat=float(roads.node_lat[j])) for k, j in enumerate(range(5, 900, 97))]
    n_sh = len(sites)
    sites += [dict(id=n_sh + 1, code="W0", kind="warehouse", lon=float(roads.node_lon[450]),
                   lat=float(roads.node_lat[450]))]
    units = [dict(id=k + 1, code=f"U{k}", name=f"U{k}", population=50 + k, lon=float(roads.node_lon[j]),
                  lat=float(roads.node_lat[j])) for k, j in enumerate(range(0, 900, 13))]
    lots = [dict(id=1, site_id=n_sh + 1, item_id=1, quantity=5000)]
    base = make_input(sites=sites, demand=units, lots=lots, roads=roads,
                      items=[dict(id=1, code="W", name_zh="水", unit="L", norm_key="drinking_water")],
                      params={"supply_population": 5000, "event_date": "2026-06-01"})
    w = WhatIf(base)
    band = shapely.Polygon([lonlat(-100, 1400), lonlat(3100, 1400), lonlat(3100, 1500), lonlat(-100, 1500)])
    r = _same(w, {"name": "band", "hazards": [Hazard("band", "block", 1.0, True, band)]})
    assert r.coverage["units"] != w.baseline.coverage["units"]   # the band changed something


DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo" / "andorra.esplan"


@pytest.mark.skipif(not DEMO.exists(), reason="demo plan not built")
def test_andorra_incremental_equals_full(tmp_path):
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    copy = tmp_path / "andorra.esplan"
    shutil.copy(DEMO, copy)
    plan = open_plan(copy)
    try:
        base = load_snapshot(plan)
    finally:
        plan.dispose()
    w = WhatIf(base)
    lon, lat = base.roads.node_lon, base.roads.node_lat
    cx, cy = float(lon.mean()), float(lat.mean())
    zone = shapely.box(cx - 0.01, cy - 0.01, cx + 0.01, cy + 0.01)
    r = _same(w, {"name": "flood", "hazards": [{"name": "flood", "effect": "block", "geometry": zone}]})
    assert r.scenario == "flood"
    _same(w, {"name": "WH lost", "stock_changes": [{"site_code": "WH-01", "item_code": None, "factor": 0}]})


# -- one session, any input of the plan: the graph is reused or rebuilt by content -------------
def _longer_roads():
    """The tiny network with n1–n2 three times as long: same size, other content."""
    from engine_fixtures import EDGES

    return [(0, 1, "residential", False), (1, 2, "residential", False, 1200.0)] + EDGES[2:]


def test_road_digest_is_by_content_and_cached():
    a, b = tiny_input(), tiny_input()
    assert a.roads is not b.roads and a.roads.digest == b.roads.digest
    assert a.roads.digest is a.roads.digest          # computed once per table
    assert tiny_input(edges=_longer_roads()).roads.digest != a.roads.digest
    assert a.sites.digest == b.sites.digest and a.sites.digest != a.demand.digest


def test_session_rebuilds_on_another_road_table(caplog):
    w = WhatIf(tiny_input())
    assert w.builds == 1
    new = tiny_input(edges=_longer_roads())
    assert new.roads.n_edges == w.base.roads.n_edges and new.roads.n_nodes == w.base.roads.n_nodes
    with caplog.at_level("INFO", logger="planner.engine.session"):
        r = w.run_input(new)
    assert r.to_json() == run_plan(new).to_json()
    assert r.to_json() != w.baseline.to_json()       # the road change matters: a stale graph would show
    assert w.builds == 2 and w.graph.key != WhatIf(tiny_input(), run_baseline=False).graph.key
    rebuilt = [rec for rec in caplog.records if "road graph rebuilt" in rec.getMessage()]
    assert len(rebuilt) == 1 and rebuilt[0].levelname == "INFO"
    assert "road network changed" in rebuilt[0].getMessage()
    # a scenario on the new network, then the old network again: each equals a full run
    _same(w, {"name": "cut", "hazards": [cut_n7()]})
    assert w.builds == 2
    old = tiny_input()
    assert w.run_input(old).to_json() == run_plan(old).to_json()
    assert w.builds == 3


def test_session_reuses_graph_for_a_reloaded_snapshot(caplog):
    first = tiny_input()
    w = WhatIf(first)
    graph, n_cache = w.graph, len(w.cache)
    again = tiny_input()                              # new objects, same content
    assert again.roads is not first.roads
    with caplog.at_level("INFO", logger="planner.engine.session"):
        r = w.run_input(again)
        f = w.run_input(apply_scenario(again, {"name": "cut", "hazards": [cut_n7()]}))
    assert w.builds == 1 and w.graph is graph
    assert not [rec for rec in caplog.records if "rebuilt" in rec.getMessage()]
    assert len(w.cache) == n_cache + 2                # the baseline's steps were reused, the cut's added
    assert r.to_json() == run_plan(again).to_json() == w.baseline.to_json()
    assert f.to_json() == run_plan(apply_scenario(again, {"name": "cut", "hazards": [cut_n7()]})).to_json()


def test_session_without_input_builds_on_first_run():
    w = WhatIf()
    with pytest.raises(RuntimeError):
        w.graph  # noqa: B018
    with pytest.raises(ValueError):
        w.run({"name": "x"})
    inp = tiny_input()
    assert w.run_input(inp).to_json() == run_plan(inp).to_json()
    assert w.builds == 1 and w.base is inp
    w.close()


def test_session_rebuilds_when_points_move_and_reuses_for_closures(caplog):
    """The roads are split at the sites and demand units: the graph key holds their locations.
    Closing sites, stock changes and hazards keep the graph; a moved site or a new unit
    rebuilds it (never a graph split at other points), and every result equals a full run."""
    from engine_fixtures import TINY_SITES, TINY_UNITS, site, unit

    w = WhatIf(tiny_input())
    graph = w.graph
    _same(w, {"name": "closed", "site_changes": [{"site_code": "S2", "status": "closed"}],
              "stock_changes": [{"site_code": "W1", "item_code": None, "factor": 0.5}],
              "hazards": [cut_n7()]})
    assert w.builds == 1 and w.graph is graph
    moved = tiny_input(sites=[site("S2", "shelter", 900, 30, shelter_class="emergency", stated_capacity=300,
                                   town="T1") if s["code"] == "S2" else s for s in TINY_SITES])
    more = tiny_input(units=TINY_UNITS + [unit("U8", 40, 1000, -40)])
    with caplog.at_level("INFO", logger="planner.engine.session"):
        for inp in (moved, more):
            assert w.run_input(inp).to_json() == run_plan(inp).to_json()
    assert w.builds == 3
    rebuilt = [rec.getMessage() for rec in caplog.records if "road graph rebuilt" in rec.getMessage()]
    assert len(rebuilt) == 2 and all("sites or demand units moved" in msg for msg in rebuilt)
    # moved S2 lies mid-block at (900, 30): the road n2–n3 is split under it
    w.run_input(moved)
    assert w.builds == 4
    s = w.graph.snap("walk", moved.sites.lon, moved.sites.lat)
    assert s.dist_m[1] == pytest.approx(30.0, abs=1e-3) and s.node[1] >= moved.roads.n_nodes


def test_session_retains_a_bounded_amount_over_many_reruns():
    """Reruns with ever new hazards keep a bounded set of results (the last few coverage and
    driving-time steps, the last few hazards' edge factors) and no full driving-time rows; the
    memory the session holds stops growing (traced allocations, numpy's included)."""
    import gc
    import tracemalloc

    w = WhatIf(tiny_input())

    def rerun(k: int) -> None:   # a new hazard every time, moving along the roads, slowing more
        x = 40.0 * (k % 25)
        zone = shapely.Polygon([lonlat(x, -10), lonlat(x + 150, -10), lonlat(x + 150, 10), lonlat(x, 10)])
        w.run({"name": f"slow{k}", "hazards": [Hazard("slow", "slow", 0.9 - 0.015 * k, False, zone)]})

    tracemalloc.start()   # from before the first rerun: what a later one frees is subtracted
    try:
        for k in range(10):
            rerun(k)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for k in range(10, 50):
            rerun(k)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    kinds = [k[0] for k in w.cache]
    assert kinds.count("coverage") <= 4 and kinds.count("drive") <= 4
    assert all(v.D is None for k, v in w.cache.items() if k[0] == "drive")
    assert len(w._factors) <= 9
    # hazards' edge factors are kept sparse (the edges they touch), not one float per edge
    n_edges = w.graph.roads.n_edges
    assert all(len(e) == len(f) < n_edges for e, f in w._factors.values())
    # memoised driving rows: times at the sites' and units' nodes, the tree as a bit per CSR entry
    drive = [v for k, v in w.graph._memo.items() if isinstance(k, tuple) and k[0] == "drive"]
    assert drive and all(len(cols) == len(d) < w.graph.n and bits.nbytes == (w.graph.drive.csr.nnz + 7) // 8
                         for cols, d, bits, _complete in drive)
    n_shelters = int((w.base.sites.kind == "shelter").sum())
    hulls = sum(1 for k in w.graph._memo if isinstance(k, tuple) and k[0] == "hull")
    assert hulls <= n_shelters and len(w.graph._memo.get("hull_lru", ())) <= 2 * n_shelters
    assert grown < 128 * 1024, f"the session grew by {grown:,} bytes over 40 reruns"
