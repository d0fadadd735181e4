"""run_plan: the whole engine on one snapshot, and its PlanResult (stored by
:func:`planner.scenario.runs.save_run`)."""
from __future__ import annotations

import dataclasses
import gc
import json
import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.engine.allocation import compute_allocation
from planner.engine.coverage import compute_coverage
from planner.engine.figures import PlanFigures, plan_figures
from planner.engine.graph import RoadGraph
from planner.engine.isolation import compute_isolation
from planner.engine.params import describe
from planner.engine.progress import Progress, Stepper
from planner.engine.results import count_checks
from planner.engine.snapshot import PlanInput
from planner.engine.supply import compute_supply, drive_times
from planner.engine.texts import finding
from planner.engine.version import ENGINE_VERSION


def json_safe(obj: Any) -> Any:
    """JSON-safe: numpy → python, inf/nan → None, tuples → lists (dict keys → str)."""
    t = type(obj)
    # the exact built-in types first (a result is hundreds of thousands of them: `type(x) is`
    # is much cheaper than the isinstance chain); subclasses and numpy go the general way
    if t is float:
        return obj if obj - obj == 0.0 else None       # inf - inf and nan - nan are nan
    if t is str or t is int or t is bool or obj is None:
        return obj
    if t is dict:
        return {k if type(k) is str else str(k): json_safe(v) for k, v in obj.items()}
    if t is list or t is tuple:
        return [json_safe(v) for v in obj]
    return _json_safe_other(obj)


def _json_safe_other(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return f if math.isfinite(f) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return json_safe(obj.tolist())
    return obj


log = logging.getLogger(__name__)

@dataclass
class PlanResult:
    engine_version: str
    inputs_hash: str
    scenario: str
    plan_name: str
    parameters: list[dict[str, Any]]
    summary: dict[str, Any]
    checks: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    coverage: dict[str, Any]
    supply: dict[str, Any]
    allocation: dict[str, Any]
    isolation: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    # what the scenario did to the baseline (apply_scenario): sites closed by hazard zones,
    # site and stock changes applied; {} for the baseline
    scenario_effects: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, *, timings: bool = False) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "timings"}
        if timings:
            d["timings"] = self.timings
        return json_safe(d)

    def to_json(self, *, indent: int | None = None, timings: bool = False) -> str:
        """Deterministic JSON (sorted keys; timings left out unless asked for)."""
        return json.dumps(self.to_dict(timings=timings), ensure_ascii=False, sort_keys=True,
                          allow_nan=False, indent=indent)

    @classmethod
    def from_json(cls, text: str | dict[str, Any]) -> PlanResult:
        d = json.loads(text) if isinstance(text, str) else dict(text)
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    @property
    def passed(self) -> bool:
        return all(c["passed"] for c in self.checks)


