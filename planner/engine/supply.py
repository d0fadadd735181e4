"""72-hour supply: time-phased, reach-aware, one flow for the check and the allocation.

**People.** 保障人口 (planner.engine.figures) is placed where the people are: spread over the
demand units by population; a unit's people given a shelter place by the coverage step are at
that shelter, the rest at home (the unit's location). Units with an unknown population hold no
one (the figures count them as unknown; the check says it is incomplete). Without any known
population the whole 保障人口 is *unplaced*: it is required but nothing can reach it.

**Phases.** The horizon (72 h) is cut into days. Day 1's need — and every per-person item
(quilts, beds, tents, lamps, toilets) — must arrive by the first-batch deadline (6 h for a
county); day 2's by ``day2_deadline_h`` (24 h), day 3's by ``day3_deadline_h`` (48 h); a day after
the third by its start. Requirement per destination and phase:
``per_person_per_day``: people × rate × that day's length in days; ``per_person``: people × rate
(day 1); ``per_n_persons``: ceil(people / rate) (day 1). Countable units (床, 顶, 个 …) are rounded
up per destination.

**Stock.** A lot can be used unless, in this order: its site is not open — ``site_closed``; it
has no coordinates — ``unlocated``; it is off the driving network — ``off_network``; it has
expired by the event date — ``expired``; agreement stock has no lead time —
``agreement_no_lead_time`` — or one beyond the last deadline — ``agreement_too_slow``. Physical
stock is ready at once, agreement stock after its lead time. A lot serves a destination in a
phase when ready time + driving time (snaps included) ≤ the phase's deadline; stock held at a
village-level point serves its own village (``site.village``) without a road. Lots that reach
nobody in time are ``too_far``.

**Flow.** Per item, day by day (earlier days first): a min-cost maximum flow ships as much as
can arrive in time, then as early as possible (planner.engine.lp.transport_flow). Destinations
that the same groups of stock reach in time are solved together and their flow split in
proportion to their need (the total shipped is exact). The same flow is the check (shipped ÷
required), the allocation (manifests per shelter and per village) and the isolated villages'
cover. Unmet need carries its reason: ``no_stock`` (no usable stock of the item),
``not_on_network`` (the people are not located, off the network, or unplaced), ``unreachable``
(no stock has a road to them),
``too_late`` (stock reaches it, not before the deadline), ``insufficient_stock`` (reachable in
time, stock ran out).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse.csgraph import dijkstra

from planner.engine.coverage import check, open_shelter_mask
from planner.engine.figures import plan_figures
from planner.engine.graph import RoadGraph, Snap
from planner.engine.lp import transport_flow
from planner.engine.snapshot import PlanInput

REASONS = ("site_closed", "unlocated", "off_network", "expired", "agreement_no_lead_time",
           "agreement_too_slow", "too_far")
UNMET_REASONS = ("no_stock", "not_on_network", "unreachable", "too_late", "insufficient_stock")
SOURCE_KINDS = ("warehouse", "reserve_point")
#: the flow's resolution: quantities are solved in thousandths of a unit (planner.engine.lp)
TOL = 1e-3
#: units measured continuously; anything else (件, 顶, 床, 张, 个, 箱 …) is counted in whole units
CONTINUOUS_UNITS = {"l", "ml", "m3", "m³", "kg", "g", "t", "吨", "千克", "公斤", "升", "毫升", "克", "立方米"}


def is_countable(unit: str | None) -> bool:
    return bool(unit) and str(unit).strip().lower() not in CONTINUOUS_UNITS


def norm_items(inp: PlanInput) -> dict[str, dict[str, Any]]:
    return dict((inp.norms.get("supplies") or {}).get("items") or {})


def horizon_days(inp: PlanInput) -> float:
    """The basic-living support horizon in days (``horizon_h`` / 24; 72 h → 3)."""
    return float(inp.params["horizon_h"]) / 24.0


def required_qty(basis: str, rate: float, people: float, days: float) -> float:
    """The requirement of one norms item for ``people`` over ``days``; the one place it is
    computed (supply, isolation, recommendations, the demo)."""
    if people <= 0:
        return 0.0
    if basis == "per_person_per_day":
        return people * rate * days
    if basis == "per_person":
        return people * rate
    if basis == "per_n_persons":
        return float(math.ceil(people / rate - 1e-9))
    raise ValueError(f"unknown supply basis {basis!r}")


def item_required(spec: dict[str, Any], people: float, days: float) -> float:
    """:func:`required_qty` of a norms item spec (``{"basis": …, "rate": …}``)."""
    return required_qty(spec["basis"], float(spec["rate"]), people, days)


@dataclass(frozen=True)
class Phase:
    day: int            # 1, 2, 3 …
    days: float         # the length of that day in days (the last may be partial)
    deadline_s: float   # its supply must arrive by


def phases(inp: PlanInput) -> list[Phase]:
    p = inp.params
    total = horizon_days(inp)
    n = max(1, math.ceil(total - 1e-9))
    fixed = {1: float(p["first_batch_deadline_h"]), 2: float(p["day2_deadline_h"]), 3: float(p["day3_deadline_h"])}
    return [Phase(k, min(1.0, total - (k - 1)), 3600.0 * fixed.get(k, 24.0 * (k - 1))) for k in range(1, n + 1)]


def phase_need(spec: dict[str, Any], people: np.ndarray, ph: Phase, countable: bool) -> np.ndarray:
    """Need of every destination (``people``) in phase ``ph``."""
    basis, rate = spec["basis"], float(spec["rate"])
    if basis == "per_person_per_day":
        need = people * rate * ph.days
    elif ph.day != 1:
        need = np.zeros(len(people))
    elif basis == "per_person":
        need = people * rate
    elif basis == "per_n_persons":
        need = np.where(people > 0, np.ceil(people / rate - 1e-9), 0.0)
    else:
        raise ValueError(f"unknown supply basis {basis!r}")
    need = np.where(people > 0, need, 0.0)
    return np.ceil(need - 1e-9) if countable else need


@dataclass
class DriveTimes:
    """Driving times from source sites to open shelters and to demand units (seconds, snaps
    included; inf beyond ``limit_s``)."""

    snap: Snap                 # all sites on the driving network
    usnap: Snap                # all demand units on the driving network
    src: np.ndarray            # site indices of open, on-network sources
    shelters: np.ndarray       # site indices of open, on-network shelters
    T: np.ndarray              # (len(src), len(shelters))
    TU: np.ndarray             # (len(src), len(units)); inf for units off the network
    limit_s: float
    # (unique source nodes × all nodes) times within the limit: not kept (None) — the rows are
    # 8 bytes × nodes each and a WhatIf caches several DriveTimes; T and TU hold what is read
    D: np.ndarray | None = None
    src_row: np.ndarray | None = None  # per source (same order as src): its row in the searches
    # per source (same order as src): its search provably reached every node a road leads to
    # (RoadGraph.drive_rows), and per unit whether it reached the unit's node (any length)
    complete: np.ndarray | None = None
    road_u: np.ndarray | None = None   # (len(src), len(units)) bool


def drive_times(inp: PlanInput, graph: RoadGraph) -> DriveTimes:
    st, du = inp.sites, inp.demand
    snap = graph.snap("drive", st.lon, st.lat)
    usnap = graph.snap("drive", du.lon, du.lat)
    has_lots = np.zeros(len(st), bool)
    if len(inp.lots):
        has_lots = np.isin(st.id, inp.lots.site_id)
    is_src = (np.isin(st.kind, SOURCE_KINDS) | has_lots) & (st.status == "built") & snap.ok
    src = np.nonzero(is_src)[0]
    shel = np.nonzero(open_shelter_mask(inp) & snap.ok)[0]
    limit = max(ph.deadline_s for ph in phases(inp))
    T = np.full((len(src), len(shel)), np.inf)
    TU = np.full((len(src), len(du)), np.inf)
    D = row = None
    complete = np.zeros(len(src), bool)
    road_u = np.zeros((len(src), len(du)), bool)
    if len(src):
        un, row = np.unique(snap.node[src], return_inverse=True)
        # the times are read at the nodes of the sites and units on the network only: the same
        # columns for every input of one graph (where sites and units lie is part of its key),
        # so the memoised rows serve every scenario (see RoadGraph.drive_rows)
        cols = np.unique(np.concatenate([snap.node[snap.ok], usnap.node[usnap.ok]]))
        D, done = graph.drive_rows(un, limit, cols)
        complete = done[row]
        if len(shel):
            T = D[np.ix_(row, np.searchsorted(cols, snap.node[shel]))] + snap.time_s[src][:, None] \
                + snap.time_s[shel][None, :]
        uok = np.nonzero(usnap.ok)[0]
        if len(uok):
            DU = D[np.ix_(row, np.searchsorted(cols, usnap.node[uok]))]
            road_u[:, uok] = np.isfinite(DU)
            TU[:, uok] = DU + snap.time_s[src][:, None] + usnap.time_s[uok][None, :]
        T[T > limit] = np.inf
        TU[TU > limit] = np.inf
    return DriveTimes(snap, usnap, src, shel, T, TU, limit, None, row, complete, road_u)


def road_reach(inp: PlanInput, graph: RoadGraph, dt_: DriveTimes, sites: np.ndarray) -> np.ndarray:
    """Per demand unit: some site of ``sites`` (on the driving network) has a road path to it,
    whatever its length. The limited searches prove most of it; an unlimited search only runs
    for the units they leave, unless every site's limited search provably reached all it could
    (DriveTimes.complete): then what they left has no road from them."""
    du = inp.demand
    out = np.zeros(len(du), bool)
    if not len(sites):
        return out
    pos = {int(s): r for r, s in enumerate(dt_.src)}
    rows = [pos[int(s)] for s in sites if int(s) in pos]
    if rows:
        out |= np.isfinite(dt_.TU[rows]).any(axis=0)
    left = np.nonzero(~out & dt_.usnap.ok)[0]
    if (len(left) and len(rows) == len(sites) and dt_.complete is not None and dt_.road_u is not None
            and bool(dt_.complete[rows].all())):
        out[left] = dt_.road_u[np.ix_(np.asarray(rows, np.int64), left)].any(axis=0)
    elif len(left):
        starts = np.unique(dt_.snap.node[sites])
        dist = dijkstra(graph.drive.csr, directed=True, indices=starts, min_only=True)
        out[left] = np.isfinite(dist[dt_.usnap.node[left]])
    return out


def lot_usability(inp: PlanInput, dt_: DriveTimes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(reason or None before reach, ready seconds, site index) per lot."""
    st, lots = inp.sites, inp.lots
    pos = {int(i): k for k, i in enumerate(st.id)}
    event = dt.date.fromisoformat(plan_figures(inp).event_date)
    last = dt_.limit_s
    n = len(lots)
    reason = np.empty(n, dtype=object)
    ready = np.zeros(n)
    site = np.full(n, -1, np.int64)
    for k in range(n):
        s = pos.get(int(lots.site_id[k]), -1)
        site[k] = s
        r = None
        if s < 0 or st.status[s] != "built":
            r = "site_closed"
        elif np.isnan(st.lon[s]) or np.isnan(st.lat[s]):
            r = "unlocated"
        elif dt_.snap.status[s] != "ok" and st.village[s] is None:
            r = "off_network"
        elif lots.expiry[k] is not None and dt.date.fromisoformat(str(lots.expiry[k])[:10]) < event:
            r = "expired"
        elif lots.mode[k] == "agreement":
            lead = lots.lead_time_h[k]
            if np.isnan(lead):
                r = "agreement_no_lead_time"
            elif lead * 3600.0 > last + 1e-9:
                r = "agreement_too_slow"
            else:
                ready[k] = lead * 3600.0
        reason[k] = r
    return reason, ready, site


