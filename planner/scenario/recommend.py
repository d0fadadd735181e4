"""Site recommendations: where to add shelters or reserve points, as an action list.

Three problems, each solved by HiGHS (``scipy.optimize``) within a time limit after an instant
greedy first answer, with the proven gap of the answer given reported (:func:`solve_shelters`:
strengthening and dominance rows, the LP bound and its kernel of candidates, the MILP on the
kernel — fewest shelters: the LP's rounding and a local search screened by max flows — then the
full model):

``shelters``  fewest new shelters that bring the share of sheltering demand served within the
              threshold (15 min) up to the target — capacitated LSCP with the open shelters fixed::

                  min Σ y_j
                  Σ_j x_ij ≤ d_i                (group i's demand)
                  Σ_i x_ij ≤ cap_j · y_j        (candidate j; existing shelters: ≤ cap_j)
                  x_ij ≤ min(d_i, cap_j) · y_j  (strengthening)
                  y_j ≤ y_j'                    (j' dominates j: :func:`dominance`)
                  Σ x_ij ≥ target_share · total demand
                  x ≥ 0, y ∈ {0, 1}; pairs (i, j) only within the threshold
                  (indoor rule, when the plan meets it: :func:`set_indoor_rule`)

``best-k``    the k new shelters that serve the most people (capacitated MCLP, existing fixed):
              max Σ x_ij with the same constraints and Σ y_j ≤ k.

``points``    fewest reserve points so that every demand unit on the driving network is within
              the delivery deadline of an open warehouse / reserve point (LSCP, existing fixed),
              and a point for every village the engine's run reports isolated (no stocked source
              reaches it by road), each holding the 72-hour stock of the people it serves.

Travel times are the engine's: the scenario's road graph (hazard zones applied), each point
projected onto the nearest road of the mode's network with the off-road distance walked
(planner.engine.graph; the candidates are split into the roads too when the graph is built here;
with a graph passed in they get the engine's conservative answer for points it was not built
with), walking for shelters and driving for reserve points. Candidate → demand reach comes from multi-source
``scipy.sparse.csgraph.dijkstra`` with ``limit``; demand units with identical candidate sets are
merged into one row.

Candidates: the plan's planned sites, user-given points, OSM candidate sites (schools, parks,
squares, sports grounds, town halls …) and, for reserve points, the demand units' own locations.
A candidate inside a hazard zone or within ``setback_m`` of one is excluded. A candidate
shelter's capacity = area × ``area_factor`` ÷ per-capita area of ``shelter_class`` (or its
stated capacity).

Shelter rules: new capacity keeps the indoor share (indoor ÷ open capacity) at or above its
target when the plan meets it (``Options.indoor_rule``); schools, town halls and community
centres can give the indoor places that takes, parks and squares cannot. Every action states its
effect on the indoor share, the fixed-shelter share (÷ 规划人口) and the fixed shelters' indoor area
(``effects``); the result states them before → after all actions (``rules``, ``rule_notes``).
"""
from __future__ import annotations

import dataclasses
import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix, vstack
from scipy.sparse.csgraph import dijkstra, maximum_flow

log = logging.getLogger(__name__)

CHUNK = 50
SHELTER_KINDS = ("school", "park", "sports", "square", "townhall", "community", "user")
POINT_KINDS = ("school", "park", "sports", "square", "townhall", "community", "user")
#: candidate kinds with buildings that can give indoor shelter places (a park or a square cannot)
INDOOR_KINDS = ("school", "townhall", "community")
INDOOR_RULES = ("keep", "report")


@dataclass
class Options:
    """Recommendation parameters (every default is printed with the result)."""

    shelter_class: str = "emergency"     # class of new shelters: its per-capita area sets capacity
    area_factor: float = 0.6             # effective share of a candidate's gross area (GB 21734 excludes
    #                                      buildings, water, steep ground; 0.6 is an assumption)
    default_area_m2: float | None = None  # area of a candidate without one (None: norms site_min_area_m2)
    setback_m: float = 100.0             # exclude candidates within this distance of a hazard zone
    include_osm: bool = True             # CandidateSite rows
    include_planned: bool = True         # the plan's planned sites of the right kind
    include_units: bool = True           # reserve points: demand-unit locations as candidates
    osm_kinds: tuple[str, ...] | None = None  # restrict CandidateSite kinds
    points: list[dict[str, Any]] = field(default_factory=list)  # user points: name, lon, lat, capacity?/area_m2?
    expand: bool = False                 # also consider expanding full existing shelters
    expand_share: float = 0.5            # … by up to this share of their capacity
    target_share: float | None = None    # shelters: default = capacity_share_target (0.6)
    k: int = 3                           # best-k
    deadline_min: float | None = None    # points: default = first_batch_deadline_h × 60
    point_tier: str = "village"          # tier of new reserve points
    time_limit: float = 8.0              # seconds for the exact solve in all (shown with the result)
    mip_rel_gap: float = 1e-4
    # the indoor rule (indoor capacity ÷ open capacity ≥ indoor_share_target): "keep" — when the
    # plan meets it, new capacity may not push the share below the target (a constraint of the
    # model); when the plan is below it already no set of new sites can keep it, so it is not a
    # constraint and the indoor places still missing are stated. "report" — never a constraint.
    # Either way every action and the result state the indoor and fixed-shelter shares before
    # and after, and candidates that can give indoor places (schools …) propose those needed.
    indoor_rule: str = "keep"
    indoor_kinds: tuple[str, ...] = INDOOR_KINDS  # candidate kinds that can give indoor places

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["osm_kinds"] = list(self.osm_kinds) if self.osm_kinds else None
        d["indoor_kinds"] = list(self.indoor_kinds)
        return d


# -- candidates ---------------------------------------------------------------------------------
def load_candidates(plan: Any) -> list[dict[str, Any]]:
    """CandidateSite rows as plain dicts (name, kind, lon, lat, area_m2, osm_ref, id)."""
    import re

    from sqlalchemy import select

    from planner import models as m

    with plan.session() as s:
        # OSM features that already carry a site (the site's location/source names the feature)
        used: dict[str, str] = {}
        for site in s.scalars(select(m.Site).where(m.Site.status != m.SiteStatus.closed)):
            text = f"{site.location_source or ''} {site.source or ''}"
            for ref in re.findall(r"\bOSM ([nwr]\d+)\b", text):
                used.setdefault(ref, site.code)
        return [{"id": r.id, "name": r.name, "kind": r.kind, "lon": r.lon, "lat": r.lat,
                 "area_m2": r.area_m2, "osm_ref": r.osm_ref, "occupied_by": used.get(r.osm_ref or "")}
                for r in s.scalars(select(m.CandidateSite).order_by(m.CandidateSite.id))]


def _plain(v: Any) -> Any:
    """An enum member as its value (shelter classes may arrive as planner.models enums)."""
    return getattr(v, "value", v)


def _norm_site_min_area(inp) -> float:
    v = (inp.norms.get("shelter") or {}).get("site_min_area_m2") or 2000.0
    return float(v["value"] if isinstance(v, dict) else v)


def _gather(inp, osm: list[dict[str, Any]], opt: Options, purpose: str) -> list[dict[str, Any]]:
    """Candidate dicts: key, source, name, kind, lon, lat, area_m2, capacity, basis, site_code, ref."""
    from planner.engine.coverage import per_capita_area, shelter_capacities

    out: list[dict[str, Any]] = []
    norm = per_capita_area(inp, opt.shelter_class)
    default_area = float(opt.default_area_m2) if opt.default_area_m2 else _norm_site_min_area(inp)

    def shelter_cap(area, given_cap=None):
        if given_cap is not None and np.isfinite(given_cap) and given_cap > 0:
            return float(given_cap), "stated capacity", None
        if area is None or not np.isfinite(area) or area <= 0:
            eff = default_area * opt.area_factor
            basis = f"area unknown: assumed {default_area:g} m² × {opt.area_factor:g} ÷ {norm:g} m²/人"
            return math.floor(eff / norm + 1e-9), basis, default_area
        eff = float(area) * opt.area_factor
        return math.floor(eff / norm + 1e-9), f"{float(area):g} m² × {opt.area_factor:g} ÷ {norm:g} m²/人", float(area)

    st = inp.sites
    indoor_kinds = set(opt.indoor_kinds)
    if opt.include_planned:
        cap, ind, _how = shelter_capacities(inp)
        want = "shelter" if purpose == "shelter" else ("reserve_point", "warehouse")
        for k in range(len(st)):
            if st.status[k] != "planned" or np.isnan(st.lon[k]):
                continue
            if (purpose == "shelter" and st.kind[k] != "shelter") or (purpose != "shelter" and st.kind[k] not in want):
                continue
            c = {"key": f"site:{st.code[k]}", "source": "planned_site", "name": st.name[k], "kind": st.kind[k],
                 "lon": float(st.lon[k]), "lat": float(st.lat[k]), "site_code": st.code[k], "ref": None,
                 "town": st.town[k]}
            if purpose == "shelter":
                if cap[k] > 0:
                    # built as registered: its whole capacity and indoor places count
                    c.update(capacity=float(cap[k]), basis="planned site capacity", area_m2=None,
                             fixed_capacity=True, indoor_capacity=float(ind[k]), indoor_max=0.0,
                             shelter_class=_plain(st.shelter_class[k]),
                             indoor_area_m2=float(np.nan_to_num(st.indoor_area[k])),
                             outdoor_area_m2=float(np.nan_to_num(st.outdoor_area[k])))
                else:
                    cp, basis, area = shelter_cap(None)
                    c.update(capacity=cp, basis=basis, area_m2=area, indoor_max=0.0,
                             shelter_class=opt.shelter_class)
            out.append(c)
    for n, p in enumerate(opt.points, start=1):
        c = {"key": f"point:{n}", "source": "user_point", "name": p.get("name") or f"point {n}",
             "kind": "user", "lon": float(p["lon"]), "lat": float(p["lat"]), "site_code": None, "ref": None,
             "town": p.get("town")}
        if purpose == "shelter":
            cp, basis, area = shelter_cap(p.get("area_m2"), p.get("capacity"))
            c.update(capacity=cp, basis=basis, area_m2=area, indoor_max=1.0 if p.get("indoor") else 0.0,
                     shelter_class=opt.shelter_class)
        out.append(c)
    if opt.include_osm:
        kinds = opt.osm_kinds or (SHELTER_KINDS if purpose == "shelter" else POINT_KINDS)
        for r in osm:
            if r.get("kind") not in kinds or r.get("lon") is None:
                continue
            c = {"key": f"cand:{r.get('id')}", "source": "candidate_site", "unnamed": not r.get("name"),
                 "name": r.get("name") or f"{r.get('kind')} {r.get('osm_ref') or r.get('id')}",
                 "kind": r.get("kind"), "lon": float(r["lon"]), "lat": float(r["lat"]), "site_code": None,
                 "ref": r.get("osm_ref"), "town": None, "occupied_by": r.get("occupied_by")}
            if purpose == "shelter":
                cp, basis, area = shelter_cap(r.get("area_m2"))
                # a school / town hall / community centre has buildings for indoor places; a
                # park, square or sports ground only outdoor ones
                c.update(capacity=cp, basis=basis, area_m2=area, shelter_class=opt.shelter_class,
                         indoor_max=1.0 if r.get("kind") in indoor_kinds else 0.0)
            out.append(c)
    if purpose == "point" and opt.include_units:
        du = inp.demand
        for k in range(len(du)):
            if np.isnan(du.lon[k]):
                continue
            out.append({"key": f"unit:{du.code[k]}", "source": "demand_unit", "name": du.name[k], "kind": "village",
                        "lon": float(du.lon[k]), "lat": float(du.lat[k]), "site_code": None, "ref": du.code[k],
                        "town": du.town[k]})
    return out


def hazard_exclusions(graph, hazards, lon: np.ndarray, lat: np.ndarray, setback_m: float) -> list[str | None]:
    """Per point: None if usable, else why not ("inside hazard zone X" / "within N m of X")."""
    out: list[str | None] = [None] * len(lon)
    if not hazards or len(lon) == 0:
        return out
    x, y = graph.to_xy(lon, lat)
    pts = shapely.points(x, y)
    for h in hazards:
        poly = graph.geom_to_xy(h.geometry)
        d = shapely.distance(poly, pts)
        for k in np.nonzero(d <= setback_m)[0]:
            if out[k] is None:
                out[k] = (f"inside hazard zone {h.name}" if d[k] <= 0 else
                          f"{d[k]:.0f} m from hazard zone {h.name} (setback {setback_m:g} m)")
    return out


OCCUPIED_M = 50.0  # a candidate this close to an existing (not closed) site of its purpose is that site


def _near_existing(inp, graph, mode: str, lon: np.ndarray, lat: np.ndarray) -> list[str | None]:
    """For each candidate, the code of an existing open/planned site of the same purpose
    (shelters for walking, warehouses/reserve points for driving) within OCCUPIED_M, else None."""
    st = inp.sites
    kinds = ("shelter",) if mode == "walk" else ("warehouse", "reserve_point")
    idx = np.nonzero(np.isin(st.kind, kinds) & (st.status != "closed") & ~np.isnan(st.lon))[0]
    out: list[str | None] = [None] * len(lon)
    if not len(idx) or not len(lon):
        return out
    from scipy.spatial import cKDTree

    sx, sy = graph.to_xy(st.lon[idx], st.lat[idx])
    ok = ~(np.isnan(lon) | np.isnan(lat))
    cx, cy = graph.to_xy(lon[ok], lat[ok])
    d, j = cKDTree(np.column_stack([sx, sy])).query(np.column_stack([cx, cy]))
    for k, dk, jk in zip(np.nonzero(ok)[0], d, j, strict=True):
        if dk <= OCCUPIED_M:
            out[k] = str(st.code[idx[jk]])
    return out


