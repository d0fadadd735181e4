"""The allocation: the 72-hour supply flow (planner.engine.supply) as manifests.

Per shelter: what arrives, from where, on which day and when, and what stays unmet and why.
Per village (the people at home): what arrives per item and day, and what stays unmet and why
(the largest reason). Per source: its dispatch list — line by line to shelters, and per item and day to
villages (how much, to how many). Nothing is solved here: the check and the allocation are the
same flow, so they cannot disagree.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from planner.engine.snapshot import PlanInput
from planner.engine.supply import TOL, SupplyState, is_countable, norm_items

__all__ = ["compute_allocation", "is_countable"]


def _r(x: float, nd: int = 3) -> float:
    return round(float(x), nd)


def compute_allocation(inp: PlanInput, supply: SupplyState) -> dict[str, Any]:
    st, du = inp.sites, inp.demand
    norms = norm_items(inp)
    dest = supply.dest
    nd = len(dest.kind)
    is_shelter = np.array([k == "shelter" for k in dest.kind], bool)
    code = [st.code[ix] if k == "shelter" else (du.code[ix] if k == "home" else None)
            for k, ix in zip(dest.kind, dest.index, strict=True)]
    manifests: list[list[dict[str, Any]]] = [[] for _ in range(nd)]
    unmet_rows: list[list[dict[str, Any]]] = [[] for _ in range(nd)]
    dispatch: dict[str, list] = {}
    to_villages: dict[tuple[str, str, int], list[float]] = {}
    received: list[dict[str, list[float]]] = [{} for _ in range(nd)]
    village_unmet: list[dict[str, dict[str, Any]]] = [{} for _ in range(nd)]
    items_out = []
    usable = {i["key"]: i["usable"] for i in supply.result.get("items", [])}
    for key, spec in norms.items():
        sh = supply.shipments.get(key, np.zeros((0, 6)))
        unit = spec.get("unit")
        live = sh[sh[:, 3] > 1e-9] if len(sh) else sh
        to_sh = is_shelter[live[:, 1].astype(np.int64)] if len(live) else np.zeros(0, bool)
        rows_sh = live[to_sh]
        q_r = np.round(rows_sh[:, 3], 3).tolist()
        e_r = np.round(rows_sh[:, 4] / 60.0, 3).tolist()
        rd_r = np.round(rows_sh[:, 5] / 3600.0, 3).tolist()
        for n, (s, j, day) in enumerate(rows_sh[:, :3].astype(np.int64).tolist()):
            row = {"item": key, "name_zh": spec.get("name_zh", key), "unit": unit, "quantity": q_r[n],
                   "source": st.code[s], "to": code[j], "to_kind": "shelter", "shelter": code[j], "day": day,
                   "eta_min": e_r[n], "ready_h": rd_r[n]}
            manifests[j].append(row)
            dispatch.setdefault(st.code[s], []).append(row)
        rows_v = live[~to_sh]
        if len(rows_v):   # to villages: per source and day, how much to how many, the latest arrival
            # (source, day) pairs in (source, day) order: one int key each, a 1-D unique
            sd = rows_v[:, [0, 2]].astype(np.int64)
            span = int(sd[:, 1].max()) + 1
            k1, inv = np.unique(sd[:, 0] * span + sd[:, 1], return_inverse=True)
            inv = inv.reshape(-1)
            keys2 = np.column_stack([k1 // span, k1 % span])
            qsum = np.bincount(inv, weights=rows_v[:, 3])
            cnt = np.bincount(inv)
            late = np.full(len(keys2), -np.inf)
            np.maximum.at(late, inv, rows_v[:, 4])
            for n, (s, day) in enumerate(keys2.tolist()):
                to_villages[(st.code[s], key, day)] = [float(qsum[n]), float(cnt[n]), float(late[n])]
        need, got, why = supply.need[key], supply.got[key], supply.why[key]
        miss = need - got
        # villages: per item, what arrives each day and what does not (compact: one list per item)
        vj = np.nonzero(~is_shelter & (need.sum(axis=0) > TOL))[0]
        got_l = np.round(got[:, vj].T, 3).tolist()
        short = (miss[:, vj] > TOL).any(axis=0)
        miss_l = np.round(np.maximum(miss[:, vj], 0.0).T, 3).tolist()
        worst = np.argmax(miss[:, vj], axis=0) if len(vj) else np.zeros(0, np.int64)
        vj_l = vj.tolist()
        for j, g in zip(vj_l, got_l, strict=True):
            received[j][key] = g
        sn = np.nonzero(short)[0]
        for j, m, w in zip(vj[sn].tolist(), [miss_l[n] for n in sn.tolist()], why[worst[sn], vj[sn]].tolist(),
                           strict=True):
            village_unmet[j][key] = {"by_day": m, "reason": w}
        for pi_, sj in zip(*np.nonzero((miss > TOL) & is_shelter[None, :]), strict=True):
            unmet_rows[int(sj)].append({"item": key, "day": supply.phases[int(pi_)].day,
                                        "quantity": _r(float(miss[pi_, sj])), "reason": why[pi_, sj]})
        qtot = float(sh[:, 3].sum()) if len(sh) else 0.0
        items_out.append({"key": key, "demand": _r(need.sum()), "shipped": _r(got.sum()),
                          "first_batch_demand": _r(need[0].sum()) if len(need) else 0.0,
                          "first_batch_shipped": _r(got[0].sum()) if len(got) else 0.0,
                          "stock": usable.get(key), "unmet": _r(max(0.0, need.sum() - got.sum())),
                          "mean_eta_min": _r(float(sh[:, 3] @ sh[:, 4]) / qtot / 60.0) if qtot > 0 else None})
    for (src, key, day), (q, nv, eta) in sorted(to_villages.items()):
        dispatch.setdefault(src, []).append({"item": key, "unit": norms[key].get("unit"), "quantity": _r(q),
                                             "source": src, "to": None, "to_kind": "villages", "villages": int(nv),
                                             "shelter": None, "day": day, "eta_min": _r(eta / 60.0)})
    shelters, villages = [], []
    for j, (kd, ix) in enumerate(zip(dest.kind, dest.index, strict=True)):
        if kd == "shelter":
            shelters.append({"shelter": code[j], "name": st.name[ix], "people": _r(dest.people[j]),
                             "manifest": manifests[j], "unmet": unmet_rows[j]})
        else:
            villages.append({"unit": code[j], "name": du.name[ix] if kd == "home" else None,
                             "town": du.town[ix] if kd == "home" else None, "people": _r(dest.people[j]),
                             "received": received[j], "unmet": village_unmet[j]})
    code_name = dict(zip(st.code, st.name, strict=True))
    sources = [{"source": c, "name": code_name.get(c), "dispatch": rows} for c, rows in sorted(dispatch.items())]
    return {"deadline_h": float(inp.params["first_batch_deadline_h"]),
            "phases": [{"day": ph.day, "deadline_h": ph.deadline_s / 3600.0} for ph in supply.phases],
            "items": items_out, "shelters": shelters, "villages": villages, "sources": sources,
            "note": "the 72-hour supply flow: 保障人口 where the people are (at their assigned shelter, else at "
                    "home), day by day within each day's deadline"}
