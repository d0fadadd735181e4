"""Scenario management: what-if scenarios stored in the plan, derived from the baseline.

Every function takes a :class:`planner.store.Plan`, works through one ``plan.transaction``
(so every change is audited: who, when, before, after, why) and only ever writes
:class:`~planner.models.Scenario` and :class:`~planner.models.HazardZone` rows: the baseline
(sites, stock, demand, roads) is never changed by a scenario.

Scenario contents (the engine applies them when it loads the snapshot):

* ``params``: parameter overrides, validated here (:func:`validate_params`);
* ``site_changes``: one entry per site, ``{"site_code", "status": "closed"|"built"|"planned",
  "stated_capacity"?, "indoor_area_m2"?, "outdoor_area_m2"?}``;
* ``stock_changes``: ``{"site_code", "item_code"|None, "factor"}`` (scale a site's stock, all
  items when ``item_code`` is None), ``{"site_code", "item_code", "delta"}`` (add/remove
  quantity) or ``{"supplier", "factor": 0}`` (an agreement supplier is unavailable);
* hazard zones: WGS84 polygons with effect ``block`` or ``slow`` (speed × ``factor``) and
  ``closes_sites`` (sites inside are unusable).

Errors a user can cause raise :class:`ScenarioError` with a message meant for them.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import select

from planner import models as m
from planner.engine.apply import BASELINE, SITE_STATUSES, ScenarioError
from planner.engine.params import ALIASES, SPECS
from planner.geo import area_km2
from planner.io.coords import to_wgs84
from planner.norms import SHIPPED

log = logging.getLogger(__name__)

CAPACITY_FIELDS = ("stated_capacity", "indoor_area_m2", "outdoor_area_m2")
HAZARD_FIELDS = ("name", "effect", "factor", "closes_sites")


# -- helpers ------------------------------------------------------------------------------------
def scenario_row(s, name: str) -> m.Scenario:
    """The Scenario row of ``name`` in session ``s`` (ScenarioError for the baseline or an unknown name)."""
    if name is None or name == BASELINE:
        raise ScenarioError("the baseline is not a scenario and cannot be changed here")
    scen = s.scalars(select(m.Scenario).where(m.Scenario.name == name)).first()
    if scen is None:
        names = s.scalars(select(m.Scenario.name).order_by(m.Scenario.name)).all()
        raise ScenarioError(f"no scenario named {name!r} (have: {', '.join(names) or 'none'})")
    return scen


def _check_name(s, name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ScenarioError("a scenario needs a name")
    if name == BASELINE:
        raise ScenarioError(f"{BASELINE!r} is reserved for the plan without a scenario")
    if len(name) > 200:
        raise ScenarioError("scenario names are at most 200 characters")
    if s.scalars(select(m.Scenario.id).where(m.Scenario.name == name)).first() is not None:
        raise ScenarioError(f"a scenario named {name!r} already exists")
    return name


def _site(s, code: str) -> m.Site:
    site = s.scalars(select(m.Site).where(m.Site.code == code)).first()
    if site is None:
        raise ScenarioError(f"no site with code {code!r}")
    return site


def _summary(scen: m.Scenario, *, geometry: bool = False) -> dict[str, Any]:
    hazards = []
    for h in sorted(scen.hazards, key=lambda h: h.id or 0):
        row = {"id": h.id, "name": h.name, "effect": h.effect.value if hasattr(h.effect, "value") else h.effect,
               "factor": h.factor, "closes_sites": h.closes_sites, "area_km2": _area_km2(h.geometry)}
        if geometry:
            row["geometry"] = h.geometry
        hazards.append(row)
    return {"id": scen.id, "name": scen.name, "description": scen.description,
            "params": dict(scen.params or {}), "site_changes": list(scen.site_changes or []),
            "stock_changes": list(scen.stock_changes or []), "hazards": hazards,
            "created_at": scen.created_at.isoformat() if scen.created_at else None}


def _area_km2(geom) -> float | None:
    try:
        return round(area_km2(geom), 6)
    except Exception:  # pragma: no cover - odd geometry
        log.debug("no area for a hazard zone geometry; shown without one", exc_info=True)
        return None


# -- list / create / copy / rename / delete -----------------------------------------------------
def list_scenarios(plan) -> list[dict[str, Any]]:
    """Every scenario with its changes and hazard zones (plain dicts)."""
    with plan.session() as s:
        return [_summary(x) for x in s.scalars(select(m.Scenario).order_by(m.Scenario.name))]


def get_scenario(plan, name: str, *, geometry: bool = False) -> dict[str, Any]:
    """One scenario as plain data (``geometry``: hazard zones carry their shapely polygon)."""
    with plan.session() as s:
        return _summary(scenario_row(s, name), geometry=geometry)


def scenario_names(plan) -> list[str]:
    """Scenario names in the order they were created."""
    with plan.session() as s:
        return list(s.scalars(select(m.Scenario.name).order_by(m.Scenario.id)))


def create_scenario(plan, name: str, *, description: str | None = None, copy_from: str | None = None,
                    user: str | None = None, reason: str | None = None) -> dict[str, Any]:
    """A new scenario: empty (= the baseline) or a copy of ``copy_from`` with its hazard zones."""
    with plan.transaction(user, reason or f"create scenario {name}") as s:
        name = _check_name(s, name)
        scen = m.Scenario(name=name, description=description, params={}, site_changes=[], stock_changes=[])
        if copy_from not in (None, BASELINE):
            src = scenario_row(s, copy_from)
            scen.description = description if description is not None else src.description
            scen.params = json.loads(json.dumps(src.params or {}))
            scen.site_changes = json.loads(json.dumps(src.site_changes or []))
            scen.stock_changes = json.loads(json.dumps(src.stock_changes or []))
            for h in sorted(src.hazards, key=lambda h: h.id or 0):
                scen.hazards.append(m.HazardZone(name=h.name, effect=h.effect, factor=h.factor,
                                                 closes_sites=h.closes_sites, geometry=h.geometry))
        s.add(scen)
        s.flush()
        return _summary(scen)


def copy_scenario(plan, source: str, name: str, **kw: Any) -> dict[str, Any]:
    return create_scenario(plan, name, copy_from=source, **kw)


def rename_scenario(plan, old: str, new: str, *, user: str | None = None) -> dict[str, Any]:
    with plan.transaction(user, f"rename scenario {old} → {new}") as s:
        scen = scenario_row(s, old)
        scen.name = _check_name(s, new)
        s.flush()
        return _summary(scen)


def delete_scenario(plan, name: str, *, user: str | None = None) -> None:
    """Delete a scenario and its hazard zones (saved runs keep their scenario name)."""
    with plan.transaction(user, f"delete scenario {name}") as s:
        scen = scenario_row(s, name)
        for h in list(scen.hazards):
            s.delete(h)
        s.delete(scen)


def set_description(plan, name: str, description: str | None, *, user: str | None = None) -> None:
    with plan.transaction(user, f"describe scenario {name}") as s:
        scenario_row(s, name).description = description


# -- hazard zones -------------------------------------------------------------------------------
def _check_hazard(effect: str, factor: float) -> tuple[m.HazardEffect, float]:
    try:
        eff = m.HazardEffect(effect)
    except ValueError:
        raise ScenarioError(f"hazard effect must be 'block' or 'slow', not {effect!r}") from None
    try:
        factor = float(factor)
    except (TypeError, ValueError):
        raise ScenarioError(f"hazard factor must be a number, not {factor!r}") from None
    if eff is m.HazardEffect.block:
        factor = 1.0
    elif not (0.0 < factor < 1.0):
        raise ScenarioError(f"a 'slow' hazard needs a speed factor with 0 < factor < 1 (got {factor:g})")
    return eff, factor


def _check_polygon(geom) -> str | None:
    """None if ``geom`` is a usable WGS84 (Multi)Polygon, else what is wrong with it."""
    if geom is None or geom.is_empty:
        return "empty geometry"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return f"geometry type {geom.geom_type} is not a Polygon or MultiPolygon"
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return (f"coordinates out of lon/lat range (bounds {minx:.4g}, {miny:.4g}, {maxx:.4g}, {maxy:.4g}); "
                "GeoJSON must be in WGS84 longitude/latitude")
    if not geom.is_valid:
        return f"invalid polygon ({shapely.is_valid_reason(geom)})"
    if geom.area <= 0:
        return "polygon has no area"
    return None


def add_hazard(plan, scenario: str, geometry, *, name: str = "hazard", effect: str = "block",
               factor: float = 1.0, closes_sites: bool = True, user: str | None = None,
               crs: str = "wgs84") -> int:
    """Add one hazard polygon (shapely geometry, GeoJSON dict or WKT) to a scenario; returns its id."""
    geom = _as_geometry(geometry)
    geom = _to_wgs84(geom, crs)
    problem = _check_polygon(geom)
    if problem:
        raise ScenarioError(f"hazard {name!r}: {problem}")
    eff, factor = _check_hazard(effect, factor)
    with plan.transaction(user, f"add hazard zone {name} to scenario {scenario}") as s:
        scen = scenario_row(s, scenario)
        hz = m.HazardZone(name=name, effect=eff, factor=factor, closes_sites=bool(closes_sites), geometry=geom)
        scen.hazards.append(hz)
        s.flush()
        return hz.id


def _as_geometry(g):
    if isinstance(g, str):
        return shapely.from_wkt(g)
    if isinstance(g, dict):
        return shape(g.get("geometry", g) if g.get("type") == "Feature" else g)
    return g


def _to_wgs84(geom, crs: str | None):
    if crs in (None, "wgs84", "cgcs2000") or geom is None:
        return geom
    return shapely.transform(geom, lambda c: np.column_stack(to_wgs84(c[:, 0], c[:, 1], crs)))


def import_hazards_geojson(plan, scenario: str, source: str | Path | dict, *, effect: str = "block",
                           factor: float = 1.0, closes_sites: bool = True, name_property: str = "name",
                           user: str | None = None, crs: str = "wgs84") -> list[int]:
    """Import every polygon feature of a GeoJSON file (or dict) as hazard zones.

    A feature's properties may set ``name``, ``effect``, ``factor`` and ``closes_sites``; the
    keyword arguments are the defaults. All features are checked first: on any problem nothing
    is written and :class:`ScenarioError` lists every bad feature (``feature 3: …``).
    """
    if isinstance(source, dict):
        doc = source
        label = "GeoJSON"
    else:
        label = str(source)
        try:
            doc = json.loads(Path(source).read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise ScenarioError(f"file not found: {source}") from None
        except (OSError, ValueError) as exc:
            raise ScenarioError(f"{source}: not a readable GeoJSON file ({exc})") from None
    if not isinstance(doc, dict):
        raise ScenarioError(f"{label}: not a GeoJSON object")
    if doc.get("type") == "FeatureCollection":
        feats = doc.get("features") or []
    elif doc.get("type") == "Feature":
        feats = [doc]
    elif doc.get("type") in ("Polygon", "MultiPolygon", "GeometryCollection", "Point", "LineString",
                             "MultiLineString", "MultiPoint"):
        feats = [{"type": "Feature", "geometry": doc, "properties": {}}]
    else:
        raise ScenarioError(f"{label}: expected a FeatureCollection, Feature or geometry, got {doc.get('type')!r}")
    if not feats:
        raise ScenarioError(f"{label}: no features")
    errors: list[str] = []
    zones: list[tuple[str, m.HazardEffect, float, bool, Any]] = []
    for k, f in enumerate(feats, start=1):
        props = (f.get("properties") or {}) if isinstance(f, dict) else {}
        fname = str(props.get(name_property) or props.get("name") or f"hazard {k}")
        try:
            geom = shape(f["geometry"]) if f.get("geometry") else None
            geom = _to_wgs84(geom, crs)
        except Exception as exc:  # noqa: BLE001 - reported to the user (ScenarioError listing the features)
            errors.append(f"feature {k} ({fname}): unreadable geometry ({exc})")
            continue
        problem = _check_polygon(geom)
        if problem:
            errors.append(f"feature {k} ({fname}): {problem}")
            continue
        try:
            eff, fac = _check_hazard(props.get("effect", effect), props.get("factor", factor))
        except ScenarioError as exc:
            errors.append(f"feature {k} ({fname}): {exc}")
            continue
        cs = props.get("closes_sites", closes_sites)
        if isinstance(cs, str):
            cs = cs.strip().lower() in ("1", "true", "yes", "y", "是")
        zones.append((fname, eff, fac, bool(cs), geom))
    if errors:
        raise ScenarioError(f"{label}: {len(errors)} of {len(feats)} features refused, nothing imported:\n  "
                            + "\n  ".join(errors))
    with plan.transaction(user, f"import {len(zones)} hazard zones into scenario {scenario}") as s:
        scen = scenario_row(s, scenario)
        rows = [m.HazardZone(name=n, effect=e, factor=fa, closes_sites=c, geometry=g) for n, e, fa, c, g in zones]
        scen.hazards.extend(rows)
        s.flush()
        return [r.id for r in rows]


def remove_hazard(plan, scenario: str, hazard: int | str, *, user: str | None = None) -> None:
    """Remove a hazard zone by id or by name."""
    with plan.transaction(user, f"remove hazard zone {hazard} from scenario {scenario}") as s:
        scen = scenario_row(s, scenario)
        hit = [h for h in scen.hazards if h.id == hazard or h.name == hazard or str(h.id) == str(hazard)]
        if not hit:
            raise ScenarioError(f"scenario {scenario!r} has no hazard zone {hazard!r}")
        for h in hit:
            scen.hazards.remove(h)
            s.delete(h)


# -- site changes -------------------------------------------------------------------------------
def merge_site_change(s, scen: m.Scenario, code: str, **fields: Any) -> dict[str, Any]:
    """Merge ``fields`` into the site's entry (None removes a field); entry dropped when empty."""
    changes = [dict(c) for c in (scen.site_changes or [])]
    entry = next((c for c in changes if c.get("site_code") == code), None)
    if entry is None:
        entry = {"site_code": code}
        changes.append(entry)
    for k, v in fields.items():
        if v is None:
            entry.pop(k, None)
        else:
            entry[k] = v
    if len(entry) == 1:
        changes.remove(entry)
    scen.site_changes = changes  # a new list: JSON columns are not mutation-tracked
    return entry


