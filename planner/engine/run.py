"""run_plan: the whole engine on one snapshot, and its PlanResult (stored by
:func:`planner.scenario.runs.save_run`)."""
from __future__ import annotations

import dataclasses
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.engine.allocation import compute_allocation
from planner.engine.coverage import compute_coverage
from planner.engine.graph import RoadGraph
from planner.engine.isolation import compute_isolation
from planner.engine.params import describe
from planner.engine.progress import Progress, Stepper
from planner.engine.results import count_checks
from planner.engine.snapshot import PlanInput
from planner.engine.supply import compute_supply, drive_times
from planner.engine.version import ENGINE_VERSION
from planner.textfmt import DASH, num, value


def json_safe(obj: Any) -> Any:
    """JSON-safe: numpy → python, inf/nan → None, tuples → lists."""
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
    """
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
        dk = ("drive", graph.key, graph.factor_key, inp.sites.digest,
              np.unique(inp.lots.site_id).tobytes(), float(inp.params["first_batch_deadline_h"]))
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
    sup = compute_supply(inp, dts)
    tm["supply"] = time.perf_counter() - t

    t = time.perf_counter()
    step.step(0.75, 0.95, "allocation")
    alloc = compute_allocation(inp, dts, sup, cov.assigned, progress=step)
    tm["allocation"] = time.perf_counter() - t

    t = time.perf_counter()
    step.step(0.95, 1.0, "isolation")
    iso = compute_isolation(inp, graph, sup, dts)
    tm["isolation"] = time.perf_counter() - t
    tm["total"] = time.perf_counter() - t0

    checks = cov.result["checks"] + sup.result["checks"]
    summary = _summary(cov.result, sup.result, alloc, iso, checks)
    result = PlanResult(
        engine_version=ENGINE_VERSION, inputs_hash=inp.inputs_hash, scenario=inp.scenario_name,
        plan_name=inp.plan_name, parameters=describe(inp.params, inp.param_sources), summary=summary,
        checks=checks, findings=_findings(cov.result, sup.result, alloc, iso, checks, inp.effects),
        coverage=cov.result, supply=sup.result, allocation=alloc, isolation=iso, timings=tm,
        scenario_effects=dict(inp.effects))
    step.done()
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
    shipped = sum(i["shipped"] for i in alloc["items"])
    demand = sum(i["demand"] for i in alloc["items"])
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
        "allocation_shipped_share": round(shipped / demand, 6) if demand > 0 else None,
        "isolated_units": iso["isolated_units"], "isolated_population": iso["isolated_population"],
    }


def _fmt(x: Any) -> str:
    """A number in a finding (planner.textfmt): 3 significant digits below 10, whole above."""
    return num(x, 3, 10.0)


#: why stock is not usable (supply.REASONS), for findings: (中文, English)
REASON_TEXT = {
    "expired": ("已过期", "expired"),
    "agreement_too_slow": ("协议供货时间超过时限", "agreement lead time too long"),
    "too_far": ("运距超过首批时限", "too far for the first-batch deadline"),
    "site_closed": ("站点停用", "site closed"),
    "unlocated": ("站点未定位", "site not located"),
    "off_network": ("站点距路网过远", "site far from the road network"),
    "agreement_no_lead_time": ("协议储备未填供货时间", "agreement stock without lead time"),
}


def _fmt_check(x: Any, unit: str) -> str:
    # a time with no value: somebody cannot get there
    return value(x, unit, fixed=1, unknown="∞ min" if unit == "min" else DASH)


def _findings(cov, sup, alloc, iso, checks, effects=None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    by_hz: dict[str, list[str]] = {}
    for e in (effects or {}).get("closed_by_hazard", []):
        by_hz.setdefault(e["hazard"], []).append(e["site"])
    for hz, codes in sorted(by_hz.items()):
        out.append({"kind": "finding", "severity": "warn", "ref": "closed_by_hazard",
                    "zh": f"灾害区“{hz}”内的场所不可用：{'、'.join(codes)}",
                    "en": f"Sites inside hazard zone '{hz}' are unusable: {', '.join(codes)}"})
    unknown = [c for c in checks if c.get("status") == "unknown"]
    if unknown:
        out.append({"kind": "finding", "severity": "warn", "ref": "not_evaluable",
                    "zh": "无法评估（数据不足）：" + "、".join(c["name_zh"] for c in unknown),
                    "en": "Cannot be evaluated (missing data): " + "; ".join(c["name_en"] for c in unknown)})
    t = cov["totals"]
    gaps_zh, gaps_en = [], []
    if not t.get("shelters_on_network") and t.get("open_shelters"):
        gaps_zh.append("避难场所未定位或不在路网上")
        gaps_en.append("shelters are not located or not on the road network")
    n_unknown_cap = sum(1 for s in cov.get("shelters", []) if s.get("open") and s.get("capacity_basis") == "unknown")
    if n_unknown_cap:
        gaps_zh.append(f"{n_unknown_cap} 个避难场所无有效面积或容量数据")
        gaps_en.append(f"{n_unknown_cap} shelters have no effective area or stated capacity")
    if (t.get("demand") or 0) <= 0:
        gaps_zh.append("人口单元无人口数据")
        gaps_en.append("demand units have no population figures")
    if gaps_zh:
        out.append({"kind": "action", "severity": "warn", "ref": "data_gaps",
                    "zh": "请补充数据：" + "；".join(gaps_zh),
                    "en": "Complete the data: " + "; ".join(gaps_en)})
    for c in checks:
        if c.get("status", "fail") == "fail" and not c["id"].startswith("supply_"):
            val, tgt = _fmt_check(c["value"], c["unit"]), _fmt_check(c["target"], c["unit"])
            op = "≤" if c["unit"] == "min" else "≥"
            out.append({"kind": "finding", "severity": "fail", "ref": c["id"],
                        "zh": f"未达标：{c['name_zh']} {val}（目标 {op} {tgt}）",
                        "en": f"Not met: {c['name_en']} {val} (target {op} {tgt})"})
    if (t["over_capacity"] or 0) > 0:
        out.append({"kind": "action", "severity": "fail", "ref": "over_capacity",
                    "zh": f"{_fmt(t['over_capacity'])} 人在 {_fmt(cov['threshold_min'])} 分钟内可达避难场所"
                          "但容量不足：扩容或新建避难场所",
                    "en": f"{_fmt(t['over_capacity'])} people can reach a shelter within "
                          f"{_fmt(cov['threshold_min'])} min but it is full: add capacity or new shelters"})
    if (t["unreachable"] or 0) > 0:
        out.append({"kind": "action", "severity": "fail", "ref": "unreachable",
                    "zh": f"{_fmt(t['unreachable'])} 人在 {_fmt(cov['threshold_min'])} 分钟内无可达避难场所："
                          "在这些村/社区附近规划避难场所",
                    "en": f"{_fmt(t['unreachable'])} people have no shelter within {_fmt(cov['threshold_min'])} min: "
                          "plan shelters near these villages / communities"})
    miss = (t["off_network"] or 0) + (t["unlocated"] or 0)
    if miss > 0:
        out.append({"kind": "finding", "severity": "warn", "ref": "unlocated",
                    "zh": f"{_fmt(miss)} 人所在单元无坐标或距路网过远，未参与计算：请补充位置",
                    "en": f"{_fmt(miss)} people are in units without coordinates or far from the road network "
                          "and were not evaluated: add their locations"})
    for i in sup["items"]:
        if (i["shortfall"] or 0) > 0:
            cost = f"，约 {i['shortfall_cost']:,.0f} 元" if i["shortfall_cost"] else ""
            cost_en = f", about ¥{i['shortfall_cost']:,.0f}" if i["shortfall_cost"] else ""
            out.append({"kind": "action", "severity": "fail", "ref": f"supply_{i['key']}",
                        "zh": f"72小时物资缺口：{i['name_zh']} {_fmt(i['shortfall'])} {i['unit'] or ''}{cost}",
                        "en": f"72-h supply shortfall: {i['name_en']} {_fmt(i['shortfall'])} "
                              f"{i['unit'] or ''}{cost_en}"})
        bad = {k: v for k, v in (i["unusable"] or {}).items() if v}
        if bad:
            out.append({"kind": "finding", "severity": "warn", "ref": f"unusable_{i['key']}",
                        "zh": f"{i['name_zh']} 有库存不可用：" + "，".join(
                            f"{REASON_TEXT.get(k, (k, k))[0]} {_fmt(v)}" for k, v in sorted(bad.items())),
                        "en": f"{i['name_en']} stock not usable: " + ", ".join(
                            f"{REASON_TEXT.get(k, (k, k))[1]} {_fmt(v)}" for k, v in sorted(bad.items()))})
    for pool in iso["pools"]:
        if not pool["covered_72h"]:
            out.append({"kind": "action", "severity": "fail", "ref": "isolation",
                        "zh": f"{pool['town']}：{len(pool['units'])} 个单元（{_fmt(pool['people'])} 人）"
                              "道路上与仓库隔断，本地储备不足72小时：增设村级储备点",
                        "en": f"{pool['town']}: {len(pool['units'])} units ({_fmt(pool['people'])} people) "
                              "cannot be reached from any warehouse and local stock does not cover 72 h: "
                              "add a village reserve point"})
    return out
