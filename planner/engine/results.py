"""Rules read off a plan result, in one place for every consumer (GUI, CLI, PDF, compare).

A :class:`~planner.engine.run.PlanResult` is plain JSON-able data. What a consumer *derives*
from it — whether a check passed, failed or could not be assessed, how many of each, which
shelters a scenario closed, which sites and demand units stand behind a check or finding —
is decided here and nowhere else, so that the GUI, the CLI, the PDF and the JSON summary can
never disagree (they did: ``checks_failed`` once counted unassessable checks as failed, so one
plan read "16 failed" in the GUI and "8 failed, 8 unknown" on the PDF cover).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from planner.engine.rows import (
    Allocation,
    AllocationItem,
    Assignment,
    Check,
    CheckCounts,
    CheckStatus,
    CoverageTotals,
    Finding,
    FlaggedUnit,
    IsolatedUnit,
    IsolationInfo,
    IsolationPool,
    LotUse,
    PoolItem,
    ShelterAllocation,
    ShelterOutcome,
    Shipment,
    SourceDispatch,
    Summary,
    SupplyInfo,
    SupplyLine,
    SupplyTown,
    TownItemSupply,
    TownOutcome,
    UnitOutcome,
    UnmetNeed,
    check_status,
    count_checks,
    row_of,
)

__all__ = [
    "Allocation",
    "AllocationItem",
    "Assignment",
    "Check",
    "check_status",
    "CheckCounts",
    "CheckStatus",
    "closed_site_codes",
    "count_checks",
    "CoverageTotals",
    "Finding",
    "IsolatedUnit",
    "IsolationInfo",
    "IsolationPool",
    "LotUse",
    "places_for",
    "PoolItem",
    "ShelterAllocation",
    "ShelterOutcome",
    "Shipment",
    "SourceDispatch",
    "Summary",
    "SupplyInfo",
    "SupplyLine",
    "SupplyTown",
    "TownItemSupply",
    "TownOutcome",
    "typed",
    "TypedResult",
    "UnitOutcome",
    "UnmetNeed",
    "unusable_lot_ids",
]

_COVERAGE_REFS = {"served_within_threshold": ("over_capacity", "unreachable"),
                  "over_capacity": ("over_capacity",), "unreachable": ("unreachable",)}
_TIME_REFS = ("p95_time_min", "max_time_min", "mean_time_min")


@dataclass(frozen=True)
class TypedResult:
    """A :class:`~planner.engine.run.PlanResult` read as typed rows (see :func:`typed`)."""

    scenario: str
    plan_name: str
    inputs_hash: str
    summary: Summary
    counts: CheckCounts
    checks: tuple[Check, ...]
    findings: tuple[Finding, ...]
    shelters: tuple[ShelterOutcome, ...]
    units: tuple[UnitOutcome, ...]
    towns: tuple[TownOutcome, ...]
    supply: tuple[SupplyLine, ...]
    lots: tuple[LotUse, ...]
    isolation: tuple[IsolatedUnit, ...]
    threshold_min: float | None
    coverage_totals: CoverageTotals = CoverageTotals()
    demand_basis: str | None = None
    mode: str | None = None                       # walk / drive
    service_areas: Mapping[str, Any] = field(default_factory=dict)   # shelter code → GeoJSON
    supply_info: SupplyInfo = SupplyInfo()
    supply_towns: tuple[SupplyTown, ...] = ()
    allocation: Allocation = Allocation()
    isolation_info: IsolationInfo = IsolationInfo()

    def check(self, check_id: str) -> Check | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def shelter(self, code: str) -> ShelterOutcome | None:
        return self._shelters.get(code)

    def unit(self, code: str) -> UnitOutcome | None:
        return self._units.get(code)

    @cached_property
    def _shelters(self) -> dict[str, ShelterOutcome]:   # built once: rows are frozen
        return {s.code: s for s in self.shelters}

    @cached_property
    def _units(self) -> dict[str, UnitOutcome]:
        return {u.code: u for u in self.units}


def typed(result: Any) -> TypedResult:
    """The typed view of a result (built once per result object and kept on it)."""
    hit = getattr(result, "_typed", None)
    if isinstance(hit, TypedResult):
        return hit
    cov, sup, iso = result.coverage or {}, result.supply or {}, result.isolation or {}
    alloc = getattr(result, "allocation", None) or {}
    checks = tuple(Check.of(c) for c in result.checks)
    counts = count_checks(result.checks)
    summ = {**(result.summary or {}), "checks_passed": counts.passed, "checks_failed": counts.failed,
            "checks_unknown": counts.unknown}
    view = TypedResult(
        scenario=result.scenario, plan_name=result.plan_name, inputs_hash=result.inputs_hash,
        summary=row_of(Summary, summ), counts=counts, checks=checks,
        findings=tuple(row_of(Finding, f) for f in result.findings),
        shelters=tuple(ShelterOutcome.of(s) for s in cov.get("shelters", [])),
        units=tuple(UnitOutcome.of(u) for u in cov.get("units", [])),
        towns=tuple(row_of(TownOutcome, t) for t in cov.get("towns", [])),
        supply=tuple(SupplyLine.of(i) for i in sup.get("items", [])),
        lots=tuple(row_of(LotUse, lot) for lot in sup.get("lots", [])),
        isolation=tuple(IsolatedUnit.of(u) for u in iso.get("units", [])),
        threshold_min=cov.get("threshold_min"),
        coverage_totals=row_of(CoverageTotals, cov.get("totals") or {}),
        demand_basis=cov.get("demand_basis"), mode=cov.get("mode"),
        service_areas=cov.get("service_areas") or {},
        supply_info=SupplyInfo.of(sup),
        supply_towns=tuple(SupplyTown.of(t) for t in sup.get("towns", [])),
        allocation=Allocation.of(alloc),
        isolation_info=replace(row_of(IsolationInfo, iso),
                               pools=tuple(IsolationPool.of(p) for p in iso.get("pools") or ()),
                               flagged=tuple(FlaggedUnit.of(f) for f in iso.get("flagged") or ())))
    object.__setattr__(result, "_typed", view)
    return view


def closed_site_codes(result: Any) -> set[str]:
    """Codes of the shelters the result treats as closed: closed in the scenario (by hand or by
    a hazard zone that closes sites). Planned shelters that the run did not use are *not*
    closed — they are still planned."""
    return {s.code for s in typed(result).shelters if s.closed}


def places_for(result: Any, ref: str) -> tuple[set[str], set[str]]:
    """(site codes, demand-unit codes) behind a check id or a finding ``ref``.

    Over-capacity/unreachable checks point at the units concerned (and full shelters); travel-time
    checks at units beyond the limit; capacity checks at the open shelters (without indoor
    capacity for the indoor check); supply checks at the sites holding unusable lots of the
    item; isolation at isolated units whose local stock does not cover 72 hours.
    """
    r = typed(result)
    sites: set[str] = set()
    units: set[str] = set()
    thr = r.threshold_min or 15
    if ref in _COVERAGE_REFS:
        keys = _COVERAGE_REFS[ref]
        units = {u.code for u in r.units if any((getattr(u, k) or 0) > 0 for k in keys)}
        if ref != "unreachable":
            sites = {s.code for s in r.shelters if s.full}
    elif ref in _TIME_REFS:
        units = {u.code for u in r.units
                 if (u.nearest_min is None or u.nearest_min > thr) and (u.population or 0) > 0}
    elif ref == "indoor_share_of_capacity":
        sites = {s.code for s in r.shelters if s.open and not (s.indoor_capacity or 0)}
    elif ref in ("capacity_share_of_demand", "fixed_capacity_share_of_population"):
        sites = {s.code for s in r.shelters if s.open}
    elif ref == "unlocated":
        units = {u.code for u in r.units if u.snap_status == "unlocated"}
    elif ref == "isolation":
        units = {u.code for u in r.isolation if u.status == "isolated" and not u.covered_72h}
    elif ref == "closed_by_hazard":
        sites = closed_site_codes(result)
    elif ref.startswith(("supply_", "unusable_")):
        sites = {lot.site for lot in _unusable_lots(r, ref)}
    return sites, units


def _unusable_lots(r: TypedResult, ref: str) -> list[LotUse]:
    key = ref.split("_", 1)[1]
    return [lot for lot in r.lots if lot.norm_key == key and not lot.usable]


def unusable_lot_ids(result: Any, ref: str) -> set[int]:
    """Ids of the stock lots that a supply check or finding ``ref`` is about (not usable)."""
    if not ref.startswith(("supply_", "unusable_")):
        return set()
    return {lot.id for lot in _unusable_lots(typed(result), ref)}


@dataclass(frozen=True)
class DataGap:
    """Data a plan lacks: ``code`` (what), ``n`` rows concerned (None: not countable, e.g. no
    road network at all) and the ids of the checks it leaves unassessed or incomplete."""

    code: str
    n: int | None
    checks: tuple[str, ...]


#: the checks that need villages and shelters placed on a road network
_LOCATION_CHECKS = ("served_within_threshold", *_TIME_REFS)


def data_gaps(result: Any, road_edges: int | None = None) -> list[DataGap]:
    """What data the plan lacks, per kind, with how many rows and which checks need it — read
    off the run (the engine's own counts: each check's ``incomplete``, the units and shelters it
    could not place) and the road network's size. Most checks concerned first."""
    r = typed(result)
    ids = [c.id for c in r.checks]
    supply = tuple(i for i in ids if i.startswith("supply_"))
    located = tuple(i for i in ids if i in _LOCATION_CHECKS)
    gaps: list[DataGap] = []
    if road_edges == 0:
        gaps.append(DataGap("no_roads", None, located + supply))
    n_units = sum(1 for u in r.units if u.snap_status == "unlocated")
    if n_units:
        gaps.append(DataGap("units_unlocated", n_units, located + supply))
    n_sh = sum(1 for s in r.shelters if s.open and s.snap_status == "unlocated")
    if n_sh:
        gaps.append(DataGap("shelters_unlocated", n_sh, located))
    by_key: dict[str, tuple[int, list[str]]] = {}
    for c in r.checks:
        for key, n in (c.incomplete or {}).items():
            top, checks = by_key.get(key, (0, []))
            by_key[key] = (max(top, int(n or 0)), [*checks, c.id])
    gaps += [DataGap(k, n, tuple(cs)) for k, (n, cs) in by_key.items() if n]
    unpriced = r.summary.supply_shortfall_cost_unpriced
    if unpriced:
        gaps.append(DataGap("items_without_price", len(unpriced), ()))
    return sorted(gaps, key=lambda g: -len(g.checks))
