"""The typed rows of a plan result: frozen dataclasses read off its JSON (docs/results.md), and the
one rule for a check's status and the counts of passed / failed / unknown checks.

Built by :func:`planner.engine.results.typed`; consumers import them from there.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, TypeVar

from planner.engine.texts import check_basis

CheckStatus = Literal["pass", "fail", "unknown"]
CHECK_STATUSES: tuple[CheckStatus, ...] = ("pass", "fail", "unknown")

#: refs of checks and findings whose places are demand units over capacity and/or unreachable
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


# -- typed rows of a result ---------------------------------------------------------------------
# The result stays plain JSON (saved runs, scripts: docs/results.md). These frozen rows are how
# Python consumers read it: ``typed(result).checks[0].status``, never ``c["status"]``. A field the
# engine did not write (older saved results) is None; numbers that are unknown are None, never 0.
_T = TypeVar("_T")


def row_of(cls: type[_T], d: Mapping[str, Any], rename: Mapping[str, str] | None = None) -> _T:
    """A row of dataclass ``cls`` from a JSON mapping: known fields taken (renamed where the JSON
    key differs), unknown keys ignored, missing fields left at their default (None)."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]  # cls is a dataclass
    vals = {(rename or {}).get(k, k): v for k, v in d.items()}
    return cls(**{k: v for k, v in vals.items() if k in names})


@dataclass(frozen=True)
class Check:
    """One check: value against target, with its status (pass / fail / unknown)."""

    id: str
    name_zh: str = ""
    name_en: str = ""
    value: float | None = None
    target: float | None = None
    unit: str = ""
    status: CheckStatus = "unknown"
    detail: str | None = None
    numerator: float | None = None         # what the share divides (figure.<numerator_of>) …
    denominator: float | None = None       # … by what (figure.<denominator_of>)
    numerator_of: str | None = None
    denominator_of: str | None = None
    target_source: str | None = None       # where the target comes from
    incomplete: Mapping[str, Any] | None = None   # what is unknown in the numbers
    quantity_unit: str | None = None       # the unit of a supply check's quantities
    mode: str | None = None                # walk / drive, for the time checks

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> Check:
        c = row_of(cls, d)
        return replace(c, status=check_status(d))

    def basis(self, lang: str) -> str:
        """Numerator / denominator, in ``lang`` (planner.engine.texts.check_basis)."""
        return check_basis(self, lang)

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass(frozen=True)
class Finding:
    """A finding or recommended action, with the check or topic it is about (``ref``)."""

    kind: str
    severity: str
    ref: str
    zh: str
    en: str
    code: str = ""          # finding.<code> in the text catalogue (planner.engine.texts renders it)
    args: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Summary:
    """The headline figures (people are computed figures; None = could not be computed)."""

    population: float | None = None
    sheltering_demand: float | None = None
    served: float | None = None
    served_share: float | None = None
    over_capacity: float | None = None
    unreachable: float | None = None
    off_network: float | None = None
    unlocated: float | None = None
    shelter_capacity: float | None = None
    indoor_capacity: float | None = None
    open_shelters: int | None = None
    mean_time_min: float | None = None
    p95_time_min: float | None = None
    max_time_min: float | None = None
    checks_passed: int = 0
    checks_failed: int = 0
    checks_unknown: int = 0
    supply_items_short: int | None = None
    supply_shortfall_cost: float | None = None
    allocation_shipped_share: float | None = None
    isolated_units: int | None = None
    isolated_population: float | None = None
    supply_shortfall_cost_unpriced: tuple[str, ...] = ()   # short items without a price: cost incomplete
    supply_population: float | None = None     # 保障人口 in force
    planning_population: float | None = None   # 规划人口 in force (None: unknown)
    units_unknown: int | None = None           # demand units with no population (left out)
    figures: Mapping[str, Any] = field(default_factory=dict)   # planner.engine.figures, with sources


@dataclass(frozen=True)
class Assignment:
    shelter: str
    people: float
    minutes: float | None = None
    seconds: float | None = None