def _prepare(inp, graph, mode: str, cands: list[dict[str, Any]], setback_m: float):
    """Snap candidates, apply exclusions; returns (usable candidate list, excluded list, snap)."""
    lon = np.array([c["lon"] for c in cands], dtype=float)
    lat = np.array([c["lat"] for c in cands], dtype=float)
    snap = graph.snap(mode, lon, lat)
    why = hazard_exclusions(graph, inp.hazards, lon, lat, setback_m)
    near = _near_existing(inp, graph, mode, lon, lat)
    usable, excluded = [], []
    for k, c in enumerate(cands):
        c = dict(c)
        c["snap_m"] = None if np.isnan(snap.dist_m[k]) else round(float(snap.dist_m[k]), 1)
        if c.get("source") != "planned_site" and (c.get("occupied_by") or near[k]):
            c["excluded"] = f"already a site: {c.get('occupied_by') or near[k]}"
        elif why[k]:
            c["excluded"] = why[k]
        elif snap.status[k] != "ok":
            c["excluded"] = f"{snap.status[k]} (snap {c['snap_m']} m)"
        elif c.get("capacity", 1) <= 0:
            c["excluded"] = "no capacity"
        if c.get("excluded"):
            excluded.append(c)
        else:
            c["_node"], c["_snap_t"] = int(snap.node[k]), float(snap.time_s[k])
            usable.append(c)
    return usable, excluded