def close_site(plan, scenario: str, site_code: str, *, user: str | None = None) -> None:
    """The site cannot be used in this scenario (flooded, damaged, requisitioned …)."""
    with plan.transaction(user, f"close site {site_code} in scenario {scenario}") as s:
        scen = scenario_row(s, scenario)
        _site(s, site_code)
        merge_site_change(s, scen, site_code, status="closed")


def open_site(plan, scenario: str, site_code: str, *, user: str | None = None) -> None:
    """Re-open a site: undo a closure in this scenario, or use a closed/planned baseline site."""
    with plan.transaction(user, f"open site {site_code} in scenario {scenario}") as s:
        scen = scenario_row(s, scenario)
        site = _site(s, site_code)
        base = site.status.value if hasattr(site.status, "value") else site.status
        merge_site_change(s, scen, site_code, status=None if base == "built" else "built")


def set_site_status(plan, scenario: str, site_code: str, status: str | None, *,
                    user: str | None = None) -> None:
    if status is not None and status not in SITE_STATUSES:
        raise ScenarioError(f"status must be one of {', '.join(SITE_STATUSES)}")
    with plan.transaction(user, f"set site {site_code} status {status} in scenario {scenario}") as s:
        scen = scenario_row(s, scenario)
        _site(s, site_code)
        merge_site_change(s, scen, site_code, status=status)


