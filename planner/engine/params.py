"""Parameters in force: resolved from the norms profile, the plan and scenario overrides.

Every parameter has a value and a *source* string, printed with every result so a reader can
see where each number came from (norms profile path + its citation, PlanInfo, scenario, or the
engine default).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

# name: (profile path or None, engine default, description)
# The plan figures (规划人口, 避难需求 share, 保障人口, 灾害发生日期) are the district's own: they come
# from the plan (PlanInfo, ``esplan-cli plan set``) or a scenario, never from a norms profile; when
# unset, the engine states its default (planner.engine.figures) and a finding says so.
SPECS: dict[str, tuple[tuple[str, ...] | None, Any, str]] = {
    "planning_population": (None, None, "规划人口 (planned population); unset: the sum of the demand units'"),
    "sheltering_share": (None, 1.0, "避难需求 share: people needing a shelter place ÷ population"),
    "supply_population": (None, None, "保障人口: people the 72-hour supply must cover; unset: 规划人口"),
    "event_date": (None, None, "灾害发生日期 (event date): stock must be unexpired on it"),
    "threshold_min": (("coverage", "threshold_min"), 15, "coverage threshold, minutes"),
    "served_share_target": (("coverage", "served_share_target"), 0.6,
                            "target: 避难需求 served within the threshold ÷ 避难需求"),
    "vulnerable_served_share_target": (("coverage", "vulnerable_served_share_target"), None,
                                       "target for vulnerable people served within the threshold"),
    "walk_speed_mps": (("coverage", "walk_speed_mps"), 0.83, "walking speed, m/s"),
    "vulnerable_walk_speed_mps": (("coverage", "vulnerable_walk_speed_mps"), 0.5,
                                  "walking speed of vulnerable people (elderly, disabled, infants), m/s"),
    "offroad_speed_mps": (("network", "offroad_speed_mps"), None,
                          "speed on the off-road leg between a place and its road, m/s (unset: walking speed)"),
    "mode": (("coverage", "mode"), "walk", "travel mode to shelters (walk / drive)"),
    "previous_response_min": (None, None, "the district's previous response time, minutes (for comparison)"),
    "first_batch_deadline_h": (("supplies", "first_batch_deadline_h"), 6, "first-batch delivery deadline, h"),
    "day2_deadline_h": (("supplies", "day2_deadline_h"), 24, "second day's supply must arrive by, h"),
    "day3_deadline_h": (("supplies", "day3_deadline_h"), 48, "third day's supply must arrive by, h"),
    "horizon_h": (("supplies", "horizon_hours"), 72, "basic-living support horizon, h"),
    "post_disaster_speed_factor": (("network", "post_disaster_speed_factor"), 0.6, "driving speed derating"),
    "snap_max_m": (("network", "snap_max_m"), 500, "max off-road distance before 'off network', m"),
    "capacity_share_target": (("shelter", "capacity_share_of_demand"), 0.6,
                              "open shelter capacity ÷ 避难需求 target"),
    "indoor_share_target": (("shelter", "indoor_share_of_capacity"), 0.2, "indoor capacity ÷ total capacity target"),
    "fixed_share_target": (("shelter", "fixed_capacity_share_of_population_min"), 0.15,
                           "fixed-shelter capacity ÷ 规划人口, district and per town (责任区)"),
    "indoor_area_share_fixed_target": (("shelter", "indoor_share_of_fixed_effective_area"), 0.3,
                                       "indoor effective area / fixed shelters' effective area (GB/T 51327 §7.2.2)"),
    "include_planned": (None, False, "count planned (not yet built) shelters as open"),
    "scale_to_target": (None, False, "scale unit populations so their total equals 规划人口"),
    "norms_profile": (None, "cn_standard", "norms profile name"),
}
#: names kept from earlier plan files and scenarios: old name → new name
ALIASES = {"target_affected": "supply_population"}
#: plan figures: PlanInfo column per parameter (read by planner.scenario.runs.load_snapshot)
PLAN_FIGURES = {"planning_population": "planning_population", "sheltering_share": "sheltering_share",
                "supply_population": "target_population", "event_date": "event_date"}


def _leaf(profile: dict[str, Any], path: tuple[str, ...]) -> tuple[bool, Any, str]:
    node: Any = profile
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False, None, ""
        node = node[key]
    if isinstance(node, dict) and "value" in node:
        src = node.get("src", "")
        conf = node.get("conf")
        return True, node["value"], f"{src} [{conf}]" if conf else src
    return True, node, ""


def resolve_parameters(profile: dict[str, Any], *, plan: dict[str, Any] | None = None,
                       overrides: dict[str, Any] | None = None,
                       override_label: str = "scenario") -> tuple[dict[str, Any], dict[str, str]]:
    """Return (values, sources). Order: engine default < norms profile < plan < overrides.

    ``plan``: the plan's own figures (:data:`PLAN_FIGURES` names; None = unset). A figure left
    unset keeps the value ``None`` (or the engine default) and the source "unset"; the engine
    (:mod:`planner.engine.figures`) states the default it then uses.
    """
    overrides = {ALIASES.get(k, k): v for k, v in (overrides or {}).items()}
    pname = profile.get("name", "custom")
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, (path, default, _desc) in SPECS.items():
        values[name], sources[name] = default, "engine default"
        if path is not None:
            ok, v, src = _leaf(profile, path)
            if ok and v is not None:
                values[name] = v
                sources[name] = f"norms {pname}: {'.'.join(path)} — {src}".rstrip(" —")
    values["norms_profile"], sources["norms_profile"] = pname, "plan default norms profile"
    for name in PLAN_FIGURES:
        if values[name] is None:
            sources[name] = "unset"
    for k, v in (plan or {}).items():
        if k not in PLAN_FIGURES:
            raise KeyError(f"unknown plan figure {k!r} (known: {', '.join(PLAN_FIGURES)})")
        if v is not None:
            values[k] = v
            sources[k] = f"plan: {k}"
    for k, v in overrides.items():
        if k not in SPECS:
            raise KeyError(f"unknown parameter {k!r} (known: {', '.join(SPECS)})")
        values[k] = v
        sources[k] = f"override: {override_label}"
    if values["event_date"] is not None:
        values["event_date"] = str(values["event_date"])[:10]
        dt.date.fromisoformat(values["event_date"])   # ValueError on a bad date
    # normalise types
    for k in ("planning_population", "supply_population"):
        if values[k] is not None:
            values[k] = int(values[k])
            if values[k] < 0:
                raise ValueError(f"{k} must be ≥ 0, not {values[k]}")
    for k in ("sheltering_share", "threshold_min", "walk_speed_mps", "vulnerable_walk_speed_mps",
              "indoor_area_share_fixed_target", "first_batch_deadline_h", "day2_deadline_h", "day3_deadline_h",
              "horizon_h", "post_disaster_speed_factor", "snap_max_m", "capacity_share_target",
              "indoor_share_target", "fixed_share_target", "served_share_target"):
        values[k] = float(values[k])
    for k in ("previous_response_min", "offroad_speed_mps", "vulnerable_served_share_target"):
        if values[k] is not None:
            values[k] = float(values[k])
    if values["offroad_speed_mps"] is None:
        values["offroad_speed_mps"] = values["walk_speed_mps"]
        sources["offroad_speed_mps"] = "default: the walking speed (walk_speed_mps)"
    if values["vulnerable_served_share_target"] is None:
        values["vulnerable_served_share_target"] = values["served_share_target"]
        sources["vulnerable_served_share_target"] = ("default: the 15-minute target (served_share_target); "
                                                     "no standard for vulnerable people found")
    if not 0.0 <= values["sheltering_share"] <= 1.0:
        raise ValueError(f"sheltering_share must be between 0 and 1, not {values['sheltering_share']}")
    for k in ("include_planned", "scale_to_target"):
        values[k] = bool(values[k])
    if values["mode"] not in ("walk", "drive"):
        raise ValueError(f"mode must be walk or drive, not {values['mode']!r}")
    if not (values["first_batch_deadline_h"] <= values["day2_deadline_h"] <= values["day3_deadline_h"]
            <= values["horizon_h"]):
        raise ValueError("supply deadlines must be in order: first batch ≤ day 2 ≤ day 3 ≤ horizon")
    return values, sources


def provenance(name: str, source: str, profile: dict[str, Any] | None = None) -> dict[str, Any]:
    """What kind of source ``source`` (made by :func:`resolve_parameters`) is, for printing.

    Returns ``origin`` (norms / plan / scenario / unset / engine / derived / profile), ``conf``
    (V S D R A or None), ``cite_zh`` and ``cite_en`` (the norms profile's citation; ``cite_zh``
    None when the profile has none in Chinese) and ``label`` (the scenario's name).
    """
    out: dict[str, Any] = {"origin": "engine", "conf": None, "cite_zh": None, "cite_en": None, "label": None}
    if source.startswith("norms "):
        out["origin"] = "norms"
        path = SPECS.get(name, (None,))[0]
        node: Any = profile or {}
        for key in path or ():
            node = node.get(key, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            out["conf"] = node.get("conf")
            out["cite_en"] = node.get("src") or None
            out["cite_zh"] = node.get("src_zh") or None
    elif source.startswith("plan: "):
        out["origin"] = "plan"
    elif source.startswith("override: "):
        out["origin"], out["label"] = "scenario", source[len("override: "):]
    elif source == "unset":
        out["origin"] = "unset"
    elif source.startswith("default: "):
        out["origin"] = "derived"
    elif source == "plan default norms profile":
        out["origin"] = "profile"
    return out


def describe(values: dict[str, Any], sources: dict[str, str],
             profile: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows for printing: name, value, description, source, and its :func:`provenance`."""
    return [{"name": k, "value": values.get(k), "description": SPECS[k][2], "source": sources.get(k, ""),
             **provenance(k, sources.get(k, ""), profile)}
            for k in SPECS if k in values]
