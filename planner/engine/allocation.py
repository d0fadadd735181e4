"""The allocation: the 72-hour supply flow (planner.engine.supply) as manifests.

Per shelter and per village (the people at home): what arrives, from where, on which day and
when, and what stays unmet and why; per source: its dispatch list. Nothing is solved here —
the check and the allocation are the same flow, so they cannot disagree.
"""
from __future__ import annotations

from typing import Any

from planner.engine.snapshot import PlanInput
from planner.engine.supply import TOL, SupplyState, is_countable, norm_items

__all__ = ["compute_allocation", "is_countable"]


def _r(x: float, nd: int = 3) -> float:
    return round(float(x), nd)


def compute_allocation(inp: PlanInput, supply: SupplyState) -> dict[str, Any]:
    st, du = inp.sites, inp.demand
    norms = norm_items(inp)
    dest = supply.dest
    names = []
    for kd, ix in zip(dest.kind, dest.index, strict=True):
        if kd == "shelter":
            names.append((st.code[ix], st.name[ix]))
        elif kd == "home":
            names.append((du.code[ix], du.name[ix]))
        else:
            names.append((None, None))
    manifests: list[list[dict[str, Any]]] = [[] for _ in dest.kind]
    unmet_rows: list[list[dict[str, Any]]] = [[] for _ in dest.kind]
    dispatch: dict[str, list] = {}
    items_out = []
    usable = {i["key"]: i["usable"] for i in supply.result.get("items", [])}
    for key, spec in norms.items():
        ships = supply.shipments.get(key, [])
        for s, j, day, q, eta, ready in ships:
            if q <= 1e-9:
                continue
            row = {"item": key, "name_zh": spec.get("name_zh", key), "unit": spec.get("unit"),
                   "quantity": _r(q), "source": st.code[s], "to": names[j][0], "to_kind": dest.kind[j],
                   "shelter": names[j][0] if dest.kind[j] == "shelter" else None,
                   "day": day, "eta_min": _r(eta / 60.0), "ready_h": _r(ready / 3600.0)}
            manifests[j].append(row)
            dispatch.setdefault(st.code[s], []).append(row)
        need, got, why = supply.need[key], supply.got[key], supply.why[key]
        for pi_, ph in enumerate(supply.phases):
            for j in range(len(dest.kind)):
                miss = need[pi_, j] - got[pi_, j]
                if miss > TOL:
                    unmet_rows[j].append({"item": key, "day": ph.day, "quantity": _r(miss), "reason": why[pi_, j]})
        qs = [(q, e) for _s, _j, _d, q, e, _r0 in ships if q > 0]
        first = need[0].sum() if len(need) else 0.0
        items_out.append({"key": key, "demand": _r(need.sum()), "shipped": _r(got.sum()),
                          "first_batch_demand": _r(first), "first_batch_shipped": _r(got[0].sum() if len(got) else 0),
                          "stock": usable.get(key),
                          "unmet": _r(max(0.0, need.sum() - got.sum())),
                          "mean_eta_min": _r(sum(q * e for q, e in qs) / sum(q for q, _e in qs) / 60.0)
                          if qs else None})
    shelters, villages = [], []
    for j, (kd, ix) in enumerate(zip(dest.kind, dest.index, strict=True)):
        row = {"people": _r(dest.people[j]), "manifest": manifests[j], "unmet": unmet_rows[j]}
        if kd == "shelter":
            shelters.append({"shelter": names[j][0], "name": names[j][1], **row})
        elif kd == "home":
            villages.append({"unit": names[j][0], "name": names[j][1], "town": du.town[ix], **row})
        else:
            villages.append({"unit": None, "name": None, "town": None, **row})
    code_name = dict(zip(st.code, st.name, strict=True))
    sources = [{"source": code, "name": code_name.get(code), "dispatch": rows}
               for code, rows in sorted(dispatch.items())]
    return {"deadline_h": float(inp.params["first_batch_deadline_h"]),
            "phases": [{"day": ph.day, "deadline_h": ph.deadline_s / 3600.0} for ph in supply.phases],
            "items": items_out, "shelters": shelters, "villages": villages, "sources": sources,
            "note": "the 72-hour supply flow: 保障人口 where the people are (at their assigned shelter, else at "
                    "home), day by day within each day's deadline"}
