"""Isolation (三断 / 易失联): villages no open supply source reaches by road.

A demand unit is *isolated* when it is on the driving network (or has a village-level point of
its own) but no open warehouse or reserve point holding usable stock has a road path to it in
the scenario. Each isolated village is judged on its own: the stock that actually reaches it —
its own village-level points (``site.village`` = the unit's code, no road needed) — against its
people's 72-hour need, day by day, from the same supply flow as every other figure
(planner.engine.supply). Units off the driving network or without coordinates are listed with
that status. Every unit flagged 易失联 / 防汛重点村 (``flags``) is listed in every run with its
status: reachable by road? its people's 72-hour need met?
"""
from __future__ import annotations

from typing import Any

import numpy as np

from planner.engine.graph import RoadGraph
from planner.engine.snapshot import PlanInput
from planner.engine.supply import DriveTimes, SupplyState, norm_items, road_reach


def _r(x: float, nd: int = 3) -> float:
    return round(float(x), nd)


def compute_isolation(inp: PlanInput, graph: RoadGraph, supply: SupplyState, drive: DriveTimes) -> dict[str, Any]:
    st, du = inp.sites, inp.demand
    norms = norm_items(inp)
    # a site holds stock when one of its lots can be used ("too_far" for the deadlines still counts)
    held = np.zeros(len(st), bool)
    ok_lots = np.array([r is None or r == "too_far" for r in supply.reason], bool)
    held[supply.lot_site[ok_lots & (supply.lot_site >= 0)]] = True
    built = st.status == "built"
    sources = np.nonzero(np.isin(st.kind, ("warehouse", "reserve_point")) & built & held & drive.snap.ok)[0]
    reach = road_reach(inp, graph, drive, sources)
    own_pts: dict[str, list[int]] = {}
    for s in np.nonzero(built & (st.village != None))[0]:  # noqa: E711
        own_pts.setdefault(st.village[s], []).append(int(s))

    # per unit, per item: need and shipped at home and at its shelters (its people's share)
    dest = supply.dest
    nu = len(du)
    pairs = [(j, ui, v / dest.people[j]) for j in range(len(dest.kind)) if dest.people[j] > 0
             for ui, v in dest.unit_mix[j].items()]
    pj = np.array([p[0] for p in pairs], np.int64)
    pu = np.array([p[1] for p in pairs], np.int64)
    pf = np.array([p[2] for p in pairs], np.float64)
    placed = np.zeros(nu, bool)
    placed[pu] = True
    # per unit: its people over all destinations (the same sum, in the same order, as adding
    # dest.people[j] * f over its pairs one by one: bincount adds its weights in order)
    unit_people = np.bincount(pu, weights=dest.people[pj] * pf, minlength=nu) if len(pairs) else np.zeros(nu)
    unit_need = {k: np.zeros(nu) for k in norms}
    unit_got = {k: np.zeros(nu) for k in norms}
    for item in norms:
        if len(pairs):
            np.add.at(unit_need[item], pu, supply.need[item].sum(axis=0)[pj] * pf)
            np.add.at(unit_got[item], pu, supply.got[item].sum(axis=0)[pj] * pf)

    def met(ui: int) -> bool | None:
        if not placed[ui]:
            return None   # no people placed here (unknown population)
        return all(unit_got[k][ui] >= unit_need[k][ui] - 0.01 for k in norms)

    status = np.empty(len(du), dtype=object)
    for ui in range(len(du)):
        local = bool(own_pts.get(du.code[ui]))
        if drive.usnap.status[ui] != "ok" and not local:
            status[ui] = drive.usnap.status[ui]
        elif reach[ui]:
            status[ui] = "connected"
        else:
            status[ui] = "isolated"
    iso = np.nonzero(status == "isolated")[0]
    pools, units = [], []
    for u_ix in np.nonzero(status != "connected")[0]:
        ui = int(u_ix)
        rows = [{"item": k, "required": _r(unit_need[k][ui]), "local_stock": _r(unit_got[k][ui]),
                 "covered": bool(unit_got[k][ui] >= unit_need[k][ui] - 0.01)} for k in norms]
        pts = [st.code[s] for s in own_pts.get(du.code[ui], [])]
        pop = du.population[ui]
        units.append({"code": du.code[ui], "name": du.name[ui], "town": du.town[ui],
                      "population": None if np.isnan(pop) else _r(pop), "status": status[ui],
                      "flags": list(du.flags[ui] or ()), "reached_by_road": bool(reach[ui]),
                      "local_points": pts, "covered_72h": met(ui) if status[ui] == "isolated" else None})
        if status[ui] == "isolated":
            pools.append({"town": du.town[ui], "units": [du.code[ui]],
                          "people": _r(float(unit_people[ui])),
                          "local_points": pts, "covered_72h": met(ui), "items": rows})
    flagged = [{"code": du.code[ui], "name": du.name[ui], "town": du.town[ui], "flags": list(du.flags[ui]),
                "status": status[ui], "reachable": bool(reach[ui]), "supplied_72h": met(ui)}
               for ui in range(len(du)) if du.flags[ui]]
    iso_pop = du.population[iso] if len(iso) else np.zeros(0)
    return {"isolated_units": int(len(iso)),
            "isolated_population": _r(np.nansum(iso_pop)) if len(iso) else 0.0,
            "isolated_population_unknown": int(np.isnan(iso_pop).sum()),
            "open_sources": int(len(sources)),
            "open_warehouses": int(np.sum(st.kind[sources] == "warehouse")) if len(sources) else 0,
            "units": units, "pools": pools, "flagged": flagged,
            "definition": "isolated = no open warehouse or reserve point holding stock reaches it by road; "
                          "judged by the stock that reaches it (its own village points)"}