def _check_capacities(vals: dict[str, Any]) -> None:
    """Capacity fields of a site change: each None (unchanged) or a finite number ≥ 0."""
    for k, v in vals.items():
        if v is not None and (not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0):
            raise ScenarioError(f"{k} must be a number ≥ 0, not {v!r}")


def set_capacity(plan, scenario: str, site_code: str, *, stated_capacity: float | None = None,
                 indoor_area_m2: float | None = None, outdoor_area_m2: float | None = None,
                 clear: bool = False, user: str | None = None) -> None:
    """Capacity change of a site in this scenario (``clear``: back to the baseline values)."""
    vals = {"stated_capacity": stated_capacity, "indoor_area_m2": indoor_area_m2,
            "outdoor_area_m2": outdoor_area_m2}
    _check_capacities(vals)
    if not clear and all(v is None for v in vals.values()):
        raise ScenarioError("give stated_capacity, indoor_area_m2 and/or outdoor_area_m2")
    with plan.transaction(user, f"capacity change {site_code} in scenario {scenario}") as s:
        scen = scenario_row(s, scenario)
        _site(s, site_code)
        if clear:
            merge_site_change(s, scen, site_code, **{k: None for k in CAPACITY_FIELDS})
        else:
            merge_site_change(s, scen, site_code, **{k: (int(v) if k == "stated_capacity" else float(v))
                                                    for k, v in vals.items() if v is not None})


