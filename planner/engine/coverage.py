"""15-minute shelter coverage: nearest open shelter, capacity-aware assignment, checks.

Travel time of a demand unit to a shelter = snap walk (unit → its node) + network time
(csgraph Dijkstra on the mode graph) + snap walk (shelter's node → shelter).

Outcomes per unit (they add up to the unit's sheltering demand):
``served`` (assigned to a shelter within the threshold), ``over_capacity`` (some shelter is
within the threshold but all of them are full), ``unreachable`` (no open shelter within the
threshold), ``off_network`` (farther than snap_max_m from the network), ``unlocated``
(no coordinates).
"""
from __future__ import annotations

import hashlib
import json
import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from planner.engine.figures import plan_figures
from planner.engine.graph import SNAP_OFF, SNAP_OK, SNAP_UNLOCATED, RoadGraph, Snap
from planner.engine.lp import transport_flow
from planner.engine.snapshot import PlanInput
from planner.engine.texts import check_name

CHUNK = 50          # shelters per multi-source Dijkstra call (50 × 100k × 8 B = 40 MB)
#: what-if service-area hulls kept: this many reruns' worth (× the shelters searched)
HULL_LRU_RERUNS = 2
FIXED_CLASSES = ("short", "medium", "long")
DEFAULT_CLASS = "short"


def check(cid: str, value: float | None, target: float, unit: str, passed: bool,
          detail: str, *, unknown: bool = False, num: float | None = None, den: float | None = None,
          num_of: str | None = None, den_of: str | None = None, target_source: str | None = None,
          incomplete: dict[str, Any] | None = None, quantity_unit: str | None = None, mode: str | None = None,
          **name_args: Any) -> dict[str, Any]:
    """One check row, its names rendered from the catalogue (``check.<cid>`` with ``name_args``,
    planner.engine.texts.check_name). ``status`` is "pass", "fail", or "unknown" when the plan lacks the data to
    evaluate it (no value, or ``unknown=True``); an unknown check does not pass.

    ``num`` / ``den``: the numerator and denominator of a share (what ``num_of`` / ``den_of`` name:
    keys ``figure.<name>`` of the text catalogue, e.g. served / sheltering_demand); every reader
    (GUI, CLI, PDF) prints these, never its own. ``target_source``: where the target comes from.
    ``incomplete``: what is unknown in the numbers (e.g. ``{"units_unknown": 3}``)."""
    finite = value is not None and math.isfinite(value)
    missing = value is None or math.isnan(value)  # inf is a real value: somebody cannot get there
    status = "unknown" if unknown or missing else ("pass" if passed else "fail")
    return {"id": cid, "name_zh": check_name(cid, "zh", **name_args), "name_en": check_name(cid, "en", **name_args),
            "value": round(float(value), 6) if value is not None and finite and status != "unknown" else None,
            "target": target, "unit": unit, "passed": status == "pass", "status": status,
            "detail": detail,
            "numerator": None if num is None or not math.isfinite(num) else round(float(num), 3),
            "denominator": None if den is None or not math.isfinite(den) else round(float(den), 3),
            "numerator_of": num_of, "denominator_of": den_of, "target_source": target_source,
            "incomplete": incomplete or None, "quantity_unit": quantity_unit, "mode": mode}


def per_capita_area(inp: PlanInput, cls: str | None) -> float:
    table = (inp.norms.get("shelter") or {}).get("per_capita_area_m2") or {}
    leaf = table.get(cls or DEFAULT_CLASS) or table.get(DEFAULT_CLASS) or {"value": 2.0}
    return float(leaf["value"] if isinstance(leaf, dict) else leaf)