def _r(x: float, nd: int = 3) -> float | None:
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


@dataclass
class Destinations:
    """Where the people are: open shelters (their assigned people) and units' homes."""

    kind: list[str]              # "shelter" / "home" / "unplaced"
    index: np.ndarray            # site index (shelter) or unit index (home); −1 unplaced
    people: np.ndarray           # 保障 people there
    town_mix: list[dict[Any, float]]   # town code → people
    unit_mix: list[dict[int, float]]   # unit index → people
    ok: np.ndarray               # located on the driving network (a road can reach it)


def destinations(inp: PlanInput, coverage: dict[str, Any], dt_: DriveTimes) -> Destinations:
    figs = plan_figures(inp)
    st, du = inp.sites, inp.demand
    pop = figs.unit_population
    known = ~np.isnan(pop)
    total = float(pop[known].sum()) if known.any() else 0.0
    supply = float(figs.supply_population or 0.0)
    unit_people = np.where(known, pop, 0.0) * (supply / total if total > 0 else 0.0)
    factor = np.where(known & (pop > 0), unit_people / np.where(pop > 0, pop, 1.0), 0.0)
    code_pos = {c: k for k, c in enumerate(st.code)}
    sh_col = {int(h): c for c, h in enumerate(dt_.shelters)}
    at_shelter: dict[int, dict[int, float]] = {}
    home = unit_people.copy()
    for ui, u in enumerate(coverage.get("units", [])):
        for a in u.get("assignments") or ():
            h = code_pos.get(a["shelter"])
            if h is None:
                continue
            ppl = float(a["people"]) * factor[ui]
            at_shelter.setdefault(h, {}).setdefault(ui, 0.0)
            at_shelter[h][ui] += ppl
            home[ui] -= ppl
    home = np.maximum(home, 0.0)
    uok = dt_.usnap.ok
    kind: list[str] = []
    index: list[int] = []
    people: list[float] = []
    tmix: list[dict[Any, float]] = []
    umix: list[dict[int, float]] = []
    ok: list[bool] = []
    for h in sorted(at_shelter):
        mix = at_shelter[h]
        kind.append("shelter")
        index.append(h)
        people.append(sum(mix.values()))
        t: dict[Any, float] = {}
        for ui, v in mix.items():
            t[du.town[ui]] = t.get(du.town[ui], 0.0) + v
        tmix.append(t)
        umix.append(dict(mix))
        ok.append(h in sh_col)
    for hu in np.nonzero(home > 1e-9)[0]:
        kind.append("home")
        index.append(int(hu))
        people.append(float(home[hu]))
        tmix.append({du.town[hu]: float(home[hu])})
        umix.append({int(hu): float(home[hu])})
        ok.append(bool(uok[hu]))
    if total <= 0 and supply > 0:
        kind.append("unplaced")
        index.append(-1)
        people.append(supply)
        tmix.append({None: supply})
        umix.append({})
        ok.append(False)
    return Destinations(kind, np.array(index, np.int64), np.array(people, np.float64), tmix, umix,
                        np.array(ok, bool))