# -- stock changes ------------------------------------------------------------------------------
def adjust_stock(plan, scenario: str, site_code: str, *, item_code: str | None = None,
                 factor: float | None = None, delta: float | None = None, user: str | None = None) -> None:
    """Scale a site's stock (``factor``; all items when ``item_code`` is None; 0 = site's stock lost)
    or add/remove a quantity of one item (``delta``)."""
    if (factor is None) == (delta is None):
        raise ScenarioError("give exactly one of factor or delta")
    if factor is not None and (not math.isfinite(float(factor)) or float(factor) < 0):
        raise ScenarioError(f"stock factor must be ≥ 0, not {factor!r}")
    if delta is not None and item_code is None:
        raise ScenarioError("a stock delta needs an item code")
    with plan.transaction(user, f"stock adjustment {site_code} in scenario {scenario}") as s:
        scen = scenario_row(s, scenario)
        _site(s, site_code)
        if item_code is not None and s.scalars(select(m.SupplyItem.id).where(
                m.SupplyItem.code == item_code)).first() is None:
            raise ScenarioError(f"no supply item with code {item_code!r}")
        entry: dict[str, Any] = {"site_code": site_code, "item_code": item_code}
        if factor is not None:
            entry["factor"] = float(factor)
        elif delta is not None:  # always: exactly one of factor and delta was checked above
            entry["delta"] = float(delta)
        scen.stock_changes = [*list(scen.stock_changes or []), entry]