def shelter_capacities(inp: PlanInput) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(capacity, indoor capacity, how) for every site (0 for non-shelters).

    capacity = stated_capacity if given, else floor(indoor/norm + outdoor/norm);
    indoor capacity = floor(indoor/norm) (capped by the stated capacity). A shelter with neither
    a stated capacity nor any area gets capacity 0 and ``how == "unknown"`` (待核实).
    """
    st = inp.sites
    n = len(st)
    cap = np.zeros(n)
    indoor = np.zeros(n)
    how = [""] * n
    for k in range(n):
        if st.kind[k] != "shelter":
            continue
        norm = per_capita_area(inp, st.shelter_class[k])
        ia = 0.0 if np.isnan(st.indoor_area[k]) else float(st.indoor_area[k])
        oa = 0.0 if np.isnan(st.outdoor_area[k]) else float(st.outdoor_area[k])
        ind = math.floor(ia / norm + 1e-9)
        if not np.isnan(st.stated_capacity[k]):
            cap[k] = float(st.stated_capacity[k])
            indoor[k] = min(ind, cap[k])
            how[k] = "stated"
        elif np.isnan(st.indoor_area[k]) and np.isnan(st.outdoor_area[k]):
            how[k] = "unknown"
        else:
            cap[k] = math.floor(ia / norm + oa / norm + 1e-9)
            indoor[k] = ind
            how[k] = f"area/{norm:g} m²"
    return cap, indoor, how


def open_shelter_mask(inp: PlanInput) -> np.ndarray:
    st = inp.sites
    ok = st.status == "built"
    if inp.params.get("include_planned"):
        ok = ok | (st.status == "planned")
    return (st.kind == "shelter") & ok


def unit_demand(inp: PlanInput) -> tuple[np.ndarray, np.ndarray, str]:
    """(population, sheltering demand, note) per demand unit (planner.engine.figures; unknown
    population → 0 here, counted as unknown by the figures)."""
    figs = plan_figures(inp)
    pop = np.nan_to_num(figs.unit_population, nan=0.0)
    dem = np.nan_to_num(figs.unit_demand, nan=0.0)
    note = f"unit population × sheltering_share {figs.sheltering_share:g} (or the town's / unit's own)"
    if figs.scale_factor is not None:
        note += f"; populations × {figs.scale_factor:.6g} (scaled to 规划人口)"
    return pop, dem, note


def _augmented(G: csr_matrix, nodes: np.ndarray, w: np.ndarray) -> csr_matrix:
    """G plus a super-source (index n) with edges to ``nodes`` weighted ``w``."""
    n = G.shape[0]
    data = np.concatenate([G.data, np.maximum(w, 1e-9)])
    indices = np.concatenate([G.indices.astype(np.int64), nodes.astype(np.int64)])
    indptr = np.concatenate([G.indptr.astype(np.int64), [G.indptr[-1] + len(nodes)]])
    return csr_matrix((data, indices, indptr), shape=(n + 1, n + 1))


def _root_labels(pred: np.ndarray, super_idx: int) -> np.ndarray:
    """For each node, the first node after the super-source on its shortest path (doubling)."""
    anc = pred.astype(np.int64).copy()
    own = (anc == super_idx) | (anc < 0)
    anc[own] = np.nonzero(own)[0]
    for _ in range(64):
        nxt = anc[anc]
        if np.array_equal(nxt, anc):
            break
        anc = nxt
    return anc


@dataclass
class CoverageState:
    """Internal arrays kept for the later steps (allocation uses ``assigned``)."""

    open_idx: np.ndarray          # site indices of open shelters
    usable_idx: np.ndarray        # open shelters located on the coverage network
    capacity: np.ndarray          # per site
    indoor: np.ndarray            # per site
    assigned: np.ndarray          # per site: people assigned by the LP
    unit_served: np.ndarray
    unit_over: np.ndarray
    unit_unreach: np.ndarray
    unit_status: np.ndarray
    nearest_s: np.ndarray         # per unit, seconds (inf: none reachable; nan: not on network)
    snap_units: Snap
    snap_sites: Snap
    reach_nodes: dict[int, np.ndarray]   # site index → reached node indices
    result: dict[str, Any]


def compute_coverage(inp: PlanInput, graph: RoadGraph, *, service_areas: bool = True,
                     progress=None) -> CoverageState:
    p = inp.params
    mode = p["mode"]
    mg = graph.mode(mode)
    G = mg.csr_t  # rows = "to": searches from shelters give times *to* the shelter
    thr = float(p["threshold_min"]) * 60.0
    st, du = inp.sites, inp.demand
    n_units = len(du)

    cap, indoor, how = shelter_capacities(inp)
    is_open = open_shelter_mask(inp)
    snap_s = graph.snap(mode, st.lon, st.lat)
    snap_u = graph.snap(mode, du.lon, du.lat)
    open_idx = np.nonzero(is_open)[0]
    usable = np.nonzero(is_open & snap_s.ok)[0]
    pop, dem, dem_note = unit_demand(inp)

    # -- nearest open shelter, unbounded (one search from a super-source) ---------------------
    nearest = np.full(n_units, np.nan)
    nearest_site = np.full(n_units, -1, np.int64)
    u_ok = snap_u.ok
    if len(usable) and u_ok.any():
        order = np.lexsort((snap_s.time_s[usable], snap_s.node[usable]))
        srt = usable[order]
        first = np.ones(len(srt), bool)
        first[1:] = snap_s.node[srt][1:] != snap_s.node[srt][:-1]
        best = srt[first]                       # best shelter per distinct node
        bnodes = snap_s.node[best]
        aug = _augmented(G, bnodes, snap_s.time_s[best])
        dist, pred = dijkstra(aug, directed=True, indices=G.shape[0], return_predecessors=True)
        lab = _root_labels(pred, G.shape[0])
        node_to_site = np.full(G.shape[0] + 1, -1, np.int64)
        node_to_site[bnodes] = best
        un = snap_u.node[u_ok]
        nearest[u_ok] = dist[un] + snap_u.time_s[u_ok]
        nearest_site[u_ok] = np.where(np.isfinite(dist[un]), node_to_site[lab[un]], -1)
    elif u_ok.any():
        nearest[u_ok] = np.inf
    if progress:
        progress(0.3, "nearest shelter")

    # -- demand groups: units on the same node with the same snap time ------------------------
    uidx = np.nonzero(u_ok & (dem > 0))[0]
    key = np.stack([snap_u.node[uidx], np.round(snap_u.time_s[uidx] * 1000).astype(np.int64)], axis=1)
    if len(uidx):
        gkeys, ginv = np.unique(key, axis=0, return_inverse=True)
        ginv = ginv.reshape(-1)
    else:
        gkeys, ginv = np.zeros((0, 2), np.int64), np.zeros(0, np.int64)
    n_g = len(gkeys)
    g_node = gkeys[:, 0]
    g_snap = np.zeros(n_g)
    np.maximum.at(g_snap, ginv, snap_u.time_s[uidx]) if n_g else None
    g_dem = np.zeros(n_g)
    np.add.at(g_dem, ginv, dem[uidx])

    # -- per-shelter reach within the threshold (chunks of multi-source Dijkstra) -------------
    pg, ps, pt = [], [], []
    reach_nodes: dict[int, np.ndarray] = {}
    if len(usable):
        s_nodes = snap_s.node[usable]
        un_nodes, s_row = np.unique(s_nodes, return_inverse=True)
        reach = graph.reach(mode, un_nodes, thr, chunk=CHUNK)   # memoised, see RoadGraph.reach
        if progress:
            progress(0.7, "shelter reach")
        scratch = np.full(graph.n, np.inf)
        for k in range(len(usable)):
            s = usable[k]
            idx, dist = reach[s_row[k]]
            if n_g:
                scratch[idx] = dist
                t = scratch[g_node] + snap_s.time_s[s] + g_snap
                scratch[idx] = np.inf
                hit = np.nonzero(t <= thr + 1e-9)[0]
                pg.append(hit)
                ps.append(np.full(len(hit), s, np.int64))
                pt.append(t[hit])
            if service_areas:
                reach_nodes[int(s)] = idx[dist + snap_s.time_s[s] <= thr + 1e-9]
    pg_a = np.concatenate(pg) if pg else np.zeros(0, np.int64)
    ps_a = np.concatenate(ps) if ps else np.zeros(0, np.int64)
    pt_a = np.concatenate(pt) if pt else np.zeros(0)

    # -- capacity-aware assignment (max people served, then min person-seconds) --------------
    # min-cost max-flow on integers: people in thousandths, seconds in milliseconds
    flows = transport_flow(g_dem, cap, pg_a, ps_a, pt_a, cost_scale=1000.0) if len(pg_a) else np.zeros(0)
    g_served = np.zeros(n_g)
    np.add.at(g_served, pg_a, flows)
    assigned = np.zeros(len(st))
    np.add.at(assigned, ps_a, flows)
    g_has_pair = np.zeros(n_g, bool)
    g_has_pair[pg_a] = True
    if progress:
        progress(0.85, "assignment")

    # -- per-unit outcomes --------------------------------------------------------------------
    served = np.zeros(n_units)
    over = np.zeros(n_units)
    unreach = np.zeros(n_units)
    status = np.empty(n_units, dtype=object)
    status[:] = snap_u.status
    if len(uidx):
        share = dem[uidx] / g_dem[ginv]
        served[uidx] = np.minimum(g_served[ginv] * share, dem[uidx])
        has = g_has_pair[ginv]
        over[uidx] = np.where(has, dem[uidx] - served[uidx], 0.0)
        unreach[uidx] = np.where(has, 0.0, dem[uidx])
    zero = u_ok & (dem <= 0)
    unreach[zero] = 0.0
    off = snap_u.status == SNAP_OFF
    unloc = snap_u.status == SNAP_UNLOCATED

    # assignments per unit (group flows shared in proportion to demand)
    unit_assign: dict[int, list] = {}
    if len(uidx) and len(flows):
        members: dict[int, list[int]] = {}
        for i, gi in enumerate(ginv):
            members.setdefault(int(gi), []).append(int(uidx[i]))
        for fk in np.nonzero(flows > 1e-9)[0]:
            g = int(pg_a[fk])
            for u in members[g]:
                ppl = flows[fk] * dem[u] / g_dem[g]
                unit_assign.setdefault(u, []).append(
                    {"shelter": st.code[ps_a[fk]], "people": round(float(ppl), 3),
                     "minutes": round(float(pt_a[fk]) / 60.0, 3),
                     "seconds": round(float(pt_a[fk]), 3)})
    result = _report(inp, graph, cap, indoor, how, is_open, open_idx, usable, snap_s, snap_u, pop, dem,
                     dem_note, served, over, unreach, off, unloc, nearest, nearest_site, assigned,
                     unit_assign, reach_nodes, service_areas, thr)
    return CoverageState(open_idx, usable, cap, indoor, assigned, served, over, unreach, status,
                         nearest, snap_u, snap_s, reach_nodes, result)


_SNAP_CODE = {SNAP_OK: 0, SNAP_OFF: 1, SNAP_UNLOCATED: 2}


def _r(x: float, nd: int = 3) -> float | None:
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


def _rl(a: Any, nd: int = 3) -> list[float | None]:
    """:func:`_r` of every element of ``a``, as a list (nan and ±inf → None)."""
    return [round(x, nd) if math.isfinite(x) else None for x in np.asarray(a, dtype=np.float64).tolist()]


def _weighted_stats(t: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    """(mean, p95, max) of t weighted by w; inf values propagate."""
    keep = w > 0
    t, w = t[keep], w[keep]
    if len(t) == 0:
        return math.nan, math.nan, math.nan
    order = np.argsort(t, kind="stable")
    t, w = t[order], w[order]
    cum = np.cumsum(w)
    p95 = t[np.searchsorted(cum, 0.95 * cum[-1] - 1e-9)]
    mean = float(np.sum(t * w) / cum[-1]) if np.all(np.isfinite(t)) else math.inf
    return mean, float(p95), float(t[-1])


def _report(inp, graph, cap, indoor, how, is_open, open_idx, usable, snap_s, snap_u, pop, dem,
            dem_note, served, over, unreach, off, unloc, nearest, nearest_site, assigned,
            unit_assign, reach_nodes, service_areas, thr) -> dict[str, Any]:
    p = inp.params
    st, du = inp.sites, inp.demand
    thr_min = thr / 60.0
    figs = plan_figures(inp)

    # one row per unit, built from these columns (and the unit's assignments); a unit whose
    # columns are bit for bit those of the last run on this graph's baseline (the memo
    # "unit_rows") shares that run's row object — results are read, never edited in place
    n_u = len(du)
    off_v = np.where(off, dem, 0.0) if n_u else np.zeros(0)
    unloc_v = np.where(unloc, dem, 0.0) if n_u else np.zeros(0)
    dem_known_a = ~np.isnan(figs.unit_demand)
    cols = [np.asarray(a, dtype=np.float64) for a in (figs.unit_population, dem, snap_u.dist_m, nearest, served,
                                                      over, unreach, off_v, unloc_v)]
    cols += [np.asarray(nearest_site, dtype=np.int64), dem_known_a.astype(np.int64),
             np.array([_SNAP_CODE.get(x, -1) for x in snap_u.status], np.int64)]
    gm = getattr(graph, "_memo", None)
    memo = gm.get("unit_rows") if gm is not None else None
    todo = np.arange(n_u)
    reuse: list[Any] = []
    if (memo is not None and memo["du"] == du.digest and memo["codes"] == list(st.code)
            and all(len(a) == len(b) for a, b in zip(memo["cols"], cols, strict=True))):
        same = np.ones(n_u, bool)
        for a, b in zip(memo["cols"], cols, strict=True):
            same &= a.view(np.int64) == b.view(np.int64)
        old_rows, old_assign = memo["rows"], memo["assign"]
        for k in np.nonzero(same)[0].tolist():
            if unit_assign.get(k, []) != old_assign.get(k, []):
                same[k] = False
        reuse = old_rows
        todo = np.nonzero(~same)[0]
    # the columns of the rows to build, rounded as lists first (_rl: the same Python round of
    # the same floats as _r, without a numpy scalar and a call per cell)
    pop_r = _rl(cols[0][todo])
    dem_r = _rl(dem[todo])
    dem_known = dem_known_a[todo].tolist()
    snap_r = _rl(snap_u.dist_m[todo], 2)
    near_r = _rl(np.asarray(nearest, dtype=np.float64)[todo] / 60.0)
    near_nan = np.isnan(nearest[todo]).tolist()
    served_r, over_r, unreach_r = _rl(served[todo]), _rl(over[todo]), _rl(unreach[todo])
    off_r = _rl(off_v[todo])
    unloc_r = _rl(unloc_v[todo])
    ns_l = np.asarray(nearest_site)[todo].tolist()
    units: list[Any] = list(reuse) if len(reuse) else [None] * n_u
    for i, k in enumerate(todo.tolist()):
        ns = ns_l[i]
        units[k] = ({
            "code": du.code[k], "name": du.name[k], "town": du.town[k],
            "population": pop_r[i],
            "demand": dem_r[i] if dem_known[i] else None, "snap_status": snap_u.status[k],
            "flags": list(du.flags[k] or ()),
            "snap_m": snap_r[i],
            "nearest_shelter": st.code[ns] if ns >= 0 else None,
            "nearest_min": None if near_nan[i] else near_r[i],
            "served": served_r[i], "over_capacity": over_r[i], "unreachable": unreach_r[i],
            "off_network": off_r[i], "unlocated": unloc_r[i],
            "assignments": unit_assign.get(k, []),
        })
    if gm is not None and getattr(graph, "factor_key", "base") == "base":
        gm["unit_rows"] = {"du": du.digest, "codes": list(st.code), "cols": cols, "assign": unit_assign,
                           "rows": units}

    def sums(mask) -> dict[str, float | None]:
        return {"population": _r(pop[mask].sum()), "demand": _r(dem[mask].sum()),
                "served": _r(served[mask].sum()), "over_capacity": _r(over[mask].sum()),
                "unreachable": _r(unreach[mask].sum()), "off_network": _r(dem[mask & off].sum()),
                "unlocated": _r(dem[mask & unloc].sum())}

    all_mask = np.ones(len(du), bool)
    totals = sums(all_mask)
    town_codes = sorted({t for t in du.town if t is not None}) + ([None] if any(t is None for t in du.town) else [])
    town_names = {c: n for c, n in zip(inp.towns.code, inp.towns.name, strict=True)}
    towns = []
    town_of = np.empty(len(du), dtype=object)
    town_of[:] = list(du.town)
    for tc in town_codes:
        mask = np.asarray(town_of == tc, dtype=bool) if len(du) else np.zeros(0, bool)
        row = {"town": tc, "name": town_names.get(tc), **sums(mask)}
        row["served_share"] = _r(row["served"] / row["demand"], 6) if row["demand"] else None
        towns.append(row)

    closed_hz = {e["site"]: e["hazard"] for e in (inp.effects or {}).get("closed_by_hazard", [])}
    shelters = []
    for j in np.nonzero(st.kind == "shelter")[0]:
        shelters.append({"closed_by_hazard": closed_hz.get(st.code[j]),
            "code": st.code[j], "name": st.name[j], "class": st.shelter_class[j], "status": st.status[j],
            "open": bool(is_open[j]), "town": st.town[j], "snap_status": snap_s.status[j],
            "snap_m": _r(snap_s.dist_m[j], 2) if not np.isnan(snap_s.dist_m[j]) else None,
            "capacity": _r(cap[j]), "indoor_capacity": _r(indoor[j]), "capacity_basis": how[j],
            "assigned": _r(assigned[j]),
            "utilisation": _r(assigned[j] / cap[j], 6) if cap[j] > 0 else None,
        })

    areas: dict[str, Any] = {}
    if service_areas:
        # hulls are memoised by reach set as GeoJSON objects, shared by every result that shows
        # them (results are read, never edited in place: to_dict/to_json build new objects): the
        # baseline's for good, a what-if's in a bounded least-recently-used store (the last few
        # reruns' worth), so reruns neither pile them up nor decode them again
        gm = getattr(graph, "_memo", {})
        base_hulls = gm if getattr(graph, "factor_key", "base") == "base" else None
        lru: OrderedDict[Any, Any] = gm.setdefault("hull_lru", OrderedDict())
        cap_lru = HULL_LRU_RERUNS * max(1, len(reach_nodes))
        for s, nodes in sorted(reach_nodes.items()):
            if len(nodes) == 0:
                continue
            key = ("hull", hashlib.sha1(np.ascontiguousarray(nodes, dtype=np.int64).tobytes()).hexdigest())
            geo = gm.get(key)
            if geo is None:
                geo = lru.get(key)
                if geo is not None:
                    lru.move_to_end(key)
            if geo is None:
                pts = shapely.multipoints(graph.hull_points(nodes))
                hull = shapely.concave_hull(pts, ratio=0.2)
                if hull.geom_type != "Polygon":
                    hull = hull.buffer(10.0)
                geo = json.loads(shapely.to_geojson(graph.geom_to_wgs84(hull)))
                if base_hulls is not None:
                    base_hulls[key] = geo
                else:
                    lru[key] = geo
                    while len(lru) > cap_lru:
                        lru.popitem(last=False)
            areas[st.code[s]] = geo

    # -- checks (docs/planning-model.md: each check's numerator, denominator, target, source) ---
    src = inp.param_sources
    open_cap = float(cap[open_idx].sum())
    open_indoor = float(indoor[open_idx].sum())
    fixed = [k for k in open_idx if st.shelter_class[k] in FIXED_CLASSES]
    fixed_cap = float(cap[fixed].sum()) if fixed else 0.0
    figs = plan_figures(inp)
    total_dem = float(dem.sum())          # 避难需求: the one denominator of every coverage share
    served_tot = float(served.sum())
    n_unloc_sh = int(np.sum(snap_s.status[open_idx] != SNAP_OK)) if len(open_idx) else 0
    planned_pop = figs.planning_population
    ok_units = snap_u.status == SNAP_OK
    unknown_cap = [k for k in open_idx if how[k] == "unknown"]
    no_class = [k for k in open_idx if st.shelter_class[k] is None and how[k] != "unknown"]
    all_cap_unknown = len(open_idx) > 0 and len(unknown_cap) == len(open_idx)
    fixed_unknown = bool(fixed) and all(how[k] == "unknown" for k in fixed)
    gaps: dict[str, Any] = {}
    if figs.units_unknown:
        gaps["units_unknown"] = figs.units_unknown
    if unknown_cap:
        gaps["shelters_without_capacity"] = len(unknown_cap)
    cap_gaps = {k: v for k, v in gaps.items() if k == "shelters_without_capacity"} or None
    no_class_gap = {"shelters_without_class": len(no_class)} if no_class else None
    cap_note = (f"; {len(unknown_cap)} open shelters without area or stated capacity are not counted (待核实)"
                if unknown_cap else "")
    no_eval = total_dem <= 0 or not ok_units.any() or len(usable) == 0
    dem_gap = {"units_unknown": figs.units_unknown} if figs.units_unknown else None
    st_share = float(p["served_share_target"])
    cap_t = float(p["capacity_share_target"])
    checks = [
        check("served_within_threshold",
              served_tot / total_dem if total_dem else None, st_share, "share",
              total_dem > 0 and served_tot / total_dem >= st_share - 1e-12,
              f"避难需求 served within {thr_min:g} min (capacity-aware) {served_tot:.0f} of {total_dem:.0f} "
              f"({dem_note})" + cap_note, unknown=no_eval or all_cap_unknown, thr=thr_min,
              num=served_tot, den=total_dem, num_of="served", den_of="sheltering_demand",
              target_source=src.get("served_share_target"), incomplete={**(dem_gap or {}), **(cap_gaps or {})}),
        check("capacity_share_of_demand",
              open_cap / total_dem if total_dem else None, cap_t, "share",
              total_dem > 0 and open_cap / total_dem >= cap_t - 1e-12,
              f"capacity {open_cap:.0f} of {len(open_idx)} open shelters ({n_unloc_sh} not on the network) vs "
              f"避难需求 {total_dem:.0f} ({dem_note})" + cap_note, unknown=all_cap_unknown or total_dem <= 0,
              num=open_cap, den=total_dem, num_of="capacity", den_of="sheltering_demand",
              target_source=src.get("capacity_share_target"), incomplete={**(dem_gap or {}), **(cap_gaps or {})}),
        check("indoor_share_of_capacity",
              open_indoor / open_cap if open_cap else None, float(p["indoor_share_target"]), "share",
              open_cap > 0 and open_indoor / open_cap >= float(p["indoor_share_target"]) - 1e-12,
              f"indoor {open_indoor:.0f} of {open_cap:.0f} places" + cap_note,
              num=open_indoor, den=open_cap, num_of="indoor_capacity", den_of="capacity",
              target_source=src.get("indoor_share_target"), incomplete=cap_gaps),
        check("fixed_capacity_share_of_population",
              fixed_cap / planned_pop if planned_pop else None, float(p["fixed_share_target"]), "share",
              bool(planned_pop) and fixed_cap / (planned_pop or 1.0) >= float(p["fixed_share_target"]) - 1e-12,
              f"short/medium/long shelters {fixed_cap:.0f} places vs 规划人口 {planned_pop or 0:.0f} "
              f"({figs.planning_population_source})" + cap_note
              + (f"; {len(no_class)} open shelters without a class are not counted as fixed" if no_class else ""),
              unknown=fixed_unknown or not planned_pop, num=fixed_cap, den=planned_pop, num_of="fixed_capacity",
              den_of="planning_population", target_source=src.get("fixed_share_target"),
              incomplete={**(dem_gap if figs.planning_population_source == "units" and dem_gap else {}),
                          **(cap_gaps or {}), **(no_class_gap or {})}),
    ]
    # fixed-shelter rule per town (责任区): the town's fixed capacity ÷ its units' population
    fixed_towns = []
    ft = float(p["fixed_share_target"])
    for row in towns:
        tc = row["town"]
        if tc is None:
            continue
        tpop = row["population"] or 0.0
        tcap = float(sum(cap[k] for k in fixed if st.town[k] == tc))
        share = tcap / tpop if tpop > 0 else None
        fixed_towns.append({"town": tc, "name": row["name"], "fixed_capacity": _r(tcap), "population": _r(tpop),
                            "share": _r(share, 6) if share is not None else None,
                            "passed": share is not None and share >= ft - 1e-12})
    evaluated = [t for t in fixed_towns if t["share"] is not None]
    n_met = sum(1 for t in evaluated if t["passed"])
    if evaluated:
        checks.append(check(
            "fixed_share_towns_met", n_met / len(evaluated), 1.0, "share", n_met == len(evaluated),
            f"{n_met} of {len(evaluated)} towns have fixed-shelter capacity ≥ {ft:g} × their population "
            f"(shelters counted in the town of their town code)", unknown=fixed_unknown,
            num=n_met, den=len(evaluated), num_of="towns_met", den_of="towns",
            target_source=src.get("fixed_share_target"),
            incomplete=dem_gap))
    # response time = time to the ASSIGNED shelter (capacity-aware); a person with no place
    # within the threshold has no response time within it (inf in p95 / max, out of the mean)
    ta = np.concatenate([np.array([a["seconds"] for rows in unit_assign.values() for a in rows]),
                         np.full(1, math.inf)])
    wa = np.concatenate([np.array([a["people"] for rows in unit_assign.values() for a in rows]),
                         [max(0.0, total_dem - served_tot)]])
    mean_s, _p, _m = _weighted_stats(ta[:-1], wa[:-1])
    _mean, p95_s, max_s = _weighted_stats(ta, wa)
    no_place = max(0.0, total_dem - served_tot)
    tdet = (f"time to the assigned shelter, weighted by people; {no_place:.0f} of {total_dem:.0f} have no "
            f"place within {thr_min:g} min (their time counts as beyond it)")
    prev = p.get("previous_response_min")
    if prev is not None:
        tdet += f"; previous response {float(prev):g} min ({src.get('previous_response_min')})"
    thr_src = src.get("threshold_min")
    checks += [
        check("mean_time_min", mean_s / 60.0, thr_min, "min", math.isfinite(mean_s) and mean_s <= thr + 1e-9,
              tdet + " — the mean is over the people given a place", unknown=no_eval or served_tot <= 0,
              target_source=thr_src, mode=p["mode"]),
        check("p95_time_min", p95_s / 60.0, thr_min, "min", math.isfinite(p95_s) and p95_s <= thr + 1e-9, tdet,
              unknown=no_eval, target_source=thr_src, mode=p["mode"]),
        check("max_time_min", max_s / 60.0, thr_min, "min", math.isfinite(max_s) and max_s <= thr + 1e-9, tdet,
              unknown=no_eval, target_source=thr_src, mode=p["mode"]),
    ]
    # GB/T 51327-2018 §7.2.2: indoor (避难建筑) ≥ 30 % of the fixed shelters' effective area
    ia = np.nan_to_num(st.indoor_area[fixed], nan=0.0) if fixed else np.zeros(0)
    oa = np.nan_to_num(st.outdoor_area[fixed], nan=0.0) if fixed else np.zeros(0)
    area = float(ia.sum() + oa.sum())
    n_no_area = int(np.sum((ia + oa) <= 0))
    at = float(p["indoor_area_share_fixed_target"])
    checks.append(check(
        "indoor_area_share_of_fixed",
        float(ia.sum()) / area if area > 0 else None, at, "share", area > 0 and float(ia.sum()) / area >= at - 1e-12,
        f"indoor {ia.sum():.0f} m² of {area:.0f} m² effective area in {len(fixed)} open short/medium/long shelters"
        f" ({n_no_area} without area data, not counted); GB/T 51327-2018 §7.2.2 (不宜低于30%)",
        num=float(ia.sum()), den=area, num_of="indoor_area", den_of="fixed_area",
        target_source=src.get("indoor_area_share_fixed_target"),
        incomplete={"shelters_without_area": n_no_area} if n_no_area else None))
    # vulnerable people walk slower: served only where their assigned shelter is within the
    # threshold at vulnerable_walk_speed_mps (times scale by walk speed / vulnerable speed)
    vul = np.nan_to_num(du.vulnerable, nan=0.0)
    if p["mode"] == "walk" and vul.sum() > 0:
        ws, vs = float(p["walk_speed_mps"]), float(p["vulnerable_walk_speed_mps"])
        frac = np.where(pop > 0, np.minimum(vul, pop) / np.where(pop > 0, pop, 1.0), 0.0)
        v_dem = float(np.sum(dem * frac))
        v_served = 0.0
        for k, rows in unit_assign.items():
            for a in rows:
                if a["seconds"] * ws / vs <= thr + 1e-9:
                    v_served += a["people"] * frac[k]
        vst = float(p["vulnerable_served_share_target"])
        checks.append(check(
            "vulnerable_served_within_threshold",
            v_served / v_dem if v_dem > 0 else None, vst, "share", v_dem > 0 and v_served / v_dem >= vst - 1e-12,
            f"vulnerable served {v_served:.0f} of {v_dem:.0f} (their share of each unit's 避难需求; the unit's "
            f"assignment kept, times × {ws:g}/{vs:g})",
            thr=thr_min, speed=vs, num=v_served, den=v_dem, num_of="vulnerable_served",
            den_of="vulnerable_demand", target_source=src.get("vulnerable_served_share_target")))
        totals["vulnerable_demand"] = _r(v_dem)
        totals["vulnerable_served"] = _r(v_served)
    totals.update({"capacity": _r(open_cap), "indoor_capacity": _r(open_indoor),
                   "fixed_capacity": _r(fixed_cap),
                   "planning_population": _r(planned_pop) if planned_pop is not None else None,
                   "sheltering_demand": _r(total_dem), "units_unknown": figs.units_unknown,
                   "open_shelters": len(open_idx),
                   "shelters_on_network": len(usable),
                   "served_share": _r(served_tot / total_dem, 6) if total_dem else None})
    return {"threshold_min": thr_min, "mode": p["mode"], "demand_basis": dem_note, "totals": totals,
            "checks": checks, "units": units, "towns": towns, "shelters": shelters,
            "fixed_by_town": fixed_towns, "figures": figs.to_dict(),
            "service_areas": areas}
