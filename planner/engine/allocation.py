"""First-batch allocation: per norms item, a min-cost max-flow from sources to open shelters.

Demand at a shelter = its assigned population (from coverage) × the item's norm over the
horizon. Supply = usable stock (see supply.py), grouped by (site, ready time): physical stock is
ready at once, agreement stock after its lead time. A pair is allowed only when ready time +
driving time ≤ first-batch deadline; cost = that ETA in seconds. The LP ships as much as
possible, then minimises Σ quantity × ETA (OR-Tools SimpleMinCostFlow on integers: quantities
in thousandths, ETA in tenths of a second; see lp.transport_flow). It never ships more than a
source holds, nor to a shelter that is not open.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from planner.engine.coverage import open_shelter_mask
from planner.engine.lp import transport_flow
from planner.engine.snapshot import PlanInput
from planner.engine.supply import DriveTimes, SupplyState, horizon_days, item_required, norm_items


def _r(x: float, nd: int = 3) -> float:
    return round(float(x), nd)


#: units measured continuously; anything else (件, 顶, 床, 张, 个, 箱 …) is counted in whole units
CONTINUOUS_UNITS = {"l", "ml", "m3", "m³", "kg", "g", "t", "吨", "千克", "公斤", "升", "毫升", "克", "立方米"}


def is_countable(unit: str | None) -> bool:
    return bool(unit) and str(unit).strip().lower() not in CONTINUOUS_UNITS


def compute_allocation(inp: PlanInput, dt_: DriveTimes, supply: SupplyState,
                       assigned: np.ndarray, progress=None) -> dict[str, Any]:
    st, lots = inp.sites, inp.lots
    days = horizon_days(inp)
    deadline = float(inp.params["first_batch_deadline_h"]) * 3600.0
    norms = norm_items(inp)
    src_row = {int(s): r for r, s in enumerate(dt_.src)}
    sh_col = {int(h): c for c, h in enumerate(dt_.shelters)}
    # shelters that receive: open (dt_.shelters only holds open, on-network ones) or open but
    # off the driving network (reported unreachable)
    open_mask = open_shelter_mask(inp)
    recv = [int(h) for h in np.nonzero(open_mask & (assigned > 1e-9))[0]]
    manifests: dict[str, list] = {st.code[h]: [] for h in recv}
    unmet_rows: dict[str, list] = {st.code[h]: [] for h in recv}
    dispatch: dict[str, list] = {}
    items_out = []
    usable = supply.reason == None  # noqa: E711
    keys = list(norms)
    recv_col = np.array([sh_col.get(h, -1) for h in recv], dtype=np.int64)
    ok_col = recv_col >= 0
    problems = []
    for key in keys:
        spec = norms[key]
        dem = np.array([item_required(spec, float(assigned[h]), days)
                        for h in recv])
        countable = is_countable(spec.get("unit"))
        if countable:  # a shelter needs whole beds, tents, lamps …: round its need up
            dem = np.ceil(dem - 1e-9)
        mine = np.nonzero(usable & (supply.lot_norm == key))[0]
        # supply groups: (site, ready seconds)
        groups: dict[tuple[int, float], float] = {}
        for k in mine:
            g = (int(supply.lot_site[k]), float(supply.ready_s[k]))
            groups[g] = groups.get(g, 0.0) + float(lots.quantity[k])
        gkeys = sorted(groups)
        sup = np.array([groups[g] for g in gkeys])
        g_row = np.array([src_row.get(s, -1) for s, _ in gkeys], dtype=np.int64)
        g_ready = np.array([r for _, r in gkeys])
        live_g = np.nonzero(g_row >= 0)[0]
        live_j = np.nonzero(ok_col)[0]
        if len(live_g) and len(live_j):
            eta = g_ready[live_g][:, None] + dt_.T[np.ix_(g_row[live_g], recv_col[live_j])]
            a, b = np.nonzero(eta <= deadline + 1e-9)
            pi_a, pj_a, cost_a = live_g[a], live_j[b], eta[a, b]
        else:
            pi_a, pj_a, cost_a = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        if countable:
            sup = np.floor(sup + 1e-9)  # a stock count is whole; a fraction cannot be shipped
        problems.append((key, spec, dem, gkeys, sup, pi_a, pj_a, cost_a, countable))

    def solve(pr):
        dem, sup, pi_a, pj_a, cost_a, countable = pr[2], pr[4], pr[5], pr[6], pr[7], pr[8]
        if not len(pi_a):
            return np.zeros(0)
        return transport_flow(sup, dem, pi_a, pj_a, cost_a, **({"qty_scale": 1} if countable else {}))

    # one min-cost max-flow per item (OR-Tools, a few ms each; scipy LP if it is missing)
    for n_i, pr in enumerate(problems):
        flows = solve(pr)
        key, spec, dem, gkeys, sup, pi_a, pj_a, cost_a, _countable = pr
        got = np.zeros(len(recv))
        np.add.at(got, pj_a, flows)
        has_pair = np.zeros(len(recv), bool)
        has_pair[pj_a] = True
        for k in np.nonzero(flows > 1e-9)[0]:
            s, ready = gkeys[pi_a[k]]
            h = recv[pj_a[k]]
            row = {"item": key, "name_zh": spec.get("name_zh", key), "unit": spec.get("unit"),
                   "quantity": _r(flows[k]), "source": st.code[s], "shelter": st.code[h],
                   "eta_min": _r(cost_a[k] / 60.0), "ready_h": _r(ready / 3600.0)}
            manifests[st.code[h]].append(row)
            dispatch.setdefault(st.code[s], []).append(row)
        total_stock = float(sup.sum())
        for j, h in enumerate(recv):
            miss = dem[j] - got[j]
            if miss <= 1e-6:
                continue
            c = sh_col.get(h)
            if total_stock <= 0:
                why = "no_stock"
            elif c is None or not dt_.any_path[c]:
                why = "unreachable"
            elif not has_pair[j]:
                why = "beyond_deadline"
            else:
                why = "insufficient_stock"
            unmet_rows[st.code[h]].append({"item": key, "quantity": _r(miss), "reason": why})
        items_out.append({"key": key, "demand": _r(dem.sum()), "shipped": _r(flows.sum()),
                          "stock": _r(total_stock), "unmet": _r(max(0.0, dem.sum() - flows.sum())),
                          "mean_eta_min": _r(float(np.sum(flows * cost_a) / flows.sum() / 60.0))
                          if flows.sum() > 0 else None})
        if progress:
            progress((n_i + 1) / max(1, len(keys)), f"allocation {key}")
    shelters = []
    for h in recv:
        code = st.code[h]
        shelters.append({"shelter": code, "name": st.name[h], "people": _r(assigned[h]),
                         "manifest": manifests[code], "unmet": unmet_rows[code]})
    sources = [{"source": code, "name": st.name[list(st.code).index(code)], "dispatch": rows}
               for code, rows in sorted(dispatch.items())]
    return {"deadline_h": deadline / 3600.0, "items": items_out, "shelters": shelters,
            "sources": sources,
            "note": "demand = people assigned to each shelter by the coverage step × norm over the horizon; "
                    "people not assigned (over capacity / unreachable) receive nothing here"}