@dataclass
class SupplyState:
    reason: np.ndarray           # per lot: why it cannot be used (None: it can)
    ready_s: np.ndarray
    lot_site: np.ndarray
    lot_norm: np.ndarray         # norm key per lot (None: no norm)
    dest: Destinations
    # per item key: shipments, one row each: site index, dest index, day, quantity, eta s, ready s
    shipments: dict[str, np.ndarray]
    need: dict[str, np.ndarray]          # item → (phases × dests) need
    got: dict[str, np.ndarray]           # item → (phases × dests) shipped
    why: dict[str, np.ndarray]           # item → (phases × dests) unmet reason (object)
    phases: list[Phase]
    result: dict[str, Any] = field(default_factory=dict)


@dataclass
class _ArcBase:
    """What every item's arcs share within one run: sources' rows, the destinations' columns,
    the driving times to the shelters and homes among the destinations (gathered once)."""

    src_row: dict[int, int]
    sj: np.ndarray               # destinations that are shelters on the network
    hj: np.ndarray               # destinations that are homes
    h_slice: slice | None        # hj as a slice when contiguous (it is: homes follow shelters)
    T_s: np.ndarray              # (sources × sj)
    TU_h: np.ndarray             # (sources × hj)
    home_of: dict[Any, Any]      # unit code → its home destination


