"""Rules read off a plan result, in one place for every consumer (GUI, CLI, PDF, compare).

A :class:`~planner.engine.run.PlanResult` is plain JSON-able data. What a consumer *derives*
from it — whether a check passed, failed or could not be assessed, how many of each, which
shelters a scenario closed, which sites and demand units stand behind a check or finding —
is decided here and nowhere else, so that the GUI, the CLI, the PDF and the JSON summary can
never disagree (they did: ``checks_failed`` once counted unassessable checks as failed, so one
plan read "16 failed" in the GUI and "8 failed, 8 unknown" on the PDF cover).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

CheckStatus = Literal["pass", "fail", "unknown"]
CHECK_STATUSES: tuple[CheckStatus, ...] = ("pass", "fail", "unknown")

#: refs of checks and findings whose places are demand units over capacity and/or unreachable
_COVERAGE_REFS = {"served_within_threshold": ("over_capacity", "unreachable"),
                  "over_capacity": ("over_capacity",), "unreachable": ("unreachable",)}
_TIME_REFS = ("p95_time_min", "max_time_min", "mean_time_min")


def check_status(check: Mapping[str, Any]) -> CheckStatus:
    """``pass``, ``fail`` or ``unknown`` (a check that lacks data is unknown, never failed).

    Results saved before the engine wrote ``status`` carry only ``passed``: derived from it."""
    st = check.get("status")
    if st in CHECK_STATUSES:
        return st
    return "pass" if check.get("passed") else "fail"


@dataclass(frozen=True)
class CheckCounts:
    """How many checks passed, failed and could not be assessed (missing data)."""

    passed: int
    failed: int
    unknown: int

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.unknown

    @property
    def all_passed(self) -> bool:
        return self.failed == 0 and self.unknown == 0


def count_checks(checks: Iterable[Mapping[str, Any]]) -> CheckCounts:
    sts = [check_status(c) for c in checks]
    return CheckCounts(sts.count("pass"), sts.count("fail"), sts.count("unknown"))


def result_counts(result: Any) -> CheckCounts:
    """The check counts of a result (from its checks, so old saved summaries cannot mislead)."""
    return count_checks(result.checks)


def closed_site_codes(result: Any) -> set[str]:
    """Codes of the shelters the result treats as closed: closed in the scenario (by hand or by
    a hazard zone that closes sites). Planned shelters that the run did not use are *not*
    closed — they are still planned."""
    out = set()
    for s in (result.coverage or {}).get("shelters", []):
        if s.get("open"):
            continue
        if s.get("status") == "closed" or s.get("closed_by_hazard"):
            out.add(s["code"])
    return out


def places_for(result: Any, ref: str) -> tuple[set[str], set[str]]:
    """(site codes, demand-unit codes) behind a check id or a finding ``ref``.

    Over-capacity/unreachable checks point at the units concerned (and full shelters); travel-time
    checks at units beyond the limit; capacity checks at the open shelters (without indoor
    capacity for the indoor check); supply checks at the sites holding unusable lots of the
    item; isolation at isolated units whose local stock does not cover 72 hours.
    """
    cov = result.coverage or {}
    sites: set[str] = set()
    units: set[str] = set()
    thr = cov.get("threshold_min") or 15
    if ref in _COVERAGE_REFS:
        keys = _COVERAGE_REFS[ref]
        units = {u["code"] for u in cov.get("units", []) if any((u.get(k) or 0) > 0 for k in keys)}
        if ref != "unreachable":
            sites = {s["code"] for s in cov.get("shelters", []) if (s.get("utilisation") or 0) >= 0.999}
    elif ref in _TIME_REFS:
        units = {u["code"] for u in cov.get("units", [])
                 if (u.get("nearest_min") is None or u["nearest_min"] > thr) and (u.get("population") or 0) > 0}
    elif ref == "indoor_share_of_capacity":
        sites = {s["code"] for s in cov.get("shelters", []) if s.get("open") and not (s.get("indoor_capacity") or 0)}
    elif ref in ("capacity_share_of_demand", "fixed_capacity_share_of_population"):
        sites = {s["code"] for s in cov.get("shelters", []) if s.get("open")}
    elif ref == "unlocated":
        units = {u["code"] for u in cov.get("units", []) if u.get("snap_status") == "unlocated"}
    elif ref == "isolation":
        units = {u["code"] for u in (result.isolation or {}).get("units", [])
                 if u.get("status") == "isolated" and not u.get("covered_72h")}
    elif ref == "closed_by_hazard":
        sites = closed_site_codes(result)
    elif ref.startswith(("supply_", "unusable_")):
        key = ref.split("_", 1)[1]
        sites = {lot["site"] for lot in (result.supply or {}).get("lots", [])
                 if lot.get("norm_key") == key and not lot.get("usable")}
    return sites, units


def unusable_lot_ids(result: Any, ref: str) -> set[int]:
    """Ids of the stock lots that a supply check or finding ``ref`` is about (not usable)."""
    if not ref.startswith(("supply_", "unusable_")):
        return set()
    key = ref.split("_", 1)[1]
    return {lot["id"] for lot in (result.supply or {}).get("lots", [])
            if lot.get("norm_key") == key and not lot.get("usable")}
