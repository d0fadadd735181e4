"""Side-by-side comparison of plan results (baseline and scenarios).

:func:`compare_results` turns a list of :class:`planner.engine.run.PlanResult` (the first one is
the reference) into plain data for the CLI, the GUI and the PDF report::

    {"scenarios": [names], "thresholds": [minutes in force, per scenario],
     "checks": [{"id", "name_zh", "name_en", "names_zh": [...], "names_en": [...], "unit", "target",
                 "targets": [...], "values": [...], "deltas": [...], "passed": [...], "status": [...]}],
     "towns": [{"code", "name", "served": [...], "unreachable": [...], "delta_served": [...]}],
     "units_newly_uncovered": [[{"code", "name", "town", "population"}, ...] per scenario],
     "units_newly_isolated": [[...] per scenario],
     "shelters_overflowing": [[{"code", "name", "capacity", "assigned"}, ...] per scenario],
     "items_shortfall_growth": [[{"item", "name_zh", "name_en", "shortfall_ref", "shortfall",
                                  "delta"}, ...] per scenario]}

Per-scenario lists are relative to the reference, so index 0 is always an empty list. A check's
name is rendered with its scenario's threshold: ``names_zh``/``names_en`` hold each scenario's,
``name_zh``/``name_en`` the one name, or the distinct names joined by " / " when the scenarios'
thresholds differ ("15分钟内… / 5分钟内…"); ``target`` is the reference's, ``targets`` each one's.
Definitions: a unit is *covered* when an open shelter is within the threshold (its nearest
time ≤ threshold, whether or not there was room); *newly uncovered* = covered in the reference,
not in the scenario. *Newly isolated* = isolation status ``isolated`` in the scenario but not in
the reference. A shelter *overflows* when it is filled to capacity (assigned ≥ capacity > 0) in
the scenario but was not in the reference. An item's shortfall *grows* when the scenario's
shortfall exceeds the reference's.
"""
from __future__ import annotations

from typing import Any

from planner.engine.results import check_status
from planner.progress import check_cancel, tell

EPS = 1e-6


def _delta(v: Any, ref: Any) -> float | None:
    if v is None or ref is None:
        return None
    try:
        return round(float(v) - float(ref), 6)
    except (TypeError, ValueError):
        return None


def _covered(u: dict[str, Any], thr: float) -> bool:
    t = u.get("nearest_min")
    return u.get("snap_status") == "ok" and t is not None and t <= thr + EPS


def _full(sh: dict[str, Any]) -> bool:
    cap = sh.get("capacity") or 0
    return bool(sh.get("open", True)) and cap > 0 and (sh.get("assigned") or 0) >= cap - EPS


def _label(names: list[str | None]) -> str | None:
    """One label for a row: the name, or each distinct name in scenario order joined by " / "."""
    distinct = list(dict.fromkeys(n for n in names if n))
    return " / ".join(distinct) if distinct else None


