"""Snapping only to the main (strongly) connected components of the baseline graph.

Regression: on the Andorra demo the only warehouse snapped to the end of a oneway road (a
strongly connected component of one node), so all its stock was "too far" and every town was
reported cut off from warehouses.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from engine_fixtures import roads_from_xy, site, unit

from planner.engine.graph import SNAP_MIN_NODES, RoadGraph, snappable_nodes
from planner.engine.run import run_plan

# main network: n0 … n5 along y = 0 (residential, two-way, 400 m apart);
# n6 (2000, 300): a oneway spur n5 → n6 — a dead end for driving (its SCC is {n6});
# n7, n8 (5000, 0), (5100, 0): a two-node fragment, not connected to anything.
SPUR_NODES = [(0, 0), (400, 0), (800, 0), (1200, 0), (1600, 0), (2000, 0), (2000, 300), (5000, 0), (5100, 0)]
SPUR_EDGES = [(k, k + 1, "residential", False) for k in range(5)] + [
    (5, 6, "residential", True, 300.0), (7, 8, "residential", False)]


def _with_nodes(sites, units, lots, items, **kw):
    from engine_fixtures import tiny_norms

    from planner.engine.snapshot import make_input

    params = {"target_affected": 100, "event_date": "2026-06-01", "snap_max_m": 3500, **kw}
    ids = lambda rows: [{"id": k + 1, **r} for k, r in enumerate(rows)]  # noqa: E731
    return make_input(sites=ids(sites), items=ids(items), lots=lots, demand=ids(units),
                      roads=roads_from_xy(SPUR_NODES, SPUR_EDGES), norms=tiny_norms(("drinking_water",)),
                      params=params)


def test_oneway_dead_end_is_not_snapped_to():
    inp = _with_nodes(*_parts())
    g = RoadGraph(inp)
    # drive: SCCs {n0..n5} (6 nodes), {n6}, {n7, n8}; threshold = min(20, largest 6) = 6
    assert g.drive.min_component == 6
    assert list(np.nonzero(g.drive.snappable)[0]) == [0, 1, 2, 3, 4, 5]
    s = g.snap("drive", inp.sites.lon, inp.sites.lat)
    assert s.node[1] == 5 and s.dist_m[1] == pytest.approx(280.0, abs=1e-3) and s.status[1] == "ok"
    # walking: the two-node fragment is not snapped to either (U2 goes to n5, 3050 m away)
    w = g.snap("walk", inp.demand.lon, inp.demand.lat)
    assert w.node[1] == 5 and w.dist_m[1] == pytest.approx(np.hypot(3050, 10), abs=1e-3)
    # the warehouse's stock is usable (before the fix: "too_far", W1 stuck on the dead end)
    r = run_plan(inp)
    assert r.supply["lots"][0]["usable"] and r.supply["lots"][0]["reason"] is None
    assert r.isolation["isolated_units"] == 0


def _parts():
    sites = [site("S1", "shelter", 0, 0, shelter_class="short", stated_capacity=1000),
             site("W1", "warehouse", 2000, 280, tier="district")]
    units = [unit("U1", 100, 400, 0), unit("U2", 50, 5050, 10)]
    lots = [{"id": 1, "site_id": 2, "item_id": 1, "quantity": 3000}]
    items = [{"code": "WATER", "name_zh": "水", "unit": "L", "norm_key": "drinking_water"}]
    return sites, units, lots, items


def test_large_enough_island_stays_snappable():
    # two separate 5 × 5 grids (25 nodes each ≥ SNAP_MIN_NODES) + a 3-node fragment
    from scipy.sparse import csr_matrix

    def grid(off):
        e = []
        for r in range(5):
            for c in range(5):
                k = off + r * 5 + c
                if c < 4:
                    e.append((k, k + 1))
                if r < 4:
                    e.append((k, k + 5))
        return e

    e = grid(0) + grid(25) + [(50, 51), (51, 52)]
    u = np.array([a for a, b in e] + [b for a, b in e])
    v = np.array([b for a, b in e] + [a for a, b in e])
    csr = csr_matrix((np.ones(len(u)), (u, v)), shape=(53, 53))
    ok, _lab, need = snappable_nodes(csr, np.ones(53, bool), symmetric=True)
    assert need == SNAP_MIN_NODES
    assert ok[:50].all() and not ok[50:].any()
    # a directed cycle is strongly connected; a oneway path is not
    cyc = csr_matrix((np.ones(25), (np.arange(25), (np.arange(25) + 1) % 25)), shape=(30, 30))
    node_in = np.zeros(30, bool)
    node_in[:25] = True
    ok, _lab, _ = snappable_nodes(cyc, node_in, symmetric=False)
    assert ok[:25].all() and not ok[25:].any()


DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo" / "andorra.esplan"


@pytest.mark.skipif(not DEMO.exists(), reason="demo plan not built")
def test_andorra_demo_warehouse_stock_usable_and_no_town_cut_off(tmp_path):
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    copy = tmp_path / "andorra.esplan"
    shutil.copy(DEMO, copy)
    plan = open_plan(copy)
    try:
        inp = load_snapshot(plan)
    finally:
        plan.dispose()
    r = run_plan(inp)
    wh = [x for x in r.supply["lots"] if x["site"] == "WH-01"]
    assert wh and not any(x["reason"] == "too_far" for x in wh)
    assert sum(x["quantity"] for x in wh if x["usable"]) > 0
    assert r.isolation["isolated_units"] == 0 and r.isolation["pools"] == []
    assert not any(f["ref"] == "isolation" for f in r.findings)
    for it in r.supply["items"]:
        assert it["unusable"].get("too_far", 0) == 0, it["key"]