def _arc_base(dt_: DriveTimes, inp: PlanInput, dest: Destinations) -> _ArcBase:
    src_row = {int(s): r for r, s in enumerate(dt_.src)}
    sh_col = {int(h): c for c, h in enumerate(dt_.shelters)}
    kinds = np.array(dest.kind, dtype=object)
    sj = np.array([j for j in np.nonzero(kinds == "shelter")[0] if int(dest.index[j]) in sh_col], np.int64)
    hj = np.nonzero(kinds == "home")[0]
    cols = np.array([sh_col[int(dest.index[j])] for j in sj], np.int64)
    h_slice = slice(int(hj[0]), int(hj[-1]) + 1) if len(hj) and hj[-1] - hj[0] + 1 == len(hj) else None
    return _ArcBase(src_row, sj, hj, h_slice, dt_.T[:, cols], dt_.TU[:, dest.index[hj]],
                    {inp.demand.code[dest.index[j]]: j for j in hj})


def _arcs(dt_: DriveTimes, inp: PlanInput, dest: Destinations, g_site: np.ndarray,
          g_ready: np.ndarray, ab: _ArcBase | None = None) -> np.ndarray:
    """(groups × dests) arrival seconds (inf: no road, or beyond the limit)."""
    st = inp.sites
    if ab is None:
        ab = _arc_base(dt_, inp, dest)
    eta = np.full((len(g_site), len(dest.kind)), np.inf)
    rows = np.array([ab.src_row.get(int(s), -1) for s in g_site], np.int64)
    has = np.nonzero(rows >= 0)[0]
    sj, hj = ab.sj, ab.hj
    if len(has) and len(sj):
        eta[np.ix_(has, sj)] = g_ready[has][:, None] + ab.T_s[rows[has]]
    if len(has) and len(hj):
        times = g_ready[has][:, None] + ab.TU_h[rows[has]]
        if ab.h_slice is not None and len(has) == len(g_site):
            eta[:, ab.h_slice] = times
        else:
            eta[np.ix_(has, hj)] = times
    # a village-level point serves its own village without a road
    home_of = ab.home_of
    for gi, s in enumerate(g_site):
        v = st.village[s]
        if v is not None and v in home_of:
            eta[gi, home_of[v]] = min(eta[gi, home_of[v]], g_ready[gi])
    return eta