def compare_results(results: list[Any]) -> dict[str, Any]:
    """Compare results; the first is the reference. Accepts PlanResult objects or their dicts."""
    rs = [r.to_dict() if hasattr(r, "to_dict") else dict(r) for r in results]
    if not rs:
        raise ValueError("nothing to compare")
    n = len(rs)
    ref = rs[0]

    # -- checks: in the reference's order, then any extra ids ---------------------------------
    order: list[str] = []
    meta: dict[str, dict[str, Any]] = {}
    for r in rs:
        for c in r.get("checks") or []:
            if c["id"] not in meta:
                order.append(c["id"])
                meta[c["id"]] = c
    checks = []
    for cid in order:
        per = [{c["id"]: c for c in (r.get("checks") or [])}.get(cid) for r in rs]
        vals = [None if c is None else c.get("value") for c in per]
        m = meta[cid]
        # a check's name carries the threshold in force in its own scenario ("15-minute …" in
        # one, "5-minute …" in another): one label per scenario, joined when they differ
        names = {lang: [None if c is None else c.get(f"name_{lang}") for c in per] for lang in ("zh", "en")}
        checks.append({"id": cid, "name_zh": _label(names["zh"]) or m.get("name_zh"),
                       "name_en": _label(names["en"]) or m.get("name_en"),
                       "names_zh": names["zh"], "names_en": names["en"], "unit": m.get("unit"),
                       "target": (per[0] or m).get("target"),
                       "targets": [None if c is None else c.get("target") for c in per],
                       "values": vals, "deltas": [_delta(v, vals[0]) for v in vals],
                       # None: the check is missing from that result or could not be assessed
                       "passed": [None if c is None or check_status(c) == "unknown" else check_status(c) == "pass"
                                  for c in per],
                       "status": [None if c is None else check_status(c) for c in per]})

    # -- towns ----------------------------------------------------------------------------------
    town_rows: dict[Any, dict[str, Any]] = {}
    town_order: list[Any] = []
    for i, r in enumerate(rs):
        for t in (r.get("coverage") or {}).get("towns") or []:
            code = t.get("town")
            if code not in town_rows:
                town_order.append(code)
                town_rows[code] = {"code": code, "name": t.get("name"), "served": [None] * n,
                                   "unreachable": [None] * n}
            town_rows[code]["served"][i] = t.get("served")
            town_rows[code]["unreachable"][i] = t.get("unreachable")
    towns = []
    for code in town_order:
        row = town_rows[code]
        row["delta_served"] = [_delta(v, row["served"][0]) for v in row["served"]]
        towns.append(row)

    # -- units newly uncovered / isolated ------------------------------------------------------
    def units(r):
        return {u["code"]: u for u in (r.get("coverage") or {}).get("units") or []}

    def thr(r):
        return float((r.get("coverage") or {}).get("threshold_min") or 15.0)

    def iso(r):
        return {u["code"]: u for u in (r.get("isolation") or {}).get("units") or [] if u.get("status") == "isolated"}

    ref_units, ref_thr, ref_iso = units(ref), thr(ref), iso(ref)
    newly_unc: list[list[dict[str, Any]]] = [[]]
    newly_iso: list[list[dict[str, Any]]] = [[]]
    for r in rs[1:]:
        us, t = units(r), thr(r)
        lst = []
        for code, u in us.items():
            ru = ref_units.get(code)
            if ru is not None and _covered(ru, ref_thr) and not _covered(u, t):
                lst.append({"code": code, "name": u.get("name"), "town": u.get("town"),
                            "population": u.get("population")})
        newly_unc.append(lst)
        newly_iso.append([{"code": c, "name": u.get("name"), "town": u.get("town"), "population": u.get("population")}
                          for c, u in iso(r).items() if c not in ref_iso])

    # -- shelters overflowing ------------------------------------------------------------------
    def shelters(r):
        return {s["code"]: s for s in (r.get("coverage") or {}).get("shelters") or []}

    ref_sh = shelters(ref)
    over: list[list[dict[str, Any]]] = [[]]
    for r in rs[1:]:
        lst = []
        for code, sh in shelters(r).items():
            rsh = ref_sh.get(code)
            if _full(sh) and (rsh is None or not _full(rsh)):
                lst.append({"code": code, "name": sh.get("name"), "capacity": sh.get("capacity"),
                            "assigned": sh.get("assigned")})
        over.append(lst)

    # -- supply items whose shortfall grows ----------------------------------------------------
    def items(r):
        return {i["key"]: i for i in (r.get("supply") or {}).get("items") or []}

    ref_items = items(ref)
    grow: list[list[dict[str, Any]]] = [[]]
    for r in rs[1:]:
        lst = []
        for key, it in items(r).items():
            s_ref = (ref_items.get(key) or {}).get("shortfall") or 0.0
            s_new = it.get("shortfall") or 0.0
            if s_new > s_ref + EPS:
                lst.append({"item": key, "name_zh": it.get("name_zh"), "name_en": it.get("name_en"),
                            "unit": it.get("unit"), "shortfall_ref": s_ref, "shortfall": s_new,
                            "delta": round(s_new - s_ref, 6)})
        grow.append(lst)

    return {"scenarios": [r.get("scenario") for r in rs], "thresholds": [thr(r) for r in rs],
            "checks": checks, "towns": towns,
            "units_newly_uncovered": newly_unc, "units_newly_isolated": newly_iso,
            "shelters_overflowing": over, "items_shortfall_growth": grow,
            "summaries": [r.get("summary") for r in rs]}


def compare_runs(plan: Any, names: list[str | None], progress: Any = None) -> list[tuple[Any, Any]]:
    """(input, result) of each named scenario ("baseline" or None = no scenario), in order.

    Every scenario runs on one what-if session (:class:`planner.engine.session.WhatIf`): the
    road graph is built once and reused while its content key (road digest + graph parameters)
    stays the same, hazards are written into its edge weights without a rebuild, and unaffected
    searches are reused. Results are identical to ``run_plan`` on each scenario. ``progress``
    (optional) hears which scenario runs and can cancel between them (:class:`Cancelled`).
    """
    from planner.engine.session import WhatIf
    from planner.scenario.runs import load_input

    runs = []
    with WhatIf(service_areas=False) as session:
        for k, name in enumerate(names):
            check_cancel(progress)   # ``progress``: set_progress/is_cancelled; Cancelled between scenarios
            tell(progress, k / max(1, len(names)), name or "baseline")
            inp = load_input(plan, name)
            runs.append((inp, session.run_input(inp)))
    return runs


def compare_plan(plan: Any, names: list[str | None], progress: Any = None) -> tuple[list[Any], dict[str, Any]]:
    """Run the engine on each named scenario (:func:`compare_runs`) and compare the results."""
    results = [r for _i, r in compare_runs(plan, names, progress)]
    return results, compare_results(results)
