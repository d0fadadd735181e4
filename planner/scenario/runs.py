"""The storage side of a run: a plan's engine input read from the database, a result written back.

:func:`load_snapshot` reads a plan (and optionally a stored scenario) into the engine's frozen
:class:`~planner.engine.snapshot.PlanInput`, with the scenario applied by the engine
(:func:`planner.engine.apply.apply_scenario`: site changes, stock changes, hazard closures,
parameter overrides). :func:`load_input` is the same with "baseline" meaning no scenario;
:func:`run` loads and runs one scenario; :func:`save_run` stores a PlanResult as a PlanRun row.
The engine itself (``planner/engine``) never reads or writes the database.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

import numpy as np
import shapely
from sqlalchemy import LargeBinary, select, type_coerce

from planner import models as m
from planner.engine.apply import BASELINE, apply_scenario
from planner.engine.params import PLAN_FIGURES, resolve_parameters
from planner.engine.run import PlanResult, json_safe, run_plan
from planner.engine.snapshot import (
    DemandTable,
    Hazard,
    ItemTable,
    LotTable,
    PlanInput,
    RoadTable,
    SiteTable,
    TownTable,
)
from planner.norms import shipped_profile

log = logging.getLogger(__name__)

__all__ = ["BASELINE", "load_input", "load_snapshot", "run", "save_run"]



def _val(v: Any) -> Any:
    return v.value if hasattr(v, "value") and not isinstance(v, (str, int, float)) else v


def load_snapshot(session_or_plan: Any, scenario: Any = None, *,
                  event_date: dt.date | str | None = None) -> PlanInput:
    """Read a plan (a :class:`planner.store.Plan` or an open Session) into a PlanInput.

    ``scenario`` is a :class:`planner.models.Scenario`, its name, or None (the baseline). Its
    ``params`` override the norms profile and the plan (incl. ``norms_profile``); its hazard
    zones are kept as shapely polygons in ``PlanInput.hazards`` (roads are cut/slowed when the
    graph is built); its ``site_changes`` / ``stock_changes`` and the hazards' ``closes_sites``
    are APPLIED here through :func:`planner.engine.apply.apply_scenario` (the raw lists stay in
    ``scenario_changes``, what was done in ``effects``). Unknown codes raise ScenarioError.
    """
    if hasattr(session_or_plan, "session") and callable(session_or_plan.session):
        with session_or_plan.session() as s:
            return load_snapshot(s, scenario, event_date=event_date)
    s = session_or_plan

    info = s.scalars(select(m.PlanInfo).limit(1)).first()
    scen = None
    if scenario is not None:
        if isinstance(scenario, str):
            scen = s.scalars(select(m.Scenario).where(m.Scenario.name == scenario)).first()
            if scen is None:
                raise KeyError(f"no scenario named {scenario!r}")
        else:
            scen = s.get(m.Scenario, scenario.id) if getattr(scenario, "id", None) else scenario
    overrides = dict(scen.params or {}) if scen is not None else {}
    prof_name = overrides.get("norms_profile") or (info.default_norms if info else "cn_standard")
    prof = s.scalars(select(m.NormsProfile).where(m.NormsProfile.name == prof_name)).first()
    if prof is not None:
        norms = dict(prof.data)
    else:
        norms = shipped_profile(prof_name)
    norms.setdefault("name", prof_name)
    if event_date is not None and "event_date" not in overrides:
        overrides["event_date"] = str(event_date)
    plan_fig = {k: getattr(info, col) for k, col in PLAN_FIGURES.items()} if info else {}
    values, sources = resolve_parameters(
        norms, plan=plan_fig, overrides=overrides,
        override_label=f"scenario {scen.name!r}" if scen is not None else "caller")

    sites = [dict(id=r.id, code=r.code, name=r.name, kind=_val(r.kind), status=_val(r.status),
                  tier=_val(r.tier), shelter_class=_val(r.shelter_class),
                  indoor_area=r.indoor_area_m2, outdoor_area=r.outdoor_area_m2,
                  stated_capacity=r.stated_capacity, lon=r.lon, lat=r.lat, town=r.town_code,
                  village=r.village_code)
             for r in s.scalars(select(m.Site).order_by(m.Site.id))]
    items = [dict(id=r.id, code=r.code, name_zh=r.name_zh, name_en=r.name_en, unit=r.unit,
                  norm_key=r.norm_key, unit_price=r.unit_price)
             for r in s.scalars(select(m.SupplyItem).order_by(m.SupplyItem.id))]
    lots = [dict(id=r.id, site_id=r.site_id, item_id=r.item_id, quantity=r.quantity,
                 mode=_val(r.mode), expiry=r.expiry_date.isoformat() if r.expiry_date else None,
                 lead_time_h=r.lead_time_h, supplier=r.supplier)
            for r in s.scalars(select(m.StockLot).order_by(m.StockLot.id))]
    demand = [dict(id=r.id, code=r.code, name=r.name, town=r.town_code, population=r.population,
                   vulnerable=r.vulnerable, lon=r.lon, lat=r.lat, sheltering_demand=r.sheltering_demand,
                   flags=tuple(r.flags or ()))
              for r in s.scalars(select(m.DemandUnit).order_by(m.DemandUnit.id))]
    towns = [dict(code=r.code, name=r.name, population=r.population, sheltering_share=r.sheltering_share)
             for r in s.scalars(select(m.AdminUnit).where(m.AdminUnit.level == "town")
                                .order_by(m.AdminUnit.code))]

    node_rows = s.execute(select(m.RoadNode.id, m.RoadNode.lon, m.RoadNode.lat)
                          .order_by(m.RoadNode.id)).all()
    node_id = np.array([r[0] for r in node_rows], dtype=np.int64)
    edge_rows = s.execute(select(m.RoadEdge.u, m.RoadEdge.v, m.RoadEdge.highway, m.RoadEdge.oneway,
                                 m.RoadEdge.length_m, m.RoadEdge.maxspeed_kmh,
                                 # the WKB as stored, decoded below for the whole column at once
                                 # (the Geometry type decodes row by row: ≈ 5 µs a row, 10 s at 2 M edges)
                                 type_coerce(m.RoadEdge.geometry, LargeBinary),
                                 m.RoadEdge.walk_access, m.RoadEdge.drive_access)
                          .order_by(m.RoadEdge.id)).all()
    if edge_rows:
        eu = np.searchsorted(node_id, np.array([r[0] for r in edge_rows], dtype=np.int64))
        ev = np.searchsorted(node_id, np.array([r[1] for r in edge_rows], dtype=np.int64))
        wkb = np.empty(len(edge_rows), dtype=object)
        wkb[:] = [None if r[6] is None else bytes(r[6]) for r in edge_rows]
        geoms = shapely.from_wkb(wkb)
        walk_acc = [r[7] for r in edge_rows]
        drive_acc = [r[8] for r in edge_rows]
        roads = RoadTable.from_arrays(
            [r[1] for r in node_rows], [r[2] for r in node_rows], eu, ev, [r[2] for r in edge_rows],
            [bool(r[3]) for r in edge_rows], [r[4] for r in edge_rows], [r[5] for r in edge_rows],
            geometry=None if all(g is None for g in geoms) else geoms, node_id=node_id,
            walk_access=None if all(a is None for a in walk_acc) else walk_acc,
            drive_access=None if all(a is None for a in drive_acc) else drive_acc)
    else:
        roads = RoadTable.from_arrays([r[1] for r in node_rows], [r[2] for r in node_rows], [], [], [],
                                      node_id=node_id)

    hazards: tuple[Hazard, ...] = ()
    changes: dict[str, Any] = {}
    if scen is not None:
        hazards = tuple(Hazard(h.name, _val(h.effect), float(h.factor), bool(h.closes_sites),
                               h.geometry) for h in sorted(scen.hazards, key=lambda h: h.id or 0))
        changes = {"site_changes": list(scen.site_changes or []),
                   "stock_changes": list(scen.stock_changes or [])}

    base = PlanInput(
        sites=SiteTable.from_records(sites), items=ItemTable.from_records(items),
        lots=LotTable.from_records(lots), demand=DemandTable.from_records(demand), roads=roads,
        towns=TownTable.from_records(towns), norms=norms, params=values, param_sources=sources,
        hazards=(), scenario_name="baseline", plan_name=info.name if info else "")
    log.info("snapshot of %s: %d sites, %d demand units, %d stock lots, %d road edges; scenario %s",
             base.plan_name, len(base.sites), len(base.demand), len(base.lots), len(base.roads.edge_u),
             scen.name if scen is not None else "none (baseline)")
    if scen is None:
        return base
    # parameters (incl. the norms profile, read from the plan above) are already resolved
    out = apply_scenario(base, name=scen.name, site_changes=changes["site_changes"],
                         stock_changes=changes["stock_changes"], hazards=hazards)
    return dataclasses.replace(out, scenario_changes={**out.scenario_changes, "params": dict(scen.params or {})})


def load_input(plan: Any, scenario: str | None = None) -> PlanInput:
    """The engine input of the baseline (``None`` / ``"baseline"``) or of a named scenario."""
    name = None if scenario in (None, BASELINE) else scenario
    return load_snapshot(plan, name)


def run(plan: Any, scenario: str | None = None, *, service_areas: bool = False) -> tuple[PlanInput, PlanResult]:
    """(PlanInput, PlanResult) of one scenario."""
    inp = load_input(plan, scenario)
    return inp, run_plan(inp, service_areas=service_areas)


def save_run(plan: Any, inp: PlanInput, result: PlanResult, user: str | None = None) -> int:
    """Write a PlanRun row (inputs hash, parameters, engine version, result JSON); returns its id."""
    with plan.transaction(user=user, reason="save plan run") as s:
        scen_id = None
        if inp.scenario_name != "baseline":
            scen_id = s.scalars(select(m.Scenario.id).where(m.Scenario.name == inp.scenario_name)).first()
        row = m.PlanRun(scenario_id=scen_id, scenario_name=inp.scenario_name, created_by=user or s.info.get("user"),
                        engine_version=result.engine_version, inputs_hash=result.inputs_hash,
                        parameters={r["name"]: {"value": r["value"], "source": r["source"]}
                                    for r in result.parameters},
                        summary=json_safe(result.summary), result=result.to_dict())
        s.add(row)
        s.flush()
        log.info("run of %s saved as plan_run %d (inputs %s)", inp.scenario_name, row.id, result.inputs_hash[:12])
        return row.id
