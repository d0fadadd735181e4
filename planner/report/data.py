"""What the printed plan needs, read once from the plan: info, boundaries, towns, snapshot, result."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner import text as tx


@dataclass
class Boundary:
    name: str
    code: str | None
    role: str                 # district / town / other
    geometry: Any             # shapely, WGS84
    source: str | None
    authoritative: bool


@dataclass
class Town:
    code: str
    name: str
    population: float | None
    lon: float | None
    lat: float | None


@dataclass
class ReportData:
    """Everything the report renders; built by :func:`collect` (or directly in tests)."""

    inp: Any                              # planner.engine.snapshot.PlanInput
    result: Any                           # planner.engine.run.PlanResult
    lang: str = "zh"
    plan_name: str = ""
    district_name: str | None = None
    district_code: str | None = None
    description: str | None = None
    attribution: str | None = None
    target_population: int | None = None
    boundaries: list[Boundary] = field(default_factory=list)
    towns: dict[str, Town] = field(default_factory=dict)
    scenario_description: str | None = None
    comparison: dict[str, Any] | None = None
    prepared_by: str | None = None
    date: dt.date = field(default_factory=dt.date.today)
    version: str = ""
    location: str = ""
    document: dict[str, Any] = field(default_factory=dict)      # planner.plan_document fields
    directory: list[dict[str, Any]] = field(default_factory=list)   # sites: address, contact, phone
    lots: list[dict[str, Any]] = field(default_factory=list)    # stock lots: site, item, batch, expiry …
    recommendations: Any = None           # a recommendation (planner.scenario.recommend) to print
    comparison_runs: list[tuple[Any, Any]] = field(default_factory=list)   # (input, result), as compared

    # -- lookups ---------------------------------------------------------------------------
    def town_name(self, code: Any) -> str:
        if code is None:
            return "—"
        t = self.towns.get(str(code))
        return t.name if t else str(code)

    def site_rows(self) -> dict[str, dict[str, Any]]:
        cached = self.__dict__.get("_sites")
        if cached is None:
            cached = {r["code"]: r for r in self.inp.sites.records()}
            self.__dict__["_sites"] = cached
        return cached

    def site_name(self, code: Any) -> str:
        r = self.site_rows().get(code)
        return r["name"] if r and r.get("name") else str(code)

    def unit_rows(self) -> dict[str, dict[str, Any]]:
        cached = self.__dict__.get("_units")
        if cached is None:
            cached = {r["code"]: r for r in self.inp.demand.records()}
            self.__dict__["_units"] = cached
        return cached

    @property
    def osm_attribution(self) -> bool:
        text = " ".join(filter(None, [self.attribution] + [b.source or "" for b in self.boundaries]))
        return "openstreetmap" in text.lower() or "odbl" in text.lower()

    @property
    def boundary_authoritative(self) -> bool:
        districts = [b for b in self.boundaries if b.role == "district"]
        return bool(districts) and all(b.authoritative for b in districts)

    @property
    def is_english(self) -> bool:
        return self.lang == "en"

    def t(self, key: str, **args: Any) -> str:
        """The catalogue text ``key`` (planner.text) in the report's language."""
        return tx.text(key, self.lang, **args)


def read_plan_context(plan: Any, scenario: str | None) -> dict[str, Any]:
    """Plan info, boundaries, towns (with their points) and the scenario description."""
    from sqlalchemy import select

    from planner import models as m
    from planner.plan_document import document_of

    with plan.session() as s:
        info = s.scalars(select(m.PlanInfo).limit(1)).first()
        bounds = [Boundary(b.name, b.code, b.role or "district", b.geometry, b.source, bool(b.authoritative))
                  for b in s.scalars(select(m.Boundary).order_by(m.Boundary.id)) if b.geometry is not None]
        towns = {a.code: Town(a.code, a.name, a.population, a.lon, a.lat)
                 for a in s.scalars(select(m.AdminUnit).where(m.AdminUnit.level == "town")
                                    .order_by(m.AdminUnit.code))}
        directory = [{"code": x.code, "name": x.name, "kind": x.kind.value, "tier": x.tier.value if x.tier else None,
                      "status": x.status.value, "town": x.town_code, "address": x.address, "contact": x.contact,
                      "phone": x.phone} for x in s.scalars(select(m.Site).order_by(m.Site.kind, m.Site.code))]
        lots = [{"site": site_code, "item": item_code, "batch": lot.batch, "quantity": lot.quantity,
                 "mode": lot.mode.value, "expiry": lot.expiry_date, "supplier": lot.supplier,
                 "lead_time_h": lot.lead_time_h}
                for lot, site_code, item_code in s.execute(
                    select(m.StockLot, m.Site.code, m.SupplyItem.code)
                    .join(m.Site, m.StockLot.site_id == m.Site.id)
                    .join(m.SupplyItem, m.StockLot.item_id == m.SupplyItem.id)
                    .order_by(m.Site.code, m.SupplyItem.code, m.StockLot.id))]
        scen_desc = None
        if scenario:
            sc = s.scalars(select(m.Scenario).where(m.Scenario.name == scenario)).first()
            scen_desc = sc.description if sc is not None else None
    return {
        "plan_name": info.name if info else "", "district_name": info.district_name if info else None,
        "district_code": info.district_code if info else None,
        "description": info.description if info else None,
        "attribution": info.attribution if info else None,
        "target_population": info.target_population if info else None,
        "boundaries": bounds, "towns": towns, "scenario_description": scen_desc,
        "document": document_of(info.extra if info else None), "directory": directory, "lots": lots,
    }


def located(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return np.isfinite(np.asarray(lon, dtype=float)) & np.isfinite(np.asarray(lat, dtype=float))
