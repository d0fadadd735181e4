"""apply_scenario: derive a scenario's PlanInput from the baseline one (the baseline is untouched).

Where it happens: :func:`planner.scenario.runs.load_snapshot` (the storage side) calls it for a
stored scenario, so ``load_snapshot(plan, "洪水")`` already has every change applied; callers
holding a baseline PlanInput (the scenario editor, :class:`planner.engine.session.WhatIf`) call
it directly with a :class:`planner.models.Scenario` (read by attribute, never imported), a dict
or keyword arguments.

Order of application: parameter overrides → ``site_changes`` → hazard zones with
``closes_sites`` (a site inside such a zone is closed even if a change re-opened it) →
``stock_changes``. Hazard zones themselves are appended to ``PlanInput.hazards`` and act on the
roads when the graph is built (``block`` → cut, ``slow`` → time ÷ factor).

Entries (validated; any problem → :class:`ScenarioError` naming the entry):

* ``site_changes``: ``{"site_code": str, "status": "closed"|"built"|"planned",
  "stated_capacity": int?, "indoor_area_m2": float?, "outdoor_area_m2": float?}``
  (``status`` optional when only capacities change).
* ``stock_changes``: ``{"site_code": str, "item_code": str|None, "factor": float}`` (None = all
  items of the site) · ``{"site_code", "item_code", "delta": float}`` (+ adds a physical,
  non-expiring lot; − takes from the site's lots of that item in lot order, never below 0) ·
  ``{"supplier": str, "factor": float}`` (every agreement lot of that supplier; 0 = unavailable).
* ``params``: any parameter of :mod:`planner.engine.params` incl. ``norms_profile`` (a shipped
  profile, or pass ``norms=`` with the plan's own profile data).
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import shapely

from planner.engine.params import ALIASES, PLAN_FIGURES, SPECS, resolve_parameters
from planner.engine.snapshot import Hazard, LotTable, PlanInput
from planner.norms import shipped_profile

#: the name a result carries when no scenario is applied (the plan as registered)
BASELINE = "baseline"
SITE_STATUSES = ("closed", "built", "planned")
_SITE_KEYS = {"site_code", "status", "stated_capacity", "indoor_area_m2", "outdoor_area_m2"}
_STOCK_KEYS = {"site_code", "item_code", "factor", "delta", "supplier"}


class ScenarioError(ValueError):
    """A scenario entry or operation was refused (unknown code, bad value, reserved name …).

    The one class for the engine's checks and the scenario service (planner.scenario.store);
    the message is meant for the user, and nothing was written."""


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _hazard(h: Any, k: int, label: str) -> Hazard:
    if isinstance(h, Hazard):
        return h
    eff = _get(h, "effect", "block")
    eff = getattr(eff, "value", eff)
    geom = _get(h, "geometry")
    if isinstance(geom, dict):
        geom = shapely.geometry.shape(geom)
    if eff not in ("block", "slow") or geom is None:
        raise ScenarioError(f"{label}: hazards[{k}] {_get(h, 'name')!r}: effect must be block/slow "
                            f"and a polygon is required")
    factor = float(_get(h, "factor", 1.0) if _get(h, "factor") is not None else 1.0)
    if not 0 < factor <= 1:
        raise ScenarioError(f"{label}: hazards[{k}] {_get(h, 'name')!r}: factor must be in (0, 1]")
    closes = _get(h, "closes_sites", True)
    return Hazard(str(_get(h, "name") or f"hazard {k + 1}"), eff, factor,
                  True if closes is None else bool(closes), geom)


def _num(entry: dict, key: str, label: str, *, integer: bool = False) -> float | None:
    v = entry.get(key)
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ScenarioError(f"{label}: {key} must be a number, not {v!r}") from None
    if not np.isfinite(f) or f < 0:
        raise ScenarioError(f"{label}: {key} must be ≥ 0, not {v!r}")
    return float(int(round(f))) if integer else f


def apply_scenario(inp: PlanInput, scenario: Any = None, *, name: str | None = None,
                   params: dict[str, Any] | None = None, site_changes: list | None = None,
                   stock_changes: list | None = None, hazards: list | tuple | None = None,
                   norms: dict[str, Any] | None = None) -> PlanInput:
    """A new PlanInput: ``inp`` (the baseline) with the scenario applied. ``inp`` is not changed.

    ``scenario``: a :class:`planner.models.Scenario` or a dict with the keys ``name``,
    ``params``, ``site_changes``, ``stock_changes``, ``hazards``; keyword arguments add to it.
    """
    name = name or (_get(scenario, "name") if scenario is not None else None) or "scenario"
    params = {**(_get(scenario, "params") or {} if scenario is not None else {}), **(params or {})}
    params = {ALIASES.get(k, k): v for k, v in params.items()}
    site_changes = list((_get(scenario, "site_changes") or []) if scenario is not None else []) + \
        list(site_changes or [])
    stock_changes = list((_get(scenario, "stock_changes") or []) if scenario is not None else []) + \
        list(stock_changes or [])
    hz_raw = list((_get(scenario, "hazards") or []) if scenario is not None else []) + list(hazards or [])
    label = f"scenario {name!r}"
    new_hz = tuple(_hazard(h, k, label) for k, h in enumerate(hz_raw))
    effects: dict[str, Any] = {"closed_by_hazard": [], "site_changes": [], "stock_changes": []}

    # -- parameters ---------------------------------------------------------------------------
    values, sources, prof = dict(inp.params), dict(inp.param_sources), inp.norms
    if params:
        bad = sorted(set(params) - set(SPECS))
        if bad:
            raise ScenarioError(f"{label}: unknown parameter(s) {bad} (known: {', '.join(SPECS)})")
        pname = params.get("norms_profile")
        if pname is not None and (norms is not None or pname != inp.params.get("norms_profile")):
            if norms is None:
                try:
                    norms = shipped_profile(pname)
                except (KeyError, OSError, ValueError) as exc:  # missing / unreadable / malformed profile
                    raise ScenarioError(f"{label}: unknown norms profile {pname!r} ({exc})") from None
            prof = {**norms, "name": norms.get("name", pname)}
            keep = {k: inp.params[k] for k, src in inp.param_sources.items()
                    if src.startswith("override") and k != "norms_profile"}
            plan_fig = {k: inp.params[k] for k in PLAN_FIGURES
                        if inp.param_sources.get(k, "").startswith("plan")}
            ov = {**keep, **{k: v for k, v in params.items() if k != "norms_profile"}}
            try:
                values, sources = resolve_parameters(prof, plan=plan_fig, overrides=ov,
                                                     override_label=label)
            except (KeyError, ValueError) as exc:
                raise ScenarioError(f"{label}: {exc}") from None
            values["norms_profile"], sources["norms_profile"] = pname, f"override: {label}"
        else:
            probe = {**values, **params}
            try:
                derived = {k for k, v in sources.items() if v.startswith("default:") and k not in params}
                values, _s = resolve_parameters(inp.norms, overrides={
                    k: probe[k] for k in SPECS if k in probe and k != "norms_profile" and k not in derived})
                for name in derived:
                    sources[name] = _s[name]
            except (KeyError, ValueError) as exc:
                raise ScenarioError(f"{label}: {exc}") from None
            values["norms_profile"] = inp.params.get("norms_profile")
            for pk in params:
                sources[pk] = f"override: {label}"

    # -- sites --------------------------------------------------------------------------------
    st = inp.sites
    code_pos = {c: k for k, c in enumerate(st.code)}
    status = st.status.copy()
    cap, ia, oa = st.stated_capacity.copy(), st.indoor_area.copy(), st.outdoor_area.copy()
    for k, e in enumerate(site_changes):
        lab = f"{label}: site_changes[{k}] {e!r}"
        if not isinstance(e, dict):
            raise ScenarioError(f"{lab}: must be a mapping")
        unknown = set(e) - _SITE_KEYS
        if unknown:
            raise ScenarioError(f"{lab}: unknown key(s) {sorted(unknown)}")
        code = e.get("site_code")
        if code not in code_pos:
            raise ScenarioError(f"{lab}: unknown site code {code!r}")
        j = code_pos[code]
        if e.get("status") is not None:
            if e["status"] not in SITE_STATUSES:
                raise ScenarioError(f"{lab}: status must be one of {SITE_STATUSES}")
            status[j] = e["status"]
        for key, arr, integer in (("stated_capacity", cap, True), ("indoor_area_m2", ia, False),
                                  ("outdoor_area_m2", oa, False)):
            v = _num(e, key, lab, integer=integer)
            if v is not None:
                arr[j] = v
        effects["site_changes"].append({"site": code, **{k: v for k, v in e.items() if k != "site_code"}})
    for hz in new_hz:
        if not hz.closes_sites:
            continue
        has = ~(np.isnan(st.lon) | np.isnan(st.lat))
        idx = np.nonzero(has)[0]
        if len(idx) == 0:
            continue
        inside = shapely.intersects(hz.geometry, shapely.points(st.lon[idx], st.lat[idx]))
        for j in idx[inside]:
            if status[j] != "closed":
                status[j] = "closed"
            effects["closed_by_hazard"].append({"site": st.code[j], "kind": getattr(st.kind[j], "value", st.kind[j]),
                                                "hazard": hz.name})
    sites = dataclasses.replace(st, status=status, stated_capacity=cap, indoor_area=ia, outdoor_area=oa)

    # -- stock --------------------------------------------------------------------------------
    lots, items = inp.lots, inp.items
    qty = lots.quantity.copy()
    extra: list[dict[str, Any]] = []
    site_id_of = {c: int(i) for c, i in zip(st.code, st.id, strict=True)}
    item_id_of = {c: int(i) for c, i in zip(items.code, items.id, strict=True)}
    next_id = int(lots.id.max()) + 1 if len(lots) else 1
    for k, e in enumerate(stock_changes):
        lab = f"{label}: stock_changes[{k}] {e!r}"
        if not isinstance(e, dict):
            raise ScenarioError(f"{lab}: must be a mapping")
        unknown = set(e) - _STOCK_KEYS
        if unknown:
            raise ScenarioError(f"{lab}: unknown key(s) {sorted(unknown)}")
        if ("factor" in e) == ("delta" in e):
            raise ScenarioError(f"{lab}: give exactly one of factor / delta")
        if "supplier" in e:
            if "site_code" in e or "item_code" in e or "delta" in e:
                raise ScenarioError(f"{lab}: a supplier entry takes only a factor")
            mask = np.array([s == e["supplier"] for s in lots.supplier], dtype=bool)
            if not mask.any():
                raise ScenarioError(f"{lab}: unknown supplier {e['supplier']!r} (no stock lot names it)")
        else:
            code = e.get("site_code")
            if code not in site_id_of:
                raise ScenarioError(f"{lab}: unknown site code {code!r}")
            mask = lots.site_id == site_id_of[code]
            ic = e.get("item_code")
            if ic is not None:
                if ic not in item_id_of:
                    raise ScenarioError(f"{lab}: unknown item code {ic!r}")
                mask = mask & (lots.item_id == item_id_of[ic])
            elif "delta" in e:
                raise ScenarioError(f"{lab}: a delta needs an item_code")
        if "factor" in e:
            f = _num(e, "factor", lab)
            qty[mask] = qty[mask] * f
        else:
            try:
                d = float(e["delta"])
            except (TypeError, ValueError):
                raise ScenarioError(f"{lab}: delta must be a number") from None
            if d >= 0:
                extra.append({"id": next_id, "site_id": site_id_of[e["site_code"]],
                              "item_id": item_id_of[e["item_code"]], "quantity": d, "mode": "physical",
                              "supplier": None})
                next_id += 1
            else:
                take = -d
                for li in np.nonzero(mask)[0]:
                    t = min(take, qty[li])
                    qty[li] -= t
                    take -= t
                    if take <= 0:
                        break
        effects["stock_changes"].append(dict(e))
    lots_new = dataclasses.replace(lots, quantity=qty)
    if extra:
        add = LotTable.from_records(extra)
        lots_new = LotTable(**{c: np.concatenate([getattr(lots_new, c), getattr(add, c)]) for c in LotTable.COLS})

    changes = {"site_changes": site_changes, "stock_changes": stock_changes, "params": dict(params)}
    return PlanInput(sites=sites, items=items, lots=lots_new, demand=inp.demand, roads=inp.roads,
                     towns=inp.towns, norms=prof, params=values, param_sources=sources,
                     hazards=tuple(inp.hazards) + new_hz, scenario_name=name, scenario_changes=changes,
                     plan_name=inp.plan_name, effects=effects)