def compute_supply(inp: PlanInput, dt_: DriveTimes, coverage: dict[str, Any]) -> SupplyState:
    p = inp.params
    figs = plan_figures(inp)
    people = float(figs.supply_population or 0.0)
    days = horizon_days(inp)
    items, lots, st = inp.items, inp.lots, inp.sites
    norms = norm_items(inp)
    reason, ready, lot_site = lot_usability(inp, dt_)
    ipos = {int(i): k for k, i in enumerate(items.id)}
    lot_item = np.array([ipos.get(int(i), -1) for i in lots.item_id], dtype=np.int64)
    lot_norm = np.empty(len(lots), dtype=object)
    for k in range(len(lots)):
        j = lot_item[k]
        key = items.norm_key[j] if j >= 0 else None
        lot_norm[k] = key if key in norms else None
    dest = destinations(inp, coverage, dt_)
    phs = phases(inp)
    nd = len(dest.kind)

    shipments: dict[str, np.ndarray] = {}
    need_all: dict[str, np.ndarray] = {}
    got_all: dict[str, np.ndarray] = {}
    why_all: dict[str, np.ndarray] = {}
    reached_lot = np.zeros(len(lots), bool)
    ab: _ArcBase | None = None
    out_items, checks = [], []
    for key, spec in norms.items():
        countable = is_countable(spec.get("unit"))
        mine = np.nonzero((lot_norm == key) & (reason == None))[0]  # noqa: E711
        groups: dict[tuple[int, float], list[int]] = {}
        for lk in mine:
            groups.setdefault((int(lot_site[lk]), float(ready[lk])), []).append(int(lk))
        gkeys = sorted(groups)
        g_site = np.array([g[0] for g in gkeys], np.int64)
        g_ready = np.array([g[1] for g in gkeys], np.float64)
        sup = np.array([float(lots.quantity[groups[g]].sum()) for g in gkeys], np.float64)
        if countable:
            sup = np.floor(sup + 1e-9)  # a stock count is whole; a fraction cannot be shipped
        if len(gkeys) and nd and ab is None:
            ab = _arc_base(dt_, inp, dest)
        eta = _arcs(dt_, inp, dest, g_site, g_ready, ab) if len(gkeys) and nd else np.zeros((len(gkeys), nd))
        need = np.zeros((len(phs), nd))
        got = np.zeros((len(phs), nd))
        why = np.empty((len(phs), nd), dtype=object)
        ships: list[np.ndarray] = []
        left = sup.copy()
        for pi_, ph in enumerate(phs):
            need[pi_] = phase_need(spec, dest.people, ph, countable)
            allowed = eta <= ph.deadline_s + 1e-9
            useful = (allowed & (need[pi_] > 1e-9)[None, :]).any(axis=1) if nd else np.zeros(len(gkeys), bool)
            for gi in np.nonzero(useful)[0]:
                reached_lot[groups[gkeys[gi]]] = True
            fg, fj, fq = _phase_flow(left, need[pi_], allowed, eta, countable)
            np.subtract.at(left, fg, fq)
            np.add.at(got[pi_], fj, fq)
            ships.append(np.column_stack([g_site[fg], fj, np.full(len(fg), ph.day), fq, eta[fg, fj], g_ready[fg]])
                         if len(fg) else np.zeros((0, 6)))
            miss = need[pi_] - got[pi_] > TOL
            if miss.any():
                fin = np.isfinite(eta).any(axis=0) if len(gkeys) else np.zeros(nd, bool)
                w = np.where(~fin & ~dest.ok, "not_on_network", np.where(
                    ~fin, "unreachable", np.where(~allowed.any(axis=0), "too_late", "insufficient_stock")))
                if not len(gkeys):
                    w[:] = "no_stock"
                why[pi_, miss] = w[miss]
        shipments[key] = np.concatenate(ships) if ships else np.zeros((0, 6))
        need_all[key], got_all[key], why_all[key] = need, got, why
        req, shipped = float(need.sum()), float(got.sum())
        unmet = max(0.0, req - shipped)
        if unmet <= TOL * max(1, nd):
            unmet = 0.0
        stock = float(lots.quantity[lot_norm == key].sum())
        usable_q = float(lots.quantity[mine].sum())
        cat = [k for k in range(len(items)) if items.norm_key[k] == key]
        prices = [items.unit_price[k] for k in cat if not np.isnan(items.unit_price[k])]
        price = min(prices) if prices else None
        daily = people * float(spec["rate"]) if spec["basis"] == "per_person_per_day" else None
        phase_rows = []
        for pi_, ph in enumerate(phs):
            short_q = need[pi_] - got[pi_]
            wsel = np.nonzero(why[pi_] != None)[0]  # noqa: E711  (the same elements, fewer compared)
            wsub = why[pi_][wsel]
            reasons = {r: float(short_q[wsel[wsub == r]].sum()) for r in UNMET_REASONS}
            phase_rows.append({"day": ph.day, "deadline_h": _r(ph.deadline_s / 3600.0),
                               "required": _r(need[pi_].sum()), "shipped": _r(got[pi_].sum()),
                               "unmet": _r(max(0.0, need[pi_].sum() - got[pi_].sum())),
                               "reasons": {k: _r(v) for k, v in sorted(reasons.items()) if v > 1e-3}})
        sh = shipments[key]
        out_items.append({
            "key": key, "name_zh": spec.get("name_zh", key), "name_en": spec.get("name_en", key),
            "unit": spec.get("unit"), "basis": spec["basis"], "rate": float(spec["rate"]), "src": spec.get("src"),
            "src_zh": spec.get("src_zh"), "conf": spec.get("conf"), "catalogue_items": [items.code[k] for k in cat],
            "stock": _r(stock), "required": _r(req), "usable": _r(usable_q), "shipped": _r(shipped),
            "unusable": {}, "shortfall": _r(unmet), "unmet": _r(unmet), "phases": phase_rows,
            "coverage_ratio": _r(shipped / req, 6) if req > 0 else None,
            "daily_need": _r(daily) if daily else None,
            "days_of_autonomy": _r(shipped / daily, 4) if daily else None,
            "unit_price": price,
            "shortfall_cost": (_r(unmet * price, 2) if price is not None else None) if unmet > 0 else 0.0,
            "mean_eta_min": _r(float(sh[:, 3] @ sh[:, 4]) / float(sh[:, 3].sum()) / 60.0) if len(sh) else None,
        })
        # stock, but nobody placed on the network (no roads, or no located people): whether it
        # would arrive is unknown, not 0. Without any stock of the item the shortfall is certain.
        held = float(lots.quantity[lot_norm == key].sum()) > 0
        located = not held or (bool(nd) and bool(dest.ok.any() or np.isfinite(eta).any()))
        incomplete: dict[str, Any] = {}
        if figs.units_unknown:
            incomplete["units_unknown"] = figs.units_unknown
        checks.append(check(f"supply_{key}",
                            shipped / req if req > 0 else None, 1.0, "share", shipped >= req - TOL * max(1, nd),
                            f"deliverable in time {shipped:g} of required {req:g} {spec.get('unit') or ''}"
                            f" ({spec['basis']} {float(spec['rate']):g}, 保障人口 {people:.0f}, {days:g} days, "
                            f"by day: " + "; ".join(f"day {r['day']} by {r['deadline_h']:g} h: {r['shipped']:g}"
                                                    f"/{r['required']:g}" for r in phase_rows) + ")",
                            unknown=people <= 0 or req <= 0 or not located, num=shipped, den=req,
                            num_of="shipped",
                            den_of="required", incomplete=incomplete or None, quantity_unit=spec.get("unit"),
                            item={"zh": spec.get("name_zh", key), "en": spec.get("name_en", key)}))

    # lots that can be used but reach nobody in time
    reason = reason.copy()
    for k in range(len(lots)):
        if reason[k] is None and lot_norm[k] is not None and not reached_lot[k]:
            reason[k] = "too_far"
    for it in out_items:
        mine = lot_norm == it["key"]
        it["usable"] = _r(lots.quantity[mine & (reason == None)].sum())  # noqa: E711
        it["unusable"] = {r: _r(lots.quantity[mine & (reason == r)].sum()) for r in REASONS
                          if (mine & (reason == r)).any()}

    no_norm = []
    for k in range(len(items)):
        if items.norm_key[k] not in norms:
            qty = float(lots.quantity[lot_item == k].sum())
            no_norm.append({"code": items.code[k], "name_zh": items.name_zh[k],
                            "norm_key": items.norm_key[k], "stock": _r(qty)})

    towns = _town_rows(inp, dest, norms, need_all, got_all)
    lots_out = [{"id": int(lots.id[k]), "site": st.code[lot_site[k]] if lot_site[k] >= 0 else None,
                 "item": items.code[lot_item[k]] if lot_item[k] >= 0 else None, "norm_key": lot_norm[k],
                 "quantity": _r(lots.quantity[k]), "mode": lots.mode[k], "usable": reason[k] is None,
                 "reason": reason[k]} for k in range(len(lots))]
    short = [i for i in out_items if (i["unmet"] or 0) > TOL * max(1, nd)]
    unpriced = [i["key"] for i in short if i["shortfall_cost"] is None]
    total_cost = sum(i["shortfall_cost"] or 0.0 for i in out_items)
    result = {"people": people, "people_source": figs.supply_population_source, "days": days,
              "event_date": figs.event_date, "event_date_source": figs.event_date_source,
              "deadline_h": float(p["first_batch_deadline_h"]),
              "phases": [{"day": ph.day, "days": ph.days, "deadline_h": ph.deadline_s / 3600.0} for ph in phs],
              "items": out_items, "no_norm": no_norm, "towns": towns, "lots": lots_out, "checks": checks,
              "shortfall_cost_total": _r(total_cost, 2),
              "shortfall_cost_unpriced": unpriced,
              "placed_people": _r(float(dest.people[[k != "unplaced" for k in dest.kind]].sum()) if nd else 0.0),
              "unplaced_people": _r(float(dest.people[[k == "unplaced" for k in dest.kind]].sum()) if nd else 0.0)}
    return SupplyState(reason, ready, lot_site, lot_norm, dest, shipments, need_all, got_all, why_all, phs, result)


