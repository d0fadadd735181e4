"""Parameters in force: resolved from the norms profile, the plan and scenario overrides.

Every parameter has a value and a *source* string, printed with every result so a reader can
see where each number came from (norms profile path + its citation, PlanInfo, scenario, or the
engine default).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

# name: (profile path or None, engine default, description)
SPECS: dict[str, tuple[tuple[str, ...] | None, Any, str]] = {
    "target_affected": (("population", "target_affected"), 300000, "potential affected population"),
    "sheltering_share": (("population", "sheltering_share"), 1.0, "share of affected needing a shelter place"),
    "threshold_min": (("coverage", "threshold_min"), 15, "coverage threshold, minutes"),
    "walk_speed_mps": (("coverage", "walk_speed_mps"), 1.0, "walking speed, m/s"),
    "vulnerable_walk_speed_mps": (("coverage", "vulnerable_walk_speed_mps"), 0.5,
                                  "walking speed of vulnerable people (elderly, disabled, infants), m/s"),
    "mode": (("coverage", "mode"), "walk", "travel mode to shelters (walk / drive)"),
    "previous_response_min": (("coverage", "previous_response_min"), 45, "previous response time, minutes"),
    "event_date": (None, None, "event date: stock must be unexpired on it"),
    "first_batch_deadline_h": (("supplies", "first_batch_deadline_h"), 6, "first-batch delivery deadline, h"),
    "horizon_h": (("supplies", "horizon_hours"), 72, "basic-living support horizon, h"),
    "post_disaster_speed_factor": (("network", "post_disaster_speed_factor"), 0.6, "driving speed derating"),
    "snap_max_m": (("network", "snap_max_m"), 500, "max snap distance before 'off network', m"),
    "capacity_share_target": (("shelter", "capacity_share_of_demand"), 0.6,
                              "shelter capacity / sheltering demand target"),
    "indoor_share_target": (("shelter", "indoor_share_of_capacity"), 0.2, "indoor capacity / total capacity target"),
    "fixed_share_target": (("shelter", "fixed_capacity_share_of_population_min"), 0.15,
                           "fixed-shelter capacity / planned population"),
    "indoor_area_share_fixed_target": (("shelter", "indoor_share_of_fixed_effective_area"), 0.3,
                                       "indoor effective area / fixed shelters' effective area (GB/T 51327 §7.2.2)"),
    "include_planned": (None, False, "count planned (not yet built) shelters as open"),
    "scale_to_target": (None, False, "scale unit populations so the total equals target_affected"),
    "norms_profile": (None, "cn_standard", "norms profile name"),
}


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


def resolve_parameters(profile: dict[str, Any], *, plan_target: int | None = None,
                       overrides: dict[str, Any] | None = None,
                       override_label: str = "scenario") -> tuple[dict[str, Any], dict[str, str]]:
    """Return (values, sources). Order: engine default < norms profile < plan < overrides."""
    overrides = dict(overrides or {})
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
    if plan_target:
        values["target_affected"] = int(plan_target)
        sources["target_affected"] = "plan: PlanInfo.target_population"
    if values["event_date"] is None:
        values["event_date"] = dt.date.today().isoformat()
        sources["event_date"] = "engine default: today"
    for k, v in overrides.items():
        if k not in SPECS:
            raise KeyError(f"unknown parameter {k!r} (known: {', '.join(SPECS)})")
        values[k] = v
        sources[k] = f"override: {override_label}"
    values["event_date"] = str(values["event_date"])
    # normalise types
    for k in ("target_affected",):
        values[k] = int(values[k])
    for k in ("sheltering_share", "threshold_min", "walk_speed_mps", "vulnerable_walk_speed_mps",
              "indoor_area_share_fixed_target", "first_batch_deadline_h",
              "horizon_h", "post_disaster_speed_factor", "snap_max_m", "capacity_share_target",
              "indoor_share_target", "fixed_share_target", "previous_response_min"):
        values[k] = float(values[k])
    for k in ("include_planned", "scale_to_target"):
        values[k] = bool(values[k])
    if values["mode"] not in ("walk", "drive"):
        raise ValueError(f"mode must be walk or drive, not {values['mode']!r}")
    return values, sources


def describe(values: dict[str, Any], sources: dict[str, str]) -> list[dict[str, Any]]:
    """Rows for printing: name, value, description, source."""
    return [{"name": k, "value": values.get(k), "description": SPECS[k][2], "source": sources.get(k, "")}
            for k in SPECS if k in values]
