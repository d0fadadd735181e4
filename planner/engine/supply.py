"""72-hour supply: requirement per norms item, usable stock, shortfalls, per-town split.

Requirement (people = target_affected, days = horizon_h / 24):
``per_person_per_day``: people × rate × days; ``per_person``: people × rate;
``per_n_persons``: ceil(people / rate).

A stock lot counts as usable only if, in this order of reasons for not counting it:
the site is open (built) — ``site_closed``; it has coordinates — ``unlocated``; it is on the
driving network — ``off_network``; it is unexpired on the event date (usable on its expiry
date) — ``expired``; agreement stock has a lead time — ``agreement_no_lead_time`` — of at most
the first-batch deadline — ``agreement_too_slow``; and (lead time for agreement stock +) driving
time to at least one open shelter is within the deadline — ``too_far``.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse.csgraph import dijkstra

from planner.engine.coverage import check, open_shelter_mask
from planner.engine.figures import plan_figures
from planner.engine.graph import RoadGraph, Snap
from planner.engine.snapshot import PlanInput

REASONS = ("site_closed", "unlocated", "off_network", "expired", "agreement_no_lead_time",
           "agreement_too_slow", "too_far")
SOURCE_KINDS = ("warehouse", "reserve_point")


def norm_items(inp: PlanInput) -> dict[str, dict[str, Any]]:
    return dict((inp.norms.get("supplies") or {}).get("items") or {})


def horizon_days(inp: PlanInput) -> float:
    """The basic-living support horizon in days (``horizon_h`` / 24; 72 h → 3)."""
    return float(inp.params["horizon_h"]) / 24.0


def required_qty(basis: str, rate: float, people: float, days: float) -> float:
    """The requirement of one norms item for ``people`` over ``days`` (the rule in the module doc);
    the one place it is computed (supply, allocation, isolation, recommendations, the demo)."""
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


@dataclass
class DriveTimes:
    """Driving times from source sites to open shelters (seconds, snaps included)."""

    snap: Snap                 # all sites on the driving network
    src: np.ndarray            # site indices of open, on-network sources
    shelters: np.ndarray       # site indices of open, on-network shelters
    T: np.ndarray              # (len(src), len(shelters)); inf = beyond the deadline limit
    any_path: np.ndarray       # per shelter: reachable (no limit) from at least one source
    limit_s: float
    D: np.ndarray | None = None       # (unique source nodes × all nodes) times within the limit
    src_row: np.ndarray | None = None  # per source (same order as src): its row in D


def drive_times(inp: PlanInput, graph: RoadGraph) -> DriveTimes:
    st = inp.sites
    snap = graph.snap("drive", st.lon, st.lat)
    has_lots = np.zeros(len(st), bool)
    if len(inp.lots):
        pos = {int(i): k for k, i in enumerate(st.id)}
        for sid in inp.lots.site_id:
            if int(sid) in pos:
                has_lots[pos[int(sid)]] = True
    is_src = (np.isin(st.kind, SOURCE_KINDS) | has_lots) & (st.status == "built") & snap.ok
    src = np.nonzero(is_src)[0]
    shel = np.nonzero(open_shelter_mask(inp) & snap.ok)[0]
    limit = float(inp.params["first_batch_deadline_h"]) * 3600.0
    T = np.full((len(src), len(shel)), np.inf)
    any_path = np.zeros(len(shel), bool)
    D = row = None
    if len(src):
        G = graph.drive.csr
        un, row = np.unique(snap.node[src], return_inverse=True)
        D = graph.drive_rows(un, limit)   # memoised per source, see RoadGraph.drive_rows
        if len(shel):
            T = D[np.ix_(row, snap.node[shel])] + snap.time_s[src][:, None] + snap.time_s[shel][None, :]
            # a path within the limit proves one exists; search without a limit only for the rest
            any_path = np.isfinite(D[:, snap.node[shel]]).any(axis=0)
            if not any_path.all():
                reach = dijkstra(G, directed=True, indices=un, min_only=True)
                any_path = np.isfinite(reach[snap.node[shel]])
    return DriveTimes(snap, src, shel, T, any_path, limit, D, row)


def lot_usability(inp: PlanInput, dt_: DriveTimes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(reason or None, ready seconds, site index) per lot."""
    st, lots = inp.sites, inp.lots
    pos = {int(i): k for k, i in enumerate(st.id)}
    event = dt.date.fromisoformat(plan_figures(inp).event_date)
    deadline = float(inp.params["first_batch_deadline_h"]) * 3600.0
    src_row = {int(s): r for r, s in enumerate(dt_.src)}
    best = dt_.T.min(axis=1) if dt_.T.size else np.full(len(dt_.src), np.inf)
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
        elif dt_.snap.status[s] != "ok":
            r = "off_network"
        elif lots.expiry[k] is not None and dt.date.fromisoformat(str(lots.expiry[k])[:10]) < event:
            r = "expired"
        elif lots.mode[k] == "agreement":
            lead = lots.lead_time_h[k]
            if np.isnan(lead):
                r = "agreement_no_lead_time"
            elif lead * 3600.0 > deadline + 1e-9:
                r = "agreement_too_slow"
            else:
                ready[k] = lead * 3600.0
        if r is None:
            row = src_row.get(int(s))
            if row is None or not ready[k] + best[row] <= deadline + 1e-9:
                r = "too_far"
        reason[k] = r
    return reason, ready, site