# -- reach --------------------------------------------------------------------------------------
def reach_pairs(G: csr_matrix, src_node: np.ndarray, src_t: np.ndarray, dst_node: np.ndarray,
                dst_t: np.ndarray, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (source k, destination i) with src_t + d(src → dst) + dst_t ≤ limit.

    Multi-source Dijkstra with ``limit`` in chunks of CHUNK distinct source nodes; only the
    destination columns are kept (never a dense sources × nodes matrix beyond one chunk).
    """
    ps, pd = [], []
    if len(src_node) == 0 or len(dst_node) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    un, row = np.unique(src_node, return_inverse=True)
    dn, drow = np.unique(dst_node, return_inverse=True)
    for c0 in range(0, len(un), CHUNK):
        D = dijkstra(G, directed=True, indices=un[c0:c0 + CHUNK], limit=limit)[:, dn]
        sel = np.nonzero((row >= c0) & (row < c0 + CHUNK))[0]
        for k in sel:
            t = D[row[k] - c0, drow] + src_t[k] + dst_t
            hit = np.nonzero(t <= limit + 1e-9)[0]
            ps.append(np.full(len(hit), k, np.int64))
            pd.append(hit)
    return (np.concatenate(ps) if ps else np.zeros(0, np.int64),
            np.concatenate(pd) if pd else np.zeros(0, np.int64))


def _merge_rows(n_rows: int, pr: np.ndarray, pc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge rows with identical column sets. Returns (group of each row or −1, gp, gc) pairs."""
    group = np.full(n_rows, -1, np.int64)
    if len(pr) == 0:
        return group, np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.lexsort((pc, pr))
    pr, pc = pr[order], pc[order]
    keys: dict[bytes, int] = {}
    starts = np.flatnonzero(np.r_[True, pr[1:] != pr[:-1]])
    ends = np.r_[starts[1:], len(pr)]
    gp, gc = [], []
    for a, b in zip(starts, ends, strict=True):
        cols = pc[a:b]
        key = cols.tobytes()
        g = keys.get(key)
        if g is None:
            g = keys[key] = len(keys)
            gp.append(np.full(len(cols), g, np.int64))
            gc.append(cols)
        group[pr[a]] = g
    return group, np.concatenate(gp), np.concatenate(gc)


# -- the capacitated shelter model --------------------------------------------------------------
@dataclass
class ShelterModel:
    n_groups: int
    g_dem: np.ndarray          # demand per merged group
    pair_g: np.ndarray         # pair → group
    pair_j: np.ndarray         # pair → column (0..n_exist-1 existing, then candidates)
    cap: np.ndarray            # per column
    n_exist: int
    total_demand: float        # all units' sheltering demand (the check's denominator)
    unit_group: np.ndarray     # per demand unit: its group (−1: none in reach)
    n_units_modelled: int
    # the indoor rule as one row: Σ ind_coef[j]·x_ij + Σ ind_y[j]·y_j ≤ ind_rhs (None: no row);
    # see :func:`set_indoor_rule`
    ind_coef: np.ndarray | None = None   # per column (existing shelters 0)
    ind_y: np.ndarray | None = None      # per candidate
    ind_rhs: float | None = None

    @property
    def n_cand(self) -> int:
        return len(self.cap) - self.n_exist


def set_indoor_rule(mdl: ShelterModel, cands: list[dict[str, Any]], base: dict[str, Any], keep: float) -> None:
    """Add the indoor rule to the model: after building, indoor capacity ÷ open capacity ≥ ``keep``.

    With I, C the open shelters' indoor and total capacity (``base``), a candidate whose places
    are its flow x_j (new sites, expansions) adds x_j places of which up to ``indoor_max``·x_j
    indoor; a planned site with a registered capacity adds its capacity cap_j and its indoor
    places ind_j once built (y_j). (I + Σ indoor) ≥ keep · (C + Σ added) is linear::

        Σ_j (keep − indoor_max_j) · x_j + Σ_j (keep · cap_j − ind_j) · y_j ≤ I − keep · C

    ``keep`` is the target, or the current share when that is below it already (then nothing may
    lower it further); the right-hand side is ≥ 0, so building nothing is always allowed.
    """
    coef = np.zeros(len(mdl.cap))
    ycoef = np.zeros(mdl.n_cand)
    for j, c in enumerate(cands):
        if c.get("fixed_capacity"):
            ycoef[j] = keep * float(c["capacity"]) - float(c.get("indoor_capacity") or 0.0)
        else:
            coef[mdl.n_exist + j] = keep - float(c.get("indoor_max") or 0.0)
    mdl.ind_coef, mdl.ind_y = coef, ycoef
    mdl.ind_rhs = max(0.0, float(base["indoor"]) - keep * float(base["capacity"]))


def build_shelter_model(inp, graph, cands: list[dict[str, Any]]) -> tuple[ShelterModel, dict[str, Any]]:
    from planner.engine.coverage import open_shelter_mask, shelter_capacities, unit_demand

    p = inp.params
    mode = p["mode"]
    mg = graph.mode(mode)
    thr = float(p["threshold_min"]) * 60.0
    st, du = inp.sites, inp.demand
    cap_all, _ind, _how = shelter_capacities(inp)
    snap_s = graph.snap(mode, st.lon, st.lat)
    ex = np.nonzero(open_shelter_mask(inp) & snap_s.ok & (cap_all > 0))[0]
    _pop, dem, _note = unit_demand(inp)
    snap_u = graph.snap(mode, du.lon, du.lat)
    units = np.nonzero(snap_u.ok & (dem > 0))[0]
    src_node = np.concatenate([snap_s.node[ex], np.array([c["_node"] for c in cands], np.int64)])
    src_t = np.concatenate([snap_s.time_s[ex], np.array([c["_snap_t"] for c in cands], float)])
    cap = np.concatenate([cap_all[ex], np.array([c["capacity"] for c in cands], float)])
    t0 = time.perf_counter()
    ps, pu = reach_pairs(mg.csr_t, src_node, src_t, snap_u.node[units], snap_u.time_s[units], thr)
    t_reach = time.perf_counter() - t0
    ug, gp, gc = _merge_rows(len(units), pu, ps)
    n_g = int(ug.max()) + 1 if len(ug) and ug.max() >= 0 else 0
    g_dem = np.zeros(n_g)
    has = ug >= 0
    np.add.at(g_dem, ug[has], dem[units[has]])
    unit_group = np.full(len(du), -1, np.int64)
    unit_group[units] = ug
    model = ShelterModel(n_g, g_dem, gp, gc, cap, len(ex), float(dem.sum()), unit_group, int(has.sum()))
    info = {"existing_open_shelters": int(len(ex)), "demand_units_in_reach": int(has.sum()),
            "demand_rows_merged": n_g, "pairs": int(len(gp)), "pairs_unmerged": int(len(ps)),
            "reach_s": round(t_reach, 3), "existing_idx": ex}
    return model, info


def _flow_lp_matrices(mdl: ShelterModel):
    """Rows: group demand, column capacity (x part only); returns (A_g, A_c)."""
    m_ = len(mdl.pair_g)
    cols = np.arange(m_)
    a_g = coo_matrix((np.ones(m_), (mdl.pair_g, cols)), shape=(mdl.n_groups, m_)).tocsr()
    a_c = coo_matrix((np.ones(m_), (mdl.pair_j, cols)), shape=(len(mdl.cap), m_)).tocsr()
    return a_g, a_c


def served_with(mdl: ShelterModel, chosen: np.ndarray) -> tuple[float, np.ndarray]:
    """Max people served with the existing shelters + ``chosen`` candidates (an LP); (served, flows).

    Among the maximum flows the one that sends the fewest people to new sites is returned, so
    a new site's flow is the people it adds (not people moved away from existing shelters).
    """
    open_col = np.zeros(len(mdl.cap), bool)
    open_col[:mdl.n_exist] = True
    open_col[mdl.n_exist + np.asarray(chosen, dtype=np.int64)] = True
    live = open_col[mdl.pair_j]
    flows = np.zeros(len(mdl.pair_g))
    if not live.any():
        return 0.0, flows
    idx = np.nonzero(live)[0]
    m_ = len(idx)
    cols = np.arange(m_)
    a = vstack([coo_matrix((np.ones(m_), (mdl.pair_g[idx], cols)), shape=(mdl.n_groups, m_)),
                coo_matrix((np.ones(m_), (mdl.pair_j[idx], cols)), shape=(len(mdl.cap), m_))]).tocsr()
    b = np.concatenate([mdl.g_dem, mdl.cap])
    cons = [LinearConstraint(a, -np.inf, b)]
    if mdl.ind_rhs is not None and mdl.ind_coef is not None and mdl.ind_y is not None:
        rhs = mdl.ind_rhs - float(mdl.ind_y[np.asarray(chosen, dtype=np.int64)].sum())
        cons.append(LinearConstraint(csr_matrix(mdl.ind_coef[mdl.pair_j[idx]][None, :]), -np.inf, rhs))
    c = -np.ones(m_) + 1e-4 * (mdl.pair_j[idx] >= mdl.n_exist)
    r = milp(c, constraints=cons, bounds=Bounds(0, np.inf))
    if r.x is None:
        if r.status == 2 and len(cons) > 1:   # these sites together break the indoor rule
            return -math.inf, flows
        raise RuntimeError(f"flow LP failed: {r.message}")
    flows[idx] = np.clip(r.x, 0, None)
    return float(flows.sum()), flows


def greedy_shelters(mdl: ShelterModel, *, k: int | None = None, target: float | None = None,
                    base_flows: np.ndarray | None = None) -> list[int]:
    """Instant first answer: repeatedly open the candidate that can take the most unmet demand."""
    if base_flows is None:
        _s, base_flows = served_with(mdl, np.zeros(0, np.int64))
    resid = mdl.g_dem.copy()
    np.subtract.at(resid, mdl.pair_g, base_flows)
    resid = np.maximum(resid, 0.0)
    served = float(base_flows.sum())
    cand_pairs = mdl.pair_j >= mdl.n_exist
    cg, cj = mdl.pair_g[cand_pairs], mdl.pair_j[cand_pairs] - mdl.n_exist
    inc = csr_matrix((np.ones(len(cg)), (cj, cg)), shape=(mdl.n_cand, mdl.n_groups))
    ccap = mdl.cap[mdl.n_exist:]
    # groups with fewer options are filled first when a site is opened
    n_opts = np.bincount(mdl.pair_g, minlength=mdl.n_groups)
    chosen: list[int] = []
    avail = np.ones(mdl.n_cand, bool)
    rule = mdl.ind_rhs is not None
    slack = math.inf if mdl.ind_rhs is None else float(mdl.ind_rhs)   # what the indoor rule still allows
    alpha = np.zeros(mdl.n_cand) if mdl.ind_coef is None else mdl.ind_coef[mdl.n_exist:]
    beta = np.zeros(mdl.n_cand) if mdl.ind_y is None else mdl.ind_y
    while avail.any():
        if k is not None and len(chosen) >= k:
            break
        if target is not None and served >= target - 1e-9:
            break
        room = ccap.copy()
        if rule:   # places that lower the indoor share only as far as the slack allows
            pos = alpha > 1e-12
            room[pos] = np.minimum(room[pos], max(slack, 0.0) / alpha[pos])
        gain = np.minimum(inc @ resid, room)
        gain[~avail] = -1
        if rule:
            gain[beta > slack + 1e-9] = -1
        j = int(np.argmax(gain))
        if gain[j] <= 1e-9:
            break
        chosen.append(j)
        avail[j] = False
        left = room[j]
        gs = inc.indices[inc.indptr[j]:inc.indptr[j + 1]]
        taken = 0.0
        for g in gs[np.argsort(n_opts[gs], kind="stable")]:
            take = min(left, resid[g])
            resid[g] -= take
            left -= take
            served += take
            taken += take
            if left <= 1e-9:
                break
        if rule:
            slack -= float(alpha[j]) * taken + float(beta[j])
    return chosen


class FlowNet:
    """People served with the existing shelters and a set of candidates, as an integer maximum flow
    (scipy's Dinic: ≈ 1–2 ms on 2,708 groups × 1,300 columns, against ≈ 50 ms for
    :func:`served_with`'s LP) — for screening many sets quickly.

    Demands and capacities are rounded down, so the value is never more than the LP's; the indoor
    rule is left out, so a set the flow says reaches a target is only an answer once
    :func:`served_with` (the rule included) agrees. ``usable`` is False when the figures do not fit
    the solver's 32-bit capacities."""

    def __init__(self, mdl: ShelterModel):
        self.mdl = mdl
        g_n, j_n, ne = mdl.n_groups, len(mdl.cap), mdl.n_exist
        self.G, self.ne, self.snk = g_n, ne, g_n + j_n + 1
        self.dem = np.floor(mdl.g_dem + 1e-9).astype(np.int64)
        self.capi = np.floor(mdl.cap + 1e-9).astype(np.int64)
        self.usable = int(self.dem.sum()) < 2**31 - 1 and (len(self.capi) == 0 or int(self.capi.max()) < 2**31 - 1)
        order = np.argsort(mdl.pair_j, kind="stable")
        self.by_col = order
        self.col_ptr = np.searchsorted(mdl.pair_j[order], np.arange(j_n + 1))
        ex = order[:self.col_ptr[ne]]
        # source → group (its demand), group → column (the group's demand), column → sink (its capacity)
        self.base = (np.concatenate([np.zeros(g_n, np.int64), 1 + mdl.pair_g[ex], 1 + g_n + np.arange(ne)]),
                     np.concatenate([1 + np.arange(g_n), 1 + g_n + mdl.pair_j[ex], np.full(ne, self.snk)]),
                     np.concatenate([self.dem, self.dem[mdl.pair_g[ex]], self.capi[:ne]]))

    def _graph(self, chosen) -> csr_matrix:
        mdl, g_n = self.mdl, self.G
        cols = self.ne + np.asarray(chosen, np.int64)
        idx = np.concatenate([self.by_col[self.col_ptr[j]:self.col_ptr[j + 1]] for j in cols]) \
            if len(cols) else np.zeros(0, np.int64)
        r0, c0, v0 = self.base
        rr = np.concatenate([r0, 1 + mdl.pair_g[idx], 1 + g_n + cols])
        cc = np.concatenate([c0, 1 + g_n + mdl.pair_j[idx], np.full(len(cols), self.snk)])
        vv = np.concatenate([v0, self.dem[mdl.pair_g[idx]], self.capi[cols]])
        return csr_matrix((vv.astype(np.int32), (rr, cc)), shape=(self.snk + 1, self.snk + 1))

    def value(self, chosen) -> int:
        return int(maximum_flow(self._graph(chosen), 0, self.snk, method="dinic").flow_value)

    def flows(self, chosen) -> tuple[int, csr_matrix]:
        """(value, flows as a groups × columns matrix)."""
        r = maximum_flow(self._graph(chosen), 0, self.snk, method="dinic")
        f = r.flow.tocsr()[1:self.G + 1, self.G + 1:self.snk].tocsr()
        f.data = np.maximum(f.data, 0)
        f.eliminate_zeros()
        return int(r.flow_value), f


def fewer_sites(mdl: ShelterModel, chosen: list[int], target: float, deadline: float, *, low: int = 1,
                net: FlowNet | None = None, screen: int = 40,
                patience: int | None = 10) -> tuple[list[int], list[dict[str, Any]]]:
    """Local search for fewer sites reaching ``target``: from ``chosen`` (n sites reaching it), drop the
    site whose loss is least, then swap one site for another (out of the set ↔ any candidate) while
    that serves more, until the n − 1 sites reach the target; then n − 2, … down to ``low``, until
    ``deadline`` (a ``time.perf_counter()`` value) or ``patience`` swaps in a row without a flow
    larger than the best of that count so far. Returns the fewest sites found (``chosen`` when
    none fewer) and what was tried.

    A swap's effect is first estimated from the current flow — sites out of the set lose their
    load, the new one takes what it reaches of the unmet and freed demand, up to its capacity (a
    flow that exists, so a lower bound) — and the ``screen`` best estimates are measured by
    :class:`FlowNet`; the best measured swap is made even when it serves no more (a site swapped
    out may not come back for 5 steps). A set the flow says reaches the target is taken only when
    :func:`served_with` (the LP, indoor rule included) agrees."""
    net = net or FlowNet(mdl)
    tried: list[dict[str, Any]] = []
    best = list(chosen)
    if not net.usable or not best:
        return best, tried
    t_call = time.perf_counter()
    nc, ne = mdl.n_cand, mdl.n_exist
    m = mdl.pair_j >= ne
    inc = csr_matrix((np.ones(int(m.sum())), (mdl.pair_j[m] - ne, mdl.pair_g[m])), shape=(nc, mdl.n_groups))
    ccap = net.capi[ne:].astype(float)
    rejected: set[frozenset[int]] = set()   # the flow reaches the target, the LP (indoor rule) does not

    def answer(t_set: list[int], f: int) -> bool:
        if f < target - 1e-6 or frozenset(t_set) in rejected:
            return False
        if served_with(mdl, np.array(t_set, np.int64))[0] >= target - 1e-6:
            return True
        rejected.add(frozenset(t_set))
        return False

    while len(best) - 1 >= max(low, 1) and time.perf_counter() < deadline:
        t0 = time.perf_counter()
        drops = [net.value(best[:q] + best[q + 1:]) for q in range(len(best))]
        q = int(np.argmax(drops))
        cur = best[:q] + best[q + 1:]
        tabu: dict[int, int] = {}
        found, steps, evals, top, top_step = None, 0, 0, -1, 0
        while time.perf_counter() < deadline:
            f, fl = net.flows(cur)
            if f > top:
                top, top_step = f, steps
            if answer(cur, f):
                found = cur
                break
            if patience is not None and steps - top_step >= patience:
                break
            steps += 1
            unmet = net.dem - np.asarray(fl.sum(axis=1)).ravel()
            out_fl = fl[:, ne + np.asarray(cur, np.int64)].T.tocsr()        # |cur| × groups
            load = np.asarray(out_fl.sum(axis=1)).ravel()
            est = f - load[:, None] + np.minimum(ccap[None, :], (inc @ unmet)[None, :] + (out_fl @ inc.T).toarray())
            est[:, cur] = -np.inf
            for j, until in tabu.items():
                if until > steps:
                    est[:, j] = -np.inf
            flat = est.ravel()
            n_top = min(screen, int(np.isfinite(flat).sum()))
            if n_top == 0:
                break
            pick = np.argpartition(-flat, n_top - 1)[:n_top]
            move = None
            for qq in pick[np.argsort(-flat[pick], kind="stable")]:
                o, i = divmod(int(qq), nc)
                cand = cur[:o] + cur[o + 1:] + [i]
                if frozenset(cand) in rejected:
                    continue
                v = net.value(cand)
                evals += 1
                if move is None or v > move[0]:
                    move = (v, o, i)
                if v >= target - 1e-6 or time.perf_counter() >= deadline:
                    break
            if move is None:
                break
            _v, o, i = move
            tabu[cur[o]] = steps + 5
            cur = cur[:o] + cur[o + 1:] + [i]
        tried.append({"sites": len(best) - 1, "found": found is not None, "best_flow": top, "steps": steps,
                      "best_step": top_step, "rejected": len(rejected),
                      "flows": evals + len(drops) + steps, "s": round(time.perf_counter() - t0, 3),
                      "found_s": None if found is None else round(time.perf_counter() - t_call, 3)})
        if found is None:
            break
        best = found
    return best, tried


def dominance(mdl: ShelterModel) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (j, j') of candidates where j' is at least as good as j in every respect: it reaches
    every demand group j reaches, holds as many people, and takes no more of the indoor rule's
    slack (per place and once built); ties go to the lower index. Swapping j for j' in any
    answer keeps it feasible and no worse, so some optimal answer opens j only with j' open
    (``y_j ≤ y_j'``). One pair per dominated candidate: its dominator with the most capacity."""
    nc = mdl.n_cand
    if nc < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    m = mdl.pair_j >= mdl.n_exist
    inc = csr_matrix((np.ones(int(m.sum())), (mdl.pair_j[m] - mdl.n_exist, mdl.pair_g[m])), shape=(nc, mdl.n_groups))
    size = np.asarray(inc.sum(axis=1)).ravel()
    cap = mdl.cap[mdl.n_exist:]
    icoef = np.zeros(nc) if mdl.ind_coef is None else mdl.ind_coef[mdl.n_exist:]
    iy = np.zeros(nc) if mdl.ind_y is None else mdl.ind_y
    idx = np.arange(nc)
    js: list[np.ndarray] = []
    jd: list[np.ndarray] = []
    for r0 in range(0, nc, 500):   # rows in blocks: a dense block of 500 × candidates at a time
        r1 = min(nc, r0 + 500)
        ov = (inc[r0:r1] @ inc.T).toarray()
        rs = slice(r0, r1)
        ok = (ov >= size[rs, None] - 0.5) & (cap[None, :] >= cap[rs, None] - 1e-9) \
            & (icoef[None, :] <= icoef[rs, None] + 1e-12) & (iy[None, :] <= iy[rs, None] + 1e-12)
        strict = (cap[None, :] > cap[rs, None] + 1e-9) | (size[None, :] > size[rs, None]) \
            | (icoef[None, :] < icoef[rs, None] - 1e-12) | (iy[None, :] < iy[rs, None] - 1e-12)
        ok &= strict | (idx[None, :] < idx[rs, None])
        ok[np.arange(r1 - r0), idx[rs]] = False
        rows = np.flatnonzero(ok.any(axis=1))
        if len(rows):
            best = np.argmax(np.where(ok[rows], cap[None, :] + 1.0, 0.0), axis=1)
            js.append(rows + r0)
            jd.append(best)
    if not js:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(js).astype(np.int64), np.concatenate(jd).astype(np.int64)


def _shelter_rows(mdl: ShelterModel, strengthen: bool, dominated: tuple[np.ndarray, np.ndarray] | None):
    """The constraint rows shared by every shelter MILP: (list of row blocks, lo, hi)."""
    from scipy.sparse import hstack

    m_ = len(mdl.pair_g)
    nc = mdl.n_cand
    a_g, a_c = _flow_lp_matrices(mdl)
    # capacity rows: Σ x − cap y ≤ 0 (candidates), Σ x ≤ cap (existing)
    yc = coo_matrix((-mdl.cap[mdl.n_exist:], (mdl.n_exist + np.arange(nc), np.arange(nc))),
                    shape=(len(mdl.cap), nc))
    rows = [hstack([a_g, csr_matrix((mdl.n_groups, nc))]), hstack([a_c, yc])]
    lo = [np.full(mdl.n_groups, -np.inf), np.full(len(mdl.cap), -np.inf)]
    hi = [mdl.g_dem, np.concatenate([mdl.cap[:mdl.n_exist], np.zeros(nc)])]
    # strengthening: x_ij − min(d_i, cap_j) y_j ≤ 0 for candidate pairs
    cp = np.nonzero(mdl.pair_j >= mdl.n_exist)[0] if strengthen else np.zeros(0, np.int64)
    if len(cp):
        jj = mdl.pair_j[cp] - mdl.n_exist
        coef = np.minimum(mdl.g_dem[mdl.pair_g[cp]], mdl.cap[mdl.pair_j[cp]])
        n = len(cp)
        rows.append(hstack([coo_matrix((np.ones(n), (np.arange(n), cp)), shape=(n, m_)),
                            coo_matrix((-coef, (np.arange(n), jj)), shape=(n, nc))]))
        lo.append(np.full(n, -np.inf))
        hi.append(np.zeros(n))
    if dominated is not None and len(dominated[0]):
        dj, dd = dominated
        n = len(dj)
        rows.append(hstack([csr_matrix((n, m_)),
                            coo_matrix((np.r_[np.ones(n), -np.ones(n)], (np.r_[np.arange(n), np.arange(n)],
                                                                        np.r_[dj, dd])), shape=(n, nc))]))
        lo.append(np.full(n, -np.inf))
        hi.append(np.zeros(n))
    if mdl.ind_rhs is not None and mdl.ind_coef is not None and mdl.ind_y is not None:
        rows.append(hstack([csr_matrix(mdl.ind_coef[mdl.pair_j][None, :]), csr_matrix(mdl.ind_y[None, :])]))
        lo.append(np.array([-np.inf]))
        hi.append(np.array([float(mdl.ind_rhs)]))
    return rows, lo, hi


def _milp(c, rows, lo, hi, m_: int, nc: int, time_limit: float, mip_rel_gap: float, relax: bool = False,
          allowed: np.ndarray | None = None, ipm: bool = False, build_in_limit: bool = False):
    """One HiGHS solve of the shelter model (``allowed``: candidates that may open, others fixed shut;
    ``build_in_limit``: building the matrix counts against ``time_limit``)."""
    t0 = time.perf_counter()
    A = vstack(rows).tocsr()
    if build_in_limit:
        time_limit -= time.perf_counter() - t0
    ub_y = np.ones(nc) if allowed is None else allowed.astype(float)
    if relax and ipm:   # fewest sites' LP: interior point (with crossover) 2–3× faster than simplex (measured)
        from scipy.optimize import linprog

        lo_, hi_ = np.concatenate(lo), np.concatenate(hi)
        up = np.isfinite(hi_)
        down = np.isfinite(lo_)
        A_ub = vstack([A[np.flatnonzero(up)], -A[np.flatnonzero(down)]]).tocsr()
        b_ub = np.concatenate([hi_[up], -lo_[down]])
        r = linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=np.column_stack([np.zeros(m_ + nc),
                                                                     np.r_[np.full(m_, np.inf), ub_y]]),
                    method="highs-ipm", options={"time_limit": max(0.05, float(time_limit))})
        return r, A.shape
    bounds = Bounds(np.zeros(m_ + nc), np.concatenate([np.full(m_, np.inf), ub_y]))
    opts: dict[str, Any] = {"time_limit": max(0.05, float(time_limit)), "disp": False}
    if not relax:
        opts["mip_rel_gap"] = mip_rel_gap
    integrality = np.zeros(m_ + nc) if relax else np.concatenate([np.zeros(m_), np.ones(nc)])
    r = milp(c, integrality=integrality, bounds=bounds,
             constraints=[LinearConstraint(A, np.concatenate(lo), np.concatenate(hi))], options=opts)
    return r, A.shape


def _restrict(mdl: ShelterModel, keep: np.ndarray) -> tuple[ShelterModel, np.ndarray]:
    """The model with only the candidates where ``keep`` (and their pairs); (model, their indices)."""
    idx = np.flatnonzero(keep)
    new = np.full(len(mdl.cap), -1, np.int64)
    new[:mdl.n_exist] = np.arange(mdl.n_exist)
    new[mdl.n_exist + idx] = mdl.n_exist + np.arange(len(idx))
    pm = new[mdl.pair_j] >= 0
    cols = np.r_[np.arange(mdl.n_exist), mdl.n_exist + idx]
    sub = dataclasses.replace(
        mdl, pair_g=mdl.pair_g[pm], pair_j=new[mdl.pair_j[pm]], cap=mdl.cap[cols],
        ind_coef=None if mdl.ind_coef is None else mdl.ind_coef[cols],
        ind_y=None if mdl.ind_y is None else mdl.ind_y[idx])
    return sub, idx


def _kernel_solve(mdl: ShelterModel, kernel: np.ndarray, *, k: int | None, target: float | None,
                  max_count: int | None, time_limit: float, mip_rel_gap: float) -> tuple[list[int] | None, Any]:
    """The MILP on the kernel's candidates only (a model of their pairs: far smaller than the
    full one); best-k when ``k``, else the fewest sites (≤ ``max_count``) reaching ``target``."""
    from scipy.sparse import hstack

    sub, idx = _restrict(mdl, kernel)
    m_, nc = len(sub.pair_g), sub.n_cand
    rows, lo, hi = _shelter_rows(sub, True, dominance(sub))
    count_row = hstack([csr_matrix((1, m_)), csr_matrix(np.ones((1, nc)))])
    if k is not None:
        rows, lo, hi = [*rows, count_row], [*lo, np.array([-np.inf])], [*hi, np.array([float(k)])]
        c = np.concatenate([-np.ones(m_), np.zeros(nc)])
    else:
        rows = [*rows, hstack([csr_matrix(np.ones((1, m_))), csr_matrix((1, nc))])]
        lo, hi = [*lo, np.array([float(target or 0.0)])], [*hi, np.array([np.inf])]
        if max_count is not None:
            rows, lo, hi = [*rows, count_row], [*lo, np.array([-np.inf])], [*hi, np.array([float(max_count)])]
        c = np.concatenate([np.zeros(m_), np.ones(nc)])
    r, _s = _milp(c, rows, lo, hi, m_, nc, time_limit, mip_rel_gap)
    if r.x is None:
        return None, r
    return [int(idx[j]) for j in np.nonzero(r.x[m_:] > 0.5)[0]], r


def _bound(r) -> float | None:
    b = getattr(r, "mip_dual_bound", None)
    return None if b is None or not np.isfinite(b) else float(b)


def solve_shelters(mdl: ShelterModel, *, k: int | None = None, target: float | None = None,
                   time_limit: float = 20.0, mip_rel_gap: float = 1e-4, max_sites: int | None = None,
                   strengthen: bool | None = None, dominated: bool = True,
                   start: list[int] | None = None) -> dict[str, Any]:
    """The exact MILP (best-k when ``k`` is given, else min sites reaching ``target``) within
    ``time_limit`` seconds in all.

    The formulation carries the strengthening rows ``x_ij ≤ min(d_i, cap_j)·y_j`` (the LP bound of
    the capacitated model is weak without them) and the dominance rows ``y_j ≤ y_j'``
    (:func:`dominance`). Its LP relaxation gives a proven bound and a *kernel*: the candidates the
    LP opens at all, with ``start`` (the greedy answer). The MILP restricted to the kernel (small,
    solved in a fraction of the time) gives a strong first answer; then

    * best-k: the full MILP, with what is left of the time (its answer replaces the kernel's when
      better; its bound tightens the LP's);
    * fewest sites: ⌈LP⌉ is a lower bound L; the LP's candidates in order of their y, the shortest
      prefix reaching the target, is a first answer; :func:`fewer_sites` (local search: drop one,
      swap, screened by an integer max flow, verified by :func:`served_with`) finds fewer; then
      "the k sites serving the most" on the kernel by bisection (only when the local search did
      not run or its flows missed the indoor rule) and the full model at one site fewer than found
      (no relative gap tolerance): an answer reaching the target is a better one, an optimum or
      bound below it proves the count found the fewest.

    ``gap`` is the proven relative gap: best-k (bound − served) ÷ served; fewest sites (sites −
    lower bound) ÷ sites. ``time_limit_s`` is returned with it."""
    t_start = time.perf_counter()

    def left() -> float:
        return time_limit - (time.perf_counter() - t_start)

    stages: dict[str, float] = {}
    t_last = [t_start]

    def stage(name: str) -> None:
        now = time.perf_counter()
        stages[name] = round(stages.get(name, 0.0) + now - t_last[0], 3)
        t_last[0] = now

    m_ = len(mdl.pair_g)
    nc = mdl.n_cand
    if strengthen is None:
        strengthen = True
    dom = dominance(mdl) if dominated else None
    rows, lo, hi = _shelter_rows(mdl, strengthen, dom)
    from scipy.sparse import hstack

    out: dict[str, Any] = {"strengthened": bool(strengthen), "dominated": 0 if dom is None else int(len(dom[0])),
                           "time_limit_s": float(time_limit), "binaries": nc, "stages_s": stages}
    count_row = hstack([csr_matrix((1, m_)), csr_matrix(np.ones((1, nc)))])
    served_row = hstack([csr_matrix(np.ones((1, m_))), csr_matrix((1, nc))])
    start_set = np.zeros(nc, bool)
    if start:
        start_set[np.asarray(start, np.int64)] = True

    def finish(chosen, status, message, gap, optimal, **more) -> dict[str, Any]:
        out.update(chosen=chosen, status=int(status), message=message, gap=gap, optimal=bool(optimal), **more)
        out["solve_s"] = round(time.perf_counter() - t_start, 3)
        return out

    if k is not None:
        rows.append(count_row)
        lo.append(np.array([-np.inf]))
        hi.append(np.array([float(k)]))
        c = np.concatenate([-np.ones(m_), np.zeros(nc)])
        r, shape = _milp(c, rows, lo, hi, m_, nc, left(), mip_rel_gap, relax=True)
        out.update(rows=int(shape[0]), cols=int(shape[1]))
        stage("lp")
        if r.x is None:
            return finish(None, r.status, r.message, None, False, dual_bound=None)
        upper = -float(r.fun)                     # the LP bound on people served
        out["lp_bound"] = round(upper, 3)
        kernel = (r.x[m_:] > 1e-6) | start_set
        out["kernel"] = int(kernel.sum())
        best, best_val = None, -math.inf
        got, r1 = _kernel_solve(mdl, kernel, k=k, target=None, max_count=None, time_limit=0.4 * left(),
                                mip_rel_gap=mip_rel_gap)
        if got is not None:
            best, best_val = got, -float(r1.fun)
        out["kernel_served"] = None if best is None else round(best_val, 3)
        stage("kernel")
        # the full model (measured: a cut-off row "better than the kernel's answer" slows HiGHS
        # down; the kernel's answer is kept when the full model's is not better)
        r2, _s = _milp(c, rows, lo, hi, m_, nc, left(), mip_rel_gap)
        stage("full")
        status, message = r2.status, r2.message
        if r2.x is not None and -float(r2.fun) > best_val:
            best, best_val = [int(j) for j in np.nonzero(r2.x[m_:] > 0.5)[0]], -float(r2.fun)
        b2 = _bound(r2)
        if r2.status == 0 and r2.x is not None:
            upper = min(upper, max(-float(r2.fun), best_val) if b2 is None else max(-b2, best_val))
        elif b2 is not None:
            upper = min(upper, max(-b2, best_val))
        out["dual_bound"] = -upper
        if best is None:
            return finish(None, status, message, None, False)
        gap_k = max(0.0, (upper - best_val) / max(abs(best_val), 1e-9))
        out["objective"] = -best_val
        return finish(best, status, message, gap_k, gap_k <= mip_rel_gap + 1e-12)
    if target is None:  # float(None) raised this TypeError before
        raise TypeError("solve_shelters needs k or target")
    rows.append(served_row)
    lo.append(np.array([float(target)]))
    hi.append(np.array([np.inf]))
    # the LP relaxation: a proven lower bound on the number of sites
    c = np.concatenate([np.zeros(m_), np.ones(nc)])
    r, shape = _milp(c, rows, lo, hi, m_, nc, left(), mip_rel_gap, relax=True, ipm=True)
    out.update(rows=int(shape[0]) + 1, cols=int(shape[1]))
    if r.x is None:
        more = {"infeasible": True} if r.status == 2 else {}   # the LP cannot reach the target
        return finish(None, r.status, r.message, None, False, dual_bound=None, **more)
    low = max(0, math.ceil(float(r.fun) - 1e-6))
    out["lp_bound"] = round(float(r.fun), 6)
    stage("lp")
    kernel = (r.x[m_:] > 1e-6) | start_set
    out["kernel"] = int(kernel.sum())
    upper = nc + 1 if max_sites is None else int(max_sites)   # sites known to suffice (the greedy's)
    chosen = None
    found_at = t_start
    status, message = 0, ""
    # LP rounding: the candidates in order of the LP's y; the shortest prefix reaching the target
    # (bisection over served_with) — often far fewer sites than the greedy's
    order = np.argsort(-r.x[m_:], kind="stable")
    order = order[r.x[m_:][order] > 1e-6]
    if len(order):
        def reaches(n: int) -> bool:
            got, _f = served_with(mdl, order[:n])
            return got >= float(target) - 1e-6
        a_, b_ = max(low, 1) - 1, min(len(order), upper)
        if b_ > a_ and reaches(b_):
            while b_ - a_ > 1:
                mid = (a_ + b_) // 2
                if reaches(mid):
                    b_ = mid
                else:
                    a_ = mid
            if b_ < upper or max_sites is None:
                chosen = [int(j) for j in order[:b_]]
                found_at = time.perf_counter()
        out["rounded_sites"] = None if chosen is None else len(chosen)
        stage("rounding")
    # fewer sites by local search (drop one, swap with max-flow screening): from the rounding's
    # answer (else the greedy's), with up to 70 % of the time left; a count it cannot reach stops it
    # after 10 swaps without a larger flow (the benchmarks' best flows came within 3 swaps, none
    # better in 20–30 s more), so the proof below keeps most of the time (35 % cut 28 → 25 short
    # at 26 once, with the 5 s limit at load 4.5: measured)
    seed = chosen if chosen is not None else ([int(j) for j in start] if start and max_sites is not None else None)
    if seed is not None and low < len(seed) and left() > 0.3:
        t_ls = time.perf_counter()
        got_ls, ls_tried = fewer_sites(mdl, seed, float(target), t_ls + 0.7 * left(), low=low)
        out["local_search"] = ls_tried
        if len(got_ls) < len(seed):
            chosen = got_ls
            found_at = t_ls + max(t["found_s"] for t in ls_tried if t["found"])
            kernel[np.asarray(got_ls, np.int64)] = True
            out["kernel"] = int(kernel.sum())
        out["local_search_sites"] = None if chosen is None else len(chosen)
        stage("local_search")
    # fewer sites: "the k sites that serve the most" on the kernel's candidates (HiGHS finds good
    # answers to that form fast — to the covering form it hardly finds any, measured) for k between
    # the lower bound and the fewest found so far, by bisection — when the local search did not run,
    # or turned a set down for the indoor rule (which its flows leave out): after it, the kernel's
    # answers were no better on the benchmarks (24 sites: 296,880 against 298,531 served; quick, 15:
    # the same 399,692) and its second goes to the full model's proof instead
    tried: list[dict[str, Any]] = []
    best_n = upper if chosen is None else len(chosen)
    a_, b_ = low - 1, best_n
    ls_done = out.get("local_search")
    use_kernel = not ls_done or any(t["rejected"] for t in ls_done)
    while use_kernel and b_ - a_ > 1 and left() > 0.3:
        mid = (a_ + b_) // 2
        got, rk = _kernel_solve(mdl, kernel, k=mid, target=None, max_count=None,
                                time_limit=min(left() / 2, 1.0), mip_rel_gap=mip_rel_gap)
        served_k = None if got is None else -float(rk.fun)
        tried.append({"sites": mid, "served": None if served_k is None else round(served_k, 3)})
        if got is not None and served_k is not None and served_k >= float(target):
            chosen, b_ = got, len(got)
            found_at = time.perf_counter()
        else:
            a_ = mid
    out["counts_tried"] = tried
    stage("kernel")
    # the full model at one site fewer than the best count found: an answer reaching the target is
    # a better one (and the next count is tried); its bound on the people that many sites can serve,
    # when below the target, proves the count found the fewest (a better answer first: proving the
    # lower bound's count instead needs far more search on the benchmark, measured). No relative gap
    # tolerance here: HiGHS would stop with the bound within 1e-4 of its answer, above the target
    # yet (the quick benchmark's 15 sites: bound 400,014 ≥ 400,008; with none, the optimum 399,978
    # proves 16 the fewest in the same 3.3 s, measured); the feasibility form "reach the target" is
    # proven infeasible far more slowly (> 30 s, measured)
    # — only with twice the LP's seconds left: its root LP alone takes about as long (with 1–1.3×
    # left it found nothing and overran the limit by 0.5–0.8 s at load 5, measured)
    ck = np.concatenate([-np.ones(m_), np.zeros(nc)])
    best_n = len(chosen) if chosen is not None else upper
    need_s = max(0.3, 2.0 * stages.get("lp", 0.0))
    while (chosen is not None or max_sites is not None) and low < best_n and left() > need_s:
        kk = best_n - 1
        r, _s = _milp(ck, [*rows[:-1], count_row], [*lo[:-1], np.array([-np.inf])],
                      [*hi[:-1], np.array([float(kk)])], m_, nc, left(), 0.0, build_in_limit=True)
        stage("full")
        status, message = int(r.status), r.message
        b2 = _bound(r)
        tried.append({"sites": kk, "full": True, "served": None if r.x is None else round(-float(r.fun), 3),
                      "bound": None if b2 is None else round(-b2, 3)})
        if r.x is not None and -float(r.fun) >= float(target):
            chosen = [int(j) for j in np.nonzero(r.x[m_:] > 0.5)[0]]
            best_n = len(chosen)
            found_at = time.perf_counter()
            continue
        if (r.status == 0 and r.x is not None) or (b2 is not None and -b2 < float(target)):
            low = max(low, kk + 1)     # proven: kk sites serve fewer than the target
            continue
        break
    best_n = len(chosen) if chosen is not None else upper
    if low >= best_n:
        status, message = 0, "optimal"
    elif left() <= need_s:   # (the full model not run for want of time counts as its limit)
        status, message = 1, "time limit reached"
    out["lower_bound"] = low
    out["dual_bound"] = float(low)
    if chosen is None:
        known = upper if max_sites is not None else None
        gap_n = None if not known else max(0.0, (known - low) / known)
        if known and low >= known:
            message = "optimal: the greedy answer's count is the lower bound"
        return finish(None, status, message, gap_n, max_sites is not None and low >= upper)
    out["objective"] = float(len(chosen))
    out["answer_s"] = round(found_at - t_start, 3)   # when the answer given was found
    return finish(chosen, status, message, max(0.0, (len(chosen) - low) / max(len(chosen), 1)), len(chosen) <= low)


def _gap(r, maximise: bool) -> float | None:
    g = getattr(r, "mip_gap", None)
    if g is not None and np.isfinite(g):
        return max(0.0, float(g))
    bound = getattr(r, "mip_dual_bound", None)
    if bound is None or r.fun is None or not np.isfinite(bound):
        return None
    return abs(float(r.fun) - float(bound)) / max(abs(float(r.fun)), 1e-9)


# -- reserve points -----------------------------------------------------------------------------
def solve_cover(rows_of_pairs: tuple[np.ndarray, np.ndarray], n_rows: int, n_cols: int, weight: np.ndarray,
                *, time_limit: float, mip_rel_gap: float) -> dict[str, Any]:
    """Set cover: min Σ y − ε Σ weight·y s.t. every row has a chosen column."""
    pr, pc = rows_of_pairs
    A = csr_matrix((np.ones(len(pr)), (pr, pc)), shape=(n_rows, n_cols))
    eps = 0.5 / (float(weight.sum()) + 1.0)
    c = 1.0 - eps * weight
    t0 = time.perf_counter()
    r = milp(c, integrality=np.ones(n_cols), bounds=Bounds(0, 1),
             constraints=[LinearConstraint(A, 1, np.inf)],
             options={"time_limit": float(time_limit), "mip_rel_gap": mip_rel_gap, "disp": False})
    out = {"status": int(r.status), "message": r.message, "solve_s": round(time.perf_counter() - t0, 3),
           "rows": n_rows, "cols": n_cols, "binaries": n_cols}
    if r.x is None:
        out.update(chosen=None, optimal=False, gap=None)
        return out
    out["chosen"] = [int(j) for j in np.nonzero(r.x > 0.5)[0]]
    out["optimal"] = r.status == 0
    out["gap"] = _gap(r, False)
    return out


def greedy_cover(pr: np.ndarray, pc: np.ndarray, n_rows: int, n_cols: int, weight: np.ndarray) -> list[int]:
    inc = csr_matrix((np.ones(len(pr)), (pc, pr)), shape=(n_cols, n_rows))
    left = np.ones(n_rows)
    chosen: list[int] = []
    while left.any():
        gain = inc @ left
        if gain.max() <= 0:
            break
        best = np.flatnonzero(gain == gain.max())
        j = int(best[np.argmax(weight[best])])
        chosen.append(j)
        left[inc.indices[inc.indptr[j]:inc.indptr[j + 1]]] = 0
    return chosen


# -- actions ------------------------------------------------------------------------------------
def _kind(kind: Any, lang: str) -> str:
    from planner.text import catalogue, text

    return text(f"recommend.kind.{kind}", lang) if f"recommend.kind.{kind}" in catalogue() else str(kind)


def _place_in(c: dict[str, Any], lang: str) -> str:
    from planner.text import text

    name = c["name"]
    if c["source"] == "candidate_site":
        if c.get("unnamed"):
            return text("recommend.place.unnamed", lang, kind=_kind(c["kind"], lang), ref=c.get("ref") or c["key"],
                        lon=f"{c['lon']:.5f}", lat=f"{c['lat']:.5f}")
        ref = text("recommend.place.osm_ref", lang, ref=c["ref"]) if c.get("ref") else ""
        return text("recommend.place.candidate", lang, name=name, kind=_kind(c["kind"], lang), ref=ref)
    if c["source"] == "planned_site":
        return text("recommend.place.planned", lang, name=name, code=c["site_code"])
    return name


def _place(c: dict[str, Any]) -> tuple[str, str]:
    """The place of a candidate in Chinese and English."""
    return _place_in(c, "zh"), _place_in(c, "en")


def _nearest_town(inp, lon: float, lat: float) -> str | None:
    du = inp.demand
    ok = ~np.isnan(du.lon)
    if not ok.any():
        return None
    d = (du.lon[ok] - lon) ** 2 + ((du.lat[ok] - lat) * 1.0) ** 2
    return du.town[np.nonzero(ok)[0][int(np.argmin(d))]]


# -- the shelter rules: indoor share, fixed-shelter share -------------------------------------------
RULES = ("indoor_share_of_capacity", "fixed_capacity_share_of_population", "indoor_area_share_of_fixed")


def shelter_rules(inp) -> dict[str, Any]:
    """The figures behind the engine's shelter rules, counted as its checks count them (open
    shelters, built or — with include_planned — planned): capacity, indoor capacity, fixed
    (short/medium/long) capacity, 规划人口, the fixed shelters' indoor and total effective area,
    and the targets."""
    from planner.engine.coverage import FIXED_CLASSES, open_shelter_mask, shelter_capacities
    from planner.engine.figures import plan_figures

    cap, ind, _how = shelter_capacities(inp)
    st, p = inp.sites, inp.params
    op = open_shelter_mask(inp)
    fixed = op & np.array([c in FIXED_CLASSES for c in st.shelter_class], bool)
    ia = np.nan_to_num(st.indoor_area[fixed])
    oa = np.nan_to_num(st.outdoor_area[fixed])
    return {"capacity": float(cap[op].sum()), "indoor": float(ind[op].sum()), "fixed": float(cap[fixed].sum()),
            "planning_population": plan_figures(inp).planning_population,
            "fixed_indoor_area": float(ia.sum()), "fixed_area": float(ia.sum() + oa.sum()),
            "targets": {"indoor_share_of_capacity": float(p["indoor_share_target"]),
                        "fixed_capacity_share_of_population": float(p["fixed_share_target"]),
                        "indoor_area_share_of_fixed": float(p["indoor_area_share_fixed_target"])}}


def _shares(base: dict[str, Any], add: dict[str, float] | None = None) -> dict[str, float | None]:
    a = add or {}
    cap = base["capacity"] + a.get("capacity", 0.0)
    ind = base["indoor"] + a.get("indoor", 0.0)
    fixed = base["fixed"] + a.get("fixed", 0.0)
    area = base["fixed_area"] + a.get("fixed_area", 0.0)
    pop = base["planning_population"]
    return {"indoor_share_of_capacity": ind / cap if cap > 0 else None,
            "fixed_capacity_share_of_population": fixed / pop if pop else None,
            "indoor_area_share_of_fixed": (base["fixed_indoor_area"] + a.get("fixed_indoor_area", 0.0)) / area
            if area > 0 else None}


def rule_changes(base: dict[str, Any], add: dict[str, float] | None = None) -> dict[str, dict[str, Any]]:
    """Each rule before and after adding ``add`` (capacity, indoor, fixed, fixed_indoor_area,
    fixed_area): ``{rule: {before, after, target, passed_before, passed_after, lowers}}``."""
    b, a = _shares(base), _shares(base, add)
    out = {}
    for rid in RULES:
        t = base["targets"][rid]
        x, y = b[rid], a[rid]
        out[rid] = {"before": None if x is None else round(x, 6), "after": None if y is None else round(y, 6),
                    "target": t, "passed_before": None if x is None else x >= t - 1e-9,
                    "passed_after": None if y is None else y >= t - 1e-9,
                    "lowers": x is not None and y is not None and y < x - 1e-9}
    return out


def _p(x: float | None, digits: int = 1) -> str:
    """A share as text: '16.7 %' ('—' unknown); a target prints whole when it is ('20 %')."""
    from planner.textfmt import pct

    if x is not None and digits == 0 and abs(x * 100 - round(x * 100)) > 1e-9:
        digits = 1
    return pct(x, digits=digits, sep=" ")


def _p2(a: float | None, b: float | None) -> tuple[str, str]:
    """Two shares with as many decimals as it takes to tell them apart (up to 3)."""
    for d in (1, 2, 3):
        if a is None or b is None or abs(a - b) < 1e-12 or _p(a, d) != _p(b, d):
            break
    return _p(a, d), _p(b, d)


def _indoor_clause(eff: dict[str, Any], kept: bool, lang: str) -> str:
    """The action's side effect on the indoor share, when it lowers it below the target."""
    from planner.text import text

    e = eff["indoor_share_of_capacity"]
    if not e["lowers"] or e["passed_after"]:
        return ""
    key = "recommend.effect.below_alone" if kept else "recommend.effect.below"
    before, after = _p2(e["before"], e["after"])
    return text(key, lang, before=before, after=after, target=_p(e["target"], 0))


def shelter_actions(inp, cands: list[dict[str, Any]], mdl: ShelterModel, chosen: list[int],
                    flows: np.ndarray, opt: Options, *, base: dict[str, Any] | None = None,
                    keep: float | None = None) -> list[dict[str, Any]]:
    """The actions of the chosen candidates, each with what it adds and its effect on the rules.

    New places at a candidate that can give indoor ones (``indoor_max`` > 0: a school, a town
    hall …) include the indoor places the set needs so that the indoor share stays ≥ ``keep``
    (the target, or the current share when below it), spread over those candidates by their
    places. ``effects`` of an action: the rules before and after that action alone (the GUI
    applies one at a time); the action's text states a fall below the target.
    """
    from planner.engine.coverage import FIXED_CLASSES, per_capita_area
    from planner.text import text
    from planner.textfmt import num

    base = base if base is not None else shelter_rules(inp)
    if keep is None:
        t = base["targets"]["indoor_share_of_capacity"]
        s0 = base["indoor"] / base["capacity"] if base["capacity"] > 0 else None
        keep = t if s0 is None or s0 >= t else s0
    load = np.zeros(len(mdl.cap))
    np.add.at(load, mdl.pair_j, flows)
    rows = []
    for j in sorted(chosen, key=lambda j: -load[mdl.n_exist + j]):
        c = cands[j]
        served = float(load[mdl.n_exist + j])
        people = int(math.ceil(served - 1e-6))
        cls = c.get("shelter_class") or opt.shelter_class
        fixed = cls in FIXED_CLASSES
        row: dict[str, Any] = {"j": j, "c": c, "served": served, "people": people, "cls": cls, "indoor": 0}
        if c.get("fixed_capacity"):   # a planned site, built as registered
            add = {"capacity": float(c["capacity"]), "indoor": float(c.get("indoor_capacity") or 0.0)}
            if fixed:
                add.update(fixed=add["capacity"], fixed_indoor_area=c.get("indoor_area_m2") or 0.0,
                           fixed_area=(c.get("indoor_area_m2") or 0.0) + (c.get("outdoor_area_m2") or 0.0))
            row["add"] = add
        else:
            row["add"] = {"capacity": float(people), "fixed": float(people) if fixed else 0.0}
            row["room"] = int(math.floor(float(c.get("indoor_max") or 0.0) * people + 1e-9))
        rows.append(row)
    # the indoor places the set needs to keep the indoor share ≥ keep, where there can be some
    add_cap = sum(r["add"]["capacity"] for r in rows)
    add_ind = sum(r["add"].get("indoor", 0.0) for r in rows)
    need = max(0, math.ceil(keep * (base["capacity"] + add_cap) - base["indoor"] - add_ind - 1e-6))
    able = [r for r in rows if r.get("room") and r["c"]["source"] != "expansion"]
    tot = sum(r["people"] for r in able)
    for r in able:
        r["indoor"] = min(r["room"], math.ceil(need * r["people"] / tot - 1e-9)) if tot else 0
    left = need - sum(r["indoor"] for r in able)
    for r in able:   # places a full candidate could not take
        if left <= 0:
            break
        more = min(left, r["room"] - r["indoor"])
        r["indoor"] += more
        left -= more
    all_add: dict[str, float] = {}
    for r in rows:
        if "room" in r:
            norm = per_capita_area(inp, r["cls"])
            r["add"]["indoor"] = float(r["indoor"])
            if r["cls"] in FIXED_CLASSES and r["c"]["source"] != "expansion":
                r["add"].update(fixed_indoor_area=r["indoor"] * norm, fixed_area=r["people"] * norm)
        for k, v in r["add"].items():
            all_add[k] = all_add.get(k, 0.0) + v
    kept = _shares(base, all_add)["indoor_share_of_capacity"]
    set_keeps = kept is None or kept >= keep - 1e-9

    acts = []
    for r in rows:
        c, people, served, cls = r["c"], r["people"], r["served"], r["cls"]
        eff = rule_changes(base, r["add"])
        adds = {k: round(float(v), 3) for k, v in r["add"].items()}
        side = {lang: _indoor_clause(eff, set_keeps and len(rows) > 1, lang) for lang in ("zh", "en")}
        if c["source"] == "expansion":
            area = people * per_capita_area(inp, c.get("shelter_class"))
            args = dict(name=c["name"], code=c["site_code"], people=f"{people:,}", area=f"{area:,.0f}",
                        before=f"{c['base_capacity']:,.0f}", after=f"{c['base_capacity'] + people:,.0f}")
            acts.append({
                "type": "expand_shelter", "site_code": c["site_code"], "name": c["name"],
                "add_capacity": people, "new_capacity": int(c["base_capacity"] + people),
                "add_effective_area_m2": round(area, 1), "serves": round(served, 1), "lon": c["lon"], "lat": c["lat"],
                "effects": eff, "adds": adds,
                **{lang: text("recommend.expand_shelter", lang, **args) + side[lang] for lang in ("zh", "en")}})
            continue
        norm = per_capita_area(inp, cls)
        area = people * norm
        ind = int(r["indoor"])
        town = c.get("town") or _nearest_town(inp, c["lon"], c["lat"])
        assumed = "assumed" in str(c.get("basis") or "")

        def say(lang: str, c=c, cls=cls, area=area, people=people, ind=ind, norm=norm, assumed=assumed,
                side=side) -> str:
            more = text("recommend.assumed_area", lang) if assumed else ""
            if ind:
                more += text("recommend.indoor_places", lang, n=f"{ind:,}", area=num(ind * norm),
                             kind=_kind(c["kind"], lang))
            return text("recommend.build_shelter", lang, place=_place_in(c, lang), cls=_kind_class(cls, lang),
                        area=f"{area:,.0f}", people=f"{people:,}", more=more) + side[lang]
        act = {
            "type": "build_shelter", "candidate": c["key"], "source": c["source"], "site_code": c.get("site_code"),
            "name": c["name"], "kind": c["kind"], "osm_ref": c.get("ref"), "lon": c["lon"], "lat": c["lat"],
            "town": town, "shelter_class": cls, "capacity": people, "effective_area_m2": round(area, 1),
            "indoor_places": ind, "indoor_area_m2": round(ind * norm, 1),
            "outdoor_area_m2": round((people - ind) * norm, 1),
            "candidate_capacity": c["capacity"], "capacity_basis": c["basis"], "serves": round(served, 1),
            "snap_m": c.get("snap_m"), "effects": eff, "adds": adds, "zh": say("zh"), "en": say("en")}
        if c.get("fixed_capacity"):   # built as registered: its own capacity and areas
            act.update(indoor_places=int(r["add"]["indoor"]), indoor_area_m2=c.get("indoor_area_m2"),
                       outdoor_area_m2=c.get("outdoor_area_m2"), added_capacity=float(c["capacity"]))
        acts.append(act)
    return acts


def _kind_class(cls: str, lang: str) -> str:
    from planner.text import catalogue, text

    key = f"recommend.class.{cls}"
    return text(key, lang) if key in catalogue() else str(cls)


# -- public entry points ------------------------------------------------------------------------
def _graph(inp, graph, cands: list[dict[str, Any]] | None = None):
    """``graph``, or the scenario's graph with the candidates' points split into the roads
    (``extra_points``: their travel times are then exact, see planner.engine.graph)."""
    if graph is not None:
        return graph
    from planner.engine.graph import RoadGraph

    extra = None
    if cands:
        extra = (np.array([c["lon"] for c in cands], float), np.array([c["lat"] for c in cands], float))
    g = RoadGraph(inp, extra_points=extra)
    return g.with_hazards(inp.hazards) if inp.hazards else g


def _expansion_candidates(inp, graph, opt: Options, base_state) -> list[dict[str, Any]]:
    """Full open shelters that turn people away: expand by up to expand_share of capacity."""
    from planner.engine.coverage import shelter_capacities

    cap, _i, _h = shelter_capacities(inp)
    st = inp.sites
    out = []
    for k in base_state:
        if cap[k] <= 0:
            continue
        out.append({"key": f"expand:{st.code[k]}", "source": "expansion", "name": st.name[k], "kind": "shelter",
                    "lon": float(st.lon[k]), "lat": float(st.lat[k]), "site_code": st.code[k], "ref": None,
                    "capacity": float(math.floor(cap[k] * opt.expand_share)), "base_capacity": float(cap[k]),
                    "basis": f"{opt.expand_share:g} × capacity {cap[k]:g}", "area_m2": None,
                    "shelter_class": _plain(st.shelter_class[k]), "town": st.town[k],
                    "indoor_max": 0.0})   # added places are outdoor ones (the registered indoor area stays)
    return out


def recommend_shelters(inp, *, problem: str = "shelters", candidates: list[dict[str, Any]] | None = None,
                       options: Options | None = None, graph=None, verify: bool = True,
                       progress=None) -> dict[str, Any]:
    """Recommend new shelters. ``problem``: "shelters" (fewest to reach the target) or "best-k".

    ``candidates``: CandidateSite dicts (see :func:`load_candidates`). Returns a dict with the
    greedy and exact answers, the action list, promised and (``verify``) achieved served share.
    """
    opt = options or Options()
    if opt.indoor_rule not in INDOOR_RULES:
        raise ValueError(f"indoor_rule must be one of {INDOOR_RULES}, not {opt.indoor_rule!r}")
    t_all = time.perf_counter()
    raw = _gather(inp, candidates or [], opt, "shelter")
    graph = _graph(inp, graph, raw)
    mode = inp.params["mode"]
    cands, excluded = _prepare(inp, graph, mode, raw, opt.setback_m)
    exp = []
    if opt.expand:
        from planner.engine.coverage import compute_coverage

        cov = compute_coverage(inp, graph, service_areas=False)
        full = [int(k) for k in cov.usable_idx if cov.capacity[k] > 0 and cov.assigned[k] >= cov.capacity[k] - 1e-6]
        for c in _expansion_candidates(inp, graph, opt, full):
            s = graph.snap(mode, [c["lon"]], [c["lat"]])
            c["_node"], c["_snap_t"], c["snap_m"] = int(s.node[0]), float(s.time_s[0]), round(float(s.dist_m[0]), 1)
            exp.append(c)
    cands = cands + exp
    if progress:
        progress(0.1, "candidates")
    mdl, info = build_shelter_model(inp, graph, cands)
    if progress:
        progress(0.4, "reach")
    # the rules new capacity must respect (or whose change is reported): the indoor share is kept
    # ≥ its target — or, when below it already, not lowered further
    base = shelter_rules(inp)
    t_ind = base["targets"]["indoor_share_of_capacity"]
    s0 = base["indoor"] / base["capacity"] if base["capacity"] > 0 else None
    below = s0 is not None and s0 < t_ind - 1e-12
    keep = float(s0) if below and s0 is not None else t_ind   # indoor places proposed to stay ≥ this
    max_free = None
    rule_on = opt.indoor_rule == "keep" and not below
    if rule_on:
        max_free, _f = served_with(mdl, np.arange(mdl.n_cand))   # what the rule costs, for the note
        set_indoor_rule(mdl, cands, base, keep)
    base_served, base_flows = served_with(mdl, np.zeros(0, np.int64))
    share_t = float(opt.target_share if opt.target_share is not None else
                    inp.params.get("served_share_target", inp.params["capacity_share_target"]))
    total = mdl.total_demand
    target = share_t * total
    max_served = _max_served(mdl)
    res: dict[str, Any] = {
        "problem": problem, "scenario": inp.scenario_name, "threshold_min": float(inp.params["threshold_min"]),
        "mode": mode, "options": opt.as_dict(), "target_share": share_t if problem == "shelters" else None,
        "k": opt.k if problem == "best-k" else None, "total_demand": round(total, 3),
        "base_served": round(base_served, 3), "base_share": _share(base_served, total),
        "max_share_all_candidates": _share(max_served, total),
        "indoor_rule": opt.indoor_rule, "indoor_rule_applied": rule_on, "indoor_share_kept": round(keep, 6),
        "max_share_without_indoor_rule": None if max_free is None else _share(max_free, total),
        "candidates": {"usable": len(cands), "excluded": len(excluded), "expansions": len(exp),
                       "excluded_list": [{"name": c["name"], "key": c["key"], "why": c["excluded"]} for c in excluded]},
        "model": {k: v for k, v in info.items() if k != "existing_idx"}}
    if problem == "shelters" and base_served >= target - 1e-9:
        res.update(status="already_met", actions=[], greedy=None, exact=None,
                   promised_share=_share(base_served, total), rules=rule_changes(base), gap=None)
        res["solver"] = solver_summary("already_met", None, opt.time_limit, None)
        res["rule_notes"] = _rule_notes(res, base, {}, opt)
        return _finish(res, inp, graph, verify, t_all)
    t0 = time.perf_counter()
    if problem == "best-k":
        g_chosen = greedy_shelters(mdl, k=opt.k, base_flows=base_flows)
    else:
        tgt = min(target, max_served)
        g_chosen = greedy_shelters(mdl, target=tgt, base_flows=base_flows)
    t_greedy = time.perf_counter() - t0
    g_served, _gf = served_with(mdl, np.array(g_chosen, np.int64))
    res["greedy"] = {"sites": len(g_chosen), "served": round(g_served, 3), "share": _share(g_served, total),
                     "chosen": [cands[j]["key"] for j in g_chosen], "solve_s": round(t_greedy, 4)}
    if progress:
        progress(0.5, "greedy")
    infeasible = problem == "shelters" and max_served < target - 1e-6
    if problem == "best-k":
        ex = solve_shelters(mdl, k=opt.k, time_limit=opt.time_limit, mip_rel_gap=opt.mip_rel_gap, start=g_chosen)
    else:
        tgt = min(target, max_served) - 1e-6
        ex = solve_shelters(mdl, target=tgt, time_limit=opt.time_limit, mip_rel_gap=opt.mip_rel_gap,
                            max_sites=len(g_chosen) if g_served >= tgt else None, start=g_chosen)
    if progress:
        progress(0.9, "exact")
    chosen = ex.get("chosen")
    if chosen is None:
        chosen, source = g_chosen, "greedy"
    else:
        source = "exact"
        # a time-limited MILP may still be worse than the greedy answer
        e_served, _ = served_with(mdl, np.array(chosen, np.int64))
        if (problem == "best-k" and e_served < g_served - 1e-6) or \
           (problem == "shelters" and len(chosen) > len(g_chosen) and g_served >= min(target, max_served) - 1e-6):
            chosen, source = g_chosen, "greedy"
    served, flows = served_with(mdl, np.array(chosen, np.int64))
    # a site the solver opened that nobody goes to is no recommendation (best-k leaves y free
    # when no candidate can add anyone, e.g. when the indoor rule keeps them out)
    load = np.zeros(len(mdl.cap))
    np.add.at(load, mdl.pair_j, flows)
    idle = [j for j in chosen if load[mdl.n_exist + j] <= 1e-6
            and (mdl.ind_y is None or mdl.ind_y[j] >= -1e-9)]   # (an indoor-rich planned site may make room)
    if idle:
        chosen = [j for j in chosen if j not in idle]
        served, flows = served_with(mdl, np.array(chosen, np.int64))
    gap = ex.get("gap") if source == "exact" else None
    if source == "greedy" and ex.get("dual_bound") is not None:  # gap of the greedy answer
        obj = -g_served if problem == "best-k" else float(len(g_chosen))
        gap = max(0.0, (obj - ex["dual_bound"]) / max(abs(obj), 1e-9))
    ex_out = {k: v for k, v in ex.items() if k != "chosen"}
    ex_out.update(sites=None if ex.get("chosen") is None else len(ex["chosen"]))
    res["exact"] = ex_out
    res["answer_from"] = source
    # optimal: the answer given is proven within the gap tolerance (the greedy's too, when the
    # bound proves it)
    res["status"] = "infeasible" if infeasible else (
        "optimal" if gap is not None and gap <= opt.mip_rel_gap + 1e-12 else "feasible")
    if infeasible:
        from planner.text import text

        res["note"] = {lang: text("recommend.note.infeasible", lang, n=mdl.n_cand, thr=f"{res['threshold_min']:g}",
                                  max=_p(_share(max_served, total)), target=_p(share_t, 0))
                       for lang in ("zh", "en")}
    res["gap"] = gap
    res["solver"] = solver_summary(res["status"], gap, opt.time_limit, ex)
    res["actions"] = shelter_actions(inp, cands, mdl, chosen, flows, opt, base=base, keep=keep)
    res["promised_served"] = round(served, 3)
    res["promised_share"] = _share(served, total)
    added: dict[str, float] = {}
    for a in res["actions"]:
        for k, v in _added(a).items():
            added[k] = added.get(k, 0.0) + v
    res["rules"] = rule_changes(base, added)
    res["rule_notes"] = _rule_notes(res, base, added, opt)
    return _finish(res, inp, graph, verify, t_all)


def solver_summary(status: str, gap: float | None, time_limit: float, ex: dict[str, Any] | None) -> dict[str, Any]:
    """What the result says about the exact solve: the result's status, the proven relative gap of
    the answer given (None: no bound), the time limit used and the seconds the solve took."""
    return {"status": status, "gap": None if gap is None else round(float(gap), 6),
            "time_limit_s": float(time_limit), "solve_s": None if not ex else ex.get("solve_s"),
            "hit_time_limit": ex is not None and ex.get("status") == 1}


def _max_served(mdl: ShelterModel) -> float:
    """The most people served with every candidate the indoor rule allows at once: all whose
    places follow their flow, then planned sites that take from the rule's slack, one by one
    while the rule holds."""
    if mdl.ind_rhs is None or mdl.ind_y is None:
        return served_with(mdl, np.arange(mdl.n_cand))[0]
    free = [j for j in range(mdl.n_cand) if mdl.ind_y[j] <= 1e-9]
    best, _f = served_with(mdl, np.array(free, np.int64))
    for j in sorted((j for j in range(mdl.n_cand) if mdl.ind_y[j] > 1e-9), key=lambda j: -mdl.cap[mdl.n_exist + j]):
        got, _f = served_with(mdl, np.array([*free, j], np.int64))
        if got > best + 1e-9:
            free.append(j)
            best = got
    return best


def _added(a: dict[str, Any]) -> dict[str, float]:
    """What an action adds to the rules' figures (see :func:`rule_changes`)."""
    return dict(a.get("adds") or {})


def _rule_notes(res: dict[str, Any], base: dict[str, Any], added: dict[str, float],
                opt: Options) -> list[dict[str, str]]:
    """Notes on the rules: what keeping the indoor share costs, the indoor places missing when it
    is below its target, the fixed-shelter shortfall."""
    from planner.text import text

    notes = []
    free = res.get("max_share_without_indoor_rule")
    if res.get("indoor_rule_applied") and free is not None and (res.get("max_share_all_candidates") or 0) < free - 1e-6:
        most, free_s = _p2(res.get("max_share_all_candidates"), free)
        notes.append({lang: text("recommend.note.indoor_kept", lang, keep=_p(res["indoor_share_kept"]),
                                 thr=f"{res['threshold_min']:g}", max=most, free=free_s) for lang in ("zh", "en")})
    ind = rule_changes(base, added)["indoor_share_of_capacity"]
    if ind["after"] is not None and not ind["passed_after"]:
        # indoor places (each one place more, indoor): (I + m) / (C + m) ≥ t
        t = ind["target"]
        cap = base["capacity"] + added.get("capacity", 0.0)
        have = base["indoor"] + added.get("indoor", 0.0)
        n = math.ceil((t * cap - have) / (1.0 - t) - 1e-6) if t < 1 else None
        b, a = _p2(ind["before"], ind["after"])
        why = "recommend.note.indoor_hint_report" if opt.indoor_rule == "report" else \
            "recommend.note.indoor_hint_below"
        notes.append({lang: text("recommend.note.indoor_below", lang, before=b, after=a, target=_p(t, 0),
                                 n="—" if n is None else f"{n:,}") + text(why, lang) for lang in ("zh", "en")})
    fx = rule_changes(base, added)["fixed_capacity_share_of_population"]
    pop = base["planning_population"]
    if fx["after"] is not None and not fx["passed_after"] and pop:
        short = math.ceil(fx["target"] * pop - base["fixed"] - added.get("fixed", 0.0) - 1e-6)
        from planner.engine.coverage import FIXED_CLASSES

        fixed_new = opt.shelter_class in FIXED_CLASSES
        notes.append({lang: text("recommend.note.fixed_short", lang, after=_p(fx["after"]),
                                 target=_p(fx["target"], 0), n=f"{short:,}",
                                 hint="" if fixed_new else text("recommend.note.fixed_hint", lang))
                      for lang in ("zh", "en")})
    return notes


def _share(x: float, total: float) -> float | None:
    return round(x / total, 6) if total > 0 else None


def _finish(res, inp, graph, verify, t_all):
    if verify and res.get("actions") is not None:
        res["verification"] = verify_actions(inp, res["actions"], graph=graph, promised=res)
    res["total_s"] = round(time.perf_counter() - t_all, 3)
    return res


def _run_isolated(inp, graph, result) -> list[dict[str, Any]]:
    """The run's isolated villages: ``isolation.units`` entries with status "isolated" (the
    engine's result; run here when not given)."""
    if result is None:
        from planner.engine.run import run_plan

        result = run_plan(inp, graph=graph, service_areas=False)
    iso = getattr(result, "isolation", None)
    if iso is None and isinstance(result, dict):
        iso = result.get("isolation")
    return [u for u in (iso or {}).get("units") or [] if u.get("status") == "isolated"]


def _nearest_zone(graph, hazards, lon: float, lat: float) -> tuple[str | None, float]:
    """The hazard zone nearest to a point and its distance in metres (0 inside; None, inf: none)."""
    best: tuple[str | None, float] = (None, math.inf)
    if not hazards:
        return best
    x, y = graph.to_xy([lon], [lat])
    pt = shapely.points(x[0], y[0])
    for h in hazards:
        d = float(shapely.distance(graph.geom_to_xy(h.geometry), pt))
        if d < best[1]:
            best = (h.name, d)
    return best


def _outside_node(graph, hazards, lon: float, lat: float) -> tuple[float, float, float] | None:
    """The nearest drivable road node outside every hazard zone: (lon, lat, metres away)."""
    mg = graph.drive
    nodes = np.nonzero(mg.snappable if mg.snappable is not None else mg.node_in)[0]
    if not len(nodes):
        return None
    xy = graph.node_xy[nodes]
    ok = np.ones(len(nodes), bool)
    pts = shapely.points(xy[:, 0], xy[:, 1])
    for h in hazards:
        ok &= ~shapely.intersects(graph.geom_to_xy(h.geometry), pts)
    if not ok.any():
        return None
    x, y = graph.to_xy([lon], [lat])
    d = np.hypot(xy[:, 0] - x[0], xy[:, 1] - y[0])
    d[~ok] = np.inf
    k = int(np.argmin(d))
    nlon, nlat = graph.to_lonlat([xy[k, 0]], [xy[k, 1]])
    return float(nlon[0]), float(nlat[0]), float(d[k])


def _supply_people(inp) -> np.ndarray:
    """Per unit, the people its 72 hours are planned for: its share of 保障人口 (population ×
    保障人口 ÷ the units' population, as the engine places them); unknown population → 0."""
    from planner.engine.figures import plan_figures

    figs = plan_figures(inp)
    pop = np.nan_to_num(figs.unit_population, nan=0.0)
    total = float(pop.sum())
    factor = float(figs.supply_population) / total if figs.supply_population and total > 0 else 1.0
    return pop * factor


def point_stock(inp, people: float | list[float]) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """The 72-hour stock for ``people`` (one figure, or one per village: each village's need is
    rounded up on its own, as the engine counts it) per norms item — whole units for countable
    items, tenths (rounded up) otherwise — and the catalogue items that hold it (the first item of
    each norm key; none in the catalogue: ``item_code`` None)."""
    from planner.engine.supply import horizon_days, is_countable, item_required, norm_items

    days = horizon_days(inp)
    items = inp.items
    groups = [float(people)] if not isinstance(people, list) else [float(p) for p in people]
    stock, rows = {}, []
    for key, spec in norm_items(inp).items():
        if is_countable(spec.get("unit")):
            q = float(sum(math.ceil(item_required(spec, p, days) - 1e-9) for p in groups))
        else:
            q = math.ceil(sum(item_required(spec, p, days) for p in groups) * 10 - 1e-6) / 10
        if q <= 0:
            continue
        stock[key] = q
        cat = [k for k in range(len(items)) if items.norm_key[k] == key]
        rows.append({"norm_key": key, "item_code": items.code[cat[0]] if cat else None, "quantity": q,
                     "unit": spec.get("unit"), "name_zh": spec.get("name_zh", key),
                     "name_en": spec.get("name_en", key)})
    return stock, rows


def recommend_points(inp, *, candidates: list[dict[str, Any]] | None = None, options: Options | None = None,
                     graph=None, verify: bool = True, progress=None, result=None) -> dict[str, Any]:
    """Fewest reserve points bringing every demand unit within the delivery deadline by driving,
    and a point for every village the run reports isolated.

    Isolated villages (``result``'s ``isolation.units`` with status "isolated", the engine run
    here when not given) are cut off by road from every stocked source: each gets a point unless
    its own village points hold its 72 hours already (``covered_72h``). A point reaches a village
    by road within the deadline, or is the village's own: at its location (a village-level point
    serves its village without a road), or — when the village lies inside a hazard zone — at the
    nearest road node outside every zone. Each point holds the 72-hour stock of the people it
    serves (their share of 保障人口, :func:`point_stock`).
    """
    opt = options or Options()
    t_all = time.perf_counter()
    raw = _gather(inp, candidates or [], opt, "point")
    graph = _graph(inp, graph, raw)
    dl = float(opt.deadline_min) * 60.0 if opt.deadline_min else float(inp.params["first_batch_deadline_h"]) * 3600.0
    st, du = inp.sites, inp.demand
    G = graph.drive.csr  # forward: from the point to the unit
    snap_u = graph.snap("drive", du.lon, du.lat)
    snap_s = graph.snap("drive", st.lon, st.lat)
    units = np.nonzero(snap_u.ok)[0]
    src = np.nonzero(np.isin(st.kind, ("warehouse", "reserve_point")) & (st.status == "built") & snap_s.ok)[0]
    covered = np.zeros(len(units), bool)
    if len(src):
        ps, pu = reach_pairs(G, snap_s.node[src], snap_s.time_s[src], snap_u.node[units], snap_u.time_s[units], dl)
        covered[pu] = True
    # the villages the run finds cut off: a point each, unless their own points hold their 72 h
    code_pos = {c: k for k, c in enumerate(du.code)}
    iso_rows = [u for u in _run_isolated(inp, graph, result) if u.get("code") in code_pos]
    iso_need = {code_pos[u["code"]] for u in iso_rows if u.get("covered_72h") is not True}
    upos = {int(k): i for i, k in enumerate(units)}
    force = np.zeros(len(units), bool)
    for k in iso_need:
        if k in upos:
            force[upos[k]] = True
    cands, excluded = _prepare(inp, graph, "drive", raw, opt.setback_m)
    todo = np.nonzero(~covered | force)[0]
    todo_units = units[todo]
    tpos = {int(k): i for i, k in enumerate(todo_units)}

    def pairs_of(cs: list[dict[str, Any]], off: int) -> tuple[np.ndarray, np.ndarray]:
        on = [i for i, c in enumerate(cs) if c.get("_node", -1) >= 0]
        cn = np.array([cs[i]["_node"] for i in on], np.int64)
        ct = np.array([cs[i]["_snap_t"] for i in on], float)
        a, b = reach_pairs(G, cn, ct, snap_u.node[todo_units], snap_u.time_s[todo_units], dl)
        return np.array(on, np.int64)[a] + off if len(a) else a, b

    pc, pt = pairs_of(cands, 0)
    reachable = np.zeros(len(todo), bool)
    reachable[pt] = True
    # an isolated village no usable candidate reaches: a point of its own, at its location (a
    # setback is waived: the people are there) or, inside a hazard zone, just outside it
    own: list[dict[str, Any]] = []
    by_key = {c["key"]: c for c in excluded}
    for k in sorted(iso_need):
        i = tpos.get(int(k))
        if i is not None and reachable[i]:
            continue
        lon, lat = float(du.lon[k]), float(du.lat[k])
        zone, dist = _nearest_zone(graph, inp.hazards, lon, lat)
        c = by_key.get(f"unit:{du.code[k]}")
        if c is not None and str(c.get("excluded", "")).startswith("already a site"):
            continue   # an existing point stands there: it holds too little (listed below)
        if dist > 0:
            c = {"key": f"unit:{du.code[k]}", "source": "demand_unit", "name": du.name[k], "kind": "village",
                 "lon": lon, "lat": lat, "site_code": None, "ref": du.code[k], "town": du.town[k]}
            if dist <= opt.setback_m:
                c["hazard_note"] = {"zone": zone, "distance_m": round(dist), "setback_m": opt.setback_m}
        else:
            near = _outside_node(graph, inp.hazards, lon, lat)
            if near is None:
                continue
            c = {"key": f"near:{du.code[k]}", "source": "near_village", "name": du.name[k], "kind": "village",
                 "lon": near[0], "lat": near[1], "site_code": None, "ref": du.code[k], "town": du.town[k],
                 "zone": zone, "distance_m": round(near[2])}
        c["village"] = du.code[k]
        s = graph.snap("drive", [c["lon"]], [c["lat"]])
        c["_node"] = int(s.node[0]) if s.ok[0] else -1
        c["_snap_t"] = float(s.time_s[0]) if s.ok[0] else 0.0
        c["snap_m"] = None if np.isnan(s.dist_m[0]) else round(float(s.dist_m[0]), 1)
        own.append(c)
        excluded = [e for e in excluded if e["key"] != c["key"]]
    if own:
        a, b = pairs_of(own, len(cands))
        # a village-level point serves its own village without a road
        selfp = [(len(cands) + j, tpos[code_pos[c["village"]]]) for j, c in enumerate(own)
                 if code_pos[c["village"]] in tpos]
        pc = np.concatenate([pc, a, np.array([p[0] for p in selfp], np.int64)])
        pt = np.concatenate([pt, b, np.array([p[1] for p in selfp], np.int64)])
        road = np.concatenate([np.ones(len(pc) - len(selfp), bool), np.zeros(len(selfp), bool)])
        cands = cands + own
        reachable[pt] = True
    else:
        road = np.ones(len(pc), bool)
    # village candidates at a unit's own location serve it without a road too
    for j, c in enumerate(cands):
        if c["source"] == "demand_unit" and not c.get("village") and opt.point_tier == "village":
            i = tpos.get(code_pos.get(c["ref"], -1))
            if i is not None:
                c["village"] = c["ref"]
                pc, pt, road = np.append(pc, j), np.append(pt, i), np.append(road, False)
    if len(pc):   # one pair per (point, unit), by road when any of its pairs is
        key = pc * max(1, len(todo)) + pt
        order = np.lexsort((~road, key))
        first = np.r_[True, key[order][1:] != key[order][:-1]]
        pc, pt, road = pc[order][first], pt[order][first], road[order][first]
    people_u = _supply_people(inp)
    pop = np.nan_to_num(du.population, nan=0.0)
    iso_left = [{"code": du.code[k], "name": du.name[k], "why": _iso_why(inp, k, tpos, by_key)}
                for k in sorted(iso_need) if tpos.get(int(k)) is None or not reachable[tpos[int(k)]]]
    res: dict[str, Any] = {
        "problem": "points", "scenario": inp.scenario_name, "deadline_min": round(dl / 60.0, 3),
        "options": opt.as_dict(), "units_on_network": int(len(units)),
        "units_within_deadline": int(covered.sum()), "units_to_cover": int(len(todo)),
        "units_unlocated_or_off_network": [du.code[k] for k in np.nonzero(~snap_u.ok)[0]],
        "units_uncoverable": [{"code": du.code[todo_units[i]], "name": du.name[todo_units[i]]}
                              for i in np.nonzero(~reachable)[0]],
        "isolated": [{"code": u["code"], "name": u.get("name"), "population": u.get("population"),
                      "people_72h": round(float(people_u[code_pos[u["code"]]]), 1),
                      "supplied_by_own_points": u.get("covered_72h") is True,
                      "local_points": list(u.get("local_points") or [])} for u in iso_rows],
        "isolated_unserved": iso_left,
        "candidates": {"usable": len(cands), "excluded": len(excluded),
                       "excluded_list": [{"name": c["name"], "key": c["key"], "why": c["excluded"]} for c in excluded]}}
    rows = np.nonzero(reachable)[0]
    if len(rows) == 0:
        res.update(status="already_met" if len(todo) == 0 else "infeasible", actions=[], greedy=None, exact=None,
                   gap=None, promised_units_within_deadline=int(covered.sum()), promised_isolated_supplied=[])
        res["solver"] = solver_summary(res["status"], None, opt.time_limit, None)
        return _finish_points(res, inp, graph, verify, t_all, dl)
    remap = np.full(len(todo), -1, np.int64)
    remap[rows] = np.arange(len(rows))
    keep = remap[pt] >= 0
    ug, gp, gc = _merge_rows(len(rows), remap[pt[keep]], pc[keep])
    n_g = int(ug.max()) + 1
    weight = np.zeros(len(cands))
    np.add.at(weight, pc, pop[todo_units[pt]])  # tie-break: population reached
    t0 = time.perf_counter()
    g_chosen = greedy_cover(gp, gc, n_g, len(cands), weight)
    res["greedy"] = {"sites": len(g_chosen), "chosen": [cands[j]["key"] for j in g_chosen],
                     "solve_s": round(time.perf_counter() - t0, 4)}
    ex = solve_cover((gp, gc), n_g, len(cands), weight, time_limit=opt.time_limit, mip_rel_gap=opt.mip_rel_gap)
    chosen = ex.get("chosen")
    source = "exact"
    if chosen is None or len(chosen) > len(g_chosen):
        chosen, source = g_chosen, "greedy"
    res["exact"] = {k: v for k, v in ex.items() if k != "chosen"}
    res["exact"]["sites"] = None if ex.get("chosen") is None else len(ex["chosen"])
    res["model"] = {"demand_rows": int(len(rows)), "demand_rows_merged": n_g, "pairs": int(len(gp))}
    res["answer_from"] = source
    res["gap"] = ex.get("gap")
    res["status"] = ("optimal" if ex.get("optimal") and source == "exact" else "feasible") \
        if not len(res["units_uncoverable"]) and not iso_left else "partial"
    ex["time_limit_s"] = float(opt.time_limit)
    res["solver"] = solver_summary(res["status"], res["gap"], opt.time_limit, ex)
    # which units each chosen point serves (each unit once, the point reaching most people first;
    # its own village before road reach)
    taken = np.zeros(len(todo), bool)
    by_road = np.zeros(len(todo), bool)
    acts = []
    for j in sorted(chosen, key=lambda j: -weight[j]):
        c = cands[j]
        sel = (pc == j) & ~taken[pt]
        mine = np.unique(pt[sel])
        taken[mine] = True
        by_road[np.unique(pt[sel & road])] = True
        acts.append(_point_action(inp, c, todo_units[mine], mine, iso_need, people_u, dl, opt))
    res["actions"] = acts
    res["promised_units_within_deadline"] = int(covered.sum() + (by_road & ~covered[todo]).sum())
    res["promised_isolated_supplied"] = sorted(du.code[k] for k in iso_need
                                               if int(k) in tpos and taken[tpos[int(k)]])
    return _finish_points(res, inp, graph, verify, t_all, dl)


def _iso_why(inp, k: int, tpos: dict[int, int], by_key: dict[str, Any]) -> str:
    """Why an isolated village gets no point (a code for the CLI's text)."""
    c = by_key.get(f"unit:{inp.demand.code[k]}")
    if c is not None and str(c.get("excluded", "")).startswith("already a site"):
        return "existing_point_short"   # an existing point there holds too little
    if int(k) not in tpos:
        return "off_network"
    return "no_place"


def _point_action(inp, c: dict[str, Any], uidx: np.ndarray, rows: np.ndarray, iso_need: set[int],
                  people_u: np.ndarray, dl: float, opt: Options) -> dict[str, Any]:
    """One build_reserve_point action: the place, the units it serves, the stock it holds."""
    from planner.text import text

    du = inp.demand
    people = float(people_u[uidx].sum())
    stock, items = point_stock(inp, [float(people_u[k]) for k in uidx])
    iso = [int(k) for k in uidx if int(k) in iso_need]
    road = [int(k) for k in uidx if int(k) not in iso_need]
    tier = opt.point_tier

    def names(ks: list[int], lang: str) -> str:
        sep = text("recommend.point.sep", lang)
        out = sep.join(du.name[k] for k in ks[:6])
        return out + (text("recommend.point.more", lang, n=len(ks) - 6) if len(ks) > 6 else "")

    def place(lang: str) -> str:
        if c["source"] == "demand_unit":
            return text("recommend.place.village", lang, name=c["name"])
        if c["source"] == "near_village":
            return text("recommend.place.near", lang, name=c["name"], lon=f"{c['lon']:.5f}", lat=f"{c['lat']:.5f}")
        return _place_in(c, lang)

    def say(lang: str) -> str:
        parts = ""
        if iso:
            parts += text("recommend.point.isolated", lang, villages=names(iso, lang))
        if road:
            parts += text("recommend.point.reach", lang, units=names(road, lang), minutes=f"{dl / 60:g}")
        if c["source"] == "near_village":
            parts += text("recommend.point.note_outside", lang, village=c["name"], zone=c["zone"],
                          dist=f"{c['distance_m']:,.0f}")
        elif c.get("hazard_note"):
            h = c["hazard_note"]
            parts += text("recommend.point.note_setback", lang, zone=h["zone"], dist=f"{h['distance_m']:,.0f}",
                          setback=f"{h['setback_m']:g}")
        sep = text("recommend.point.sep", lang)
        missing = [r[f"name_{lang}"] for r in items if not r.get("item_code")]
        if missing:
            parts += text("recommend.point.no_catalogue", lang, items=sep.join(missing))
        held = sep.join(text("recommend.point.stock_item", lang, name=r[f"name_{lang}"], qty=num(r["quantity"]),
                             unit=r["unit"] or "") for r in items)
        return text("recommend.point", lang, place=place(lang), tier=text(f"recommend.tier.{tier}", lang),
                    people=f"{people:,.0f}", stock=held or "—") + parts

    from planner.textfmt import num

    return {
        "type": "build_reserve_point", "candidate": c["key"], "source": c["source"], "site_code": c.get("site_code"),
        "name": c["name"], "kind": c["kind"], "lon": c["lon"], "lat": c["lat"], "tier": tier,
        "village": c.get("village") if tier == "village" else None,
        "town": c.get("town") or _nearest_town(inp, c["lon"], c["lat"]), "units": [du.code[k] for k in uidx],
        "isolated_units": [du.code[k] for k in iso], "people": round(people, 1),
        "people_basis": "保障人口 share: unit population × 保障人口 ÷ the units' population",
        "stock_72h": stock, "stock_items": items, "snap_m": c.get("snap_m"),
        "hazard_note": c.get("hazard_note"), "zone": c.get("zone"), "distance_m": c.get("distance_m"),
        "zh": say("zh"), "en": say("en")}


def _finish_points(res, inp, graph, verify, t_all, dl):
    if verify:
        res["verification"] = verify_actions(inp, res["actions"], graph=graph, promised=res, deadline_s=dl)
    res["total_s"] = round(time.perf_counter() - t_all, 3)
    return res


# -- applying actions ---------------------------------------------------------------------------
def with_actions(inp, actions: list[dict[str, Any]]):
    """An in-memory copy of ``inp`` with the actions applied (new sites built, capacities changed)."""
    from planner.engine.snapshot import ItemTable, LotTable, SiteTable

    recs = inp.sites.records()
    by_code = {r["code"]: r for r in recs}
    next_id = max([r["id"] for r in recs], default=0) + 1
    stock: list[tuple[int, dict[str, Any]]] = []   # (site id, stock item) of new reserve points
    for n, a in enumerate(actions, start=1):
        if a["type"] == "build_reserve_point":
            sid = by_code[a["site_code"]]["id"] if a.get("site_code") in by_code else next_id
            stock += [(sid, it) for it in a.get("stock_items") or []]
        if a["type"] == "expand_shelter":
            r = by_code[a["site_code"]]
            r["stated_capacity"] = float(a["new_capacity"])
            continue
        if a.get("site_code") and a["site_code"] in by_code:
            r = by_code[a["site_code"]]
            r["status"] = "built"
            # as apply_actions writes it: a planned site keeps its registered capacity and areas;
            # one with neither gets the places the action serves
            if a["type"] == "build_shelter" and a.get("capacity") is not None and r["stated_capacity"] is None \
                    and r["indoor_area"] is None and r["outdoor_area"] is None:
                r["stated_capacity"] = float(a["capacity"])
            continue
        if a["type"] == "build_shelter":
            rec = {"id": next_id, "code": f"_VERIFY-S{n}", "name": a["name"], "kind": "shelter", "status": "built",
                   "shelter_class": a["shelter_class"], "indoor_area": a.get("indoor_area_m2") or 0.0,
                   "outdoor_area": a.get("outdoor_area_m2", a["effective_area_m2"]),
                   "stated_capacity": float(a["capacity"]), "lon": a["lon"], "lat": a["lat"], "town": a.get("town")}
        else:
            rec = {"id": next_id, "code": f"_VERIFY-P{n}", "name": a["name"], "kind": "reserve_point",
                   "status": "built", "tier": a.get("tier", "village"), "lon": a["lon"], "lat": a["lat"],
                   "town": a.get("town"), "village": a.get("village")}
        next_id += 1
        full = {k: None for k in SiteTable.COLS}
        full.update(rec)
        recs.append(full)
    out = dataclasses.replace(inp, sites=SiteTable.from_records(recs))
    if not stock:
        return out
    # the 72-hour stock a new point holds: physical, non-expiring lots of the catalogue's items (a
    # norms item the catalogue lacks gets a stand-in item here; the action says to add it)
    items = inp.items.records()
    item_id = {r["code"]: int(r["id"]) for r in items}
    lots = inp.lots.records()
    lot_id = max([r["id"] for r in lots], default=0) + 1
    for sid, it in stock:
        code = it.get("item_code") or f"_VERIFY-{it['norm_key']}"
        if code not in item_id:
            item_id[code] = max(item_id.values(), default=0) + 1
            items.append({**{k: None for k in ItemTable.COLS}, "id": item_id[code], "code": code,
                          "name_zh": it.get("name_zh"), "name_en": it.get("name_en"), "unit": it.get("unit"),
                          "norm_key": it["norm_key"]})
        lots.append({**{k: None for k in LotTable.COLS}, "id": lot_id, "site_id": sid,
                     "item_id": item_id[code], "quantity": float(it["quantity"]), "mode": "physical"})
        lot_id += 1
    return dataclasses.replace(out, items=ItemTable.from_records(items), lots=LotTable.from_records(lots))


def verify_actions(inp, actions: list[dict[str, Any]], *, graph=None, promised: dict[str, Any] | None = None,
                   deadline_s: float | None = None) -> dict[str, Any]:
    """Rerun the engine with the actions applied; report achieved vs promised figures."""
    from planner.engine.run import run_plan

    graph = _graph(inp, graph)
    new = with_actions(inp, actions)
    t0 = time.perf_counter()
    r = run_plan(new, graph=graph, service_areas=False)
    out: dict[str, Any] = {"rerun_s": round(time.perf_counter() - t0, 3),
                           "served_share": r.summary.get("served_share"),
                           "isolated_units": r.summary.get("isolated_units"),
                           "checks_failed": r.summary.get("checks_failed")}
    by = {c["id"]: c for c in r.checks}
    if "served_within_threshold" in by:
        out["served_within_threshold_passed"] = by["served_within_threshold"]["passed"]
    # the shelter rules as the engine now finds them (planned: the result's ``rules``)
    out["rules"] = {rid: {"value": by[rid].get("value"), "status": by[rid].get("status")} for rid in RULES if rid in by}
    if promised is not None and promised.get("promised_share") is not None:
        out["promised_share"] = promised["promised_share"]
        out["meets_promise"] = (out["served_share"] or 0) >= promised["promised_share"] - 1e-6
    if deadline_s is not None:
        st, du = new.sites, new.demand
        su = graph.snap("drive", du.lon, du.lat)
        ss = graph.snap("drive", st.lon, st.lat)
        src = np.nonzero(np.isin(st.kind, ("warehouse", "reserve_point")) & (st.status == "built") & ss.ok)[0]
        units = np.nonzero(su.ok)[0]
        _ps, pu = reach_pairs(graph.drive.csr, ss.node[src], ss.time_s[src], su.node[units], su.time_s[units],
                              deadline_s)
        n_ok = len(np.unique(pu))
        out["units_within_deadline"] = int(n_ok)
        out["units_on_network"] = int(len(units))
        if promised is not None and "promised_units_within_deadline" in promised:
            out["promised_units_within_deadline"] = promised["promised_units_within_deadline"]
            out["meets_promise"] = n_ok >= promised["promised_units_within_deadline"]
        # the isolated villages as the rerun judges them: their 72 hours met from the new points
        iso = {u["code"]: u for u in (r.isolation or {}).get("units") or []}
        supplied = [c for c, u in iso.items() if u.get("status") == "isolated" and u.get("covered_72h") is True]
        out["isolated_supplied"] = sorted(supplied)
        if promised is not None and "promised_isolated_supplied" in promised:
            short = [c for c in promised["promised_isolated_supplied"]
                     if c in iso and iso[c].get("status") == "isolated" and iso[c].get("covered_72h") is not True]
            out["isolated_still_short"] = short
            out["meets_promise"] = bool(out.get("meets_promise", True)) and not short
    return out


def apply_actions(plan: Any, scenario: str, actions: list[dict[str, Any]], *, user: str | None = None,
                  create: bool = True, copy_from: str | None = None) -> list[str]:
    """Write the actions into a scenario (:func:`planner.scenario.actions.apply_actions`, which
    also says how to undo it); returns the codes of the sites involved."""
    from planner.scenario.actions import apply_actions as _apply

    return list(_apply(plan, scenario, actions, user=user, create=create, copy_from=copy_from).codes)


def recommend(plan: Any, problem: str, *, scenario: str | None = None, options: Options | None = None,
              verify: bool = True) -> dict[str, Any]:
    """Load the plan (scenario), its candidate sites, and run one recommendation problem."""
    from planner.scenario.runs import load_input

    inp = load_input(plan, scenario)
    cands = load_candidates(plan)
    if problem == "points":
        return recommend_points(inp, candidates=cands, options=options, verify=verify)
    if problem not in ("shelters", "best-k"):
        raise ValueError(f"unknown recommendation problem {problem!r} (shelters, best-k, points)")
    return recommend_shelters(inp, problem=problem, candidates=cands, options=options, verify=verify)
