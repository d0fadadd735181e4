"""Isolation (易失联/孤岛): demand units no open warehouse can reach by road.

A unit is *isolated* when it is on the driving network but no open warehouse (district reserve)
has a driving path to it. For isolated units the local stock is checked: open reserve points in
the same village (site.town_code == unit code) or the same town (site.town_code == unit
town_code) that can reach the unit by driving within the first-batch deadline. Isolated units of
one town share those points' stock (pooled per town); their 72-hour requirement is compared with
it per norms item. Local
stock counts when it is usable or merely ``too_far`` for the shelters (being local is the point).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, dijkstra

from planner.engine.graph import RoadGraph
from planner.engine.snapshot import PlanInput
from planner.engine.supply import DriveTimes, SupplyState, horizon_days, item_required, norm_items


def _r(x: float, nd: int = 3) -> float:
    return round(float(x), nd)


def compute_isolation(inp: PlanInput, graph: RoadGraph, supply: SupplyState,
                      drive: DriveTimes | None = None) -> dict[str, Any]:
    st, du, lots = inp.sites, inp.demand, inp.lots
    G = graph.drive.csr
    su = graph.snap("drive", du.lon, du.lat)
    ss = graph.snap("drive", st.lon, st.lat)
    built = st.status == "built"
    wh = np.nonzero((st.kind == "warehouse") & built & ss.ok)[0]
    rp = np.nonzero((st.kind == "reserve_point") & built & ss.ok)[0]
    unit_nodes = su.node[su.status == "ok"]
    pos = {int(s): r for r, s in enumerate(drive.src)} if drive is not None and drive.D is not None else {}

    def reach_from(sites: np.ndarray) -> np.ndarray:
        """Finite where some site has a driving path (no limit). The supply step's limited
        searches prove most of it; the unlimited search runs only when a unit is left."""
        out = np.full(graph.n, np.inf)
        if not len(sites):
            return out
        if pos and all(int(s) in pos for s in sites):
            # pos is filled only from a drive with D (and src_row, computed with it)
            assert drive is not None and drive.D is not None and drive.src_row is not None
            rows = np.unique([drive.src_row[pos[int(s)]] for s in sites])
            sub = drive.D[rows][:, unit_nodes] if len(unit_nodes) else np.zeros((len(rows), 0))
            if np.isfinite(sub).any(axis=0).all():
                out[unit_nodes] = 0.0
                return out
        # reachability only: a breadth-first search on the finite entries from a super-source
        fin = np.isfinite(G.data)
        rows = np.repeat(np.arange(graph.n), np.diff(G.indptr))
        counts = np.bincount(rows[fin], minlength=graph.n)
        starts = np.unique(ss.node[sites])
        indptr = np.concatenate([[0], np.cumsum(counts), [fin.sum() + len(starts)]])
        aug = csr_matrix((np.ones(int(fin.sum()) + len(starts)),
                          np.concatenate([G.indices[fin], starts]), indptr), shape=(graph.n + 1, graph.n + 1))
        seen = breadth_first_order(aug, graph.n, directed=True, return_predecessors=False)
        out[seen[seen < graph.n]] = 0.0
        return out

    reach_wh = reach_from(wh)
    reach_rp = reach_from(rp)

    status = np.empty(len(du), dtype=object)
    for ui in range(len(du)):
        if su.status[ui] != "ok":
            status[ui] = su.status[ui]
        elif np.isfinite(reach_wh[su.node[ui]]):
            status[ui] = "connected"
        else:
            status[ui] = "isolated"
    iso = np.nonzero(status == "isolated")[0]

    norms = norm_items(inp)
    days = horizon_days(inp)
    local_ok = np.array([r is None or r == "too_far" for r in supply.reason], dtype=bool)
    # local points reaching each isolated unit
    local_pts: dict[int, list[int]] = {}
    if len(iso) and len(rp):
        if drive is not None and drive.D is not None:  # reuse the supply step's searches
            pos = {int(s): r for r, s in enumerate(drive.src)}
            src_row = drive.src_row
            assert src_row is not None  # computed together with D (supply.drive_times)
            D, row = drive.D, np.array([src_row[pos[int(s)]] for s in rp])
        else:
            un, row = np.unique(ss.node[rp], return_inverse=True)
            D = dijkstra(G, directed=True, indices=un, limit=float(inp.params["first_batch_deadline_h"]) * 3600)
        for k in iso:
            pts = [int(s) for r_, s in zip(row, rp, strict=True)
                   if (st.town[s] is not None and st.town[s] in (du.code[k], du.town[k]))
                   and np.isfinite(D[r_, su.node[k]])]
            local_pts[int(k)] = pts
    pools: dict[Any, list[int]] = {}
    for k in iso:
        pools.setdefault(du.town[k] if du.town[k] is not None else du.code[k], []).append(int(k))
    pool_out = []
    unit_cover: dict[int, bool] = {}
    for town, members in sorted(pools.items(), key=lambda kv: str(kv[0])):
        pts = sorted({s for k in members for s in local_pts.get(k, [])})
        people = float(np.nansum(du.population[members]))
        at = np.isin(supply.lot_site, pts) & local_ok
        rows = []
        covered = True
        for key, spec in norms.items():
            req = item_required(spec, people, days)
            have = float(lots.quantity[at & (supply.lot_norm == key)].sum())
            ok = have >= req - 1e-9
            covered &= ok
            rows.append({"item": key, "required": _r(req), "local_stock": _r(have), "covered": ok})
        for mk in members:
            unit_cover[mk] = covered
        pool_out.append({"town": town, "units": [du.code[k] for k in members], "people": _r(people),
                         "local_points": [st.code[s] for s in pts], "covered_72h": covered, "items": rows})
    units = [{"code": du.code[k], "name": du.name[k], "town": du.town[k],
              "population": _r(np.nan_to_num(du.population[k])), "status": status[k],
              "reached_by_reserve_point": bool(su.status[k] == "ok" and np.isfinite(reach_rp[su.node[k]])),
              "local_points": [st.code[s] for s in local_pts.get(int(k), [])],
              "covered_72h": unit_cover.get(int(k))}
             for k in np.nonzero(status != "connected")[0]]
    return {"isolated_units": int(len(iso)),
            "isolated_population": _r(np.nansum(du.population[iso])) if len(iso) else 0.0,
            "open_warehouses": int(len(wh)), "units": units, "pools": pool_out,
            "definition": "isolated = on the driving network but no open warehouse can reach it by road"}