def _phase_flow(left: np.ndarray, need: np.ndarray, allowed: np.ndarray, eta: np.ndarray,
                countable: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shipments (group, dest, quantity arrays) for one phase: max flow, then earliest arrival.

    Destinations with the same set of groups reaching them in time form one sink (their need
    summed, cost = their need-weighted mean arrival). A sink's total is shared over its
    destinations in proportion to need (in the flow's resolution: whole units or thousandths,
    largest remainders up), then filled from its groups, earliest first (north-west corner: at
    most groups + destinations rows per sink).
    """
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    live_d = np.nonzero((need > 1e-9) & allowed.any(axis=0))[0]
    live_g = np.nonzero(left > 1e-9)[0]
    if not len(live_d) or not len(live_g):
        return empty
    A = allowed[np.ix_(live_g, live_d)]
    first, inv = _signatures(A)
    n_s = len(first)
    s_need = np.zeros(n_s)
    np.add.at(s_need, inv, need[live_d])
    members_of = [live_d[inv == s] for s in range(n_s)]
    pi_l, pj_l, c_l = [], [], []
    for s in range(n_s):
        members = members_of[s]
        w = need[members]
        gs = live_g[A[:, first[s]]]
        e = eta[np.ix_(gs, members)]
        pi_l.append(gs)
        pj_l.append(np.full(len(gs), s, np.int64))
        c_l.append(e @ w / w.sum() if w.sum() > 0 else e.mean(axis=1))
    pi_a, pj_a, c_a = np.concatenate(pi_l), np.concatenate(pj_l), np.concatenate(c_l)
    flows = transport_flow(left, s_need, pi_a, pj_a, c_a, **({"qty_scale": 1} if countable else {}))
    qs = 1.0 if countable else 1000.0
    og, od, oq = [], [], []
    for s in range(n_s):
        arcs = np.nonzero((pj_a == s) & (flows > 1e-9))[0]
        if not len(arcs):
            continue
        members = members_of[s]
        total = float(flows[arcs].sum())
        share = total * need[members] / need[members].sum()
        base = np.floor(share * qs + 1e-6)
        rest = int(round(total * qs - base.sum()))
        order = np.argsort(-(share * qs - base), kind="stable")
        base[order[:max(0, rest)]] += 1
        share = np.minimum(base, np.floor(need[members] * qs + 1e-6) if countable else need[members] * qs)
        arcs = arcs[np.argsort(c_a[arcs], kind="stable")]              # earliest groups first
        gq = np.round(flows[arcs] * qs)
        mo = np.argsort(eta[pi_a[arcs[0]], members], kind="stable")    # nearest destinations first
        mq = share[mo]
        gc, mc = np.cumsum(gq), np.cumsum(mq)
        br = np.unique(np.concatenate([[0.0], gc, mc]))
        br = br[br <= min(gc[-1], mc[-1]) + 1e-9]
        if len(br) < 2:
            continue
        mid = (br[:-1] + br[1:]) / 2.0
        seg = np.diff(br)
        keep = seg > 0.5
        gi = np.searchsorted(gc, mid[keep], side="right")
        mi = np.searchsorted(mc, mid[keep], side="right")
        og.append(pi_a[arcs][gi])
        od.append(members[mo][mi])
        oq.append(np.round(seg[keep]) / qs)
    if not og:
        return empty
    return np.concatenate(og), np.concatenate(od), np.concatenate(oq)


def _signatures(A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first column of each distinct column of the boolean matrix ``A``, each column's group),
    the groups in the order of ``np.unique(np.packbits(A, axis=0).T, axis=0)``.

    Up to 64 rows a column is one uint64 (row g → bit 63 − g: the big-endian order of
    packbits, so the integers sort as the packed bytes do) and one 1-D ``np.unique`` (stable
    for ``return_index``, as the row-wise one) gives the same groups, much faster."""
    if A.shape[0] <= 64:
        w = np.left_shift(np.uint64(1), np.arange(63, 63 - A.shape[0], -1, dtype=np.uint64))
        key = np.bitwise_or.reduce(np.where(A, w[:, None], np.uint64(0)), axis=0)
        _k, first, inv = np.unique(key, return_index=True, return_inverse=True)
    else:
        _s, first, inv = np.unique(np.packbits(A, axis=0).T, axis=0, return_index=True, return_inverse=True)
    return first, inv.reshape(-1)


def _town_rows(inp: PlanInput, dest: Destinations, norms: dict[str, Any], need: dict[str, np.ndarray],
               got: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Per town: its people's requirement, what reaches them in time, what is unmet."""
    names = dict(zip(inp.towns.code, inp.towns.name, strict=True))
    codes = sorted({t for mix in dest.town_mix for t in mix if t is not None})
    total = float(dest.people.sum()) if len(dest.people) else 0.0
    # town × destination: its people there (one pass over the mixes)
    tpos = {t: k for k, t in enumerate(codes)}
    M = np.zeros((len(codes), len(dest.town_mix)))
    for j, mix in enumerate(dest.town_mix):
        for t, v in mix.items():
            if t is not None:
                M[tpos[t], j] = v
    p_ok = dest.people > 0
    out = []
    for ti, t in enumerate(codes):
        # the same quotients, and the sum added in destination order (cumsum, like sum())
        frac = np.where(p_ok, M[ti] / np.where(p_ok, dest.people, 1.0), 0.0)
        ppl = float(np.cumsum(M[ti])[-1]) if M.shape[1] else 0.0
        rows = {}
        for key in norms:
            req = float((need[key] * frac[None, :]).sum())
            shp = float((got[key] * frac[None, :]).sum())
            rows[key] = {"required": _r(req), "shipped": _r(shp), "unmet": _r(max(0.0, req - shp))}
        out.append({"town": t, "name": names.get(t), "population": _r(ppl),
                    "share": _r(ppl / total, 6) if total > 0 else None, "items": rows})
    return out