@dataclass(frozen=True)
class UnitOutcome:
    """A village / community: who is served within the limit, over capacity, unreachable."""

    code: str
    name: str | None = None
    town: str | None = None
    population: float | None = None
    demand: float | None = None
    served: float | None = None
    over_capacity: float | None = None
    unreachable: float | None = None
    off_network: float | None = None
    unlocated: float | None = None
    nearest_min: float | None = None
    nearest_shelter: str | None = None
    snap_m: float | None = None
    snap_status: str | None = None
    assignments: tuple[Assignment, ...] = ()

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> UnitOutcome:
        u = row_of(cls, d)
        return replace(u, assignments=tuple(row_of(Assignment, a) for a in d.get("assignments") or ()))

    @property
    def outcome(self) -> str | None:
        """The unit's dominant outcome in the run: unreachable, off_network or over_capacity as
        soon as anybody is, else the largest part (served / unlocated); None without people."""
        parts = {"served": self.served or 0.0, "over_capacity": self.over_capacity or 0.0,
                 "unreachable": self.unreachable or 0.0, "off_network": self.off_network or 0.0,
                 "unlocated": self.unlocated or 0.0}
        if sum(parts.values()) <= 0:
            return "served" if self.population else None
        for k in ("unreachable", "off_network", "over_capacity"):
            if parts[k] > 0:
                return k
        return max(parts, key=lambda k: parts[k])


@dataclass(frozen=True)
class ShelterOutcome:
    """A shelter in the run: open or not (and why), capacity and what was assigned to it."""

    code: str
    name: str | None = None
    shelter_class: str | None = None
    status: str | None = None
    open: bool = False
    closed_by_hazard: str | None = None
    town: str | None = None
    capacity: float | None = None
    capacity_basis: str | None = None
    indoor_capacity: float | None = None
    assigned: float | None = None
    utilisation: float | None = None
    snap_m: float | None = None
    snap_status: str | None = None

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> ShelterOutcome:
        return row_of(cls, d, {"class": "shelter_class"})

    @property
    def closed(self) -> bool:
        """Closed in the scenario (by hand or by a hazard zone); a planned shelter is not closed."""
        return not self.open and (self.status == "closed" or bool(self.closed_by_hazard))

    @property
    def full(self) -> bool:
        return (self.utilisation or 0) >= 0.999


@dataclass(frozen=True)
class TownOutcome:
    town: str | None
    name: str | None = None
    population: float | None = None
    demand: float | None = None
    served: float | None = None
    served_share: float | None = None
    over_capacity: float | None = None
    unreachable: float | None = None
    off_network: float | None = None
    unlocated: float | None = None


@dataclass(frozen=True)
class SupplyPhase:
    """One day of the 72 hours for one item: due by ``deadline_h``; required, shipped, unmet and
    why (reason → quantity: no_stock / not_on_network / unreachable / too_late / insufficient_stock)."""

    day: int
    deadline_h: float | None = None
    required: float | None = None
    shipped: float | None = None
    unmet: float | None = None
    reasons: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SupplyLine:
    """72-hour supply of one norm item: required, usable, shortfall and what the gap costs."""

    key: str
    name_zh: str = ""
    name_en: str = ""
    unit: str = ""
    basis: str | None = None          # the norm: per_person_per_day / per_person / per_n_persons …
    rate: float | None = None
    daily_need: float | None = None
    required: float | None = None
    usable: float | None = None       # usable stock (lots that count and reach somebody in time)
    unusable: Mapping[str, float] | None = None   # reason (``lots[].reason``) → quantity not usable
    stock: float | None = None        # all stock of the item
    shipped: float | None = None      # what reaches the people in time (the supply flow)
    unmet: float | None = None
    shortfall: float | None = None    # = unmet
    mean_eta_min: float | None = None
    phases: tuple[SupplyPhase, ...] = ()
    shortfall_cost: float | None = None
    coverage_ratio: float | None = None
    days_of_autonomy: float | None = None
    unit_price: float | None = None
    catalogue_items: tuple[str, ...] | None = None
    src: str | None = None            # where the norm comes from
    src_zh: str | None = None         # the same citation in plain Chinese (for the printed plan)
    conf: str | None = None           # and how sure it is (V / S / R / D / A)

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> SupplyLine:
        s = row_of(cls, d)
        cat = d.get("catalogue_items")
        s = replace(s, phases=tuple(row_of(SupplyPhase, p) for p in d.get("phases") or ()))
        return replace(s, catalogue_items=tuple(cat)) if cat is not None else s

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def cite(self, lang: str) -> str | None:
        """Where the norm comes from, in the reader's language (None: no citation in it)."""
        return (self.src_zh if lang == "zh" else self.src) or None