def _r(x: float, nd: int = 3) -> float | None:
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


@dataclass
class SupplyState:
    reason: np.ndarray
    ready_s: np.ndarray
    lot_site: np.ndarray
    lot_norm: np.ndarray     # norm key per lot (None: no norm)
    result: dict[str, Any]


def compute_supply(inp: PlanInput, dt_: DriveTimes) -> SupplyState:
    p = inp.params
    people = float(plan_figures(inp).supply_population or 0.0)
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

    out_items = []
    checks = []
    for key, spec in norms.items():
        basis, rate = spec["basis"], float(spec["rate"])
        req = required_qty(basis, rate, people, days)
        cat = [k for k in range(len(items)) if items.norm_key[k] == key]
        mine = lot_norm == key
        usable = float(lots.quantity[mine & (reason == None)].sum())  # noqa: E711
        unusable = {r: _r(lots.quantity[mine & (reason == r)].sum()) for r in REASONS
                    if (mine & (reason == r)).any()}
        short = max(0.0, req - usable)
        prices = [items.unit_price[k] for k in cat if not np.isnan(items.unit_price[k])]
        price = min(prices) if prices else None
        daily = people * rate if basis == "per_person_per_day" else None
        out_items.append({
            "key": key, "name_zh": spec.get("name_zh", key), "name_en": spec.get("name_en", key),
            "unit": spec.get("unit"), "basis": basis, "rate": rate, "src": spec.get("src"),
            "conf": spec.get("conf"), "catalogue_items": [items.code[k] for k in cat],
            "required": _r(req), "usable": _r(usable), "unusable": unusable, "shortfall": _r(short),
            "coverage_ratio": _r(usable / req, 6) if req > 0 else None,
            "daily_need": _r(daily) if daily else None,
            "days_of_autonomy": _r(usable / daily, 4) if daily else None,
            "unit_price": price, "shortfall_cost": _r(short * price, 2) if price is not None else None,
        })
        checks.append(check(f"supply_{key}",
                            usable / req if req > 0 else 1.0, 1.0, "share", usable >= req - 1e-9,
                            f"usable {usable:g} of required {req:g} {spec.get('unit') or ''}"
                            f" ({basis} {rate:g}, {people:.0f} people, {days:g} days)",
                            item={"zh": spec.get("name_zh", key), "en": spec.get("name_en", key)}))

    no_norm = []
    for k in range(len(items)):
        if items.norm_key[k] not in norms:
            qty = float(lots.quantity[lot_item == k].sum())
            no_norm.append({"code": items.code[k], "name_zh": items.name_zh[k],
                            "norm_key": items.norm_key[k], "stock": _r(qty)})

    # per town: requirement by population share; usable stock located in the town
    if len(inp.towns) and np.nansum(inp.towns.population) > 0:
        tcodes = list(inp.towns.code)
        tnames = list(inp.towns.name)
        tpop = np.nan_to_num(inp.towns.population)
    else:
        tcodes = sorted({t for t in inp.demand.town if t is not None})
        tnames = [None] * len(tcodes)
        tpop = np.array([np.nansum(inp.demand.population[inp.demand.town == t]) for t in tcodes])
    towns = []
    total_pop = float(tpop.sum())
    for t, name, tp in zip(tcodes, tnames, tpop, strict=True):
        share = float(tp) / total_pop if total_pop > 0 else 0.0
        at_town = np.array([lot_site[k] >= 0 and st.town[lot_site[k]] == t for k in range(len(lots))], bool)
        rows = {}
        for key, spec in norms.items():
            req = item_required(spec, people * share, days)
            loc = float(lots.quantity[at_town & (lot_norm == key) & (reason == None)].sum())  # noqa: E711
            rows[key] = {"required": _r(req), "usable_local": _r(loc), "shortfall_local": _r(max(0.0, req - loc))}
        towns.append({"town": t, "name": name, "population": _r(tp), "share": _r(share, 6), "items": rows})

    lots_out = [{"id": int(lots.id[k]), "site": st.code[lot_site[k]] if lot_site[k] >= 0 else None,
                 "item": items.code[lot_item[k]] if lot_item[k] >= 0 else None, "norm_key": lot_norm[k],
                 "quantity": _r(lots.quantity[k]), "mode": lots.mode[k], "usable": reason[k] is None,
                 "reason": reason[k]} for k in range(len(lots))]
    total_cost = sum(i["shortfall_cost"] or 0.0 for i in out_items)
    result = {"people": people, "days": days, "event_date": plan_figures(inp).event_date,
              "deadline_h": float(p["first_batch_deadline_h"]), "items": out_items, "no_norm": no_norm,
              "towns": towns, "lots": lots_out, "checks": checks,
              "shortfall_cost_total": _r(total_cost, 2)}
    return SupplyState(reason, ready, lot_site, lot_norm, result)
