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
import weakref
from typing import Any

import numpy as np
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

    roads = _roads(s)

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



# -- the road network, read once while it stays the same ---------------------------------------------
#: database URL → (the change stamp read, the road table read under it). Weak: a table is reused
#: only while someone still holds it (the window's what-if session, a report comparing two runs),
#: so this keeps no network alive by itself.
_ROADS: dict[str, tuple[str, weakref.ref[RoadTable]]] = {}


def _roads_stamp(s: Any) -> str | None:
    """The ``roads`` change stamp (migration 0005), or None when it cannot be trusted: no stamp,
    or the triggers that renew it are not all in place (then the network is read every time)."""
    conn = s.connection()
    try:
        if conn.dialect.name == "sqlite":
            n = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('road_node', 'road_edge') AND sql LIKE '%change_stamp%'").scalar()
            ok = n == 6     # insert, update, delete on each table
        elif conn.dialect.name == "postgresql":
            n = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE c.relname IN ('road_node', 'road_edge') AND t.tgenabled <> 'D' "
                "AND t.tgfoid = to_regproc('esplan_roads_changed')").scalar()
            ok = n == 2     # one statement-level trigger on each table
        else:
            ok = False
        stamp = conn.exec_driver_sql("SELECT stamp FROM change_stamp WHERE name = 'roads'").scalar() if ok else None
    except Exception:  # noqa: BLE001 - a plan without the table: read the roads every time (logged)
        log.warning("the plan's road change stamp could not be read; the road network is read in full",
                    exc_info=True)
        return None
    if not ok:
        log.warning("the plan's road change-stamp triggers are missing; the road network is read in full")
    return stamp if isinstance(stamp, str) and stamp else None


def _roads(s: Any) -> RoadTable:
    """The plan's road network: the table read earlier under the same change stamp if it is
    still held, else read now (:func:`_read_roads`)."""
    stamp = _roads_stamp(s)
    key = s.get_bind().url.render_as_string(hide_password=True)
    if stamp is not None:
        kept = _ROADS.get(key)
        table = kept[1]() if kept is not None and kept[0] == stamp else None
        if table is not None:
            log.info("snapshot: road network unchanged since it was read (stamp %s), reused", stamp[:8])
            return table
    table = _read_roads(s)
    if stamp is not None:
        _ROADS[key] = (stamp, weakref.ref(table))
    else:
        _ROADS.pop(key, None)
    return table


def _read_roads(s: Any) -> RoadTable:
    """Read ``road_node`` and ``road_edge`` into a RoadTable (Core rows, not ORM objects; the
    lines kept as their stored WKB)."""
    conn = s.connection()
    node_rows = conn.execute(select(m.RoadNode.id, m.RoadNode.lon, m.RoadNode.lat)
                             .order_by(m.RoadNode.id)).all()
    node_cols = list(zip(*node_rows, strict=True)) if node_rows else [(), (), ()]
    node_id = np.array(node_cols[0], dtype=np.int64)
    edge_rows = conn.execute(select(m.RoadEdge.u, m.RoadEdge.v, m.RoadEdge.highway, m.RoadEdge.oneway,
                                    m.RoadEdge.length_m, m.RoadEdge.maxspeed_kmh,
                                    # the WKB as stored (the Geometry type would decode row by row:
                                    # ≈ 5 µs a row, 10 s at 2 M edges)
                                    type_coerce(m.RoadEdge.geometry, LargeBinary),
                                    m.RoadEdge.walk_access, m.RoadEdge.drive_access)
                             .order_by(m.RoadEdge.id)).all()
    del node_rows
    if not edge_rows:
        return RoadTable.from_arrays(list(node_cols[1]), list(node_cols[2]), [], [], [], node_id=node_id)
    u, v, highway, oneway, length, maxspeed, wkb_col, walk_acc, drive_acc = zip(*edge_rows, strict=True)
    del edge_rows
    eu = np.searchsorted(node_id, np.array(u, dtype=np.int64))
    ev = np.searchsorted(node_id, np.array(v, dtype=np.int64))
    # the lines stay WKB as stored (RoadTable.geometry; the graph decodes them when it is built)
    wkb = [None if b is None else bytes(b) for b in wkb_col]
    return RoadTable.from_arrays(
        list(node_cols[1]), list(node_cols[2]), eu, ev, list(highway), [bool(x) for x in oneway],
        list(length), list(maxspeed), geometry=None if all(b is None for b in wkb) else wkb,
        node_id=node_id,
        walk_access=None if all(a is None for a in walk_acc) else list(walk_acc),
        drive_access=None if all(a is None for a in drive_acc) else list(drive_acc))


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