@dataclass(frozen=True)
class LotUse:
    """Whether a stock lot counts for the 72 hours, and why not."""

    id: int
    site: str
    item: str | None = None
    norm_key: str | None = None
    mode: str | None = None
    quantity: float | None = None
    usable: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class CoverageTotals:
    """The coverage step's district totals (people, capacities; None = not written)."""

    population: float | None = None
    demand: float | None = None
    served: float | None = None
    served_share: float | None = None
    over_capacity: float | None = None
    unreachable: float | None = None
    off_network: float | None = None
    unlocated: float | None = None
    capacity: float | None = None
    indoor_capacity: float | None = None
    fixed_capacity: float | None = None
    planning_population: float | None = None   # 规划人口 (the fixed rule's denominator; None: unknown)
    sheltering_demand: float | None = None     # 避难需求 (every coverage share's denominator)
    units_unknown: int | None = None           # demand units without a population (left out)
    open_shelters: int | None = None
    shelters_on_network: int | None = None


@dataclass(frozen=True)
class SupplyInfo:
    """What the 72-hour supply step is computed for: people, days, deadline, event date; total cost."""

    people: float | None = None
    days: float | None = None
    deadline_h: float | None = None
    event_date: str | None = None
    shortfall_cost_total: float | None = None     # of the priced items (see shortfall_cost_unpriced)
    no_norm: tuple[str, ...] | None = None    # catalogue items without a norm (not checked)
    people_source: str | None = None          # plan / scenario / planning_population (the default)
    event_date_source: str | None = None      # plan / scenario / today (the default)
    shortfall_cost_unpriced: tuple[str, ...] = ()   # short items without a price
    deadlines_h: Mapping[int, float] = field(default_factory=dict)   # day → its supply deadline, h

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> SupplyInfo:
        s = row_of(cls, d)
        s = replace(s, shortfall_cost_unpriced=tuple(d.get("shortfall_cost_unpriced") or ()),
                    deadlines_h={int(p["day"]): float(p["deadline_h"]) for p in d.get("phases") or ()})
        return replace(s, no_norm=tuple(d["no_norm"])) if d.get("no_norm") is not None else s


@dataclass(frozen=True)
class TownItemSupply:
    """One item for one town's people: required, what reaches them in time, unmet."""

    required: float | None = None
    shipped: float | None = None
    unmet: float | None = None


@dataclass(frozen=True)
class SupplyTown:
    """A town's share of the target population and its local supply per item (key → row)."""

    town: str | None = None
    name: str | None = None
    population: float | None = None
    share: float | None = None
    items: Mapping[str, TownItemSupply] = field(default_factory=dict)

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> SupplyTown:
        t = row_of(cls, d)
        return replace(t, items={k: row_of(TownItemSupply, v or {}) for k, v in (d.get("items") or {}).items()})


@dataclass(frozen=True)
class AllocationItem:
    """One item of the first-batch allocation: demand, stock, shipped, unmet, mean arrival time."""

    key: str
    demand: float | None = None
    stock: float | None = None
    shipped: float | None = None
    unmet: float | None = None
    mean_eta_min: float | None = None
    first_batch_demand: float | None = None    # day 1 (within the first-batch deadline)
    first_batch_shipped: float | None = None


@dataclass(frozen=True)
class Shipment:
    """A quantity of an item sent from a source site to a shelter (manifest and dispatch lines)."""

    item: str
    quantity: float | None = None
    unit: str | None = None
    source: str | None = None
    shelter: str | None = None       # the shelter (None: delivered to a village, see ``to``)
    to: str | None = None            # shelter or demand-unit code
    to_kind: str | None = None       # shelter / villages (a source's deliveries to people at home)
    villages: int | None = None      # to_kind villages: to how many
    day: int | None = None           # 1, 2, 3: the day it is for
    eta_min: float | None = None
    ready_h: float | None = None


@dataclass(frozen=True)
class UnmetNeed:
    """What a shelter does not get of an item, and why (``insufficient_stock`` …)."""

    item: str
    quantity: float | None = None
    reason: str | None = None
    day: int | None = None