def run_plan(inp: PlanInput, progress: Progress | None = None, *, graph: RoadGraph | None = None,
             service_areas: bool = True, cache: dict | None = None) -> PlanResult:
    """Run coverage, supply, allocation and isolation on ``inp``.

    ``graph``: a prebuilt (possibly what-if edited) RoadGraph for this snapshot; built here when
    None, with the snapshot's hazard zones applied (block → cut, slow → slower).
    ``cache``: a dict kept by the caller (:class:`planner.engine.session.WhatIf`) across runs:
    the coverage and driving-time steps are reused when none of their inputs changed (e.g. a
    stock-only change reruns supply + allocation). Keys are content digests only (the graph's
    ``key`` and ``factor_key``, the tables' ``digest``, the parameters), never object ids.
    Raises :class:`planner.engine.Cancelled` when ``progress.is_cancelled()``.

    Python's cyclic garbage collector is paused while the run builds its result (and resumed
    as it was, also on errors): a run allocates a few hundred thousand small containers (the
    per-unit and per-village rows), which set off full collections over everything a what-if
    session keeps (its graph's geometries, the baseline result) — ≈ 0.2 s of a 100k-node
    rerun (docs/performance.md). Nothing is lost: the run's temporaries are freed by reference
    counting as before, and any cycle it left is collected once the collector runs again.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _run_plan(inp, progress, graph=graph, service_areas=service_areas, cache=cache)
    finally:
        if paused:
            gc.enable()


def _run_plan(inp: PlanInput, progress: Progress | None = None, *, graph: RoadGraph | None = None,
              service_areas: bool = True, cache: dict | None = None) -> PlanResult:
    """The run itself (:func:`run_plan`)."""
    step = Stepper(progress)
    tm: dict[str, float] = {}
    t0 = time.perf_counter()
    step.step(0.0, 0.1, "road graph")
    if graph is None:
        graph = RoadGraph(inp)
        if inp.hazards:
            graph = graph.with_hazards(inp.hazards)
    tm["graph"] = time.perf_counter() - t0

    t = time.perf_counter()
    step.step(0.1, 0.55, "coverage")
    ck = dk = None
    if cache is not None:
        # content keys only: the graph's (road digest + graph parameters) and its edge factors,
        # the tables' digests, the parameters
        ck = ("coverage", graph.key, graph.factor_key, service_areas, inp.sites.digest,
              inp.demand.digest, inp.towns.digest, _js(inp.params), _js(inp.norms.get("shelter")),
              _js((inp.effects or {}).get("closed_by_hazard") or []))
        dk = ("drive", graph.key, graph.factor_key, inp.sites.digest, inp.demand.digest,
              np.unique(inp.lots.site_id).tobytes(), _js(inp.params))
    cov = cache.get(ck) if cache is not None else None
    if cov is None:
        cov = compute_coverage(inp, graph, service_areas=service_areas, progress=step)
        if cache is not None:
            _put(cache, ck, cov)
    tm["coverage"] = time.perf_counter() - t

    t = time.perf_counter()
    step.step(0.55, 0.75, "72-hour supply")
    dts = cache.get(dk) if cache is not None else None
    if dts is None:
        dts = drive_times(inp, graph)
        if cache is not None:
            _put(cache, dk, dts)
    step(0.6, "72-hour supply")
    sup = compute_supply(inp, dts, cov.result)
    tm["supply"] = time.perf_counter() - t

    t = time.perf_counter()
    step.step(0.75, 0.95, "allocation")
    alloc = compute_allocation(inp, sup)
    tm["allocation"] = time.perf_counter() - t

    t = time.perf_counter()
    step.step(0.95, 1.0, "isolation")
    iso = compute_isolation(inp, graph, sup, dts)
    tm["isolation"] = time.perf_counter() - t
    tm["total"] = time.perf_counter() - t0

    checks = cov.result["checks"] + sup.result["checks"]
    summary = _summary(cov.result, sup.result, alloc, iso, checks)
    summary["figures"] = plan_figures(inp).to_dict()
    if plan_figures(inp).supply_population is None:
        # 保障人口 unknown (not set, and no 规划人口 to default to): None, not the 0 the supply step used
        summary["supply_population"] = None
    result = PlanResult(
        engine_version=ENGINE_VERSION, inputs_hash=inp.inputs_hash, scenario=inp.scenario_name,
        plan_name=inp.plan_name, parameters=describe(inp.params, inp.param_sources, inp.norms), summary=summary,
        checks=checks, findings=_findings(cov.result, sup.result, alloc, iso, checks, inp.effects,
                                          plan_figures(inp)),
        coverage=cov.result, supply=sup.result, allocation=alloc, isolation=iso, timings=tm,
        scenario_effects=dict(inp.effects))
    step.done()
    counts = count_checks(checks)
    log.info("run of %s (%s): %d checks passed, %d failed, %d unknown in %.2f s (%s)", inp.plan_name,
             inp.scenario_name, counts.passed, counts.failed, counts.unknown, tm["total"],
             ", ".join(f"{k} {1000 * v:.0f} ms" for k, v in tm.items() if k != "total"))
    return result


def _js(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)


def _put(cache: dict, key: Any, value: Any, keep: int = 4) -> None:
    """Keep the last ``keep`` entries of each kind (coverage / drive)."""
    cache[key] = value
    same = [k for k in cache if isinstance(k, tuple) and k[0] == key[0]]
    for k in same[:-keep]:
        del cache[k]


def _summary(cov, sup, alloc, iso, checks) -> dict[str, Any]:
    t = cov["totals"]
    by_id = {c["id"]: c for c in checks}
    shipped = sum(i["shipped"] or 0.0 for i in alloc["items"])
    demand = sum(i["demand"] or 0.0 for i in alloc["items"])
    counts = count_checks(checks)
    return {
        "population": t["population"], "sheltering_demand": t["demand"], "served": t["served"],
        "served_share": t["served_share"], "over_capacity": t["over_capacity"],
        "unreachable": t["unreachable"], "off_network": t["off_network"], "unlocated": t["unlocated"],
        "shelter_capacity": t["capacity"], "indoor_capacity": t["indoor_capacity"],
        "open_shelters": t["open_shelters"],
        "mean_time_min": by_id["mean_time_min"]["value"], "p95_time_min": by_id["p95_time_min"]["value"],
        "max_time_min": by_id["max_time_min"]["value"],
        # counted by the one rule (planner.engine.results): unknown is neither passed nor failed
        "checks_passed": counts.passed, "checks_failed": counts.failed, "checks_unknown": counts.unknown,
        "supply_items_short": sum(1 for i in sup["items"] if (i["shortfall"] or 0) > 0),
        "supply_shortfall_cost": sup["shortfall_cost_total"],
        "supply_shortfall_cost_unpriced": list(sup.get("shortfall_cost_unpriced") or []),
        "supply_population": sup.get("people"), "planning_population": t.get("planning_population"),
        "units_unknown": t.get("units_unknown"),
        "allocation_shipped_share": round(shipped / demand, 6) if demand > 0 else None,
        "isolated_units": iso["isolated_units"], "isolated_population": iso["isolated_population"],
    }


def _findings(cov, sup, alloc, iso, checks, effects=None, figs: PlanFigures | None = None) -> list[dict[str, Any]]:
    """Findings and actions as codes and args (planner.engine.texts renders them: finding.<code>)."""
    out: list[dict[str, Any]] = []
    for d in (figs.defaults if figs is not None else []):
        arg = {"event_date": "date", "sheltering_share": "share"}.get(d["figure"], "people")
        out.append(finding("finding", "warn", f"default_{d['figure']}", f"default_{d['figure']}",
                           **{arg: d["value"]}))
    by_hz: dict[str, list[str]] = {}
    for e in (effects or {}).get("closed_by_hazard", []):
        by_hz.setdefault(e["hazard"], []).append(e["site"])
    for hz, codes in sorted(by_hz.items()):
        out.append(finding("finding", "warn", "closed_by_hazard", "closed_by_hazard", hazard=hz, sites=codes))
    unknown = [c for c in checks if c.get("status") == "unknown"]
    if unknown:
        out.append(finding("finding", "warn", "not_evaluable", "not_evaluable",
                           checks=[{"zh": c["name_zh"], "en": c["name_en"]} for c in unknown]))
    t = cov["totals"]
    gaps: list[dict[str, Any]] = []
    if not t.get("shelters_on_network") and t.get("open_shelters"):
        gaps.append({"code": "shelters_not_located"})
    n_unknown_cap = sum(1 for s in cov.get("shelters", []) if s.get("open") and s.get("capacity_basis") == "unknown")
    if n_unknown_cap:
        gaps.append({"code": "shelters_without_capacity", "n": n_unknown_cap})
    if (t.get("demand") or 0) <= 0:
        gaps.append({"code": "no_population"})
    if t.get("units_unknown"):
        gaps.append({"code": "units_without_population", "n": t["units_unknown"]})
    if sup.get("shortfall_cost_unpriced"):
        gaps.append({"code": "items_without_price", "n": len(sup["shortfall_cost_unpriced"])})
    if gaps:
        out.append(finding("action", "warn", "data_gaps", "data_gaps", gaps=gaps))
    for c in checks:
        if c.get("status", "fail") == "fail" and not c["id"].startswith("supply_"):
            out.append(finding("finding", "fail", c["id"], "not_met", check=c["id"],
                               name={"zh": c["name_zh"], "en": c["name_en"]},
                               value=c["value"], target=c["target"], unit=c["unit"]))
    if (t["over_capacity"] or 0) > 0:
        out.append(finding("action", "fail", "over_capacity", "over_capacity",
                           people=t["over_capacity"], minutes=cov["threshold_min"]))
    if (t["unreachable"] or 0) > 0:
        out.append(finding("action", "fail", "unreachable", "unreachable",
                           people=t["unreachable"], minutes=cov["threshold_min"]))
    miss = (t["off_network"] or 0) + (t["unlocated"] or 0)
    if miss > 0:
        out.append(finding("finding", "warn", "unlocated", "unlocated", people=miss))
    for i in sup["items"]:
        name = {"zh": i["name_zh"], "en": i["name_en"]}
        if (i["shortfall"] or 0) > 0:
            out.append(finding("action", "fail", f"supply_{i['key']}", "supply_shortfall", item=i["key"],
                               name=name, shortfall=i["shortfall"], unit=i["unit"] or "",
                               cost=i["shortfall_cost"]))
        bad = {k: v for k, v in (i["unusable"] or {}).items() if v}
        if bad:
            out.append(finding("finding", "warn", f"unusable_{i['key']}", "unusable", item=i["key"], name=name,
                               reasons=bad))
    for u in iso["units"]:
        if u["status"] == "isolated" and not u.get("covered_72h"):
            out.append(finding("action", "fail", "isolation", "isolated_village", unit=u["code"],
                               name=u["name"] or u["code"], people=u["population"],
                               points=u.get("local_points") or []))
    for f in iso.get("flagged", []):
        if not f["reachable"] or f["supplied_72h"] is False:
            out.append(finding("finding", "warn", "flagged", "flagged_village", unit=f["code"],
                               name=f["name"] or f["code"], flags=f["flags"],
                               reachable=f["reachable"], supplied=f["supplied_72h"]))
    return out