def supplier_unavailable(plan, scenario: str, supplier: str, *, user: str | None = None) -> None:
    """An agreement supplier cannot deliver in this scenario (its agreement stock counts 0)."""
    with plan.transaction(user, f"supplier {supplier} unavailable in scenario {scenario}") as s:
        scen = scenario_row(s, scenario)
        known = s.scalars(select(m.StockLot.id).where(m.StockLot.supplier == supplier)).first()
        if known is None:
            raise ScenarioError(f"no stock lot names supplier {supplier!r}")
        scen.stock_changes = [*list(scen.stock_changes or []), {"supplier": supplier, "factor": 0.0}]


def clear_stock_changes(plan, scenario: str, *, user: str | None = None) -> None:
    with plan.transaction(user, f"clear stock changes in scenario {scenario}") as s:
        scenario_row(s, scenario).stock_changes = []


# -- parameters ---------------------------------------------------------------------------------
def validate_params(params: dict[str, Any], *, profiles: list[str] | None = None) -> dict[str, Any]:
    """Check and normalise parameter overrides; raises ScenarioError listing every problem."""
    out: dict[str, Any] = {}
    errors: list[str] = []

    def num(k, v, lo, hi, lo_open=False, integer=False):
        try:
            x = float(v)
        except (TypeError, ValueError):
            errors.append(f"{k}: {v!r} is not a number")
            return
        if not math.isfinite(x) or (x <= lo if lo_open else x < lo) or x > hi:
            errors.append(f"{k}: {v!r} must be {'>' if lo_open else '≥'} {lo:g} and ≤ {hi:g}")
            return
        out[k] = int(round(x)) if integer else x

    for k, v in params.items():
        k = ALIASES.get(k, k)
        if k not in SPECS:
            errors.append(f"unknown parameter {k!r}")
        elif k in ("supply_population", "planning_population"):
            num(k, v, 0, 1e9, lo_open=True, integer=True)
        elif k == "sheltering_share":
            num(k, v, 0, 1, lo_open=True)
        elif k in ("walk_speed_mps", "offroad_speed_mps", "vulnerable_walk_speed_mps"):
            num(k, v, 0.1, 3)
        elif k == "threshold_min":
            num(k, v, 1, 240)
        elif k == "event_date":
            try:
                out[k] = dt.date.fromisoformat(str(v)).isoformat()
            except ValueError:
                errors.append(f"event_date: {v!r} is not an ISO date (YYYY-MM-DD)")
        elif k == "norms_profile":
            if profiles is not None and v not in profiles:
                errors.append(f"norms_profile: no profile {v!r} in the plan (have: {', '.join(profiles)})")
            else:
                out[k] = str(v)
        elif k in ("first_batch_deadline_h", "day2_deadline_h", "day3_deadline_h", "horizon_h"):
            num(k, v, 0, 24 * 30, lo_open=True)
        elif k in ("post_disaster_speed_factor", "capacity_share_target", "indoor_share_target",
                   "fixed_share_target", "served_share_target", "vulnerable_served_share_target"):
            num(k, v, 0, 1 if k == "post_disaster_speed_factor" else 10, lo_open=True)
        elif k in ("snap_max_m", "previous_response_min"):
            num(k, v, 0, 1e6, lo_open=True)
        elif k == "mode":
            if v not in ("walk", "drive"):
                errors.append(f"mode: must be walk or drive, not {v!r}")
            else:
                out[k] = v
        elif k in ("include_planned", "scale_to_target"):
            if isinstance(v, str):
                v = v.strip().lower() in ("1", "true", "yes", "y")
            out[k] = bool(v)
        else:  # pragma: no cover - new SPECS entries
            out[k] = v
    if errors:
        raise ScenarioError("parameter overrides refused: " + "; ".join(errors))
    return out