@dataclass(frozen=True)
class VillageAllocation:
    """What reaches the people who stay home in a village (no shelter place), and what not:
    ``received`` item → quantity per day; ``unmet`` item → {"by_day": [...], "reason": ...}."""

    unit: str | None = None
    name: str | None = None
    town: str | None = None
    people: float | None = None
    received: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    unmet: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class ShelterAllocation:
    """A shelter's manifest: the people it holds, what arrives from where, what stays unmet."""

    shelter: str
    name: str | None = None
    people: float | None = None
    manifest: tuple[Shipment, ...] = ()
    unmet: tuple[UnmetNeed, ...] = ()

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> ShelterAllocation:
        return replace(row_of(cls, d), manifest=tuple(row_of(Shipment, x) for x in d.get("manifest") or ()),
                       unmet=tuple(row_of(UnmetNeed, x) for x in d.get("unmet") or ()))


@dataclass(frozen=True)
class SourceDispatch:
    """A source site's dispatch list: what it sends to which shelter."""

    source: str
    name: str | None = None
    dispatch: tuple[Shipment, ...] = ()

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> SourceDispatch:
        return replace(row_of(cls, d), dispatch=tuple(row_of(Shipment, x) for x in d.get("dispatch") or ()))


@dataclass(frozen=True)
class Allocation:
    """The first-batch allocation within ``deadline_h`` hours: by item, per shelter, per source."""

    deadline_h: float | None = None
    note: str | None = None
    items: tuple[AllocationItem, ...] = ()
    shelters: tuple[ShelterAllocation, ...] = ()
    villages: tuple[VillageAllocation, ...] = ()
    sources: tuple[SourceDispatch, ...] = ()

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> Allocation:
        return cls(deadline_h=d.get("deadline_h"), note=d.get("note"),
                   items=tuple(row_of(AllocationItem, x) for x in d.get("items") or ()),
                   shelters=tuple(ShelterAllocation.of(x) for x in d.get("shelters") or ()),
                   villages=tuple(row_of(VillageAllocation, x) for x in d.get("villages") or ()),
                   sources=tuple(SourceDispatch.of(x) for x in d.get("sources") or ()))


@dataclass(frozen=True)
class IsolatedUnit:
    """A demand unit no open supply source reaches by road (isolated), or not located / off
    the network; an isolated one judged by its own village points' stock (covered_72h)."""

    code: str
    name: str | None = None
    town: str | None = None
    population: float | None = None
    status: str | None = None
    covered_72h: bool | None = None
    reached_by_road: bool | None = None
    local_points: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> IsolatedUnit:
        return replace(row_of(cls, d), local_points=tuple(d.get("local_points") or ()),
                       flags=tuple(d.get("flags") or ()))


@dataclass(frozen=True)
class FlaggedUnit:
    """A unit flagged 易失联 / 防汛重点村: reachable by road? its people's 72 hours met?"""

    code: str
    name: str | None = None
    town: str | None = None
    flags: tuple[str, ...] = ()
    status: str | None = None
    reachable: bool | None = None
    supplied_72h: bool | None = None

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> FlaggedUnit:
        return replace(row_of(cls, d), flags=tuple(d.get("flags") or ()))


@dataclass(frozen=True)
class PoolItem:
    """One item for a pool of isolated units: required, held at local points, covered or not."""

    item: str
    required: float | None = None
    local_stock: float | None = None
    covered: bool | None = None


@dataclass(frozen=True)
class IsolationPool:
    """The isolated units of one town pooled: their people, local reserve points, 72-hour cover."""

    town: str | None = None
    units: tuple[str, ...] = ()
    people: float | None = None
    local_points: tuple[str, ...] = ()
    covered_72h: bool | None = None
    items: tuple[PoolItem, ...] = ()

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> IsolationPool:
        return replace(row_of(cls, d), units=tuple(d.get("units") or ()),
                       local_points=tuple(d.get("local_points") or ()),
                       items=tuple(row_of(PoolItem, x) for x in d.get("items") or ()))


@dataclass(frozen=True)
class IsolationInfo:
    """The isolation step's totals and town pools (the units themselves: ``TypedResult.isolation``)."""

    isolated_units: int | None = None
    isolated_population: float | None = None
    open_warehouses: int | None = None
    open_sources: int | None = None
    definition: str | None = None
    pools: tuple[IsolationPool, ...] = ()
    flagged: tuple[FlaggedUnit, ...] = ()