def set_params(plan, scenario: str, *, user: str | None = None, **params: Any) -> dict[str, Any]:
    """Set parameter overrides (validated); a value None removes that override. Returns all overrides."""
    remove = [k for k, v in params.items() if v is None]
    with plan.transaction(user, f"parameters of scenario {scenario}: {', '.join(params)}") as s:
        scen = scenario_row(s, scenario)
        profiles = list(s.scalars(select(m.NormsProfile.name)).all())
        good = validate_params({k: v for k, v in params.items() if v is not None},
                               profiles=sorted(set(profiles) | set(SHIPPED)))
        new = {k: v for k, v in (scen.params or {}).items() if k not in remove}
        new.update(good)
        scen.params = new
        return dict(new)


def replace_params(plan, scenario: str, params: dict[str, Any], *, user: str | None = None) -> dict[str, Any]:
    """Set the scenario's overrides to exactly ``params`` (validated like :func:`set_params`; used
    by the GUI's parameter form and to undo it)."""
    with plan.transaction(user, f"parameters of scenario {scenario}") as s:
        scen = scenario_row(s, scenario)
        profiles = list(s.scalars(select(m.NormsProfile.name)).all())
        scen.params = validate_params(dict(params), profiles=sorted(set(profiles) | set(SHIPPED)))
        return dict(scen.params)


# -- one site's change, whole (the GUI's close/reopen and their undo) ---------------------------
def get_site_change(plan, scenario: str, site_code: str) -> dict[str, Any] | None:
    """The scenario's entry for one site (a copy), or None when the scenario leaves it as is."""
    with plan.session() as s:
        scen = scenario_row(s, scenario)
        hit = next((c for c in (scen.site_changes or []) if c.get("site_code") == site_code), None)
        return dict(hit) if hit is not None else None


def put_site_change(plan, scenario: str, site_code: str, entry: dict[str, Any] | None, *,
                    user: str | None = None, reason: str | None = None) -> None:
    """Replace the scenario's entry for one site with ``entry`` (None: no change for that site).

    The entry is checked like the engine checks it (status, capacity fields ≥ 0)."""
    if entry is not None:
        entry = {k: v for k, v in entry.items() if k != "site_code"}
        unknown = set(entry) - {"status", *CAPACITY_FIELDS}
        if unknown:
            raise ScenarioError(f"site change for {site_code}: unknown field(s) {sorted(unknown)}")
        if "status" in entry and entry["status"] not in SITE_STATUSES:
            raise ScenarioError(f"status must be one of {', '.join(SITE_STATUSES)}")
        _check_capacities({k: entry.get(k) for k in CAPACITY_FIELDS})
    with plan.transaction(user, reason or f"site {site_code} in scenario {scenario}") as s:
        scen = scenario_row(s, scenario)
        _site(s, site_code)
        changes = [dict(c) for c in (scen.site_changes or []) if c.get("site_code") != site_code]
        if entry:
            changes.append({"site_code": site_code, **entry})
        scen.site_changes = changes


# -- a scenario as plain data, and back (delete + undo; hazard removal + undo) -----------------
def _hazard_state(h: m.HazardZone) -> dict[str, Any]:
    return {"name": h.name, "effect": h.effect.value if hasattr(h.effect, "value") else h.effect,
            "factor": h.factor, "closes_sites": bool(h.closes_sites), "wkb": shapely.to_wkb(h.geometry, hex=True)}


def scenario_state(plan, name: str) -> dict[str, Any]:
    """Everything a scenario holds, as plain data (:func:`restore_scenario` writes it back)."""
    with plan.session() as s:
        scen = scenario_row(s, name)
        return {"name": scen.name, "description": scen.description,
                "params": json.loads(json.dumps(scen.params or {})),
                "site_changes": json.loads(json.dumps(scen.site_changes or [])),
                "stock_changes": json.loads(json.dumps(scen.stock_changes or [])),
                "hazards": [_hazard_state(h) for h in sorted(scen.hazards, key=lambda h: h.id or 0)]}


def restore_scenario(plan, state: dict[str, Any], *, user: str | None = None) -> dict[str, Any]:
    """Create a scenario from :func:`scenario_state` (the name must be free again)."""
    with plan.transaction(user, f"restore scenario {state['name']}") as s:
        name = _check_name(s, state["name"])
        scen = m.Scenario(name=name, description=state.get("description"), params=dict(state.get("params") or {}),
                          site_changes=list(state.get("site_changes") or []),
                          stock_changes=list(state.get("stock_changes") or []))
        for h in state.get("hazards") or []:
            scen.hazards.append(_hazard_row(h))
        s.add(scen)
        s.flush()
        return _summary(scen)


def _hazard_row(h: dict[str, Any]) -> m.HazardZone:
    eff, factor = _check_hazard(h["effect"], h["factor"])
    return m.HazardZone(name=h["name"], effect=eff, factor=factor, closes_sites=bool(h["closes_sites"]),
                        geometry=shapely.from_wkb(h["wkb"]))


def hazard_state(plan, scenario: str, hazard_id: int) -> dict[str, Any]:
    """One hazard zone as plain data (:func:`restore_hazard` adds it back)."""
    with plan.session() as s:
        scen = scenario_row(s, scenario)
        h = next((h for h in scen.hazards if h.id == hazard_id), None)
        if h is None:
            raise ScenarioError(f"scenario {scenario!r} has no hazard zone {hazard_id!r}")
        return _hazard_state(h)


def restore_hazard(plan, scenario: str, state: dict[str, Any], *, user: str | None = None) -> int:
    """Add a hazard zone from :func:`hazard_state` (every field kept); returns its new id."""
    with plan.transaction(user, f"restore hazard zone {state['name']} in scenario {scenario}") as s:
        scen = scenario_row(s, scenario)
        hz = _hazard_row(state)
        scen.hazards.append(hz)
        s.flush()
        return hz.id
